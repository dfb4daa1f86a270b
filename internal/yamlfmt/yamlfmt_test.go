package yamlfmt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/dlayer/dlayer/loader"
)

func TestFormatLayout(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{
			name: "key order, flow when it fits, aligned columns",
			in: `# yaml-language-server: $schema=../schemas/dlayer.schema.json
tables:
  t:
    columns: {id: {primary_key: true, type: integer}}
models:
  User:
    columns:
      id:
        primary_key: true
        type: integer
      email: {unique: true, length: 100, type: string}
    table: users
`,
			want: `# yaml-language-server: $schema=../schemas/dlayer.schema.json
models:
  User:
    table: users
    columns:
      id:    {type: integer, primary_key: true}
      email: {type: string, length: 100, unique: true}

tables:
  t:
    columns:
      id: {type: integer, primary_key: true}
`,
		},
		{
			name: "comments kept and aligned",
			in: `models:
  # the users
  User:
    table: users # a line comment
    columns:
      id: {type: integer, primary_key: true}   # key
      nickname: text # optional
    relationships:
      posts: {back_populates: author, target: Post}
`,
			want: `models:
  # the users
  User:
    table: users # a line comment
    columns:
      id:       {type: integer, primary_key: true} # key
      nickname: text                               # optional
    relationships:
      posts: {target: Post, back_populates: author}
`,
		},
		{
			name: "too wide for one line: block, one level down",
			in: `models:
  A:
    table: a
    columns:
      status: {type: enum, values: [draft, published, archived, deleted, pending_review, scheduled_for_later], nullable: true}
`,
			want: `models:
  A:
    table: a
    columns:
      status:
        type: enum
        values: [draft, published, archived, deleted, pending_review, scheduled_for_later]
        nullable: true
`,
		},
		{
			name: "quoting kept, flow-unsafe plain scalars quoted, block scalars kept",
			in: `models:
  A:
    table: a
    columns:
      code: {type: string, default: '007'}
      n: {type: text, default: "x\ty"}
    relationships:
      b:
        target: B
        cascade: all, delete-orphan
    view:
      sql: |
        SELECT 1
        FROM a
`,
			want: `models:
  A:
    table: a
    columns:
      code: {type: string, default: '007'}
      n:    {type: text, default: "x\ty"}
    relationships:
      b: {target: B, cascade: "all, delete-orphan"}
    view:
      sql: |
        SELECT 1
        FROM a
`,
		},
		{
			name: "lists of constraints one per line",
			in: `tables:
  t:
    checks: ["a > 0", {name: ck, expr: b > 0}]
    indexes: [{name: ix, columns: [a, b]}]
    columns: {a: integer, b: integer}
`,
			want: `tables:
  t:
    columns:
      a: integer
      b: integer
    indexes:
      - {columns: [a, b], name: ix}
    checks:
      - "a > 0"
      - {expr: b > 0, name: ck}
`,
		},
		{
			name: "anchors and aliases keep their order",
			in: `types:
  base: &b {type: string, length: 10}
models:
  A:
    columns:
      id: {type: integer, primary_key: true}
      s: *b
    table: a
`,
			want: `types:
  base: &b {type: string, length: 10}

models:
  A:
    columns:
      id: {type: integer, primary_key: true}
      s:  *b
    table: a
`,
		},
		{
			name: "a comment above a key that moves goes with it, the modeline stays first",
			in: `# yaml-language-server: $schema=s.json
# the tables
tables:
  t: {columns: {a: integer}}
types:
  x: integer
`,
			want: `# yaml-language-server: $schema=s.json
types:
  x: integer

# the tables
tables:
  t:
    columns:
      a: integer
`,
		},
		{
			name: "empty and comment-only files",
			in:   "# nothing yet\n",
			want: "# nothing yet\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Format([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			again, err := Format(got)
			if err != nil || string(again) != string(got) {
				t.Fatalf("not idempotent (%v):\n%s", err, again)
			}
		})
	}
}

func TestFormatRejectsMalformedYAML(t *testing.T) {
	if _, err := Format([]byte("models: {A: [\n")); err == nil {
		t.Fatal("no error for malformed YAML")
	}
}

// repoYAML lists every YAML file of the repository (the bench module
// aside).
func repoYAML(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("../..", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "bench" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(p); ext == ".yaml" || ext == ".yml" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("found only %d YAML files", len(files))
	}
	return files
}

