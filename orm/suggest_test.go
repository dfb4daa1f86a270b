package orm_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// TestDidYouMean: a misspelled model or relationship name gets the
// closest valid name and the list of valid names, as the YAML
// diagnostics do.
func TestDidYouMean(t *testing.T) {
	e, id := badSetup(t, "sqlite")
	ctx := context.Background()
	s, f := loaded(t, e.db, id)
	defer s.Close(ctx)
	type tc struct {
		name    string
		run     func() error
		want    []string
		unknown bool // the error matches stmt.ErrUnknown
	}
	// The lists come from the schema, so a model added to testdata does
	// not break this test.
	var models []string
	for _, m := range e.db.Schema().Models {
		models = append(models, m.Name)
	}
	sort.Strings(models)
	var accountCols []string
	for _, c := range e.db.Schema().Model("Account").Table.Columns {
		accountCols = append(accountCols, c.Name)
	}
	sort.Strings(accountCols)
	for _, c := range []tc{
		{name: "Bind", run: func() error { _, err := orm.New(e.eng, orm.Bind[User]("Usr")); return err },
			want: []string{`no model "Usr"`, `did you mean "User"?`, "(models: " + strings.Join(models, ", ") + ")"}},
		{name: "BindModel", run: func() error { _, err := orm.New(e.eng, orm.BindModel("Acount", e.eng)); return err },
			want: []string{`no model "Acount"`, `did you mean "Account"?`}},
		{name: "Session.Load", run: func() error { return s.Load(ctx, f.u, "postz") }, unknown: true,
			want: []string{"load User.postz: unknown name", `did you mean "posts"?`, "relationships of User: posts"}},
		{name: "nested load path", run: func() error {
			_, err := orm.All[User](ctx, s, orm.Select[User](e.db), orm.SelectIn("posts.tagz"))
			return err
		}, unknown: true, want: []string{"load Post.tagz: unknown name", `did you mean "tags"?`, "relationships of Post: author, tags"}},
		{name: "Session.Related", run: func() error { _, err := s.Related(f.u, "Posts"); return err }, unknown: true,
			want: []string{`did you mean "posts"?`}},
		{name: "Session.Link", run: func() error { return s.Link(f.u, "post", &Post{}) }, unknown: true,
			want: []string{`did you mean "posts"?`}},
		{name: "Session.GetObject", run: func() error { _, err := s.GetObject(ctx, "Acount", 1); return err },
			want: []string{`no model "Acount"`, `did you mean "Account"?`}},
		{name: "Session.New", run: func() error { _, err := s.New("acount"); return err },
			want: []string{`did you mean "Account"?`}},
		{name: "Object.Set", run: func() error {
			o, err := s.New("Account")
			if err != nil {
				return err
			}
			return o.Set("balanse", 1)
		}, want: []string{`no column "balanse"`, `did you mean "balance"?`, "(columns: " + strings.Join(accountCols, ", ") + ")"}},
		{name: "nothing close", run: func() error { return s.Load(ctx, f.u, "zzzzzz") }, unknown: true,
			want: []string{"relationships of User: posts"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if c.unknown && !errors.Is(err, stmt.ErrUnknown) {
				t.Errorf("error %q does not match stmt.ErrUnknown", err)
			}
			if c.name == "nothing close" && strings.Contains(err.Error(), "did you mean") {
				t.Errorf("a far-fetched suggestion: %q", err)
			}
		})
	}
}

// FuzzNames feeds arbitrary model, relationship and column names (and load
// paths) to every call that takes one: each answers an error or works,
// none panics. go test -fuzz FuzzNames ./orm/ explores further.
func FuzzNames(f *testing.F) {
	for _, seed := range []string{"", ".", "posts", "posts.", ".posts", "posts..tags", "posts.tags.posts.author",
		"Usr", "User", "\x00", "ünïcode", strings.Repeat("a", 300), strings.Repeat("posts.", 50) + "tags"} {
		f.Add(seed)
	}
	e, id := badSetup(f, "sqlite")
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, name string) {
		s := e.db.Session()
		defer s.Close(ctx)
		u, err := orm.Get[User](ctx, s, id)
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Load(ctx, u, name)
		_, _ = orm.All[User](ctx, s, orm.Select[User](e.db), orm.SelectIn(name), orm.Joined(name))
		_, _ = s.Related(u, name)
		_, _ = s.RelatedQuery(u, name)
		_ = s.IsLoaded(u, name)
		_ = s.Link(u, name, &Post{})
		_, _ = s.New(name)
		_, _ = s.GetObject(ctx, name, 1)
		_, _ = s.AllObjects(ctx, name, nil)
		if o, err := s.New("Account"); err == nil {
			_ = o.Set(name, 1)
			_ = o.Get(name)
			_ = o.SetOne(name, nil)
			_ = o.Append(name)
		}
		_, _ = orm.New(e.eng, orm.Bind[User](name))
		_, _ = orm.New(e.eng, orm.BindModel(name, e.eng))
		_ = e.db.Table(name).Err()
	})
}
