package migrate_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/migrate"
	"github.com/dlayer/dlayer/spec"
)

// schemaSteps is a history of YAML schemas; each step makes one or more
// kinds of change to the previous one.
var schemaSteps = []struct {
	name        string
	yaml        string
	destructive bool
}{
	{name: "create tables", yaml: `
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 50}
  Post:
    table: posts
    columns:
      id: {type: integer, primary_key: true}
      title: {type: string, length: 200}
      user_id: {type: integer, foreign_key: users.id}
`},
	{name: "add column and index", yaml: `
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 50}
      email: {type: string, length: 100, nullable: true}
  Post:
    table: posts
    columns:
      id: {type: integer, primary_key: true}
      title: {type: string, length: 200}
      user_id: {type: integer, foreign_key: users.id}
      score: {type: integer, server_default: 0}
    indexes:
      - {columns: [title]}
`},
	{name: "alter columns and add unique", yaml: `
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 120}
      email: {type: string, length: 100, nullable: true, unique: true}
  Post:
    table: posts
    columns:
      id: {type: integer, primary_key: true}
      title: {type: string, length: 200}
      user_id: {type: integer, foreign_key: users.id}
      score: {type: bigint, server_default: 1}
    indexes:
      - {columns: [title]}
`},
	{name: "add tables", yaml: `
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 120}
      email: {type: string, length: 100, nullable: true, unique: true}
  Post:
    table: posts
    columns:
      id: {type: integer, primary_key: true}
      title: {type: string, length: 200}
      user_id: {type: integer, foreign_key: users.id}
      score: {type: bigint, server_default: 1}
    indexes:
      - {columns: [title]}
  Tag:
    table: tags
    columns:
      id: {type: integer, primary_key: true}
      label: {type: string, length: 40}
tables:
  post_tags:
    columns:
      post_id: {type: integer, foreign_key: posts.id, primary_key: true}
      tag_id: {type: integer, foreign_key: tags.id, primary_key: true}
`},
	{name: "rename table and column", yaml: `
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 120}
      email: {type: string, length: 100, nullable: true, unique: true}
  Post:
    table: posts
    columns:
      id: {type: integer, primary_key: true}
      headline: {type: string, length: 200, renamed_from: title}
      user_id: {type: integer, foreign_key: users.id}
      score: {type: bigint, server_default: 1}
    indexes:
      - {columns: [headline]}
  Tag:
    table: labels
    renamed_from: tags
    columns:
      id: {type: integer, primary_key: true}
      label: {type: string, length: 40}
tables:
  post_tags:
    columns:
      post_id: {type: integer, foreign_key: posts.id, primary_key: true}
      tag_id: {type: integer, foreign_key: labels.id, primary_key: true}
`},
	{name: "drop foreign key index column and table", destructive: true, yaml: `
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 120}
  Post:
    table: posts
    columns:
      id: {type: integer, primary_key: true}
      headline: {type: string, length: 200}
      user_id: {type: integer}
      score: {type: bigint, server_default: 1}
  Tag:
    table: labels
    columns:
      id: {type: integer, primary_key: true}
      label: {type: string, length: 40}
`},
	{name: "add foreign key with actions and a check", yaml: `
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 120}
  Post:
    table: posts
    columns:
      id: {type: integer, primary_key: true}
      headline: {type: string, length: 200}
      user_id: {type: integer, nullable: true, foreign_key: {table: users, column: id, on_delete: cascade}}
      score: {type: bigint, server_default: 1}
    checks:
      - {name: ck_posts_score, expr: "score >= 0"}
  Tag:
    table: labels
    columns:
      id: {type: integer, primary_key: true}
      label: {type: string, length: 40}
`},
	{name: "alter the parent of a cascading key", yaml: `
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 150}
  Post:
    table: posts
    columns:
      id: {type: integer, primary_key: true}
      headline: {type: string, length: 200}
      user_id: {type: integer, nullable: true, foreign_key: {table: users, column: id, on_delete: cascade}}
      score: {type: bigint, server_default: 1}
    checks:
      - {name: ck_posts_score, expr: "score >= 0"}
  Tag:
    table: labels
    columns:
      id: {type: integer, primary_key: true}
      label: {type: string, length: 40}
`},
	{name: "add an enum column", yaml: `
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 150}
  Post:
    table: posts
    columns:
      id: {type: integer, primary_key: true}
      headline: {type: string, length: 200}
      user_id: {type: integer, nullable: true, foreign_key: {table: users, column: id, on_delete: cascade}}
      score: {type: bigint, server_default: 1}
      status: {type: enum, values: [draft, live], server_default: draft}
    checks:
      - {name: ck_posts_score, expr: "score >= 0"}
  Tag:
    table: labels
    columns:
      id: {type: integer, primary_key: true}
      label: {type: string, length: 40}
`},
	{name: "add an enum value", yaml: `
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 150}
  Post:
    table: posts
    columns:
      id: {type: integer, primary_key: true}
      headline: {type: string, length: 200}
      user_id: {type: integer, nullable: true, foreign_key: {table: users, column: id, on_delete: cascade}}
      score: {type: bigint, server_default: 1}
      status: {type: enum, values: [draft, live, archived], server_default: draft}
    checks:
      - {name: ck_posts_score, expr: "score >= 0"}
  Tag:
    table: labels
    columns:
      id: {type: integer, primary_key: true}
      label: {type: string, length: 40}
`},
}

