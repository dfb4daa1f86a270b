package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/schemas"
)

// TestInit: init writes a starter project that validates, migrates
// (diff, up) and applies on SQLite as it is; the models carry the editor
// modeline pointing at schema files that exist; a second init refuses and
// changes nothing; an existing .gitignore gets the lines it lacks;
// --schemas refreshes the JSON Schemas only.
func TestInit(t *testing.T) {
	clearProjectEnv(t)
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, ".gitignore"), []byte("/bin\n*.db\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "app")
	code, out, errOut := runCLI(t, "init", dir)
	if code != exitOK {
		t.Fatalf("init: exit %d\n%s%s", code, out, errOut)
	}
	for _, f := range []string{"dlayer.yaml", "models/users.yaml", "models/posts.yaml", "migrations/.gitkeep", ".gitignore",
		".dlayer/schemas/dlayer.schema.json", ".dlayer/schemas/project.schema.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("init did not write %s: %v", f, err)
		}
	}
	// Every modeline points at a file that exists, relative to its YAML.
	for _, f := range []string{"dlayer.yaml", "models/users.yaml", "models/posts.yaml"} {
		p := filepath.Join(dir, f)
		src, _ := os.ReadFile(p)
		first, _, _ := strings.Cut(string(src), "\n")
		target, ok := strings.CutPrefix(first, "# yaml-language-server: $schema=")
		if !ok {
			t.Fatalf("%s lacks the modeline: %q", f, first)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), target)); err != nil {
			t.Errorf("%s: modeline target: %v", f, err)
		}
	}

	t.Chdir(dir)
	steps := [][]string{
		{"validate", "--strict"},
		{"migrate", "diff", "-m", "init"},
		{"migrate", "up"},
		{"migrate", "check"},
		{"apply", "--dry-run"},
	}
	for _, args := range steps {
		code, out, errOut := runCLI(t, args...)
		if code != exitOK {
			t.Fatalf("dlayer %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		if args[0] == "apply" && !strings.Contains(out, "no changes") {
			t.Fatalf("apply after migrate up:\n%s", out)
		}
	}
	if _, err := os.Stat("dev.db"); err != nil {
		t.Fatalf("migrate up did not use the dev environment's SQLite file: %v", err)
	}
	if ms, _ := filepath.Glob("migrations/*_init.sql"); len(ms) != 1 {
		t.Fatalf("migrations: %v", ms)
	}

	// A second init refuses and leaves an edited file alone.
	if err := os.WriteFile("models/users.yaml", []byte(projectModels), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, "init")
	if code != exitFail || !strings.Contains(errOut, "not overwriting") || !strings.Contains(errOut, "dlayer.yaml") {
		t.Fatalf("second init: exit %d\n%s%s", code, out, errOut)
	}
	if src, _ := os.ReadFile("models/users.yaml"); string(src) != projectModels {
		t.Fatal("the second init overwrote models/users.yaml")
	}

	// An existing .gitignore gets only the lines it lacks.
	if code, _, errOut := runCLI(t, "init", root+"/other"); code != exitOK {
		t.Fatal(errOut)
	}
	rootIgnore := filepath.Join(root, ".gitignore")
	if code, _, errOut := runCLI(t, "init", "--schemas", root); code != exitOK {
		t.Fatal(errOut)
	}
	if _, err := os.Stat(filepath.Join(root, "dlayer.yaml")); err == nil {
		t.Fatal("init --schemas wrote more than the schemas")
	}
	if src, _ := os.ReadFile(filepath.Join(root, ".dlayer/schemas/dlayer.schema.json")); string(src) != string(schemas.JSON) {
		t.Fatal("init --schemas did not write the schema")
	}
	if err := os.Remove(filepath.Join(root, ".dlayer/schemas/dlayer.schema.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, ".dlayer/schemas/project.schema.json")); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "init", root); code != exitOK {
		t.Fatal(errOut)
	}
	src, _ := os.ReadFile(rootIgnore)
	if got := string(src); !strings.HasPrefix(got, "/bin\n*.db\n") || strings.Count(got, "*.db\n") != 1 || !strings.Contains(got, "*.db-wal\n") {
		t.Fatalf(".gitignore after init:\n%s", got)
	}
}

// TestProjectFileNotASchemaFile: validating the project root as a
// directory leaves the project file out (it is not a schema file).
func TestProjectFileNotASchemaFile(t *testing.T) {
	clearProjectEnv(t)
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "init", dir); code != exitOK {
		t.Fatal(errOut)
	}
	t.Chdir(dir)
	code, out, errOut := runCLI(t, "validate", ".")
	if code != exitOK || !strings.Contains(out, "valid: 2 files, 2 models") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}
