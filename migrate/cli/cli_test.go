package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/dlayer/dlayer/dialects/mysql"
	_ "github.com/dlayer/dlayer/dialects/postgres"
	_ "github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/loader"
	"github.com/dlayer/dlayer/migrate/cli"
)

const models1 = `
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 50}
      age: {type: integer, nullable: true}
`

const models2 = `
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 50}
      email: {type: string, length: 100, nullable: true, index: true}
`

type project struct {
	t      *testing.T
	root   string
	url    string
	stdout bytes.Buffer
	stderr bytes.Buffer
}

func newProject(t *testing.T) *project {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "models"), 0o755); err != nil {
		t.Fatal(err)
	}
	return &project{t: t, root: root, url: "sqlite:" + filepath.Join(root, "app.db")}
}

func (p *project) models(yaml string) {
	p.t.Helper()
	if err := os.WriteFile(filepath.Join(p.root, "models", "models.yaml"), []byte(yaml), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// run runs a migrate subcommand; mod adjusts the options.
func (p *project) run(sub string, args []string, mod func(*cli.Options)) int {
	p.stdout.Reset()
	p.stderr.Reset()
	o := cli.Options{URL: p.url, Models: filepath.Join(p.root, "models"), Dir: filepath.Join(p.root, "migrations"),
		Stdout: &p.stdout, Stderr: &p.stderr}
	if mod != nil {
		mod(&o)
	}
	return cli.Migrate(context.Background(), o, sub, args)
}

func (p *project) want(code, got int, what string) {
	p.t.Helper()
	if got != code {
		p.t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", what, got, code, p.stdout.String(), p.stderr.String())
	}
}

// TestMigrateCommands walks the CLI workflow on SQLite: check reports drift
// (exit 1), diff writes a migration offline, up applies it, status and
// history report it, a destructive diff is refused until allowed, down
// reverts, and bad usage exits 2.
func TestMigrateCommands(t *testing.T) {
	p := newProject(t)
	p.models(models1)
	offline := func(o *cli.Options) { o.URL, o.Dialect = "", "sqlite" }
	jsonOut := func(o *cli.Options) { o.Format = "json" }

	p.want(cli.ExitFail, p.run("check", nil, offline), "check before any migration")
	if !strings.Contains(p.stdout.String(), "create table users") {
		t.Errorf("check output does not name the change:\n%s", p.stdout.String())
	}
	p.want(cli.ExitOK, p.run("diff", nil, func(o *cli.Options) { offline(o); o.Message = "create users" }), "diff offline")
	files, _ := filepath.Glob(filepath.Join(p.root, "migrations", "*_create_users.sql"))
	if len(files) != 1 {
		t.Fatalf("migration files = %v", files)
	}
	p.want(cli.ExitOK, p.run("check", nil, offline), "check after diff")
	p.want(cli.ExitOK, p.run("diff", nil, offline), "diff with nothing to do")
	if !strings.Contains(p.stdout.String(), "no changes") {
		t.Errorf("diff output: %s", p.stdout.String())
	}

	p.want(cli.ExitOK, p.run("up", nil, func(o *cli.Options) { o.DryRun = true }), "up --dry-run")
	if !strings.Contains(p.stdout.String(), "CREATE TABLE") {
		t.Errorf("dry run printed no SQL: %s", p.stdout.String())
	}
	p.want(cli.ExitOK, p.run("up", []string{"head"}, nil), "up head")
	p.want(cli.ExitOK, p.run("status", nil, jsonOut), "status")
	var st []struct{ State string }
	if err := json.Unmarshal(p.stdout.Bytes(), &st); err != nil || len(st) != 1 || st[0].State != "applied" {
		t.Fatalf("status json = %s (%v)", p.stdout.String(), err)
	}
	p.want(cli.ExitOK, p.run("check", nil, func(o *cli.Options) { o.FromDB = true }), "check against the database")

	// Dropping a column is destructive.
	p.models(models2)
	p.want(cli.ExitFail, p.run("diff", nil, func(o *cli.Options) { o.Message = "swap age for email" }), "destructive diff")
	if !strings.Contains(p.stderr.String(), "drop column users.age") || !strings.Contains(p.stderr.String(), "--allow-destructive") {
		t.Errorf("refusal does not explain itself: %s", p.stderr.String())
	}
	p.want(cli.ExitOK, p.run("diff", nil, func(o *cli.Options) {
		o.Message, o.AllowDestructive, o.Format = "swap age for email", true, "json"
	}), "diff --allow-destructive")
	var g struct {
		File    string
		Changes []struct{ Kind string }
	}
	if err := json.Unmarshal(p.stdout.Bytes(), &g); err != nil || len(g.Changes) != 3 {
		t.Fatalf("diff json = %s (%v)", p.stdout.String(), err)
	}
	text, err := os.ReadFile(g.File)
	if err != nil || !strings.Contains(string(text), "-- +dlayer destructive: drop column users.age") {
		t.Errorf("destructive step not marked in %s:\n%s", g.File, text)
	}
	p.want(cli.ExitOK, p.run("up", nil, nil), "up")
	p.want(cli.ExitOK, p.run("history", nil, nil), "history")
	if n := strings.Count(p.stdout.String(), "applied"); n != 2 {
		t.Errorf("history lists %d applied migrations:\n%s", n, p.stdout.String())
	}
	p.want(cli.ExitOK, p.run("down", []string{"1"}, nil), "down 1")
	p.want(cli.ExitOK, p.run("status", nil, nil), "status after down")
	if !strings.Contains(p.stdout.String(), "pending") {
		t.Errorf("status after down:\n%s", p.stdout.String())
	}

	// An edited applied migration makes status report drift.
	if err := os.WriteFile(files[0], append(mustRead(t, files[0]), "-- edited\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	p.want(cli.ExitFail, p.run("status", nil, nil), "status with an edited file")
	p.want(cli.ExitFail, p.run("up", nil, nil), "up with an edited file")

	for _, tc := range []struct {
		name string
		sub  string
		args []string
		mod  func(*cli.Options)
	}{
		{"no subcommand", "", nil, nil},
		{"unknown subcommand", "sideways", nil, nil},
		{"bad count", "down", []string{"two"}, nil},
		{"up needs a database", "up", nil, func(o *cli.Options) { o.URL = "" }},
		{"resolve needs a choice", "resolve", []string{"1"}, nil},
		{"bad format", "status", nil, func(o *cli.Options) { o.Format = "xml" }},
		{"unreachable database", "status", nil, func(o *cli.Options) { o.URL = "postgres://nobody@127.0.0.1:1/x?connect_timeout=1" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.run(tc.sub, tc.args, tc.mod); got != cli.ExitUsage {
				t.Errorf("exit %d, want %d; stderr: %s", got, cli.ExitUsage, p.stderr.String())
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestInspectCommand writes models for a database and loads them back.
func TestInspectCommand(t *testing.T) {
	p := newProject(t)
	p.models(models2)
	p.want(cli.ExitOK, p.run("diff", nil, func(o *cli.Options) { o.Message = "init" }), "diff")
	p.want(cli.ExitOK, p.run("up", nil, nil), "up")
	out := filepath.Join(p.root, "inspected")
	var stdout, stderr bytes.Buffer
	if code := cli.Inspect(context.Background(), cli.InspectOptions{URL: p.url, Out: out, Stdout: &stdout, Stderr: &stderr}); code != cli.ExitOK {
		t.Fatalf("inspect: exit %d: %s", code, stderr.String())
	}
	s, ds := loader.LoadDir(out)
	if ds.HasErrors() {
		t.Fatalf("inspected models do not load: %v", ds)
	}
	if u := s.Model("User"); u == nil || u.Table.Column("email") == nil || s.Table("dlayer_migrations") != nil {
		t.Errorf("inspected schema: %+v", s.Tables)
	}
	if code := cli.Inspect(context.Background(), cli.InspectOptions{Stdout: &stdout, Stderr: &stderr}); code != cli.ExitUsage {
		t.Errorf("inspect without URL: exit %d", code)
	}
}
