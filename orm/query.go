package orm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"reflect"
	"slices"
	"strings"
	"unsafe"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/suggest"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// Table returns the statement table of the named model (or plain table),
// for building queries: q := stmt.Select(u).Where(u.C("name").ILike("%a%")).
// An unknown name (or a nil DB) gives a table whose statements fail with
// an error when they run.
func (db *DB) Table(name string) *stmt.Table {
	if db == nil {
		return stmt.TableOf(nil, name)
	}
	return stmt.TableOf(db.schema, name)
}

// TableOf returns the statement table of T's model. For an unbound T (or a
// nil DB) it returns a table whose statements fail with an error when they
// run.
func TableOf[T any](db *DB) *stmt.Table {
	if db == nil {
		return stmt.TableOf(nil, reflect.TypeFor[T]().String())
	}
	m, err := mapperFor[T](db)
	if err != nil {
		return stmt.TableOf(db.schema, fmt.Sprintf("<%v>", err))
	}
	return m.tref
}

// Select starts a SELECT of T's model (all its columns), ready for Where,
// OrderBy, Limit… and All, One, First or Stream.
func Select[T any](db *DB) *stmt.SelectStmt { return stmt.Select(TableOf[T](db)) }

// Load is a loading option for a relationship path ("posts", or nested
// "posts.tags"), overriding the relationship's YAML `lazy:` for one query,
// or a query-wide option (WithDeleted).
type Load struct {
	path     []string
	strategy spec.Strategy
	// opts refine a select-in load (OrderBy, Limit); nil for none.
	opts *loadOpts
	// withDeleted: the query and its loads keep soft-deleted rows.
	withDeleted bool
}

// LoadOption refines a SelectIn load of a collection: OrderBy, Limit.
type LoadOption func(*loadOpts)

// loadOpts are the refinements of one select-in load.
type loadOpts struct {
	order []string // "column" or "column desc", as in YAML order_by
	limit int      // > 0: the first limit children of each parent
	err   error
}

// OrderBy orders the children of a SelectIn load by the target model's
// columns, written as in the YAML order_by: "published_at desc", "id". It
// replaces the relationship's own order_by for this load (the target's
// primary key still breaks ties). An unknown column fails the query.
func OrderBy(terms ...string) LoadOption {
	terms = slices.Clone(terms)
	return func(o *loadOpts) { o.order = append(o.order, terms...) }
}

// Limit keeps the first n children of each parent in a SelectIn load of a
// collection, in the load's order, in the same one query per chunk of
// parents (ROW_NUMBER() OVER (PARTITION BY the foreign key ORDER BY …)),
// not one query per parent and not every child. n < 1 fails the query.
func Limit(n int) LoadOption {
	return func(o *loadOpts) {
		o.limit = n
		if n < 1 && o.err == nil {
			o.err = fmt.Errorf("orm.Limit(%d): the limit per parent must be at least 1", n)
		}
	}
}

// SelectIn loads path with a second query per level, WHERE key IN (…)
// over the parents' keys, chunked under the dialect's parameter limit.
// Options (OrderBy, Limit) refine the load of the path's last
// relationship.
func SelectIn(path string, opts ...LoadOption) Load {
	l := Load{path: strings.Split(path, "."), strategy: spec.LazySelectIn}
	if len(opts) > 0 {
		l.opts = &loadOpts{}
		for _, o := range opts {
			if o == nil {
				l.opts.err = fmt.Errorf("orm.SelectIn(%q): a nil LoadOption", path)
				continue
			}
			o(l.opts)
		}
	}
	return l
}

// Joined loads path in the same query with LEFT OUTER JOINs, parents
// de-duplicated. A joined collection under Limit/Offset is loaded with a
// second IN query instead, so that the limit counts parents, not joined
// rows; so is a joined path below the first level ("posts.author").
func Joined(path string) Load { return Load{path: strings.Split(path, "."), strategy: spec.LazyJoined} }

// Lazy leaves path unloaded (load it later with Session.Load).
func Lazy(path string) Load { return Load{path: strings.Split(path, "."), strategy: spec.LazySelect} }

// Raise leaves path unloaded and makes reading it through Session.Related
// or loading it implicitly an error: the N+1 guard.
func Raise(path string) Load { return Load{path: strings.Split(path, "."), strategy: spec.LazyRaise} }

// NoLoad leaves path empty and unloaded.
func NoLoad(path string) Load { return Load{path: strings.Split(path, "."), strategy: spec.LazyNoLoad} }

// WithDeleted makes a query keep soft-deleted rows (models that use the
// soft_delete trait): in its own rows and in every relationship it loads.
// Without it, ORM queries and relationship loads leave them out.
func WithDeleted() Load { return Load{withDeleted: true} }

// loadTree is the loading plan below one model.
type loadTree struct {
	strategy map[string]spec.Strategy
	children map[string][]Load
	opts     map[string]*loadOpts
	// empty records a zero Load (no path), which validate refuses.
	empty bool
	// withDeleted keeps soft-deleted rows (WithDeleted), at every level.
	withDeleted bool
}

// noOptions is the tree of a query without load options, shared: trees
// are only read once built (reads of its nil maps find nothing).
var noOptions = &loadTree{}

func buildTree(opts []Load) *loadTree {
	if len(opts) == 0 {
		return noOptions
	}
	t := &loadTree{strategy: map[string]spec.Strategy{}, children: map[string][]Load{}}
	for _, o := range opts {
		if o.withDeleted {
			t.withDeleted = true
			continue
		}
		if len(o.path) == 0 {
			t.empty = true
			continue
		}
		if len(o.path) == 1 {
			t.strategy[o.path[0]] = o.strategy
			if o.opts != nil {
				if t.opts == nil {
					t.opts = map[string]*loadOpts{}
				}
				t.opts[o.path[0]] = o.opts
			}
			continue
		}
		// A nested path eager-loads its parents with select-in unless
		// stated otherwise.
		if _, ok := t.strategy[o.path[0]]; !ok {
			t.strategy[o.path[0]] = spec.LazySelectIn
		}
		t.children[o.path[0]] = append(t.children[o.path[0]], Load{path: o.path[1:], strategy: o.strategy, opts: o.opts})
	}
	return t
}

// sub returns the plan below relationship name.
func (t *loadTree) sub(name string) *loadTree {
	st := buildTree(t.children[name])
	if t.withDeleted && !st.withDeleted {
		if st == noOptions { // shared: never written
			st = &loadTree{}
		}
		st.withDeleted = true
	}
	return st
}

