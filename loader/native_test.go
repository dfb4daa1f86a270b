package loader

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dlayer/dlayer/spec"
)

func loadString(t *testing.T, src string) (*spec.Schema, spec.Diagnostics) {
	t.Helper()
	return Load(fstest.MapFS{"m.yaml": {Data: []byte(src)}})
}

// TestNativeArrayDomainViewPartition decodes the keys that let a schema
// hold what a database we did not design has.
func TestNativeArrayDomainViewPartition(t *testing.T) {
	s, ds := loadString(t, `types:
  year:
    type: integer
    domain:
      checks:
        - {expr: VALUE >= 1901, name: year_check}
  flag: {type: boolean, domain: true}
models:
  Film:
    table: film
    columns:
      id: {type: integer, primary_key: true}
      released: {type: year, nullable: true}
      ok: flag
      tags: {type: array, items: text}
      prices: {type: array, items: {type: decimal, precision: 6, scale: 2}, nullable: true}
      doc: {type: native, native: {postgres: tsvector, mysql: TEXT}, server_default: {sql: "''"}}
    partition:
      by: RANGE (id)
      partitions:
        - {name: film_low, bound: "FOR VALUES FROM (0) TO (100)"}
  FilmTitle:
    table: film_titles
    columns:
      id: {type: integer, primary_key: true}
    view: {sql: SELECT id FROM film}
`)
	if len(ds) > 0 {
		t.Fatalf("diagnostics:\n%s", ds.Error())
	}
	film := s.Table("film")
	if c := film.Column("released"); c.Type.Kind != spec.TypeInteger || c.Type.Domain != "year" || c.Alias != "year" {
		t.Errorf("released: %+v", c.Type)
	}
	if c := film.Column("ok"); c.Type.Domain != "flag" {
		t.Errorf("ok: %+v", c.Type)
	}
	if c := film.Column("tags"); c.Type.Kind != spec.TypeArray || c.Type.Items == nil || c.Type.Items.Kind != spec.TypeText {
		t.Errorf("tags: %+v", c.Type)
	}
	if c := film.Column("prices"); c.Type.Items == nil || c.Type.Items.Precision != 6 || c.Type.Items.Scale != 2 {
		t.Errorf("prices: %+v", c.Type)
	}
	if c := film.Column("doc"); c.Type.Kind != spec.TypeNative || c.Type.Native["postgres"] != "tsvector" || c.Type.Native["mysql"] != "TEXT" ||
		c.ServerDefault == nil || c.ServerDefault.SQL != "''" {
		t.Errorf("doc: %+v", c)
	}
	if p := film.Partition; p == nil || p.By != "RANGE (id)" || len(p.Partitions) != 1 || p.Partitions[0].Name != "film_low" {
		t.Errorf("partition: %+v", p)
	}
	if v := s.Table("film_titles"); v.View == nil || v.View.SQL != "SELECT id FROM film" || v.Column("id").Autoincrement {
		t.Errorf("view: %+v", v.View)
	}
	var year *spec.TypeAlias
	for _, a := range s.Types {
		if a.Name == "year" {
			year = a
		}
	}
	if year == nil || year.Domain == nil || len(year.Domain.Checks) != 1 || year.Domain.Checks[0].Name != "year_check" {
		t.Errorf("domain alias: %+v", year)
	}
}

func TestNativeArrayDomainErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{name: "array without items", src: "tables: {a: {columns: {x: {type: array}}}}\n", want: "array column \"x\" has no items type [invalid-type-option]"},
		{name: "items on a non-array", src: "tables: {a: {columns: {x: {type: text, items: text}}}}\n", want: "items applies to array, not text"},
		{name: "array of arrays", src: "tables: {a: {columns: {x: {type: array, items: array}}}}\n", want: "array items must be a builtin type"},
		{name: "native without types", src: "tables: {a: {columns: {x: {type: native}}}}\n", want: "native column \"x\" names no database type"},
		{name: "native on a builtin", src: "tables: {a: {columns: {x: {type: text, native: {postgres: citext}}}}}\n", want: "native applies to type native"},
		{name: "native unknown dialect", src: "tables: {a: {columns: {x: {type: native, native: {oracle: CLOB}}}}}\n", want: "oracle"},
		{name: "literal default on native", src: "tables: {a: {columns: {x: {type: native, native: {postgres: tsvector}, server_default: x}}}}\n",
			want: "a native column takes no literal"},
		{name: "domain on a column", src: "tables: {a: {columns: {x: {type: integer, domain: true}}}}\n", want: "domain applies to a type alias"},
		{name: "view without sql", src: "tables: {a: {columns: {x: integer}, view: {}}}\n", want: "sql"},
		{name: "partitioned view", src: "tables: {a: {columns: {x: integer}, view: {sql: SELECT 1 AS x}, partition: {by: LIST (x)}}}\n",
			want: "a view cannot be partitioned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := loadString(t, tt.src)
			if !ds.HasErrors() || !strings.Contains(ds.Error(), tt.want) {
				t.Fatalf("diagnostics %q lack %q", ds.Error(), tt.want)
			}
		})
	}
}
