package stmt

import (
	"errors"
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
	cols, err := resolveColumns(s.p.Table, []string{name})
	c := s.clone()
	if err != nil {
		if c.p.Err == nil {
			c.p.Err = err
		}
		return c
	}
	c.p.Set = append(slices.Clip(c.p.Set), Assignment{Column: cols[0], Value: bind(v, &Column{Table: s.p.Table, Spec: cols[0]})})
	return c
}

// SetCol is Set for a schema column already in hand.
func (s *UpdateStmt) SetCol(col *spec.Column, v any) *UpdateStmt {
	c := s.clone()
	if col == nil || s.p.Table == nil || col.Table != s.p.Table.t {
		if c.p.Err == nil {
			c.p.Err = errors.New("stmt.Update: column does not belong to the target table")
		}
		return c
	}
	c.p.Set = append(slices.Clip(c.p.Set), Assignment{Column: col, Value: bind(v, &Column{Table: s.p.Table, Spec: col})})
	return c
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
