package migrate_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/migrate"
	"github.com/dlayer/dlayer/spec"
)

// issue8Steps are the schemas TestMigrateIssue8Columns migrates through, on
// every database: a composite primary key stated out of column order, a
// fixed string, whole-second timestamps and a stored computed column; then
// the computed expression changes (the column is dropped and added again).
// On MySQL/MariaDB the schema also has an unsigned column, an ON UPDATE
// timestamp and a fulltext index, and the second step adds another
// fulltext index.
func issue8Steps(db string) []string {
	extraCols, extraIdx, extraIdx2 := "", "", ""
	if db == testdb.MySQL {
		extraCols = `
      big: {type: bigint, unsigned: true, nullable: true}
      touched: {type: timestamp, timezone: true, server_default: now, server_onupdate: now}
      note: {type: text, nullable: true}`
		extraIdx = `
    indexes:
      - {columns: [code], kind: fulltext, name: ft_code}`
		extraIdx2 = `
      - {columns: [note], kind: fulltext, name: ft_note}`
	}
	step := func(expr, idx2 string) string {
		return fmt.Sprintf(`
models:
  Payment:
    table: payments
    columns:
      id: {type: bigint}
      paid_at: {type: timestamp, precision: 0}
      code: {type: string, length: 3, fixed: true}
      qty: {type: integer}
      total: {type: integer, nullable: true, computed: {sql: %q, stored: true}}%s
    primary_key: [paid_at, id]%s%s
`, expr, extraCols, extraIdx, idx2)
	}
	return []string{step("qty * 2", ""), step("qty * 3", extraIdx2)}
}

// TestMigrateIssue8Columns generates and applies migrations for the keys
// added for existing databases, on every database (generated against the
// live database and against the directory's state), and checks after each
// up and down that the live database matches the YAML (what migrate check
// --from-db reports), after each up that the directory's state (its
// snapshots) does too, and that computed values are the database's.
func TestMigrateIssue8Columns(t *testing.T) {
	for _, combo := range combos() {
		name, fromDir := combo.db, combo.fromDir
		t.Run(combo.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := freshDB(t, name)
			dir := t.TempDir()
			runner := func() *migrate.Runner {
				r, err := migrate.New(migrate.Config{Dialect: db.dialect, Pool: db.pool, Dir: os.DirFS(dir)})
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			matches := func(when string, want *spec.Schema) {
				t.Helper()
				r := runner()
				live, err := r.Inspect(ctx)
				if err != nil {
					t.Fatalf("%s: %v", when, err)
				}
				if got := live.Table("payments"); got == nil || len(got.PrimaryKey) != 2 || got.PrimaryKey[0].Name != "paid_at" {
					t.Errorf("%s: primary key not (paid_at, id): %v", when, got)
				}
				plan, err := r.Diff(live, want)
				if err != nil {
					t.Fatalf("%s: diff: %v", when, err)
				}
				for _, c := range plan.Up {
					t.Errorf("%s: database differs from the YAML: %s %s (%s)", when, c.Kind, c.TableName(), c.Detail)
				}
				// The state the migration directory produces (all of it:
				// after an up) agrees too.
				if !strings.HasPrefix(when, "after up") {
					return
				}
				state, err := r.State()
				if err != nil {
					t.Fatal(err)
				}
				if plan, err = r.Diff(state, want); err != nil {
					t.Fatalf("%s: diff of the directory state: %v", when, err)
				}
				for _, c := range plan.Up {
					t.Errorf("%s: directory state differs from the YAML: %s %s (%s)", when, c.Kind, c.TableName(), c.Detail)
				}
			}
			total := func(want int64) {
				t.Helper()
				q := db.dialect.QuoteIdent
				rows, err := db.pool.Query(ctx, "SELECT "+q("total")+" FROM "+q("payments"))
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				var n int64
				for rows.Next() {
					if err := rows.Scan(&n); err != nil {
						t.Fatal(err)
					}
				}
				if n != want {
					t.Errorf("computed total = %d, want %d", n, want)
				}
			}
			var prev *spec.Schema
			for i, yaml := range issue8Steps(name) {
				want := load(t, yaml)
				r := runner()
				from, err := r.Inspect(ctx)
				if fromDir {
					from, err = r.State()
				}
				if err != nil {
					t.Fatal(err)
				}
				g, err := r.Generate(from, want, migrate.GenerateOptions{Message: fmt.Sprintf("step %d", i),
					Now: time.Date(2026, 12, 3, 12, i, 0, 0, time.UTC)})
				if err != nil {
					t.Fatalf("step %d: generate: %v", i, err)
				}
				if err := os.WriteFile(filepath.Join(dir, g.File), g.Text, 0o644); err != nil {
					t.Fatal(err)
				}
				if _, err := runner().Up(ctx, 0); err != nil {
					t.Fatalf("step %d: up: %v\n%s", i, err, g.Text)
				}
				matches(fmt.Sprintf("after up of step %d", i), want)
				if i == 0 {
					prev = want
					q, p := db.dialect.QuoteIdent, db.dialect.Placeholder
					if _, err := db.pool.Exec(ctx, "INSERT INTO "+q("payments")+" ("+q("id")+", "+q("paid_at")+", "+q("code")+", "+q("qty")+
						") VALUES ("+p(1)+", "+p(2)+", "+p(3)+", "+p(4)+")", 1, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "abc", 7); err != nil {
						t.Fatal(err)
					}
					total(14)
					continue
				}
				total(21)
				if _, err := runner().Down(ctx, 1); err != nil {
					t.Fatalf("step %d: down: %v\n%s", i, err, g.Text)
				}
				matches(fmt.Sprintf("after down of step %d", i), prev)
				total(14)
				if !strings.Contains(string(g.Text), "total") {
					t.Errorf("step %d: the migration does not recreate the computed column:\n%s", i, g.Text)
				}
			}
		})
	}
}
