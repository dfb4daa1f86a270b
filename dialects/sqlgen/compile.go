package sqlgen

import (
	"errors"
	"fmt"
	"strconv"
	"unsafe"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// maxDepth bounds expression nesting, so a pathological tree is an error
// rather than a stack overflow.
const maxDepth = 2000

// state is one compilation in progress. States are pooled; the slices handed
// to a Compiled are never reused.
type state struct {
	g     *Base
	buf   []byte
	args  []any
	types []*spec.Type
	names []string
	cols  []dialects.ResultColumn
	// scopes holds, per enclosing query, the tables it brings into scope,
	// for correlated subqueries.
	scopes    [][]*stmt.Table
	noQualify bool
	inUpsert  bool
	depth     int
	// tbuf backs the inferred FROM lists of one compilation.
	tbuf []*stmt.Table

	// multi: raw text holding more than one statement.
	multi bool

	// recording: srcs gets, per placeholder, where its value came from
	// (a new shape for the compiled cache).
	recording bool
	srcs      []uint64
	// single: the top-level query returns at most one row.
	single bool
	key    keyer
}

func (st *state) reset(g *Base) {
	st.g = g
	st.buf = st.buf[:0]
	st.args, st.types, st.names, st.cols = nil, nil, nil, nil
	st.scopes = st.scopes[:0]
	st.tbuf = st.tbuf[:0]
	st.noQualify, st.inUpsert, st.depth, st.multi = false, false, 0, false
	st.recording, st.srcs, st.single = false, st.srcs[:0], false
	st.key.buf, st.key.vals, st.key.ptrs, st.key.depth = st.key.buf[:0], st.key.vals[:0], st.key.ptrs[:0], 0
	st.key.array = g.cfg.Features.Has(dialects.ArrayParams)
}

// Compile turns a statement into SQL text and arguments. A statement of a
// shape compiled before takes its SQL from the compiled cache (see
// cache.go).
func (g *Base) Compile(s stmt.Statement) (*dialects.Compiled, error) {
	st := g.pool.Get().(*state)
	st.reset(g)
	defer g.release(st)
	cached := g.cache.size > 0 && st.key.statement(s)
	if cached {
		if e := g.cache.get(st.key.buf); e != nil {
			return fromCache(e, st.key.vals), nil
		}
		st.recording = true
	}
	c := dialects.NewCompiled()
	st.args, st.types = c.Args, c.ArgTypes
	err := st.statement(s)
	if err == nil && len(st.args) > g.cfg.MaxParams {
		err = fmt.Errorf("%s: statement has %d parameters, more than the %d allowed; split it", g.cfg.Name, len(st.args), g.cfg.MaxParams)
	}
	if err != nil {
		c.Release()
		c = nil
	} else {
		c.SQL, c.Args, c.ArgTypes, c.Columns, c.ParamNames = string(st.buf), st.args, st.types, st.cols, st.names
		c.MultiStatement, c.SingleRow = st.multi, st.single
		if cached {
			if e := entryFor(c, st.srcs, st.key.vals, st.key.ptrs); e != nil {
				g.cache.put(st.key.buf, e)
			}
		}
	}
	return c, err
}

// release returns a state to the pool, keeping no reference to what it
// compiled.
func (g *Base) release(st *state) {
	st.args, st.types, st.names, st.cols = nil, nil, nil, nil
	clear(st.scopes[:cap(st.scopes)])
	clear(st.tbuf[:cap(st.tbuf)])
	clear(st.key.vals[:cap(st.key.vals)])
	clear(st.key.ptrs[:cap(st.key.ptrs)])
	if cap(st.buf) <= 64<<10 && cap(st.key.buf) <= 64<<10 && cap(st.key.vals) <= 4096 && cap(st.key.ptrs) <= 4096 && cap(st.srcs) <= 4096 {
		g.pool.Put(st)
	}
}

func (st *state) statement(s stmt.Statement) error {
	switch x := s.(type) {
	case *stmt.SelectStmt:
		if x == nil {
			break
		}
		return st.selectStmt(x, true)
	case *stmt.InsertStmt:
		if x == nil {
			break
		}
		return st.insertStmt(x)
	case *stmt.UpdateStmt:
		if x == nil {
			break
		}
		return st.updateStmt(x)
	case *stmt.DeleteStmt:
		if x == nil {
			break
		}
		return st.deleteStmt(x)
	case *stmt.TextStmt:
		if x == nil {
			break
		}
		return st.text(x.Parts())
	case nil:
	default:
		return fmt.Errorf("%s: cannot compile %T", st.g.cfg.Name, s)
	}
	return errors.New("compile: nil statement")
}

func (st *state) str(s string) { st.buf = append(st.buf, s...) }

func (st *state) ident(name string) error {
	if name == "" {
		return errors.New("compile: empty identifier")
	}
	for i := 0; i < len(name); i++ {
		if name[i] == 0 {
			return fmt.Errorf("compile: identifier %q contains a NUL byte", name)
		}
	}
	st.buf = st.g.appendIdent(st.buf, name)
	return nil
}

// addArg binds v; src says where it came from (see the compiled cache),
// recorded while a new shape is compiled.
func (st *state) addArg(v any, t *spec.Type, name string, src uint64) {
	if st.recording {
		st.srcs = append(st.srcs, src)
	}
	if name != "" && st.names == nil {
		st.names = make([]string, len(st.args), cap(st.args)+1)
	}
	st.args = append(st.args, v)
	st.types = append(st.types, t)
	if st.names != nil {
		st.names = append(st.names, name)
	}
	st.buf = st.g.appendPlaceholder(st.buf, len(st.args))
}

func (st *state) presize(n int) {
	if len(st.args) == 0 && cap(st.args) < n {
		st.args = make([]any, 0, n)
		st.types = make([]*spec.Type, 0, n)
	}
}

// tableRef writes a table in FROM/JOIN position, with its alias.
func (st *state) tableRef(t *stmt.Table) error {
	if t == nil {
		return errors.New("compile: nil table")
	}
	if err := t.Err(); err != nil {
		return err
	}
	if sub := t.Sub(); sub != nil {
		if err := st.subquery(sub); err != nil {
			return err
		}
	} else if err := st.ident(t.Spec().Name); err != nil {
		return err
	}
	if a := t.Alias(); a != "" {
		st.str(" AS ")
		return st.ident(a)
	}
	return nil
}

func tableOK(t *stmt.Table) error {
	if t == nil {
		return errors.New("compile: nil table")
	}
	return t.Err()
}

// ---- SELECT ----

func (st *state) selectStmt(s *stmt.SelectStmt, top bool) error {
	p := s.Parts()
	if p.Err != nil {
		return p.Err
	}
	if len(p.Items) == 0 {
		return errors.New("compile: SELECT of nothing")
	}
	from := p.From
	if len(from) == 0 {
		var err error
		if from, err = st.inferFrom(&p); err != nil {
			return err
		}
	}
	scope := from
	if len(p.Joins) > 0 {
		scope = make([]*stmt.Table, 0, len(from)+len(p.Joins))
		scope = append(scope, from...)
		for _, j := range p.Joins {
			scope = append(scope, j.Table)
		}
	}
	st.scopes = append(st.scopes, scope)
	defer func() { st.scopes = st.scopes[:len(st.scopes)-1] }()
	if top {
		st.single = (p.HasLimit && p.Limit <= 1) ||
			(len(from) == 1 && len(p.Joins) == 0 && len(p.GroupBy) == 0 && p.Having == nil && keyFixed(from[0], p.Where))
	}

	st.str("SELECT ")
	if p.Distinct {
		st.str("DISTINCT ")
	}
	if err := st.items(p.Items, top); err != nil {
		return err
	}
	if len(from) > 0 {
		st.str(" FROM ")
		for i, t := range from {
			if i > 0 {
				st.str(", ")
			}
			if err := st.tableRef(t); err != nil {
				return err
			}
		}
	} else if len(p.Joins) > 0 {
		return errors.New("compile: JOIN without a FROM table")
	}
	for _, j := range p.Joins {
		switch j.Kind {
		case stmt.InnerJoin:
			st.str(" JOIN ")
		case stmt.LeftJoin:
			st.str(" LEFT OUTER JOIN ")
		default:
			return errors.New("compile: invalid join kind")
		}
		if err := st.tableRef(j.Table); err != nil {
			return err
		}
		if j.On == nil {
			return fmt.Errorf("compile: JOIN %s without ON", j.Table.Name())
		}
		st.str(" ON ")
		if err := st.expr(j.On); err != nil {
			return err
		}
	}
	if p.Where != nil {
		st.str(" WHERE ")
		if err := st.expr(p.Where); err != nil {
			return err
		}
	}
	for i, e := range p.GroupBy {
		if i == 0 {
			st.str(" GROUP BY ")
		} else {
			st.str(", ")
		}
		if err := st.expr(unlabel(e)); err != nil {
			return err
		}
	}
	if p.Having != nil {
		st.str(" HAVING ")
		if err := st.expr(p.Having); err != nil {
			return err
		}
	}
	if err := st.orderBy(p.OrderBy); err != nil {
		return err
	}
	if p.HasLimit {
		st.str(" LIMIT ")
		st.buf = strconv.AppendInt(st.buf, p.Limit, 10)
	} else if p.HasOffset && st.g.cfg.OffsetOnlyLimit != "" {
		st.str(" LIMIT ")
		st.str(st.g.cfg.OffsetOnlyLimit)
	}
	if p.HasOffset {
		st.str(" OFFSET ")
		st.buf = strconv.AppendInt(st.buf, p.Offset, 10)
	}
	if p.Lock != stmt.LockNone && st.g.cfg.Features.Has(dialects.ForUpdate) {
		switch p.Lock {
		case stmt.LockForUpdate:
			st.str(" FOR UPDATE")
		case stmt.LockForUpdateNoWait:
			st.str(" FOR UPDATE NOWAIT")
		case stmt.LockForUpdateSkipLocked:
			st.str(" FOR UPDATE SKIP LOCKED")
		default:
			return errors.New("compile: invalid lock")
		}
	}
	return nil
}

// keyFixed reports whether where (ANDed terms) compares every primary-key
// column of t with "=" to a bound value or parameter.
func keyFixed(t *stmt.Table, where stmt.Expr) bool {
	if t == nil || t.Err() != nil || where == nil {
		return false
	}
	pk := t.Spec().PrimaryKey
	if len(pk) == 0 || len(pk) > 8 {
		return false
	}
	var fixed [8]bool
	var walk func(e stmt.Expr, depth int)
	walk = func(e stmt.Expr, depth int) {
		switch x := e.(type) {
		case *stmt.BoolExpr:
			if x != nil && !x.Or && depth < 8 {
				for _, term := range x.Terms {
					walk(term, depth+1)
				}
			}
		case *stmt.BinaryExpr:
			if x == nil || x.Op != stmt.OpEq {
				return
			}
			c, ok := x.L.(*stmt.Column)
			if !ok || c == nil || c.Err != nil || !c.Table.Same(t) {
				return
			}
			switch r := x.R.(type) {
			case *stmt.Value:
				if r == nil {
					return
				}
			case *stmt.Param:
				if r == nil {
					return
				}
			default:
				return
			}
			for i, k := range pk {
				if k == c.Spec {
					fixed[i] = true
				}
			}
		}
	}
	walk(where, 0)
	for i := range pk {
		if !fixed[i] {
			return false
		}
	}
	return true
}

func unlabel(e stmt.Expr) stmt.Expr {
	if l, ok := e.(*stmt.LabelExpr); ok && l != nil {
		return l.X
	}
	return e
}

// items writes a select or returning list, collecting result columns when
// collect is set.
func (st *state) items(items []stmt.Selectable, collect bool) error {
	if collect && len(items) > 1 {
		st.cols = make([]dialects.ResultColumn, 0, len(items)+4)
	}
	for i, it := range items {
		if i > 0 {
			st.str(", ")
		}
		switch x := it.(type) {
		case *stmt.Table:
			if err := tableOK(x); err != nil {
				return err
			}
			t := x.Spec()
			for j, c := range t.Columns {
				if j > 0 {
					st.str(", ")
				}
				if err := st.column(x, c); err != nil {
					return err
				}
			}
			if collect {
				if len(items) == 1 {
					st.cols = st.g.tableColumns(t)
				} else {
					st.cols = append(st.cols, st.g.tableColumns(t)...)
				}
			}
		case *stmt.LabelExpr:
			if x == nil {
				return errors.New("compile: nil label")
			}
			if err := st.expr(x.X); err != nil {
				return err
			}
			st.str(" AS ")
			if err := st.ident(x.Name); err != nil {
				return fmt.Errorf("compile: label: %w", err)
			}
			if collect {
				rc := dialects.ResultColumn{Name: x.Name, Type: stmt.TypeOf(x.X)}
				if c, ok := x.X.(*stmt.Column); ok && c != nil {
					rc.Column = c.Spec
				}
				st.cols = append(st.cols, rc)
			}
		case stmt.Expr:
			if err := st.expr(x); err != nil {
				return err
			}
			if collect {
				rc := dialects.ResultColumn{Type: stmt.TypeOf(x)}
				if c, ok := x.(*stmt.Column); ok {
					rc.Name, rc.Column = c.Spec.Name, c.Spec
				}
				st.cols = append(st.cols, rc)
			}
		default:
			return fmt.Errorf("compile: cannot select %T", it)
		}
	}
	return nil
}

func (st *state) orderBy(terms []stmt.Order) error {
	emulate := !st.g.cfg.Features.Has(dialects.NullsOrdering)
	for i, o := range terms {
		if i == 0 {
			st.str(" ORDER BY ")
		} else {
			st.str(", ")
		}
		if o.X == nil {
			return errors.New("compile: ORDER BY nil")
		}
		term := func() error {
			if l, ok := o.X.(*stmt.LabelExpr); ok && l != nil {
				return st.ident(l.Name)
			}
			return st.operand(o.X)
		}
		if o.Nulls != stmt.NullsDefault && emulate {
			// x IS NULL is 1 for NULL: ascending puts NULLs last.
			if err := term(); err != nil {
				return err
			}
			if o.Nulls == stmt.NullsFirst {
				st.str(" IS NULL DESC, ")
			} else {
				st.str(" IS NULL, ")
			}
		}
		if err := term(); err != nil {
			return err
		}
		if o.Desc {
			st.str(" DESC")
		}
		if !emulate {
			switch o.Nulls {
			case stmt.NullsFirst:
				st.str(" NULLS FIRST")
			case stmt.NullsLast:
				st.str(" NULLS LAST")
			}
		}
	}
	return nil
}

// inferFrom lists the tables a SELECT uses, in order of first use, less the
// joined ones and, for a correlated subquery, less those of enclosing queries
// (unless that would leave none).
func (st *state) inferFrom(p *stmt.SelectParts) ([]*stmt.Table, error) {
	start := len(st.tbuf)
	found := st.tbuf[start:start]
	defer func() {
		if cap(found) > cap(st.tbuf[start:]) {
			// found moved to a new array: later lists append after it
			// there, leaving the lists still in use in the old one alone.
			st.tbuf = found
			return
		}
		st.tbuf = st.tbuf[:start+len(found)]
	}()
	var err error
	add := func(t *stmt.Table) {
		if t == nil {
			return
		}
		if e := t.Err(); e != nil {
			if err == nil {
				err = e
			}
			return
		}
		for _, f := range found {
			if f.Same(t) {
				return
			}
		}
		for _, j := range p.Joins {
			if j.Table.Same(t) {
				return
			}
		}
		found = append(found, t)
	}
	for _, it := range p.Items {
		if t, ok := it.(*stmt.Table); ok {
			add(t)
		} else if e, ok := it.(stmt.Expr); ok {
			walkTables(e, add, 0)
		}
	}
	walkTables(p.Where, add, 0)
	for _, e := range p.GroupBy {
		walkTables(e, add, 0)
	}
	walkTables(p.Having, add, 0)
	for _, o := range p.OrderBy {
		walkTables(o.X, add, 0)
	}
	if err != nil {
		return nil, err
	}
	if len(st.scopes) > 0 && len(found) > 0 {
		kept := found[:0:0]
		for _, t := range found {
			if !st.inScope(t) {
				kept = append(kept, t)
			}
		}
		if len(kept) > 0 || len(p.Joins) > 0 {
			found = kept
		}
	}
	if len(found) == 0 && len(p.Joins) > 0 {
		return nil, errors.New("compile: JOIN without a FROM table; use From")
	}
	return found, nil
}

func (st *state) inScope(t *stmt.Table) bool {
	for _, sc := range st.scopes {
		for _, u := range sc {
			if u.Same(t) {
				return true
			}
		}
	}
	return false
}

// walkTables calls add for every table an expression's columns belong to,
// not descending into subqueries (they have their own FROM).
func walkTables(e stmt.Expr, add func(*stmt.Table), depth int) {
	if depth > maxDepth {
		return
	}
	depth++
	switch x := e.(type) {
	case *stmt.Column:
		if x != nil {
			add(x.Table)
		}
	case *stmt.BinaryExpr:
		if x != nil {
			walkTables(x.L, add, depth)
			walkTables(x.R, add, depth)
		}
	case *stmt.BoolExpr:
		if x != nil {
			for _, t := range x.Terms {
				walkTables(t, add, depth)
			}
		}
	case *stmt.NotExpr:
		if x != nil {
			walkTables(x.X, add, depth)
		}
	case *stmt.InExpr:
		if x != nil {
			walkTables(x.X, add, depth)
			for _, v := range x.Values {
				walkTables(v, add, depth)
			}
		}
	case *stmt.BetweenExpr:
		if x != nil {
			walkTables(x.X, add, depth)
			walkTables(x.Lo, add, depth)
			walkTables(x.Hi, add, depth)
		}
	case *stmt.LikeExpr:
		if x != nil {
			walkTables(x.X, add, depth)
			walkTables(x.Pattern, add, depth)
		}
	case *stmt.NullExpr:
		if x != nil {
			walkTables(x.X, add, depth)
		}
	case *stmt.FuncExpr:
		if x != nil {
			for _, a := range x.Args {
				walkTables(a, add, depth)
			}
		}
	case *stmt.LabelExpr:
		if x != nil {
			walkTables(x.X, add, depth)
		}
	case *stmt.TupleExpr:
		if x != nil {
			for _, it := range x.Items {
				walkTables(it, add, depth)
			}
		}
	}
}

// ---- expressions ----

// compound reports whether e needs parentheses as an operand.
func compound(e stmt.Expr) bool {
	switch e.(type) {
	case *stmt.BinaryExpr, *stmt.BoolExpr, *stmt.NotExpr, *stmt.InExpr, *stmt.BetweenExpr,
		*stmt.LikeExpr, *stmt.NullExpr, *stmt.ExistsExpr:
		return true
	}
	return false
}

func (st *state) operand(e stmt.Expr) error {
	if compound(e) {
		st.str("(")
		if err := st.expr(e); err != nil {
			return err
		}
		st.str(")")
		return nil
	}
	return st.expr(e)
}

func (st *state) column(t *stmt.Table, c *spec.Column) error {
	if !st.noQualify {
		if err := st.ident(t.Name()); err != nil {
			return err
		}
		st.str(".")
	}
	return st.ident(c.Name)
}

// window writes ROW_NUMBER() OVER (PARTITION BY … ORDER BY …).
func (st *state) window(w *stmt.WindowExpr) error {
	if w == nil {
		return errors.New("compile: nil window expression")
	}
	if !st.g.cfg.Features.Has(dialects.WindowFunctions) {
		return errors.New("compile: the dialect has no window functions")
	}
	st.str("ROW_NUMBER() OVER (")
	for i, e := range w.PartitionBy {
		if i == 0 {
			st.str("PARTITION BY ")
		} else {
			st.str(", ")
		}
		if e == nil {
			return errors.New("compile: PARTITION BY nil")
		}
		if err := st.operand(e); err != nil {
			return err
		}
	}
	if len(w.OrderBy) > 0 {
		if len(w.PartitionBy) > 0 {
			st.str(" ")
		}
		// orderBy writes the leading " ORDER BY "; trim its space.
		mark := len(st.buf)
		if err := st.orderBy(w.OrderBy); err != nil {
			return err
		}
		st.buf = append(st.buf[:mark], st.buf[mark+1:]...)
	}
	st.str(")")
	return nil
}

func (st *state) subquery(s *stmt.SelectStmt) error {
	if s == nil {
		return errors.New("compile: nil subquery")
	}
	st.str("(")
	noq := st.noQualify
	st.noQualify = false
	err := st.selectStmt(s, false)
	st.noQualify = noq
	st.str(")")
	return err
}

func (st *state) expr(e stmt.Expr) error {
	st.depth++
	defer func() { st.depth-- }()
	if st.depth > maxDepth {
		return errors.New("compile: expression nested too deeply")
	}
	switch x := e.(type) {
	case *stmt.Column:
		switch {
		case x == nil:
			return errors.New("compile: nil column")
		case x.Err != nil:
			return x.Err
		case x.Spec == nil || x.Table == nil:
			return errors.New("compile: unresolved column")
		}
		if err := x.Table.Err(); err != nil {
			return err
		}
		return st.column(x.Table, x.Spec)
	case *stmt.Value:
		if x == nil {
			return errors.New("compile: nil value")
		}
		st.addArg(x.V, x.Type, "", ptrSrc(unsafe.Pointer(x)))
	case *stmt.Param:
		if x == nil || x.Name == "" {
			return errors.New("compile: unnamed parameter")
		}
		st.addArg(nil, x.Type, x.Name, ptrSrc(unsafe.Pointer(x)))
	case *stmt.BinaryExpr:
		if x == nil || x.Op.SQL() == "" || x.L == nil || x.R == nil {
			return errors.New("compile: incomplete binary expression")
		}
		if err := st.operand(x.L); err != nil {
			return err
		}
		st.str(x.Op.SQL())
		return st.operand(x.R)
	case *stmt.BoolExpr:
		if x == nil {
			return errors.New("compile: nil condition")
		}
		if len(x.Terms) == 0 {
			if x.Or {
				st.str("1 = 0")
			} else {
				st.str("1 = 1")
			}
			return nil
		}
		sep := " AND "
		if x.Or {
			sep = " OR "
		}
		for i, t := range x.Terms {
			if i > 0 {
				st.str(sep)
			}
			if t == nil {
				return errors.New("compile: nil condition")
			}
			// Comparisons bind tighter than AND and OR everywhere; only
			// nested AND/OR groups need parentheses.
			if _, ok := t.(*stmt.BoolExpr); ok {
				if err := st.operand(t); err != nil {
					return err
				}
			} else if err := st.expr(t); err != nil {
				return err
			}
		}
	case *stmt.NotExpr:
		if x == nil || x.X == nil {
			return errors.New("compile: NOT of nothing")
		}
		st.str("NOT ")
		return st.operand(x.X)
	case *stmt.InExpr:
		return st.in(x)
	case *stmt.BetweenExpr:
		if x == nil || x.X == nil || x.Lo == nil || x.Hi == nil {
			return errors.New("compile: incomplete BETWEEN")
		}
		if err := st.operand(x.X); err != nil {
			return err
		}
		if x.Not {
			st.str(" NOT")
		}
		st.str(" BETWEEN ")
		if err := st.operand(x.Lo); err != nil {
			return err
		}
		st.str(" AND ")
		return st.operand(x.Hi)
	case *stmt.LikeExpr:
		return st.like(x)
	case *stmt.NullExpr:
		if x == nil || x.X == nil {
			return errors.New("compile: IS NULL of nothing")
		}
		if err := st.operand(x.X); err != nil {
			return err
		}
		if x.Not {
			st.str(" IS NOT NULL")
		} else {
			st.str(" IS NULL")
		}
	case *stmt.FuncExpr:
		return st.fn(x)
	case *stmt.WindowExpr:
		return st.window(x)
	case *stmt.LabelExpr:
		if x == nil {
			return errors.New("compile: nil label")
		}
		return st.expr(x.X)
	case *stmt.ExistsExpr:
		if x == nil {
			return errors.New("compile: nil EXISTS")
		}
		if x.Not {
			st.str("NOT ")
		}
		st.str("EXISTS ")
		return st.subquery(x.Sub)
	case *stmt.SubqueryExpr:
		if x == nil {
			return errors.New("compile: nil subquery")
		}
		return st.subquery(x.Sub)
	case *stmt.ExcludedExpr:
		if x == nil || x.Col == nil {
			return errors.New("compile: nil excluded column")
		}
		if !st.inUpsert {
			return errors.New("compile: Excluded outside an upsert's update list")
		}
		if st.g.cfg.ExcludedFunc {
			st.str("VALUES(")
			if err := st.ident(x.Col.Name); err != nil {
				return err
			}
			st.str(")")
			return nil
		}
		st.str("excluded.")
		return st.ident(x.Col.Name)
	case *stmt.TupleExpr:
		if x == nil || len(x.Items) == 0 {
			return errors.New("compile: empty tuple")
		}
		st.str("(")
		for i, it := range x.Items {
			if i > 0 {
				st.str(", ")
			}
			if err := st.expr(it); err != nil {
				return err
			}
		}
		st.str(")")
	case *stmt.ErrExpr:
		if x == nil || x.Err == nil {
			return errors.New("compile: invalid expression")
		}
		return x.Err
	case nil:
		return errors.New("compile: nil expression")
	default:
		return fmt.Errorf("compile: unknown expression %T", e)
	}
	return nil
}

func (st *state) in(x *stmt.InExpr) error {
	if x == nil || x.X == nil {
		return errors.New("compile: IN of nothing")
	}
	if x.Sub == nil && len(x.Values) == 0 {
		// x IN () is not SQL; an empty set matches nothing.
		if x.Not {
			st.str("1 = 1")
		} else {
			st.str("1 = 0")
		}
		return nil
	}
	if err := st.operand(x.X); err != nil {
		return err
	}
	if x.Array && !x.Not && x.Sub == nil && st.key.array {
		if arr, ok := arrayArg(x.Values); ok {
			st.str(" = ANY(")
			st.addArg(arr, nil, "", ptrSrc(unsafe.Pointer(x)))
			st.str(")")
			return nil
		}
	}
	if x.Not {
		st.str(" NOT IN ")
	} else {
		st.str(" IN ")
	}
	if x.Sub != nil {
		return st.subquery(x.Sub)
	}
	st.str("(")
	for i, v := range x.Values {
		if i > 0 {
			st.str(", ")
		}
		if err := st.operand(v); err != nil {
			return err
		}
	}
	st.str(")")
	return nil
}

func (st *state) like(x *stmt.LikeExpr) error {
	if x == nil || x.X == nil || x.Pattern == nil {
		return errors.New("compile: incomplete LIKE")
	}
	if x.Escape != 0 && (x.Escape < 0x21 || x.Escape > 0x7e || x.Escape == '\'' || x.Escape == '\\' || x.Escape == st.g.cfg.Quote) {
		return fmt.Errorf("compile: LIKE escape character %q is not allowed", x.Escape)
	}
	native := st.g.cfg.Features.Has(dialects.ILike)
	lower := x.Fold && !native
	fold := st.g.cfg.FoldFunc
	if fold == "" {
		fold = "LOWER"
	}
	if lower {
		st.str(fold)
		st.str("(")
		if err := st.expr(x.X); err != nil {
			return err
		}
		st.str(")")
	} else if err := st.operand(x.X); err != nil {
		return err
	}
	if x.Not {
		st.str(" NOT")
	}
	if x.Fold && native {
		st.str(" ILIKE ")
	} else {
		st.str(" LIKE ")
	}
	if lower {
		st.str(fold)
		st.str("(")
		if err := st.expr(x.Pattern); err != nil {
			return err
		}
		st.str(")")
	} else if err := st.operand(x.Pattern); err != nil {
		return err
	}
	if x.Escape != 0 {
		st.str(" ESCAPE '")
		st.buf = append(st.buf, x.Escape)
		st.str("'")
	}
	return nil
}

func (st *state) fn(x *stmt.FuncExpr) error {
	if x == nil || x.Fn.SQL() == "" {
		return errors.New("compile: invalid function")
	}
	st.str(x.Fn.SQL())
	st.str("(")
	switch {
	case x.Star:
		if x.Fn != stmt.FnCount || len(x.Args) > 0 {
			return errors.New("compile: * is only an argument of COUNT")
		}
		st.str("*")
	case x.Fn == stmt.FnCoalesce && len(x.Args) == 0,
		x.Fn != stmt.FnCoalesce && len(x.Args) != 1:
		return fmt.Errorf("compile: %s takes %s", x.Fn.SQL(), map[bool]string{true: "arguments", false: "one argument"}[x.Fn == stmt.FnCoalesce])
	default:
		if x.Distinct {
			st.str("DISTINCT ")
		}
		for i, a := range x.Args {
			if i > 0 {
				st.str(", ")
			}
			if err := st.expr(a); err != nil {
				return err
			}
		}
	}
	st.str(")")
	return nil
}

// ---- INSERT / UPDATE / DELETE ----

func (st *state) insertStmt(s *stmt.InsertStmt) error {
	p := s.Parts()
	if p.Err != nil {
		return p.Err
	}
	if err := tableOK(p.Table); err != nil {
		return err
	}
	t := p.Table.Spec()
	n := len(p.Rows) * len(p.Columns)
	if n > st.g.cfg.MaxParams {
		return fmt.Errorf("%s: insert of %d rows × %d columns needs %d parameters, more than the %d allowed; split it",
			st.g.cfg.Name, len(p.Rows), len(p.Columns), n, st.g.cfg.MaxParams)
	}
	if len(p.Returning) > 0 && !st.g.cfg.Features.InsertReturns() {
		return fmt.Errorf("%s: INSERT … RETURNING: %w", st.g.cfg.Name, dialects.ErrUnsupported)
	}
	st.presize(n)
	if cap(st.buf) < 32+n*8 {
		st.buf = make([]byte, 0, 64+n*8+len(p.Columns)*16)
	}
	st.str("INSERT INTO ")
	if err := st.ident(t.Name); err != nil {
		return err
	}
	st.scopes = append(st.scopes, []*stmt.Table{p.Table})
	if len(p.Columns) == 0 {
		if len(p.Rows) > 1 {
			return errors.New("compile: INSERT of several rows without columns")
		}
		st.str(" ")
		st.str(st.g.cfg.DefaultValuesInsert)
	} else {
		if len(p.Rows) == 0 {
			return errors.New("compile: INSERT without values")
		}
		st.str(" (")
		for i, c := range p.Columns {
			if i > 0 {
				st.str(", ")
			}
			if c == nil || c.Table != t {
				return fmt.Errorf("compile: INSERT into %q of a column of another table", t.Name)
			}
			if err := st.ident(c.Name); err != nil {
				return err
			}
		}
		st.str(") VALUES ")
		if n >= 16 && len(st.args) == 0 && plainRows(p.Rows, len(p.Columns)) {
			// Bulk path: the placeholder list depends only on the shape,
			// so it is cached; the values are copied in one pass.
			st.str(st.g.valuesList(len(p.Columns), len(p.Rows)))
			for r, row := range p.Rows {
				st.args = append(st.args, row...)
				if st.recording {
					for c := range row {
						st.srcs = append(st.srcs, rowSrc(r, c))
					}
				}
				for _, c := range p.Columns {
					st.types = append(st.types, &c.Type)
				}
			}
		} else {
			if err := st.rows(p.Columns, p.Rows); err != nil {
				return err
			}
		}
	}
	if p.Upsert != nil {
		if err := st.upsert(p.Table, p.Upsert, p.Columns); err != nil {
			return err
		}
	}
	return st.returning(p.Returning)
}

// plainRows reports whether every row has ncols values and none is an
// expression.
func plainRows(rows [][]any, ncols int) bool {
	for _, row := range rows {
		if len(row) != ncols {
			return false
		}
		for _, v := range row {
			switch v.(type) {
			case stmt.Expr, *stmt.SelectStmt:
				return false
			}
		}
	}
	return true
}

type shape struct{ cols, rows int }

// valuesList returns "(?, ?), (?, ?)" (or $n markers) for a shape, cached.
func (g *Base) valuesList(cols, rows int) string {
	k := shape{cols, rows}
	if v, ok := g.values.Load(k); ok {
		return v.(string)
	}
	b := make([]byte, 0, cols*rows*8)
	n := 0
	for r := 0; r < rows; r++ {
		if r > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '(')
		for c := 0; c < cols; c++ {
			if c > 0 {
				b = append(b, ", "...)
			}
			n++
			b = g.appendPlaceholder(b, n)
		}
		b = append(b, ')')
	}
	s := string(b)
	if g.nvalues.Add(1) <= 1024 {
		g.values.Store(k, s)
	}
	return s
}

