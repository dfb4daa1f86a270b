package migrate_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/migrate"
)

const diffIssue8 = `
models:
  Payment:
    table: payments
    columns:
      id: {type: bigint}
      paid_at: {type: timestamp, precision: 0}
      price: {type: decimal, precision: 8, scale: 2, unsigned: true}
      qty: {type: integer}
      code: {type: string, length: 3, fixed: true}
      body: {type: text, nullable: true}
      total: {type: decimal, nullable: true, computed: {sql: "price * qty", stored: true}}
      touched: {type: timestamp, timezone: true, server_default: now, server_onupdate: now}
    primary_key: [paid_at, id]
    indexes:
      - {columns: [body], kind: fulltext, name: ft_body}
`

// TestDiffIssue8 checks how the diff sees the keys added for existing
// databases: the primary key's order, computed columns (compared
// ignoring how the database rewrites the expression; a real change drops
// and re-adds the column), unsigned, fixed, precision 0, server_onupdate
// and fulltext indexes.
func TestDiffIssue8(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(string) string
		up      []string
		err     string
		destroy int
	}{
		{name: "no change", edit: func(s string) string { return s }},
		{name: "expression as the database rewrites it", edit: func(s string) string {
			return strings.Replace(s, `"price * qty"`, "'(`price` * (qty)::numeric)'", 1)
		}},
		{name: "expression changed", edit: func(s string) string {
			return strings.Replace(s, `"price * qty"`, `"price * qty * 2"`, 1)
		}, up: []string{"drop column payments.total", "add column payments.total"}},
		{name: "stored to virtual", edit: func(s string) string {
			return strings.Replace(s, "stored: true", "stored: false", 1)
		}, up: []string{"drop column payments.total", "add column payments.total"}},
		{name: "plain column becomes computed", edit: func(s string) string {
			return strings.Replace(s, "body: {type: text, nullable: true}", `body: {type: text, nullable: true, computed: {sql: "code", stored: true}}`, 1)
		}, up: []string{"drop column payments.body", "add column payments.body"}, destroy: 1},
		{name: "primary key order changed", edit: func(s string) string {
			return strings.Replace(s, "primary_key: [paid_at, id]", "primary_key: [id, paid_at]", 1)
		}, err: "changing the primary key (paid_at, id -> id, paid_at) is not supported; if the key's order is right as it is, state it with primary_key: [paid_at, id]"},
		{name: "unsigned dropped", edit: func(s string) string { return strings.Replace(s, ", unsigned: true", "", 1) },
			up: []string{"alter column payments.price (type decimal(8,2) unsigned -> decimal(8,2))"}},
		{name: "fixed dropped", edit: func(s string) string { return strings.Replace(s, ", fixed: true", "", 1) },
			up: []string{"alter column payments.code (type string(3) fixed -> string(3))"}},
		{name: "precision 0 dropped", edit: func(s string) string { return strings.Replace(s, ", precision: 0}", "}", 1) },
			up: []string{"alter column payments.paid_at (type timestamp(0) -> timestamp)"}},
		{name: "server_onupdate dropped", edit: func(s string) string { return strings.Replace(s, ", server_onupdate: now", "", 1) },
			up: []string{`alter column payments.touched (server onupdate "now" -> "")`}},
		{name: "fulltext becomes plain", edit: func(s string) string { return strings.Replace(s, "kind: fulltext, ", "", 1) },
			up: []string{"drop index payments ft_body (fulltext index (body))", "add index payments ft_body (index (body))"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from := load(t, diffIssue8)
			to := load(t, tc.edit(diffIssue8))
			plan, err := migrate.Diff(from, to, migrate.DiffOptions{})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var up []string
			for _, c := range plan.Up {
				up = append(up, migrate.Describe(c))
			}
			if !slices.Equal(up, tc.up) {
				t.Errorf("up = %q, want %q", up, tc.up)
			}
			if n := len(plan.Destructive()); n != tc.destroy {
				t.Errorf("destructive changes = %d, want %d", n, tc.destroy)
			}
		})
	}
}
