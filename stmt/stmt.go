package stmt

import (
	"errors"
	"fmt"

	"github.com/dlayer/dlayer/spec"
)

// Statement is any compilable statement: *Select, *Insert, *Update, *Delete
// or *Text.
type Statement interface {
	statement()
}

// ErrUnknown is matched (errors.Is) by every error about a model, table,
// column or relationship name that the schema does not define.
var ErrUnknown = errors.New("unknown name")

// Table is a table taking part in a statement: a schema table, optionally
// under an alias (needed for self-joins). A Table whose name did not resolve
// carries the error, which compiling any statement that uses it returns.
// Table values are immutable.
type Table struct {
	t     *spec.Table
	alias string
	err   error
	// sub is the SELECT of a derived table (SelectStmt.Derived).
	sub *SelectStmt
}

// TableOf resolves name in s, first as a model name and then as a table
// name. An unknown name yields a Table holding an error (wrapping ErrUnknown),
// reported when a statement using it is compiled.
func TableOf(s *spec.Schema, name string) *Table {
	if s == nil {
		return &Table{err: fmt.Errorf("table %q: nil schema", name)}
	}
	if m := s.Model(name); m != nil && m.Table != nil {
		return &Table{t: m.Table}
	}
	if t := s.Table(name); t != nil {
		return &Table{t: t}
	}
	return &Table{err: fmt.Errorf("%w: no model or table %q in the schema", ErrUnknown, name)}
}

// Ref wraps a schema table already in hand (the ORM's fast path).
func Ref(t *spec.Table) *Table {
	if t == nil {
		return &Table{err: errors.New("stmt.Ref: nil table")}
	}
	return &Table{t: t}
}

// As returns the table under alias name. Aliases are quoted like any
// identifier; an empty alias removes it.
func (t *Table) As(alias string) *Table {
	if t == nil {
		return &Table{err: errors.New("stmt: nil table")}
	}
	c := *t
	c.alias = alias
	return &c
}

// Spec returns the schema table (nil when the name did not resolve).
func (t *Table) Spec() *spec.Table {
	if t == nil {
		return nil
	}
	return t.t
}

// Alias returns the alias, or "".
func (t *Table) Alias() string {
	if t == nil {
		return ""
	}
	return t.alias
}

// Err returns the resolution error, if any. A nil or zero Table (not made
// by TableOf or Ref) is an error too.
func (t *Table) Err() error {
	switch {
	case t == nil:
		return errors.New("stmt: nil table")
	case t.err != nil:
		return t.err
	case t.t == nil:
		return errors.New("stmt: zero Table; make tables with TableOf or Ref")
	}
	return nil
}

// Name returns the name the table is referred to by in SQL: its alias when
// set, else the table name.
func (t *Table) Name() string {
	if t == nil {
		return ""
	}
	if t.alias != "" {
		return t.alias
	}
	if t.t != nil {
		return t.t.Name
	}
	return ""
}

// Same reports whether t and u denote the same table under the same alias.
func (t *Table) Same(u *Table) bool {
	return t == u || (t != nil && u != nil && t.t == u.t && t.alias == u.alias && t.t != nil)
}

// C returns the named column of t. An unknown name yields a Column holding an
// error (wrapping ErrUnknown), reported at compile time.
func (t *Table) C(name string) *Column {
	if err := t.Err(); err != nil {
		return &Column{Table: t, Err: err}
	}
	c := t.t.Column(name)
	if c == nil {
		return &Column{Table: t, Err: fmt.Errorf("%w: table %q has no column %q", ErrUnknown, t.t.Name, name)}
	}
	return &Column{Table: t, Spec: c}
}

// Col returns column c of t, checking that c belongs to t's schema table.
func (t *Table) Col(c *spec.Column) *Column {
	switch err := t.Err(); {
	case err != nil:
		return &Column{Table: t, Err: err}
	case c == nil:
		return &Column{Table: t, Err: errors.New("stmt: nil column")}
	case c.Table != t.t:
		return &Column{Table: t, Err: fmt.Errorf("column %q does not belong to table %q", c.Name, t.t.Name)}
	}
	return &Column{Table: t, Spec: c}
}

// Columns returns every column of t in declaration order.
func (t *Table) Columns() []*Column {
	if err := t.Err(); err != nil {
		return []*Column{{Table: t, Err: err}}
	}
	out := make([]*Column, len(t.t.Columns))
	for i, c := range t.t.Columns {
		out[i] = &Column{Table: t, Spec: c}
	}
	return out
}

func (*Table) selectable() {}

// resolveColumns maps names to columns of t.
func resolveColumns(t *Table, names []string) ([]*spec.Column, error) {
	if err := t.Err(); err != nil {
		return nil, err
	}
	out := make([]*spec.Column, len(names))
	for i, n := range names {
		c := t.t.Column(n)
		if c == nil {
			return nil, fmt.Errorf("%w: table %q has no column %q", ErrUnknown, t.t.Name, n)
		}
		out[i] = c
	}
	return out, nil
}
