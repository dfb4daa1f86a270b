package loader

import (
	"reflect"
	"testing"
	"testing/fstest"

	"github.com/dlayer/dlayer/spec"
)

// TestExistingDatabaseKeys loads the keys added for databases dlayer did not
// design: a table-level primary_key (key order differs from column order),
// computed columns, unsigned, fixed, precision 0, server_onupdate and a
// fulltext index.
func TestExistingDatabaseKeys(t *testing.T) {
	src := `
models:
  Payment:
    table: payments
    columns:
      id: {type: bigint}
      paid_at: {type: timestamp, precision: 0}
      at_us: {type: timestamp}
      code: {type: string, length: 2, fixed: true}
      qty: {type: smallint, unsigned: true}
      body: {type: text, nullable: true}
      total: {type: integer, nullable: true, computed: {sql: "qty * 2", stored: true}}
      label: {type: text, nullable: true, computed: {sql: "code"}}
      touched: {type: timestamp, server_default: now, server_onupdate: now}
    primary_key: [paid_at, id]
    indexes:
      - {columns: [body], kind: fulltext}
tables:
  links:
    columns:
      b: integer
      a: {type: integer, primary_key: true}
    primary_key: [b, a]
`
	s, ds := Load(fstest.MapFS{"m.yaml": {Data: []byte(src)}})
	if len(ds) > 0 {
		t.Fatalf("diagnostics:\n%v", ds)
	}
	p, l := s.Table("payments"), s.Table("links")
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"model key order", names(p.PrimaryKey), []string{"paid_at", "id"}},
		{"listed columns are keys", p.Column("id").PrimaryKey && p.Column("paid_at").PrimaryKey, true},
		{"no autoincrement on a composite key", p.Column("id").Autoincrement, false},
		{"plain table key order", names(l.PrimaryKey), []string{"b", "a"}},
		{"precision 0", p.Column("paid_at").Type, spec.Type{Kind: spec.TypeTimestamp, ZeroPrecision: true}},
		{"default precision", p.Column("at_us").Type, spec.Type{Kind: spec.TypeTimestamp}},
		{"fixed", p.Column("code").Type, spec.Type{Kind: spec.TypeString, Length: 2, Fixed: true}},
		{"unsigned", p.Column("qty").Type, spec.Type{Kind: spec.TypeSmallInt, Unsigned: true}},
		{"stored computed", p.Column("total").Computed.SQL + "/" + map[bool]string{true: "stored"}[p.Column("total").Computed.Stored], "qty * 2/stored"},
		{"virtual by default", p.Column("label").Computed.Stored, false},
		{"server_onupdate", p.Column("touched").ServerOnUpdate.Kind, spec.DefaultNow},
		{"fulltext", p.Indexes[0].Kind, spec.IndexFulltext},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
}

// TestExistingDatabaseKeysMisused reports the new keys where they do not
// apply.
func TestExistingDatabaseKeysMisused(t *testing.T) {
	src := `
tables:
  t:
    columns:
      id: {type: integer, primary_key: true}
      n: {type: text, unsigned: true}
      s: {type: string, fixed: true}
      u: {type: text, fixed: true}
      w: {type: date, server_onupdate: now}
      x: {type: timestamp, server_onupdate: later}
      y: {type: integer, autoincrement: true, computed: {sql: "id"}}
`
	_, ds := Load(fstest.MapFS{"m.yaml": {Data: []byte(src)}})
	got := map[string]int{}
	for _, d := range ds {
		got[d.Rule]++
	}
	want := map[string]int{ruleInvalidTypeOption: 3, ruleDefaultMismatch: 1, ruleInvalidValue: 1, ruleInvalidComputed: 1, ruleInvalidAutoinc: 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rules %v, want %v\n%v", got, want, ds)
	}
}
