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
	// the join found nothing), then its expression attributes' values
	// (exprattr.go), if it has any.
	vals []any
	// items is how many select items apply adds (the target, and its
	// expression attributes).
	items int
	// parents numbers the query's distinct parents (shared by every
	// joined relationship of the query); ents holds each one's targets,
	// by that number: no map per parent or per row.
	parents *parentIndex
	ents    []joinEntry
	// start is the target's first column in the row, from the end.
	fromEnd int
	// withDeleted keeps soft-deleted targets (orm.WithDeleted).
	withDeleted bool
	// err is the first expression attribute value the target's field
	// could not hold (the query fails with it).
	err error
}

// joinEntry is one parent's targets, in row order, once each.
type joinEntry struct {
	one  *state   // a to-one relationship's target
	many []*state // a collection's members
	set  map[*state]struct{}
}

// parentIndex numbers a joined query's parents in the order they first
// appear; consecutive rows of one parent (a joined collection) skip the
// lookup.
type parentIndex struct {
	idx   map[*state]int32
	last  *state
	lastI int32
	// rowsUnique is set when no row can repeat a parent (one table, only
	// many-to-one joins): parents are then numbered by row, without the
	// map.
	rowsUnique bool
	n          int32
}

// of returns st's number.
func (p *parentIndex) of(st *state) int32 {
	if st == p.last && p.last != nil {
		return p.lastI
	}
	if p.rowsUnique {
		p.last, p.lastI = st, p.n
		p.n++
		return p.lastI
	}
	i, ok := p.idx[st]
	if !ok {
		if p.idx == nil {
			p.idx = map[*state]int32{}
		}
		i = int32(len(p.idx))
		p.idx[st] = i
	}
	p.last, p.lastI = st, i
	return i
}

func newJoinedRel(base *stmt.Table, rf *relField, n int, parents *parentIndex) (*joinedRel, error) {
	jr := &joinedRel{
		rf:      rf,
		alias:   rf.target.tref.As(fmt.Sprintf("dl_j%d", n)),
		vals:    make([]any, len(rf.target.cols)+len(rf.target.exprs)),
		items:   1 + len(rf.target.exprs),
		parents: parents,
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
	if len(jr.rf.target.exprs) > 0 {
		// The target's expression attributes, correlated with the join's
		// alias.
		q = q.Columns(jr.rf.target.exprItems(jr.alias, jr.withDeleted)...)
	}
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

// keyFirst reports whether the row's target is read by its key first: a
// to-one relationship with a one-column key, where most rows of a
// many-to-one join repeat a target the session already holds, whose other
// columns then need not be read at all.
func (jr *joinedRel) keyFirst() bool { return !jr.rf.many && len(jr.rf.target.pk) == 1 }

// prepareKey points the row's destination for the target's key at vals
// and skips its other columns (nil destinations).
func (jr *joinedRel) prepareKey(dest []any) {
	start := len(dest) - jr.fromEnd
	for i := range jr.vals {
		jr.vals[i] = nil
		dest[start+i] = nil
	}
	pk := jr.rf.target.pk[0]
	dest[start+pk] = &jr.vals[pk]
}

// known reports whether the key prepareKey read needs no more of the
// row: no target (a NULL key), or one the session holds and need not
// refresh.
func (jr *joinedRel) known(s *Session) bool {
	tm := jr.rf.target
	v := jr.vals[tm.pk[0]]
	if v == nil {
		return true
	}
	k, ok := keyOf(v)
	if !ok {
		return false
	}
	kst := s.idmap.get(identity{m: tm, k: k})
	return kst != nil && !kst.expired
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
	// A target the session already holds (the same parent of many
	// children, most often) is taken from the identity map as is, before
	// any object is built for the row.
	if len(tm.pk) == 1 {
		if k, ok := keyOf(jr.vals[tm.pk[0]]); ok {
			if kst := s.idmap.get(identity{m: tm, k: k}); kst != nil && !kst.expired {
				jr.note(st, kst)
				return
			}
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
	if len(tm.exprs) > 0 {
		if err := tm.setExprs(obj, jr.vals[len(tm.cols):]); err != nil && jr.err == nil {
			jr.err = err
		}
	}
	jr.note(st, s.track(tm, obj))
}

func (jr *joinedRel) note(st *state, kid *state) {
	i := int(jr.parents.of(st))
	for len(jr.ents) <= i {
		jr.ents = append(jr.ents, joinEntry{})
	}
	if kid == nil {
		return
	}
	e := &jr.ents[i]
	if !jr.rf.many {
		if e.one == nil {
			e.one = kid
		}
		return
	}
	// A member repeats when the query joins more than one collection
	// (one row per combination): look through a short list, keep a set
	// for a long one.
	if e.set != nil {
		if _, dup := e.set[kid]; dup {
			return
		}
		e.set[kid] = struct{}{}
	} else {
		for _, k := range e.many {
			if k == kid {
				return
			}
		}
		if len(e.many) == 16 {
			e.set = make(map[*state]struct{}, 32)
			for _, k := range e.many {
				e.set[k] = struct{}{}
			}
			e.set[kid] = struct{}{}
		}
	}
	e.many = append(e.many, kid)
}

// finish sets the relationship on every parent (parents in the order
// parentIndex numbered them).
func (jr *joinedRel) finish(s *Session, parents []*state) {
	if len(parents) == 0 {
		return
	}
	i := slices.Index(parents[0].m.rels, jr.rf)
	for k, st := range parents {
		st.setLoaded(i)
		var e joinEntry
		if k < len(jr.ents) {
			e = jr.ents[k]
		}
		if jr.rf.many {
			s.setRel(st, i, jr.rf, e.many)
			continue
		}
		one := [1]*state{e.one}
		kids := one[:0]
		if e.one != nil {
			kids = one[:]
		}
		s.setRel(st, i, jr.rf, kids)
	}
}
