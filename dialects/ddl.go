package dialects

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dlayer/dlayer/spec"
)

// SchemaDDL is implemented by dialects that generate the DDL of a whole
// schema themselves (shared enum types, foreign keys added after the tables
// of a cycle exist). CreateAllSQL and DropAllSQL use it when present.
type SchemaDDL interface {
	CreateAll(s *spec.Schema) ([]string, error)
	DropAll(s *spec.Schema) ([]string, error)
}

// ColumnDefiner is implemented by dialects that write one column's
// definition on its own (the dialects of this module do, through
// sqlgen.Base.ColumnSQL).
type ColumnDefiner interface {
	ColumnSQL(t *spec.Table, c *spec.Column) (string, error)
}

// SortTables orders the tables of s so that every table comes after the
// tables its foreign keys reference, ties broken by name. Self-references
// impose no order. When tables reference each other in a cycle, the
// cycle's member first by name is placed first and its foreign keys to
// tables not yet placed are returned in deferred: a dialect creates them
// with ALTER TABLE … ADD CONSTRAINT once every table exists (or inline,
// where, as in SQLite, CREATE TABLE does not check references).
func SortTables(s *spec.Schema) (order []*spec.Table, deferred []*spec.ForeignKey) {
	if s == nil {
		return nil, nil
	}
	tables := slices.Clone(s.Tables)
	slices.SortStableFunc(tables, func(a, b *spec.Table) int { return strings.Compare(a.Name, b.Name) })
	in := make(map[*spec.Table]bool, len(tables))
	for _, t := range tables {
		in[t] = true
	}
	placed := make(map[*spec.Table]bool, len(tables))
	// deps lists, per table, the other schema tables it references and
	// has not seen placed.
	pending := func(t *spec.Table) []*spec.Table {
		var out []*spec.Table
		for _, fk := range t.ForeignKeys {
			r := fk.RefTable
			if r != nil && r != t && in[r] && !placed[r] && !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
		return out
	}
	// inCycle reports whether t can reach itself through unplaced tables.
	inCycle := func(t *spec.Table) bool {
		seen := map[*spec.Table]bool{}
		stack := pending(t)
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if u == t {
				return true
			}
			if seen[u] {
				continue
			}
			seen[u] = true
			stack = append(stack, pending(u)...)
		}
		return false
	}
	for len(order) < len(tables) {
		var next *spec.Table
		for _, t := range tables {
			if !placed[t] && len(pending(t)) == 0 {
				next = t
				break
			}
		}
		if next == nil {
			for _, t := range tables {
				if !placed[t] && inCycle(t) {
					next = t
					break
				}
			}
			if next == nil { // unreachable: no ready table implies a cycle
				for _, t := range tables {
					if !placed[t] {
						next = t
						break
					}
				}
			}
			for _, fk := range next.ForeignKeys {
				r := fk.RefTable
				if r != nil && r != next && in[r] && !placed[r] {
					deferred = append(deferred, fk)
				}
			}
		}
		placed[next] = true
		order = append(order, next)
	}
	return order, deferred
}

// CreateAllSQL returns the statements that create every table of s, with
// constraints, indexes and dialect-side types, in foreign-key dependency
// order (see SortTables).
func CreateAllSQL(d Dialect, s *spec.Schema) ([]string, error) {
	if d == nil || s == nil {
		return nil, errors.New("create all: nil dialect or schema")
	}
	if ds := CheckSchema(d, s).Errors(); len(ds) > 0 {
		return nil, fmt.Errorf("create all: the schema cannot be created on %s:\n%w", d.Name(), ds)
	}
	if x, ok := d.(SchemaDDL); ok {
		return x.CreateAll(s)
	}
	order, _ := SortTables(s)
	var out []string
	for _, t := range order {
		sqls, err := d.CreateTable(t)
		if err != nil {
			return nil, err
		}
		out = append(out, sqls...)
	}
	return out, nil
}

// DropAllSQL returns the statements that drop every table of s (and
// dialect-side types), dependents first: the reverse of CreateAllSQL.
//
// Run them in order on one connection, in one transaction where the dialect
// has TransactionalDDL. A foreign-key cycle is broken first: PostgreSQL and
// MySQL drop the cycle's deferred keys with ALTER TABLE (on MySQL 8, which
// has no IF EXISTS there, that statement fails when the table is missing —
// a schema dropped twice, say — so callers dropping a possibly partial
// schema may ignore a missing-table error for it); SQLite surrounds the
// drops with PRAGMA foreign_keys/defer_foreign_keys, which need the one
// connection (or the one transaction).
func DropAllSQL(d Dialect, s *spec.Schema) ([]string, error) {
	if d == nil || s == nil {
		return nil, errors.New("drop all: nil dialect or schema")
	}
	if x, ok := d.(SchemaDDL); ok {
		return x.DropAll(s)
	}
	order, _ := SortTables(s)
	var out []string
	for i := len(order) - 1; i >= 0; i-- {
		sqls, err := d.DropTable(order[i])
		if err != nil {
			return nil, err
		}
		out = append(out, sqls...)
	}
	return out, nil
}
