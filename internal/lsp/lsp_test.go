package lsp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// testServer returns a server with one workspace over dir whose files are
// the given open buffers; its notifications are discarded.
func testServer(t testing.TB, files map[string]string) (*Server, *workspace) {
	t.Helper()
	dir := t.TempDir()
	s := &Server{conn: newConn(strings.NewReader(""), io.Discard), opts: Options{Log: io.Discard}, debounce: time.Hour,
		workspaces: map[string]*workspace{}, docs: map[string]*document{}}
	w := &workspace{root: dir, srv: s, overlay: map[string]string{}}
	s.workspaces[dir] = w
	for name, src := range files {
		w.overlay[name] = src
		p := filepath.Join(dir, name)
		s.docs[p] = &document{uri: pathToURI(p), path: p, text: src, ws: w, rel: name}
	}
	w.dirty = true
	return s, w
}

// at splits a document holding one "|" into its text and the cursor.
func at(t testing.TB, doc string) (string, position) {
	t.Helper()
	i := strings.Index(doc, "|")
	if i < 0 {
		t.Fatalf("no cursor in %q", doc)
	}
	pre := doc[:i]
	return pre + doc[i+1:], position{Line: strings.Count(pre, "\n"), Character: len(pre) - strings.LastIndex(pre, "\n") - 1}
}

func TestAnalyze(t *testing.T) {
	tests := []struct {
		name      string
		doc       string
		mode      ctxMode
		container string
		key       string
		prefix    string
		siblings  []string
	}{
		{name: "block key", doc: "models:\n  User:\n    tab|", mode: modeKey, container: "models/User", prefix: "tab"},
		{name: "block key on a blank line", doc: "models:\n  User:\n    table: users\n    |\n", mode: modeKey, container: "models/User", siblings: []string{"table"}},
		{name: "block value", doc: "models:\n  User:\n    relationships:\n      posts:\n        lazy: sel|", mode: modeValue, container: "models/User/relationships/posts", key: "lazy", prefix: "sel"},
		{name: "flow value", doc: "models:\n  User:\n    relationships:\n      posts: {target: Post, lazy: |}", mode: modeValue, container: "models/User/relationships/posts", key: "lazy", siblings: []string{"target"}},
		{name: "flow value unclosed", doc: "models:\n  U:\n    relationships:\n      p: {target: P|", mode: modeValue, container: "models/U/relationships/p", key: "target", prefix: "P"},
		{name: "flow key", doc: "models:\n  U:\n    relationships:\n      p: {target: P, la|", mode: modeKey, container: "models/U/relationships/p", prefix: "la", siblings: []string{"target"}},
		{name: "flow list item", doc: "models:\n  U:\n    relationships:\n      p: {cascade: [all, de|", mode: modeItem, container: "models/U/relationships/p/cascade", prefix: "de"},
		{name: "list item map in flow", doc: "models:\n  U:\n    indexes:\n      - {columns: [a, |", mode: modeItem, container: "models/U/indexes/[]/columns"},
		{name: "block list item key", doc: "models:\n  U:\n    indexes:\n      - columns: [a]\n        uni|", mode: modeKey, container: "models/U/indexes/[]", prefix: "uni", siblings: []string{"columns"}},
		{name: "block list item", doc: "models:\n  U:\n    primary_key:\n      - i|", mode: modeItem, container: "models/U/primary_key", prefix: "i"},
		{name: "quoted value", doc: "types:\n  a:\n    type: \"str|", mode: modeValue, container: "types/a", key: "type", prefix: "str"},
		{name: "comments are skipped", doc: "models:\n  # a comment\n  U:\n    # another\n    columns:\n      id: |", mode: modeValue, container: "models/U/columns", key: "id"},
		{name: "in a comment", doc: "models:\n  U: # the us|", mode: modeNone},
		{name: "after a closed flow map", doc: "models:\n  U:\n    relationships:\n      p: {target: P} |", mode: modeNone},
		{name: "second document", doc: "models:\n  A:\n    table: a\n---\ntypes:\n  |", mode: modeKey, container: "types"},
		{name: "top level", doc: "mod|", mode: modeKey, prefix: "mod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, p := at(t, tt.doc)
			ctx := analyze(newText(src), p)
			if ctx.mode != tt.mode || ctx.mode != modeNone && (strings.Join(ctx.container, "/") != tt.container || ctx.key != tt.key || ctx.prefix != tt.prefix) {
				t.Fatalf("analyze = mode %d container %q key %q prefix %q, want mode %d container %q key %q prefix %q",
					ctx.mode, strings.Join(ctx.container, "/"), ctx.key, ctx.prefix, tt.mode, tt.container, tt.key, tt.prefix)
			}
			for _, s := range tt.siblings {
				if _, ok := ctx.siblings[s]; !ok {
					t.Errorf("siblings %v lack %q", ctx.siblings, s)
				}
			}
		})
	}
}