func (t *loadTree) validate(m *mapper) error {
	if t.empty {
		return fmt.Errorf("load %s: an empty orm.Load (make one with SelectIn, Joined, Lazy, Raise, NoLoad or WithDeleted)", m.model.Name)
	}
	names := make([]string, 0, len(t.strategy))
	for name := range t.strategy {
		names = append(names, name)
	}
	slices.Sort(names) // report the same problem first every time
	for _, name := range names {
		if m.relIdx[name] == nil {
			if m.model.Relationship(name) != nil {
				return fmt.Errorf("load %s.%s: the relationship has no field in %s", m.model.Name, name, m.typ)
			}
			return m.unknownRel("load", name)
		}
		if o := t.opts[name]; o != nil {
			if err := o.check(m.relIdx[name]); err != nil {
				return fmt.Errorf("load %s.%s: %w", m.model.Name, name, err)
			}
		}
	}
	for _, name := range names {
		if sub, ok := t.children[name]; ok {
			if err := buildTree(sub).validate(m.relIdx[name].target); err != nil {
				return err
			}
		}
	}
	return nil
}

// check vets the options of a select-in load of rf.
func (o *loadOpts) check(rf *relField) error {
	if o.err != nil {
		return o.err
	}
	if o.limit > 0 && !rf.many {
		return fmt.Errorf("orm.Limit applies to a collection; %s is to-one", rf.rel.Name)
	}
	_, err := o.orderTerms(rf.target)
	return err
}

// orderTerms resolves the OrderBy terms against the target model.
func (o *loadOpts) orderTerms(tm *mapper) ([]spec.OrderTerm, error) {
	var out []spec.OrderTerm
	for _, term := range o.order {
		f := strings.Fields(term)
		desc := false
		if len(f) == 2 {
			switch strings.ToLower(f[1]) {
			case "desc":
				desc = true
			case "asc":
			default:
				f = nil
			}
		}
		if len(f) < 1 || len(f) > 2 {
			return nil, fmt.Errorf("orm.OrderBy(%q): write a column name, optionally followed by asc or desc", term)
		}
		c := tm.table.Column(f[0])
		if c == nil && tm.joined != nil {
			c = tm.subColumn(f[0]) // a joined sub-model's own column
		}
		if c == nil {
			names := make([]string, len(tm.table.Columns))
			for i, c := range tm.table.Columns {
				names[i] = c.Name
			}
			msg := fmt.Sprintf("orm.OrderBy(%q): %s has no column %q", term, tm.model.Name, f[0])
			if dym := suggest.DidYouMean(f[0], names); dym != "" {
				msg += " (" + dym + ")"
			}
			return nil, errors.New(msg)
		}
		out = append(out, spec.OrderTerm{Column: c, Desc: desc})
	}
	return out, nil
}

// strategyFor returns the strategy of relationship rf under t.
func (t *loadTree) strategyFor(rf *relField) spec.Strategy {
	if s, ok := t.strategy[rf.rel.Name]; ok {
		return s
	}
	return rf.rel.Lazy
}

// Get returns the T with the given primary key: from the identity map
// without a query when the session has it, else with a SELECT. A missing
// row is ErrNotFound (which matches sql.ErrNoRows).
//
// Get returns ErrSessionNeedsRollback after a failed flush, and when the
// autoflush it runs first fails.
func Get[T any](ctx context.Context, s *Session, pk ...any) (*T, error) {
	nested, err := s.enterCtx(ctx, "get")
	if err != nil {
		return nil, err
	}
	defer s.leave(nested)
	m, err := mapperFor[T](s.db)
	if err != nil {
		return nil, err
	}
	p, err := s.get(ctx, m, pk)
	if err != nil {
		return nil, err
	}
	return (*T)(p), nil
}

// GetObject is Get for dynamic Objects of the named model.
func (s *Session) GetObject(ctx context.Context, model string, pk ...any) (*Object, error) {
	nested, err := s.enterCtx(ctx, "get")
	if err != nil {
		return nil, err
	}
	defer s.leave(nested)
	mp, err := s.db.modelMapper(model)
	if err != nil {
		return nil, err
	}
	if mp.typ != nil {
		return nil, fmt.Errorf("orm: model %s is bound to %s: use orm.Get[%s]", model, mp.typ, mp.typ)
	}
	p, err := s.get(ctx, mp, pk)
	if err != nil {
		return nil, err
	}
	return (*Object)(p), nil
}

func (s *Session) get(ctx context.Context, m *mapper, pk []any) (unsafe.Pointer, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	if len(pk) != len(m.pk) {
		return nil, fmt.Errorf("get %s: %d key values given, the primary key has %d columns", m.model.Name, len(pk), len(m.pk))
	}
	kv, ok := keyOfValues(pk)
	if !ok {
		return nil, fmt.Errorf("get %s: a primary-key value is nil or of an unusable type", m.model.Name)
	}
	k := identity{m: m, k: kv}
	st := s.idmap.get(k)
	if st == nil && m.poly != nil {
		st = m.poly.cached(s, kv)
	}
	if st != nil && !st.expired {
		if st.status == statusDeleted {
			return nil, fmt.Errorf("get %s %v: %w (deleted in this session)", m.model.Name, pk, ErrNotFound)
		}
		return st.obj, nil
	}
	where := make([]stmt.Expr, len(pk))
	for i, o := range m.pk {
		where[i] = m.tref.Col(m.cols[o].col).Eq(pk[i])
	}
	if f := m.alive(m.tref); f != nil {
		where = append(where, f)
	}
	var found *state
	if err := s.autoflush(ctx); err != nil {
		return nil, err
	}
	if s.budget != nil {
		ctx = s.loading(ctx, "get "+m.model.Name)
	}
	if _, err := s.loadInto(ctx, m, m.withExprs(stmt.Select(m.tref), m.tref, false).Where(where...), func(st *state) { found = st }); err != nil {
		return nil, fmt.Errorf("get %s: %w", m.model.Name, err)
	}
	if found == nil {
		if st := s.idmap.get(k); st != nil && st.expired && st.status == statusPersistent {
			s.forget(st) // the row is gone
		}
		return nil, fmt.Errorf("get %s %v: %w", m.model.Name, pk, ErrNotFound)
	}
	if tree := buildTree(nil); wantsEager(m, tree, nil) {
		if err := s.eagerLoad(ctx, m, []*state{found}, tree, nil); err != nil {
			return nil, err
		}
	}
	return found.obj, nil
}

// autoflush flushes before a query, unless autoflush is off or the query
// runs from a hook of a flush in progress (as in SQLAlchemy).
func (s *Session) autoflush(ctx context.Context) error {
	if !s.cfg.autoflush || s.flushing || len(s.all) == s.dead {
		return nil // (a session holding no object has nothing to flush)
	}
	if s.clean() {
		return nil
	}
	return s.flush(ctx)
}

