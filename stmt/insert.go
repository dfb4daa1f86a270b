package stmt

import (
	"errors"
	"fmt"
	"slices"

	"github.com/dlayer/dlayer/spec"
)

// Assignment sets Column to Value (in UPDATE … SET or an upsert's update).
type Assignment struct {
	Column *spec.Column
	Value  Expr
}

// Upsert is the conflict clause of an INSERT: ON CONFLICT (Target) DO
// NOTHING / DO UPDATE SET …, or ON DUPLICATE KEY UPDATE … where the dialect
// has that form instead (which ignores Target: any unique key conflicts).
type Upsert struct {
	// Target columns; empty means the table's primary key.
	Target    []*spec.Column
	DoNothing bool
	Set       []Assignment
}

// InsertParts are the clauses of an INSERT, for compilers. Do not modify.
type InsertParts struct {
	Table   *Table
	Columns []*spec.Column
	// Rows hold one value per column: a plain Go value (bound, typed by its
	// column) or an Expr.
	Rows      [][]any
	Returning []Selectable
	Upsert    *Upsert
	Err       error
}

// InsertStmt is an immutable INSERT; every method returns a new statement.
type InsertStmt struct{ p InsertParts }

func (*InsertStmt) statement() {}

// Insert starts an INSERT INTO t. With no columns and one empty row it
// inserts a row of defaults.
func Insert(t *Table) *InsertStmt {
	return &InsertStmt{p: InsertParts{Table: t, Err: t.Err()}}
}

// Parts returns the statement's clauses.
func (s *InsertStmt) Parts() InsertParts { return s.p }

// Err returns the first error met while building the statement.
func (s *InsertStmt) Err() error { return s.p.Err }

func (s *InsertStmt) clone() *InsertStmt {
	c := *s
	return &c
}

func (s *InsertStmt) fail(err error) *InsertStmt {
	c := s.clone()
	if c.p.Err == nil {
		c.p.Err = err
	}
	return c
}

// Columns returns s inserting into the named columns (replacing any set
// before). Values must follow in the same order.
func (s *InsertStmt) Columns(names ...string) *InsertStmt {
	cols, err := resolveColumns(s.p.Table, names)
	if err != nil {
		return s.fail(err)
	}
	c := s.clone()
	c.p.Columns = cols
	return c
}

// ColumnsOf is Columns for schema columns already in hand; they must belong
// to the statement's table.
func (s *InsertStmt) ColumnsOf(cols ...*spec.Column) *InsertStmt {
	if s.p.Table == nil || s.p.Table.t == nil {
		return s.fail(errors.New("stmt.Insert: no table"))
	}
	for _, col := range cols {
		if col == nil || col.Table != s.p.Table.t {
			return s.fail(fmt.Errorf("stmt.Insert: column does not belong to table %q", s.p.Table.t.Name))
		}
	}
	c := s.clone()
	c.p.Columns = slices.Clip(cols)
	return c
}

// Values returns s with one more row; vals match the columns in order.
func (s *InsertStmt) Values(vals ...any) *InsertStmt {
	if len(vals) != len(s.p.Columns) {
		return s.fail(fmt.Errorf("stmt.Insert: %d values for %d columns", len(vals), len(s.p.Columns)))
	}
	c := s.clone()
	c.p.Rows = append(slices.Clip(c.p.Rows), vals)
	return c
}

// Rows returns s with more rows (a multi-row insert). The row slices are
// kept, not copied: do not modify them afterwards.
func (s *InsertStmt) Rows(rows ...[]any) *InsertStmt {
	for i, r := range rows {
		if len(r) != len(s.p.Columns) {
			return s.fail(fmt.Errorf("stmt.Insert: row %d has %d values for %d columns", i, len(r), len(s.p.Columns)))
		}
	}
	c := s.clone()
	c.p.Rows = append(slices.Clip(c.p.Rows), rows...)
	return c
}

// Returning returns s with a RETURNING list (an error at compile time on
// dialects without the Returning feature).
func (s *InsertStmt) Returning(items ...Selectable) *InsertStmt {
	c := s.clone()
	c.p.Returning = append(slices.Clip(c.p.Returning), items...)
	return c
}

// OnConflictDoNothing returns s ignoring rows that conflict on target
// (column names; none means the primary key).
func (s *InsertStmt) OnConflictDoNothing(target ...string) *InsertStmt {
	cols, err := resolveColumns(s.p.Table, target)
	if err != nil {
		return s.fail(err)
	}
	c := s.clone()
	c.p.Upsert = &Upsert{Target: cols, DoNothing: true}
	return c
}

// OnConflictDoUpdate returns s updating, on a conflict over target (column
// names; none means the primary key), each named column to the value the
// insert proposed (excluded.col / VALUES(col)).
func (s *InsertStmt) OnConflictDoUpdate(target []string, update ...string) *InsertStmt {
	tcols, err := resolveColumns(s.p.Table, target)
	if err != nil {
		return s.fail(err)
	}
	ucols, err := resolveColumns(s.p.Table, update)
	if err != nil {
		return s.fail(err)
	}
	set := make([]Assignment, len(ucols))
	for i, col := range ucols {
		set[i] = Assignment{Column: col, Value: &ExcludedExpr{Col: col}}
	}
	c := s.clone()
	c.p.Upsert = &Upsert{Target: tcols, Set: set, DoNothing: len(set) == 0}
	return c
}

// OnConflictDoUpdateSet is OnConflictDoUpdate with explicit assignments
// (see Assign and Excluded).
func (s *InsertStmt) OnConflictDoUpdateSet(target []string, set ...Assignment) *InsertStmt {
	tcols, err := resolveColumns(s.p.Table, target)
	if err != nil {
		return s.fail(err)
	}
	for _, a := range set {
		if a.Column == nil || s.p.Table.t == nil || a.Column.Table != s.p.Table.t {
			return s.fail(errors.New("stmt.Insert: upsert assignment to a column of another table"))
		}
	}
	c := s.clone()
	c.p.Upsert = &Upsert{Target: tcols, Set: slices.Clip(set), DoNothing: len(set) == 0}
	return c
}

// Assign makes an assignment of v (a Go value, bound, or an Expr) to c.
// A column that did not resolve yields an assignment whose value carries
// the error.
func Assign(c *Column, v any) Assignment {
	if c == nil {
		return Assignment{Value: &ErrExpr{Err: errors.New("stmt.Assign: nil column")}}
	}
	if c.Err != nil {
		return Assignment{Column: c.Spec, Value: &ErrExpr{Err: c.Err}}
	}
	return Assignment{Column: c.Spec, Value: bind(v, c)}
}

// Split returns s as several statements of whole rows, each binding at most
// maxParams values (a dialect's MaxParams), so a large multi-row insert runs
// in as few statements as the database allows. Statements with fewer rows
// than fit, or no columns, come back alone.
func (s *InsertStmt) Split(maxParams int) []*InsertStmt {
	n := len(s.p.Columns)
	if n == 0 || maxParams < n || len(s.p.Rows)*n <= maxParams {
		return []*InsertStmt{s}
	}
	per := maxParams / n
	out := make([]*InsertStmt, 0, (len(s.p.Rows)+per-1)/per)
	for i := 0; i < len(s.p.Rows); i += per {
		c := s.clone()
		c.p.Rows = slices.Clip(s.p.Rows[i:min(i+per, len(s.p.Rows))])
		out = append(out, c)
	}
	return out
}