// comments returns every comment line of src, sorted.
func comments(t *testing.T, src []byte) []string {
	t.Helper()
	var out []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		for _, c := range []string{n.HeadComment, n.LineComment, n.FootComment} {
			for _, l := range strings.Split(c, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					out = append(out, l)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	dec := yaml.NewDecoder(strings.NewReader(string(src)))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			break
		}
		walk(&doc)
	}
	sort.Strings(out)
	return out
}

// checkFormat asserts the properties of Format on src: idempotent, same
// data, same comments, and each source comment line in the output text.
func checkFormat(t *testing.T, name string, src []byte) []byte {
	t.Helper()
	out, err := Format(src)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return nil
	}
	again, err := Format(out)
	if err != nil || string(again) != string(out) {
		t.Errorf("%s: not idempotent (%v):\n%s\n---- formatted again:\n%s", name, err, out, again)
	}
	a, _ := decodeAll(src)
	b, err := decodeAll(out)
	if err != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("%s: data changed (%v):\n%s", name, err, out)
	}
	if ca, cb := comments(t, src), comments(t, out); !reflect.DeepEqual(ca, cb) {
		t.Errorf("%s: comments changed:\n%q\n%q", name, ca, cb)
	}
	for _, l := range strings.Split(string(src), "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "#") && !strings.Contains(string(out), l) {
			t.Errorf("%s: comment %q lost", name, l)
		}
	}
	if first, _, _ := strings.Cut(string(src), "\n"); strings.HasPrefix(first, "# yaml-language-server:") {
		if !strings.HasPrefix(string(out), first+"\n") {
			t.Errorf("%s: the modeline is no longer the first line", name)
		}
	}
	return out
}

// TestFormatRepoYAML formats every YAML file of the repository that is
// well-formed (hostile fixtures aside).
func TestFormatRepoYAML(t *testing.T) {
	n := 0
	for _, f := range repoYAML(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeAll(src); err != nil || len(src) > 1<<20 {
			// A fixture of broken or hostile YAML: an error, never a panic.
			if len(src) <= 4<<20 {
				if out, err := Format(src); err == nil && len(src) > 1<<20 {
					checkFormat(t, f, out)
				}
			}
			continue
		}
		if _, err := Format(src); err == ErrTooDeep {
			continue // the loader's too-deep fixture
		}
		checkFormat(t, f, src)
		n++
	}
	t.Logf("%d files", n)
}

// loadJSON loads a schema from files and returns it as JSON without the
// source ranges, or "" when it does not load without errors.
func loadJSON(t *testing.T, files map[string][]byte) string {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: src}
	}
	sch, ds := loader.Load(fsys)
	if sch == nil || ds.HasErrors() {
		return ""
	}
	b, err := json.Marshal(sch)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var strip func(v any)
	strip = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			delete(x, "range")
			for _, c := range x {
				strip(c)
			}
		case []any:
			for _, c := range x {
				strip(c)
			}
		}
	}
	strip(v)
	b, _ = json.Marshal(v)
	return string(b)
}

// TestFormatKeepsSchemas: each valid schema directory of the repository
// loads to the same schema after formatting.
func TestFormatKeepsSchemas(t *testing.T) {
	dirs := map[string]map[string][]byte{}
	for _, f := range repoYAML(t) {
		src, _ := os.ReadFile(f)
		d := filepath.Dir(f)
		if dirs[d] == nil {
			dirs[d] = map[string][]byte{}
		}
		dirs[d][filepath.Base(f)] = src
	}
	valid := 0
	for d, files := range dirs {
		before := loadJSON(t, files)
		if before == "" {
			continue
		}
		valid++
		formatted := map[string][]byte{}
		for name, src := range files {
			out, err := Format(src)
			if err != nil {
				t.Fatalf("%s/%s: %v", d, name, err)
			}
			formatted[name] = out
		}
		if after := loadJSON(t, formatted); after != before {
			t.Errorf("%s: the loaded schema changed:\n%s\n%s", d, before, after)
		}
	}
	if valid < 5 {
		t.Fatalf("only %d valid schema directories found", valid)
	}
	t.Logf("%d schema directories", valid)
}

