package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/loader"
	"github.com/dlayer/dlayer/migrate/cli"
	"github.com/dlayer/dlayer/schemas"
)

// TestInspectModeline: the YAML inspect writes names a local JSON Schema
// by a relative path when one is given or found, so an editor needs no
// network, and the published URL otherwise.
func TestInspectModeline(t *testing.T) {
	p := newProject(t)
	p.models(models2)
	p.want(cli.ExitOK, p.run("diff", nil, func(o *cli.Options) { o.Message = "init" }), "diff")
	p.want(cli.ExitOK, p.run("up", nil, nil), "up")
	// A project root with go.mod stops the upward search.
	os.WriteFile(filepath.Join(p.root, "go.mod"), []byte("module x\n"), 0o644)
	schemaDir := filepath.Join(p.root, "schemas")
	os.MkdirAll(schemaDir, 0o755)
	given := filepath.Join(schemaDir, "dlayer.schema.json")
	os.WriteFile(given, schemas.JSON, 0o644)

	inspect := func(out, schema string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := cli.Inspect(context.Background(), cli.InspectOptions{URL: p.url, Out: out, Schema: schema, Stdout: &stdout, Stderr: &stderr})
		if out == "" {
			return code, stdout.String(), stderr.String()
		}
		b, _ := os.ReadFile(filepath.Join(out, "models.yaml"))
		return code, string(b), stderr.String()
	}
	firstLine := func(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

	tests := []struct {
		name, out, schema, want string
		setup                   func()
	}{
		{name: "given", out: filepath.Join(p.root, "db", "models"), schema: given,
			want: "# yaml-language-server: $schema=../../schemas/dlayer.schema.json"},
		{name: "none found: the published URL", out: filepath.Join(p.root, "other"),
			want: "# yaml-language-server: $schema=" + schemas.URL},
		{name: "found above the output directory", out: filepath.Join(p.root, "app", "models"),
			setup: func() {
				os.MkdirAll(filepath.Join(p.root, "app"), 0o755)
				os.WriteFile(filepath.Join(p.root, "app", "dlayer.schema.json"), schemas.JSON, 0o644)
			},
			want: "# yaml-language-server: $schema=../dlayer.schema.json"},
		{name: "found in the output directory", out: filepath.Join(p.root, "app"),
			want: "# yaml-language-server: $schema=dlayer.schema.json"},
		{name: "where dlayer init writes it", out: filepath.Join(p.root, "proj", "models"),
			setup: func() {
				os.MkdirAll(filepath.Join(p.root, "proj", ".dlayer", "schemas"), 0o755)
				os.WriteFile(filepath.Join(p.root, "proj", ".dlayer", "schemas", "dlayer.schema.json"), schemas.JSON, 0o644)
			},
			want: "# yaml-language-server: $schema=../.dlayer/schemas/dlayer.schema.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup()
			}
			code, yaml, stderr := inspect(tt.out, tt.schema)
			if code != cli.ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got := firstLine(yaml); got != tt.want {
				t.Fatalf("modeline %q, want %q", got, tt.want)
			}
			if strings.Count(yaml, "yaml-language-server") != 1 {
				t.Fatalf("modeline written twice:\n%s", yaml)
			}
			if _, ds := loader.LoadPaths([]string{filepath.Join(tt.out, "models.yaml")}); ds.HasErrors() {
				t.Fatalf("the YAML does not load: %v", ds)
			}
		})
	}
	if code, _, stderr := inspect(filepath.Join(p.root, "x"), filepath.Join(p.root, "missing.json")); code != cli.ExitUsage || !strings.Contains(stderr, "dlayer schema --write") {
		t.Fatalf("a missing --schema file: exit %d, %s", code, stderr)
	}
}
