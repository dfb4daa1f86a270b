package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/internal/testdb"
)

const shop = "testdata/erd20"

// nodeModules returns the node_modules directory holding mermaid and
// jsdom (scripts/schema-tools.sh install), or reports the suite unavailable.
func nodeModules(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		testdb.Unavailable(t, "mermaid", "node is not on PATH. Run scripts/schema-tools.sh install")
	}
	dir := os.Getenv("DLAYER_NODE_MODULES")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err == nil {
			dir = filepath.Join(cache, "dlayer-tools", "node_modules")
		}
	}
	for _, p := range []string{"mermaid/package.json", "jsdom/package.json"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			testdb.Unavailable(t, "mermaid", "the mermaid and jsdom npm packages are not in "+dir+
				" (DLAYER_NODE_MODULES). Run scripts/schema-tools.sh install")
		}
	}
	return dir
}

func needDot(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("dot"); err != nil {
		testdb.Unavailable(t, "graphviz", "Graphviz's dot is not on PATH. Run scripts/schema-tools.sh install")
	}
}

// mermaidParse runs Mermaid's own parser on src.
func mermaidParse(t *testing.T, modules, src string) (string, error) {
	t.Helper()
	cmd := exec.Command("node", "testdata/mermaid-parse.mjs", modules)
	cmd.Stdin = strings.NewReader(src)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func TestERDMermaidParses(t *testing.T) {
	modules := nodeModules(t)
	for _, dir := range []string{blog, shop} {
		t.Run(dir, func(t *testing.T) {
			code, out, errOut := runCLI(t, "erd", dir)
			if code != exitOK || !strings.HasPrefix(out, "erDiagram\n") {
				t.Fatalf("erd: code %d\n%s%s", code, out, errOut)
			}
			res, err := mermaidParse(t, modules, out)
			if err != nil || !strings.Contains(res, `"diagramType":"er"`) {
				t.Fatalf("mermaid refused the diagram: %v\n%s\n%s", err, res, out)
			}
		})
	}
	// The parser really parses: a broken diagram is refused.
	if res, err := mermaidParse(t, modules, "erDiagram\n  a {\n    int x PK,,\n  }\n"); err == nil {
		t.Fatalf("mermaid accepted a broken diagram: %s", res)
	}
}

func TestERDDotRenders(t *testing.T) {
	needDot(t)
	for _, dir := range []string{blog, shop} {
		t.Run(dir, func(t *testing.T) {
			code, out, errOut := runCLI(t, "erd", "--format", "dot", dir)
			if code != exitOK || !strings.HasPrefix(out, "digraph erd {") {
				t.Fatalf("erd --format dot: code %d\n%s%s", code, out, errOut)
			}
			cmd := exec.Command("dot", "-Tsvg")
			cmd.Stdin = strings.NewReader(out)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			svg, err := cmd.Output()
			if err != nil || stderr.Len() > 0 || !bytes.Contains(svg, []byte("<svg")) {
				t.Fatalf("dot -Tsvg: %v\n%s", err, stderr.String())
			}
			code, out, errOut = runCLI(t, "erd", "--format", "svg", dir)
			if code != exitOK || !strings.Contains(out, "<svg") || !strings.Contains(out, "post_tags") && dir == blog {
				t.Fatalf("erd --format svg: code %d\n%.300s%s", code, out, errOut)
			}
		})
	}
}

func TestERDWithoutGraphviz(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	code, out, errOut := runCLI(t, "erd", "--format", "svg", blog)
	if code != exitUsage || out != "" || !strings.Contains(errOut, "needs Graphviz's dot on PATH") || !strings.Contains(errOut, "apt install graphviz") {
		t.Fatalf("code %d, stdout %q, stderr %q", code, out, errOut)
	}
	// mermaid and dot need no tool.
	if code, _, errOut := runCLI(t, "erd", "--format", "dot", blog); code != exitOK {
		t.Fatalf("dot without graphviz: %d %s", code, errOut)
	}
}

func TestERDCommand(t *testing.T) {
	broken := writeFiles(t, map[string]string{"m.yaml": "models:\n  A:\n    table: a\n    columns: {id: intgr}\n"})
	outFile := filepath.Join(t.TempDir(), "blog.mmd")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "models filter", args: []string{"erd", "--models", "Post,Tag", blog}, code: exitOK, stdout: `posts }o..o{ tags`},
		{name: "models repeated", args: []string{"erd", "--models", "User", "--models", "Post", blog}, code: exitOK, stdout: `users ||--o{ posts : "posts / author"`},
		{name: "unknown model", args: []string{"erd", "--models", "Usr", blog}, code: exitUsage, stderr: `no model or table "Usr" (models: Post, Tag, User)`},
		{name: "bad format", args: []string{"erd", "--format", "png", blog}, code: exitUsage, stderr: `unknown --format "png"`},
		{name: "invalid schema", args: []string{"erd", broken}, code: exitFail, stderr: "unknown-type"},
		{name: "output file", args: []string{"erd", "-o", outFile, blog}, code: exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errOut, tt.stderr) {
				t.Fatalf("code %d (want %d)\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
		})
	}
	b, err := os.ReadFile(outFile)
	if err != nil || !bytes.HasPrefix(b, []byte("erDiagram")) {
		t.Fatalf("-o: %v %q", err, b)
	}
}

// TestERDBlogGolden keeps the blog's Mermaid diagram (shown in the README)
// and its DOT (rendered as docs/blog-erd.svg) in step with the code.
func TestERDBlogGolden(t *testing.T) {
	for _, g := range []struct{ format, file string }{{"mermaid", "testdata/blog-erd.mmd"}, {"dot", "testdata/blog-erd.dot"}} {
		_, out, _ := runCLI(t, "erd", "--format", g.format, blog)
		if *update {
			if err := os.WriteFile(g.file, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(g.file)
		if err != nil {
			t.Fatalf("%v (run with -update to create)", err)
		}
		if out != string(want) {
			t.Errorf("%s differs from %s (run with -update, then regenerate docs/blog-erd.svg: "+
				"dlayer erd --format svg -o docs/blog-erd.svg examples/blog/models):\n%s", g.format, g.file, out)
		}
	}
}
