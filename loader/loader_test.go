package loader

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dlayer/dlayer/spec"
)

func mustLoad(t *testing.T, dir string) *spec.Schema {
	t.Helper()
	s, ds := LoadDir(dir)
	if len(ds) > 0 {
		t.Fatalf("LoadDir(%s) diagnostics:\n%s", dir, ds.Error())
	}
	return s
}

func TestBlogExample(t *testing.T) {
	s := mustLoad(t, "../examples/blog/models")
	if got, want := len(s.Models), 3; got != want {
		t.Fatalf("models = %d, want %d", got, want)
	}
	user, post, tag := s.Model("User"), s.Model("Post"), s.Model("Tag")
	postTags := s.Table("post_tags")
	if user == nil || post == nil || tag == nil || postTags == nil {
		t.Fatal("missing model or table")
	}
	if postTags.Model != nil {
		t.Error("post_tags must be a plain table")
	}
	// Columns: order kept, aliases applied, refinements applied.
	if got := strings.Join(names(post.Table.Columns), ","); got != "id,title,content,author_id,created" {
		t.Errorf("posts columns = %s", got)
	}
	id := user.Table.Column("id")
	if !id.PrimaryKey || !id.Autoincrement || id.Nullable || id.Alias != "intpk" || id.Table != user.Table {
		t.Errorf("users.id = %+v", id)
	}
	if c := tag.Table.Column("name"); c.Type.Kind != spec.TypeString || c.Type.Length != 50 || !c.Unique || c.Alias != "str50" {
		t.Errorf("tags.name = %+v", c)
	}
	if c := post.Table.Column("created"); c.Type.Kind != spec.TypeTimestamp || c.InsertDefault == nil || c.InsertDefault.Kind != spec.DefaultNow {
		t.Errorf("posts.created = %+v", c)
	}
	if got := user.Table.PrimaryKey; len(got) != 1 || got[0] != id {
		t.Errorf("users primary key = %v", got)
	}
	// Foreign keys link across files (tags.yaml → blog.yaml).
	fk := post.Table.Column("author_id").ForeignKey
	if fk == nil || fk.RefTable != user.Table || fk.RefColumns[0] != id || fk.Name != "fk_posts_author_id_users" {
		t.Fatalf("posts.author_id foreign key = %+v", fk)
	}
	if len(postTags.ForeignKeys) != 2 || postTags.ForeignKeys[1].RefTable != tag.Table {
		t.Errorf("post_tags foreign keys = %+v", postTags.ForeignKeys)
	}
	// Relationships.
	posts := user.Relationship("posts")
	author := post.Relationship("author")
	if posts.Kind != spec.OneToMany || !posts.UseList || posts.FKOnOwner || posts.Target != post || posts.Back != author {
		t.Errorf("User.posts = %+v", posts)
	}
	if posts.Cascade != spec.CascadeAll|spec.CascadeDeleteOrphan || posts.Lazy != spec.LazySelect {
		t.Errorf("User.posts cascade %b lazy %v", posts.Cascade, posts.Lazy)
	}
	if p := posts.Pairs; len(p) != 1 || p[0].Local != id || p[0].Remote != post.Table.Column("author_id") {
		t.Errorf("User.posts pairs = %+v", p)
	}
	if author.Kind != spec.ManyToOne || author.UseList || !author.FKOnOwner || author.Back != posts || author.Cascade != spec.CascadeDefault {
		t.Errorf("Post.author = %+v", author)
	}
	tags := post.Relationship("tags")
	if tags.Kind != spec.ManyToMany || tags.Secondary != postTags || tags.Back != tag.Relationship("posts") {
		t.Errorf("Post.tags = %+v", tags)
	}
	if p := tags.Pairs; len(p) != 1 || p[0].Local != post.Table.Column("id") || p[0].Remote != postTags.Column("post_id") {
		t.Errorf("Post.tags pairs = %+v", p)
	}
	if p := tags.SecondaryPairs; len(p) != 1 || p[0].Local != postTags.Column("tag_id") || p[0].Remote != tag.Table.Column("id") {
		t.Errorf("Post.tags secondary pairs = %+v", p)
	}
	// Derived names.
	if ix := post.Table.Indexes; len(ix) != 1 || ix[0].Name != "ix_posts_author_id_created" {
		t.Errorf("posts indexes = %+v", ix)
	}
	if u := user.Table.Uniques; len(u) != 1 || u[0].Name != "uq_users_email" {
		t.Errorf("users uniques = %+v", u)
	}
	if got := strings.Join(s.Files, ","); got != "../examples/blog/models/blog.yaml,../examples/blog/models/tags.yaml,../examples/blog/models/types.yaml" {
		t.Errorf("files = %s", got)
	}
}

