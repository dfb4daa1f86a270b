package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
)

// TestMigrateViews: migrate diff writes a migration for an added view
// (after its table), a changed view query (dropped and created again) and
// a dropped view, each applies with migrate up on every database, and the
// view answers queries in between.
func TestMigrateViews(t *testing.T) {
	const table = `models:
  Writer:
    table: writers
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 40}
      active: {type: boolean}
`
	view := func(sql string) string {
		return table + `  ActiveWriter:
    table: active_writers
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 40}
    view: {sql: "` + sql + `"}
`
	}
	steps := []struct {
		name, models string
		changes      []string // migrate check output before the diff
		rows         int64    // rows the view answers after up; -1: no view
	}{
		{name: "table and view", models: view("SELECT id, name FROM writers WHERE active = TRUE"),
			changes: []string{"create table writers", "create view active_writers"}, rows: 1},
		{name: "view query changed", models: view("SELECT id, name FROM writers"),
			changes: []string{"drop view active_writers", "create view active_writers (query changed)"}, rows: 2},
		{name: "view dropped", models: table, changes: []string{"drop view active_writers"}, rows: -1},
	}
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			url := fresh.URL(t, name, "dl_mv")
			models, migrations := t.TempDir(), t.TempDir()
			for i, st := range steps {
				if err := os.WriteFile(filepath.Join(models, "m.yaml"), []byte(st.models), 0o644); err != nil {
					t.Fatal(err)
				}
				args := []string{"--url", url, "--models", models, "--dir", migrations}
				code, out, errOut := runCLI(t, append([]string{"migrate", "check"}, args...)...)
				if code != exitFail {
					t.Fatalf("%s: check before diff: exit %d\n%s%s", st.name, code, out, errOut)
				}
				for _, c := range st.changes {
					if !strings.Contains(out, "  "+c+"\n") {
						t.Errorf("%s: check output lacks %q:\n%s", st.name, c, out)
					}
				}
				if code, out, errOut := runCLI(t, append([]string{"migrate", "diff", "-m", "step" + string(rune('a'+i)), "--allow-destructive"}, args...)...); code != exitOK {
					t.Fatalf("%s: diff: exit %d\n%s%s", st.name, code, out, errOut)
				}
				if code, out, errOut := runCLI(t, append([]string{"migrate", "up"}, args...)...); code != exitOK {
					t.Fatalf("%s: up: exit %d\n%s%s", st.name, code, out, errOut)
				}
				if code, out, errOut := runCLI(t, append([]string{"migrate", "check"}, args...)...); code != exitOK {
					t.Fatalf("%s: check after up: exit %d\n%s%s", st.name, code, out, errOut)
				}
				if i == 0 {
					execScript(t, url, "INSERT INTO writers (id, name, active) VALUES (1, 'ann', TRUE);\nINSERT INTO writers (id, name, active) VALUES (2, 'bob', FALSE);\n")
				}
				got := countRows(t, url, "active_writers")
				if got != st.rows {
					t.Fatalf("%s: the view answers %d rows, want %d", st.name, got, st.rows)
				}
			}
		})
	}
}

// countRows counts the rows of table, or returns -1 when the query fails.
func countRows(t *testing.T, url, table string) int64 {
	t.Helper()
	ctx := context.Background()
	_, pool, err := dialects.Open(ctx, url, dialects.PoolOptions{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	rows, err := pool.Query(ctx, "SELECT count(*) FROM "+table)
	if err != nil {
		return -1
	}
	defer rows.Close()
	var n int64
	if !rows.Next() || rows.Scan(&n) != nil {
		return -1
	}
	return n
}
