package schemas

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/internal/testdb"
)

// TestEditorCompletions runs yaml-language-server, the engine of VS Code's
// YAML extension, on the schema: what an editor completes, shows and flags.
func TestEditorCompletions(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		testdb.Unavailable(t, "yaml-language-server", "node is not on PATH. Run scripts/schema-tools.sh install")
	}
	modules := os.Getenv("DLAYER_NODE_MODULES")
	if modules == "" {
		if cache, err := os.UserCacheDir(); err == nil {
			modules = filepath.Join(cache, "dlayer-tools", "node_modules")
		}
	}
	if _, err := os.Stat(filepath.Join(modules, "yaml-language-server", "package.json")); err != nil {
		testdb.Unavailable(t, "yaml-language-server", "the yaml-language-server npm package is not in "+modules+
			" (DLAYER_NODE_MODULES). Run scripts/schema-tools.sh install")
	}
	type tcase struct {
		Text string `json:"text"`
		Op   string `json:"op"`
	}
	tests := []struct {
		name string
		c    tcase
		// want: labels that must be offered (complete), text that must be
		// shown (hover), or messages (validate; "" means none).
		want    []string
		wantDoc map[string]string // completion label → its documentation
	}{
		{name: "builtin types in type:", c: tcase{"models:\n  A:\n    table: a\n    columns:\n      id:\n        type: |\n", "complete"},
			want: []string{"integer", "string", "timestamp", "enum", "native"}, wantDoc: map[string]string{"timestamp": "TIMESTAMPTZ"}},
		{name: "builtin types in the shorthand", c: tcase{"models:\n  A:\n    table: a\n    columns:\n      id: |\n", "complete"},
			want: []string{"integer", "bigint", "text"}},
		{name: "builtin types in flow style", c: tcase{"models:\n  A:\n    table: a\n    columns:\n      id: {type: |}\n", "complete"},
			want: []string{"integer", "uuid"}},
		{name: "lazy values in flow style", c: tcase{"models:\n  A:\n    relationships:\n      b: {target: B, lazy: |}\n", "complete"},
			want:    []string{"select", "selectin", "joined", "raise", "write_only", "noload"},
			wantDoc: map[string]string{"selectin": "WHERE key IN (parent keys)", "write_only": "without loading"}},
		{name: "cascade values", c: tcase{"models:\n  A:\n    relationships:\n      b:\n        cascade: [|]\n", "complete"},
			want: []string{"all", "delete-orphan", "save-update"}, wantDoc: map[string]string{"delete-orphan": "removed from the parent's collection"}},
		{name: "on_delete values", c: tcase{"models:\n  A:\n    columns:\n      a: {type: integer, foreign_key: {table: x, column: y, on_delete: |}}\n", "complete"},
			want: []string{"cascade", "set null", "restrict"}, wantDoc: map[string]string{"set null": "must be nullable"}},
		{name: "column keys with their docs", c: tcase{"models:\n  A:\n    table: a\n    columns:\n      id:\n        type: integer\n        |\n", "complete"},
			want: []string{"primary_key", "unique", "index", "comment", "nullable"}, wantDoc: map[string]string{"index": "single-column index"}},
		{name: "relationship keys", c: tcase{"models:\n  A:\n    relationships:\n      b:\n        target: B\n        |\n", "complete"},
			want: []string{"passive_deletes", "back_populates", "kind"}, wantDoc: map[string]string{"passive_deletes": "ON DELETE"}},
		{name: "hover on a key", c: tcase{"models:\n  A:\n    relationships:\n      b:\n        target: B\n        passive_delet|es: true\n", "hover"},
			want: []string{"ON DELETE"}},
		{name: "hover on an enum value", c: tcase{"models:\n  A:\n    relationships:\n      b: {target: B, lazy: sele|ctin}\n", "hover"},
			want: []string{"WHERE key IN"}},
		{name: "an alias is a valid type", c: tcase{"types:\n  money: {type: decimal}\nmodels:\n  A:\n    table: a\n    columns:\n      id: {type: integer, primary_key: true}\n      m: money\n      n: {type: money}\n", "validate"},
			want: nil},
		{name: "a wrong lazy value is flagged", c: tcase{"models:\n  A:\n    table: a\n    columns: {id: integer}\n    relationships:\n      b: {target: B, lazy: eager}\n", "validate"},
			want: []string{"Value is not accepted"}},
	}
	cases := make([]tcase, len(tests))
	for i, tt := range tests {
		cases[i] = tt.c
	}
	in, _ := json.Marshal(cases)
	cmd := exec.Command("node", "testdata/yamlls.js", modules, "dlayer.schema.json")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("yaml-language-server: %v\n%s", err, stderr.String())
	}
	var results []json.RawMessage
	if err := json.Unmarshal(out, &results); err != nil || len(results) != len(tests) {
		t.Fatalf("bad output (%v): %s", err, out)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			switch tt.c.Op {
			case "complete":
				var items []struct{ Label, Doc string }
				json.Unmarshal(results[i], &items)
				got := map[string]string{}
				for _, it := range items {
					got[it.Label] = it.Doc
				}
				for _, w := range tt.want {
					if _, ok := got[w]; !ok {
						t.Errorf("%q not offered; got %v", w, items)
					}
				}
				for label, doc := range tt.wantDoc {
					if !strings.Contains(got[label], doc) {
						t.Errorf("%q documented as %q, want it to mention %q", label, got[label], doc)
					}
				}
			case "hover":
				var h string
				json.Unmarshal(results[i], &h)
				for _, w := range tt.want {
					if !strings.Contains(h, w) {
						t.Errorf("hover %q lacks %q", h, w)
					}
				}
			default:
				var msgs []string
				json.Unmarshal(results[i], &msgs)
				if len(tt.want) == 0 && len(msgs) > 0 {
					t.Errorf("unexpected diagnostics: %v", msgs)
				}
				for _, w := range tt.want {
					if !strings.Contains(strings.Join(msgs, "\n"), w) {
						t.Errorf("diagnostics %v lack %q", msgs, w)
					}
				}
			}
		})
	}
}