// All runs q, a SELECT of T's model (see Select), and returns its objects
// through the identity map: an object the session already holds is
// returned as it is (unflushed changes kept), unless it was expired. Load
// options override the relationships' default strategies.
//
// All (like One, First, AllObjects and Stream) returns
// ErrSessionNeedsRollback after a failed flush, and when the autoflush it
// runs first fails.
func All[T any](ctx context.Context, s *Session, q *stmt.SelectStmt, opts ...Load) ([]*T, error) {
	nested, err := s.enterCtx(ctx, "all")
	if err != nil {
		return nil, err
	}
	defer s.leave(nested)
	return all[T](ctx, s, q, opts)
}

func all[T any](ctx context.Context, s *Session, q *stmt.SelectStmt, opts []Load) ([]*T, error) {
	m, err := mapperFor[T](s.db)
	if err != nil {
		return nil, err
	}
	sts, err := s.query(ctx, m, q, opts)
	if err != nil {
		return nil, err
	}
	out := make([]*T, len(sts))
	for i, st := range sts {
		out[i] = (*T)(st.obj)
	}
	return out, nil
}

// One is All for a query that must return exactly one object: ErrNotFound
// for none, engine.ErrTooManyRows for more.
func One[T any](ctx context.Context, s *Session, q *stmt.SelectStmt, opts ...Load) (*T, error) {
	nested, err := s.enterCtx(ctx, "one")
	if err != nil {
		return nil, err
	}
	defer s.leave(nested)
	out, err := all[T](ctx, s, q, opts)
	if err != nil {
		return nil, err
	}
	switch len(out) {
	case 0:
		return nil, fmt.Errorf("one %T: %w", *new(T), ErrNotFound)
	case 1:
		return out[0], nil
	}
	return nil, fmt.Errorf("one %T: %w", *new(T), engine.ErrTooManyRows)
}

// First returns the first object of q (LIMIT 1 is added), or ErrNotFound.
func First[T any](ctx context.Context, s *Session, q *stmt.SelectStmt, opts ...Load) (*T, error) {
	nested, err := s.enterCtx(ctx, "first")
	if err != nil {
		return nil, err
	}
	defer s.leave(nested)
	if q == nil {
		return nil, fmt.Errorf("first %T: nil query (use orm.Select)", *new(T))
	}
	out, err := all[T](ctx, s, q.Limit(1), opts)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("first %T: %w", *new(T), ErrNotFound)
	}
	return out[0], nil
}

// AllObjects is All for dynamic Objects of the model q selects.
func (s *Session) AllObjects(ctx context.Context, model string, q *stmt.SelectStmt, opts ...Load) ([]*Object, error) {
	nested, err := s.enterCtx(ctx, "all objects")
	if err != nil {
		return nil, err
	}
	defer s.leave(nested)
	mp, err := s.db.modelMapper(model)
	if err != nil {
		return nil, err
	}
	if mp.typ != nil {
		return nil, fmt.Errorf("orm: model %s is bound to %s: use orm.All[%s]", model, mp.typ, mp.typ)
	}
	sts, err := s.query(ctx, mp, q, opts)
	if err != nil {
		return nil, err
	}
	out := make([]*Object, len(sts))
	for i, st := range sts {
		out[i] = (*Object)(st.obj)
	}
	return out, nil
}

// checkQuery verifies that q selects m's table first.
func checkQuery(m *mapper, q *stmt.SelectStmt) (stmt.SelectParts, error) {
	if q == nil {
		return stmt.SelectParts{}, fmt.Errorf("query %s: nil query (use orm.Select)", m.model.Name)
	}
	p := q.Parts()
	if p.Err != nil {
		return p, p.Err
	}
	if len(p.Items) == 0 {
		return p, fmt.Errorf("query %s: empty select list", m.model.Name)
	}
	t, ok := p.Items[0].(*stmt.Table)
	if !ok || t.Spec() != m.table {
		return p, fmt.Errorf("query %s: the statement must select the model's table first (use orm.Select or stmt.Select(table))", m.model.Name)
	}
	return p, nil
}

func (s *Session) query(ctx context.Context, m *mapper, q *stmt.SelectStmt, opts []Load) ([]*state, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	p, err := checkQuery(m, q)
	if err != nil {
		return nil, err
	}
	tree := buildTree(opts)
	if err := tree.validate(m); err != nil {
		return nil, err
	}
	if err := s.autoflush(ctx); err != nil {
		return nil, err
	}
	base := p.Items[0].(*stmt.Table)
	if f := m.alive(base); f != nil && !tree.withDeleted {
		q = q.Where(f)
	}
	if len(m.exprs) > 0 {
		q = m.withExprs(q, base, tree.withDeleted)
	}
	limited := p.HasLimit || p.HasOffset
	// Joined to-one relationships (and joined collections without a
	// limit) join into this query.
	var joins []*joinedRel
	var parents *parentIndex
	for _, rf := range m.rels {
		if tree.strategyFor(rf) != spec.LazyJoined || (rf.many && limited) || m.poly != nil || rf.target.poly != nil {
			continue // polymorphic models load joined paths with select-in
		}
		if parents == nil {
			parents = &parentIndex{}
		}
		jr, err := newJoinedRel(base, rf, len(joins), parents)
		if err != nil {
			return nil, err
		}
		jr.withDeleted = tree.withDeleted
		q = jr.apply(q)
		joins = append(joins, jr)
	}
	if parents != nil {
		// Rows repeat a parent only through a join of the query's own, a
		// second table, or a joined relationship that can match more
		// than one row (anything but many-to-one on the target's key).
		parents.rowsUnique = len(p.Joins) == 0 && (len(p.From) == 0 || len(p.From) == 1 && p.From[0].Spec() == m.table)
		for _, jr := range joins {
			r := jr.rf.rel
			if jr.rf.many || !r.FKOnOwner || r.Kind == spec.ManyToMany || len(r.Pairs) != len(jr.rf.target.pk) || !pairsArePK(r, jr.rf.target) {
				parents.rowsUnique = false
			}
		}
	}
	// Each joined relationship's columns sit at a fixed distance from the
	// end of the row.
	end := 0
	for j := len(joins) - 1; j >= 0; j-- {
		end += len(joins[j].vals)
		joins[j].fromEnd = end
	}
	var out []*state
	if p.HasLimit && p.Limit > 0 {
		n := int(min(p.Limit, maxExpect))
		s.expect(m, n)
		out = make([]*state, 0, n)
	}
	_, err = s.loadRows(ctx, m, q, p.Lock != 0, joins, func(st *state) {
		// With joins, a parent's rows repeat: keep its first. Parents
		// are numbered in order of first appearance, so a new one's
		// number is len(out).
		if parents != nil && int(parents.of(st)) < len(out) {
			return
		}
		out = append(out, st)
	})
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", m.model.Name, err)
	}
	handled := map[*relField]bool{}
	for _, jr := range joins {
		if jr.err != nil {
			return nil, fmt.Errorf("query %s: joined %s: %w", m.model.Name, jr.rf.rel.Name, jr.err)
		}
		handled[jr.rf] = true
		jr.finish(s, out)
	}
	if err := s.eagerLoad(ctx, m, out, tree, handled); err != nil {
		return nil, err
	}
	return out, nil
}

