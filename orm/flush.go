package orm

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"time"
	"unsafe"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/conv"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// flushPlan is the work one flush does, in the order it is done.
type flushPlan struct {
	inserts map[*mapper][]*state
	deletes map[*mapper][]*state
	// persistent objects to diff for updates, by mapper.
	persistent map[*mapper][]*state
	// edges copy a parent's key into a child's foreign key.
	edges []edge
	// assocAdd and assocDel are many-to-many link changes.
	assocAdd, assocDel []assocLink
	// assocClear deletes every link of a deleted object.
	assocClear []assocLink
	assocSeen  map[assocKey]bool
	// genKeys are objects given a generated key by this flush.
	genKeys []*state
	// early marks deleted orphans (and what cascades from them), deleted
	// before any insert.
	early map[*state]bool
	// journal holds pre-flush copies of objects the flush modifies, to
	// restore them if it fails.
	journal map[*state]unsafe.Pointer
	// nulls are children whose foreign key to pairs' remote side is to be
	// set NULL (removed from a collection without delete-orphan).
	nulls []edge
}

// edge is a one-to-many / many-to-one link between two objects in the
// session: child's columns pairs[i].fk take parent's pairs[i].key.
type edge struct {
	parent, child *state
	pairs         []keyPair
}

// keyPair maps a parent column ordinal to a child column ordinal.
type keyPair struct{ key, fk int }

type assocLink struct {
	owner, target *state
	rel           *relField
}

func (p *flushPlan) empty() bool {
	return len(p.inserts) == 0 && len(p.deletes) == 0 && len(p.persistent) == 0 &&
		len(p.assocAdd) == 0 && len(p.assocDel) == 0 && len(p.assocClear) == 0
}

// sortedStates returns the session's objects in the order they joined it.
func (s *Session) sortedStates() []*state {
	out := make([]*state, 0, len(s.all))
	for _, st := range s.all {
		if !st.gone {
			out = append(out, st)
		}
	}
	return out
}

// Flush writes every pending change (inserts, updates, deletes, association
// rows) in the session's transaction, beginning it if needed. Nothing is
// committed. If any statement fails, the transaction is rolled back (no row
// of the flush stays), the objects are restored to their pre-flush values,
// and the session refuses work with ErrSessionNeedsRollback until Rollback.
//
// A failed Flush returns its cause (a *engine.ConstraintError, a context
// error, ErrStaleObject …); from then on Flush, and every call listed under
// ErrSessionNeedsRollback, returns ErrSessionNeedsRollback wrapping that
// cause until Rollback or Close. A flush called from a hook or event of a
// running flush is refused.
func (s *Session) Flush(ctx context.Context) error {
	nested, err := s.enterCtx(ctx, "flush")
	if err != nil {
		return err
	}
	defer s.leave(nested)
	return s.flush(ctx)
}

func (s *Session) flush(ctx context.Context) error {
	if err := s.usable(); err != nil {
		return err
	}
	if s.flushing {
		return errors.New("flush: the session is already flushing (a flush was called from a flush's hook or event)")
	}
	s.flushing = true
	defer func() { s.flushing = false }()
	ctx = s.counted(ctx)
	plan, err := s.plan(ctx)
	if err != nil {
		if plan != nil && len(s.txs) > 0 {
			// Planning may have queried (cascade loads); nothing was
			// written, so the transaction is still good.
			plan.restore()
		}
		return fmt.Errorf("flush: %w", err)
	}
	if plan.empty() {
		return nil
	}
	if ev := s.cfg.events.BeforeFlush; ev != nil {
		prev := s.calloutBegin()
		err := ev(ctx, s)
		s.calloutEnd(prev)
		if err != nil {
			return fmt.Errorf("flush: before flush: %w", err)
		}
	}
	if s.direct != nil && !s.oneStatement(plan) {
		s.direct = nil
	}
	var done []func()
	if err := s.execute(ctx, plan, &done); err != nil {
		if q := s.direct; q != nil && q.e != nil {
			err = directError(ctx, q.e.Dialect(), q, err)
		}
		return s.failFlush(ctx, plan, err)
	}
	for _, f := range done {
		f()
	}
	s.settle(plan)
	if ev := s.cfg.events.AfterFlush; ev != nil {
		prev := s.calloutBegin()
		err := ev(ctx, s)
		s.calloutEnd(prev)
		if err != nil {
			return fmt.Errorf("flush: after flush: %w", err)
		}
	}
	return nil
}

// failFlush rolls the transaction back (MySQL rolls back only the failed
// statement on its own: the ROLLBACK is what undoes the rest), restores the
// objects and puts the session in the needs-rollback state.
func (s *Session) failFlush(ctx context.Context, plan *flushPlan, cause error) error {
	if len(s.nested) > 0 {
		// Inside a savepoint: undo only back to it; Nested's caller
		// decides what happens to the outer transaction.
		plan.restore()
		s.failed = cause
		return fmt.Errorf("flush: %w", cause)
	}
	rerr := s.rollbackTx(ctx)
	plan.restore()
	s.failed = cause
	if rerr != nil {
		return fmt.Errorf("flush: %w (and the rollback failed: %v)", cause, rerr)
	}
	return fmt.Errorf("flush: %w", cause)
}

func (p *flushPlan) touch(st *state) {
	if _, ok := p.journal[st]; !ok {
		if p.journal == nil {
			p.journal = map[*state]unsafe.Pointer{}
		}
		p.journal[st] = st.m.snapshot(st.obj)
	}
}

// markEarly marks st to be deleted before any insert.
func (p *flushPlan) markEarly(st *state) {
	if p.early == nil {
		p.early = map[*state]bool{}
	}
	p.early[st] = true
}

// addState appends st to its mapper's list in *to, making the map on first
// use (most flushes need one or two of a plan's maps).
func addState(to *map[*mapper][]*state, st *state) {
	if *to == nil {
		*to = map[*mapper][]*state{}
	}
	(*to)[st.m] = append((*to)[st.m], st)
}

func (p *flushPlan) restore() {
	for st, saved := range p.journal {
		st.m.restore(st.obj, saved)
	}
	// Keys the failed flush had the database generate are cleared (their
	// rows are gone with the rollback).
	for _, st := range p.genKeys {
		_ = st.m.cols[st.m.autoPK].setInt64(st.obj, 0)
		st.generatedKey = false
	}
}

// restore copies the column values of saved back into obj.
func (m *mapper) restore(obj, saved unsafe.Pointer) {
	if m.typ == nil {
		copy((*Object)(obj).vals, (*Object)(saved).vals)
		return
	}
	for i := range m.cols {
		m.cols[i].copyFrom(obj, saved)
	}
}