const blogFile = `models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      email: {type: string, length: 100, unique: true}
    relationships:
      posts: {target: Post, back_populates: author, lazy: selectin}
  Post:
    table: posts
    columns:
      id: {type: integer, primary_key: true}
      author_id: {type: integer, foreign_key: users.id, nullable: true}
      body: {type: text, server_default: "x"}
    relationships:
      author: {target: User, back_populates: posts}
`

// TestHoverText checks the resolved column and relationship a hover shows.
func TestHoverText(t *testing.T) {
	s, w := testServer(t, map[string]string{"a.yaml": blogFile})
	snap := w.current()
	f := snap.files["a.yaml"]
	tests := []struct {
		name string
		at   position
		want []string
	}{
		{name: "nullable foreign key column", at: position{Line: 12, Character: 8}, want: []string{"posts.author_id", "`integer`", "NULL", "users.id", "foreign key `"}},
		{name: "column default", at: position{Line: 13, Character: 7}, want: []string{"`text`", "server_default: `x`"}},
		{name: "many-to-one", at: position{Line: 15, Character: 8}, want: []string{"Post.author", "many-to-one", "(one object)", "`posts.author_id` = `users.id`", "foreign key on this model's table", "foreign key `fk_posts_author_id_users`: posts.(author_id) → users.id", "lazy: select"}},
		{name: "one-to-many selectin", at: position{Line: 7, Character: 8}, want: []string{"one-to-many", "(a list)", "lazy: selectin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := s.hoverAt(snap, f, tt.at)
			if h == nil {
				t.Fatal("no hover")
			}
			for _, w := range tt.want {
				if !strings.Contains(h.Contents.Value, w) {
					t.Errorf("hover lacks %q:\n%s", w, h.Contents.Value)
				}
			}
		})
	}
}

func TestFixSpan(t *testing.T) {
	tests := []struct{ old, sugg, want string }{
		{"user.id", "users", "users.id"},
		{"users.idd", "id", "users.id"},
		{"strng", "string", "string"},
		{`"Usr"`, "User", `"User"`},
		{"creatd desc", "created", "created desc"},
	}
	for _, tt := range tests {
		i, j := fixSpan(tt.old, tt.sugg)
		if got := tt.old[:i] + tt.sugg + tt.old[j:]; got != tt.want {
			t.Errorf("fix %q with %q = %q, want %q", tt.old, tt.sugg, got, tt.want)
		}
	}
}