// eagerLoad runs the select-in (and fallback joined) loaders for states,
// then recurses into nested paths. handled lists relationships a joined
// query already loaded (their nested paths still run).
func (s *Session) eagerLoad(ctx context.Context, m *mapper, sts []*state, tree *loadTree, handled map[*relField]bool) error {
	return s.eagerLoadPath(ctx, m, sts, tree, handled, nil)
}

func (s *Session) eagerLoadPath(ctx context.Context, m *mapper, sts []*state, tree *loadTree, handled map[*relField]bool, path []*spec.Relationship) error {
	if len(sts) == 0 {
		return nil
	}
	for _, rf := range m.rels {
		strat := tree.strategyFor(rf)
		_, explicit := tree.strategy[rf.rel.Name]
		if !explicit && slices.Contains(path, rf.rel) {
			continue // a self-referential default stops at one level
		}
		if strat != spec.LazySelectIn && strat != spec.LazyJoined {
			continue
		}
		if !handled[rf] {
			if err := s.loadRel(ctx, sts, rf, tree); err != nil {
				return fmt.Errorf("load %s.%s: %w", m.model.Name, rf.rel.Name, err)
			}
		}
		sub := tree.sub(rf.rel.Name)
		if !wantsEager(rf.target, sub, append(path, rf.rel)) {
			continue // nothing below: no need to gather the children
		}
		var kids []*state
		seenKid := map[*state]bool{}
		for _, st := range sts {
			for _, c := range rf.values(st.obj) {
				if cst := s.stateOf(c); cst != nil && !seenKid[cst] {
					seenKid[cst] = true
					kids = append(kids, cst)
				}
			}
		}
		if err := s.eagerLoadPath(ctx, rf.target, kids, sub, nil, append(path, rf.rel)); err != nil {
			return err
		}
	}
	return nil
}

// wantsEager reports whether loading m's objects under tree (reached
// along path) eager-loads any relationship.
func wantsEager(m *mapper, tree *loadTree, path []*spec.Relationship) bool {
	for _, rf := range m.rels {
		strat := tree.strategyFor(rf)
		_, explicit := tree.strategy[rf.rel.Name]
		if !explicit && slices.Contains(path, rf.rel) {
			continue
		}
		if strat == spec.LazySelectIn || strat == spec.LazyJoined {
			return true
		}
	}
	return false
}

// Load loads a relationship of obj now (the "select" strategy, made
// explicit): s.Load(ctx, user, "posts"). Nested paths load level by level.
// It returns ErrSessionNeedsRollback after a failed flush, and when the
// autoflush it runs first fails.
func (s *Session) Load(ctx context.Context, obj any, path string) error {
	nested, err := s.enterCtx(ctx, "load")
	if err != nil {
		return err
	}
	defer s.leave(nested)
	if err := s.usable(); err != nil {
		return err
	}
	m, p, err := s.db.mapperOf(obj)
	if err != nil {
		return err
	}
	st := s.stateOf(p)
	if st == nil || st.status == statusPending {
		return fmt.Errorf("load %s: %w", path, ErrDetached)
	}
	m = st.m // a *Base may hold a sub-model's object
	parts := strings.Split(path, ".")
	sts := []*state{st}
	for _, name := range parts {
		rf := m.relIdx[name]
		if rf == nil {
			return m.unknownRel("load", name)
		}
		if rf.rel.Lazy == spec.LazyWriteOnly {
			return fmt.Errorf("load %s.%s: the relationship is write-only; query it with Session.RelatedQuery", m.model.Name, name)
		}
		if err := s.autoflush(ctx); err != nil {
			return err
		}
		if err := s.loadRel(ctx, sts, rf, nil); err != nil {
			return fmt.Errorf("load %s.%s: %w", m.model.Name, name, err)
		}
		var next []*state
		for _, x := range sts {
			for _, c := range rf.values(x.obj) {
				if cst := s.stateOf(c); cst != nil && !slices.Contains(next, cst) {
					next = append(next, cst)
				}
			}
		}
		m, sts = rf.target, next
	}
	return nil
}

// Related returns the value of obj's relationship rel (*T, []*T, *Object or
// []*Object) if it is loaded, and ErrNotLoaded otherwise — the N+1 guard
// that the raise strategy asks for.
func (s *Session) Related(obj any, rel string) (any, error) {
	nested, err := s.enter("related")
	if err != nil {
		return nil, err
	}
	defer s.leave(nested)
	if s.closed {
		return nil, fmt.Errorf("related: %w", ErrSessionClosed)
	}
	m, p, err := s.db.mapperOf(obj)
	if err != nil {
		return nil, err
	}
	rf := m.relIdx[rel]
	if rf == nil {
		return nil, m.unknownRel("related", rel)
	}
	st := s.stateOf(p)
	i := slices.Index(m.rels, rf)
	if st == nil || !st.isLoaded(i) {
		return nil, fmt.Errorf("%s.%s (lazy: %s): %w", m.model.Name, rel, rf.rel.Lazy, ErrNotLoaded)
	}
	if m.typ == nil {
		o := (*Object)(p)
		if rf.many {
			return o.Many(rel), nil
		}
		return o.One(rel), nil
	}
	return rf.iface(p), nil
}

// IsLoaded reports whether obj's relationship rel has been loaded (false
// for an object not in the session, an unknown relationship, a closed
// session, and a call that meets another goroutine's call, which marks the
// session misused).
func (s *Session) IsLoaded(obj any, rel string) bool {
	nested, err := s.enter("is loaded")
	if err != nil {
		return false
	}
	defer s.leave(nested)
	if s.closed {
		return false
	}
	m, p, err := s.db.mapperOf(obj)
	if err != nil {
		return false
	}
	st := s.stateOf(p)
	i := slices.IndexFunc(m.rels, func(rf *relField) bool { return rf.rel.Name == rel })
	return st != nil && i >= 0 && st.isLoaded(i)
}

