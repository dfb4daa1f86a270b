package dialects_test

import (
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/mysql"
	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/spec"
)

// TestNameScope: each dialect refuses, located, the cross-table name
// clashes its database refuses, and only those.
func TestNameScope(t *testing.T) {
	at := func(line int) spec.Range { return spec.Range{File: "m.yaml", Start: spec.Pos{Line: line, Column: 1}} }
	build := func(mod func(a, b *spec.Table)) *spec.Schema {
		mk := func(name string) *spec.Table {
			id := &spec.Column{Name: "id", Type: spec.Type{Kind: spec.TypeInteger}, PrimaryKey: true}
			x := &spec.Column{Name: "x", Type: spec.Type{Kind: spec.TypeInteger}}
			t := &spec.Table{Name: name, Columns: []*spec.Column{id, x}}
			t.PrimaryKey = t.Columns[:1]
			return t
		}
		a, b := mk("a"), mk("b")
		mod(a, b)
		s := &spec.Schema{Tables: []*spec.Table{a, b}}
		s.Index()
		return s
	}
	index := func(t *spec.Table, name string, line int) {
		t.Indexes = append(t.Indexes, &spec.Index{Name: name, Columns: t.Columns[1:], Range: at(line)})
	}
	tests := []struct {
		name   string
		schema *spec.Schema
		// want: the dialects that report a clash, at line 2.
		want map[string]bool
	}{
		{"index on two tables", build(func(a, b *spec.Table) { index(a, "idx_x", 1); index(b, "idx_x", 2) }),
			map[string]bool{"postgres": true, "sqlite": true}},
		{"index named like a table", build(func(a, b *spec.Table) { b.Range = at(1); index(a, "b", 2) }),
			map[string]bool{"postgres": true, "sqlite": true}},
		{"unique on two tables", build(func(a, b *spec.Table) {
			a.Uniques = []*spec.Unique{{Name: "uq_x", Columns: a.Columns[1:], Range: at(1)}}
			b.Uniques = []*spec.Unique{{Name: "uq_x", Columns: b.Columns[1:], Range: at(2)}}
		}), map[string]bool{"postgres": true}},
		{"foreign key on two tables", build(func(a, b *spec.Table) {
			a.ForeignKeys = []*spec.ForeignKey{{Name: "fk_x", Table: a, Columns: a.Columns[1:], RefTable: b, RefColumns: b.Columns[:1], Range: at(1)}}
			b.ForeignKeys = []*spec.ForeignKey{{Name: "fk_x", Table: b, Columns: b.Columns[1:], RefTable: a, RefColumns: a.Columns[:1], Range: at(2)}}
		}), map[string]bool{"mysql": true}},
		{"check on two tables", build(func(a, b *spec.Table) {
			a.Checks = []*spec.Check{{Name: "ck_x", Expr: "x > 0", Range: at(1)}}
			b.Checks = []*spec.Check{{Name: "ck_x", Expr: "x > 0", Range: at(2)}}
		}), map[string]bool{}},
	}
	ds := map[string]dialects.Dialect{"postgres": postgres.New(), "mysql": mysql.New(), "sqlite": sqlite.New()}
	for _, tt := range tests {
		for name, d := range ds {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				var clash spec.Diagnostics
				for _, dg := range dialects.CheckSchema(d, tt.schema) {
					if dg.Rule == dialects.RuleDuplicateName {
						clash = append(clash, dg)
					}
				}
				switch {
				case !tt.want[name] && len(clash) > 0:
					t.Errorf("unexpected: %v", clash)
				case tt.want[name] && (len(clash) != 1 || clash[0].Subject.Start.Line != 2 || clash[0].Severity != spec.SeverityError):
					t.Errorf("want one error at line 2, got %v", clash)
				case tt.want[name] && !strings.Contains(clash[0].Summary, "m.yaml:1:1"):
					t.Errorf("the message does not point at the first use: %s", clash[0].Summary)
				}
			})
		}
	}
}
