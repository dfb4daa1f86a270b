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

// TestSQLitePlainKeyFromOldDatabase: a key an earlier dlayer declared
// INTEGER (a rowid alias) is reported as an autoincrement change only, and
// migrate diff + up rebuilds it as INT, after which check is clean.
func TestSQLitePlainKeyFromOldDatabase(t *testing.T) {
	models := writeFiles(t, map[string]string{"m.yaml": "tables:\n  codes:\n    columns:\n      id: {type: integer, primary_key: true, autoincrement: false}\n      label: text\n"})
	url := fresh.URL(t, testdb.SQLite, "dl_oldkey")
	execScript(t, url, "CREATE TABLE \"codes\" (\"id\" INTEGER NOT NULL, \"label\" TEXT NOT NULL, PRIMARY KEY (\"id\"));\nINSERT INTO codes VALUES (7, 'x');\n")
	code, out, _ := runCLI(t, "migrate", "check", "--from-db", "--url", url, "--models", models)
	if code != 1 || !strings.Contains(out, "alter column codes.id (autoincrement true -> false)") {
		t.Fatalf("check: exit %d, want 1 reporting only the autoincrement change:\n%s", code, out)
	}
	dir := t.TempDir()
	if code, out, errOut := runCLI(t, "migrate", "diff", "--from-db", "--url", url, "--models", models, "--dir", dir, "-m", "plain key"); code != exitOK {
		t.Fatalf("diff: exit %d: %s%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, "migrate", "up", "--url", url, "--dir", dir); code != exitOK {
		t.Fatalf("up: exit %d: %s%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, "migrate", "check", "--from-db", "--url", url, "--models", models); code != exitOK {
		t.Fatalf("check after the migration: exit %d: %s%s", code, out, errOut)
	}
}

// TestSQLiteTextDecimalsFromOldDatabase: decimals an earlier dlayer stored
// as TEXT compare as text; check reports the type change, and the migration
// docs/yaml.md describes turns them into numbers.
func TestSQLiteTextDecimalsFromOldDatabase(t *testing.T) {
	models := writeFiles(t, map[string]string{"m.yaml": "tables:\n  orders:\n    columns:\n      id: {type: integer, primary_key: true}\n      total: {type: decimal, precision: 10, scale: 2}\n"})
	url := fresh.URL(t, testdb.SQLite, "dl_olddec")
	execScript(t, url, "CREATE TABLE \"orders\" (\"id\" INTEGER NOT NULL, \"total\" TEXT NOT NULL, PRIMARY KEY (\"id\"));\n"+
		"INSERT INTO orders VALUES (1, '9.99'), (2, '10.00'), (3, '100.50');\n")
	above50 := func() []int64 {
		t.Helper()
		ctx := context.Background()
		_, pool, err := dialects.Open(ctx, url, dialects.PoolOptions{MaxOpenConns: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		rows, err := pool.Query(ctx, "SELECT id FROM orders WHERE total > 50 ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids
	}
	if ids := above50(); len(ids) != 1 || ids[0] != 1 {
		t.Fatalf("as text, total > 50 finds %v; the test premise (9.99 alone, id 1) is wrong", ids)
	}
	code, out, _ := runCLI(t, "migrate", "check", "--from-db", "--url", url, "--models", models)
	if code != 1 || !strings.Contains(out, "alter column orders.total (type text -> decimal(10,2))") {
		t.Fatalf("check: exit %d, want 1 reporting text -> decimal:\n%s", code, out)
	}
	dir := t.TempDir()
	if code, out, errOut := runCLI(t, "migrate", "diff", "--from-db", "--allow-destructive", "--url", url, "--models", models, "--dir", dir, "-m", "decimals as numbers"); code != exitOK {
		t.Fatalf("diff: exit %d: %s%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, "migrate", "up", "--url", url, "--dir", dir); code != exitOK {
		t.Fatalf("up: exit %d: %s%s", code, out, errOut)
	}
	if ids := above50(); len(ids) != 1 || ids[0] != 3 {
		t.Errorf("after the migration total > 50 finds %v, want [3] (100.50)", ids)
	}
	if code, out, errOut := runCLI(t, "migrate", "check", "--from-db", "--url", url, "--models", models); code != exitOK {
		t.Fatalf("check after the migration: exit %d: %s%s", code, out, errOut)
	}
}