// RelatedQuery returns the SELECT of the objects obj's relationship rel
// holds — the way to read a write_only relationship (add Where, Limit…).
func (s *Session) RelatedQuery(obj any, rel string) (*stmt.SelectStmt, error) {
	nested, err := s.enter("related query")
	if err != nil {
		return nil, err
	}
	defer s.leave(nested)
	if s.closed {
		return nil, fmt.Errorf("related query: %w", ErrSessionClosed)
	}
	m, p, err := s.db.mapperOf(obj)
	if err != nil {
		return nil, err
	}
	rf := m.relIdx[rel]
	if rf == nil {
		return nil, m.unknownRel("related query", rel)
	}
	r := rf.rel
	tt := rf.target.tref
	q := stmt.Select(tt)
	switch {
	case r.Kind == spec.ManyToMany:
		sec := stmt.Ref(r.Secondary)
		var on, where []stmt.Expr
		for _, pr := range r.SecondaryPairs {
			on = append(on, sec.Col(pr.Local).Eq(rf.target.colRef(tt, pr.Remote)))
		}
		for _, pr := range r.Pairs {
			where = append(where, sec.Col(pr.Remote).Eq(m.cols[m.ord(pr.Local)].get(p)))
		}
		q = q.Join(sec, stmt.And(on...)).Where(where...)
	case r.FKOnOwner:
		for _, pr := range r.Pairs {
			q = q.Where(rf.target.colRef(tt, pr.Remote).Eq(m.cols[m.ord(pr.Local)].get(p)))
		}
	default:
		for _, pr := range r.Pairs {
			q = q.Where(rf.target.colRef(tt, pr.Remote).Eq(m.cols[m.ord(pr.Local)].get(p)))
		}
	}
	if f := rf.target.alive(tt); f != nil {
		q = q.Where(f)
	}
	for _, o := range r.OrderBy {
		q = q.OrderBy(orderTerm(tt, o))
	}
	return q, nil
}

func orderTerm(t *stmt.Table, o spec.OrderTerm) stmt.Order {
	c := t.Col(o.Column)
	if ts := t.Spec(); ts != nil && o.Column.Table != ts && isSubTable(o.Column.Table) {
		c = subTableCol(t, o.Column) // a joined sub-model's column
	}
	if o.Desc {
		return c.Desc()
	}
	return c.Asc()
}

// Conn returns where the session's reads of model run now (its transaction,
// or a replica outside one), after an autoflush, for Core queries through
// package engine: engine.All[Row](ctx, conn, stmt). It returns
// ErrSessionNeedsRollback after a failed flush, and when the autoflush it
// runs first fails. With Replicas, outside a transaction and before the
// session writes, each statement goes to a healthy replica, and a Query
// that a replica fails with a connection error runs again on the fallback
// (a failure while its rows are read is returned; see Replicas).
func (s *Session) Conn(ctx context.Context) (engine.Querier, error) {
	nested, err := s.enterCtx(ctx, "conn")
	if err != nil {
		return nil, err
	}
	defer s.leave(nested)
	if err := s.usable(); err != nil {
		return nil, err
	}
	if err := s.autoflush(ctx); err != nil {
		return nil, err
	}
	if s.lazy {
		// In a Transaction block: its transaction.
		return s.txFor(ctx, s.db.router.primary)
	}
	if tx := s.txs[s.db.router.primary]; tx != nil {
		return tx, nil
	}
	if s.joins(s.db.router.primary) {
		return s.txFor(ctx, s.db.router.primary)
	}
	if s.wrote {
		return s.db.router.primary, nil
	}
	if len(s.db.router.replicas) > 0 {
		return s.db.router.reads, nil
	}
	return s.db.router.primary, nil
}

// Stream runs q and yields its objects one at a time without keeping them:
// the objects are not added to the session (so memory stays flat over
// millions of rows) unless keep is true. Relationships are not loaded.
func Stream[T any](ctx context.Context, s *Session, q *stmt.SelectStmt, keep bool) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		nested, err := s.enterCtx(ctx, "stream")
		if err != nil {
			yield(nil, err)
			return
		}
		// The session is left between rows: the loop body may use it.
		m, rows, more, err := streamOpen[T](ctx, s, q) // rows is on its first row, if more
		s.leave(nested)
		if err != nil {
			yield(nil, err)
			return
		}
		defer rows.Close()
		n := len(m.cols)
		dest := make([]any, len(rows.Columns()))
		var sink any
		for i := n; i < len(dest); i++ {
			dest[i] = &sink
		}
		// withExprs put the attributes last.
		at := len(dest) - len(m.exprs)
		exprs := len(m.exprs) > 0 && at >= n && rows.Columns()[at] == m.exprs[0].label
		for ; more; more = rows.Next() {
			obj := m.newObject()
			for i := range m.cols {
				dest[i] = m.cols[i].ptr(obj)
			}
			if exprs {
				m.scanExprsAt(dest, at, obj, &sink)
			}
			if err := rows.Scan(dest...); err != nil {
				yield(nil, err)
				return
			}
			if exprs {
				m.fixExprs(obj)
			}
			m.canonical(obj)
			if keep {
				nested, err := s.enter("stream")
				if err == nil && s.closed {
					s.leave(nested)
					err = fmt.Errorf("stream: %w", ErrSessionClosed)
				}
				if err != nil {
					yield(nil, err)
					return
				}
				obj = s.track(m, obj).obj
				s.leave(nested)
			}
			if !yield((*T)(obj), nil) {
				return
			}
		}
		if err := rows.Close(); err != nil {
			yield(nil, err)
		}
	}
}

// streamOpen starts Stream's query.
func streamOpen[T any](ctx context.Context, s *Session, q *stmt.SelectStmt) (m *mapper, rows *engine.Rows, more bool, err error) {
	m, err = mapperFor[T](s.db)
	if err != nil {
		return nil, nil, false, err
	}
	if err := s.usable(); err != nil {
		return nil, nil, false, err
	}
	p, err := checkQuery(m, q)
	if err != nil {
		return nil, nil, false, err
	}
	if f := m.alive(p.Items[0].(*stmt.Table)); f != nil {
		q = q.Where(f)
	}
	if m.poly != nil {
		if m.poly.byIdent != nil {
			return nil, nil, false, fmt.Errorf("stream %s: the model has sub-models, whose rows Stream cannot build (use All)", m.model.Name)
		}
		q = m.poly.where(q)
	}
	if len(m.exprs) > 0 {
		q = m.withExprs(q, p.Items[0].(*stmt.Table), false)
	}
	if err := s.autoflush(ctx); err != nil {
		return nil, nil, false, err
	}
	// The first row is read here, so that a replica that fails the read
	// is replaced before the caller sees any row.
	err = s.read(ctx, m, false, func(ctx context.Context, conn engine.Querier) (int, error) {
		var err error
		if rows, err = conn.Query(ctx, q); err != nil {
			return 0, err
		}
		if more = rows.Next(); !more {
			return 0, rows.Err()
		}
		return 0, nil
	})
	if err != nil {
		return nil, nil, false, err
	}
	return m, rows, more, nil
}

// loadInto runs q (a SELECT of m's table) and passes each row's object,
// through the identity map, to each.
func (s *Session) loadInto(ctx context.Context, m *mapper, q *stmt.SelectStmt, each func(*state)) (int, error) {
	return s.loadRows(ctx, m, q, false, nil, each)
}

