package orm

import (
	"fmt"
	"slices"
	"unsafe"

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
	// ones holds a to-one relationship's target per parent, by number
	// (nil: none), in place of ents.
	ones []*state
	// fk is, for a many-to-one relationship whose foreign key is one
	// column of the parent referencing the target's primary key, that
	// column's ordinal in the parent's mapper (see useFK); -1 otherwise.
	fk int
	// settled says that the current row's target is hit (nil: none),
	// found from its key alone (settle).
	settled bool
	hit     *state
	// start is the target's first column in the row, from the end.
	fromEnd int
	// withDeleted keeps soft-deleted targets (orm.WithDeleted).
	withDeleted bool
	// err is the first expression attribute value the target's field
	// could not hold (the query fails with it).
	err error
}

// joinEntry is one parent's members of a collection, in row order, once
// each.
type joinEntry struct {
	many []*state
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
		fk:      -1,
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

// useFK sets jr.fk for rows of parent mapper m: when the relationship is
// many-to-one on one foreign-key column of m that references the target's
// primary key, and the join has no soft-delete condition, the parent's
// own column is the target's key, so a row whose target the session holds
// need not read any joined column. A target the join would not find (a
// foreign key to a row deleted since the session loaded it) is then taken
// from the identity map as the session knows it, as a lazy many-to-one
// load by key does.
func (jr *joinedRel) useFK(m *mapper) {
	jr.fk = -1
	r, tm := jr.rf.rel, jr.rf.target
	if !jr.keyFirst() || r.Kind == spec.ManyToMany || len(r.Pairs) != 1 ||
		r.Pairs[0].Remote != tm.cols[tm.pk[0]].col || tm.softDel >= 0 && !jr.withDeleted {
		return
	}
	for i := range m.cols {
		if m.cols[i].col == r.Pairs[0].Local {
			jr.fk = i
			return
		}
	}
}

// prepareKey points the row's destinations for the target's columns: its
// key at vals, the others skipped (nil destinations); with fk set, the
// key is skipped too.
func (jr *joinedRel) prepareKey(dest []any) {
	start := len(dest) - jr.fromEnd
	for i := range jr.vals {
		jr.vals[i] = nil
		dest[start+i] = nil
	}
	if jr.fk < 0 {
		pk := jr.rf.target.pk[0]
		dest[start+pk] = &jr.vals[pk]
	}
}

// settle decides, after a row read with prepareKey, whether its key needs
// no more of the row: no target (a NULL key read from the join), or one
// the session holds and need not refresh (the parent's foreign key in obj
// when fk is set). It records the answer for row.
func (jr *joinedRel) settle(s *Session, m *mapper, obj unsafe.Pointer) bool {
	tm := jr.rf.target
	var k keyVal
	var ok bool
	if jr.fk >= 0 {
		// A NULL foreign key, or one of a type without a key form, is
		// left to the join's own columns.
		k, ok = m.cols[jr.fk].key(obj)
	} else {
		v := jr.vals[tm.pk[0]]
		if v == nil {
			jr.settled, jr.hit = true, nil
			return true
		}
		k, ok = keyOf(v)
	}
	if ok {
		if kst := s.idmap.get(identity{m: tm, k: k}); kst != nil && !kst.expired {
			jr.settled, jr.hit = true, kst
			return true
		}
	}
	jr.settled, jr.hit = false, nil
	return false
}

// row records the current row's target for parent st.
func (jr *joinedRel) row(s *Session, st *state) {
	if jr.settled {
		jr.settled = false
		jr.note(st, jr.hit)
		return
	}
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
	if !jr.rf.many {
		for len(jr.ones) <= i {
			jr.ones = append(jr.ones, nil)
		}
		if jr.ones[i] == nil {
			jr.ones[i] = kid
		}
		return
	}
	for len(jr.ents) <= i {
		jr.ents = append(jr.ents, joinEntry{})
	}
	if kid == nil {
		return
	}
	e := &jr.ents[i]
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
		if jr.rf.many {
			var e joinEntry
			if k < len(jr.ents) {
				e = jr.ents[k]
			}
			s.setRel(st, i, jr.rf, e.many)
			continue
		}
		var one [1]*state
		kids := one[:0]
		if k < len(jr.ones) && jr.ones[k] != nil {
			one[0] = jr.ones[k]
			kids = one[:]
		}
		s.setRel(st, i, jr.rf, kids)
	}
}
