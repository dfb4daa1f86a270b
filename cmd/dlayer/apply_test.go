package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
)

// queryOK reports whether query runs on the database at url.
func queryOK(t *testing.T, url, query string) bool {
	t.Helper()
	ctx := context.Background()
	_, pool, err := dialects.Open(ctx, url, dialects.PoolOptions{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	rows, err := pool.Query(ctx, query)
	if err != nil {
		return false
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err() == nil
}

const applyV1 = `models:
  Author:
    table: authors
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 80}
      bio: {type: text, nullable: true}
  Book:
    table: books
    columns:
      id: {type: integer, primary_key: true}
      title: {type: string, length: 120}
      author_id: {type: integer, foreign_key: authors.id}
`

// applyV2 adds books.isbn and drops authors.bio (destructive).
const applyV2 = `models:
  Author:
    table: authors
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 80}
  Book:
    table: books
    columns:
      id: {type: integer, primary_key: true}
      title: {type: string, length: 120}
      isbn: {type: string, length: 20, nullable: true}
      author_id: {type: integer, foreign_key: authors.id}
`

// TestApply: on every database, apply creates the tables of the YAML
// (after a dry run that changes nothing), is a no-op the second time,
// refuses a change that drops a column without --allow-destructive (and
// changes nothing, not even the harmless part), prints it in a dry run,
// and applies it with the flag; the URL also comes from
// DLAYER_DATABASE_URL.
func TestApply(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			url := fresh.URL(t, name, "dl_apply")
			models := t.TempDir()
			write := func(src string) {
				if err := os.WriteFile(filepath.Join(models, "m.yaml"), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			apply := func(want int, extra ...string) (string, string) {
				t.Helper()
				args := append([]string{"apply", "--url", url, "--models", models}, extra...)
				code, out, errOut := runCLI(t, args...)
				if code != want {
					t.Fatalf("dlayer %s: exit %d, want %d\n%s%s", strings.Join(extra, " "), code, want, out, errOut)
				}
				return out, errOut
			}
			write(applyV1)

			out, _ := apply(exitOK, "--dry-run")
			if !strings.Contains(out, "-- dry run") || !strings.Contains(out, "CREATE TABLE") {
				t.Fatalf("dry run output:\n%s", out)
			}
			if queryOK(t, url, "SELECT id FROM authors") {
				t.Fatal("the dry run created authors")
			}

			out, _ = apply(exitOK)
			for _, want := range []string{"applied 2 changes", "create table authors", "create table books"} {
				if !strings.Contains(out, want) {
					t.Errorf("apply output lacks %q:\n%s", want, out)
				}
			}
			if !queryOK(t, url, "SELECT id, name, bio FROM authors") || !queryOK(t, url, "SELECT id, title, author_id FROM books") {
				t.Fatal("apply did not create the tables")
			}
			execScript(t, url, "INSERT INTO authors (id, name, bio) VALUES (1, 'ann', 'x');\nINSERT INTO books (id, title, author_id) VALUES (1, 'b', 1);\n")

			if out, _ := apply(exitOK); !strings.Contains(out, "no changes: the database matches the YAML") {
				t.Fatalf("second apply:\n%s", out)
			}

			write(applyV2)
			_, errOut := apply(exitFail)
			for _, want := range []string{"refused", "drop column authors.bio", "--allow-destructive"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("refusal lacks %q:\n%s", want, errOut)
				}
			}
			if queryOK(t, url, "SELECT isbn FROM books") || !queryOK(t, url, "SELECT bio FROM authors") {
				t.Fatal("a refused apply changed the database")
			}

			out, _ = apply(exitOK, "--dry-run", "--allow-destructive")
			if !strings.Contains(out, "1 destructive") || !strings.Contains(out, `"authors"`) && !strings.Contains(out, "`authors`") {
				t.Fatalf("destructive dry run:\n%s", out)
			}
			if !queryOK(t, url, "SELECT bio FROM authors") {
				t.Fatal("the dry run dropped authors.bio")
			}

			t.Setenv("DLAYER_DATABASE_URL", url)
			code, out, errOut := runCLI(t, "apply", "--models", models, "--allow-destructive", "--format", "json")
			if code != exitOK {
				t.Fatalf("apply from DLAYER_DATABASE_URL: exit %d\n%s%s", code, out, errOut)
			}
			var res struct {
				Changes []struct {
					Summary     string `json:"summary"`
					Destructive bool   `json:"destructive"`
				} `json:"changes"`
				Statements []string `json:"statements"`
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("json: %v\n%s", err, out)
			}
			if len(res.Changes) != 2 || len(res.Statements) == 0 {
				t.Fatalf("json changes: %+v", res)
			}
			if !queryOK(t, url, "SELECT isbn FROM books") || queryOK(t, url, "SELECT bio FROM authors") {
				t.Fatal("apply --allow-destructive did not apply the change")
			}
			if n := countRows(t, url, "books"); n != 1 {
				t.Fatalf("books has %d rows after apply, want 1 (data kept)", n)
			}
			if code, out, _ := runCLI(t, "apply", "--models", models); code != exitOK || !strings.Contains(out, "no changes") {
				t.Fatalf("after the destructive apply: exit %d\n%s", code, out)
			}
		})
	}
}

// TestApplyWarnsOnMigratedDatabase: on a database whose schema came from
// migrations, apply still works but warns that it changes the database
// outside them; on one without a history table it creates none.
func TestApplyWarnsOnMigratedDatabase(t *testing.T) {
	clearProjectEnv(t)
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			url := fresh.URL(t, name, "dl_applyw")
			models, migrations := t.TempDir(), t.TempDir()
			if err := os.WriteFile(filepath.Join(models, "m.yaml"), []byte(applyV1), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCLI(t, "apply", "--url", url, "--models", models)
			if code != exitOK || strings.Contains(errOut, "warning") {
				t.Fatalf("apply on a fresh database: exit %d\n%s%s", code, out, errOut)
			}
			if queryOK(t, url, "SELECT COUNT(*) FROM dlayer_migrations") {
				t.Fatal("apply created the history table")
			}

			url = fresh.URL(t, name, "dl_applyw2")
			args := []string{"--url", url, "--models", models, "--dir", migrations}
			for _, cmd := range [][]string{{"migrate", "diff", "-m", "one"}, {"migrate", "up"}} {
				if code, out, errOut := runCLI(t, append(cmd, args...)...); code != exitOK {
					t.Fatalf("%v: exit %d\n%s%s", cmd, code, out, errOut)
				}
			}
			if err := os.WriteFile(filepath.Join(models, "m.yaml"), []byte(applyV2), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut = runCLI(t, "apply", "--url", url, "--models", models, "--allow-destructive")
			if code != exitOK || !strings.Contains(errOut, "warning: 1 migration is recorded in dlayer_migrations") {
				t.Fatalf("apply on a migrated database: exit %d\n%s%s", code, out, errOut)
			}
		})
	}
}

func TestApplyUsage(t *testing.T) {
	t.Setenv("DLAYER_DATABASE_URL", "")
	t.Setenv("DLAYER_ENV", "")
	t.Setenv("DLAYER_CONFIG", "")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{name: "no url", args: []string{"apply"}, code: exitUsage, stderr: "apply needs a database"},
		{name: "argument", args: []string{"apply", "--url", "sqlite://", "x"}, code: exitUsage, stderr: "takes no arguments"},
		{name: "bad format", args: []string{"apply", "--url", "sqlite://", "--format", "xml"}, code: exitUsage, stderr: "unknown --format"},
		{name: "password hidden", args: []string{"apply", "--url", "postgres://u:s3cret@127.0.0.1:1/x"}, code: exitUsage, stderr: "xxxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.stderr) || strings.Contains(out+errOut, "s3cret") {
				t.Fatalf("exit %d, want %d; stderr lacks %q?\n%s%s", code, tt.code, tt.stderr, out, errOut)
			}
		})
	}
}
