package dialects_test

import (
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// graph builds a schema from "a->b" edges (a references b); isolated tables
// are named alone.
func graph(edges ...string) *spec.Schema {
	s := &spec.Schema{}
	tables := map[string]*spec.Table{}
	get := func(n string) *spec.Table {
		if t, ok := tables[n]; ok {
			return t
		}
		c := &spec.Column{Name: "id", Type: spec.Type{Kind: spec.TypeInteger}, PrimaryKey: true}
		t := &spec.Table{Name: n, Columns: []*spec.Column{c}, PrimaryKey: []*spec.Column{c}}
		tables[n] = t
		s.Tables = append(s.Tables, t)
		return t
	}
	for _, e := range edges {
		from, to, ok := strings.Cut(e, "->")
		a := get(from)
		if !ok {
			continue
		}
		b := get(to)
		c := &spec.Column{Name: to + "_id", Type: spec.Type{Kind: spec.TypeInteger}, Nullable: true}
		a.Columns = append(a.Columns, c)
		a.ForeignKeys = append(a.ForeignKeys, &spec.ForeignKey{Name: "fk_" + from + "_" + to, Table: a, Columns: []*spec.Column{c}, RefTable: b, RefColumns: b.PrimaryKey})
	}
	s.Index()
	return s
}

func TestSortTables(t *testing.T) {
	tests := []struct {
		name     string
		edges    []string
		order    string
		deferred string
	}{
		{"names only", []string{"c", "a", "b"}, "a b c", ""},
		{"chain against names", []string{"a->b", "b->c"}, "c b a", ""},
		{"ties by name", []string{"z->m", "a->m", "k"}, "k m a z", ""},
		{"self reference", []string{"a->a", "b->a"}, "a b", ""},
		{"two-cycle", []string{"x->y", "y->x"}, "x y", "fk_x_y"},
		{"three-cycle with dependants", []string{"a->b", "b->c", "c->a", "d->a", "e"}, "e a c b d", "fk_a_b"},
		{"diamond", []string{"d->b", "d->c", "b->a", "c->a"}, "a b c d", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			order, deferred := dialects.SortTables(graph(tt.edges...))
			var names, fks []string
			for _, tb := range order {
				names = append(names, tb.Name)
			}
			for _, fk := range deferred {
				fks = append(fks, fk.Name)
			}
			if got := strings.Join(names, " "); got != tt.order {
				t.Errorf("order = %s, want %s", got, tt.order)
			}
			if got := strings.Join(fks, " "); got != tt.deferred {
				t.Errorf("deferred = %s, want %s", got, tt.deferred)
			}
			// Every non-deferred, non-self foreign key points backwards.
			pos := map[*spec.Table]int{}
			for i, tb := range order {
				pos[tb] = i
			}
			for _, tb := range order {
				for _, fk := range tb.ForeignKeys {
					isDeferred := false
					for _, d := range deferred {
						isDeferred = isDeferred || d == fk
					}
					if !isDeferred && fk.RefTable != tb && pos[fk.RefTable] > pos[tb] {
						t.Errorf("%s is created before %s, which it references", tb.Name, fk.RefTable.Name)
					}
				}
			}
		})
	}
}

func TestSortTablesNil(t *testing.T) {
	if o, d := dialects.SortTables(nil); o != nil || d != nil {
		t.Error("nil schema gave tables")
	}
	if _, err := dialects.CreateAllSQL(nil, graph("a")); err == nil {
		t.Error("nil dialect accepted")
	}
}
