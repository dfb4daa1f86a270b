package cli_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/migrate"
	"github.com/dlayer/dlayer/migrate/cli"
)

// TestProgress: on a terminal, a migration running longer than a second
// prints a line per statement to stderr from then on (the statement
// running when it crosses the second, and each one after); a quick one,
// a non-terminal and --format json print none.
func TestProgress(t *testing.T) {
	sleep := map[string]string{testdb.Postgres: "SELECT pg_sleep(1.3)", testdb.MySQL: "SELECT SLEEP(1.3)"}
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url := fresh.URL(t, name, "dl_prog")
			dir := t.TempDir()
			slow := sleep[name]
			after := 0 // the default, one second
			if slow == "" {
				// SQLite cannot sleep in SQL: a threshold of 1ns makes every
				// statement "slow".
				slow, after = "SELECT 1", 1
			}
			write := func(file, up, down string) {
				if err := os.WriteFile(filepath.Join(dir, file), []byte("-- +dlayer Up\n"+up+"\n-- +dlayer Down\n"+down+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("1_quick.sql", "CREATE TABLE q1 (id INTEGER);\nCREATE TABLE q2 (id INTEGER);", "DROP TABLE q2;\nDROP TABLE q1;")
			write("2_slow.sql", "CREATE TABLE p1 (id INTEGER);\n"+slow+";\nCREATE TABLE p2 (id INTEGER);", "DROP TABLE p2;\nDROP TABLE p1;")
			var stdout, stderr bytes.Buffer
			o := cli.Options{URL: url, Dir: dir, Stdout: &stdout, Stderr: &stderr,
				IsTerminal: func(w io.Writer) bool { return w == &stderr }}
			o.ProgressAfter = time.Duration(after)
			if code := cli.Migrate(context.Background(), o, "up", []string{"1"}); code != cli.ExitOK {
				t.Fatalf("up 1: %d %s %s", code, stdout.String(), stderr.String())
			}
			if after == 0 && stderr.Len() > 0 {
				t.Errorf("a quick migration printed progress:\n%s", stderr.String())
			}
			stderr.Reset()
			if code := cli.Migrate(context.Background(), o, "up", nil); code != cli.ExitOK {
				t.Fatalf("up: %d %s %s", code, stdout.String(), stderr.String())
			}
			got := stderr.String()
			want := []string{"2_slow (up): statement 2/3", "2_slow (up): statement 3/3, ", ": CREATE TABLE p2 (id INTEGER)", "2_slow (up): finished 3 statements in "}
			if after == 0 {
				if strings.Contains(got, "statement 1/3") {
					t.Errorf("statement 1 ran within the first second but was printed:\n%s", got)
				}
			} else {
				want = append(want, "2_slow (up): statement 1/3")
			}
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("progress lacks %q:\n%s", w, got)
				}
			}
			if strings.Contains(stdout.String(), "statement 2/3") {
				t.Errorf("progress on stdout:\n%s", stdout.String())
			}
			// Not a terminal, or JSON: nothing.
			for _, mod := range []func(*cli.Options){
				func(o *cli.Options) { o.IsTerminal = func(io.Writer) bool { return false } },
				func(o *cli.Options) { o.Format = "json" },
			} {
				o2 := o
				mod(&o2)
				stderr.Reset()
				if code := cli.Migrate(context.Background(), o2, "down", nil); code != cli.ExitOK {
					t.Fatalf("down: %d %s", code, stderr.String())
				}
				if code := cli.Migrate(context.Background(), o2, "up", nil); code != cli.ExitOK {
					t.Fatalf("up: %d %s", code, stderr.String())
				}
				if stderr.Len() > 0 {
					t.Errorf("progress printed:\n%s", stderr.String())
				}
			}
		})
	}
}

