package orm

import (
	"fmt"
	"slices"

	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// joinedRel loads one relationship through LEFT OUTER JOINs in the parent
// query: its target's columns follow the parent's in each row.
type joinedRel struct {
	rf    *relField
	alias *stmt.Table
	sec   *stmt.Table
	// vals receives the target's columns of the current row (NULL when
	// the join found nothing).
	vals []any
	// kids collects each parent's targets, in row order, once each.
	kids map[*state][]*state
	seen map[*state]map[*state]bool
	// start is the target's first column in the row, from the end.
	fromEnd int
	// withDeleted keeps soft-deleted targets (orm.WithDeleted).
	withDeleted bool
}

func newJoinedRel(base *stmt.Table, rf *relField, n int) (*joinedRel, error) {
	jr := &joinedRel{
		rf:    rf,
		alias: rf.target.tref.As(fmt.Sprintf("dl_j%d", n)),
		vals:  make([]any, len(rf.target.cols)),
		kids:  map[*state][]*state{},
		seen:  map[*state]map[*state]bool{},
	}
	if rf.rel.Kind == spec.ManyToMany {
		jr.sec = stmt.Ref(rf.rel.Secondary).As(fmt.Sprintf("dl_js%d", n))
	}
	if err := jr.alias.Err(); err != nil {
		return nil, err
	}
	_ = base
	return jr, nil
}

// apply adds the joins and the target's columns to q.
func (jr *joinedRel) apply(q *stmt.SelectStmt) *stmt.SelectStmt {
	r := jr.rf.rel
	base := q.Parts().Items[0].(*stmt.Table)
	if r.Kind == spec.ManyToMany {
		var on1, on2 []stmt.Expr
		for _, pr := range r.Pairs {
			on1 = append(on1, jr.sec.Col(pr.Remote).Eq(base.Col(pr.Local)))
		}
		for _, pr := range r.SecondaryPairs {
			on2 = append(on2, jr.alias.Col(pr.Remote).Eq(jr.sec.Col(pr.Local)))
		}
		if f := jr.rf.target.alive(jr.alias); f != nil && !jr.withDeleted {
			on2 = append(on2, f)
		}
		q = q.LeftJoin(jr.sec, stmt.And(on1...)).LeftJoin(jr.alias, stmt.And(on2...))
	} else {
		var on []stmt.Expr
		for _, pr := range r.Pairs {
			on = append(on, jr.alias.Col(pr.Remote).Eq(base.Col(pr.Local)))
		}
		if f := jr.rf.target.alive(jr.alias); f != nil && !jr.withDeleted {
			on = append(on, f)
		}
		q = q.LeftJoin(jr.alias, stmt.And(on...))
	}
	q = q.Columns(jr.alias)
	if jr.rf.many {
		for _, o := range r.OrderBy {
			q = q.OrderBy(orderTerm(jr.alias, o))
		}
	}
	return q
}

// prepare points the row's destinations for the target's columns at vals.
// Joined relationships are appended in order, so each one's columns sit
// at a fixed distance from the end of the row.
func (jr *joinedRel) prepare(dest []any) {
	start := len(dest) - jr.fromEnd
	for i := range jr.vals {
		jr.vals[i] = nil
		dest[start+i] = &jr.vals[i]
	}
}

// row records the current row's target for parent st.
func (jr *joinedRel) row(s *Session, st *state) {
	tm := jr.rf.target
	for _, o := range tm.pk {
		if jr.vals[o] == nil {
			jr.note(st, nil)
			return
		}
	}
	obj := s.newObject(tm)
	for i := range tm.cols {
		if err := tm.cols[i].set(obj, jr.vals[i]); err != nil {
			// A value the field cannot hold: leave the field zero; the
			// same column read by a plain query reports the error.
			continue
		}
	}
	jr.note(st, s.track(tm, obj))
}

func (jr *joinedRel) note(st *state, kid *state) {
	if _, ok := jr.kids[st]; !ok {
		jr.kids[st] = nil
		jr.seen[st] = map[*state]bool{}
	}
	if kid == nil || jr.seen[st][kid] {
		return
	}
	jr.seen[st][kid] = true
	jr.kids[st] = append(jr.kids[st], kid)
}

// finish sets the relationship on every parent.
func (jr *joinedRel) finish(s *Session, parents []*state) {
	if len(parents) == 0 {
		return
	}
	i := slices.Index(parents[0].m.rels, jr.rf)
	for _, st := range parents {
		st.setLoaded(i)
		s.setRel(st, i, jr.rf, jr.kids[st])
	}
}
