package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/schemas"
)

func TestFmt(t *testing.T) {
	const messy = `# yaml-language-server: $schema=../schemas/dlayer.schema.json
models:
  User:
    columns:
      id: {primary_key: true, type: integer}   # the key
      name:
        type: string
        length: 50
    table: users
`
	const tidy = `# yaml-language-server: $schema=../schemas/dlayer.schema.json
models:
  User:
    table: users
    columns:
      id:   {type: integer, primary_key: true} # the key
      name: {type: string, length: 50}
`
	dir := writeFiles(t, map[string]string{"a/m.yaml": messy, "a/ok.yaml": tidy, "b.yml": tidy, ".hidden/x.yaml": messy})
	m := filepath.Join(dir, "a", "m.yaml")

	code, out, errOut := runCLI(t, "fmt", "--check", dir)
	if code != exitFail || out != m+"\n" {
		t.Fatalf("fmt --check: code %d, stdout %q, stderr %q; want 1 and %q", code, out, errOut, m)
	}
	if b, _ := os.ReadFile(m); string(b) != messy {
		t.Fatal("fmt --check wrote the file")
	}
	if code, out, errOut := runCLI(t, "fmt", dir); code != exitOK || out != "" {
		t.Fatalf("fmt: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	if b, _ := os.ReadFile(m); string(b) != tidy {
		t.Fatalf("fmt wrote:\n%s\nwant:\n%s", b, tidy)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ".hidden", "x.yaml")); string(b) != messy {
		t.Fatal("fmt went into a hidden directory")
	}
	if code, out, _ := runCLI(t, "fmt", "--check", dir); code != exitOK || out != "" {
		t.Fatalf("fmt --check after fmt: code %d, stdout %q", code, out)
	}
	// An explicit file, whatever its extension.
	txt := filepath.Join(dir, "schema.txt")
	os.WriteFile(txt, []byte(messy), 0o600)
	if code, out, _ := runCLI(t, "fmt", "--check", txt); code != exitFail || out != txt+"\n" {
		t.Fatalf("fmt --check FILE: code %d, stdout %q", code, out)
	}
	runCLI(t, "fmt", txt)
	if st, err := os.Stat(txt); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("fmt changed the file's mode: %v %v", st.Mode(), err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 4 {
		t.Fatalf("fmt left temporary files behind: %v", ents)
	}
}

func TestFmtStdinAndErrors(t *testing.T) {
	var out, errOut strings.Builder
	e := &env{stdin: strings.NewReader("tables: {t: {columns: {a: integer}}}\n"), stdout: &out, stderr: &errOut}
	if code := run(t.Context(), []string{"fmt", "-"}, e); code != exitOK {
		t.Fatalf("fmt -: code %d, %s", code, errOut.String())
	}
	if want := "tables:\n  t:\n    columns:\n      a: integer\n"; out.String() != want {
		t.Fatalf("fmt -: %q, want %q", out.String(), want)
	}
	bad := writeFiles(t, map[string]string{"bad.yaml": "models: {A: [\n"})
	code, _, errOut2 := runCLI(t, "fmt", bad)
	if code != exitUsage || !strings.Contains(errOut2, "bad.yaml") {
		t.Fatalf("malformed YAML: code %d, stderr %q", code, errOut2)
	}
	if code, _, _ := runCLI(t, "fmt", filepath.Join(bad, "missing")); code != exitUsage {
		t.Fatalf("missing path: code %d", code)
	}
}

// TestFmtRepoSchemas: the project's own schema files are formatted (the
// test command also runs `dlayer fmt --check examples`), and formatting
// each valid schema directory of the repository leaves `dlayer validate`
// saying the same: the same summary and, for warnings, the same rules,
// messages and JSON pointers.
func TestFmtRepoSchemas(t *testing.T) {
	if code, out, errOut := runCLI(t, "fmt", "--check", "../../examples"); code != exitOK {
		t.Fatalf("the examples are not formatted (run dlayer fmt examples):\n%s%s", out, errOut)
	}
	dirs := []string{
		"../../examples/blog/models",
		"../../orm/testdata",
		"../../orm/testdata/computed",
		"../../orm/testdata/unsigned",
		"../../loader/testdata/valid",
		"../../internal/faulttest/testdata/failover",
		shop,
	}
	for _, d := range dirs {
		t.Run(d, func(t *testing.T) {
			files, err := fmtFiles([]string{d})
			if err != nil || len(files) == 0 {
				t.Fatalf("no files in %s: %v", d, err)
			}
			tmp := t.TempDir()
			for _, f := range files {
				rel, _ := filepath.Rel(d, f)
				b, _ := os.ReadFile(f)
				os.MkdirAll(filepath.Dir(filepath.Join(tmp, rel)), 0o755)
				os.WriteFile(filepath.Join(tmp, rel), b, 0o644)
			}
			code1, text1, _ := runCLI(t, "validate", tmp)
			_, json1, _ := runCLI(t, "validate", "--format", "json", tmp)
			if code1 != exitOK {
				t.Fatalf("%s is not valid:\n%s", d, text1)
			}
			// The DDL of each dialect: a schema that formats into another
			// would show here.
			ddl := func() string {
				var all strings.Builder
				for _, dialect := range []string{"sqlite", "postgres", "mysql"} {
					_, out, errOut := runCLI(t, "ddl", "--dialect", dialect, tmp)
					all.WriteString(out + errOut)
				}
				return all.String()
			}
			ddl1 := ddl()
			if code, _, errOut := runCLI(t, "fmt", tmp); code != exitOK {
				t.Fatalf("fmt: %d %s", code, errOut)
			}
			if code, out, _ := runCLI(t, "fmt", "--check", tmp); code != exitOK {
				t.Fatalf("fmt is not idempotent on %s:\n%s", d, out)
			}
			code2, text2, _ := runCLI(t, "validate", tmp)
			_, json2, _ := runCLI(t, "validate", "--format", "json", tmp)
			last := func(s string) string {
				ls := strings.Split(strings.TrimSpace(s), "\n")
				return ls[len(ls)-1]
			}
			if code2 != code1 || last(text1) != last(text2) {
				t.Fatalf("validate changed: %d %q -> %d %q", code1, last(text1), code2, last(text2))
			}
			if a, b := diagKeys(t, json1), diagKeys(t, json2); !reflect.DeepEqual(a, b) {
				t.Fatalf("diagnostics changed:\n%v\n%v", a, b)
			}
			if ddl2 := ddl(); ddl2 != ddl1 {
				t.Fatalf("the DDL changed:\n%s\n---\n%s", ddl1, ddl2)
			}
		})
	}
}

// diagKeys returns the diagnostics of `validate --format json` without
// their line and column.
func diagKeys(t *testing.T, s string) []string {
	t.Helper()
	var v struct {
		Diagnostics []struct {
			Severity, Rule, Message, Detail, File, Path string
		}
	}
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	var out []string
	for _, d := range v.Diagnostics {
		out = append(out, strings.Join([]string{d.Severity, d.Rule, d.Message, d.Detail, filepath.Base(d.File), d.Path}, "|"))
	}
	return out
}

func TestSchemaWrite(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "sub", "s.json")
	code, out, errOut := runCLI(t, "schema", "--write", file)
	if code != exitOK || !strings.Contains(out, "wrote "+file) || !strings.Contains(out, "# yaml-language-server: $schema=") {
		t.Fatalf("schema --write FILE: %d %q %q", code, out, errOut)
	}
	if b, _ := os.ReadFile(file); !bytes.Equal(b, schemas.JSON) {
		t.Fatal("the written file is not the schema")
	}
	if code, _, _ := runCLI(t, "schema", "--write", dir); code != exitOK {
		t.Fatalf("schema --write DIR: %d", code)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "dlayer.schema.json")); !bytes.Equal(b, schemas.JSON) {
		t.Fatal("schema --write DIR did not write DIR/dlayer.schema.json")
	}
	os.WriteFile(filepath.Join(dir, "f"), nil, 0o644)
	if code, _, errOut := runCLI(t, "schema", "--write", filepath.Join(dir, "f", "x.json")); code != exitUsage || errOut == "" {
		t.Fatalf("unwritable path: %d %q", code, errOut)
	}
}

// At a project root, fmt without arguments formats the project's models
// directory and never takes the project file dlayer.yaml for a schema.
func TestFmtProjectDefaults(t *testing.T) {
	const messy = "models:\n  User:\n    columns:\n      id: {primary_key: true, type: integer}\n    table: users\n"
	dir := writeFiles(t, map[string]string{
		"dlayer.yaml":        "models: schema\nmigrations: migrations\ndialect: sqlite\n",
		"schema/user.yaml":   messy,
		"other/ignored.yaml": messy, // outside the models directory
	})
	t.Chdir(dir)
	code, out, errOut := runCLI(t, "fmt", "--check")
	if want := filepath.Join("schema", "user.yaml") + "\n"; code != exitFail || out != want {
		t.Fatalf("fmt --check at a project root: code %d, stdout %q, stderr %q; want 1 and %q", code, out, errOut, want)
	}
	// Walking the root itself skips the project file.
	code, out, _ = runCLI(t, "fmt", "--check", ".")
	if strings.Contains(out, "dlayer.yaml") || !strings.Contains(out, "ignored.yaml") || code != exitFail {
		t.Fatalf("fmt --check .: code %d, stdout %q", code, out)
	}
}
