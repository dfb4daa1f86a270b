package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/internal/secrettest"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
)

// TestCLINeverShowsPassword runs migrate status, up and history and
// inspect, in text and JSON, on every URL of the corpus given by --url, by
// DLAYER_DATABASE_URL and (a common slip) as a positional argument: no
// output on stdout or stderr may contain the password.
func TestCLINeverShowsPassword(t *testing.T) {
	dir := t.TempDir()
	models := filepath.Join(dir, "models")
	migrations := filepath.Join(dir, "migrations")
	for _, d := range []string{models, migrations} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(models, "m.yaml"), []byte("models:\n  Note:\n    table: notes\n    columns:\n      id: {type: integer, primary_key: true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := append(secrettest.Corpus(), serverCases(t)...)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			mflags := []string{"--models", models, "--dir", migrations, "--lock-timeout", "2s"}
			var runs [][]string
			for _, sub := range []string{"status", "up", "history"} {
				for _, format := range []string{"text", "json"} {
					runs = append(runs, append([]string{"migrate", sub, "--format", format, "--url", tc.URL}, mflags...))
				}
			}
			runs = append(runs,
				[]string{"inspect", tc.URL},
				[]string{"inspect", "--format", "json", tc.URL},
				append([]string{"migrate", "status", tc.URL}, mflags...),
				append([]string{"migrate", "up", tc.URL}, mflags...),
				append([]string{"migrate", tc.URL}, mflags...),
				[]string{"migrate", "status", "--lock-timeout", tc.URL},
				[]string{tc.URL},
				[]string{"help", tc.URL},
			)
			for i, args := range runs {
				_, out, errOut := runCLI(t, args...)
				what := fmt.Sprintf("run %d (%s)", i, args[0])
				secrettest.Check(t, what+" stdout", out)
				secrettest.Check(t, what+" stderr", errOut)
			}
			// From the environment, and --help with it set.
			t.Setenv("DLAYER_DATABASE_URL", tc.URL)
			for _, args := range [][]string{
				append([]string{"migrate", "status"}, mflags...),
				append([]string{"migrate", "history", "--format", "json"}, mflags...),
				{"migrate", "--help"},
				{"help", "migrate"},
			} {
				_, out, errOut := runCLI(t, args...)
				secrettest.Check(t, strings.Join(args, " ")+" stdout", out)
				secrettest.Check(t, strings.Join(args, " ")+" stderr", errOut)
			}
		})
	}
}

// serverCases are the real servers' URLs for fresh, isolated databases
// with the password replaced by the marker (PostgreSQL's trust
// authentication may let it in: the commands then run on the fresh
// database).
func serverCases(t *testing.T) []secrettest.Case {
	var out []secrettest.Case
	for _, name := range []string{testdb.Postgres, testdb.MySQL} {
		if os.Getenv(testdb.EnvVar(name)) == "" {
			continue
		}
		u, err := url.Parse(fresh.URL(t, name, "dl_leak"))
		if err != nil || u.User == nil {
			t.Fatalf("bad test URL for %s", name)
		}
		u.User = url.UserPassword(u.User.Username(), secrettest.Marker+"@/"+secrettest.Marker)
		out = append(out, secrettest.Case{Name: "wrong password for " + name, URL: u.String(), MayConnect: true})
	}
	return out
}

// TestHelpHidesEnvironmentURL: flag prints a flag's default in --help, and
// DLAYER_DATABASE_URL used to be --url's default.
func TestHelpHidesEnvironmentURL(t *testing.T) {
	t.Setenv("DLAYER_DATABASE_URL", "postgres://u:"+secrettest.Marker+"@h/db")
	var out bytes.Buffer
	code := run(context.Background(), []string{"migrate", "--help"}, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out})
	if code != 0 || !strings.Contains(out.String(), "DLAYER_DATABASE_URL") {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	secrettest.Check(t, "migrate --help", out.String())
}
