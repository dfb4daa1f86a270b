package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/schemas"
)

// cursor splits a document written with one "|" at the cursor into its
// text and the cursor's LSP position (the documents are ASCII).
func cursor(t *testing.T, doc string) (string, map[string]int) {
	t.Helper()
	i := strings.Index(doc, "|")
	if i < 0 {
		t.Fatalf("no | cursor in %q", doc)
	}
	before := doc[:i]
	line := strings.Count(before, "\n")
	char := len(before) - (strings.LastIndex(before, "\n") + 1)
	return doc[:i] + doc[i+1:], map[string]int{"line": line, "character": char}
}

func pos(line, char int) map[string]int { return map[string]int{"line": line, "character": char} }

type completionResult struct {
	Items []struct {
		Label         string `json:"label"`
		Detail        string `json:"detail"`
		Documentation *struct {
			Value string `json:"value"`
		} `json:"documentation"`
		TextEdit *struct {
			NewText string `json:"newText"`
			Range   struct {
				Start struct{ Character int } `json:"start"`
				End   struct{ Character int } `json:"end"`
			} `json:"range"`
		} `json:"textEdit"`
	} `json:"items"`
}

func (r completionResult) labels() []string {
	out := make([]string, len(r.Items))
	for i, it := range r.Items {
		out[i] = it.Label
	}
	return out
}

type lspLocation struct {
	URI   string `json:"uri"`
	Range struct {
		Start struct{ Line, Character int } `json:"start"`
		End   struct{ Line, Character int } `json:"end"`
	} `json:"range"`
}