// TestJSONRPC checks the transport on malformed input: a parse error is
// answered with code -32700 and the server goes on; a broken header ends
// it; exit without shutdown is ErrNoShutdown.
func TestJSONRPC(t *testing.T) {
	frame := func(body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body) }
	tests := []struct {
		name    string
		in      string
		want    []string // substrings of the output
		wantErr error
	}{
		{name: "parse error then clean exit",
			in: frame(`{not json`) + frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`) +
				frame(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`) + frame(`{"jsonrpc":"2.0","method":"exit"}`),
			want: []string{`"code":-32700`, `"id":1,"result":{"capabilities"`, `"id":2,"result":null`}},
		{name: "exit without shutdown", in: frame(`{"jsonrpc":"2.0","method":"exit"}`), wantErr: ErrNoShutdown},
		{name: "file watchers registered when the client can",
			in: frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{"workspace":{"didChangeWatchedFiles":{"dynamicRegistration":true}}}}}`) +
				frame(`{"jsonrpc":"2.0","method":"initialized","params":{}}`),
			want: []string{`"method":"client/registerCapability"`, `"globPattern":"**/*.{yaml,yml}"`}, wantErr: ErrNoShutdown},
		{name: "end of stream", in: "", wantErr: ErrNoShutdown},
		{name: "bad header", in: "Content-Length: x\r\n\r\n{}", wantErr: errFraming},
		{name: "huge message refused", in: "Content-Length: 999999999999\r\n\r\n", wantErr: errFraming},
		{name: "string id and unknown method", in: frame(`{"jsonrpc":"2.0","id":"a","method":"initialize"}`) + frame(`{"jsonrpc":"2.0","id":"b","method":"nope"}`),
			want: []string{`"id":"b","error":{"code":-32601`}, wantErr: ErrNoShutdown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Serve(context.Background(), strings.NewReader(tt.in), &out, Options{})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Serve = %v, want %v", err, tt.wantErr)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %s:\n%s", w, out.String())
				}
			}
		})
	}
}

// FuzzEdit checks that no text and no cursor position makes completion,
// hover, definition, references, rename or indexing fail: the editor sends
// every half-typed state of a file.
func FuzzEdit(f *testing.F) {
	seeds, _ := filepath.Glob("../../examples/*/models/*.yaml")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(string(b), uint16(len(b)/2))
		}
	}
	f.Add(blogFile, uint16(300))
	f.Add("models:\n  U:\n    relationships:\n      p: {target: [{\"x", uint16(40))
	f.Add("- - - {a: [b, {c: ", uint16(12))
	f.Add(traitsFile+notesFile, uint16(200))
	f.Add("traits:\n  a: {use: [a, {b: 1, c: 2}, {}, [x]], columns: [1], indexes: {x: y}}\nmodels:\n  M: {table: m, use: owned}\n", uint16(30))
	f.Fuzz(func(t *testing.T, src string, off uint16) {
		if len(src) > 1<<14 {
			return
		}
		s, w := testServer(t, map[string]string{"a.yaml": src})
		snap := w.current()
		fi := snap.files["a.yaml"]
		if fi == nil {
			fi = indexFile("a.yaml", src, snap.sch)
		}
		p := fi.text.pos(int(off) % (len(src) + 1))
		for _, it := range s.complete(snap, fi.text, p) {
			r := it.TextEdit.Range
			if r.Start.Line != p.Line || r.End.Line != p.Line || r.Start.Character > p.Character || r.End.Character < p.Character {
				t.Fatalf("completion %q edits %+v, not a range of the cursor's line around the cursor %+v", it.Label, r, p)
			}
		}
		s.hoverAt(snap, fi, p)
		s.definition(snap, fi, p)
		s.references(snap, fi, p, true)
		s.rename(snap, fi, p, "Renamed")
	})
}

// TestWorkspaceFor checks which directory a file is loaded with.
func TestWorkspaceFor(t *testing.T) {
	root := t.TempDir()
	write := func(rel, src string) string {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	types := write("app/models/types.yaml", "types:\n  pk: {type: integer, primary_key: true}\n")
	nested := write("app/models/shop/orders.yaml", "models:\n  Order:\n    table: orders\n    columns: {id: pk}\n")
	loose := write("app/compose.yaml", "services: {}\n")
	write("app/other.yaml", "also: not a schema\n")
	configured := write("cfg/sub/a.yaml", "tables: {}\n")
	tests := []struct {
		name   string
		file   string
		dirs   []string
		root   string
		single bool
	}{
		{name: "directory of schema files", file: types, root: "app/models"},
		{name: "sub-directory joins its parent schema", file: nested, root: "app/models"},
		{name: "a YAML file outside schema directories is loaded alone", file: loose, root: "app", single: true},
		{name: "configured schema directory", file: configured, dirs: []string{filepath.Join(root, "cfg")}, root: "cfg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{conn: newConn(strings.NewReader(""), io.Discard), opts: Options{Log: io.Discard}, debounce: time.Hour,
				workspaces: map[string]*workspace{}, docs: map[string]*document{}, root: root, schemaDirs: tt.dirs}
			w := s.workspaceFor(tt.file)
			if w.root != filepath.Join(root, filepath.FromSlash(tt.root)) || w.single != tt.single {
				t.Fatalf("workspace %s (single %v), want %s (single %v)", w.root, w.single, tt.root, tt.single)
			}
			snap := w.current()
			rel, _ := w.rel(tt.file)
			if tt.single {
				if len(snap.names) != 0 {
					t.Errorf("a lone file's workspace loaded %v from disk", snap.names)
				}
				return
			}
			if !slices.Contains(snap.names, rel) {
				t.Errorf("load of %s holds %v, not %s", w.root, snap.names, rel)
			}
		})
	}
}

// TestSchemaDocs checks that documentation is read generically from the
// JSON Schema keywords editors use, so richer descriptions in the schema
// reach completions and hovers unchanged.
func TestSchemaDocs(t *testing.T) {
	node := jnode{
		"type": "object",
		"properties": jnode{
			"lazy": jnode{
				"description":              "plain",
				"markdownDescription":      "**markdown**",
				"enum":                     []any{"select", "joined"},
				"enumDescriptions":         []any{"one query per parent", "a join"},
				"markdownEnumDescriptions": []any{"*one query* per parent", "*a join*"},
			},
			"kind": jnode{"anyOf": []any{
				jnode{"enum": []any{"a"}, "enumDescriptions": []any{"the a"}},
				jnode{"const": "b", "description": "the b"},
			}},
			"flag": jnode{"type": "boolean", "description": "a flag"},
		},
	}
	props := properties([]jnode{node})
	if i := slices.IndexFunc(props, func(p propDoc) bool { return p.name == "lazy" }); i < 0 || props[i].doc != "**markdown**" {
		t.Errorf("properties = %+v, want lazy documented by its markdownDescription", props)
	}
	tests := []struct {
		prop string
		want []enumValue
	}{
		{"lazy", []enumValue{{"select", "*one query* per parent"}, {"joined", "*a join*"}}},
		{"kind", []enumValue{{"a", "the a"}, {"b", "the b"}}},
		{"flag", []enumValue{{"true", ""}, {"false", ""}}},
	}
	for _, tt := range tests {
		got := enumValues(expand(node, stepInto(node, tt.prop)[0], 0), false)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: enum values %+v, want %+v", tt.prop, got, tt.want)
		}
	}
	// The real schema: every enum value of lazy completes.
	var got []string
	for _, v := range enumValues(schemaAt([]string{"models", "M", "relationships", "r", "lazy"}), false) {
		got = append(got, v.value)
	}
	if !slices.Equal(got, []string{"select", "selectin", "joined", "raise", "write_only", "noload"}) {
		t.Errorf("lazy values from the JSON Schema = %v", got)
	}
}

// TestComplete checks the names offered in each place a name goes, in
// block and flow style, with blogFile (users, posts) loaded beside the
// edited file.
func TestComplete(t *testing.T) {
	const model = "models:\n  Comment:\n    table: comments\n    columns:\n      id: {type: integer, primary_key: true}\n      post_id: {type: integer, foreign_key: posts.id}\n      body: text\n"
	tests := []struct {
		name    string
		doc     string
		want    []string
		notWant []string
	}{
		{name: "relationship keys (block, new relationship)", doc: model + "    relationships:\n      post:\n        |\n", want: []string{"target", "lazy", "back_populates"}},
		{name: "model keys (block, new model)", doc: "models:\n  Comment:\n    |\n", want: []string{"table", "columns", "relationships"}},
		{name: "file keys", doc: "|\n", want: []string{"models", "tables", "types"}},
		{name: "foreign_key map: table", doc: model + "      editor_id:\n        type: integer\n        foreign_key:\n          table: |\n", want: []string{"users", "posts", "comments"}},
		{name: "foreign_key map: column of its table", doc: model + "      editor_id:\n        type: integer\n        foreign_key:\n          table: users\n          column: |\n", want: []string{"id", "email"}, notWant: []string{"author_id"}},
		{name: "foreign_key map: on_delete values", doc: model + "      editor_id: {type: integer, foreign_key: {table: users, column: id, on_delete: |", want: []string{"cascade", "set null", "restrict"}},
		{name: "index columns (block list)", doc: model + "    indexes:\n      - columns:\n          - |\n", want: []string{"id", "post_id", "body"}},
		{name: "unique list of lists", doc: model + "    unique:\n      - [post_id, |]\n", want: []string{"body"}},
		{name: "primary_key list", doc: model + "    primary_key: [|]\n", want: []string{"id", "post_id"}},
		{name: "version_column", doc: model + "    version_column: |\n", want: []string{"id", "body"}},
		{name: "order_by columns of the target", doc: model + "    relationships:\n      post: {target: Post, order_by: |}\n", want: []string{"author_id", "body"}, notWant: []string{"post_id"}},
		{name: "back_populates only pointing back", doc: model + "    relationships:\n      author: {target: User, back_populates: |}\n", notWant: []string{"posts"}},
		{name: "items of an array", doc: model + "      tags: {type: array, items: |}\n", want: []string{"text", "integer"}, notWant: []string{"intpk"}},
		{name: "an alias does not complete to itself", doc: "types:\n  short: {type: string, length: 20}\n  code: {type: |}\n", want: []string{"short", "string"}, notWant: []string{"code"}},
		{name: "boolean values", doc: model + "      note: {type: text, nullable: |}\n", want: []string{"true", "false"}},
		{name: "references in a table foreign key", doc: model + "    foreign_keys:\n      - {columns: [post_id], references: {table: posts, columns: [|]}}\n", want: []string{"id", "author_id"}},
		{name: "nothing after a closed flow map", doc: model + "    relationships:\n      post: {target: Post} |\n"},
		{name: "use: flow list offers builtin and declared traits", doc: "traits:\n  owned:\n    use: [soft_delete]\n    columns: {owner_id: {type: integer, nullable: true}}\nmodels:\n  Note:\n    table: notes\n    use: [|]\n    columns: {id: {type: integer, primary_key: true}}\n", want: []string{"timestamps", "soft_delete", "owned"}},
		{name: "use: block list, half typed", doc: "traits:\n  owned:\n    use: [soft_delete]\n    columns: {owner_id: {type: integer, nullable: true}}\nmodels:\n  Note:\n    table: notes\n    columns: {id: {type: integer, primary_key: true}}\n    use:\n      - ow|\n", want: []string{"owned"}, notWant: []string{"timestamps"}},
		{name: "use: in a trait does not offer the trait itself", doc: "traits:\n  owned:\n    use: [|]\n  other: {}\n", want: []string{"timestamps", "other"}, notWant: []string{"owned"}},
		{name: "builtin trait options (flow)", doc: "models:\n  Note:\n    table: notes\n    use: [{timestamps: {|}}]\n", want: []string{"created", "updated", "set_by", "timezone"}, notWant: []string{"column"}},
		{name: "builtin trait options (block)", doc: "models:\n  Note:\n    table: notes\n    use:\n      - soft_delete:\n          |\n", want: []string{"column", "timezone", "partial_unique"}, notWant: []string{"set_by"}},
		{name: "builtin trait option values", doc: "models:\n  Note:\n    table: notes\n    use: [{timestamps: {set_by: |}}]\n", want: []string{"orm", "database", "both"}},
		{name: "keys of a trait definition", doc: "traits:\n  owned:\n    |\n", want: []string{"columns", "indexes", "relationships", "use", "comment"}, notWant: []string{"table"}},
		{name: "column keys in a trait", doc: "traits:\n  owned:\n    columns:\n      owner_id: {type: integer, |}\n", want: []string{"foreign_key", "nullable"}},
		{name: "foreign_key in a trait's column", doc: "traits:\n  owned:\n    columns:\n      owner_id: {type: integer, foreign_key: |}\n", want: []string{"users.id", "posts.id"}},
		{name: "index columns in a trait: its own and its traits'", doc: "traits:\n  owned:\n    use: [soft_delete]\n    columns: {owner_id: {type: integer, nullable: true}}\n    indexes:\n      - {columns: [|]}\n", want: []string{"owner_id", "deleted_at"}, notWant: []string{"id", "body"}},
		{name: "relationship target in a trait", doc: "traits:\n  owned:\n    relationships:\n      owner: {target: |}\n", want: []string{"User", "Post"}},
		{name: "columns traits add, in the model's index", doc: "traits:\n  owned:\n    use: [soft_delete]\n    columns: {owner_id: {type: integer, nullable: true}}\nmodels:\n  Note:\n    table: notes\n    use: [owned, timestamps]\n    columns: {id: {type: integer, primary_key: true}}\n    indexes:\n      - {columns: [|]}\n", want: []string{"id", "owner_id", "deleted_at", "created_at", "updated_at"}},
		{name: "foreign_key to a unique column a trait adds", doc: "traits:\n  keyed:\n    columns: {uid: {type: string, length: 36, unique: true}}\nmodels:\n  Note:\n    table: notes\n    use: [keyed]\n    columns:\n      id: {type: integer, primary_key: true}\n      parent: {type: string, length: 36, foreign_key: |}\n", want: []string{"notes.uid", "notes.id"}},
		{name: "order_by through a column a trait adds to the target", doc: "traits:\n  owned:\n    use: [soft_delete]\n    columns: {owner_id: {type: integer, nullable: true}}\nmodels:\n  Note:\n    table: notes\n    use: [owned]\n    columns: {id: {type: integer, primary_key: true}}\n    relationships:\n      owner_notes: {target: Note, order_by: |}\n", want: []string{"deleted_at", "owner_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, p := at(t, tt.doc)
			s, w := testServer(t, map[string]string{"a.yaml": blogFile + "types:\n  intpk: {type: integer, primary_key: true}\n", "b.yaml": src})
			var got []string
			for _, it := range s.complete(w.current(), newText(src), p) {
				got = append(got, it.Label)
			}
			for _, want := range tt.want {
				if !slices.Contains(got, want) {
					t.Errorf("completion lacks %q: %v", want, got)
				}
			}
			for _, nw := range tt.notWant {
				if slices.Contains(got, nw) {
					t.Errorf("completion offers %q: %v", nw, got)
				}
			}
			if tt.want == nil && tt.notWant == nil && len(got) > 0 {
				t.Errorf("completion offers %v, want nothing", got)
			}
		})
	}
}

// TestRenameRefusedWhileAFileIsBroken: a file that does not parse has no
// index, so a rename would miss its references; it is refused instead.
func TestRenameRefusedWhileAFileIsBroken(t *testing.T) {
	s, w := testServer(t, map[string]string{"a.yaml": blogFile, "b.yaml": "models:\n  X: {table: x, columns: {id: integer}, relationships: {u: {target: User"})
	snap := w.current()
	_, err := s.rename(snap, snap.files["a.yaml"], position{Line: 1, Character: 3}, "Person")
	if err == nil || !strings.Contains(err.Error(), "b.yaml is not valid YAML") {
		t.Fatalf("rename = %v, want it refused while b.yaml is broken", err)
	}
	s, w = testServer(t, map[string]string{"a.yaml": blogFile})
	snap = w.current()
	edit, err := s.rename(snap, snap.files["a.yaml"], position{Line: 1, Character: 3}, "Person")
	if err != nil || len(edit.Changes) != 1 {
		t.Fatalf("rename = %+v, %v", edit, err)
	}
	for _, es := range edit.Changes {
		if len(es) != 2 { // the model and Post.author's target
			t.Errorf("rename edits %+v, want 2", es)
		}
	}
}

// traitsFile declares traits; notesFile holds models using them (blogFile
// has users and posts).
const traitsFile = `traits:
  owned:
    comment: who owns a row
    use: [timestamps]
    columns:
      owner_id: {type: integer, foreign_key: users.id, nullable: true}
      uid: {type: string, length: 36, unique: true}
    indexes:
      - {columns: [owner_id]}
    relationships:
      owner: {target: User}
`

const notesFile = `models:
  Note:
    table: notes
    use: [owned, soft_delete]
    columns:
      id: {type: integer, primary_key: true}
      body: text
    indexes:
      - {columns: [owner_id, deleted_at]}
  Memo:
    table: memos
    use:
      - owned
      - {soft_delete: {column: removed_at}}
    columns:
      id: {type: integer, primary_key: true}
`

func base(uri string) string {
	p, _ := uriToPath(uri)
	return p
}

// find returns the position of the n-th (0-based) occurrence of needle in
// src, plus off characters.
func find(t testing.TB, src, needle string, n, off int) position {
	t.Helper()
	i := -1
	for k := 0; k <= n; k++ {
		j := strings.Index(src[i+1:], needle)
		if j < 0 {
			t.Fatalf("%q occurs fewer than %d times", needle, n+1)
		}
		i += 1 + j
	}
	pre := src[:i]
	return position{Line: strings.Count(pre, "\n"), Character: len(pre) - strings.LastIndex(pre, "\n") - 1 + off}
}

// TestTraits checks hover, definition, references and rename of trait
// names and of the columns and relationships traits add, across files.
func TestTraits(t *testing.T) {
	s, w := testServer(t, map[string]string{"a.yaml": blogFile, "t.yaml": traitsFile, "n.yaml": notesFile})
	snap := w.current()
	if len(snap.diags) > 0 {
		t.Fatalf("fixture has diagnostics: %v", snap.diags)
	}
	files := map[string]string{"t.yaml": traitsFile, "n.yaml": notesFile}

	t.Run("hover", func(t *testing.T) {
		tests := []struct {
			name   string
			file   string
			at     position
			want   []string
			absent []string
		}{
			{name: "declared trait in use:", file: "n.yaml", at: find(t, notesFile, "owned", 0, 2),
				want: []string{"**trait owned**", "who owns a row", "uses: `timestamps`", "| owner_id | integer | NULL", "| uid | string(36) |", "adds an index on (owner_id)", "`owner` → `User`", "used by: `Memo`, `Note`"}},
			{name: "declared trait at its definition", file: "t.yaml", at: find(t, traitsFile, "owned", 0, 1), want: []string{"**trait owned**", "owner_id"}},
			{name: "builtin soft_delete with each model's column", file: "n.yaml", at: find(t, notesFile, "soft_delete", 0, 3),
				want: []string{"soft_delete** (builtin)", "deleted_at", "`Note` (`notes.deleted_at`)", "`Memo` (`memos.removed_at`)"}},
			{name: "builtin soft_delete with options", file: "n.yaml", at: find(t, notesFile, "soft_delete", 1, 3), want: []string{"soft_delete** (builtin)"}},
			{name: "builtin timestamps, used through a trait", file: "t.yaml", at: find(t, traitsFile, "timestamps", 0, 1), want: []string{"timestamps** (builtin)", "created_at", "used by: `Memo`, `Note`"}},
			{name: "column a trait adds, in the model's index", file: "n.yaml", at: find(t, notesFile, "owner_id", 0, 1), want: []string{"notes.owner_id", "`integer`", "users.id"}},
			{name: "column a builtin trait adds", file: "n.yaml", at: find(t, notesFile, "deleted_at", 0, 1), want: []string{"notes.deleted_at", "`timestamp`", "NULL"}},
			{name: "relationship a trait adds, through the trait's column", file: "t.yaml", at: find(t, traitsFile, "owner:", 0, 1),
				want: []string{"many-to-one", "`memos.owner_id` = `users.id`"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := s.hoverAt(snap, snap.files[tt.file], tt.at)
				if h == nil {
					t.Fatal("no hover")
				}
				for _, want := range tt.want {
					if !strings.Contains(h.Contents.Value, want) {
						t.Errorf("hover lacks %q:\n%s", want, h.Contents.Value)
					}
				}
			})
		}
	})

	loc := func(l location) string {
		return fmt.Sprintf("%s:%d:%d", filepath.Base(base(l.URI)), l.Range.Start.Line, l.Range.Start.Character)
	}
	at := func(file, needle string, n, off int) string {
		p := find(t, files[file], needle, n, off)
		return fmt.Sprintf("%s:%d:%d", file, p.Line, p.Character)
	}

	t.Run("definition", func(t *testing.T) {
		tests := []struct {
			name string
			file string
			at   position
			want []string
		}{
			{name: "trait in use: goes to traits:", file: "n.yaml", at: find(t, notesFile, "owned", 1, 1), want: []string{at("t.yaml", "owned", 0, 0)}},
			{name: "column a trait adds goes to the trait's column", file: "n.yaml", at: find(t, notesFile, "owner_id", 0, 1), want: []string{at("t.yaml", "owner_id", 0, 0)}},
			{name: "builtin trait has no definition", file: "n.yaml", at: find(t, notesFile, "soft_delete", 0, 1)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var got []string
				for _, l := range s.definition(snap, snap.files[tt.file], tt.at) {
					got = append(got, loc(l))
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("definition = %v, want %v", got, tt.want)
				}
			})
		}
	})

	t.Run("references", func(t *testing.T) {
		got := []string{}
		for _, l := range s.references(snap, snap.files["t.yaml"], find(t, traitsFile, "owned", 0, 1), true) {
			got = append(got, loc(l))
		}
		want := []string{at("n.yaml", "owned", 0, 0), at("n.yaml", "owned", 1, 0), at("t.yaml", "owned", 0, 0)}
		if !slices.Equal(got, want) {
			t.Errorf("references of owned = %v, want %v", got, want)
		}
	})

	t.Run("rename", func(t *testing.T) {
		tests := []struct {
			name    string
			file    string
			at      position
			newName string
			edits   map[string]int
			errText string
		}{
			{name: "declared trait from a use:", file: "n.yaml", at: find(t, notesFile, "owned", 0, 1), newName: "owners", edits: map[string]int{"t.yaml": 1, "n.yaml": 2}},
			{name: "builtin trait refused", file: "n.yaml", at: find(t, notesFile, "soft_delete", 0, 1), newName: "gone", errText: "builtin trait"},
			{name: "to a builtin's name refused", file: "t.yaml", at: find(t, traitsFile, "owned", 0, 1), newName: "timestamps", errText: "may not shadow"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				edit, err := s.rename(snap, snap.files[tt.file], tt.at, tt.newName)
				if tt.errText != "" {
					if err == nil || !strings.Contains(err.Error(), tt.errText) {
						t.Fatalf("rename = %v, want error %q", err, tt.errText)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]int{}
				for uri, es := range edit.Changes {
					for _, e := range es {
						if e.NewText != tt.newName {
							t.Errorf("edit %+v", e)
						}
					}
					got[filepath.Base(base(uri))] = len(es)
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.edits) {
					t.Errorf("rename edits %v, want %v", got, tt.edits)
				}
			})
		}
	})
}

// TestTraitDiagnostics: the loader's trait rules reach the editor at the
// place they are about, in the file that holds it.
func TestTraitDiagnostics(t *testing.T) {
	tests := []struct {
		name     string
		from, to string // replaced in traitsFile + notesFile (t.yaml, n.yaml)
		file     string
		code     string
		at       string // the diagnostic starts at this text of file…
		n        int    // …its n-th occurrence
		message  string
	}{
		{name: "unknown trait", from: "use: [owned, soft_delete]", to: "use: [owend, soft_delete]", file: "n.yaml", code: "unknown-trait", at: "owend", message: `did you mean "owned"?`},
		{name: "unknown trait in a block list", from: "      - owned\n", to: "      - timestamp\n", file: "n.yaml", code: "unknown-trait", at: "timestamp", message: `did you mean "timestamps"?`},
		{name: "clash points at the use: entry", from: "      body: text\n", to: "      body: text\n      uid: text\n", file: "n.yaml", code: "trait-clash", at: "owned", message: `trait owned adds column "uid" to model Note, which the model already defines at n.yaml:8:7`},
		{name: "trait shadowing a builtin", from: "traits:\n", to: "traits:\n  soft_delete: {}\n", file: "t.yaml", code: "duplicate-trait", at: "soft_delete"},
		{name: "trait cycle", from: "use: [timestamps]", to: "use: [timestamps, owned]", file: "t.yaml", code: "trait-cycle", at: "owned", n: 1},
		{name: "options on a declared trait", from: "      - owned\n", to: "      - {owned: {column: x}}\n", file: "n.yaml", code: "invalid-trait", at: "owned", n: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"t.yaml": traitsFile, "n.yaml": notesFile}
			changed := false
			for f, src := range files {
				if strings.Contains(src, tt.from) {
					files[f], changed = strings.Replace(src, tt.from, tt.to, 1), true
					break
				}
			}
			if !changed {
				t.Fatalf("no file holds %q", tt.from)
			}
			_, w := testServer(t, map[string]string{"a.yaml": blogFile, "t.yaml": files["t.yaml"], "n.yaml": files["n.yaml"]})
			snap := w.current()
			var got []string
			for _, d := range snap.diags {
				got = append(got, d.Rule+"@"+d.Subject.File)
				if d.Rule != tt.code || d.Subject.File != tt.file {
					continue
				}
				ld := toLSPDiagnostic(d, snap.files[tt.file].text)
				want := find(t, files[tt.file], tt.at, tt.n, 0)
				if ld.Range.Start != want {
					t.Errorf("%s at %+v, want %+v (%q)", tt.code, ld.Range.Start, want, tt.at)
				}
				if !strings.Contains(ld.Message, tt.message) || ld.Severity != 1 || ld.Source != "dlayer" {
					t.Errorf("diagnostic %+v, want an error containing %q", ld, tt.message)
				}
				return
			}
			t.Fatalf("no %s diagnostic in %s; got %v", tt.code, tt.file, got)
		})
	}
}