func (s *Session) loadRows(ctx context.Context, m *mapper, q *stmt.SelectStmt, locking bool, joins []*joinedRel, each func(*state)) (int, error) {
	var n int
	err := s.read(ctx, m, locking, func(ctx context.Context, conn engine.Querier) (int, error) {
		var err error
		n, err = s.loadRowsOn(ctx, conn, m, q, joins, each)
		return n, err
	})
	return n, err
}

func (s *Session) loadRowsOn(ctx context.Context, conn engine.Querier, m *mapper, q *stmt.SelectStmt, joins []*joinedRel, each func(*state)) (int, error) {
	if m.poly != nil {
		return s.loadPolyRows(ctx, conn, m, q, each)
	}
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	ncols := len(rows.Columns())
	dest := make([]any, ncols)
	var sink any
	n := 0
	exprs, at := false, 0
	if len(m.exprs) > 0 {
		// withExprs put the attributes after the query's own items, before
		// the joined relationships'.
		items, cols := len(q.Parts().Items)-len(m.exprs), ncols-len(m.exprs)
		for _, jr := range joins {
			items -= jr.items
			cols -= len(jr.vals)
		}
		exprs, at = m.exprsAt(q, items) && cols >= len(m.cols), cols
	}
	for _, jr := range joins {
		jr.useFK(m)
	}
	for rows.Next() {
		obj := s.newObject(m)
		for i := range m.cols {
			dest[i] = m.cols[i].ptr(obj)
		}
		for i := len(m.cols); i < ncols; i++ {
			dest[i] = &sink
		}
		if exprs {
			m.scanExprsAt(dest, at, obj, &sink)
		}
		for _, jr := range joins {
			if jr.keyFirst() {
				jr.prepareKey(dest)
			} else {
				jr.prepare(dest)
			}
		}
		if err := rows.Scan(dest...); err != nil {
			return n, err
		}
		// A to-one target read by its key alone that the session does not
		// hold yet is read whole: the row is scanned again, for those
		// targets' columns only.
		again := false
		for _, jr := range joins {
			if jr.keyFirst() && !jr.settle(s, m, obj) {
				if !again {
					clear(dest)
					again = true
				}
				jr.prepare(dest)
			}
		}
		if again {
			if err := rows.Scan(dest...); err != nil {
				return n, err
			}
		}
		if exprs {
			m.fixExprs(obj)
		}
		m.canonical(obj)
		st := s.track(m, obj)
		for _, jr := range joins {
			jr.row(s, st)
		}
		if st.m.hooks&hookAfterLoad != 0 {
			if err := s.runHook(ctx, st, hookAfterLoad); err != nil {
				return n, err
			}
		}
		each(st)
		n++
	}
	return n, rows.Close()
}

// track puts a freshly loaded object in the identity map, or returns the
// object already there (refreshed from the row if it was expired).
func (s *Session) track(m *mapper, obj unsafe.Pointer) *state {
	k, ok := m.key(obj)
	if ok {
		if st := s.idmap.get(k); st != nil {
			if st.expired {
				for i := range m.cols {
					m.cols[i].copyFrom(st.obj, obj)
				}
				if len(m.exprs) > 0 {
					m.refreshExprs(st.obj, obj)
				}
				st.expired = false
				st.snap = s.snapshot(m, st.obj)
			}
			return st
		}
	}
	st := s.newState() // zeroed: set only what differs
	st.m, st.obj, st.status, st.key, st.hasKey = m, obj, statusPersistent, k, ok
	st.snap = s.snapshot(m, obj)
	s.add(st)
	if ok {
		s.idmap.put(k, st)
	}
	return st
}

// maxExpect bounds the room expect makes ahead of a query; maxGrow the
// room a select-in makes once its first chunk has shown how many targets
// a key brings.
const (
	maxExpect = 4096
	maxGrow   = 1 << 20
)

// expect makes room for n more objects of m in the session's bookkeeping
// (the identity map's table for m, the list of states) before a query
// that will likely load them, so neither grows step by step.
func (s *Session) expect(m *mapper, n int) {
	s.idmap.reserve(m, n)
	s.all = slices.Grow(s.all, n)
}

// inChunk is how many keys one select-in query carries at most: the
// user's InChunk if set; else, for one key column on a dialect that binds
// arrays (PostgreSQL: col = ANY($1), one parameter), all of them; else as
// many as the dialect's parameter limit allows.
func (s *Session) inChunk(e *engine.Engine, keyCols int) int {
	if s.db.cfg.inChunk > 0 {
		return max(1, s.db.cfg.inChunk/max(1, keyCols))
	}
	d := e.Dialect()
	if keyCols == 1 && d.Features().Has(dialects.ArrayParams) {
		return math.MaxInt32
	}
	return max(1, (d.MaxParams()-16)/max(1, keyCols))
}