func (st *state) rows(cols []*spec.Column, rows [][]any) error {
	{
		for r, row := range rows {
			if r > 0 {
				st.str(", ")
			}
			if len(row) != len(cols) {
				return fmt.Errorf("compile: INSERT row %d has %d values for %d columns", r, len(row), len(cols))
			}
			st.str("(")
			for i, v := range row {
				if i > 0 {
					st.str(", ")
				}
				if err := st.value(v, &cols[i].Type, rowSrc(r, i)); err != nil {
					return err
				}
			}
			st.str(")")
		}
	}
	return nil
}

// value writes an inserted or assigned value: a bound Go value typed by its
// column, or an expression.
func (st *state) value(v any, t *spec.Type, src uint64) error {
	switch x := v.(type) {
	case stmt.Expr:
		if vv, ok := x.(*stmt.Value); ok && vv != nil && vv.Type == nil {
			st.addArg(vv.V, t, "", ptrSrc(unsafe.Pointer(vv)))
			return nil
		}
		if pp, ok := x.(*stmt.Param); ok && pp != nil && pp.Name != "" && pp.Type == nil {
			st.addArg(nil, t, pp.Name, ptrSrc(unsafe.Pointer(pp)))
			return nil
		}
		return st.expr(x)
	case *stmt.SelectStmt:
		return st.subquery(x)
	}
	st.addArg(v, t, "", src)
	return nil
}

