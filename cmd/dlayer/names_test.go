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

// indexClash has an index name on two tables: MySQL scopes index names per
// table, PostgreSQL and SQLite keep them in one namespace per schema.
const indexClash = `tables:
  a:
    columns:
      id: {type: integer, primary_key: true}
      x: integer
    indexes:
      - {columns: [x], name: idx_x}
  b:
    columns:
      id: {type: integer, primary_key: true}
      x: integer
    indexes:
      - {columns: [x], name: idx_x}
`

// TestValidateIndexNameScope: the loader accepts an index name used on two
// tables; validate and ddl for PostgreSQL and SQLite refuse it, located at
// the second index, and MySQL takes it.
func TestValidateIndexNameScope(t *testing.T) {
	dir := writeFiles(t, map[string]string{"m.yaml": indexClash})
	located := "m.yaml:13:9: error: index name \"idx_x\" of table \"b\" is already used by index of table \"a\" at "
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"no dialect", []string{"validate", dir}, exitOK, "0 errors"},
		{"mysql", []string{"validate", "--dialect", "mysql", dir}, exitOK, "0 errors"},
		{"postgres", []string{"validate", "--dialect", "postgres", dir}, 1, located},
		{"sqlite", []string{"validate", "--dialect", "sqlite", dir}, 1, located},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.out) || tt.code != exitOK && !strings.Contains(out, "[dialect-duplicate-name]") {
				t.Errorf("exit %d, want %d, and output with %q:\n%s%s", code, tt.code, tt.out, out, errOut)
			}
		})
	}
	for _, d := range []string{"postgres", "sqlite"} {
		code, _, errOut := runCLI(t, "ddl", "--dialect", d, dir)
		if code == exitOK || !strings.Contains(errOut, "idx_x") {
			t.Errorf("ddl --dialect %s: exit %d, stderr %q; want a refusal naming idx_x", d, code, errOut)
		}
	}
}

// TestInspectIndexNameClashMySQL inspects a MariaDB database with KEY idx_x
// on two tables: the YAML validates (for MySQL too), its DDL applies to a
// fresh database, and migrate check against the source finds no change.
func TestInspectIndexNameClashMySQL(t *testing.T) {
	ctx := context.Background()
	src := fresh.URL(t, testdb.MySQL, "dl_ixclash")
	_, pool, err := dialects.Open(ctx, src, dialects.PoolOptions{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for _, s := range []string{
		"CREATE TABLE a (id INT PRIMARY KEY, x INT, KEY idx_x (x))",
		"CREATE TABLE b (id INT PRIMARY KEY, x INT, KEY idx_x (x))",
	} {
		if _, err := pool.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "inspect", src, "-o", dir); code != exitOK {
		t.Fatalf("inspect: exit %d: %s", code, errOut)
	}
	yaml, err := os.ReadFile(filepath.Join(dir, "models.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(yaml), "idx_x") != 2 {
		t.Fatalf("inspected YAML does not keep both idx_x:\n%s", yaml)
	}
	if code, out, _ := runCLI(t, "validate", "--dialect", "mysql", dir); code != exitOK {
		t.Fatalf("validate --dialect mysql: exit %d:\n%s", code, out)
	}
	if code, out, errOut := runCLI(t, "migrate", "check", "--from-db", "--url", src, "--models", dir); code != exitOK {
		t.Fatalf("migrate check --from-db: exit %d:\n%s%s", code, out, errOut)
	}
	code, ddl, errOut := runCLI(t, "ddl", "--dialect", "mysql", dir)
	if code != exitOK {
		t.Fatalf("ddl: exit %d: %s", code, errOut)
	}
	_, dst, err := dialects.Open(ctx, fresh.URL(t, testdb.MySQL, "dl_ixclash2"), dialects.PoolOptions{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	for _, st := range strings.Split(ddl, ";\n") {
		if strings.TrimSpace(st) != "" {
			if _, err := dst.Exec(ctx, st); err != nil {
				t.Fatalf("apply %q: %v", st, err)
			}
		}
	}
}