// loadRel loads relationship rf for every state in sts with select-in
// queries (one per chunk of keys), setting the field, the loaded flag and
// the link snapshot.
func (s *Session) loadRel(ctx context.Context, sts []*state, rf *relField, tree *loadTree) error {
	if len(sts) == 0 {
		return nil
	}
	withDeleted := tree != nil && tree.withDeleted
	m := sts[0].m
	if s.budget != nil {
		ctx = s.loading(ctx, m.model.Name+"."+rf.rel.Name)
	}
	i := slices.Index(m.rels, rf)
	r := rf.rel
	tm := rf.target
	tt := tm.tref
	// Key columns on the parent side, and the matching columns in the
	// query (on the target or the secondary table).
	var parentCols, matchOrds []int
	var matchCols []*stmt.Column
	extra := 0 // key columns selected after the target's (many-to-many)
	q := stmt.Select(tt)
	switch {
	case r.Kind == spec.ManyToMany:
		sec := stmt.Ref(r.Secondary)
		items := []stmt.Selectable{tt}
		if len(tm.exprs) > 0 && tm.poly == nil {
			items = append(items, tm.exprItems(tt, withDeleted)...)
		}
		for j, pr := range r.Pairs {
			parentCols = append(parentCols, m.ord(pr.Local))
			c := sec.Col(pr.Remote)
			matchCols = append(matchCols, c)
			items = append(items, c.Label(fmt.Sprintf("dl_key_%d", j)))
		}
		extra = len(r.Pairs)
		var on []stmt.Expr
		for _, pr := range r.SecondaryPairs {
			on = append(on, sec.Col(pr.Local).Eq(rf.target.colRef(tt, pr.Remote)))
		}
		q = stmt.Select(items...).Join(sec, stmt.And(on...))
	default:
		for _, pr := range r.Pairs {
			parentCols = append(parentCols, m.ord(pr.Local))
			matchCols = append(matchCols, rf.target.colRef(tt, pr.Remote))
			matchOrds = append(matchOrds, tm.ord(pr.Remote))
		}
		if len(tm.exprs) > 0 {
			q = tm.withExprs(q, tt, withDeleted)
		}
	}
	if f := tm.alive(tt); f != nil && !withDeleted {
		q = q.Where(f)
	}
	terms := r.OrderBy
	limit := 0
	if tree != nil {
		if lo := tree.opts[r.Name]; lo != nil {
			if len(lo.order) > 0 {
				var err error
				if terms, err = lo.orderTerms(tm); err != nil {
					return err
				}
			}
			if rf.many {
				limit = lo.limit
			}
		}
	}
	if limit > 0 && tm.joined != nil && pairsOnSubTable(r.Pairs) {
		return fmt.Errorf("orm.Limit is not supported on a relationship that joins on a column of a joined-table sub-model's own table (%s)", r.Pairs[0].Remote.Table.Name)
	}
	if limit > 0 && tm.joined != nil {
		for _, o := range terms {
			if isSubTable(o.Column.Table) {
				return fmt.Errorf("orm.Limit is not supported with an order on a column of a joined-table sub-model's own table (%s.%s): order on a column of %s", o.Column.Table.Name, o.Column.Name, tm.table.Name)
			}
		}
	}
	var finish func(cond stmt.Expr) *stmt.SelectStmt
	if limit > 0 {
		finish = limitPerParent(q, tm, terms, matchCols, matchOrds, extra, limit)
	} else {
		for _, o := range terms {
			q = q.OrderBy(orderTerm(tt, o))
		}
		for _, o := range tm.pk {
			q = q.OrderBy(tt.Col(tm.cols[o].col).Asc())
		}
		finish = func(cond stmt.Expr) *stmt.SelectStmt { return q.Where(cond) }
	}
	// Distinct parent keys, in parent order. Integer keys are looked up
	// in a map[int64] (the runtime's fast path), others by keyVal.
	type group struct {
		key   keyVal
		first *state   // the first parent with the key
		more  []*state // the others (a key that is not the parent's own)
		n     int32    // targets found
		off   int32    // the group's first target in kids, below
	}
	groups := make([]group, 0, len(sts))
	byInt := make(map[int64]int32, len(sts))
	var byKey map[keyVal]int32
	find := func(k keyVal) (int32, bool) {
		if k.kind == keyInt {
			g, ok := byInt[k.i]
			return g, ok
		}
		g, ok := byKey[k]
		return g, ok
	}
	for _, st := range sts {
		k, ok := m.colsKey(st.obj, parentCols)
		if !ok {
			st.setLoaded(i)
			s.setRel(st, i, rf, nil)
			continue
		}
		g, found := find(k)
		if !found {
			g = int32(len(groups))
			groups = append(groups, group{key: k, first: st})
			if k.kind == keyInt {
				byInt[k.i] = g
			} else {
				if byKey == nil {
					byKey = map[keyVal]int32{}
				}
				byKey[k] = g
			}
		}
		if found {
			groups[g].more = append(groups[g].more, st)
		}
	}
	// found lists every (group, target) pair in row order; the targets are
	// then laid out group by group in one slice, so that a thousand
	// parents cost a few allocations, not a few per parent.
	type pair struct {
		g  int32
		st *state
	}
	var found []pair
	// Many-to-one targets already in the identity map need no query.
	var need []int32
	for gi := range groups {
		g := &groups[gi]
		if r.FKOnOwner && len(r.Pairs) == len(tm.pk) && pairsArePK(r, tm) {
			if tst := s.idmap.get(identity{m: tm, k: g.key}); tst != nil && !tst.expired && tst.status != statusDeleted &&
				(withDeleted || tm.softDel < 0 || tm.cols[tm.softDel].get(tst.obj) == nil) {
				found = append(found, pair{int32(gi), tst})
				continue
			}
		}
		need = append(need, int32(gi))
	}
	if len(need) > 0 {
		// Room for the targets up front: as many per key as the last
		// select-in of this relationship brought, else one per key.
		if rate := rf.perKey.Load(); rate > 16 {
			est := min(int(int64(len(need))*rate/16), maxGrow)
			found = slices.Grow(found, est)
			s.expect(tm, est)
		} else {
			s.expect(tm, min(len(need), maxExpect))
		}
		chunk := s.inChunk(s.db.router.writer(tm.model), len(parentCols))
		for start := 0; start < len(need); start += chunk {
			part := need[start:min(start+chunk, len(need))]
			var cond stmt.Expr
			if len(matchCols) == 1 {
				keys := make([]any, len(part))
				for j, g := range part {
					keys[j] = m.cols[parentCols[0]].get(groups[g].first.obj)
				}
				cond = matchCols[0].InArray(keys)
			} else {
				ors := make([]stmt.Expr, len(part))
				for j, g := range part {
					ands := make([]stmt.Expr, len(matchCols))
					for c := range matchCols {
						ands[c] = matchCols[c].Eq(m.cols[parentCols[c]].get(groups[g].first.obj))
					}
					ors[j] = stmt.And(ands...)
				}
				cond = stmt.Or(ors...)
			}
			each := func(st *state, key []any) {
				var k keyVal
				var ok bool
				if key == nil {
					k, ok = tm.colsKey(st.obj, matchOrds)
				} else {
					k, ok = keyOfValues(key)
				}
				if !ok {
					return
				}
				if g, ok := find(k); ok {
					found = append(found, pair{g, st})
				}
			}
			if err := s.read(ctx, tm, false, func(ctx context.Context, conn engine.Querier) (int, error) {
				return s.selectInChunk(ctx, conn, tm, finish(cond), extra, each)
			}); err != nil {
				return err
			}
			if start == 0 && len(part) < len(need) {
				// The first chunk tells how many targets a key brings:
				// make room for the rest at that rate.
				est := len(found) * len(need) / len(part)
				found = slices.Grow(found, est-len(found))
				s.expect(tm, min(est, maxGrow))
			}
		}
	}
	if len(need) > 0 {
		rf.perKey.Store(int64(len(found)) * 16 / int64(len(groups)))
	}
	for _, p := range found {
		groups[p.g].n++
	}
	off := int32(0)
	for gi := range groups {
		groups[gi].off = off
		off += groups[gi].n
		groups[gi].n = 0
	}
	kids := make([]*state, len(found))
	for _, p := range found {
		g := &groups[p.g]
		kids[g.off+g.n] = p.st
		g.n++
	}
	// One backing array for the collections the objects hold and one for
	// the link records, each group's part capped so that an append by the
	// app cannot reach its neighbour's.
	var ptrs, links []unsafe.Pointer
	if rf.many {
		ptrs = make([]unsafe.Pointer, len(found))
		links = make([]unsafe.Pointer, len(found))
	}
	for gi := range groups {
		g := &groups[gi]
		lo, hi := g.off, g.off+g.n
		gk := kids[lo:hi:hi]
		g.first.setLoaded(i)
		if rf.many && hi > lo {
			s.setRelInto(g.first, i, rf, gk, ptrs[lo:hi:hi], links[lo:hi:hi])
		} else {
			s.setRel(g.first, i, rf, gk)
		}
		for _, pst := range g.more {
			pst.setLoaded(i)
			s.setRel(pst, i, rf, gk)
		}
	}
	return nil
}

