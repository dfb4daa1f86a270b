package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/internal/testdb"
)

// A command that exists only in the tests, the way a command added later
// in its own file would: its --models flag and its arguments are model
// names, told by their names alone (no kinds entry).
func init() {
	register(&command{
		name:    "x-models-test",
		args:    "[MODEL...]",
		summary: "test command taking model names",
		help:    "x-models-test exists in the tests only.",
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			fs.String("models", "", "comma-separated model `names`")
			fs.String("out", "", "output `dir`")
			return func(context.Context, *env, []string) int { return exitOK }
		},
	})
}

// TestCLIProcess is not a test: the shell tests run the test binary as
// the dlayer executable through it (DLAYER_CLI_PROCESS=1, arguments after
// "--"), so the binary has the test-only command too.
func TestCLIProcess(t *testing.T) {
	if os.Getenv("DLAYER_CLI_PROCESS") != "1" {
		return
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(run(context.Background(), args, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
}

// completionProject makes a project with models User and Post and
// environments ci and dev, and changes into it.
func completionProject(t *testing.T) string {
	clearProjectEnv(t)
	dir := writeFiles(t, map[string]string{
		"dlayer.yaml":      "env: dev\nenvironments:\n  dev: {url: 'sqlite:dev.db'}\n  ci: {url: '${DATABASE_URL}'}\n",
		"models/user.yaml": projectModels,
		"models/post.yaml": "models:\n  Post:\n    table: posts\n    columns:\n      id: {type: integer, primary_key: true}\n",
	})
	t.Chdir(dir)
	return dir
}

// TestComplete drives the hidden entry point the scripts call.
func TestComplete(t *testing.T) {
	completionProject(t)
	tests := []struct {
		name  string
		words []string
		want  []string // candidates without descriptions, in order
	}{
		{name: "commands", words: []string{"mig"}, want: []string{"migrate"}},
		{name: "hidden command not offered", words: []string{"__"}, want: nil},
		{name: "global flags", words: []string{"--v"}, want: []string{"--version"}},
		{name: "subcommand", words: []string{"migrate", "d"}, want: []string{"diff", "down"}},
		{name: "flags of a command", words: []string{"migrate", "up", "--dr"}, want: []string{"--dry-run"}},
		{name: "single dash lists the flags", words: []string{"init", "-"}, want: []string{"--schemas"}},
		{name: "project flags on every command", words: []string{"ddl", "--e"}, want: []string{"--env"}},
		{name: "dialect values", words: []string{"ddl", "--dialect", ""}, want: []string{"mysql", "postgres", "sqlite"}},
		{name: "dialect after =", words: []string{"ddl", "--dialect=p"}, want: []string{"--dialect=postgres"}},
		{name: "bash split at =", words: []string{"ddl", "--dialect", "=", "s"}, want: []string{"sqlite"}},
		{name: "bash split at =, empty", words: []string{"validate", "--format", "="}, want: []string{"text", "json", "github"}},
		{name: "format from the usage", words: []string{"validate", "--format", "j"}, want: []string{"json"}},
		{name: "env names from dlayer.yaml", words: []string{"apply", "--env", ""}, want: []string{"ci", "dev"}},
		{name: "model flag", words: []string{"x-models-test", "--models", "U"}, want: []string{"User"}},
		{name: "model list", words: []string{"x-models-test", "--models", "User,"}, want: []string{"User,Post", "User,User"}},
		{name: "model argument", words: []string{"x-models-test", "--out", "x", ""}, want: []string{"Post", "User"}},
		{name: "directory flag", words: []string{"migrate", "--dir", ""}, want: []string{":dirs"}},
		{name: "output directory flag", words: []string{"x-models-test", "--out", ""}, want: []string{":dirs"}},
		{name: "file arguments", words: []string{"validate", "mo"}, want: []string{":files"}},
		{name: "bool flag takes no value", words: []string{"apply", "--dry-run", ""}, want: nil},
		{name: "help takes a command", words: []string{"help", "ap"}, want: []string{"apply"}},
		{name: "completion shells", words: []string{"completion", ""}, want: []string{"bash", "zsh", "fish"}},
		{name: "unknown command", words: []string{"nope", ""}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range completions(tt.words) {
				name, _, _ := strings.Cut(c, "\t")
				got = append(got, name)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("completions(%q) = %q, want %q", tt.words, got, tt.want)
			}
		})
	}
	// Through run, as the scripts call it, with descriptions.
	code, out, _ := runCLI(t, "__complete", "migrate", "up", "--dry")
	if code != exitOK || out != "--dry-run\tprint the SQL instead of running (up, down) or writing (diff) it\n" {
		t.Fatalf("exit %d: %q", code, out)
	}
	if _, out, _ := runCLI(t, "help"); strings.Contains(out, "__complete") {
		t.Fatal("the hidden entry point is listed")
	}
}

func TestCompletionUsage(t *testing.T) {
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		if code, _, _ := runCLI(t, args...); code != exitUsage {
			t.Errorf("dlayer %v: exit %d, want 2", args, code)
		}
	}
}

// shellScript writes the script of shell to a file and returns its path.
func shellScript(t *testing.T, shell string) string {
	t.Helper()
	code, out, errOut := runCLI(t, "completion", shell)
	if code != exitOK || out == "" {
		t.Fatalf("completion %s: exit %d %s", shell, code, errOut)
	}
	p := filepath.Join(t.TempDir(), "dlayer."+shell)
	if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func needShell(t *testing.T, shell string) string {
	t.Helper()
	p, err := exec.LookPath(shell)
	if err != nil {
		testdb.Unavailable(t, shell, shell+" is not installed (scripts/shells.sh installs zsh and fish)")
	}
	return p
}

// TestCompletionScriptsParse: every script is valid for its shell.
func TestCompletionScriptsParse(t *testing.T) {
	for _, tt := range []struct{ shell, flag string }{{"bash", "-n"}, {"zsh", "-n"}, {"fish", "--no-execute"}} {
		t.Run(tt.shell, func(t *testing.T) {
			sh := needShell(t, tt.shell)
			if out, err := exec.Command(sh, tt.flag, shellScript(t, tt.shell)).CombinedOutput(); err != nil {
				t.Fatalf("%s %s: %v\n%s", tt.shell, tt.flag, err, out)
			}
		})
	}
}

// TestBashCompletion loads the bash script and drives its function the
// way bash does (COMP_WORDS, COMP_CWORD), with this test binary standing
// in for the dlayer executable.
func TestBashCompletion(t *testing.T) {
	bash := needShell(t, "bash")
	dir := completionProject(t)
	script := shellScript(t, "bash")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		words string // a bash array literal
		cword int
		want  string // COMPREPLY, one per line
	}{
		{name: "command", words: "(dlayer mig)", cword: 1, want: "migrate"},
		{name: "flag", words: "(dlayer migrate up --dry)", cword: 3, want: "--dry-run"},
		{name: "model name", words: "(dlayer x-models-test --models Us)", cword: 2 + 1, want: "User"},
		{name: "model list", words: "(dlayer x-models-test --models User,P)", cword: 3, want: "User,Post"},
		{name: "dialect after =", words: "(dlayer ddl --dialect = po)", cword: 4, want: "postgres"},
		{name: "dialect right after =", words: "(dlayer ddl --dialect =)", cword: 3, want: "mysql\npostgres\nsqlite"},
		{name: "env name", words: "(dlayer apply --env d)", cword: 3, want: "dev"},
		{name: "file argument", words: "(dlayer validate mod)", cword: 2, want: "models"},
		{name: "directory flag", words: "(dlayer migrate --models mo)", cword: 3, want: "models"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog := fmt.Sprintf(`dlayer() { DLAYER_CLI_PROCESS=1 %q -test.run='^TestCLIProcess$' -- "$@"; }
source %q
COMP_WORDS=%s
COMP_CWORD=%d
_dlayer_complete
printf '%%s\n' "${COMPREPLY[@]}"
`, self, script, tt.words, tt.cword)
			cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			if got := strings.TrimSpace(string(out)); got != tt.want {
				t.Fatalf("COMPREPLY for %s = %q, want %q", tt.words, got, tt.want)
			}
		})
	}
}