// TestTeamCommands: new, rehash, rebase, lint and up/down --to through the
// CLI package, with their usage errors.
func TestTeamCommands(t *testing.T) {
	p := newProject(t)
	p.models(models1)
	p.want(cli.ExitOK, p.run("diff", nil, func(o *cli.Options) { o.Message = "create users" }), "diff")
	p.want(cli.ExitOK, p.run("new", []string{"seed admin"}, nil), "new")
	if !strings.Contains(p.stdout.String(), "_seed_admin.sql") || !strings.Contains(p.stdout.String(), "migrate rehash") {
		t.Errorf("new output: %s", p.stdout.String())
	}
	migs, err := migrate.ReadDir(os.DirFS(filepath.Join(p.root, "migrations")))
	if err != nil || len(migs) != 2 || migs[1].Dialect != "sqlite" || migs[1].Parent != migs[0].Version {
		t.Fatalf("migrations %+v %v", migs, err)
	}
	sum, err := os.ReadFile(filepath.Join(p.root, "migrations", migrate.SumFile))
	if err != nil || !strings.Contains(string(sum), migs[1].File+" h1:"+migs[1].Checksum) {
		t.Fatalf("sum file: %s %v", sum, err)
	}
	p.want(cli.ExitOK, p.run("new", []string{"dry"}, func(o *cli.Options) { o.DryRun = true }), "new --dry-run")
	if !strings.Contains(p.stdout.String(), "-- +dlayer Up") {
		t.Errorf("new --dry-run: %s", p.stdout.String())
	}
	for _, tt := range []struct {
		sub  string
		args []string
		mod  func(*cli.Options)
		want string
	}{
		{"new", nil, nil, "new needs a NAME"},
		{"new", []string{"a", "b"}, nil, "one NAME"},
		{"new", []string{"x"}, func(o *cli.Options) { o.URL, o.Dialect = "", "oracle" }, "unknown --dialect"},
		{"rehash", []string{"x"}, nil, "no arguments"},
		{"rebase", nil, nil, "one VERSION"},
		{"up", []string{"1"}, func(o *cli.Options) { o.To = migs[0].Version }, "not both"},
		{"lint", nil, func(o *cli.Options) { o.Dir = filepath.Join(p.root, "none") }, "no migration directory"},
		{"lint", []string{"missing.sql"}, nil, "missing.sql"},
	} {
		code := p.run(tt.sub, tt.args, tt.mod)
		if code != cli.ExitUsage || !strings.Contains(p.stderr.String(), tt.want) {
			t.Errorf("%s %v: exit %d, stderr %q, want 2 and %q", tt.sub, tt.args, code, p.stderr.String(), tt.want)
		}
	}
	p.want(cli.ExitFail, p.run("rebase", []string{"12345"}, nil), "rebase of an unknown version")
	p.want(cli.ExitFail, p.run("up", nil, func(o *cli.Options) { o.To = "12345" }), "up --to an unknown version")
	p.want(cli.ExitOK, p.run("up", nil, func(o *cli.Options) { o.To = migs[0].Version }), "up --to")
	p.want(cli.ExitOK, p.run("status", nil, nil), "status")
	if !strings.Contains(p.stdout.String(), "pending  "+migs[1].Version) {
		t.Errorf("status: %s", p.stdout.String())
	}
	p.want(cli.ExitFail, p.run("status", nil, func(o *cli.Options) { o.ExitCode = true }), "status --exit-code with a pending migration")
	// lint with a URL: the pending file only; offline: all; a file given.
	p.want(cli.ExitOK, p.run("lint", nil, nil), "lint pending")
	if !strings.Contains(p.stdout.String(), "1 file linted: 0 errors") {
		t.Errorf("lint pending: %s", p.stdout.String())
	}
	p.want(cli.ExitOK, p.run("lint", nil, func(o *cli.Options) { o.URL, o.Strict = "", true }), "lint all")
	if !strings.Contains(p.stdout.String(), "2 files linted") {
		t.Errorf("lint all: %s", p.stdout.String())
	}
	risky := filepath.Join(p.root, "risky.sql")
	os.WriteFile(risky, []byte("-- +dlayer Up\nCREATE INDEX ix ON users (name);\n"), 0o644)
	p.want(cli.ExitOK, p.run("lint", []string{risky}, func(o *cli.Options) { o.URL, o.Dialect = "", "postgres" }), "lint a warning")
	p.want(cli.ExitFail, p.run("lint", []string{risky}, func(o *cli.Options) { o.URL, o.Dialect, o.Strict = "", "postgres", true }), "lint --strict")
	if !strings.Contains(p.stdout.String(), "risky.sql:2:1: warning: DL201") {
		t.Errorf("lint --strict: %s", p.stdout.String())
	}
	p.want(cli.ExitUsage, p.run("status", nil, func(o *cli.Options) { o.Format = "github" }), "github format outside lint")
	// An edited file: status, check and lint fail and name the fix.
	f := filepath.Join(p.root, "migrations", migs[1].File)
	os.WriteFile(f, append(mustRead(t, f), "SELECT 1;\n"...), 0o644)
	p.want(cli.ExitFail, p.run("status", nil, nil), "status with an edited file")
	if !strings.Contains(p.stdout.String(), "was edited") {
		t.Errorf("status: %s", p.stdout.String())
	}
	p.want(cli.ExitFail, p.run("check", nil, nil), "check with an edited file")
	p.want(cli.ExitFail, p.run("lint", nil, func(o *cli.Options) { o.Format = "github" }), "lint with an edited file")
	if !strings.Contains(p.stdout.String(), "::error file="+filepath.ToSlash(f)) || !strings.Contains(p.stdout.String(), "title=DL001 directory-integrity") {
		t.Errorf("lint: %s", p.stdout.String())
	}
	p.want(cli.ExitOK, p.run("rehash", nil, nil), "rehash")
	p.want(cli.ExitOK, p.run("up", nil, nil), "up")
	p.want(cli.ExitOK, p.run("status", nil, func(o *cli.Options) { o.ExitCode = true }), "status --exit-code")
	p.want(cli.ExitOK, p.run("down", nil, func(o *cli.Options) { o.To = "0" }), "down --to 0")
	p.want(cli.ExitOK, p.run("history", nil, nil), "history")
	if strings.TrimSpace(p.stdout.String()) != "" {
		t.Errorf("history after down --to 0: %s", p.stdout.String())
	}
}