// TestFormatProperty generates random valid schemas written in random
// styles (flow or block maps and lists, shuffled keys, quoting, comments)
// and checks: Format(Format(x)) == Format(x), the loaded schema is the same
// before and after, and every comment survives.
func TestFormatProperty(t *testing.T) {
	seed := int64(1)
	if s := os.Getenv("YAMLFMT_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	r := rand.New(rand.NewSource(seed))
	loaded := 0
	const runs = 300
	for i := 0; i < runs; i++ {
		src := genSchema(r)
		out := checkFormat(t, fmt.Sprintf("seed %d run %d", seed, i), src)
		if out == nil {
			t.Fatalf("input:\n%s", src)
		}
		before := loadJSON(t, map[string][]byte{"s.yaml": src})
		if before == "" {
			continue
		}
		loaded++
		if after := loadJSON(t, map[string][]byte{"s.yaml": out}); after != before {
			t.Fatalf("run %d: the loaded schema changed.\ninput:\n%s\noutput:\n%s", i, src, out)
		}
	}
	if loaded < runs*3/4 {
		t.Fatalf("only %d of %d generated schemas loaded: the generator is broken", loaded, runs)
	}
}

// genSchema writes a random valid schema in a random style.
func genSchema(r *rand.Rand) []byte {
	scalar := func(v string) *yaml.Node {
		n := &yaml.Node{Kind: yaml.ScalarNode, Value: v}
		switch r.Intn(6) {
		case 0:
			n.Style = yaml.DoubleQuotedStyle
		case 1:
			n.Style = yaml.SingleQuotedStyle
		}
		return n
	}
	plain := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }
	comment := func(n *yaml.Node) {
		switch r.Intn(8) {
		case 0:
			n.HeadComment = fmt.Sprintf("# head %d", r.Intn(1000))
		case 1:
			n.LineComment = fmt.Sprintf("# line %d", r.Intn(1000))
		}
	}
	mapping := func(kv ...*yaml.Node) *yaml.Node {
		n := &yaml.Node{Kind: yaml.MappingNode}
		idx := r.Perm(len(kv) / 2)
		for _, i := range idx {
			k, v := kv[2*i], kv[2*i+1]
			n.Content = append(n.Content, k, v)
		}
		if r.Intn(3) == 0 {
			n.Style = yaml.FlowStyle
		}
		return n
	}
	ordered := func(kv ...*yaml.Node) *yaml.Node {
		n := &yaml.Node{Kind: yaml.MappingNode, Content: kv}
		return n
	}
	seq := func(items ...*yaml.Node) *yaml.Node {
		n := &yaml.Node{Kind: yaml.SequenceNode, Content: items}
		if r.Intn(2) == 0 {
			n.Style = yaml.FlowStyle
		}
		return n
	}
	key := func(k string) *yaml.Node { n := plain(k); comment(n); return n }

	nModels := 1 + r.Intn(4)
	models := ordered()
	types := ordered(key("pk"), mapping(plain("type"), plain("integer"), plain("primary_key"), plain("true")))
	if r.Intn(2) == 0 {
		types.Content = append(types.Content, key("name50"), mapping(plain("type"), plain("string"), plain("length"), plain("50")))
	}
	kinds := []func(i int) *yaml.Node{
		func(int) *yaml.Node { return scalar("text") },
		func(int) *yaml.Node {
			return mapping(plain("type"), plain("string"), plain("length"), plain(fmt.Sprint(1+r.Intn(200))), plain("nullable"), plain("true"))
		},
		func(int) *yaml.Node {
			return mapping(plain("type"), plain("decimal"), plain("precision"), plain("10"), plain("scale"), plain("2"), plain("default"), scalar("1.50"))
		},
		func(int) *yaml.Node {
			return mapping(plain("type"), plain("enum"), plain("values"), seq(scalar("a b"), scalar("c, d"), scalar("e")), plain("comment"), scalar("an enum: with # odd text"))
		},
		func(int) *yaml.Node {
			return mapping(plain("type"), plain("timestamp"), plain("insert_default"), plain("now"), plain("index"), plain("true"))
		},
		func(int) *yaml.Node {
			return mapping(plain("type"), plain("text"), plain("default"), scalar("it's \"quoted\"\ttab"), plain("unique"), plain("true"))
		},
	}
	for m := 0; m < nModels; m++ {
		cols := ordered(key("id"), scalar("pk"))
		for c := 0; c < 1+r.Intn(5); c++ {
			cols.Content = append(cols.Content, key(fmt.Sprintf("c%d", c)), kinds[r.Intn(len(kinds))](c))
		}
		rels := ordered()
		if m > 0 {
			parent := r.Intn(m)
			cols.Content = append(cols.Content, key("parent_id"),
				mapping(plain("type"), plain("integer"), plain("foreign_key"), plain(fmt.Sprintf("t%d.id", parent)), plain("nullable"), plain("true")))
			rels.Content = append(rels.Content, key("parent"),
				mapping(plain("target"), plain(fmt.Sprintf("M%d", parent)), plain("lazy"), scalar("selectin")))
		}
		model := mapping(plain("table"), scalar(fmt.Sprintf("t%d", m)), plain("columns"), cols)
		if len(rels.Content) > 0 {
			model.Content = append(model.Content, plain("relationships"), rels)
		}
		if r.Intn(2) == 0 {
			model.Content = append(model.Content, plain("indexes"),
				seq(mapping(plain("columns"), seq(plain("id"), plain("c0")), plain("name"), plain(fmt.Sprintf("ix_%d", m)))))
			model.Content = append(model.Content, plain("checks"), seq(scalar("id > 0")))
		}
		if r.Intn(3) == 0 {
			model.Content = append(model.Content, plain("comment"),
				&yaml.Node{Kind: yaml.ScalarNode, Style: yaml.LiteralStyle, Value: "first line\nsecond line\n"})
		}
		model.Style = 0 // multi-line values need block style
		models.Content = append(models.Content, key(fmt.Sprintf("M%d", m)), model)
	}
	root := mapping(plain("models"), models, plain("types"), types)
	root.Style = 0
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	if r.Intn(2) == 0 {
		doc.HeadComment = "# yaml-language-server: $schema=../schemas/dlayer.schema.json"
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return out
}

// FuzzFormat: on any well-formed YAML, Format never fails, keeps the data
// and is idempotent.
func FuzzFormat(f *testing.F) {
	for _, p := range []string{"../../examples/blog/models/blog.yaml", "../../examples/blog/models/tags.yaml", "../../orm/testdata/models.yaml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("a: {b: [c, 'd', \"e\"]} # x\n---\n- |\n  lit\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			return
		}
		if _, err := decodeAll(src); err != nil {
			return
		}
		if bytes.Contains(src, []byte("!")) {
			// Explicit tags ("!0 #…", "! :") are outside what Format
			// promises: schema files have none. The guard still refuses to
			// change their data (TestFormatLayout, checkFormat).
			return
		}
		out, err := Format(src)
		if err != nil {
			if err == ErrChanged && nodeFaithful(src) {
				t.Fatalf("Format would change the data of:\n%q", src)
			}
			return // e.g. yaml.v3 parses but its decoder refuses (not a schema file)
		}
		again, err := Format(out)
		if err != nil || string(again) != string(out) {
			t.Fatalf("not idempotent (%v):\n%q\n%q", err, out, again)
		}
	})
}

// nodeFaithful reports whether yaml.v3's node tree of src decodes to what
// src decodes to: on a few degenerate inputs (a lone "-" ending the file
// after a comment) it does not, and Format, which works on the node tree,
// refuses them with ErrChanged rather than rewrite them.
func nodeFaithful(src []byte) bool {
	want, err := decodeAll(src)
	if err != nil {
		return false
	}
	dec := yaml.NewDecoder(strings.NewReader(string(src)))
	var got []any
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			break
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return false
		}
		got = append(got, v)
	}
	return reflect.DeepEqual(want, got)
}

