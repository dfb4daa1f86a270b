package migrate_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/migrate"
	"github.com/dlayer/dlayer/spec"
)

// bigSchema has 17 tables: composite primary and foreign keys,
// self-references, one-to-one, three association tables (one of them a
// self-referential many-to-many), enums, decimals, JSON, UUIDs, bytes,
// defaults, uniques, indexes and checks.
const bigSchema = `
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      email: {type: string, length: 100, unique: true}
      name: {type: string, length: 50}
      created_at: {type: timestamp, server_default: now}
      active: {type: boolean, server_default: true}
  Profile:
    table: profiles
    columns:
      user_id: {type: integer, primary_key: true, foreign_key: {table: users, column: id, on_delete: cascade}}
      bio: {type: text, nullable: true}
  Post:
    table: posts
    columns:
      id: {type: integer, primary_key: true}
      author_id: {type: integer, foreign_key: users.id}
      title: {type: string, length: 200}
      body: text
      status: {type: enum, values: [draft, published], server_default: draft}
      score: {type: decimal, precision: 10, scale: 2, server_default: 0}
    indexes:
      - {columns: [author_id, title]}
  Comment:
    table: comments
    columns:
      id: {type: integer, primary_key: true}
      post_id: {type: integer, foreign_key: {table: posts, column: id, on_delete: cascade}}
      author_id: {type: integer, foreign_key: users.id}
      parent_id: {type: integer, nullable: true, foreign_key: comments.id}
      body: text
  Tag:
    table: tags
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 40, unique: true}
  Category:
    table: categories
    columns:
      id: {type: integer, primary_key: true}
      parent_id: {type: integer, nullable: true, foreign_key: categories.id}
      name: {type: string, length: 60, index: true}
  Country:
    table: countries
    columns:
      code: {type: string, length: 2, primary_key: true}
      name: {type: string, length: 80}
  Office:
    table: offices
    columns:
      country: {type: string, length: 2, primary_key: true, foreign_key: countries.code}
      code: {type: string, length: 10, primary_key: true}
      city: {type: string, length: 80}
  Employee:
    table: employees
    columns:
      id: {type: bigint, primary_key: true}
      manager_id: {type: bigint, nullable: true, foreign_key: employees.id}
      office_country: {type: string, length: 2, nullable: true}
      office_code: {type: string, length: 10, nullable: true}
      salary: {type: decimal, precision: 12, scale: 2}
    foreign_keys:
      - {columns: [office_country, office_code], references: {table: offices, columns: [country, code]}, on_delete: set null}
  Project:
    table: projects
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 100}
      budget: {type: double, nullable: true}
  AuditLog:
    table: audit_logs
    columns:
      id: {type: bigint, primary_key: true}
      at: {type: timestamp}
      payload: {type: json, nullable: true}
      actor_id: {type: integer, nullable: true, foreign_key: {table: users, column: id, on_delete: set null}}
  Attachment:
    table: attachments
    columns:
      id: {type: uuid, primary_key: true}
      post_id: {type: integer, foreign_key: posts.id}
      data: bytes
      size: {type: integer}
    checks:
      - {name: ck_attachments_size, expr: "size >= 0"}
  Setting:
    table: settings
    columns:
      key: {type: string, length: 50, primary_key: true}
      value: {type: text, nullable: true}
      day: {type: date, nullable: true}
      at: {type: time, nullable: true}
tables:
  post_tags:
    columns:
      post_id: {type: integer, foreign_key: posts.id, primary_key: true}
      tag_id: {type: integer, foreign_key: tags.id, primary_key: true}
  post_categories:
    columns:
      post_id: {type: integer, foreign_key: posts.id, primary_key: true}
      category_id: {type: integer, foreign_key: categories.id, primary_key: true}
  follows:
    columns:
      follower_id: {type: integer, foreign_key: users.id, primary_key: true}
      followed_id: {type: integer, foreign_key: users.id, primary_key: true}
  project_members:
    columns:
      project_id: {type: integer, foreign_key: projects.id, primary_key: true}
      employee_id: {type: bigint, foreign_key: employees.id, primary_key: true}
`