// TestLSP drives `dlayer lsp` over stdio as an editor would, on a copy of
// the blog example: diagnostics as the user types (and cleared when the
// file is clean again), completion in block and flow style and in broken
// YAML, hover, definition, references, rename, quick fixes, shutdown/exit.
func TestLSP(t *testing.T) {
	dir := copySchemaDir(t, blog)
	blogPath := filepath.Join(dir, "blog.yaml")
	blogURI := fileURI(blogPath)
	tagsURI := fileURI(filepath.Join(dir, "tags.yaml"))
	typesURI := fileURI(filepath.Join(dir, "types.yaml"))
	orig, err := os.ReadFile(blogPath)
	if err != nil {
		t.Fatal(err)
	}
	original := string(orig)

	c := startLSP(t)
	var init struct {
		Capabilities map[string]any        `json:"capabilities"`
		ServerInfo   struct{ Name string } `json:"serverInfo"`
	}
	// Requests before initialize are refused.
	if m := c.call("textDocument/hover", map[string]any{"textDocument": map[string]string{"uri": blogURI}, "position": pos(0, 0)}); m.Error == nil || m.Error.Code != -32002 {
		t.Fatalf("hover before initialize: %+v, want error -32002", m)
	}
	c.result("initialize", map[string]any{"processId": nil, "rootUri": fileURI(dir), "capabilities": map[string]any{},
		"initializationOptions": map[string]any{"debounceMillis": 20}}, &init)
	for _, capName := range []string{"textDocumentSync", "completionProvider", "hoverProvider", "definitionProvider", "referencesProvider", "renameProvider", "codeActionProvider"} {
		if init.Capabilities[capName] == nil {
			t.Errorf("initialize: capability %s missing", capName)
		}
	}
	if init.ServerInfo.Name != "dlayer" {
		t.Errorf("serverInfo.name = %q", init.ServerInfo.Name)
	}
	c.notify("initialized", map[string]any{})
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": blogURI, "languageId": "yaml", "version": 1, "text": original}})
	c.waitDiags(blogURI, func(ds []lspDiag) bool { return len(ds) == 0 })

	version := 1
	edit := func(text string) {
		version++
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": blogURI, "version": version},
			"contentChanges": []map[string]any{{"text": text}},
		})
	}

	t.Run("diagnostics", func(t *testing.T) {
		tests := []struct {
			name     string
			from, to string // replace in blog.yaml
			uri      string // where the diagnostic shows
			code     string
			line     int
			char     int
			message  string
		}{
			{name: "unknown relationship target", from: "author: {target: User,", to: "author: {target: Usr,", uri: blogURI,
				code: "unknown-model", line: 20, char: 23, message: "relationship Post.author targets unknown model \"Usr\"\ndid you mean \"User\"?"},
			{name: "foreign key to a missing column", from: "foreign_key: users.id}", to: "foreign_key: users.uid}", uri: blogURI,
				code: "fk-missing-target", line: 17, char: 46, message: "did you mean \"id\"?"},
			{name: "back_populates that does not point back", from: "back_populates: author,", to: "back_populates: tags,", uri: blogURI,
				code: "back-populates-mismatch", line: 9},
			{name: "typo in a builtin type", from: "content:   text", to: "content:   txt", uri: blogURI,
				code: "unknown-type", line: 16, char: 17, message: "did you mean \"text\"?"},
			{name: "broken YAML", from: "    relationships:\n      author", to: "    relationships: [\n      author", uri: blogURI, code: "yaml-syntax"},
			{name: "error in another file caused by the edit", from: "  Post:\n    table: posts", to: "  Article:\n    table: posts", uri: tagsURI,
				code: "unknown-model", line: 10, char: 22},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if !strings.Contains(original, tt.from) {
					t.Fatalf("blog.yaml lacks %q", tt.from)
				}
				edit(strings.Replace(original, tt.from, tt.to, 1))
				ds := c.waitDiags(tt.uri, func(ds []lspDiag) bool {
					return slices.ContainsFunc(ds, func(d lspDiag) bool { return d.Code == tt.code })
				})
				i := slices.IndexFunc(ds, func(d lspDiag) bool { return d.Code == tt.code })
				d := ds[i]
				if tt.line > 0 && d.Range.Start.Line != tt.line || tt.char > 0 && d.Range.Start.Character != tt.char {
					t.Errorf("%s at %d:%d, want %d:%d", tt.code, d.Range.Start.Line, d.Range.Start.Character, tt.line, tt.char)
				}
				if !strings.Contains(d.Message, tt.message) || d.Source != "dlayer" || d.Severity != 1 {
					t.Errorf("diagnostic %+v, want message containing %q, source dlayer, severity 1", d, tt.message)
				}
				// Fixed again: the file is published clean.
				edit(original)
				c.waitDiags(tt.uri, func(ds []lspDiag) bool { return len(ds) == 0 })
			})
		}
	})

	t.Run("completion", func(t *testing.T) {
		tests := []struct {
			name    string
			from    string // replaced in blog.yaml by to, which holds the cursor
			to      string
			want    []string
			notWant []string
			doc     string // documentation of the first wanted item contains
			insert  string // text edit of the first wanted item
			edit    [2]int // and the characters it replaces, if set
		}{
			{name: "model names in target (flow, unclosed: broken YAML)", from: "author: {target: User, back_populates: posts}", to: "author: {target: |",
				want: []string{"Post", "Tag", "User"}},
			{name: "model names in target, half typed", from: "author: {target: User, back_populates: posts}", to: "author: {target: Us|, back_populates: posts}",
				want: []string{"User"}, notWant: []string{"Post", "Tag"}, insert: "User"},
			{name: "the whole word under the cursor is replaced", from: "author: {target: User, back_populates: posts}", to: "author: {target: Us|r, back_populates: posts}",
				want: []string{"User"}, insert: "User", edit: [2]int{23, 26}},
			{name: "a blank is added after a bare colon", from: "author: {target: User, back_populates: posts}", to: "author: {target:|",
				want: []string{"User"}, insert: " User"},
			{name: "model names in target (block)", from: "author: {target: User, back_populates: posts}", to: "author:\n        target: |\n        back_populates: posts",
				want: []string{"Post", "Tag", "User"}},
			{name: "lazy values in flow style", from: "author: {target: User, back_populates: posts}", to: "author: {target: User, lazy: |}",
				want: []string{"select", "selectin", "joined", "raise", "write_only", "noload"}},
			{name: "back_populates only offers relationships that point back", from: "posts: {target: Post, back_populates: author,", to: "posts: {target: Post, back_populates: |,",
				want: []string{"author"}, notWant: []string{"tags"}},
			{name: "relationship keys in flow style, with docs, without present keys", from: "author: {target: User, back_populates: posts}", to: "author: {target: User, |}",
				want: []string{"lazy", "back_populates", "cascade", "secondary"}, notWant: []string{"target"}, doc: schemaDoc(t, "lazy"), insert: "lazy: "},
			{name: "type shorthand: aliases and builtins", from: "content:   text", to: "content:   |",
				want: []string{"created_at", "intpk", "str50", "text", "integer", "timestamp"}},
			{name: "type: in flow style", from: "author_id: {type: integer,", to: "author_id: {type: |",
				want: []string{"intpk", "integer", "bigint"}},
			{name: "foreign_key: table.column of keys", from: "foreign_key: users.id}", to: "foreign_key: |}",
				want: []string{"users.id", "posts.id", "tags.id", "users.email"}, notWant: []string{"users.name", "posts.title"}},
			{name: "column keys (block) without present keys", from: "      name:  str50\n", to: "      name:\n        type: str50\n        |\n",
				want: []string{"primary_key", "nullable", "default", "foreign_key"}, notWant: []string{"type"}},
			{name: "cascade list values", from: "cascade: [all, delete-orphan]", to: "cascade: [all, |]",
				want: []string{"delete-orphan", "save-update", "merge"}},
			{name: "secondary table", from: "secondary: post_tags,", to: "secondary: |,",
				want: []string{"post_tags", "users"}},
			{name: "index columns", from: "- {columns: [author_id, created]}", to: "- {columns: [author_id, |]}",
				want: []string{"created", "title", "id"}},
			{name: "model keys (block)", from: "    table: posts\n", to: "    table: posts\n    |\n",
				want: []string{"version_column", "comment", "primary_key"}, notWant: []string{"table", "columns", "relationships", "indexes"}},
			{name: "nothing in a comment", from: "# yaml-language-server", to: "# yaml-lang|uage-server"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if !strings.Contains(original, tt.from) {
					t.Fatalf("blog.yaml lacks %q", tt.from)
				}
				doc, at := cursor(t, strings.Replace(original, tt.from, tt.to, 1))
				edit(doc)
				var res completionResult
				c.result("textDocument/completion", map[string]any{"textDocument": map[string]string{"uri": blogURI}, "position": at}, &res)
				got := res.labels()
				for _, w := range tt.want {
					if !slices.Contains(got, w) {
						t.Errorf("completion lacks %q; got %v", w, got)
					}
				}
				for _, nw := range tt.notWant {
					if slices.Contains(got, nw) {
						t.Errorf("completion offers %q; got %v", nw, got)
					}
				}
				if len(tt.want) == 0 && len(got) > 0 {
					t.Errorf("completion offers %v, want nothing", got)
				}
				if len(tt.want) > 0 && (tt.doc != "" || tt.insert != "") {
					i := slices.Index(got, tt.want[0])
					if i < 0 {
						return
					}
					it := res.Items[i]
					if tt.doc != "" && (it.Documentation == nil || !strings.Contains(it.Documentation.Value, tt.doc)) {
						t.Errorf("%s: documentation %+v lacks %q", it.Label, it.Documentation, tt.doc)
					}
					if tt.insert != "" && (it.TextEdit == nil || it.TextEdit.NewText != tt.insert) {
						t.Errorf("%s: text edit %+v, want %q", it.Label, it.TextEdit, tt.insert)
					}
					if tt.edit != [2]int{} && it.TextEdit != nil && (it.TextEdit.Range.Start.Character != tt.edit[0] || it.TextEdit.Range.End.Character != tt.edit[1]) {
						t.Errorf("%s: text edit replaces characters %d-%d, want %d-%d", it.Label, it.TextEdit.Range.Start.Character, it.TextEdit.Range.End.Character, tt.edit[0], tt.edit[1])
					}
				}
			})
		}
		edit(original)
		c.waitDiags(blogURI, func(ds []lspDiag) bool { return len(ds) == 0 })
	})

	// Positions below are in the unchanged blog.yaml (0-based lines):
	//  5       id:    intpk # shorthand: an alias or a builtin type name
	//  9       posts: {target: Post, back_populates: author, cascade: [all, delete-orphan]}
	// 17       author_id: {type: integer, foreign_key: users.id}
	// 18       created:   created_at
	// 20       author: {target: User, back_populates: posts}
	// 21       tags:   {target: Tag, secondary: post_tags, back_populates: posts}
	// (the example is in the layout dlayer fmt gives it)
	t.Run("hover", func(t *testing.T) {
		tests := []struct {
			name string
			at   map[string]int
			want []string
		}{
			{name: "column with foreign key and SQL types", at: pos(17, 8), want: []string{"posts.author_id", "`integer`", "NOT NULL", "users.id", "| postgres |", "| mysql |", "| sqlite |", "INTEGER"}},
			{name: "column through an alias with a default", at: pos(18, 8), want: []string{"posts.created", "`timestamp`", "alias `created_at`", "insert_default: `now`"}},
			{name: "relationship one-to-many", at: pos(9, 7), want: []string{"User.posts", "one-to-many", "`Post`", "`users.id` = `posts.author_id`", "lazy: select", "delete-orphan", "back_populates: `Post.author`"}},
			{name: "relationship many-to-many", at: pos(21, 7), want: []string{"Post.tags", "many-to-many", "through `post_tags`", "post_tags.(post_id) → posts.id", "post_tags.(tag_id) → tags.id"}},
			{name: "model name in target", at: pos(20, 24), want: []string{"model User", "table `users`", "email"}},
			{name: "alias reference", at: pos(5, 14), want: []string{"type alias intpk", "`integer`", "primary key"}},
			{name: "key documentation from the JSON Schema", at: pos(20, 42), want: []string{"back_populates", schemaDoc(t, "back_populates")}},
			{name: "enum value documentation from the JSON Schema (or none)", at: pos(9, 68)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				m := c.call("textDocument/hover", map[string]any{"textDocument": map[string]string{"uri": blogURI}, "position": tt.at})
				if m.Error != nil {
					t.Fatalf("hover: %+v", m.Error)
				}
				var h struct {
					Contents struct{ Value string } `json:"contents"`
				}
				if len(tt.want) == 0 {
					return // must only not fail
				}
				if err := json.Unmarshal(m.Result, &h); err != nil {
					t.Fatalf("hover result %s: %v", m.Result, err)
				}
				for _, w := range tt.want {
					if !strings.Contains(h.Contents.Value, w) {
						t.Errorf("hover lacks %q:\n%s", w, h.Contents.Value)
					}
				}
			})
		}
	})

	t.Run("definition", func(t *testing.T) {
		tests := []struct {
			name string
			at   map[string]int
			uri  string
			line int
		}{
			{name: "model in another file", at: pos(21, 24), uri: tagsURI, line: 4},
			{name: "alias in another file", at: pos(5, 14), uri: typesURI, line: 3},
			{name: "table of a foreign key", at: pos(17, 48), uri: blogURI, line: 3},
			{name: "column of a foreign key", at: pos(17, 54), uri: blogURI, line: 5},
			{name: "association table", at: pos(21, 39), uri: tagsURI, line: 13},
			{name: "back_populates relationship", at: pos(9, 46), uri: blogURI, line: 20},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var locs []lspLocation
				c.result("textDocument/definition", map[string]any{"textDocument": map[string]string{"uri": blogURI}, "position": tt.at}, &locs)
				if len(locs) != 1 || locs[0].URI != tt.uri || locs[0].Range.Start.Line != tt.line {
					t.Errorf("definition = %+v, want %s line %d", locs, tt.uri, tt.line)
				}
			})
		}
	})

	t.Run("references", func(t *testing.T) {
		tests := []struct {
			name string
			at   map[string]int
			decl bool
			want []string // uri:line
		}{
			{name: "model Post", at: pos(9, 23), decl: true, want: []string{blogURI + ":9", blogURI + ":11", tagsURI + ":10"}},
			{name: "alias intpk without its declaration", at: pos(5, 14), want: []string{blogURI + ":5", blogURI + ":14", tagsURI + ":7"}},
			{name: "column users.id", at: pos(17, 54), decl: true, want: []string{blogURI + ":5", blogURI + ":17"}},
			{name: "table posts", at: pos(12, 12), decl: true, want: []string{blogURI + ":12", tagsURI + ":15"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var locs []lspLocation
				c.result("textDocument/references", map[string]any{"textDocument": map[string]string{"uri": blogURI}, "position": tt.at,
					"context": map[string]bool{"includeDeclaration": tt.decl}}, &locs)
				var got []string
				for _, l := range locs {
					got = append(got, l.URI+":"+itoa(l.Range.Start.Line))
				}
				sort.Strings(got)
				want := append([]string(nil), tt.want...)
				sort.Strings(want)
				if !slices.Equal(got, want) {
					t.Errorf("references = %v, want %v", got, want)
				}
			})
		}
	})

	t.Run("rename", func(t *testing.T) {
		tests := []struct {
			name    string
			at      map[string]int
			newName string
			edits   map[string]int // edits per URI
			errText string
		}{
			{name: "model", at: pos(11, 3), newName: "Article", edits: map[string]int{blogURI: 2, tagsURI: 1}},
			{name: "alias from a reference", at: pos(5, 14), newName: "pk", edits: map[string]int{blogURI: 2, tagsURI: 1, typesURI: 1}},
			{name: "column refused", at: pos(17, 8), newName: "writer_id", errText: "only models, type aliases and traits"},
			{name: "invalid name refused", at: pos(11, 3), newName: "my article", errText: "invalid name"},
			{name: "existing model refused", at: pos(11, 3), newName: "User", errText: "already exists"},
			{name: "alias named like a builtin refused", at: pos(5, 14), newName: "text", errText: "builtin type"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				m := c.call("textDocument/rename", map[string]any{"textDocument": map[string]string{"uri": blogURI}, "position": tt.at, "newName": tt.newName})
				if tt.errText != "" {
					if m.Error == nil || !strings.Contains(m.Error.Message, tt.errText) {
						t.Fatalf("rename: %+v, want error %q", m, tt.errText)
					}
					return
				}
				if m.Error != nil {
					t.Fatalf("rename: %+v", m.Error)
				}
				var we struct {
					Changes map[string][]struct {
						NewText string `json:"newText"`
					} `json:"changes"`
				}
				if err := json.Unmarshal(m.Result, &we); err != nil {
					t.Fatal(err)
				}
				got := map[string]int{}
				for uri, es := range we.Changes {
					got[uri] = len(es)
					for _, e := range es {
						if e.NewText != tt.newName {
							t.Errorf("edit writes %q", e.NewText)
						}
					}
				}
				if !mapsEqual(got, tt.edits) {
					t.Errorf("rename edits per file %v, want %v", got, tt.edits)
				}
			})
		}
	})

	t.Run("code action", func(t *testing.T) {
		tests := []struct {
			name, from, to string
			code, message  string
			want           string // blog.yaml after applying the fix
		}{
			{name: "model name", from: "author: {target: User,", to: "author: {target: Usr,", code: "unknown-model", message: `"Usr"`, want: "author: {target: User,"},
			{name: "table part of table.column", from: "foreign_key: users.id}", to: "foreign_key: user.id}", code: "fk-missing-target", message: `table "user"`, want: "foreign_key: users.id}"},
			{name: "column part of table.column", from: "foreign_key: users.id}", to: "foreign_key: users.idd}", code: "fk-missing-target", message: `column "idd"`, want: "foreign_key: users.id}"},
			{name: "unknown key", from: "back_populates: posts}", to: "back_populate: posts}", code: "unknown-key", message: `"back_populate"`, want: "back_populates: posts}"},
			{name: "type", from: "content:   text", to: "content:   txet", code: "unknown-type", message: `"txet"`, want: "content:   text"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				broken := strings.Replace(original, tt.from, tt.to, 1)
				edit(broken)
				match := func(d lspDiag) bool { return d.Code == tt.code && strings.Contains(d.Message, tt.message) }
				ds := c.waitDiags(blogURI, func(ds []lspDiag) bool { return slices.ContainsFunc(ds, match) })
				d := ds[slices.IndexFunc(ds, match)]
				defer func() {
					edit(original)
					c.waitDiags(blogURI, func(ds []lspDiag) bool { return len(ds) == 0 })
				}()
				var actions []struct {
					Title string `json:"title"`
					Kind  string `json:"kind"`
					Edit  struct {
						Changes map[string][]struct {
							Range struct {
								Start struct{ Line, Character int } `json:"start"`
								End   struct{ Line, Character int } `json:"end"`
							} `json:"range"`
							NewText string `json:"newText"`
						} `json:"changes"`
					} `json:"edit"`
				}
				c.result("textDocument/codeAction", map[string]any{"textDocument": map[string]string{"uri": blogURI}, "range": d.Range,
					"context": map[string]any{"diagnostics": []lspDiag{d}}}, &actions)
				if len(actions) != 1 || actions[0].Kind != "quickfix" || len(actions[0].Edit.Changes[blogURI]) != 1 {
					t.Fatalf("code actions = %+v, want one quickfix editing blog.yaml", actions)
				}
				e := actions[0].Edit.Changes[blogURI][0]
				lines := strings.Split(broken, "\n")
				l := lines[e.Range.Start.Line]
				lines[e.Range.Start.Line] = l[:e.Range.Start.Character] + e.NewText + l[e.Range.End.Character:]
				if fixed := strings.Join(lines, "\n"); fixed != strings.Replace(broken, tt.to, tt.want, 1) {
					t.Errorf("after %q line %d reads %q, want it to contain %q", actions[0].Title, e.Range.Start.Line, lines[e.Range.Start.Line], tt.want)
				}
			})
		}
		edit(original)
		c.waitDiags(blogURI, func(ds []lspDiag) bool { return len(ds) == 0 })
	})

	// A new buffer, notes.yaml, declares a trait and a model using it; it
	// refers to users in blog.yaml (0-based lines):
	//  1   owned:
	//  2     use: [timestamps]
	//  4       owner_id: {type: integer, foreign_key: users.id, nullable: true}
	//  6       owner: {target: User}
	// 10     use: [owned, soft_delete]
	// 14       - {columns: [owner_id, deleted_at]}
	t.Run("traits", func(t *testing.T) {
		const notes = "traits:\n  owned:\n    use: [timestamps]\n    columns:\n" +
			"      owner_id: {type: integer, foreign_key: users.id, nullable: true}\n    relationships:\n      owner: {target: User}\n" +
			"models:\n  Note:\n    table: notes\n    use: [owned, soft_delete]\n    columns:\n      id: {type: integer, primary_key: true}\n" +
			"    indexes:\n      - {columns: [owner_id, deleted_at]}\n"
		notesURI := fileURI(filepath.Join(dir, "notes.yaml"))
		nv := 1
		c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": notesURI, "languageId": "yaml", "version": nv, "text": notes}})
		c.waitDiags(notesURI, func(ds []lspDiag) bool { return len(ds) == 0 })
		editNotes := func(text string) {
			nv++
			c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": notesURI, "version": nv},
				"contentChanges": []map[string]any{{"text": text}}})
		}
		doc := func(uri string) map[string]string { return map[string]string{"uri": uri} }

		t.Run("completion", func(t *testing.T) {
			tests := []struct {
				name, from, to string
				want, notWant  []string
			}{
				{name: "trait names in use:", from: "use: [owned, soft_delete]", to: "use: [owned, |]", want: []string{"soft_delete", "timestamps"}},
				{name: "declared trait half typed", from: "use: [owned, soft_delete]", to: "use: [ow|, soft_delete]", want: []string{"owned"}, notWant: []string{"timestamps"}},
				{name: "builtin trait options", from: "use: [owned, soft_delete]", to: "use: [owned, {soft_delete: {|}}]", want: []string{"column", "partial_unique"}},
				{name: "columns traits add", from: "columns: [owner_id, deleted_at]", to: "columns: [owner_id, |]", want: []string{"deleted_at", "created_at", "updated_at", "id"}},
				{name: "keys of a trait", from: "    use: [timestamps]\n", to: "    use: [timestamps]\n    |\n", want: []string{"indexes", "comment"}, notWant: []string{"table", "use", "columns"}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					src, at := cursor(t, strings.Replace(notes, tt.from, tt.to, 1))
					editNotes(src)
					var res completionResult
					c.result("textDocument/completion", map[string]any{"textDocument": doc(notesURI), "position": at}, &res)
					got := res.labels()
					for _, w := range tt.want {
						if !slices.Contains(got, w) {
							t.Errorf("completion lacks %q; got %v", w, got)
						}
					}
					for _, nw := range tt.notWant {
						if slices.Contains(got, nw) {
							t.Errorf("completion offers %q; got %v", nw, got)
						}
					}
				})
			}
			editNotes(notes)
			c.waitDiags(notesURI, func(ds []lspDiag) bool { return len(ds) == 0 })
		})

		t.Run("hover", func(t *testing.T) {
			tests := []struct {
				name string
				at   map[string]int
				want []string
			}{
				{name: "declared trait", at: pos(10, 12), want: []string{"**trait owned**", "uses: `timestamps`", "| owner_id | integer |", "`owner` → `User`", "used by: `Note`"}},
				{name: "builtin trait", at: pos(10, 20), want: []string{"soft_delete** (builtin)", "`Note` (`notes.deleted_at`)"}},
				{name: "column a builtin trait adds", at: pos(14, 31), want: []string{"notes.deleted_at", "`timestamp`"}},
				{name: "relationship through a trait's column", at: pos(6, 8), want: []string{"Note.owner", "many-to-one", "`notes.owner_id` = `users.id`"}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					var h struct {
						Contents struct{ Value string } `json:"contents"`
					}
					c.result("textDocument/hover", map[string]any{"textDocument": doc(notesURI), "position": tt.at}, &h)
					for _, w := range tt.want {
						if !strings.Contains(h.Contents.Value, w) {
							t.Errorf("hover lacks %q:\n%s", w, h.Contents.Value)
						}
					}
				})
			}
		})

		t.Run("definition and references", func(t *testing.T) {
			var locs []lspLocation
			c.result("textDocument/definition", map[string]any{"textDocument": doc(notesURI), "position": pos(10, 12)}, &locs)
			if len(locs) != 1 || locs[0].URI != notesURI || locs[0].Range.Start.Line != 1 || locs[0].Range.Start.Character != 2 {
				t.Errorf("definition of owned = %+v, want notes.yaml 1:2", locs)
			}
			c.result("textDocument/definition", map[string]any{"textDocument": doc(notesURI), "position": pos(14, 21)}, &locs)
			if len(locs) != 1 || locs[0].URI != notesURI || locs[0].Range.Start.Line != 4 {
				t.Errorf("definition of the trait column owner_id = %+v, want notes.yaml line 4", locs)
			}
			c.result("textDocument/references", map[string]any{"textDocument": doc(notesURI), "position": pos(1, 3),
				"context": map[string]bool{"includeDeclaration": true}}, &locs)
			var got []string
			for _, l := range locs {
				got = append(got, itoa(l.Range.Start.Line)+":"+itoa(l.Range.Start.Character))
			}
			if !slices.Equal(got, []string{"1:2", "10:10"}) {
				t.Errorf("references of owned = %v, want [1:2 10:10]", got)
			}
		})

		t.Run("rename", func(t *testing.T) {
			m := c.call("textDocument/rename", map[string]any{"textDocument": doc(notesURI), "position": pos(10, 12), "newName": "owners"})
			var we struct {
				Changes map[string][]struct {
					NewText string `json:"newText"`
				} `json:"changes"`
			}
			if m.Error != nil || json.Unmarshal(m.Result, &we) != nil || len(we.Changes) != 1 || len(we.Changes[notesURI]) != 2 {
				t.Errorf("rename owned: %+v %s, want 2 edits in notes.yaml", m.Error, m.Result)
			}
			if m := c.call("textDocument/rename", map[string]any{"textDocument": doc(notesURI), "position": pos(2, 14), "newName": "stamps"}); m.Error == nil || !strings.Contains(m.Error.Message, "builtin trait") {
				t.Errorf("rename of timestamps: %+v, want refused", m)
			}
		})

		t.Run("diagnostics and quick fix", func(t *testing.T) {
			broken := strings.Replace(notes, "use: [owned, soft_delete]", "use: [owend, soft_delete]", 1)
			editNotes(broken)
			ds := c.waitDiags(notesURI, func(ds []lspDiag) bool { return len(ds) > 0 })
			if ds[0].Code != "unknown-trait" || ds[0].Range.Start.Line != 10 || ds[0].Range.Start.Character != 10 || !strings.Contains(ds[0].Message, `did you mean "owned"?`) {
				t.Fatalf("diagnostics %+v, want unknown-trait at 10:10 with a did-you-mean", ds)
			}
			var actions []struct {
				Edit struct {
					Changes map[string][]struct {
						NewText string `json:"newText"`
					} `json:"changes"`
				} `json:"edit"`
			}
			c.result("textDocument/codeAction", map[string]any{"textDocument": doc(notesURI), "range": ds[0].Range,
				"context": map[string]any{"diagnostics": []lspDiag{ds[0]}}}, &actions)
			if len(actions) != 1 || len(actions[0].Edit.Changes[notesURI]) != 1 || actions[0].Edit.Changes[notesURI][0].NewText != "owned" {
				t.Errorf("code actions %+v, want one fix writing owned", actions)
			}
			editNotes(notes)
			c.waitDiags(notesURI, func(ds []lspDiag) bool { return len(ds) == 0 })
		})

		c.notify("textDocument/didClose", map[string]any{"textDocument": doc(notesURI)})
	})

	t.Run("unknown method", func(t *testing.T) {
		if m := c.call("textDocument/frobnicate", map[string]any{}); m.Error == nil || m.Error.Code != -32601 {
			t.Errorf("unknown method: %+v, want error -32601", m)
		}
		if m := c.call("textDocument/hover", "not an object"); m.Error == nil || m.Error.Code != -32602 {
			t.Errorf("bad params: %+v, want error -32602", m)
		}
	})

	t.Run("a file changed on disk is re-checked", func(t *testing.T) {
		tagsPath := filepath.Join(dir, "tags.yaml")
		tags, err := os.ReadFile(tagsPath)
		if err != nil {
			t.Fatal(err)
		}
		changed := func(src []byte) {
			if err := os.WriteFile(tagsPath, src, 0o644); err != nil {
				t.Fatal(err)
			}
			c.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []map[string]any{{"uri": tagsURI, "type": 2}}})
		}
		changed([]byte(strings.Replace(string(tags), "target: Post", "target: Pots", 1)))
		ds := c.waitDiags(tagsURI, func(ds []lspDiag) bool { return len(ds) > 0 })
		if ds[0].Code != "unknown-model" || ds[0].Range.Start.Line != 10 {
			t.Errorf("tags.yaml diagnostics %+v, want unknown-model on line 10", ds)
		}
		changed(tags)
		c.waitDiags(tagsURI, func(ds []lspDiag) bool { return len(ds) == 0 })
	})

	t.Run("close reverts to the file on disk", func(t *testing.T) {
		edit(strings.Replace(original, "content:   text", "content:   txt", 1))
		c.waitDiags(blogURI, func(ds []lspDiag) bool { return len(ds) == 1 })
		c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]string{"uri": blogURI}})
		c.waitDiags(blogURI, func(ds []lspDiag) bool { return len(ds) == 0 })
	})

	c.result("shutdown", nil, nil)
	c.notify("exit", nil)
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("dlayer lsp after shutdown and exit: %v (want exit status 0)", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// schemaDoc returns the documentation the JSON Schema gives the first
// property named prop (markdownDescription, else description, of the
// property or the definition it refers to), so that the tests follow the
// schema's wording.
func schemaDoc(t *testing.T, prop string) string {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(schemas.JSON, &root); err != nil {
		t.Fatal(err)
	}
	doc := func(n map[string]any) string {
		for _, k := range []string{"markdownDescription", "description"} {
			if s, ok := n[k].(string); ok && s != "" {
				return s
			}
		}
		if ref, ok := n["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, "#/definitions/")
			if d, ok := root["definitions"].(map[string]any)[name].(map[string]any); ok {
				for _, k := range []string{"markdownDescription", "description"} {
					if s, ok := d[k].(string); ok && s != "" {
						return s
					}
				}
			}
		}
		return ""
	}
	var walk func(v any) string
	walk = func(v any) string {
		switch x := v.(type) {
		case map[string]any:
			if props, ok := x["properties"].(map[string]any); ok {
				if p, ok := props[prop].(map[string]any); ok {
					if d := doc(p); d != "" {
						return d
					}
				}
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if d := walk(x[k]); d != "" {
					return d
				}
			}
		case []any:
			for _, e := range x {
				if d := walk(e); d != "" {
					return d
				}
			}
		}
		return ""
	}
	d := walk(root)
	if d == "" {
		t.Fatalf("the JSON Schema documents no property %q", prop)
	}
	return d
}

// TestLSPDiagnosticsMatchValidate checks that the language server reports
// exactly what the loader (dlayer validate) reports — every rule, message,
// hint and position — on every broken fixture of the loader's tests.
func TestLSPDiagnosticsMatchValidate(t *testing.T) {
	root := "../../loader/testdata/fixtures"
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	c := startLSP(t)
	var dirs, names []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, copySchemaDir(t, filepath.Join(root, e.Name())))
			names = append(names, e.Name())
		}
	}
	c.result("initialize", map[string]any{"processId": nil, "rootUri": nil, "capabilities": map[string]any{},
		"initializationOptions": map[string]any{"schemaDirs": dirs, "debounceMillis": 0}}, nil)
	c.notify("initialized", map[string]any{})
	for i, dir := range dirs {
		name := names[i]
		t.Run(name, func(t *testing.T) {
			// What `dlayer validate` prints when run in the directory.
			t.Chdir(dir)
			_, out, _ := runCLI(t, "validate", "--format", "json", ".")
			var want struct {
				Diagnostics []struct {
					Severity, Rule, Message, Detail, File string
					Line, Column                          int
				}
			}
			if err := json.Unmarshal([]byte(out), &want); err != nil || len(want.Diagnostics) == 0 {
				t.Fatalf("dlayer validate on fixture %s: %v\n%s", name, err, out)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
			// A request about a file (not opened) loads its directory from
			// disk, as validate does, and publishes its diagnostics.
			c.call("textDocument/hover", map[string]any{"textDocument": map[string]string{"uri": fileURI(files[0])}, "position": pos(0, 0)})
			byURI := map[string][]string{}
			for _, d := range want.Diagnostics {
				uri := fileURI(filepath.Join(dir, d.File))
				msg := d.Message
				if d.Detail != "" {
					msg += "\n" + d.Detail
				}
				sev := map[string]int{"error": 1, "warning": 2}[d.Severity]
				byURI[uri] = append(byURI[uri], itoa(d.Line-1)+":"+itoa(d.Column-1)+" "+itoa(sev)+" ["+d.Rule+"] "+msg)
			}
			for uri, w := range byURI {
				got := c.waitDiags(uri, func(ds []lspDiag) bool { return len(ds) == len(w) })
				var gs []string
				for _, d := range got {
					gs = append(gs, itoa(d.Range.Start.Line)+":"+itoa(d.Range.Start.Character)+" "+itoa(d.Severity)+" ["+d.Code+"] "+d.Message)
				}
				sort.Strings(gs)
				sort.Strings(w)
				if strings.Join(gs, "\n") != strings.Join(w, "\n") {
					t.Errorf("%s:\n lsp:\n%s\n validate:\n%s", uri, strings.Join(gs, "\n"), strings.Join(w, "\n"))
				}
			}
		})
	}
	c.result("shutdown", nil, nil)
	c.notify("exit", nil)
}

func TestLSPCommand(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "help", args: []string{"lsp", "--help"}, code: exitOK, stdout: "Usage: dlayer lsp"},
		{name: "no arguments taken", args: []string{"lsp", "models"}, code: exitUsage, stderr: "takes no arguments"},
		{name: "stream closed without shutdown", args: []string{"lsp", "--stdio"}, code: exitFail},
		{name: "listed", args: []string{"help"}, code: exitOK, stdout: "lsp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
		})
	}
}
