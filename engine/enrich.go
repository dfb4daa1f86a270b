package engine

import (
	"errors"
	"slices"

	"github.com/dlayer/dlayer/spec"
)

// enrich completes a constraint error from the schema where the database's
// message left parts out: SQLite names no unique constraint, MariaDB no
// table for a duplicate key, MySQL no table for a CHECK. Fields the
// database reported are never changed.
func enrich(err error, s *spec.Schema) {
	var ce *ConstraintError
	if s == nil || !errors.As(err, &ce) {
		return
	}
	switch ce.Kind {
	case Unique:
		enrichUnique(ce, s)
	case ForeignKey:
		if ce.Constraint == "" {
			return
		}
		for _, t := range tablesFor(ce, s) {
			for _, fk := range t.ForeignKeys {
				if fk.Name == ce.Constraint {
					fill(ce, t, fk.Columns)
					return
				}
			}
		}
	case Check:
		if ce.Constraint == "" {
			return
		}
		for _, t := range tablesFor(ce, s) {
			for _, c := range t.Checks {
				if c.Name == ce.Constraint {
					fill(ce, t, nil)
					return
				}
			}
		}
	}
}

func enrichUnique(ce *ConstraintError, s *spec.Schema) {
	for _, t := range tablesFor(ce, s) {
		for _, u := range t.Uniques {
			if matchKey(ce, u.Name, u.Columns) {
				fill(ce, t, u.Columns)
				ce.Constraint = u.Name
				return
			}
		}
		for _, ix := range t.Indexes {
			if ix.Unique && matchKey(ce, ix.Name, ix.Columns) {
				fill(ce, t, ix.Columns)
				ce.Constraint = ix.Name
				return
			}
		}
	}
}

// matchKey reports whether a unique key of the schema is the one ce is
// about: by name when the database gave one, else by its columns.
func matchKey(ce *ConstraintError, name string, cols []*spec.Column) bool {
	if ce.Constraint != "" {
		return name == ce.Constraint
	}
	return len(ce.Columns) > 0 && slices.Equal(ce.Columns, columnNames(cols))
}

func tablesFor(ce *ConstraintError, s *spec.Schema) []*spec.Table {
	if ce.Table != "" {
		if t := s.Table(ce.Table); t != nil {
			return []*spec.Table{t}
		}
		return nil
	}
	return s.Tables
}

func fill(ce *ConstraintError, t *spec.Table, cols []*spec.Column) {
	if ce.Table == "" {
		ce.Table = t.Name
	}
	if len(ce.Columns) == 0 && len(cols) > 0 {
		ce.Columns = columnNames(cols)
	}
}

func columnNames(cols []*spec.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}
