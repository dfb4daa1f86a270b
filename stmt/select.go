package stmt

import (
	"errors"
	"fmt"
	"slices"

	"github.com/dlayer/dlayer/spec"
)

// JoinKind is INNER or LEFT (OUTER).
type JoinKind uint8

// The join kinds.
const (
	InnerJoin JoinKind = iota + 1
	LeftJoin
)

// Join is one JOIN of a SELECT.
type Join struct {
	Kind  JoinKind
	Table *Table
	On    Expr
}

// Lock is a row-locking clause of a SELECT.
type Lock uint8

// The locks. Dialects without the ForUpdate feature (SQLite, whose write
// transactions lock the whole database) compile them to nothing.
const (
	LockNone Lock = iota
	LockForUpdate
	LockForUpdateNoWait
	LockForUpdateSkipLocked
)

// SelectParts are the clauses of a SELECT, for compilers. Slices are shared
// with the statement: do not modify them.
type SelectParts struct {
	Items []Selectable
	// From lists tables given explicitly; when empty the compiler infers FROM
	// from the tables the items and conditions use, less joined ones (and
	// less tables of an enclosing query, for correlated subqueries).
	From     []*Table
	Joins    []Join
	Where    Expr
	GroupBy  []Expr
	Having   Expr
	OrderBy  []Order
	Limit    int64
	Offset   int64
	HasLimit bool
	// HasOffset is set when Offset was given.
	HasOffset bool
	Distinct  bool
	Lock      Lock
	// Err is the first error met while building.
	Err error
}

// SelectStmt is an immutable SELECT; every method returns a new statement.
type SelectStmt struct{ p SelectParts }

func (*SelectStmt) statement() {}

// Select starts a SELECT of items: tables (all their columns), columns and
// expressions.
func Select(items ...Selectable) *SelectStmt {
	s := &SelectStmt{p: SelectParts{Items: slices.Clip(items)}}
	for _, it := range items {
		if it == nil {
			s.p.Err = errors.New("stmt.Select: nil item")
			break
		}
	}
	return s
}

// Parts returns the statement's clauses.
func (s *SelectStmt) Parts() SelectParts { return s.p }

// Err returns the first error met while building the statement (errors
// inside expressions surface when compiling).
func (s *SelectStmt) Err() error { return s.p.Err }

func (s *SelectStmt) clone() *SelectStmt {
	c := *s
	return &c
}

func (s *SelectStmt) fail(err error) *SelectStmt {
	c := s.clone()
	if c.p.Err == nil {
		c.p.Err = err
	}
	return c
}

// Columns returns s with more items appended to the select list.
func (s *SelectStmt) Columns(items ...Selectable) *SelectStmt {
	c := s.clone()
	c.p.Items = append(slices.Clip(c.p.Items), items...)
	return c
}

// From returns s with explicit FROM tables.
func (s *SelectStmt) From(tables ...*Table) *SelectStmt {
	c := s.clone()
	c.p.From = append(slices.Clip(c.p.From), tables...)
	return c
}

// Join returns s with an INNER JOIN of t ON on.
func (s *SelectStmt) Join(t *Table, on Expr) *SelectStmt {
	c := s.clone()
	c.p.Joins = append(slices.Clip(c.p.Joins), Join{Kind: InnerJoin, Table: t, On: on})
	return c
}

// LeftJoin returns s with a LEFT OUTER JOIN of t ON on.
func (s *SelectStmt) LeftJoin(t *Table, on Expr) *SelectStmt {
	c := s.clone()
	c.p.Joins = append(slices.Clip(c.p.Joins), Join{Kind: LeftJoin, Table: t, On: on})
	return c
}

// JoinRel returns s with an INNER JOIN from left along its model's
// relationship rel to target (nil means the related model's table,
// unaliased). A many-to-many relationship joins its secondary table too.
func (s *SelectStmt) JoinRel(left *Table, rel string, target *Table) *SelectStmt {
	return s.joinRel(InnerJoin, left, rel, target)
}

// LeftJoinRel is JoinRel with LEFT OUTER JOINs.
func (s *SelectStmt) LeftJoinRel(left *Table, rel string, target *Table) *SelectStmt {
	return s.joinRel(LeftJoin, left, rel, target)
}

func (s *SelectStmt) joinRel(kind JoinKind, left *Table, rel string, target *Table) *SelectStmt {
	joins, err := RelJoins(kind, left, rel, target)
	if err != nil {
		return s.fail(err)
	}
	c := s.clone()
	c.p.Joins = append(slices.Clip(c.p.Joins), joins...)
	return c
}

