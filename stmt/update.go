package stmt

import (
	"errors"
	"fmt"
	"slices"

	"github.com/dlayer/dlayer/spec"
)

// UpdateParts are the clauses of an UPDATE, for compilers. Do not modify.
type UpdateParts struct {
	Table     *Table
	Set       []Assignment
	Where     Expr
	Returning []Selectable
	Err       error
}

// UpdateStmt is an immutable UPDATE; every method returns a new statement.
type UpdateStmt struct{ p UpdateParts }

func (*UpdateStmt) statement() {}

// Update starts an UPDATE of t (which must not be aliased). Without Where it
// updates every row.
func Update(t *Table) *UpdateStmt {
	return &UpdateStmt{p: UpdateParts{Table: t, Err: targetErr(t, "Update")}}
}

func targetErr(t *Table, what string) error {
	switch err := t.Err(); {
	case err != nil:
		return err
	case t.alias != "":
		return errors.New("stmt." + what + ": the target table cannot be aliased")
	}
	return nil
}

// Parts returns the statement's clauses.
func (s *UpdateStmt) Parts() UpdateParts { return s.p }

// Err returns the first error met while building the statement.
func (s *UpdateStmt) Err() error { return s.p.Err }

func (s *UpdateStmt) clone() *UpdateStmt {
	c := *s
	return &c
}

// Set returns s also setting the named column to v (a Go value, bound, or an
// Expr such as stmt.Add(col, 1)).
func (s *UpdateStmt) Set(name string, v any) *UpdateStmt {
	if err := s.p.Table.Err(); err != nil {
		return s.fail(err)
	}
	col := s.p.Table.t.Column(name)
	if col == nil {
		return s.fail(fmt.Errorf("%w: table %q has no column %q", ErrUnknown, s.p.Table.t.Name, name))
	}
	return s.set(col, v)
}

// setNode is a statement made by Set with the bound value it adds, in one
// allocation.
type setNode struct {
	s UpdateStmt
	v Value
}

func (s *UpdateStmt) set(col *spec.Column, v any) *UpdateStmt {
	n := &setNode{s: *s}
	var val Expr
	if bindsPlain(v) {
		n.v = Value{V: v, Type: &col.Type}
		val = &n.v
	} else {
		val = bind(v, &Column{Table: s.p.Table, Spec: col})
	}
	n.s.p.Set = append(slices.Clip(s.p.Set), Assignment{Column: col, Value: val})
	return &n.s
}

func (s *UpdateStmt) fail(err error) *UpdateStmt {
	c := s.clone()
	if c.p.Err == nil {
		c.p.Err = err
	}
	return c
}

// SetCol is Set for a schema column already in hand.
func (s *UpdateStmt) SetCol(col *spec.Column, v any) *UpdateStmt {
	if col == nil || s.p.Table == nil || col.Table != s.p.Table.t {
		return s.fail(errors.New("stmt.Update: column does not belong to the target table"))
	}
	return s.set(col, v)
}

// SetAll returns s also setting each named column to the value at the same
// position in vals (Go values, bound, or Exprs): SQLAlchemy's
// update(t).values(…). It builds the statement in one step, so it costs
// far less than a chain of Set calls.
func (s *UpdateStmt) SetAll(names []string, vals ...any) *UpdateStmt {
	if len(names) != len(vals) {
		return s.fail(fmt.Errorf("stmt.Update: %d values for %d columns", len(vals), len(names)))
	}
	if err := s.p.Table.Err(); err != nil {
		return s.fail(err)
	}
	n := len(s.p.Set)
	set := make([]Assignment, n, n+len(names))
	copy(set, s.p.Set)
	cells := make([]Value, len(names))
	for i, name := range names {
		col := s.p.Table.t.Column(name)
		if col == nil {
			return s.fail(fmt.Errorf("%w: table %q has no column %q", ErrUnknown, s.p.Table.t.Name, name))
		}
		var val Expr
		if bindsPlain(vals[i]) {
			cells[i] = Value{V: vals[i], Type: &col.Type}
			val = &cells[i]
		} else {
			val = bind(vals[i], &Column{Table: s.p.Table, Spec: col})
		}
		set = append(set, Assignment{Column: col, Value: val})
	}
	c := s.clone()
	c.p.Set = set
	return c
}

// bindsPlain reports whether bind would make v a plain bound value.
func bindsPlain(v any) bool {
	switch v.(type) {
	case Expr, *Table, *SelectStmt:
		return false
	}
	return true
}

// Where returns s with conds ANDed to its WHERE clause.
func (s *UpdateStmt) Where(conds ...Expr) *UpdateStmt {
	c := s.clone()
	c.p.Where = andWith(c.p.Where, conds)
	return c
}

// Returning returns s with a RETURNING list.
func (s *UpdateStmt) Returning(items ...Selectable) *UpdateStmt {
	c := s.clone()
	c.p.Returning = append(slices.Clip(c.p.Returning), items...)
	return c
}

// DeleteParts are the clauses of a DELETE, for compilers. Do not modify.
type DeleteParts struct {
	Table     *Table
	Where     Expr
	Returning []Selectable
	Err       error
}

// DeleteStmt is an immutable DELETE; every method returns a new statement.
type DeleteStmt struct{ p DeleteParts }

func (*DeleteStmt) statement() {}

// Delete starts a DELETE FROM t (which must not be aliased). Without Where
// it deletes every row.
func Delete(t *Table) *DeleteStmt {
	return &DeleteStmt{p: DeleteParts{Table: t, Err: targetErr(t, "Delete")}}
}

// Parts returns the statement's clauses.
func (s *DeleteStmt) Parts() DeleteParts { return s.p }

// Err returns the first error met while building the statement.
func (s *DeleteStmt) Err() error { return s.p.Err }

// Where returns s with conds ANDed to its WHERE clause.
func (s *DeleteStmt) Where(conds ...Expr) *DeleteStmt {
	c := *s
	c.p.Where = andWith(c.p.Where, conds)
	return &c
}

// Returning returns s with a RETURNING list.
func (s *DeleteStmt) Returning(items ...Selectable) *DeleteStmt {
	c := *s
	c.p.Returning = append(slices.Clip(c.p.Returning), items...)
	return &c
}
