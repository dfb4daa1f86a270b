package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// clearProjectEnv makes a test independent of the caller's environment.
func clearProjectEnv(t *testing.T) {
	t.Helper()
	for _, v := range []string{"DLAYER_DATABASE_URL", "DLAYER_ENV", "DLAYER_CONFIG"} {
		t.Setenv(v, "")
	}
}

// TestEveryCommandHelp: every registered command, including the ones
// added later in their own files, answers --help with exit 0 and its
// usage; the ones that read the project file list --config and --env.
func TestEveryCommandHelp(t *testing.T) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			code, out, errOut := runCLI(t, n, "--help")
			if code != exitOK || !strings.Contains(out, "Usage: dlayer "+n) {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			if !commands[n].noProject && (!strings.Contains(out, "-config file") || !strings.Contains(out, "-env name")) {
				t.Fatalf("--help lacks --config/--env:\n%s", out)
			}
		})
	}
}

// TestProjectFileErrors: a project file that breaks its JSON Schema, or
// names an environment it lacks, is refused with every problem located as
// file:line:col, before the command runs.
func TestProjectFileErrors(t *testing.T) {
	clearProjectEnv(t)
	tests := []struct {
		name string
		file string
		want []string
	}{
		{name: "unknown keys", file: "models: m\ndialct: sqlite\nenvironments:\n  dev:\n    uri: x\n",
			want: []string{"dlayer.yaml has 2 problems", "dlayer.yaml:2:1: error: unknown key \"dialct\" [unknown-key]", "dlayer.yaml:5:5: error: unknown key \"uri\" [unknown-key]"}},
		{name: "bad dialect", file: "dialect: oracle\n", want: []string{"dlayer.yaml:1:10: error: value must be one of", "[invalid-value]"}},
		{name: "wrong type", file: "models: [a, b]\n", want: []string{"dlayer.yaml:1:9: error:", "[wrong-type]"}},
		{name: "bad environment name", file: "environments:\n  1dev: {url: x}\n", want: []string{"dlayer.yaml:2:3: error: invalid environment name \"1dev\""}},
		{name: "env not defined", file: "env: prod\nenvironments:\n  dev: {url: 'sqlite:x.db'}\n", want: []string{"dlayer.yaml:1:6: error: env \"prod\" is not one of the environments (dev) [unknown-env]"}},
		{name: "yaml syntax", file: "models: [\n", want: []string{"dlayer.yaml:", "[yaml-syntax]"}},
		{name: "duplicate key", file: "models: a\nmigrations: m\nmodels: b\n", want: []string{"dlayer.yaml:3:1: error: key \"models\" is already defined at line 1 [duplicate-key]"}},
		{name: "alias", file: "environments:\n  dev: &d {url: 'sqlite:x.db'}\n  ci: *d\n", want: []string{"dlayer.yaml:2:8: error: anchors and aliases are not allowed"}},
		{name: "not a mapping", file: "- a\n", want: []string{"dlayer.yaml:1:1: error: expected object, but got array [wrong-type]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"dlayer.yaml": tt.file})
			t.Chdir(dir)
			code, out, errOut := runCLI(t, "validate")
			if code != exitUsage {
				t.Fatalf("exit %d, want %d\n%s%s", code, exitUsage, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

const projectModels = "models:\n  User:\n    table: users\n    columns:\n      id: {type: integer, primary_key: true}\n      name: {type: string, length: 40}\n"

// TestProjectSettings: commands read the project file found in the
// working directory or a parent (or named by --config/DLAYER_CONFIG):
// its models and migrations directories and dialect fill the flags that
// were not given, flags override it, and the database URL comes from the
// chosen environment (--env, DLAYER_ENV, the file's env) with ${VAR}
// expanded, or DLAYER_DATABASE_URL; secrets never printed.
func TestProjectSettings(t *testing.T) {
	clearProjectEnv(t)
	root := writeFiles(t, map[string]string{
		"dlayer.yaml": `models: schema
migrations: db/migrations
dialect: mysql
env: dev
environments:
  dev:
    url: sqlite:dev.db
    dialect: sqlite
  ci:
    url: ${DLAYER_TEST_CI_URL}
  broken:
    url: postgres://u:${DLAYER_TEST_PW}@127.0.0.1:1/x
  badref:
    url: ${not a var}
  offline:
    dialect: mysql
`,
		"schema/m.yaml":   projectModels,
		"sub/deeper/keep": "",
	})
	t.Chdir(filepath.Join(root, "sub", "deeper"))
	t.Setenv("DLAYER_TEST_CI_URL", "")
	t.Setenv("DLAYER_TEST_PW", "")
	check := func(t *testing.T, wantCode int, args []string, wantOut, wantErr []string) (string, string) {
		t.Helper()
		code, out, errOut := runCLI(t, args...)
		if code != wantCode {
			t.Fatalf("dlayer %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, wantCode, out, errOut)
		}
		for _, w := range wantOut {
			if !strings.Contains(out, w) {
				t.Errorf("stdout lacks %q:\n%s", w, out)
			}
		}
		for _, w := range wantErr {
			if !strings.Contains(errOut, w) {
				t.Errorf("stderr lacks %q:\n%s", w, errOut)
			}
		}
		return out, errOut
	}

	t.Run("models dir from a subdirectory", func(t *testing.T) {
		check(t, exitOK, []string{"validate"}, []string{"valid: 1 file, 1 model"}, nil)
	})
	t.Run("dialect from the environment, then the file, flag overrides", func(t *testing.T) {
		check(t, exitOK, []string{"ddl"}, []string{`CREATE TABLE "users"`}, nil) // env dev: sqlite
		check(t, exitOK, []string{"ddl", "--env", "ci"}, []string{"CREATE TABLE `users`"}, nil)
		check(t, exitOK, []string{"ddl", "--env", "ci", "--dialect", "postgres"}, []string{`CREATE TABLE "users"`}, nil)
	})
	t.Run("dialect from the environment's URL scheme", func(t *testing.T) {
		t.Setenv("DLAYER_TEST_CI_URL", "postgres://u@127.0.0.1:1/x")
		check(t, exitOK, []string{"ddl", "--env", "ci"}, []string{`CREATE TABLE "users"`}, nil)
	})
	t.Run("a command with a URL takes the dialect from it, not from the file", func(t *testing.T) {
		dir := t.TempDir()
		url := "sqlite:" + filepath.Join(dir, "x.db")
		// --env offline says mysql; the URL says sqlite.
		check(t, exitOK, []string{"migrate", "new", "hand", "--env", "offline", "--url", url, "--dir", dir}, nil, nil)
		ms, _ := filepath.Glob(filepath.Join(dir, "*_hand.sql"))
		if len(ms) != 1 || !strings.Contains(mustRead(t, ms[0]), "-- +dlayer dialect: sqlite\n") {
			t.Fatalf("migrate new with a sqlite URL under a mysql project: %v", ms)
		}
	})
	t.Run("migrations dir and URL from the file", func(t *testing.T) {
		check(t, exitOK, []string{"migrate", "diff", "-m", "first"}, []string{filepath.Join("db", "migrations")}, nil)
		ms, _ := filepath.Glob(filepath.Join(root, "db", "migrations", "*_first.sql"))
		if len(ms) != 1 {
			t.Fatalf("migration not written under the project's migrations dir: %v", ms)
		}
		check(t, exitOK, []string{"migrate", "up"}, []string{"applied"}, nil)
		if _, err := os.Stat("dev.db"); err != nil {
			t.Fatalf("the dev environment's database was not used: %v", err)
		}
		check(t, exitOK, []string{"inspect"}, []string{"table: users"}, nil) // inspect takes the URL too
	})
	t.Run("DLAYER_DATABASE_URL over the default environment", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "other.db")
		t.Setenv("DLAYER_DATABASE_URL", "sqlite:"+other)
		check(t, exitOK, []string{"apply"}, []string{"applied 1 change"}, nil)
		if _, err := os.Stat(other); err != nil {
			t.Fatal("DLAYER_DATABASE_URL was not used")
		}
		// An explicit --env wins over DLAYER_DATABASE_URL.
		check(t, exitUsage, []string{"apply", "--env", "ci"}, nil, []string{"environment variable DLAYER_TEST_CI_URL is not set"})
		// And --url over everything.
		check(t, exitOK, []string{"apply", "--env", "ci", "--url", "sqlite:" + other}, []string{"no changes"}, nil)
	})
	t.Run("DLAYER_ENV chooses the environment", func(t *testing.T) {
		t.Setenv("DLAYER_ENV", "ci")
		t.Setenv("DLAYER_TEST_CI_URL", "sqlite:"+filepath.Join(t.TempDir(), "ci.db"))
		check(t, exitOK, []string{"apply"}, []string{"applied 1 change"}, nil)
	})
	t.Run("an environment without a URL", func(t *testing.T) {
		check(t, exitOK, []string{"ddl", "--env", "offline"}, []string{"CREATE TABLE `users`"}, nil)
		check(t, exitUsage, []string{"apply", "--env", "offline"}, nil, []string{"apply needs a database"})
		t.Setenv("DLAYER_DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "off.db"))
		check(t, exitOK, []string{"apply", "--env", "offline"}, []string{"applied 1 change"}, nil)
	})
	t.Run("unset variable", func(t *testing.T) {
		_, errOut := check(t, exitUsage, []string{"migrate", "status", "--env", "ci"}, nil,
			[]string{"dlayer.yaml:10:10: environment \"ci\": url: environment variable DLAYER_TEST_CI_URL is not set"})
		if strings.Contains(errOut, "${") {
			t.Errorf("error repeats the URL: %s", errOut)
		}
	})
	t.Run("malformed reference", func(t *testing.T) {
		check(t, exitUsage, []string{"apply", "--env", "badref"}, nil, []string{"is not a variable reference"})
	})
	t.Run("password never printed", func(t *testing.T) {
		t.Setenv("DLAYER_TEST_PW", "s3cret-pw")
		out, errOut := check(t, exitUsage, []string{"apply", "--env", "broken"}, nil, []string{"u:xxxxx@127.0.0.1:1"})
		if strings.Contains(out+errOut, "s3cret-pw") {
			t.Fatalf("password printed:\n%s%s", out, errOut)
		}
	})
	t.Run("unknown environment", func(t *testing.T) {
		check(t, exitUsage, []string{"validate", "--env", "prod"}, nil, []string{"--env prod:", "has no such environment (it has: badref, broken, ci, dev, offline)"})
		t.Setenv("DLAYER_ENV", "stage")
		check(t, exitUsage, []string{"validate"}, nil, []string{"DLAYER_ENV stage:"})
	})
	t.Run("--config and DLAYER_CONFIG", func(t *testing.T) {
		other := writeFiles(t, map[string]string{"p.yaml": "models: mm\n", "mm/a.yaml": projectModels, "mm/b.yaml": strings.ReplaceAll(strings.ReplaceAll(projectModels, "User", "Team"), "users", "teams")})
		check(t, exitOK, []string{"validate", "--config", filepath.Join(other, "p.yaml")}, []string{"2 models"}, nil)
		t.Setenv("DLAYER_CONFIG", filepath.Join(other, "p.yaml"))
		check(t, exitOK, []string{"validate"}, []string{"2 models"}, nil)
		check(t, exitUsage, []string{"validate", "--config", filepath.Join(other, "nope.yaml")}, nil, []string{"project file:"})
	})
}

// TestNoProject: without a project file, --env is an error that says how
// to get one, and DLAYER_DATABASE_URL still serves every command that
// takes a URL (inspect ignored it before).
func TestNoProject(t *testing.T) {
	clearProjectEnv(t)
	dir := writeFiles(t, map[string]string{"models/m.yaml": projectModels})
	t.Chdir(dir)
	code, _, errOut := runCLI(t, "validate", "models", "--env", "dev")
	if code != exitUsage || !strings.Contains(errOut, "no project file (dlayer.yaml) found") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	url := "sqlite:" + filepath.Join(dir, "x.db")
	t.Setenv("DLAYER_DATABASE_URL", url)
	if code, out, errOut := runCLI(t, "apply"); code != exitOK || !strings.Contains(out, "applied 1 change") {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, "inspect"); code != exitOK || !strings.Contains(out, "table: users") {
		t.Fatalf("inspect with DLAYER_DATABASE_URL: exit %d\n%s%s", code, out, errOut)
	}
}

// TestBrokenProjectFileSpareCommandsWithoutSettings: a command that takes
// nothing from the project file (schema) still runs when the file is
// broken; one that does (validate has --dialect) reports it.
func TestBrokenProjectFileSpareCommandsWithoutSettings(t *testing.T) {
	clearProjectEnv(t)
	t.Chdir(writeFiles(t, map[string]string{"dlayer.yaml": "dialect: oracle\n"}))
	if code, out, errOut := runCLI(t, "schema"); code != exitOK || out == "" {
		t.Fatalf("schema: exit %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "schema", "--env", "dev"); code != exitUsage || !strings.Contains(errOut, "dlayer.yaml:1:10") {
		t.Fatalf("schema --env: exit %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "validate"); code != exitUsage || !strings.Contains(errOut, "dlayer.yaml:1:10") {
		t.Fatalf("validate: exit %d %s", code, errOut)
	}
}