// plan works out what the flush must do: save-update cascades, delete
// cascades (loading children where needed), orphans, foreign-key edges and
// association changes.
func (s *Session) plan(ctx context.Context) (*flushPlan, error) {
	// The plan's maps are made on first use.
	p := &flushPlan{}
	if err := s.cascadeSaves(); err != nil {
		return p, err
	}
	if err := s.cascadeDeletes(ctx, p); err != nil {
		return p, err
	}
	states := s.sortedStates()
	for _, st := range states {
		switch st.status {
		case statusPending:
			addState(&p.inserts, st)
		case statusPersistent:
			// Expired objects too: their snapshot still holds the values
			// last read, so changes made since are found.
			addState(&p.persistent, st)
		case statusDeleted:
			if !st.deleteFlushed {
				addState(&p.deletes, st)
			}
		}
	}
	for _, st := range states {
		if st.status == statusDeleted {
			continue
		}
		if err := s.collectLinks(p, st); err != nil {
			return p, err
		}
	}
	// Only keep persistent objects that may have changed (a quick
	// dirty check here keeps empty flushes free).
	linked := map[*state]bool{}
	for _, e := range p.edges {
		linked[e.child] = true
	}
	for _, e := range p.nulls {
		linked[e.child] = true
	}
	for m, sts := range p.persistent {
		keep := sts[:0]
		for _, st := range sts {
			if linked[st] || s.mayBeDirty(p, st) {
				keep = append(keep, st)
			}
		}
		if len(keep) == 0 {
			delete(p.persistent, m)
		} else {
			p.persistent[m] = keep
		}
	}
	return p, nil
}

// clean reports, without allocating, that a flush would write nothing: no
// object left the session (since the last ExpungeAll) or is pending, every deleted one is flushed, every
// persistent one equals its snapshot, each loaded relationship holds what
// it held when loaded or last flushed (the same objects in the same
// order), and no relationship that was not loaded has been set. It may
// answer false for a session with nothing to write (the full plan then
// decides); it never answers true for one with something to write.
func (s *Session) clean() bool {
	if s.forgot {
		return false // a loaded relationship may hold an object that left
	}
	for _, st := range s.all {
		switch st.status {
		case statusPersistent:
		case statusDeleted:
			if !st.deleteFlushed {
				return false
			}
			continue
		default:
			return false
		}
		for i, rf := range st.m.rels {
			if !st.isLoaded(i) {
				if rf.many && len(rf.getMany(st.obj)) > 0 || !rf.many && rf.getOne(st.obj) != nil {
					return false
				}
				continue
			}
			link := st.link(i)
			if rf.many {
				cur := rf.getMany(st.obj)
				if len(cur) != len(link) {
					return false
				}
				for j := range cur {
					if cur[j] != link[j] {
						return false
					}
				}
				continue
			}
			t := rf.getOne(st.obj)
			if t == nil {
				if len(link) > 0 && link[0] != nil {
					return false
				}
				continue
			}
			if len(link) == 0 || link[0] != t {
				return false
			}
		}
		if st.m.dirty(st) {
			return false
		}
	}
	return true
}

func (s *Session) mayBeDirty(p *flushPlan, st *state) bool {
	if _, touched := p.journal[st]; touched {
		return true
	}
	return st.m.dirty(st)
}

// cascadeSaves adds to the session, as pending, every new object reachable
// from a session object through relationships with the save-update cascade,
// and keeps both sides of back_populates relationships in step in memory.
func (s *Session) cascadeSaves() error {
	work := s.sortedStates()
	for len(work) > 0 {
		st := work[0]
		work = work[1:]
		if st.status == statusDeleted {
			continue
		}
		for i, rf := range st.m.rels {
			if !st.isLoaded(i) && !(rf.many && len(rf.getMany(st.obj)) > 0) && !(!rf.many && rf.getOne(st.obj) != nil) {
				continue
			}
			st.setLoaded(i)
			for _, t := range rf.values(st.obj) {
				if t == nil {
					continue
				}
				tst := s.stateOf(t)
				if tst == nil {
					if !rf.rel.Cascade.Has(spec.CascadeSaveUpdate) {
						return fmt.Errorf("%s.%s refers to a %s that is not in the session (add it, or give the relationship the save-update cascade)",
							st.m.model.Name, rf.rel.Name, rf.target.model.Name)
					}
					tst = s.attach(rf.target, t)
					work = append(work, tst)
				}
				if !slices.Contains(st.link(i), t) {
					// A link made since the last load or flush: mirror it
					// on the inverse side.
					s.syncBack(st, rf, tst)
				}
			}
		}
	}
	return nil
}

// values returns the objects a relationship field holds.
func (rf *relField) values(obj unsafe.Pointer) []unsafe.Pointer {
	if rf.many {
		return rf.getMany(obj)
	}
	if v := rf.getOne(obj); v != nil {
		return []unsafe.Pointer{v}
	}
	return nil
}

// syncBack sets the inverse side of a back_populates pair: appending a post
// to user.posts sets post.author, and setting post.author appends the post
// to user.posts when that collection is loaded.
func (s *Session) syncBack(st *state, rf *relField, tst *state) {
	back := rf.rel.Back
	if back == nil {
		return
	}
	brf := tst.m.relIdx[back.Name]
	if brf == nil {
		return
	}
	bi := slices.Index(tst.m.rels, brf)
	if brf.many {
		if !tst.isLoaded(bi) && tst.status != statusPending {
			return
		}
		cur := brf.getMany(tst.obj)
		if !slices.Contains(cur, st.obj) {
			brf.setMany(tst.obj, append(cur, st.obj))
		}
		tst.setLoaded(bi)
		return
	}
	if brf.getOne(tst.obj) != st.obj {
		brf.setOne(tst.obj, st.obj)
	}
	tst.setLoaded(bi)
}