// limitPerParent returns the builder of a select-in query that keeps the
// first limit children of each parent, in the order of terms then the
// target's primary key:
//
//	SELECT dl_w.* FROM (SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t.fk
//	ORDER BY …) AS dl_rn FROM t WHERE t.fk IN (…)) AS dl_w
//	WHERE dl_w.dl_rn <= limit ORDER BY dl_w.fk, …
//
// q selects the target (and, for a many-to-many, the secondary table's
// key columns labelled dl_key_j, extra of them); matchCols are the key
// columns the IN condition tests, the partition.
func limitPerParent(q *stmt.SelectStmt, tm *mapper, terms []spec.OrderTerm, matchCols []*stmt.Column, matchOrds []int, extra, limit int) func(cond stmt.Expr) *stmt.SelectStmt {
	tt := tm.tref
	partition := make([]stmt.Expr, len(matchCols))
	for j, c := range matchCols {
		partition[j] = c
	}
	var orders []stmt.Order
	for _, o := range terms {
		orders = append(orders, orderTerm(tt, o))
	}
	for _, o := range tm.pk {
		orders = append(orders, tt.Col(tm.cols[o].col).Asc())
	}
	return func(cond stmt.Expr) *stmt.SelectStmt {
		inner := tm.poly.filterInner(q.Where(cond), tt).Columns(stmt.RowNumber(partition, orders...).Label("dl_rn"))
		d := inner.Derived("dl_w")
		items := []stmt.Selectable{d}
		if len(tm.exprs) > 0 && tm.exprsIn(q) {
			items = tm.derivedExprs(items, d)
		}
		var outerOrder []stmt.Order
		for j := range extra {
			k := d.Label(fmt.Sprintf("dl_key_%d", j))
			items = append(items, k)
			outerOrder = append(outerOrder, k.Asc())
		}
		for _, o := range matchOrds {
			outerOrder = append(outerOrder, d.Col(tm.cols[o].col).Asc())
		}
		for _, o := range terms {
			outerOrder = append(outerOrder, orderTerm(d, o))
		}
		for _, o := range tm.pk {
			outerOrder = append(outerOrder, d.Col(tm.cols[o].col).Asc())
		}
		return stmt.Select(items...).From(d).Where(d.Label("dl_rn").Le(limit)).OrderBy(outerOrder...)
	}
}

func pairsArePK(r *spec.Relationship, tm *mapper) bool {
	for j, pr := range r.Pairs {
		if tm.ord(pr.Remote) != tm.pk[j] {
			return false
		}
	}
	return true
}

func identityOf(m *mapper, vals []any) identity {
	k, _ := keyOfValues(vals)
	return identity{m: m, k: k}
}

// selectInChunk runs one select-in query; extra key columns (many-to-many)
// follow the target's columns.
func (s *Session) selectInChunk(ctx context.Context, conn engine.Querier, tm *mapper, q *stmt.SelectStmt, extra int, each func(st *state, key []any)) (int, error) {
	if tm.poly != nil {
		return s.selectInPoly(ctx, conn, tm, q, extra, each)
	}
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := len(tm.cols)
	exprs := len(tm.exprs) > 0 && tm.exprsIn(q)
	var sink any
	if exprs {
		n += len(tm.exprs)
	}
	dest := make([]any, n+extra)
	keys := make([]any, extra)
	read := 0
	for rows.Next() {
		obj := s.newObject(tm)
		for i := range tm.cols {
			dest[i] = tm.cols[i].ptr(obj)
		}
		if exprs {
			tm.scanExprs(dest, obj, &sink)
		}
		for j := range keys {
			keys[j] = nil
			dest[n+j] = &keys[j]
		}
		if err := rows.Scan(dest...); err != nil {
			return read, err
		}
		if exprs {
			tm.fixExprs(obj)
		}
		st := s.track(tm, obj)
		if extra > 0 {
			each(st, keys)
		} else {
			each(st, nil)
		}
		read++
	}
	return read, rows.Close()
}

// setRel sets relationship i of st to kids and records the link snapshot.
func (s *Session) setRel(st *state, i int, rf *relField, kids []*state) {
	if rf.many {
		s.setRelInto(st, i, rf, kids, make([]unsafe.Pointer, len(kids)), make([]unsafe.Pointer, len(kids)))
		return
	}
	s.setRelInto(st, i, rf, kids, nil, nil)
}

// setRelInto is setRel with the storage of a collection supplied: ptrs
// (the value the object holds) and links (the link snapshot), each of
// len(kids), unused for a to-one relationship.
func (s *Session) setRelInto(st *state, i int, rf *relField, kids []*state, ptrs, links []unsafe.Pointer) {
	if rf.many {
		for j, k := range kids {
			ptrs[j] = k.obj
		}
		copy(links, ptrs)
		rf.setMany(st.obj, ptrs)
		st.setLinks(i, links)
	} else {
		var v unsafe.Pointer
		if len(kids) > 0 {
			v = kids[0].obj
		}
		rf.setOne(st.obj, v)
		st.setLinkOne(i, v)
	}
	// The inverse to-one side of each loaded child is known too: set it,
	// so post.Author is the loaded user without another query.
	if back := rf.rel.Back; back != nil && !back.UseList {
		if brf := rf.target.relIdx[back.Name]; brf != nil {
			bi := slices.Index(rf.target.rels, brf)
			for _, kst := range kids {
				k := kst.obj
				if kst.status != statusPersistent {
					continue
				}
				if kst.isLoaded(bi) && brf.getOne(k) != nil && brf.getOne(k) != st.obj {
					continue // the app moved it elsewhere: keep its change
				}
				brf.setOne(k, st.obj)
				kst.setLoaded(bi)
				kst.setLinkOne(bi, st.obj)
			}
		}
	}
}

// subColumn returns the column named name of a joined sub-model's own
// table (one of tm's mapped columns outside its root table), or nil.
func (tm *mapper) subColumn(name string) *spec.Column {
	for _, cf := range tm.cols {
		if cf.col != nil && cf.col.Table != tm.table && cf.col.Name == name {
			return cf.col
		}
	}
	return nil
}