func TestValidSchema(t *testing.T) {
	s := mustLoad(t, "testdata/valid")
	user, profile, emp, office := s.Model("User"), s.Model("Profile"), s.Model("Employee"), s.Model("Office")
	if user == nil || profile == nil || emp == nil || office == nil {
		t.Fatal("missing model")
	}
	t.Run("version column", func(t *testing.T) {
		if user.VersionColumn != user.Table.Column("version") {
			t.Errorf("VersionColumn = %v", user.VersionColumn)
		}
	})
	t.Run("alias chain", func(t *testing.T) {
		c := user.Table.Column("handle")
		if c.Type.Kind != spec.TypeString || c.Type.Length != 20 || !c.Unique || c.Alias != "code" {
			t.Errorf("handle = %+v", c)
		}
		ta := s.Types[0]
		if ta.Name != "code" || ta.Base != "short" || ta.Column == nil || !ta.Column.Unique {
			t.Errorf("types[0] = %+v", ta)
		}
	})
	t.Run("enums", func(t *testing.T) {
		st := user.Table.Column("state")
		if st.Type.EnumName != "status" || strings.Join(st.Type.Values, ",") != "active,suspended" {
			t.Errorf("users.state = %+v", st.Type)
		}
		if st.Default == nil || st.Default.Value != "active" {
			t.Errorf("users.state default = %+v", st.Default)
		}
		if es := emp.Table.Column("state"); es.Type.EnumName != "status" {
			t.Errorf("employees.state enum name = %q (aliases share one type)", es.Type.EnumName)
		}
		if m := emp.Table.Column("mood"); m.Type.EnumName != "employees_mood" || m.ServerDefault.Value != "happy" {
			t.Errorf("employees.mood = %+v", m.Type)
		}
	})
	t.Run("defaults and nullability", func(t *testing.T) {
		up := user.Table.Column("updated")
		if !up.Nullable || up.OnUpdate == nil || up.OnUpdate.Kind != spec.DefaultNow || up.InsertDefault.Kind != spec.DefaultNow || !up.Type.Timezone {
			t.Errorf("users.updated = %+v", up)
		}
		if v := user.Table.Column("version").Default.Value; v != int64(1) {
			t.Errorf("version default = %#v", v)
		}
		if v := emp.Table.Column("salary").Default.Value; v != "1000.00" {
			t.Errorf("salary default = %#v", v)
		}
		if user.Table.Column("created").Nullable {
			t.Error("columns are NOT NULL by default")
		}
	})
	t.Run("one-to-one", func(t *testing.T) {
		p := user.Relationship("profile")
		if p.Kind != spec.OneToOne || p.UseList || p.FKOnOwner || p.Back != profile.Relationship("user") {
			t.Errorf("User.profile = %+v", p)
		}
		u := profile.Relationship("user")
		if u.Kind != spec.OneToOne || u.UseList || !u.FKOnOwner {
			t.Errorf("Profile.user = %+v", u)
		}
		if fk := profile.Table.Column("user_id").ForeignKey; fk.OnDelete != spec.ActionCascade {
			t.Errorf("on_delete = %q", fk.OnDelete)
		}
	})
	t.Run("self-referential many-to-many", func(t *testing.T) {
		follows := s.Table("follows")
		f := user.Relationship("following")
		if f.Kind != spec.ManyToMany || f.Secondary != follows || f.Pairs[0].Remote != follows.Column("follower_id") ||
			f.SecondaryPairs[0].Local != follows.Column("followed_id") || f.Back != user.Relationship("followers") {
			t.Errorf("User.following = %+v", f)
		}
		if fr := user.Relationship("followers"); fr.Lazy != spec.LazySelectIn || fr.Pairs[0].Remote != follows.Column("followed_id") {
			t.Errorf("User.followers = %+v", fr)
		}
	})
	t.Run("self-referential one-to-many", func(t *testing.T) {
		m, r := emp.Relationship("manager"), emp.Relationship("reports")
		if m.Kind != spec.ManyToOne || !m.SelfReferential() || m.Pairs[0].Local != emp.Table.Column("manager_id") || m.Back != r {
			t.Errorf("Employee.manager = %+v", m)
		}
		if r.Kind != spec.OneToMany || r.Pairs[0].Remote != emp.Table.Column("manager_id") || len(r.OrderBy) != 1 || !r.OrderBy[0].Desc {
			t.Errorf("Employee.reports = %+v", r)
		}
		if r.Cascade != spec.CascadeDefault {
			t.Errorf("cascade from string = %b", r.Cascade)
		}
		if c := emp.Table.Column("id"); c.Type.Kind != spec.TypeBigInt || !c.PrimaryKey || !c.Autoincrement {
			t.Errorf("anchored id = %+v", c)
		}
		if c := emp.Table.Column("manager_id"); c.Autoincrement {
			t.Error("a foreign-key column must not autoincrement")
		}
	})
	t.Run("composite foreign key across documents", func(t *testing.T) {
		fks := emp.Table.ForeignKeys
		if len(fks) != 2 {
			t.Fatalf("employee foreign keys = %d", len(fks))
		}
		fk := fks[1]
		if fk.RefTable != office.Table || len(fk.Columns) != 2 || fk.OnDelete != spec.ActionSetNull ||
			fk.Name != "fk_employees_office_country_office_code_offices" {
			t.Errorf("composite fk = %+v", fk)
		}
		o := emp.Relationship("office")
		if o.Kind != spec.ManyToOne || len(o.Pairs) != 2 || o.Pairs[1].Remote != office.Table.Column("code") {
			t.Errorf("Employee.office = %+v", o)
		}
		if st := office.Relationship("staff"); st.Lazy != spec.LazyWriteOnly || !st.PassiveDeletes || st.Back != o {
			t.Errorf("Office.staff = %+v", st)
		}
		if c := emp.Table.Column("office_code"); c.Type.Length != 8 || !c.Nullable {
			t.Errorf("merge key column = %+v", c)
		}
	})
	t.Run("names", func(t *testing.T) {
		var ix *spec.Index
		for _, x := range emp.Table.Indexes {
			if strings.HasPrefix(x.Name, "ix_employees_a_rather") {
				ix = x
			}
		}
		if ix == nil || len(ix.Name) != 63 {
			t.Fatalf("long index name not truncated to 63 bytes: %+v", emp.Table.Indexes)
		}
		if ix.Name != truncateName("ix_employees_a_rather_long_column_name_to_force_truncation_of_names") {
			t.Errorf("index name %q is not stable", ix.Name)
		}
		if got := emp.Table.Checks; len(got) != 2 || got[0].Name != "ck_employees_1" || got[1].Name != "ck_positive_id" {
			t.Errorf("checks = %+v", got)
		}
		if office.RenamedFrom != "branches" || office.Table.RenamedFrom != "branches" || office.Table.Column("code").RenamedFrom != "branch_code" {
			t.Errorf("renamed_from not carried")
		}
		if got := office.Table.Indexes; len(got) != 1 || got[0].Name != "ix_office_lookup" || !got[0].Unique {
			t.Errorf("office indexes = %+v", got)
		}
		if user.Comment != "People who sign in." || profile.Table.Column("bio").Comment != "Free text." {
			t.Error("comments not carried")
		}
	})
}