// cascadeDeletes follows delete and delete-orphan cascades from deleted
// objects, loading unloaded children from the database (unless
// passive_deletes leaves them to ON DELETE), and nulls the foreign keys of
// children that are not deleted with their parent.
func (s *Session) cascadeDeletes(ctx context.Context, p *flushPlan) error {
	// Orphans: children removed from a delete-orphan collection.
	for _, st := range s.sortedStates() {
		if st.status != statusPersistent {
			continue
		}
		for i, rf := range st.m.rels {
			if !st.isLoaded(i) || rf.rel.FKOnOwner || rf.rel.Kind == spec.ManyToMany {
				continue
			}
			cur := rf.values(st.obj)
			for _, old := range st.link(i) {
				if slices.Contains(cur, old) {
					continue
				}
				ost := s.stateOf(old)
				if ost == nil || ost.status != statusPersistent || s.hasOtherParent(ost, rf, st) {
					continue
				}
				if rf.rel.Cascade.Has(spec.CascadeDeleteOrphan) {
					ost.status = statusDeleted
					// Orphans go before inserts, so a replacement (a new
					// one-to-one child, say) does not meet the old row's
					// unique key.
					p.markEarly(ost)
				} else {
					p.nulls = append(p.nulls, edge{parent: st, child: ost, pairs: childPairs(st.m, rf)})
				}
			}
		}
	}
	work := []*state{}
	for _, st := range s.sortedStates() {
		if st.status == statusDeleted && !st.deleteFlushed {
			work = append(work, st)
		}
	}
	seen := map[*state]bool{}
	for len(work) > 0 {
		st := work[0]
		work = work[1:]
		if seen[st] {
			continue
		}
		seen[st] = true
		// A soft delete keeps the row: it cascades only to soft-delete
		// children, and leaves links and foreign keys alone.
		soft := st.m.softDel >= 0 && !s.hard[st]
		for i, rf := range st.m.rels {
			r := rf.rel
			if soft && (rf.target.softDel < 0 || !r.Cascade.Has(spec.CascadeDelete) || r.Kind == spec.ManyToMany) {
				continue
			}
			switch {
			case r.Kind == spec.ManyToMany:
				if !r.PassiveDeletes {
					p.assocClear = append(p.assocClear, assocLink{owner: st, rel: rf})
				}
			case r.FKOnOwner:
				if r.Cascade.Has(spec.CascadeDelete) && st.isLoaded(i) {
					if t := rf.getOne(st.obj); t != nil {
						if tst := s.stateOf(t); tst != nil && tst.status == statusPersistent {
							tst.status = statusDeleted
							s.inheritHard(st, tst)
							work = append(work, tst)
						}
					}
				}
			default: // the children hold the key
				if !soft && r.PassiveDeletes && (r.Cascade.Has(spec.CascadeDelete) || hasDBAction(r)) && !st.isLoaded(i) {
					continue
				}
				children, err := s.children(ctx, st, i)
				if err != nil {
					return fmt.Errorf("load %s.%s to cascade the delete: %w", st.m.model.Name, r.Name, err)
				}
				for _, c := range children {
					if c.status == statusDeleted {
						continue
					}
					if r.Cascade.Has(spec.CascadeDelete) {
						c.status = statusDeleted
						s.inheritHard(st, c)
						if p.early[st] {
							p.markEarly(c)
						}
						work = append(work, c)
					} else if !r.PassiveDeletes {
						p.nulls = append(p.nulls, edge{parent: st, child: c, pairs: childPairs(st.m, rf)})
					}
				}
			}
		}
	}
	return nil
}

// hasDBAction reports whether the foreign key behind r has an ON DELETE
// action the database carries out.
func hasDBAction(r *spec.Relationship) bool {
	for _, pr := range r.Pairs {
		if fk := pr.Remote.ForeignKey; fk != nil && (fk.OnDelete == spec.ActionCascade || fk.OnDelete == spec.ActionSetNull) {
			return true
		}
	}
	return false
}

func (s *Session) hasOtherParent(child *state, rf *relField, except *state) bool {
	for _, st := range s.live() {
		if st == except || st.m != except.m || st.status == statusDeleted {
			continue
		}
		i := slices.Index(st.m.rels, rf)
		if i >= 0 && st.isLoaded(i) && slices.Contains(rf.getMany(st.obj), child.obj) {
			return true
		}
	}
	if back := rf.rel.Back; back != nil {
		if brf := child.m.relIdx[back.Name]; brf != nil {
			if t := brf.getOne(child.obj); t != nil && t != except.obj {
				return true
			}
		}
	}
	return false
}

// childPairs maps a one-to-many relationship's parent key columns to the
// child's foreign-key columns.
func childPairs(parent *mapper, rf *relField) []keyPair {
	out := make([]keyPair, len(rf.rel.Pairs))
	for i, pr := range rf.rel.Pairs {
		out[i] = keyPair{key: parent.ord(pr.Local), fk: rf.target.ord(pr.Remote)}
	}
	return out
}

// ownerPairs maps a many-to-one relationship's target key columns to the
// owner's foreign-key columns.
func ownerPairs(owner *mapper, rf *relField) []keyPair {
	out := make([]keyPair, len(rf.rel.Pairs))
	for i, pr := range rf.rel.Pairs {
		out[i] = keyPair{key: rf.target.ord(pr.Remote), fk: owner.ord(pr.Local)}
	}
	return out
}

// children returns the objects of st's relationship i, loading it if needed.
func (s *Session) children(ctx context.Context, st *state, i int) ([]*state, error) {
	if !st.isLoaded(i) {
		var tree *loadTree
		if st.status == statusDeleted && s.realDelete(st) && st.m.rels[i].target.softDel >= 0 {
			tree = &loadTree{withDeleted: true} // a real delete takes the soft-deleted children too
		}
		if err := s.loadRel(ctx, []*state{st}, st.m.rels[i], tree); err != nil {
			return nil, err
		}
	}
	var out []*state
	for _, c := range st.m.rels[i].values(st.obj) {
		if cst := s.stateOf(c); cst != nil {
			out = append(out, cst)
		}
	}
	return out, nil
}

// collectLinks records the foreign-key edges and association changes of
// one live object's loaded relationships.
func (s *Session) collectLinks(p *flushPlan, st *state) error {
	for i, rf := range st.m.rels {
		if !st.isLoaded(i) {
			continue
		}
		r := rf.rel
		switch {
		case r.Kind == spec.ManyToMany:
			cur := rf.getMany(st.obj)
			for _, t := range cur {
				if !slices.Contains(st.link(i), t) {
					if tst := s.stateOf(t); tst != nil && tst.status != statusDeleted {
						p.addAssoc(&p.assocAdd, canonical(assocLink{owner: st, target: tst, rel: rf}))
					}
				}
			}
			for _, t := range st.link(i) {
				if !slices.Contains(cur, t) {
					if tst := s.stateOf(t); tst != nil && tst.status != statusDeleted {
						p.addAssoc(&p.assocDel, canonical(assocLink{owner: st, target: tst, rel: rf}))
						s.unlinkBack(st, rf, tst)
					}
				}
			}
		case r.FKOnOwner:
			t := rf.getOne(st.obj)
			if t == nil {
				if len(st.link(i)) > 0 && st.link(i)[0] != nil {
					// The reference was cleared: NULL the key.
					p.nulls = append(p.nulls, edge{child: st, pairs: ownerPairs(st.m, rf)})
				}
				continue
			}
			tst := s.stateOf(t)
			if tst == nil || tst.status == statusDeleted {
				continue
			}
			p.edges = append(p.edges, edge{parent: tst, child: st, pairs: ownerPairs(st.m, rf)})
		default:
			for _, c := range rf.values(st.obj) {
				cst := s.stateOf(c)
				if cst == nil || cst.status == statusDeleted {
					continue
				}
				p.edges = append(p.edges, edge{parent: st, child: cst, pairs: childPairs(st.m, rf)})
			}
		}
	}
	return nil
}

// canonical states a many-to-many link from the side of the pair whose
// name sorts first, so both sides of a back_populates pair describe one
// association row the same way.
func canonical(l assocLink) assocLink {
	r := l.rel.rel
	if r.Back == nil || r.Model.Name+"."+r.Name <= r.Back.Model.Name+"."+r.Back.Name {
		return l
	}
	if brf := l.target.m.relIdx[r.Back.Name]; brf != nil {
		return assocLink{owner: l.target, target: l.owner, rel: brf}
	}
	return l
}

