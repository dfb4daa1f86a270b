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
	"github.com/dlayer/dlayer/migrate"
)

// TestTeamWorkflowFromInit is the team's day from `dlayer init` on, on
// every database, with no flag but the subcommands' own: the project file
// init wrote gives the models and migrations directories, and its ci
// environment the URL (DLAYER_ENV=ci, url: ${DATABASE_URL}). Edit the
// YAML, diff (the destructive change refused, then allowed), a
// hand-written data migration, lint finding the dropped column (DL102),
// up --to, status --exit-code, down --to, apply with nothing left to do,
// then drift by hand caught by check --from-db and status --exit-code.
// (TestTeamWorkflow covers the branch merge with explicit flags.)
func TestTeamWorkflowFromInit(t *testing.T) {
	clearProjectEnv(t)
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			url := fresh.URL(t, name, "dl_teaminit")
			root := t.TempDir()
			if code, out, errOut := runCLI(t, "init", root); code != exitOK {
				t.Fatalf("init: exit %d\n%s%s", code, out, errOut)
			}
			t.Chdir(root)
			t.Setenv("DLAYER_ENV", "ci")
			t.Setenv("DATABASE_URL", url)
			step := func(want int, args ...string) string {
				t.Helper()
				code, out, errOut := runCLI(t, args...)
				if code != want {
					t.Fatalf("dlayer %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
				}
				return out + errOut
			}
			migs := func() []*migrate.Migration {
				t.Helper()
				ms, err := migrate.ReadDir(os.DirFS("migrations"))
				if err != nil {
					t.Fatal(err)
				}
				return ms
			}

			step(exitOK, "validate", "--strict")
			step(exitOK, "migrate", "diff", "-m", "init")

			// Edit the YAML: posts.body goes (destructive), posts.slug comes.
			posts := filepath.Join("models", "posts.yaml")
			src := mustRead(t, posts)
			src = strings.Replace(src, "      body:      {type: text, nullable: true}\n",
				"      slug:      {type: string, length: 80, nullable: true}\n", 1)
			if err := os.WriteFile(posts, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			step(exitOK, "validate", "--strict")
			if out := step(exitFail, "migrate", "diff", "-m", "slug"); !strings.Contains(out, "--allow-destructive") {
				t.Errorf("destructive diff refused without the fix:\n%s", out)
			}
			step(exitOK, "migrate", "diff", "-m", "slug", "--allow-destructive")

			// A hand-written data migration.
			step(exitOK, "migrate", "new", "backfill slugs")
			ms := migs()
			if len(ms) != 3 {
				t.Fatalf("migrations: %v", ms)
			}
			data := filepath.Join("migrations", ms[2].File)
			text := strings.Replace(mustRead(t, data), "-- +dlayer Up\n",
				"-- +dlayer Up\nUPDATE posts SET slug = title WHERE slug IS NULL;\n", 1)
			if err := os.WriteFile(data, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			step(exitOK, "migrate", "rehash")

			// Lint finds the dropped column.
			if out := step(exitFail, "migrate", "lint"); !strings.Contains(out, "DL102") {
				t.Errorf("lint:\n%s", out)
			}

			// Targets and the CI gate.
			step(exitOK, "migrate", "up", "--to", ms[0].Version)
			if out := step(exitFail, "migrate", "status", "--exit-code"); !strings.Contains(out, "pending") {
				t.Errorf("status after up --to:\n%s", out)
			}
			step(exitOK, "migrate", "up")
			step(exitOK, "migrate", "status", "--exit-code")
			step(exitOK, "migrate", "down", "--to", ms[0].Version)
			step(exitOK, "migrate", "up")
			step(exitOK, "migrate", "status", "--exit-code")
			step(exitOK, "migrate", "check")
			if out := step(exitOK, "apply", "--dry-run"); !strings.Contains(out, "no changes") {
				t.Errorf("apply after migrate up:\n%s", out)
			}

			// Drift by hand.
			d, p, err := dialects.Open(context.Background(), url, dialects.PoolOptions{MaxOpenConns: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if _, err := p.Exec(context.Background(), "ALTER TABLE "+d.QuoteIdent("users")+" ADD COLUMN "+d.QuoteIdent("hack")+" INTEGER"); err != nil {
				t.Fatal(err)
			}
			if out := step(exitFail, "migrate", "check", "--from-db"); !strings.Contains(out, "hack") {
				t.Errorf("check --from-db:\n%s", out)
			}
			if out := step(exitFail, "migrate", "status", "--exit-code"); !strings.Contains(out, "users.hack") {
				t.Errorf("status --exit-code after the drift:\n%s", out)
			}
		})
	}
}
