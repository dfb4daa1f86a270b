package stmt

import (
	"errors"
	"fmt"

	"github.com/dlayer/dlayer/spec"
)

// WindowExpr is ROW_NUMBER() OVER (PARTITION BY … ORDER BY …), the
// position of a row within its partition (PostgreSQL, MySQL 8, MariaDB
// 10.2 and SQLite 3.25 all have it).
type WindowExpr struct {
	PartitionBy []Expr
	OrderBy     []Order
}

// RowNumber returns ROW_NUMBER() OVER (PARTITION BY partitionBy ORDER BY
// orderBy). Label it to select it: RowNumber(…).Label("rn").
func RowNumber(partitionBy []Expr, orderBy ...Order) *WindowExpr {
	return &WindowExpr{PartitionBy: append([]Expr(nil), partitionBy...), OrderBy: append([]Order(nil), orderBy...)}
}

// Label names the window expression in the result (AS name).
func (w *WindowExpr) Label(name string) *LabelExpr { return &LabelExpr{X: w, Name: name} }

func (*WindowExpr) selectable() {}
func (*WindowExpr) expr()       {}

// Derived returns s as a derived table, (s) AS alias, to select from: its
// columns are those of s's first item, which must be a table (a schema
// table's columns, plus any labelled items, reached with Table.Label).
// The alias is required; an invalid s or alias gives a Table holding the
// error, reported when a statement using it is compiled.
func (s *SelectStmt) Derived(alias string) *Table {
	switch {
	case s == nil:
		return &Table{err: errors.New("stmt: Derived of a nil SELECT")}
	case s.p.Err != nil:
		return &Table{err: s.p.Err}
	case alias == "":
		return &Table{err: errors.New("stmt: a derived table needs an alias")}
	case len(s.p.Items) == 0:
		return &Table{err: errors.New("stmt: Derived of a SELECT of nothing")}
	}
	first, ok := s.p.Items[0].(*Table)
	if !ok || first.Err() != nil || first.sub != nil {
		return &Table{err: errors.New("stmt: a derived table's SELECT must select a schema table first")}
	}
	return &Table{t: first.t, alias: alias, sub: s}
}

// Sub returns the SELECT of a derived table (nil for a schema table).
func (t *Table) Sub() *SelectStmt {
	if t == nil {
		return nil
	}
	return t.sub
}

// Label returns the item a derived table's SELECT selects under label
// name (a window expression's row number, say), as a column of t.
func (t *Table) Label(name string) *Column {
	if err := t.Err(); err != nil {
		return &Column{Table: t, Err: err}
	}
	if t.sub == nil {
		return &Column{Table: t, Err: fmt.Errorf("stmt: Label(%q) on table %q, which is not a derived table", name, t.Name())}
	}
	for _, it := range t.sub.p.Items {
		if l, ok := it.(*LabelExpr); ok && l != nil && l.Name == name {
			typ := spec.Type{Kind: spec.TypeBigInt}
			if tt := TypeOf(l.X); tt != nil {
				typ = *tt
			}
			return &Column{Table: t, Spec: &spec.Column{Name: name, Type: typ}}
		}
	}
	return &Column{Table: t, Err: fmt.Errorf("%w: derived table %q selects no item labelled %q", ErrUnknown, t.Name(), name)}
}