func (st *state) upsert(tbl *stmt.Table, u *stmt.Upsert, inserted []*spec.Column) error {
	t := tbl.Spec()
	target := u.Target
	if len(target) == 0 {
		target = t.PrimaryKey
	}
	f := st.g.cfg.Features
	switch {
	case f.Has(dialects.UpsertOnConflict):
		st.str(" ON CONFLICT")
		if len(target) > 0 {
			st.str(" (")
			for i, c := range target {
				if i > 0 {
					st.str(", ")
				}
				if err := st.ident(c.Name); err != nil {
					return err
				}
			}
			st.str(")")
		} else if !u.DoNothing {
			return fmt.Errorf("compile: upsert into %q: no conflict target and no primary key", t.Name)
		}
		if u.DoNothing || len(u.Set) == 0 {
			st.str(" DO NOTHING")
			return nil
		}
		st.str(" DO UPDATE SET ")
	case f.Has(dialects.UpsertOnDuplicateKey):
		st.str(" ON DUPLICATE KEY UPDATE ")
		if u.DoNothing || len(u.Set) == 0 {
			// A no-op assignment: the conflicting row is left as it is.
			c := firstOf(target, inserted, t.Columns)
			if c == nil {
				return fmt.Errorf("compile: upsert into %q: no column", t.Name)
			}
			if err := st.ident(c.Name); err != nil {
				return err
			}
			st.str(" = ")
			return st.ident(c.Name)
		}
	default:
		return fmt.Errorf("%s: upsert: %w", st.g.cfg.Name, dialects.ErrUnsupported)
	}
	st.inUpsert = true
	defer func() { st.inUpsert = false }()
	return st.assignments(t, u.Set)
}