// TestFormatHostile: hostile input ends in an error or a result, quickly,
// never a panic or a hang.
func TestFormatHostile(t *testing.T) {
	laughs := "a: &a [x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for i := 0; i < 9; i++ {
		name := fmt.Sprintf("l%d", i)
		laughs += fmt.Sprintf("%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", name, name, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = name
	}
	tests := []struct{ name, src string }{
		{name: "billion laughs", src: laughs},
		{name: "deep flow nesting", src: "a: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"},
		{name: "deep block nesting", src: func() string {
			var b strings.Builder
			for i := 0; i < 2000; i++ {
				b.WriteString(strings.Repeat(" ", i) + "k:\n")
			}
			return b.String()
		}()},
		{name: "wide", src: "models:\n" + strings.Repeat("  M: {table: t, columns: {id: integer}}\n", 1) + func() string {
			var b strings.Builder
			for i := 0; i < 2000; i++ {
				fmt.Fprintf(&b, "  M%d: {table: t%d, columns: {id: {type: integer, primary_key: true}}} # c%d\n", i, i, i)
			}
			return b.String()
		}()},
		{name: "binary", src: "\x00\xff\xfe: [\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			out, err := Format([]byte(tt.src))
			// Generous: -race on a shared machine; a quadratic case takes
			// minutes.
			if d := time.Since(start); d > time.Minute {
				t.Errorf("took %v", d)
			}
			if strings.Contains(tt.name, "nesting") && err != ErrTooDeep {
				t.Errorf("err = %v, want ErrTooDeep", err)
			}
			if err == nil {
				if again, err := Format(out); err != nil || string(again) != string(out) {
					t.Fatalf("not idempotent: %v", err)
				}
			}
		})
	}
}