// TestInspectRoundTrip creates a 17-table database from YAML through a
// migration, inspects it, writes the models as YAML, loads them back with
// the loader (no diagnostics) and diffs them against the same database:
// the diff is empty, association tables come back as plain tables with
// many-to-many relationships, and self-references as relationships.
func TestInspectRoundTrip(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := freshDB(t, name)
			want := load(t, bigSchema)
			if len(want.Tables) < 15 {
				t.Fatalf("schema has %d tables, want at least 15", len(want.Tables))
			}
			dir := t.TempDir()
			r, err := migrate.New(migrate.Config{Dialect: db.dialect, Pool: db.pool, Dir: os.DirFS(dir)})
			if err != nil {
				t.Fatal(err)
			}
			g, err := r.Generate(nil, want, migrate.GenerateOptions{Message: "initial", Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, g.File), g.Text, 0o644); err != nil {
				t.Fatal(err)
			}
			r, _ = migrate.New(migrate.Config{Dialect: db.dialect, Pool: db.pool, Dir: os.DirFS(dir)})
			if _, err := r.Up(ctx, 0); err != nil {
				t.Fatalf("up: %v\n%s", err, g.Text)
			}
			live, err := r.Inspect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(live.Tables) != len(want.Tables) {
				t.Errorf("inspected %d tables, want %d", len(live.Tables), len(want.Tables))
			}
			// The database matches the YAML it was made from.
			plan, err := r.Diff(live, want)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range plan.Up {
				t.Errorf("database vs original YAML: %s %s (%s)", c.Kind, c.TableName(), c.Detail)
			}
			text, err := migrate.ModelsYAML(live)
			if err != nil {
				t.Fatal(err)
			}
			back := load(t, string(text))
			plan, err = r.Diff(live, back)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range plan.Up {
				t.Errorf("database vs inspected YAML: %s %s (%s)", c.Kind, c.TableName(), c.Detail)
			}
			if t.Failed() {
				t.Logf("inspected YAML:\n%s", text)
			}
			checkRelationships(t, back)

			// The comparison is not blind: a column added behind the
			// YAML's back shows up.
			q := db.dialect.QuoteIdent
			if _, err := db.pool.Exec(ctx, "ALTER TABLE "+q("tags")+" ADD COLUMN "+q("extra")+" INTEGER"); err != nil {
				t.Fatal(err)
			}
			live, err = r.Inspect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			plan, err = r.Diff(live, back)
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Up) != 1 || migrate.Describe(plan.Up[0]) != "drop column tags.extra" {
				t.Errorf("after adding tags.extra, diff = %d changes, want drop column tags.extra", len(plan.Up))
			}
		})
	}
}

func checkRelationships(t *testing.T, s *spec.Schema) {
	t.Helper()
	for _, tc := range []struct {
		model, rel string
		kind       spec.RelKind
		secondary  string
	}{
		{"Post", "tags", spec.ManyToMany, "post_tags"},
		{"Tag", "posts", spec.ManyToMany, "post_tags"},
		{"Project", "employees", spec.ManyToMany, "project_members"},
		{"Post", "author", spec.ManyToOne, ""},
		{"User", "posts", spec.OneToMany, ""},
		{"Comment", "parent", spec.ManyToOne, ""},
		{"Comment", "children", spec.OneToMany, ""},
		{"Category", "parent", spec.ManyToOne, ""},
		{"Category", "children", spec.OneToMany, ""},
		{"Employee", "manager", spec.ManyToOne, ""},
		{"Employee", "reports", spec.OneToMany, ""},
		{"Employee", "office", spec.ManyToOne, ""},
	} {
		m := s.Model(tc.model)
		if m == nil {
			t.Errorf("no model %s", tc.model)
			continue
		}
		r := m.Relationship(tc.rel)
		if r == nil {
			t.Errorf("%s has no relationship %s", tc.model, tc.rel)
			continue
		}
		if r.Kind != tc.kind {
			t.Errorf("%s.%s kind = %s, want %s", tc.model, tc.rel, r.Kind, tc.kind)
		}
		if tc.secondary != "" && (r.Secondary == nil || r.Secondary.Name != tc.secondary) {
			t.Errorf("%s.%s secondary = %v, want %s", tc.model, tc.rel, r.Secondary, tc.secondary)
		}
	}
	for _, tbl := range []string{"post_tags", "post_categories", "follows", "project_members"} {
		if tt := s.Table(tbl); tt == nil || tt.Model != nil {
			t.Errorf("association table %s is not a plain table", tbl)
		}
	}
	if u := s.Model("User"); u != nil {
		n := 0
		for _, r := range u.Relationships {
			if r.Kind == spec.ManyToMany && r.Secondary != nil && r.Secondary.Name == "follows" {
				n++
			}
		}
		if n != 2 {
			t.Errorf("User has %d many-to-many relationships through follows, want 2", n)
		}
	}
}