// TestFishCompletion asks fish itself (complete -C) with the fish script
// loaded.
func TestFishCompletion(t *testing.T) {
	fish := needShell(t, "fish")
	dir := completionProject(t)
	script := shellScript(t, "fish")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ line, want string }{
		{line: "dlayer mig", want: "migrate\tgenerate, apply and inspect schema migrations"},
		{line: "dlayer x-models-test --models Po", want: "Post"},
		{line: "dlayer ddl --dialect=sq", want: "--dialect=sqlite"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			prog := fmt.Sprintf(`function dlayer; env DLAYER_CLI_PROCESS=1 %q -test.run='^TestCLIProcess$' -- $argv; end
source %q
complete -C %q
`, self, script, tt.line)
			cmd := exec.Command(fish, "--no-config", "-c", prog)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("fish: %v\n%s", err, out)
			}
			if got := strings.TrimSpace(string(out)); got != tt.want {
				t.Fatalf("fish completes %q as %q, want %q", tt.line, got, tt.want)
			}
		})
	}
}

// TestZshCompletion runs the zsh function with compadd and _files
// replaced by stubs that print what they were given (driving the real
// completion system needs a terminal).
func TestZshCompletion(t *testing.T) {
	zsh := needShell(t, "zsh")
	dir := completionProject(t)
	script := shellScript(t, "zsh")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, words string
		want        string
	}{
		{name: "command", words: "(dlayer mig)", want: "migrate"},
		{name: "flag", words: "(dlayer apply --all)", want: "--allow-destructive"},
		{name: "model", words: "(dlayer x-models-test --models=P)", want: "--models=Post"},
		{name: "files", words: "(dlayer validate m)", want: "_files"},
		{name: "dirs", words: "(dlayer migrate --dir m)", want: "_files -/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog := fmt.Sprintf(`dlayer() { DLAYER_CLI_PROCESS=1 %q -test.run='^TestCLIProcess$' -- "$@"; }
compdef() { : }
compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
_files() { print -- "_files $*"; }
source %q
words=%s
CURRENT=${#words}
_dlayer
`, self, script, tt.words)
			cmd := exec.Command(zsh, "-f", "-c", prog)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("zsh: %v\n%s", err, out)
			}
			if got := strings.TrimSpace(string(out)); got != tt.want {
				t.Fatalf("zsh completes %s as %q, want %q", tt.words, got, tt.want)
			}
		})
	}
}