// TestChangeKinds generates (from the live database, and from the
// directory's state without one), applies and reverts a migration for every
// kind of change on every database: after up the database matches the YAML (a
// second diff is empty), after down it matches the previous YAML, and up
// again brings it forward for the next step. Rows inserted along the way
// survive the rebuilds and renames.
func TestChangeKinds(t *testing.T) {
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
			assertMatches := func(when string, want *spec.Schema) {
				t.Helper()
				r := runner()
				live, err := r.Inspect(ctx)
				if err != nil {
					t.Fatalf("%s: %v", when, err)
				}
				plan, err := r.Diff(live, want)
				if err != nil {
					t.Fatalf("%s: diff: %v", when, err)
				}
				for _, c := range plan.Up {
					t.Errorf("%s: database differs from the YAML: %s %s (%s)", when, c.Kind, c.TableName(), c.Detail)
				}
				// The directory's state agrees with the database too.
				state, err := r.State()
				if err != nil {
					t.Fatal(err)
				}
				if plan, _ := r.Diff(state, want); !plan.Empty() && strings.HasPrefix(when, "after up") {
					for _, c := range plan.Up {
						t.Errorf("%s: directory state differs from the YAML: %s %s (%s)", when, c.Kind, c.TableName(), c.Detail)
					}
				}
			}
			var prev *spec.Schema
			base := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
			for i, step := range schemaSteps {
				want := load(t, step.yaml)
				r := runner()
				from, err := r.Inspect(ctx)
				if fromDir {
					from, err = r.State()
				}
				if err != nil {
					t.Fatal(err)
				}
				opts := migrate.GenerateOptions{Message: step.name, Now: base.Add(time.Duration(i) * time.Minute)}
				if step.destructive {
					if _, err := r.Generate(from, want, opts); err == nil || !strings.Contains(err.Error(), "drop") {
						t.Fatalf("step %q: destructive plan not refused: %v", step.name, err)
					}
					opts.AllowDestructive = true
				}
				g, err := r.Generate(from, want, opts)
				if err != nil {
					t.Fatalf("step %q: generate: %v", step.name, err)
				}
				if step.destructive && !strings.Contains(string(g.Text), "-- +dlayer destructive: ") {
					t.Errorf("step %q: destructive steps not marked:\n%s", step.name, g.Text)
				}
				if err := os.WriteFile(filepath.Join(dir, g.File), g.Text, 0o644); err != nil {
					t.Fatal(err)
				}
				if _, err := runner().Up(ctx, 0); err != nil {
					t.Fatalf("step %q: up: %v\n%s", step.name, err, g.Text)
				}
				assertMatches("after up of "+step.name, want)
				if i == 0 {
					seed(t, db)
				}
				if _, err := runner().Down(ctx, 1); err != nil {
					t.Fatalf("step %q: down: %v\n%s", step.name, err, g.Text)
				}
				if prev != nil {
					assertMatches("after down of "+step.name, prev)
				} else if live, _ := runner().Inspect(ctx); len(live.Tables) != 0 {
					t.Errorf("after down of %s: tables left: %d", step.name, len(live.Tables))
				}
				if _, err := runner().Up(ctx, 0); err != nil {
					t.Fatalf("step %q: up again: %v\n%s", step.name, err, g.Text)
				}
				if i == 0 {
					seed(t, db)
				}
				prev = want
			}
			var n int64
			rows, err := db.pool.Query(ctx, "SELECT COUNT(*) FROM "+db.dialect.QuoteIdent("posts"))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				if err := rows.Scan(&n); err != nil {
					t.Fatal(err)
				}
			}
			rows.Close()
			if n != 2 {
				t.Errorf("posts rows after all steps = %d, want 2 (rows lost by a rebuild?)", n)
			}
		})
	}
}

// combos lists each database twice: generating migrations against the
// live database, and against the state the migration directory produces.
func combos() []struct {
	name, db string
	fromDir  bool
} {
	var out []struct {
		name, db string
		fromDir  bool
	}
	for _, n := range testdb.Names {
		out = append(out, struct {
			name, db string
			fromDir  bool
		}{n + "/from-database", n, false}, struct {
			name, db string
			fromDir  bool
		}{n + "/from-directory", n, true})
	}
	return out
}

// seed inserts two users and two posts.
func seed(t *testing.T, db *testDB) {
	t.Helper()
	ctx := context.Background()
	q, p := db.dialect.QuoteIdent, db.dialect.Placeholder
	for _, s := range []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO " + q("users") + " (" + q("id") + ", " + q("name") + ") VALUES (" + p(1) + ", " + p(2) + ")", []any{1, "ann"}},
		{"INSERT INTO " + q("users") + " (" + q("id") + ", " + q("name") + ") VALUES (" + p(1) + ", " + p(2) + ")", []any{2, "bob"}},
		{"INSERT INTO " + q("posts") + " (" + q("id") + ", " + q("title") + ", " + q("user_id") + ") VALUES (" + p(1) + ", " + p(2) + ", " + p(3) + ")", []any{1, "hello", 1}},
		{"INSERT INTO " + q("posts") + " (" + q("id") + ", " + q("title") + ", " + q("user_id") + ") VALUES (" + p(1) + ", " + p(2) + ", " + p(3) + ")", []any{2, "again", 2}},
	} {
		if _, err := db.pool.Exec(ctx, s.sql, s.args...); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
}

var _ = dialects.ErrLockTimeout
