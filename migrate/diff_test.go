package migrate_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dlayer/dlayer/loader"
	"github.com/dlayer/dlayer/migrate"
)

const diffBase = `
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
      user_id: {type: integer, foreign_key: users.id}
      title: {type: string, length: 200}
    indexes:
      - {columns: [title]}
`

// TestDiff checks the change list (kinds, order, destructive marks) for
// each kind of schema edit, up and down, without a database.
func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(string) string
		up      []string // Describe of each change, in order
		down    []string
		destroy int
		renames bool
	}{
		{name: "no change", edit: func(s string) string { return s }},
		{
			name: "add nullable column",
			edit: func(s string) string {
				return strings.Replace(s, "      email:", "      bio: {type: text, nullable: true}\n      email:", 1)
			},
			up:      []string{"add column users.bio"},
			down:    []string{"drop column users.bio"},
			destroy: 0,
		},
		{
			name: "drop column",
			edit: func(s string) string {
				return strings.Replace(s, "      email: {type: string, length: 100, nullable: true}\n", "", 1)
			},
			up:      []string{"drop column users.email"},
			down:    []string{"add column users.email"},
			destroy: 1,
		},
		{
			name: "widen and narrow",
			edit: func(s string) string {
				s = strings.Replace(s, "name: {type: string, length: 50}", "name: {type: string, length: 80}", 1)
				return strings.Replace(s, "title: {type: string, length: 200}", "title: {type: string, length: 20}", 1)
			},
			up: []string{"alter column posts.title (type string(200) -> string(20))",
				"alter column users.name (type string(50) -> string(80))"},
			down: []string{"alter column posts.title (type string(20) -> string(200))",
				"alter column users.name (type string(80) -> string(50))"},
			destroy: 1,
		},
		{
			name: "nullability and server default",
			edit: func(s string) string {
				return strings.Replace(s, "email: {type: string, length: 100, nullable: true}", "email: {type: string, length: 100, server_default: none}", 1)
			},
			up:   []string{`alter column users.email (nullable true -> false; server default "" -> "none")`},
			down: []string{`alter column users.email (nullable false -> true; server default "none" -> "")`},
		},
		{
			name: "drop index and foreign key",
			edit: func(s string) string {
				return strings.Replace(strings.Replace(s, ", foreign_key: users.id", "", 1), "    indexes:\n      - {columns: [title]}\n", "", 1)
			},
			up:      []string{"drop foreign key posts fk_posts_user_id_users ((user_id) -> users(id) on delete no action on update no action)", "drop index posts ix_posts_title (index (title))"},
			down:    []string{"add index posts ix_posts_title (index (title))", "add foreign key posts fk_posts_user_id_users ((user_id) -> users(id) on delete no action on update no action)"},
			destroy: 0,
		},
		{
			name: "change foreign key action",
			edit: func(s string) string {
				return strings.Replace(s, "foreign_key: users.id", "foreign_key: {table: users, column: id, on_delete: cascade}", 1)
			},
			up: []string{"drop foreign key posts fk_posts_user_id_users ((user_id) -> users(id) on delete no action on update no action)",
				"add foreign key posts fk_posts_user_id_users ((user_id) -> users(id) on delete cascade on update no action)"},
			down: []string{"drop foreign key posts fk_posts_user_id_users ((user_id) -> users(id) on delete cascade on update no action)",
				"add foreign key posts fk_posts_user_id_users ((user_id) -> users(id) on delete no action on update no action)"},
		},
		{
			name: "unique flag and unique constraint are one key",
			edit: func(s string) string {
				return strings.Replace(s, "email: {type: string, length: 100, nullable: true}", "email: {type: string, length: 100, nullable: true, unique: true}", 1)
			},
			up:   []string{"add unique users uq_users_email (unique (email))"},
			down: []string{"drop unique users uq_users_email (unique (email))"},
		},
		{
			name: "add table referencing another",
			edit: func(s string) string {
				return s + "  Like:\n    table: likes\n    columns:\n      id: {type: integer, primary_key: true}\n      post_id: {type: integer, foreign_key: posts.id}\n"
			},
			up:      []string{"create table likes"},
			down:    []string{"drop table likes"},
			destroy: 0,
		},
		{
			name: "drop tables, dependents first",
			edit: func(s string) string {
				return "models:\n  Tag:\n    table: tags\n    columns:\n      id: {type: integer, primary_key: true}\n"
			},
			up:      []string{"create table tags", "drop table posts", "drop table users"},
			down:    []string{"create table users", "create table posts", "drop table tags"},
			destroy: 2,
		},
		{
			name: "rename table and column via renamed_from",
			edit: func(s string) string {
				s = strings.Replace(s, "    table: users\n", "    table: members\n    renamed_from: users\n", 1)
				s = strings.Replace(s, "foreign_key: users.id", "foreign_key: members.id", 1)
				return strings.Replace(s, "      name: {type: string, length: 50}", "      full_name: {type: string, length: 50, renamed_from: name}", 1)
			},
			// The foreign key's derived name follows the table's.
			up: []string{"drop foreign key posts fk_posts_user_id_users ((user_id) -> members(id) on delete no action on update no action)",
				"rename table members (users -> members)", "rename column members.full_name (name -> full_name)",
				"add foreign key posts fk_posts_user_id_members ((user_id) -> members(id) on delete no action on update no action)"},
			down: []string{"drop foreign key posts fk_posts_user_id_members ((user_id) -> users(id) on delete no action on update no action)",
				"rename table users (members -> users)", "rename column users.name (full_name -> name)",
				"add foreign key posts fk_posts_user_id_users ((user_id) -> users(id) on delete no action on update no action)"},
			renames: true,
		},
		{
			name: "a missing column without renamed_from is dropped and added, never guessed",
			edit: func(s string) string {
				return strings.Replace(s, "      name: {type: string, length: 50}", "      full_name: {type: string, length: 50}", 1)
			},
			up:      []string{"add column users.full_name", "drop column users.name"},
			down:    []string{"add column users.name", "drop column users.full_name"},
			destroy: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to := load(t, diffBase), load(t, tc.edit(diffBase))
			plan, err := migrate.Diff(from, to, migrate.DiffOptions{})
			if err != nil {
				t.Fatal(err)
			}
			check := func(dir string, got []string, want []string) {
				t.Helper()
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%s:\n got  %q\n want %q", dir, got, want)
				}
			}
			var up, down []string
			for _, c := range plan.Up {
				up = append(up, migrate.Describe(c))
			}
			for _, c := range plan.Down {
				down = append(down, migrate.Describe(c))
			}
			check("up", up, tc.up)
			check("down", down, tc.down)
			if n := len(plan.Destructive()); n != tc.destroy {
				t.Errorf("destructive changes = %d, want %d", n, tc.destroy)
			}
			if tc.renames {
				return // renamed_from lives only in the new schema
			}
			// The down plan is the diff in reverse.
			back, err := migrate.Diff(to, from, migrate.DiffOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(back.Up) != len(plan.Down) {
				t.Errorf("diff(to, from) has %d changes, plan.Down %d", len(back.Up), len(plan.Down))
			}
		})
	}
}

