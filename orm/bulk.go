package orm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// Execute runs a statement in the session's transaction (UPDATE, DELETE,
// INSERT or raw text) after an autoflush, and reports rows affected. Bulk
// UPDATE and DELETE of a model's table keep the identity map consistent:
// the matching rows' keys are fetched first (SQLAlchemy's "fetch"
// synchronisation), then updated objects are expired (reloaded on next
// access) and deleted ones leave the session. It returns
// ErrSessionNeedsRollback after a failed flush, and when the autoflush it
// runs first fails.
func (s *Session) Execute(ctx context.Context, st stmt.Statement) (engine.Result, error) {
	nested, err := s.enterCtx(ctx, "execute")
	if err != nil {
		return engine.Result{}, err
	}
	defer s.leave(nested)
	if err := s.usable(); err != nil {
		return engine.Result{}, err
	}
	if isNil(st) {
		return engine.Result{}, errors.New("execute: nil statement")
	}
	if t, ok := st.(*stmt.TextStmt); ok && strings.TrimSpace(t.Parts().SQL) == "" {
		return engine.Result{}, errors.New("execute: empty SQL text")
	}
	if err := s.autoflush(ctx); err != nil {
		return engine.Result{}, err
	}
	var (
		table *stmt.Table
		where stmt.Expr
		del   bool
	)
	switch x := st.(type) {
	case *stmt.UpdateStmt:
		p := x.Parts()
		table, where = p.Table, p.Where
	case *stmt.DeleteStmt:
		p := x.Parts()
		table, where, del = p.Table, p.Where, true
	}
	var m *mapper
	if table != nil && table.Spec() != nil && table.Spec().Model != nil {
		m = s.db.byModel[table.Spec().Model]
	}
	e := s.db.router.primary
	if m != nil {
		e = s.db.router.writer(m.model)
	}
	tx, err := s.txFor(ctx, e)
	if err != nil {
		return engine.Result{}, err
	}
	s.wrote = true
	var hit []*state
	if m != nil && s.idmap.len() > 0 {
		hit, err = s.matching(ctx, tx, m, table, where)
		if err != nil {
			return engine.Result{}, fmt.Errorf("execute: find affected objects: %w", err)
		}
	}
	res, err := tx.Exec(ctx, st)
	if err != nil {
		return res, fmt.Errorf("execute: %w", err)
	}
	for _, h := range hit {
		if del {
			h.status = statusDeleted
			h.deleteFlushed = true
			if h.hasKey {
				s.idmap.del(h.key, h)
			}
		} else {
			h.expired = true
		}
	}
	return res, nil
}

// matching returns the session's objects whose rows match where.
func (s *Session) matching(ctx context.Context, tx *engine.Tx, m *mapper, table *stmt.Table, where stmt.Expr) ([]*state, error) {
	cols := make([]stmt.Selectable, len(m.pk))
	for i, o := range m.pk {
		cols[i] = table.Col(m.cols[o].col)
	}
	q := stmt.Select(cols...).From(table)
	if where != nil {
		q = q.Where(where)
	}
	rows, err := tx.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*state
	vals := make([]any, len(m.pk))
	dest := make([]any, len(m.pk))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if st := s.idmap.get(identityOf(m, vals)); st != nil {
			out = append(out, st)
		}
	}
	return out, rows.Close()
}

// Link appends child to parent's collection relationship rel (or sets a
// to-one relationship) and sets the inverse side at once, as SQLAlchemy's
// back_populates does on append: s.Link(user, "posts", post) also sets
// post.Author. Objects not yet in the session are added (save-update). No
// children is a no-op. It returns ErrSessionNeedsRollback after a failed
// flush.
func (s *Session) Link(parent any, rel string, children ...any) error {
	nested, err := s.enter("link")
	if err != nil {
		return err
	}
	defer s.leave(nested)
	if err := s.usable(); err != nil {
		return err
	}
	m, p, err := s.db.mapperOf(parent)
	if err != nil {
		return err
	}
	rf := m.relIdx[rel]
	if rf == nil {
		return m.unknownRel("link", rel)
	}
	// Check every child before changing anything.
	for _, c := range children {
		cm, _, err := s.db.mapperOf(c)
		if err != nil {
			return fmt.Errorf("link %s.%s: %w", m.model.Name, rel, err)
		}
		if cm != rf.target {
			return fmt.Errorf("link %s.%s: want a %s, have %T", m.model.Name, rel, rf.target.model.Name, c)
		}
	}
	if len(children) == 0 {
		return nil
	}
	pst := s.stateOf(p)
	if pst == nil {
		pst = s.attach(m, p)
	}
	i := slices.Index(m.rels, rf)
	for _, c := range children {
		cm, cp, err := s.db.mapperOf(c)
		if err != nil {
			return err
		}
		if cm != rf.target {
			return fmt.Errorf("link %s.%s: want a %s, have %T", m.model.Name, rel, rf.target.model.Name, c)
		}
		cst := s.stateOf(cp)
		if cst == nil {
			cst = s.attach(cm, cp)
		}
		if rf.many {
			cur := rf.getMany(p)
			if !slices.Contains(cur, cp) {
				rf.setMany(p, append(cur, cp))
			}
		} else {
			rf.setOne(p, cp)
		}
		if rf.rel.Lazy != spec.LazyWriteOnly {
			pst.setLoaded(i)
		}
		s.syncBack(pst, rf, cst)
	}
	return nil
}

// Unlink removes child from parent's relationship rel (and the inverse
// side). At the next flush the child's foreign key is set NULL — or, with
// the delete-orphan cascade, the child is deleted; a many-to-many link row
// is deleted. It works on write_only relationships without loading them.
// It returns ErrSessionNeedsRollback after a failed flush.
func (s *Session) Unlink(parent any, rel string, child any) error {
	nested, err := s.enter("unlink")
	if err != nil {
		return err
	}
	defer s.leave(nested)
	if err := s.usable(); err != nil {
		return err
	}
	m, p, err := s.db.mapperOf(parent)
	if err != nil {
		return err
	}
	rf := m.relIdx[rel]
	if rf == nil {
		return m.unknownRel("unlink", rel)
	}
	cm, cp, err := s.db.mapperOf(child)
	if err != nil {
		return fmt.Errorf("unlink %s.%s: %w", m.model.Name, rel, err)
	}
	if cm != rf.target {
		return fmt.Errorf("unlink %s.%s: want a %s, have %T", m.model.Name, rel, rf.target.model.Name, child)
	}
	pst, cst := s.stateOf(p), s.stateOf(cp)
	if pst == nil || cst == nil {
		return fmt.Errorf("unlink %s.%s: %w", m.model.Name, rel, ErrDetached)
	}
	i := slices.Index(m.rels, rf)
	if rf.many {
		cur := rf.getMany(p)
		if j := slices.Index(cur, cp); j >= 0 {
			rf.setMany(p, slices.Delete(slices.Clone(cur), j, j+1))
		}
	} else if rf.getOne(p) == cp {
		rf.setOne(p, nil)
	}
	if !pst.isLoaded(i) || rf.rel.Lazy == spec.LazyWriteOnly {
		// The collection was never loaded: record the membership that is
		// being removed so the flush sees it go.
		pst.setLoaded(i)
		if !slices.Contains(pst.link(i), cp) {
			pst.setLinks(i, append(pst.link(i), cp))
		}
	}
	s.unlinkBack(pst, rf, cst)
	return nil
}