// addAssoc appends l to list unless an equal link is there already.
func (p *flushPlan) addAssoc(list *[]assocLink, l assocLink) {
	if p.assocSeen == nil {
		p.assocSeen = map[assocKey]bool{}
	}
	k := assocKey{list: list, owner: l.owner, target: l.target, table: l.rel.rel.Secondary}
	if p.assocSeen[k] {
		return
	}
	p.assocSeen[k] = true
	*list = append(*list, l)
}

type assocKey struct {
	list          *[]assocLink
	owner, target *state
	table         *spec.Table
}

// unlinkBack removes st from the inverse collection of tst when it is
// loaded, so both sides agree after a removal.
func (s *Session) unlinkBack(st *state, rf *relField, tst *state) {
	back := rf.rel.Back
	if back == nil {
		return
	}
	brf := tst.m.relIdx[back.Name]
	if brf == nil {
		return
	}
	if brf.many {
		cur := brf.getMany(tst.obj)
		if i := slices.Index(cur, st.obj); i >= 0 {
			brf.setMany(tst.obj, slices.Delete(slices.Clone(cur), i, i+1))
		}
		return
	}
	if brf.getOne(tst.obj) == st.obj {
		brf.setOne(tst.obj, nil)
	}
}

// execute runs the plan's statements.
func (s *Session) execute(ctx context.Context, p *flushPlan, done *[]func()) error {
	if ok, err := s.executeBatched(ctx, p); ok {
		return err
	}
	if len(p.early) > 0 {
		var early, late []assocLink
		for _, l := range p.assocClear {
			if p.early[l.owner] {
				early = append(early, l)
			} else {
				late = append(late, l)
			}
		}
		if err := s.clearAssoc(ctx, early); err != nil {
			return err
		}
		p.assocClear = late
		for i := len(s.db.order) - 1; i >= 0; i-- {
			m := s.db.order[i]
			var early []*state
			for _, st := range p.deletes[m] {
				if p.early[st] {
					early = append(early, st)
				}
			}
			if err := s.deleteAll(ctx, m, early, done); err != nil {
				return err
			}
		}
	}
	for _, m := range s.db.order {
		// Foreign keys first: NULLs for removed children, then keys from
		// parents (which, coming earlier in the order, have theirs).
		for _, e := range p.nulls {
			if e.child.m == m && e.child.status != statusDeleted {
				p.touch(e.child)
				for _, kp := range e.pairs {
					c := m.cols[kp.fk].col
					if !c.Nullable {
						return fmt.Errorf("%s was removed from its parent's relationship, but its foreign key %s.%s is NOT NULL: delete it, or give the relationship the delete-orphan cascade",
							m.model.Name, m.table.Name, c.Name)
					}
					if err := m.cols[kp.fk].set(e.child.obj, nil); err != nil {
						return err
					}
				}
			}
		}
		if err := s.insertAll(ctx, p, m, p.inserts[m], done); err != nil {
			return err
		}
		if err := s.applyEdges(p, m, nil); err != nil {
			return err
		}
		for _, st := range p.persistent[m] {
			if err := s.update(ctx, p, st, done); err != nil {
				return err
			}
		}
	}
	if err := s.writeAssoc(ctx, p); err != nil {
		return err
	}
	for i := len(s.db.order) - 1; i >= 0; i-- {
		m := s.db.order[i]
		late := p.deletes[m]
		if len(p.early) > 0 {
			late = slices.DeleteFunc(slices.Clone(late), func(st *state) bool { return p.early[st] })
		}
		if err := s.deleteAll(ctx, m, late, done); err != nil {
			return err
		}
	}
	return nil
}

// applyEdges copies parents' keys into children of mapper m (only the
// children in only, when given).
func (s *Session) applyEdges(p *flushPlan, m *mapper, only map[*state]bool) error {
	for _, e := range p.edges {
		if e.child.m != m || (only != nil && !only[e.child]) {
			continue
		}
		for _, kp := range e.pairs {
			v := e.parent.m.cols[kp.key].get(e.parent.obj)
			if v == nil {
				continue
			}
			cf := &m.cols[kp.fk]
			if cur, ok := cf.key(e.child.obj); ok {
				if want, ok := e.parent.m.cols[kp.key].key(e.parent.obj); ok && cur == want {
					continue
				}
			}
			p.touch(e.child)
			if err := cf.set(e.child.obj, v); err != nil {
				return fmt.Errorf("set %s.%s from %s: %w", m.model.Name, cf.col.Name, e.parent.m.model.Name, err)
			}
		}
	}
	return nil
}

// writer returns where writes of model m go: the session's transaction
// on m's engine (begun if needed), or in a one-statement flush the engine
// itself (direct.go).
func (s *Session) writer(ctx context.Context, m *mapper) (engine.Querier, error) {
	if s.direct != nil {
		s.direct.e = s.db.router.writer(m.model)
		s.wrote = true
		return s.direct, nil
	}
	tx, err := s.txFor(ctx, s.db.router.writer(m.model))
	if err == nil {
		s.wrote = true
	}
	return tx, err
}

// insertAll inserts the pending objects of one mapper, parents before
// children where the table references itself, in multi-row batches.
func (s *Session) insertAll(ctx context.Context, p *flushPlan, m *mapper, sts []*state, done *[]func()) error {
	if len(sts) == 0 {
		return nil
	}
	if m.joined != nil {
		return s.insertJoined(ctx, p, m, sts, done)
	}
	tx, err := s.writer(ctx, m)
	if err != nil {
		return err
	}
	for _, level := range selfLevels(p, m, sts) {
		if err := s.beforeInsertLevel(ctx, p, m, level); err != nil {
			return err
		}
		if err := s.insertLevel(ctx, tx, p, m, level); err != nil {
			return err
		}
		if m.hooks&hookAfterInsert != 0 {
			for _, st := range level {
				*done = append(*done, func() { _ = s.runHook(ctx, st, hookAfterInsert) })
			}
		}
	}
	return nil
}

// selfLevels splits one mapper's pending objects into levels so that an
// object whose parent (through a self-referential relationship) is also
// pending comes in a later level than its parent.
func selfLevels(p *flushPlan, m *mapper, sts []*state) [][]*state {
	parent := map[*state]*state{}
	for _, e := range p.edges {
		if e.child.m == m && e.parent.m == m && e.parent.status == statusPending && e.child != e.parent {
			parent[e.child] = e.parent
		}
	}
	if len(parent) == 0 {
		return [][]*state{sts}
	}
	depth := map[*state]int{}
	var depthOf func(st *state, n int) int
	depthOf = func(st *state, n int) int {
		if d, ok := depth[st]; ok {
			return d
		}
		par, ok := parent[st]
		if !ok || n > len(sts) {
			depth[st] = 0
			return 0
		}
		d := depthOf(par, n+1) + 1
		depth[st] = d
		return d
	}
	var levels [][]*state
	for _, st := range sts {
		d := depthOf(st, 0)
		for len(levels) <= d {
			levels = append(levels, nil)
		}
		levels[d] = append(levels[d], st)
	}
	return levels
}