func TestTruncateName(t *testing.T) {
	tests := []struct {
		name, in string
		wantLen  int
	}{
		{name: "short", in: "ix_users_email", wantLen: 14},
		{name: "exactly 63", in: strings.Repeat("a", 63), wantLen: 63},
		{name: "long", in: strings.Repeat("b", 100), wantLen: 63},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := truncateName(tt.in)
			if len(got) != tt.wantLen {
				t.Errorf("len = %d, want %d", len(got), tt.wantLen)
			}
		})
	}
	a, b := truncateName(strings.Repeat("x", 70)+"1"), truncateName(strings.Repeat("x", 70)+"2")
	if a == b {
		t.Error("distinct long names truncated to the same name")
	}
}

// TestCrossFileOrderIndependence checks that references resolve whatever
// the file order, and that file names sort deterministically.
func TestCrossFileOrderIndependence(t *testing.T) {
	fsys := fstest.MapFS{
		"z/types.yml":    {Data: []byte("types:\n  pk: {type: integer, primary_key: true}\n")},
		"a/post.yaml":    {Data: []byte("models:\n  Post:\n    table: posts\n    columns:\n      id: pk\n      user_id: {type: integer, foreign_key: users.id}\n    relationships:\n      user: {target: User, back_populates: posts}\n")},
		"m/user.yaml":    {Data: []byte("models:\n  User:\n    table: users\n    columns:\n      id: pk\n    relationships:\n      posts: {target: Post, back_populates: user}\n")},
		"m/notes.txt":    {Data: []byte("not a schema")},
		".hidden/x.yaml": {Data: []byte("models: {Bad: 1}")},
	}
	s, ds := Load(fsys)
	if len(ds) > 0 {
		t.Fatal(ds.Error())
	}
	if got := strings.Join(s.Files, ","); got != "a/post.yaml,m/user.yaml,z/types.yml" {
		t.Errorf("files = %s", got)
	}
	if r := s.Model("Post").Relationship("user"); r.Back == nil || r.Target != s.Model("User") {
		t.Errorf("cross-file relationship not linked: %+v", r)
	}
}

