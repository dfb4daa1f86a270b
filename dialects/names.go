package dialects

import (
	"fmt"

	"github.com/dlayer/dlayer/spec"
)

// RuleDuplicateName is the rule code of a name that the loader accepts (it
// is unique within its table) but that a dialect keeps in one namespace
// for the whole schema, where another object already has it.
const RuleDuplicateName = "dialect-duplicate-name"

// NameScope says which names a database keeps in one namespace for the
// whole schema (names within one table are the loader's concern).
type NameScope struct {
	// Dialect names the database in messages ("PostgreSQL").
	Dialect string
	// Tables: index names (and the others below) must differ from every
	// table name too.
	Tables bool
	// Indexes, Uniques, ForeignKeys, Checks: the named objects that share
	// the namespace.
	Indexes, Uniques, ForeignKeys, Checks bool
}

// Check reports, located at the later one, each object whose name is
// already used in the scope's schema-wide namespace.
func (ns NameScope) Check(s *spec.Schema) spec.Diagnostics {
	type first struct {
		what string
		r    spec.Range
	}
	if s == nil {
		return nil
	}
	seen := map[string]first{}
	var ds spec.Diagnostics
	if ns.Tables {
		for _, t := range s.Tables {
			if t != nil {
				seen[t.Name] = first{"table " + quote(t.Name), t.Range}
			}
		}
	}
	add := func(t *spec.Table, kind, name string, r spec.Range) {
		if name == "" {
			return // a name DDL derives: it holds the table's name
		}
		if prev, ok := seen[name]; ok {
			ds = append(ds, spec.Diagnostic{
				Severity: spec.SeverityError,
				Rule:     RuleDuplicateName,
				Summary: fmt.Sprintf("%s name %q of table %q is already used by %s at %s; %s keeps these names in one namespace per schema",
					kind, name, t.Name, prev.what, prev.r, ns.Dialect),
				Detail:  "rename one of them",
				Subject: r,
			})
			return
		}
		seen[name] = first{kind + " of table " + quote(t.Name), r}
	}
	for _, t := range s.Tables {
		if t == nil {
			continue
		}
		if ns.Indexes {
			for _, x := range t.Indexes {
				if x != nil {
					add(t, "index", x.Name, x.Range)
				}
			}
		}
		if ns.Uniques {
			for _, x := range t.Uniques {
				if x != nil {
					add(t, "unique constraint", x.Name, x.Range)
				}
			}
		}
		if ns.ForeignKeys {
			for _, x := range t.ForeignKeys {
				if x != nil {
					add(t, "foreign key", x.Name, x.Range)
				}
			}
		}
		if ns.Checks {
			for _, x := range t.Checks {
				if x != nil {
					add(t, "check", x.Name, x.Range)
				}
			}
		}
	}
	return ds
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