// TestDiffPrimaryKeyChange refuses to guess a primary-key change.
func TestDiffPrimaryKeyChange(t *testing.T) {
	from := load(t, diffBase)
	to := load(t, strings.Replace(diffBase, "      id: {type: integer, primary_key: true}\n      user_id:", "      id: {type: integer}\n      code: {type: integer, primary_key: true}\n      user_id:", 1))
	if _, err := migrate.Diff(from, to, migrate.DiffOptions{}); err == nil || !strings.Contains(err.Error(), "primary key") {
		t.Fatalf("err = %v, want a primary key error", err)
	}
}

// BenchmarkDiff diffs the 17-table schema against a copy with one column
// renamed and one added: go test -run '^$' -bench Diff -benchmem ./migrate/
func BenchmarkDiff(b *testing.B) {
	from, ds := loader.Load(fstest.MapFS{"m.yaml": {Data: []byte(bigSchema)}})
	if ds.HasErrors() {
		b.Fatal(ds)
	}
	edited := strings.Replace(bigSchema, "      bio: {type: text, nullable: true}", "      biography: {type: text, nullable: true, renamed_from: bio}\n      age: {type: integer, nullable: true}", 1)
	to, ds := loader.Load(fstest.MapFS{"m.yaml": {Data: []byte(edited)}})
	if ds.HasErrors() {
		b.Fatal(ds)
	}
	b.ReportAllocs()
	for b.Loop() {
		plan, err := migrate.Diff(from, to, migrate.DiffOptions{})
		if err != nil || len(plan.Up) != 2 {
			b.Fatalf("plan %v %v", plan, err)
		}
	}
}

// TestDiffNativeArrayDomain: a change of an array's items, of a native
// type or of the domain a column uses is a type change.
func TestDiffNativeArrayDomain(t *testing.T) {
	const base = `
types:
  posint: {type: integer, domain: true}
  code: {type: integer, domain: true}
models:
  Film:
    table: films
    columns:
      id: {type: integer, primary_key: true}
      tags: {type: array, items: text}
      doc: {type: native, native: {postgres: tsvector}}
      n: {type: posint}
`
	for _, tc := range []struct{ name, old, new, want string }{
		{"items", "tags: {type: array, items: text}", "tags: {type: array, items: bigint}", "alter column films.tags (type text[] -> bigint[])"},
		{"native", "doc: {type: native, native: {postgres: tsvector}}", "doc: {type: native, native: {postgres: tsquery}}",
			"alter column films.doc (type native(postgres: tsvector) -> native(postgres: tsquery))"},
		{"domain", "n: {type: posint}", "n: {type: code}", "alter column films.n (type posint -> code)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := migrate.Diff(load(t, base), load(t, strings.Replace(base, tc.old, tc.new, 1)), migrate.DiffOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Up) != 1 || migrate.Describe(plan.Up[0]) != tc.want {
				var got []string
				for _, c := range plan.Up {
					got = append(got, migrate.Describe(c))
				}
				t.Fatalf("up %q, want [%q]", got, tc.want)
			}
		})
	}
}