func TestHostileLimits(t *testing.T) {
	big := []byte("models:\n  A:\n    table: a\n    comment: \"" + strings.Repeat("x", 2000) + "\"\n    columns: {id: {type: integer, primary_key: true}}\n")
	many := []byte("tables:\n  t:\n    columns: {id: integer}\n    checks: [" + strings.TrimSuffix(strings.Repeat("a,", 5000), ",") + "]\n")
	merge := []byte("x: &x {a: 1, b: 2}\ny: &y [*x, *x, *x, *x]\nz: [*y, *y, *y, *y]\n")
	tests := []struct {
		name string
		src  []byte
		opts []Option
		rule string
	}{
		{name: "file too large", src: big, opts: []Option{MaxFileSize(1024)}, rule: ruleFileTooLarge},
		{name: "default size cap", src: append([]byte("# "), bytes.Repeat([]byte("x"), DefaultMaxFileSize)...), rule: ruleFileTooLarge},
		{name: "too many nodes", src: many, opts: []Option{MaxNodes(1000)}, rule: ruleFileTooLarge},
		{name: "alias budget", src: merge, opts: []Option{MaxAliasNodes(20)}, rule: ruleAliasBudget},
		{name: "depth", src: []byte("a: {b: {c: {d: 1}}}\n"), opts: []Option{MaxDepth(2)}, rule: ruleTooDeep},
		{name: "bad utf8", src: []byte("a: \xff\n"), rule: ruleInvalidUTF8},
		{name: "tab indentation", src: []byte("models:\n\tUser: {}\n"), rule: ruleYAMLSyntax},
		{name: "unknown anchor", src: []byte("models: *nope\n"), rule: ruleYAMLSyntax},
		{name: "non-scalar key", src: []byte("models:\n  ? [a, b]\n  : 1\n"), rule: ruleWrongType},
		{name: "top-level list", src: []byte("- a\n- b\n"), rule: ruleWrongType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := Load(fstest.MapFS{"s.yaml": {Data: tt.src}}, tt.opts...)
			found := false
			for _, d := range ds {
				found = found || d.Rule == tt.rule
				if d.Subject.File != "s.yaml" {
					t.Errorf("diagnostic without file: %v", d)
				}
			}
			if !found {
				t.Errorf("want rule %s, got:\n%s", tt.rule, ds.Error())
			}
		})
	}
}