// RelJoins returns the joins that go from left along its model's
// relationship rel to target (nil: the related table, unaliased).
func RelJoins(kind JoinKind, left *Table, rel string, target *Table) ([]Join, error) {
	if err := left.Err(); err != nil {
		return nil, err
	}
	m := left.t.Model
	if m == nil {
		return nil, fmt.Errorf("%w: table %q is not a model's table, so has no relationship %q", ErrUnknown, left.t.Name, rel)
	}
	r := m.Relationship(rel)
	if r == nil {
		return nil, fmt.Errorf("%w: model %q has no relationship %q", ErrUnknown, m.Name, rel)
	}
	if r.Target == nil || r.Target.Table == nil || len(r.Pairs) == 0 {
		return nil, fmt.Errorf("relationship %s.%s is not linked", m.Name, rel)
	}
	if target == nil {
		target = Ref(r.Target.Table)
	}
	if err := target.Err(); err != nil {
		return nil, err
	}
	if target.t != r.Target.Table {
		return nil, fmt.Errorf("relationship %s.%s targets %q, not %q", m.Name, rel, r.Target.Table.Name, target.t.Name)
	}
	on := func(l, rt *Table, pairs []spec.ColumnPair) Expr {
		terms := make([]Expr, len(pairs))
		for i, p := range pairs {
			terms[i] = Eq(l.Col(p.Local), rt.Col(p.Remote))
		}
		return And(terms...)
	}
	if r.Secondary == nil {
		return []Join{{Kind: kind, Table: target, On: on(left, target, r.Pairs)}}, nil
	}
	sec := Ref(r.Secondary)
	if len(r.SecondaryPairs) == 0 {
		return nil, fmt.Errorf("relationship %s.%s is not linked to its secondary table", m.Name, rel)
	}
	// Pairs: Local on the owner, Remote on Secondary. SecondaryPairs: Local
	// on Secondary, Remote on the target.
	return []Join{
		{Kind: kind, Table: sec, On: on(left, sec, r.Pairs)},
		{Kind: kind, Table: target, On: on(sec, target, r.SecondaryPairs)},
	}, nil
}

// Where returns s with conds ANDed to its WHERE clause.
func (s *SelectStmt) Where(conds ...Expr) *SelectStmt {
	c := s.clone()
	c.p.Where = andWith(c.p.Where, conds)
	return c
}

// Having returns s with conds ANDed to its HAVING clause.
func (s *SelectStmt) Having(conds ...Expr) *SelectStmt {
	c := s.clone()
	c.p.Having = andWith(c.p.Having, conds)
	return c
}

// GroupBy returns s with more GROUP BY expressions.
func (s *SelectStmt) GroupBy(exprs ...Expr) *SelectStmt {
	c := s.clone()
	c.p.GroupBy = append(slices.Clip(c.p.GroupBy), exprs...)
	return c
}

// OrderBy returns s with more ORDER BY terms.
func (s *SelectStmt) OrderBy(terms ...Order) *SelectStmt {
	c := s.clone()
	c.p.OrderBy = append(slices.Clip(c.p.OrderBy), terms...)
	return c
}

// Limit returns s with LIMIT n (n < 0 is an error at compile time).
func (s *SelectStmt) Limit(n int) *SelectStmt {
	if n < 0 {
		return s.fail(fmt.Errorf("stmt: negative LIMIT %d", n))
	}
	c := s.clone()
	c.p.Limit, c.p.HasLimit = int64(n), true
	return c
}

// Offset returns s with OFFSET n (n < 0 is an error at compile time).
func (s *SelectStmt) Offset(n int) *SelectStmt {
	if n < 0 {
		return s.fail(fmt.Errorf("stmt: negative OFFSET %d", n))
	}
	c := s.clone()
	c.p.Offset, c.p.HasOffset = int64(n), true
	return c
}

// Distinct returns s as SELECT DISTINCT.
func (s *SelectStmt) Distinct() *SelectStmt {
	c := s.clone()
	c.p.Distinct = true
	return c
}

// ForUpdate returns s with FOR UPDATE.
func (s *SelectStmt) ForUpdate() *SelectStmt { return s.lock(LockForUpdate) }

// ForUpdateNoWait returns s with FOR UPDATE NOWAIT.
func (s *SelectStmt) ForUpdateNoWait() *SelectStmt { return s.lock(LockForUpdateNoWait) }

// ForUpdateSkipLocked returns s with FOR UPDATE SKIP LOCKED.
func (s *SelectStmt) ForUpdateSkipLocked() *SelectStmt { return s.lock(LockForUpdateSkipLocked) }

func (s *SelectStmt) lock(l Lock) *SelectStmt {
	c := s.clone()
	c.p.Lock = l
	return c
}

// andWith ANDs conds onto cur, flattening nested ANDs and skipping nils.
func andWith(cur Expr, conds []Expr) Expr {
	if cur == nil && len(conds) == 1 {
		return conds[0] // the common single condition: nothing to join
	}
	terms := make([]Expr, 0, 1+len(conds))
	add := func(e Expr) {
		if e == nil {
			return
		}
		if b, ok := e.(*BoolExpr); ok && b != nil && !b.Or && len(b.Terms) > 0 {
			terms = append(terms, b.Terms...)
			return
		}
		terms = append(terms, e)
	}
	add(cur)
	for _, e := range conds {
		add(e)
	}
	switch len(terms) {
	case 0:
		return nil
	case 1:
		return terms[0]
	}
	return &BoolExpr{Terms: terms}
}