func firstOf(lists ...[]*spec.Column) *spec.Column {
	for _, l := range lists {
		if len(l) > 0 {
			return l[0]
		}
	}
	return nil
}

func (st *state) assignments(t *spec.Table, set []stmt.Assignment) error {
	for i, a := range set {
		if i > 0 {
			st.str(", ")
		}
		if ee, ok := a.Value.(*stmt.ErrExpr); ok && ee != nil && ee.Err != nil {
			return ee.Err
		}
		if a.Column == nil || a.Column.Table != t {
			return fmt.Errorf("compile: assignment to a column not of table %q", t.Name)
		}
		if err := st.ident(a.Column.Name); err != nil {
			return err
		}
		st.str(" = ")
		if a.Value == nil {
			st.addArg(nil, &a.Column.Type, "", 0)
			continue
		}
		if err := st.value(a.Value, &a.Column.Type, 0); err != nil {
			return err
		}
	}
	return nil
}

func (st *state) returning(items []stmt.Selectable) error {
	if len(items) == 0 {
		return nil
	}
	// The callers checked the dialect's features for their statement kind.
	st.str(" RETURNING ")
	st.noQualify = true
	defer func() { st.noQualify = false }()
	return st.items(items, true)
}

func (st *state) updateStmt(s *stmt.UpdateStmt) error {
	p := s.Parts()
	if p.Err != nil {
		return p.Err
	}
	if err := tableOK(p.Table); err != nil {
		return err
	}
	if len(p.Set) == 0 {
		return errors.New("compile: UPDATE without SET")
	}
	if len(p.Returning) > 0 && !st.g.cfg.Features.Has(dialects.Returning) {
		return fmt.Errorf("%s: UPDATE … RETURNING: %w", st.g.cfg.Name, dialects.ErrUnsupported)
	}
	t := p.Table.Spec()
	st.presize(len(p.Set) + 1)
	st.str("UPDATE ")
	if err := st.ident(t.Name); err != nil {
		return err
	}
	st.scopes = append(st.scopes, []*stmt.Table{p.Table})
	st.str(" SET ")
	if err := st.assignments(t, p.Set); err != nil {
		return err
	}
	if p.Where != nil {
		st.str(" WHERE ")
		if err := st.expr(p.Where); err != nil {
			return err
		}
	}
	return st.returning(p.Returning)
}

func (st *state) deleteStmt(s *stmt.DeleteStmt) error {
	p := s.Parts()
	if p.Err != nil {
		return p.Err
	}
	if err := tableOK(p.Table); err != nil {
		return err
	}
	if len(p.Returning) > 0 && !st.g.cfg.Features.Has(dialects.Returning) {
		return fmt.Errorf("%s: DELETE … RETURNING: %w", st.g.cfg.Name, dialects.ErrUnsupported)
	}
	st.str("DELETE FROM ")
	if err := st.ident(p.Table.Spec().Name); err != nil {
		return err
	}
	st.scopes = append(st.scopes, []*stmt.Table{p.Table})
	if p.Where != nil {
		st.str(" WHERE ")
		if err := st.expr(p.Where); err != nil {
			return err
		}
	}
	return st.returning(p.Returning)
}