func (s *Session) insertLevel(ctx context.Context, tx engine.Querier, p *flushPlan, m *mapper, sts []*state) error {
	feats := s.db.router.writer(m.model).Dialect().Features()
	// Decide per row which columns it sets and which the database fills,
	// then group rows with the same choice, keeping order. The choice is a
	// small byte string ('v' value, 'f' fetched) reused between rows.
	type group struct {
		key  string
		cols []*spec.Column
		// fetch are columns whose values come from the database.
		fetch []*spec.Column
		rows  []*state
	}
	var groups []*group
	// byKey indexes groups once there are many; a few are searched in
	// turn (most flushes have one).
	var byKey map[string]*group
	find := func(sig []byte) *group {
		if byKey != nil {
			return byKey[string(sig)] // no allocation for the lookup
		}
		for _, g := range groups {
			if g.key == string(sig) {
				return g
			}
		}
		return nil
	}
	sig := make([]byte, len(m.cols))
	for _, st := range sts {
		if m.poly != nil {
			if err := m.poly.stamp(st.obj); err != nil {
				return err
			}
		}
		insertSig(m, st.obj, sig)
		for i := range m.cols {
			cf := &m.cols[i]
			c := cf.col
			if sig[i] != 'v' || c.Computed != nil || !cf.zero(st.obj) {
				continue
			}
			// An unset column the client fills in: the version, or a
			// client-side default.
			if i == m.version {
				p.touch(st)
				if err := cf.set(st.obj, int64(1)); err != nil {
					return err
				}
				continue
			}
			if d := clientDefault(c); d != nil {
				v, err := d()
				if err != nil {
					return fmt.Errorf("default of %s.%s: %w", m.model.Name, c.Name, err)
				}
				p.touch(st)
				if err := cf.set(st.obj, v); err != nil {
					return fmt.Errorf("default of %s.%s: %w", m.model.Name, c.Name, err)
				}
			}
		}
		g := find(sig)
		if g == nil {
			g = &group{key: string(sig), cols: make([]*spec.Column, 0, len(m.cols))}
			if len(groups) == 0 {
				g.rows = make([]*state, 0, len(sts))
			}
			if m.autoPK >= 0 && sig[m.autoPK] == 'f' {
				// The generated key comes first among the fetched
				// columns, whatever its position in the table.
				g.fetch = append(g.fetch, m.cols[m.autoPK].col)
			}
			for i := range m.cols {
				if i == m.autoPK && sig[i] == 'f' {
					continue
				}
				if sig[i] == 'f' {
					g.fetch = append(g.fetch, m.cols[i].col)
				} else {
					g.cols = append(g.cols, m.cols[i].col)
				}
			}
			groups = append(groups, g)
			if byKey == nil && len(groups) > 8 {
				byKey = make(map[string]*group, 2*len(groups))
				for _, g := range groups {
					byKey[g.key] = g
				}
			} else if byKey != nil {
				byKey[g.key] = g
			}
		}
		g.rows = append(g.rows, st)
	}
	maxParams := s.db.router.writer(m.model).Dialect().MaxParams()
	for _, g := range groups {
		generated := len(g.fetch) > 0 && m.autoPK >= 0 && g.fetch[0].Ordinal == m.autoPK
		per := insertBatchSize(len(g.cols), generated, feats, maxParams)
		for start := 0; start < len(g.rows); start += per {
			batch := g.rows[start:min(start+per, len(g.rows))]
			data := make([][]any, len(batch))
			flat := make([]any, len(batch)*len(g.cols))
			var a argArena
			for _, c := range g.cols {
				a.reserve(&m.cols[c.Ordinal], len(batch))
			}
			for r, st := range batch {
				vals := flat[r*len(g.cols) : (r+1)*len(g.cols) : (r+1)*len(g.cols)]
				for j, c := range g.cols {
					vals[j] = m.cols[c.Ordinal].arg(st.obj, &a)
				}
				data[r] = vals
			}
			if err := s.insertBatch(ctx, tx, p, m, g.cols, g.fetch, batch, data, feats); err != nil {
				return err
			}
		}
	}
	return nil
}

// beforeInsertLevel readies one level of m's objects for their INSERT:
// the foreign keys their parents give them (p.edges), then their
// BeforeInsert hooks.
func (s *Session) beforeInsertLevel(ctx context.Context, p *flushPlan, m *mapper, level []*state) error {
	if len(p.edges) > 0 {
		only := make(map[*state]bool, len(level))
		for _, st := range level {
			only[st] = true
		}
		if err := s.applyEdges(p, m, only); err != nil {
			return err
		}
	}
	if m.hooks&hookBeforeInsert != 0 {
		for _, st := range level {
			if err := s.runHook(ctx, st, hookBeforeInsert); err != nil {
				return fmt.Errorf("before insert %s: %w", m.model.Name, err)
			}
		}
	}
	return nil
}

// insertSig sets sig[i] to what an INSERT of obj does with column i: 'v'
// binds a value (the object's, or one the client fills in: a version of 1,
// a client-side default), 'f' leaves it to the database (a generated key,
// a server default, a computed column) and fetches it back.
func insertSig(m *mapper, obj unsafe.Pointer, sig []byte) {
	for i := range m.cols {
		cf := &m.cols[i]
		c := cf.col
		switch {
		case c.Computed != nil:
			sig[i] = 'f' // the database computes it; never written
		case !cf.zero(obj), i == m.version:
			sig[i] = 'v'
		case i == m.autoPK:
			sig[i] = 'f'
		case hasClientDefault(c):
			sig[i] = 'v'
		case c.ServerDefault != nil:
			sig[i] = 'f'
		default:
			sig[i] = 'v'
		}
	}
}

// hasClientDefault reports whether clientDefault(c) is not nil, without
// making the generator.
func hasClientDefault(c *spec.Column) bool {
	d := c.InsertDefault
	if d == nil {
		d = c.Default
	}
	if d == nil {
		return false
	}
	switch d.Kind {
	case spec.DefaultNow, spec.DefaultUUID, spec.DefaultLiteral:
		return true
	}
	return false
}

// clientDefault returns the generator of a column's client-side default,
// or nil.
func clientDefault(c *spec.Column) func() (any, error) {
	d := c.InsertDefault
	if d == nil {
		d = c.Default
	}
	if d == nil {
		return nil
	}
	return defaultValue(d, c)
}

