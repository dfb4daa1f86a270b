package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/schemas"
)

// runCLI runs the command line in-process and returns exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut})
	return code, out.String(), errOut.String()
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const blog = "../../examples/blog/models"

func TestValidate(t *testing.T) {
	broken := writeFiles(t, map[string]string{"m.yaml": "models:\n  User:\n    table: users\n    columns:\n      id: {type: intgr, primary_key: true}\n"})
	warn := writeFiles(t, map[string]string{"m.yaml": "models:\n  User:\n    table: users\n    columns:\n      id: {type: integer, primary_key: true}\n      order: integer\n"})
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string // substrings expected on stdout
		stderr   []string
		noStdout bool
	}{
		{name: "valid example", args: []string{"validate", blog}, code: 0,
			stdout: []string{"valid: 3 files, 3 models, 4 tables, 3 types; 0 errors, 0 warnings"}},
		{name: "files", args: []string{"validate", blog + "/types.yaml", blog + "/blog.yaml", blog + "/tags.yaml"}, code: 0},
		{name: "errors", args: []string{"validate", broken}, code: 1,
			stdout: []string{"m.yaml:5:18: error: unknown type \"intgr\" [unknown-type]", "^^^^^", "did you mean \"integer\"?"}},
		{name: "warnings pass", args: []string{"validate", warn}, code: 0, stdout: []string{"[reserved-word]", "1 warning"}},
		{name: "strict fails on warnings", args: []string{"validate", "--strict", warn}, code: 1},
		{name: "flags after args", args: []string{"validate", warn, "-strict"}, code: 1},
		{name: "json", args: []string{"validate", "--format", "json", broken}, code: 1, stdout: []string{`"rule": "unknown-type"`, `"line": 5`}},
		{name: "github", args: []string{"validate", "--format=github", broken}, code: 1,
			stdout: []string{"::error file=" + filepath.ToSlash(broken) + "/m.yaml,line=5,col=18,endColumn=23,title=unknown-type::unknown type"}},
		{name: "missing path", args: []string{"validate", "does/not/exist"}, code: 2, stdout: []string{"[io-error]"}},
		{name: "bad format", args: []string{"validate", "--format", "xml", blog}, code: 2, stderr: []string{"unknown --format"}, noStdout: true},
		{name: "bad flag", args: []string{"validate", "--nope"}, code: 2, stderr: []string{"flag provided but not defined", "Usage: dlayer validate"}},
		{name: "help flag", args: []string{"validate", "--help"}, code: 0, stdout: []string{"Usage: dlayer validate", "-strict", "-format"}},
		{name: "help command", args: []string{"help", "validate"}, code: 0, stdout: []string{"Usage: dlayer validate"}},
		{name: "help unknown", args: []string{"help", "nope"}, code: 2},
		{name: "help list", args: []string{"help"}, code: 0, stdout: []string{"validate", "schema", "version"}},
		{name: "global help", args: []string{"--help"}, code: 0, stdout: []string{"Commands:"}},
		{name: "no args", args: nil, code: 2, stderr: []string{"Usage:"}, noStdout: true},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, stderr: []string{"unknown command \"frobnicate\""}},
		{name: "version flag", args: []string{"--version"}, code: 0, stdout: []string{"dlayer "}},
		{name: "version command", args: []string{"version"}, code: 0, stdout: []string{"dlayer "}},
		{name: "schema extra args", args: []string{"schema", "x"}, code: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut)
				}
			}
			if tt.noStdout && out != "" {
				t.Errorf("unexpected stdout:\n%s", out)
			}
		})
	}
}

func TestValidateJSONIsJSON(t *testing.T) {
	code, out, _ := runCLI(t, "validate", "--format", "json", blog)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var v struct {
		Diagnostics []any `json:"diagnostics"`
		Errors      int   `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.Diagnostics == nil || v.Errors != 0 {
		t.Fatalf("output %q: %v", out, err)
	}
}

func TestValidateDefaultDir(t *testing.T) {
	abs, _ := filepath.Abs(blog)
	t.Chdir(abs)
	code, out, _ := runCLI(t, "validate")
	if code != 0 || !strings.Contains(out, "3 models") {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestSchemaCommand(t *testing.T) {
	code, out, _ := runCLI(t, "schema")
	if code != 0 || out != string(schemas.JSON) {
		t.Fatalf("exit %d, output differs from the embedded schema", code)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil || v["$schema"] != "http://json-schema.org/draft-07/schema#" {
		t.Fatalf("not a draft-07 schema: %v", err)
	}
}

func TestRegisterDuplicatePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("registering a command twice must panic")
		}
	}()
	register(&command{name: "validate"})
}

func TestLoadSchemaHelper(t *testing.T) {
	var errOut bytes.Buffer
	e := &env{stdout: &bytes.Buffer{}, stderr: &errOut}
	if s, code := loadSchema(e, []string{blog}); s == nil || code != exitOK || errOut.Len() != 0 {
		t.Fatalf("valid schema: %v %d %s", s, code, errOut.String())
	}
	broken := writeFiles(t, map[string]string{"m.yaml": "models: {A: {table: a, columns: {id: nope}}}\n"})
	if s, code := loadSchema(e, []string{broken}); s != nil || code != exitFail || !strings.Contains(errOut.String(), "unknown-type") {
		t.Fatalf("broken schema: %v %d %s", s, code, errOut.String())
	}
	if s, code := loadSchema(e, []string{"no/such/dir"}); s != nil || code != exitUsage {
		t.Fatalf("missing dir: %v %d", s, code)
	}
}
