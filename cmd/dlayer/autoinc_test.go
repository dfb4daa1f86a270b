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

// TestSQLiteAutoincrementRoundTrip: on SQLite a sole integer key keeps
// autoincrement false and true through ddl → database → inspect, and
// migrate check --from-db against the database finds no change.
func TestSQLiteAutoincrementRoundTrip(t *testing.T) {
	models := writeFiles(t, map[string]string{"m.yaml": `tables:
  plain:
    columns:
      id: {type: integer, primary_key: true, autoincrement: false}
      n: integer
  counted:
    columns:
      id: {type: bigint, primary_key: true}
      n: integer
`})
	code, ddl, errOut := runCLI(t, "ddl", "--dialect", "sqlite", models)
	if code != exitOK {
		t.Fatalf("ddl: exit %d: %s", code, errOut)
	}
	if !strings.Contains(ddl, `"id" INT NOT NULL`) || !strings.Contains(ddl, `"id" INTEGER NOT NULL`) {
		t.Fatalf("ddl does not declare the plain key INT and the autoincrement key INTEGER:\n%s", ddl)
	}
	ctx := context.Background()
	url := fresh.URL(t, testdb.SQLite, "dl_autoinc")
	_, pool, err := dialects.Open(ctx, url, dialects.PoolOptions{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for _, st := range strings.Split(ddl, ";\n") {
		if strings.TrimSpace(st) != "" {
			if _, err := pool.Exec(ctx, st); err != nil {
				t.Fatalf("apply %q: %v", st, err)
			}
		}
	}
	// The database agrees: the plain key is not filled in, the other is.
	if _, err := pool.Exec(ctx, `INSERT INTO plain (n) VALUES (1)`); err == nil {
		t.Error("insert without a key into plain succeeded: the key is a rowid alias")
	}
	if _, err := pool.Exec(ctx, `INSERT INTO counted (n) VALUES (1)`); err != nil {
		t.Errorf("insert without a key into counted: %v", err)
	}
	if code, out, errOut := runCLI(t, "migrate", "check", "--from-db", "--url", url, "--models", models); code != exitOK {
		t.Fatalf("migrate check --from-db: exit %d:\n%s%s", code, out, errOut)
	}
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "inspect", url, "-o", dir); code != exitOK {
		t.Fatalf("inspect: exit %d: %s", code, errOut)
	}
	yaml, err := os.ReadFile(filepath.Join(dir, "models.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(yaml), "autoincrement: false") != 1 {
		t.Fatalf("inspect should mark exactly the plain key autoincrement: false:\n%s", yaml)
	}
	code, ddl2, errOut := runCLI(t, "ddl", "--dialect", "sqlite", dir)
	if code != exitOK || ddl2 != ddl {
		t.Fatalf("ddl of the inspected YAML differs (exit %d, %s):\n%s\nwant:\n%s", code, errOut, ddl2, ddl)
	}
}