func defaultValue(d *spec.Default, c *spec.Column) func() (any, error) {
	switch d.Kind {
	case spec.DefaultNow:
		return func() (any, error) {
			now := time.Now().UTC()
			if c.Type.Kind != spec.TypeDate {
				now = now.Truncate(time.Microsecond) // what every database keeps
			}
			return now, nil
		}
	case spec.DefaultUUID:
		return func() (any, error) {
			var u [16]byte
			if _, err := rand.Read(u[:]); err != nil {
				return nil, err
			}
			u[6] = u[6]&0x0f | 0x40
			u[8] = u[8]&0x3f | 0x80
			return conv.FormatUUID(u), nil
		}
	case spec.DefaultLiteral:
		v := d.Value
		return func() (any, error) { return v, nil }
	}
	return nil
}

// insertBatch inserts rows (the objects) with their values for cols
// (data, one slice per row) in one statement, and sets what the database
// filled in (fetch) on the objects.
func (s *Session) insertBatch(ctx context.Context, tx engine.Querier, p *flushPlan, m *mapper, cols, fetch []*spec.Column, rows []*state, data [][]any, feats dialects.Feature) error {
	ins := stmt.Insert(m.tref).ColumnsOf(cols...).Rows(data...)
	generated := len(fetch) > 0 && fetch[0].Ordinal == m.autoPK && m.autoPK >= 0
	if len(fetch) == 0 {
		res, err := tx.Exec(ctx, ins)
		if err != nil {
			return fmt.Errorf("insert %s: %w", m.model.Name, err)
		}
		if res.RowsAffected != int64(len(rows)) && res.RowsAffected >= 0 {
			return fmt.Errorf("insert %s: %d rows inserted, want %d", m.model.Name, res.RowsAffected, len(rows))
		}
		s.markInserted(rows)
		return nil
	}
	if feats.InsertReturns() {
		ret := make([]stmt.Selectable, 0, len(fetch)+len(m.pk))
		for _, c := range fetch {
			ret = append(ret, m.tref.Col(c))
		}
		if !generated {
			for _, o := range m.pk {
				ret = append(ret, m.tref.Col(m.cols[o].col))
			}
		}
		r, err := tx.Query(ctx, ins.Returning(ret...))
		if err != nil {
			return fmt.Errorf("insert %s: %w", m.model.Name, err)
		}
		if generated && len(fetch) == 1 {
			// The common case: only generated keys come back. Scan them
			// as integers, sort (keys are handed out in VALUES order;
			// RETURNING's row order is not promised) and assign in order.
			ids := make([]int64, 0, len(rows))
			var id int64
			for r.Next() {
				if err := r.Scan(&id); err != nil {
					r.Close()
					return fmt.Errorf("insert %s: read generated keys: %w", m.model.Name, err)
				}
				ids = append(ids, id)
			}
			if err := r.Close(); err != nil {
				return fmt.Errorf("insert %s: %w", m.model.Name, err)
			}
			if len(ids) != len(rows) {
				return fmt.Errorf("insert %s: %d rows returned, want %d", m.model.Name, len(ids), len(rows))
			}
			slices.Sort(ids)
			kf := &m.cols[m.autoPK]
			for i, row := range rows {
				if err := kf.setInt64(row.obj, ids[i]); err != nil {
					return err
				}
				row.generatedKey = true
				p.genKeys = append(p.genKeys, row)
			}
			s.markInserted(rows)
			return nil
		}
		type retRow struct {
			vals []any
		}
		var got []retRow
		dest := make([]any, len(ret))
		for r.Next() {
			vals := make([]any, len(ret))
			for i := range vals {
				dest[i] = &vals[i]
			}
			if err := r.Scan(dest...); err != nil {
				r.Close()
				return fmt.Errorf("insert %s: read generated values: %w", m.model.Name, err)
			}
			got = append(got, retRow{vals: vals})
		}
		if err := r.Close(); err != nil {
			return fmt.Errorf("insert %s: %w", m.model.Name, err)
		}
		if len(got) != len(rows) {
			return fmt.Errorf("insert %s: %d rows returned, want %d", m.model.Name, len(got), len(rows))
		}
		if generated {
			// Keys are handed out in VALUES order; RETURNING's row order
			// is not promised, so match by sorting the keys.
			slices.SortFunc(got, func(a, b retRow) int { return cmp.Compare(toInt64(a.vals[0]), toInt64(b.vals[0])) })
			for i, row := range rows {
				if err := s.assignFetched(p, row, fetch, got[i].vals); err != nil {
					return err
				}
			}
		} else {
			byKey := make(map[keyVal]int, len(rows))
			for i, row := range rows {
				k, _ := m.colsKey(row.obj, m.pk)
				byKey[k] = i
			}
			for _, g := range got {
				k, _ := keyOfValues(g.vals[len(fetch):])
				i, ok := byKey[k]
				if !ok {
					return fmt.Errorf("insert %s: returned a key that matches no inserted row", m.model.Name)
				}
				if err := s.assignFetched(p, rows[i], fetch, g.vals); err != nil {
					return err
				}
			}
		}
		s.markInserted(rows)
		return nil
	}
	res, err := tx.Exec(ctx, ins)
	if err != nil {
		return fmt.Errorf("insert %s: %w", m.model.Name, err)
	}
	if generated {
		if !feats.Has(dialects.LastInsertID) || res.LastInsertID == 0 {
			return fmt.Errorf("insert %s: the database reported no generated key", m.model.Name)
		}
		// A multi-row INSERT gets consecutive keys from the first one
		// where the dialect has ConsecutiveInsertKeys (InnoDB with
		// auto_increment_increment 1 and innodb_autoinc_lock_mode 0 or
		// 1); insertLevel sends one row per statement otherwise.
		if len(rows) > 1 && !feats.Has(dialects.ConsecutiveInsertKeys) {
			return fmt.Errorf("insert %s: %d rows in one INSERT without consecutive generated keys", m.model.Name, len(rows))
		}
		for i, row := range rows {
			if err := m.cols[m.autoPK].setInt64(row.obj, res.LastInsertID+int64(i)); err != nil {
				return err
			}
			row.generatedKey = true
			p.genKeys = append(p.genKeys, row)
		}
	}
	// Server defaults the database filled in are read back on next access.
	if len(fetch) > 1 || !generated {
		for _, row := range rows {
			row.expired = true
		}
	}
	s.markInserted(rows)
	return nil
}

func (s *Session) markInserted(rows []*state) {
	for _, r := range rows {
		r.insertedInTx = true
	}
}

func (s *Session) assignFetched(p *flushPlan, st *state, fetch []*spec.Column, vals []any) error {
	p.touch(st)
	for i, c := range fetch {
		if err := st.m.cols[c.Ordinal].set(st.obj, vals[i]); err != nil {
			return fmt.Errorf("set %s.%s from the database: %w", st.m.model.Name, c.Name, err)
		}
		if c.Ordinal == st.m.autoPK {
			st.generatedKey = true
		}
	}
	return nil
}

func pkVals(m *mapper, obj unsafe.Pointer) []any {
	out := make([]any, len(m.pk))
	for i, o := range m.pk {
		out[i] = m.cols[o].get(obj)
	}
	return out
}