func TestLoadPaths(t *testing.T) {
	t.Run("files and dirs merge", func(t *testing.T) {
		s, ds := LoadPaths([]string{"../examples/blog/models/blog.yaml", "../examples/blog/models/types.yaml", "../examples/blog/models"})
		if len(ds) > 0 {
			t.Fatal(ds.Error())
		}
		if len(s.Files) != 3 {
			t.Errorf("files = %v (duplicates must be loaded once)", s.Files)
		}
	})
	t.Run("single file reports cross-file misses", func(t *testing.T) {
		_, ds := LoadPaths([]string{"../examples/blog/models/blog.yaml"})
		if !ds.HasErrors() || ds[0].Subject.File != "../examples/blog/models/blog.yaml" {
			t.Errorf("diagnostics = %v", ds)
		}
	})
	t.Run("missing path", func(t *testing.T) {
		_, ds := LoadPaths([]string{"testdata/does-not-exist"})
		if len(ds) != 1 || ds[0].Rule != RuleIOError {
			t.Errorf("diagnostics = %v", ds)
		}
	})
	t.Run("empty dir", func(t *testing.T) {
		dir := t.TempDir()
		_, ds := LoadDir(dir)
		if len(ds) != 1 || ds[0].Rule != ruleNoFiles {
			t.Errorf("diagnostics = %v", ds)
		}
	})
	t.Run("empty fs", func(t *testing.T) {
		_, ds := Load(fstest.MapFS{})
		if len(ds) != 1 || ds[0].Rule != ruleNoFiles {
			t.Errorf("diagnostics = %v", ds)
		}
	})
	t.Run("collect sources", func(t *testing.T) {
		src := Sources{}
		LoadDir("../examples/blog/models", CollectSources(src))
		want, _ := os.ReadFile("../examples/blog/models/blog.yaml")
		if string(src["../examples/blog/models/blog.yaml"]) != string(want) {
			t.Errorf("sources = %v", src)
		}
	})
}

// TestDiagnosticsSortedAndPointed checks order, de-duplication and JSON
// pointers.
func TestDiagnosticsSortedAndPointed(t *testing.T) {
	src := "types:\n  s50: {type: string, lenght: 50}\nmodels:\n  B:\n    table: b\n    columns: {id: s50, x: s50}\n  A:\n    table: a\n    columns: {id: {type: bogus}}\n"
	_, ds := Load(fstest.MapFS{"s.yaml": {Data: []byte(src)}})
	var got []string
	for _, d := range ds {
		got = append(got, d.Subject.String()+" "+d.Rule+" "+d.Path)
	}
	want := []string{
		"s.yaml:2:23 unknown-key /types/s50/lenght",
		"s.yaml:4:3 missing-primary-key /models/B",
		"s.yaml:9:26 unknown-type /models/A/columns/id/type",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSyntaxErrorLines(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
	}{
		{name: "mapping value in scalar", src: "a: 1\nb: c: d\n", line: 2},
		{name: "unclosed flow map", src: "a: 1\nb:\n  c: {x: 1\n  d: 2\n", line: 3},
		{name: "unclosed flow seq on first line", src: "a: [1, 2\nb: 3\n", line: 2},
		{name: "tab indentation", src: "a: 1\n\tb: 2\n", line: 2},
		{name: "sequence in map", src: "a: 1\n- b\n", line: 2},
		{name: "unterminated string", src: "a: 1\nb: \"x\nc: 2\n", line: 2},
		{name: "bad indentation", src: "a: 1\n  b: 2\n", line: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := Load(fstest.MapFS{"s.yaml": {Data: []byte(tt.src)}})
			if len(ds) != 1 || ds[0].Rule != ruleYAMLSyntax || ds[0].Subject.Start.Line != tt.line {
				t.Errorf("want yaml-syntax at line %d, got %v", tt.line, ds)
			}
		})
	}
}

// TestDeterministic loads the same broken multi-file schema repeatedly
// (files are parsed in parallel) and expects identical output.
func TestDeterministic(t *testing.T) {
	var first string
	for i := range 10 {
		_, ds := LoadDir("testdata/fixtures/duplicate-name")
		if i == 0 {
			first = ds.Error()
			if first == "" {
				t.Fatal("fixture produced no diagnostics")
			}
			continue
		}
		if got := ds.Error(); got != first {
			t.Fatalf("run %d differs:\n%s\nvs\n%s", i, got, first)
		}
	}
}
