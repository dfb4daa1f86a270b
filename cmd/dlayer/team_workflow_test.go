package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/migrate"
)

// TestTeamWorkflow scripts a team's day with the migrate commands on every
// database: edit the YAML, diff, a hand-written data migration (new, then
// rehash after filling it in), lint finding the planted destructive change,
// up --to and down --to, a migration from a second branch with the same
// parent detected and fixed with rebase, status --exit-code clean, then a
// change made by hand detected by check --from-db and status --exit-code.
func TestTeamWorkflow(t *testing.T) {
	const v1 = `models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 40}
      legacy: {type: string, length: 20, nullable: true}
`
	// v2 drops legacy (the planted risky change) and adds email.
	const v2 = `models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 40}
      email: {type: string, length: 80, nullable: true}
`
	// Branch A adds a table; branch B, from the same commit, a column.
	const branchA = v2 + `  Tag:
    table: tags
    columns:
      id: {type: integer, primary_key: true}
`
	const branchB = `models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 40}
      email: {type: string, length: 80, nullable: true}
      bio: {type: string, length: 200, nullable: true}
`
	const merged = branchB + `  Tag:
    table: tags
    columns:
      id: {type: integer, primary_key: true}
`
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			// (The test servers' password is "dlayer", which error messages
			// redact: the assertions below avoid the word.)
			url := fresh.URL(t, name, "dl_team")
			root := t.TempDir()
			models, dir := filepath.Join(root, "models"), filepath.Join(root, "migrations")
			if err := os.MkdirAll(models, 0o755); err != nil {
				t.Fatal(err)
			}
			setModels := func(y string) {
				t.Helper()
				if err := os.WriteFile(filepath.Join(models, "models.yaml"), []byte(y), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			flags := []string{"--url", url, "--models", models, "--dir", dir}
			step := func(want int, args ...string) string {
				t.Helper()
				code, out, errOut := runCLI(t, append(append([]string{"migrate"}, args...), flags...)...)
				if code != want {
					t.Fatalf("dlayer migrate %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
				}
				return out + errOut
			}
			files := func() []*migrate.Migration {
				t.Helper()
				migs, err := migrate.ReadDir(os.DirFS(dir))
				if err != nil {
					t.Fatal(err)
				}
				return migs
			}

			// 1. Edit the YAML and diff (twice: the second drops a column).
			setModels(v1)
			step(exitOK, "diff", "-m", "create users")
			setModels(v2)
			step(exitFail, "diff", "-m", "email instead of legacy") // destructive: refused
			step(exitOK, "diff", "-m", "email instead of legacy", "--allow-destructive")
			if _, err := os.Stat(filepath.Join(dir, migrate.SumFile)); err != nil {
				t.Fatalf("diff wrote no %s: %v", migrate.SumFile, err)
			}

			// 2. A hand-written data migration.
			out := step(exitOK, "new", "backfill emails")
			migs := files()
			if len(migs) != 3 || !strings.Contains(out, migs[2].File) || migs[2].Parent != migs[1].Version {
				t.Fatalf("new wrote %v (output %s)", migs, out)
			}
			data := filepath.Join(dir, migs[2].File)
			text, _ := os.ReadFile(data)
			filled := strings.Replace(string(text), "-- +dlayer Up\n",
				"-- +dlayer Up\n-- never DROP TABLE users; here\nUPDATE users SET email = 'DROP TABLE users;' WHERE email IS NULL;\n", 1)
			if err := os.WriteFile(data, []byte(filled), 0o644); err != nil {
				t.Fatal(err)
			}
			// Filled in but not rehashed: up refuses and says what to run.
			out = step(exitFail, "up")
			if !strings.Contains(out, migs[2].File+" was edited") || !strings.Contains(out, "migrate rehash") {
				t.Errorf("up with an unrehashed file:\n%s", out)
			}
			step(exitOK, "rehash")

			// 3. Lint the pending migrations: the dropped column is DL102
			// at its statement; the data migration's comment and string
			// fire nothing.
			out = step(exitFail, "lint", "--format", "json")
			var report struct {
				Errors   int
				Findings []struct {
					Rule, File string
					Line       int
				}
			}
			if err := json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &report); err != nil {
				t.Fatalf("lint json: %v\n%s", err, out)
			}
			var rules []string
			for _, f := range report.Findings {
				rules = append(rules, f.Rule)
				if f.File == data {
					t.Errorf("lint reported the data migration: %+v", f)
				}
			}
			if !slices.Contains(rules, "DL102") {
				t.Fatalf("lint rules = %v, want DL102\n%s", rules, out)
			}
			for _, f := range report.Findings {
				if f.Rule == "DL102" {
					lines := strings.Split(mustRead(t, f.File), "\n")
					if f.File != filepath.Join(dir, migs[1].File) || f.Line < 1 || !strings.Contains(lines[f.Line-1], "DROP") {
						t.Errorf("DL102 at %s:%d", f.File, f.Line)
					}
				}
			}
			out = step(exitFail, "lint", "--format", "github")
			if !strings.Contains(out, "::error file="+filepath.Join(dir, migs[1].File)) || !strings.Contains(out, "title=DL102 drop-column") {
				t.Errorf("lint github:\n%s", out)
			}

			// 4. up --to, down --to.
			step(exitOK, "up", "--to", migs[0].Version)
			out = step(exitFail, "status", "--exit-code")
			if !strings.Contains(out, "pending") {
				t.Errorf("status after up --to:\n%s", out)
			}
			step(exitOK, "up")
			step(exitOK, "status", "--exit-code")
			out = step(exitOK, "down", "--to", migs[0].Version)
			if !strings.Contains(out, "reverted "+migs[2].Version) || !strings.Contains(out, "reverted "+migs[1].Version) {
				t.Errorf("down --to:\n%s", out)
			}
			step(exitOK, "up")

			// 5. Two branches: a copy of the directory plays branch B.
			branch := filepath.Join(root, "branch")
			copyDir(t, dir, branch)
			setModels(branchA)
			step(exitOK, "diff", "-m", "tags")
			setModels(branchB)
			if code, out, errOut := runCLI(t, "migrate", "diff", "-m", "bio", "--dialect", dialectOf(t, url), "--models", models, "--dir", branch); code != exitOK {
				t.Fatalf("diff on the branch: %d %s %s", code, out, errOut)
			}
			bmigs, _ := migrate.ReadDir(os.DirFS(branch))
			bfile := bmigs[len(bmigs)-1]
			// The merge brings B's file in (made a moment after A's).
			amigs := files()
			bver := nextVer(amigs[len(amigs)-1].Version)
			copyFile(t, filepath.Join(branch, bfile.File), filepath.Join(dir, bver+"_"+bfile.Name+".sql"))
			setModels(merged)
			out = step(exitFail, "status", "--exit-code")
			if !strings.Contains(out, "were both created on top of "+migs[2].Version) || !strings.Contains(out, "migrate rebase "+bver) {
				t.Errorf("status after the merge:\n%s", out)
			}
			out = step(exitFail, "up")
			if !strings.Contains(out, "branches") {
				t.Errorf("up after the merge:\n%s", out)
			}
			step(exitFail, "check")
			step(exitFail, "lint")
			// Fixed.
			step(exitOK, "rebase", bver)
			step(exitOK, "check")
			step(exitOK, "up")
			out = step(exitOK, "status", "--exit-code")
			if strings.Contains(out, "pending") {
				t.Errorf("status after up:\n%s", out)
			}

			// 6. A change by hand: drift.
			d, p, err := dialects.Open(context.Background(), url, dialects.PoolOptions{MaxOpenConns: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if _, err := p.Exec(context.Background(), "ALTER TABLE "+d.QuoteIdent("users")+" ADD COLUMN "+d.QuoteIdent("hack")+" INTEGER"); err != nil {
				t.Fatal(err)
			}
			out = step(exitFail, "check", "--from-db")
			if !strings.Contains(out, "hack") {
				t.Errorf("check --from-db:\n%s", out)
			}
			out = step(exitFail, "status", "--exit-code")
			if !strings.Contains(out, "drift") || !strings.Contains(out, "users.hack") {
				t.Errorf("status --exit-code after the drift:\n%s", out)
			}
			step(exitOK, "status") // without --exit-code: informational
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := os.WriteFile(to, []byte(mustRead(t, from)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		copyFile(t, filepath.Join(from, e.Name()), filepath.Join(to, e.Name()))
	}
}

func dialectOf(t *testing.T, url string) string {
	t.Helper()
	drv, err := dialects.Lookup(url)
	if err != nil {
		t.Fatal(err)
	}
	return drv.Dialect().Name()
}

// nextVer returns the decimal v + 1.
func nextVer(v string) string {
	b := []byte(v)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}

// TestMigrateSubcommandHelp: --help after each migrate subcommand prints
// that subcommand's usage; without one, the command's.
func TestMigrateSubcommandHelp(t *testing.T) {
	for _, tt := range []struct{ sub, want string }{
		{"new", "Usage: dlayer migrate new NAME"},
		{"lint", "Usage: dlayer migrate lint [FILE...]"},
		{"rehash", "Usage: dlayer migrate rehash"},
		{"rebase", "Usage: dlayer migrate rebase VERSION"},
		{"up", "--to VERSION"},
		{"down", "--to 0 reverts them all"},
		{"status", "--exit-code"},
		{"check", "dlayer.sum"},
		{"diff", "Usage: dlayer migrate diff"},
		{"", "Usage: dlayer migrate [flags]"},
		{"bogus", "Usage: dlayer migrate [flags]"},
	} {
		t.Run(tt.sub, func(t *testing.T) {
			args := []string{"migrate", "--help"}
			if tt.sub != "" {
				args = []string{"migrate", tt.sub, "--help"}
			}
			code, out, errOut := runCLI(t, args...)
			if code != exitOK || !strings.Contains(out, tt.want) || errOut != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 0 and %q", code, out, errOut, tt.want)
			}
		})
	}
	code, out, _ := runCLI(t, "help", "migrate")
	for _, w := range []string{"new NAME", "lint [FILE...]", "rehash", "rebase VERSION", "-exit-code", "-to VERSION", "-strict"} {
		if code != exitOK || !strings.Contains(out, w) {
			t.Errorf("dlayer help migrate lacks %q:\n%s", w, out)
		}
	}
}