func toInt64(v any) int64 {
	var n int64
	_ = conv.Assign(&n, v)
	return n
}

// update writes the changed columns of one persistent object.
func (s *Session) update(ctx context.Context, p *flushPlan, st *state, done *[]func()) error {
	m := st.m
	if !st.m.dirty(st) {
		return nil
	}
	if m.joined != nil {
		return s.updateJoined(ctx, p, st, done)
	}
	if err := s.runHook(ctx, st, hookBeforeUpdate); err != nil {
		return fmt.Errorf("before update %s: %w", m.model.Name, err)
	}
	upd, computed, err := s.updateStmt(p, st)
	if upd == nil || err != nil {
		return err
	}
	tx, err := s.writer(ctx, m)
	if err != nil {
		return err
	}
	res, err := tx.Exec(ctx, upd)
	if err != nil {
		return fmt.Errorf("update %s: %w", m.model.Name, err)
	}
	if err := updated(st, res, computed); err != nil {
		return err
	}
	if m.hooks&hookAfterUpdate != 0 {
		*done = append(*done, func() { _ = s.runHook(ctx, st, hookAfterUpdate) })
	}
	return nil
}

// updated checks the result of st's UPDATE.
func updated(st *state, res engine.Result, computed bool) error {
	if res.RowsAffected == 0 {
		return fmt.Errorf("update %s %v: %w", st.m.model.Name, pkVals(st.m, st.snap), ErrStaleObject)
	}
	if computed {
		st.expired = true // computed columns are read back on next access
	}
	return nil
}

// updateStmt returns the UPDATE of a dirty persistent object's changed
// columns (nil when none changed), filling in on-update defaults and the
// next version first; computed reports that the table has computed
// columns to read back.
func (s *Session) updateStmt(p *flushPlan, st *state) (upd *stmt.UpdateStmt, computed bool, err error) {
	m := st.m
	var changed []int
	for i := range m.cols {
		if m.cols[i].col.Computed != nil {
			computed = true
			continue // the database computes it; never written
		}
		if !m.cols[i].eq(st.obj, st.snap) {
			changed = append(changed, i)
		}
	}
	if len(changed) == 0 {
		return nil, false, nil
	}
	if err := m.writable("update"); err != nil {
		return nil, false, err
	}
	for i := range m.cols {
		c := m.cols[i].col
		if c.OnUpdate != nil && !slices.Contains(changed, i) {
			if gen := defaultValue(c.OnUpdate, c); gen != nil {
				v, err := gen()
				if err != nil {
					return nil, false, err
				}
				p.touch(st)
				if err := m.cols[i].set(st.obj, v); err != nil {
					return nil, false, err
				}
				changed = append(changed, i)
			}
		}
	}
	var where []stmt.Expr
	where = append(where, m.pkWhere(st.snap)...)
	if m.version >= 0 {
		old := toInt64(m.cols[m.version].get(st.snap))
		where = append(where, m.tref.Col(m.cols[m.version].col).Eq(old))
		if !slices.Contains(changed, m.version) {
			p.touch(st)
			if err := m.cols[m.version].set(st.obj, old+1); err != nil {
				return nil, false, err
			}
			changed = append(changed, m.version)
		}
	}
	upd = stmt.Update(m.tref)
	var a argArena
	for _, o := range changed {
		a.reserve(&m.cols[o], 1)
	}
	for _, o := range changed {
		upd = upd.SetCol(m.cols[o].col, m.cols[o].arg(st.obj, &a))
	}
	return upd.Where(where...), computed, nil
}

// writeAssoc deletes and inserts many-to-many association rows.
func (s *Session) writeAssoc(ctx context.Context, p *flushPlan) error {
	if err := s.clearAssoc(ctx, p.assocClear); err != nil {
		return err
	}
	return s.changeAssoc(ctx, p)
}

// clearAssoc deletes every association row of deleted objects.
func (s *Session) clearAssoc(ctx context.Context, links []assocLink) error {
	for _, l := range links {
		r := l.rel.rel
		sec := stmt.Ref(r.Secondary)
		conds := make([]stmt.Expr, len(r.Pairs))
		for i, pr := range r.Pairs {
			conds[i] = sec.Col(pr.Remote).Eq(l.owner.m.cols[l.owner.m.ord(pr.Local)].get(l.owner.snapOrObj()))
		}
		tx, err := s.writer(ctx, l.owner.m)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, stmt.Delete(sec).Where(conds...)); err != nil {
			return fmt.Errorf("delete %s links of %s: %w", r.Secondary.Name, l.owner.m.model.Name, err)
		}
	}
	return nil
}

// changeAssoc deletes removed and inserts added association rows.
func (s *Session) changeAssoc(ctx context.Context, p *flushPlan) error {
	for _, l := range p.assocDel {
		r := l.rel.rel
		sec := stmt.Ref(r.Secondary)
		var conds []stmt.Expr
		for _, pr := range r.Pairs {
			conds = append(conds, sec.Col(pr.Remote).Eq(l.owner.m.cols[l.owner.m.ord(pr.Local)].get(l.owner.obj)))
		}
		for _, pr := range r.SecondaryPairs {
			conds = append(conds, sec.Col(pr.Local).Eq(l.target.m.cols[l.target.m.ord(pr.Remote)].get(l.target.obj)))
		}
		tx, err := s.writer(ctx, l.owner.m)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, stmt.Delete(sec).Where(conds...)); err != nil {
			return fmt.Errorf("delete %s link: %w", r.Secondary.Name, err)
		}
	}
	// Inserts, batched per association table.
	type batch struct {
		cols []*spec.Column
		rows [][]any
		m    *mapper
	}
	var order []*spec.Table
	batches := map[*spec.Table]*batch{}
	for _, l := range p.assocAdd {
		if l.target == nil {
			continue
		}
		r := l.rel.rel
		b := batches[r.Secondary]
		if b == nil {
			b = &batch{m: l.owner.m}
			for _, pr := range r.Pairs {
				b.cols = append(b.cols, pr.Remote)
			}
			for _, pr := range r.SecondaryPairs {
				b.cols = append(b.cols, pr.Local)
			}
			batches[r.Secondary] = b
			order = append(order, r.Secondary)
		}
		row := make([]any, 0, len(b.cols))
		for _, pr := range r.Pairs {
			row = append(row, l.owner.m.cols[l.owner.m.ord(pr.Local)].get(l.owner.obj))
		}
		for _, pr := range r.SecondaryPairs {
			row = append(row, l.target.m.cols[l.target.m.ord(pr.Remote)].get(l.target.obj))
		}
		b.rows = append(b.rows, row)
	}
	for _, t := range order {
		b := batches[t]
		tx, err := s.writer(ctx, b.m)
		if err != nil {
			return err
		}
		per := max(1, min(1000, s.db.router.writer(b.m.model).Dialect().MaxParams()/len(b.cols)))
		for start := 0; start < len(b.rows); start += per {
			chunk := b.rows[start:min(start+per, len(b.rows))]
			if _, err := tx.Exec(ctx, stmt.Insert(stmt.Ref(t)).ColumnsOf(b.cols...).Rows(chunk...)); err != nil {
				return fmt.Errorf("insert %s links: %w", t.Name, err)
			}
		}
	}
	return nil
}

func (st *state) snapOrObj() unsafe.Pointer {
	if st.snap != nil {
		return st.snap
	}
	return st.obj
}

// deleteAll deletes one mapper's objects, children before parents where
// the table references itself.
func (s *Session) deleteAll(ctx context.Context, m *mapper, sts []*state, done *[]func()) error {
	if len(sts) == 0 {
		return nil
	}
	if m.joined != nil {
		return s.deleteJoined(ctx, m, sts, done)
	}
	tx, err := s.writer(ctx, m)
	if err != nil {
		return err
	}
	sts = selfDeleteOrder(m, sts)
	for _, st := range sts {
		if err := s.runHook(ctx, st, hookBeforeDelete); err != nil {
			return fmt.Errorf("before delete %s: %w", m.model.Name, err)
		}
		res, err := tx.Exec(ctx, s.deleteStmt(st))
		if err != nil {
			return fmt.Errorf("delete %s: %w", m.model.Name, err)
		}
		if err := deleted(st, res); err != nil {
			return err
		}
		if m.hooks&hookAfterDelete != 0 {
			*done = append(*done, func() { _ = s.runHook(ctx, st, hookAfterDelete) })
		}
	}
	return nil
}

// deleteStmt returns the DELETE of a persistent object's row (of its
// version, for a versioned model) — or, for a soft-delete model (not
// HardDelete), the UPDATE that sets its deletion time, which it also
// sets on the object.
func (s *Session) deleteStmt(st *state) stmt.Statement {
	m := st.m
	where := m.pkWhere(st.snap)
	if m.version >= 0 {
		where = append(where, m.tref.Col(m.cols[m.version].col).Eq(m.cols[m.version].get(st.snap)))
	}
	if m.softDel >= 0 && !s.hard[st] {
		upd, at := softDeleteStmt(m, st, where)
		_ = m.cols[m.softDel].set(st.obj, at)
		return upd
	}
	return stmt.Delete(m.tref).Where(where...)
}

// deleted checks the result of st's DELETE.
func deleted(st *state, res engine.Result) error {
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete %s %v: %w", st.m.model.Name, pkVals(st.m, st.snap), ErrStaleObject)
	}
	return nil
}

// selfDeleteOrder puts children before their parents among objects of a
// self-referencing table, judged by the foreign-key values.
func selfDeleteOrder(m *mapper, sts []*state) []*state {
	// Each self-referencing foreign key: its columns and the columns it
	// references.
	type selfFK struct{ cols, refs []int }
	var selfFKs []selfFK
	for _, fk := range m.table.ForeignKeys {
		if fk.RefTable == m.table {
			var f selfFK
			for i := range fk.Columns {
				f.cols = append(f.cols, fk.Columns[i].Ordinal)
				f.refs = append(f.refs, fk.RefColumns[i].Ordinal)
			}
			selfFKs = append(selfFKs, f)
		}
	}
	if len(selfFKs) == 0 || len(sts) < 2 {
		return sts
	}
	byKey := make([]map[keyVal]*state, len(selfFKs))
	for j, f := range selfFKs {
		byKey[j] = make(map[keyVal]*state, len(sts))
		for _, st := range sts {
			if k, ok := m.colsKey(st.snap, f.refs); ok {
				byKey[j][k] = st
			}
		}
	}
	parentOf := func(st *state) *state {
		for j, f := range selfFKs {
			if k, ok := m.colsKey(st.snap, f.cols); ok {
				if p := byKey[j][k]; p != nil && p != st {
					return p
				}
			}
		}
		return nil
	}
	depth := map[*state]int{}
	for _, st := range sts {
		d := 0
		for p := parentOf(st); p != nil && d <= len(sts); p = parentOf(p) {
			d++
		}
		depth[st] = d
	}
	out := slices.Clone(sts)
	slices.SortStableFunc(out, func(a, b *state) int { return cmp.Compare(depth[b], depth[a]) })
	return out
}

// settle records a successful flush: inserted objects join the identity
// map, snapshots and relationship links are refreshed, deleted objects leave.
func (s *Session) settle(p *flushPlan) {
	for _, sts := range p.deletes {
		for _, st := range sts {
			st.deleteFlushed = true
			if st.hasKey {
				s.idmap.del(st.key, st)
			}
		}
	}
	for _, sts := range p.inserts {
		for _, st := range sts {
			st.status = statusPersistent
			if k, ok := st.m.key(st.obj); ok {
				st.key, st.hasKey = k, true
				s.idmap.put(k, st)
			}
		}
	}
	for _, sts := range p.inserts {
		for _, st := range sts {
			s.resnap(st)
		}
	}
	for _, sts := range p.persistent {
		for _, st := range sts {
			s.resnap(st)
		}
	}
	for st := range p.journal {
		if st.status == statusPersistent {
			s.resnap(st)
		}
	}
	for _, l := range append(append(p.assocAdd, p.assocDel...), p.assocClear...) {
		s.resnap(l.owner)
		if l.target != nil {
			s.resnap(l.target)
		}
	}
	// Both ends of every link the flush wrote record their new members,
	// even when no column of theirs changed.
	for _, e := range append(p.edges, p.nulls...) {
		if e.parent != nil {
			s.resnap(e.parent)
		}
		s.resnap(e.child)
	}
}

// resnap takes a new snapshot of st's columns and relationship links, and
// moves its identity-map key if its primary key changed.
func (s *Session) resnap(st *state) {
	if st.status != statusPersistent {
		return
	}
	if st.snap != nil && st.m.typ != nil {
		st.m.copyInto(st.snap, st.obj) // reuse the old snapshot's storage
	} else {
		st.snap = s.snapshot(st.m, st.obj)
	}
	for i, rf := range st.m.rels {
		if rf.rel.Lazy == spec.LazyWriteOnly {
			// A write-only collection is an append buffer: flushed, it
			// empties; reads are explicit queries.
			if rf.many {
				rf.setMany(st.obj, nil)
			}
			st.clearLoaded(i)
			st.setLinks(i, nil)
			continue
		}
		if st.isLoaded(i) {
			if !rf.many {
				st.setLinkOne(i, rf.getOne(st.obj))
				continue
			}
			st.setLinks(i, slices.Clone(rf.values(st.obj)))
		}
	}
	if k, ok := st.m.key(st.obj); ok && (!st.hasKey || k != st.key) {
		if st.hasKey {
			s.idmap.del(st.key, st)
		}
		st.key, st.hasKey = k, true
		s.idmap.put(k, st)
	}
}
