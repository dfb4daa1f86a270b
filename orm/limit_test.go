package orm_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/orm"
)

// TestSelectInLimitPerParent checks orm.SelectIn(path, orm.OrderBy(…),
// orm.Limit(n)): 100 parents with their first 3 children in 2 statements
// (one window-function query, not one per parent), the right children in
// the right order, soft-deleted children left out before counting, and
// WithDeleted counting them.
func TestSelectInLimitPerParent(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		e := setupTraits(t, name)
		ctx := context.Background()
		ws := seedWriters(t, e, 100, 5) // ranks of a{i}-0…4: 0,2,4,1,3
		// Soft-delete a0-4 (rank 3): author 0's top three become ranks 4, 2, 1.
		s := e.db.Session()
		a, err := orm.Get[Article](ctx, s, ws[0].Articles[4].ID)
		must(t, err)
		must(t, s.Delete(a))
		must(t, s.Commit(ctx))
		s.Close(ctx)

		tests := []struct {
			name  string
			load  []orm.Load
			first string // author 0's articles
			other string // author 1's articles
		}{
			{name: "rank desc, 3", load: []orm.Load{orm.SelectIn("articles", orm.OrderBy("rank desc"), orm.Limit(3))},
				first: "a0-2,a0-1,a0-3", other: "a1-2,a1-4,a1-1"},
			{name: "yaml order (id), 2", load: []orm.Load{orm.SelectIn("articles", orm.Limit(2))},
				first: "a0-0,a0-1", other: "a1-0,a1-1"},
			{name: "rank asc, 1", load: []orm.Load{orm.SelectIn("articles", orm.OrderBy("rank"), orm.Limit(1))},
				first: "a0-0", other: "a1-0"},
			{name: "with deleted", load: []orm.Load{orm.SelectIn("articles", orm.OrderBy("rank desc"), orm.Limit(3)), orm.WithDeleted()},
				first: "a0-2,a0-4,a0-1", other: "a1-2,a1-4,a1-1"},
			{name: "order without limit", load: []orm.Load{orm.SelectIn("articles", orm.OrderBy("rank desc"))},
				first: "a0-2,a0-1,a0-3,a0-0", other: "a1-2,a1-4,a1-1,a1-3,a1-0"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				s := e.db.Session()
				defer s.Close(ctx)
				e.n.reset()
				got, err := orm.All[Author](ctx, s, orm.Select[Author](e.db).OrderBy(e.db.Table("Author").C("id").Asc()), tc.load...)
				must(t, err)
				q := e.n.queries()
				if len(q) != 2 {
					t.Fatalf("%d statements, want 2:\n%s", len(q), strings.Join(q, "\n"))
				}
				if windowed := strings.Contains(q[1], "ROW_NUMBER() OVER (PARTITION BY"); windowed != !strings.Contains(tc.name, "without limit") {
					t.Errorf("window function used: %v, for %s:\n%s", windowed, tc.name, q[1])
				}
				if testing.Verbose() && tc.name == "rank desc, 3" {
					t.Log(q[1])
				}
				if len(got) != 100 {
					t.Fatalf("%d authors, want 100", len(got))
				}
				if g := slugs(got[0].Articles); g != tc.first {
					t.Errorf("author 0: %s, want %s", g, tc.first)
				}
				if g := slugs(got[1].Articles); g != tc.other {
					t.Errorf("author 1: %s, want %s", g, tc.other)
				}
				if strings.Contains(tc.name, ", 3") {
					for i, w := range got[1:] {
						if want := fmt.Sprintf("a%d-2,a%d-4,a%d-1", i+1, i+1, i+1); slugs(w.Articles) != want {
							t.Fatalf("author %d: %s, want %s", i+1, slugs(w.Articles), want)
						}
					}
				}
			})
		}
	})
}

// TestSelectInLimitManyToMany checks a limit per parent over a secondary
// table (posts and their first tag by name), and a nested limited path.
func TestSelectInLimitManyToMany(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		tags := []*Tag{{Name: "go"}, {Name: "sql"}, {Name: "yaml"}}
		u := &User{Name: "u", Email: "u@x"}
		for i := range 4 {
			p := &Post{Title: fmt.Sprintf("p%d", i), Author: u}
			p.Tags = append(p.Tags, tags[(i+2)%3], tags[(i+1)%3])
			u.Posts = append(u.Posts, p)
		}
		must(t, s.Add(u))
		must(t, s.Commit(ctx))
		s2 := e.db.Session()
		defer s2.Close(ctx)
		e.n.reset()
		users, err := orm.All[User](ctx, s2, orm.Select[User](e.db), orm.SelectIn("posts", orm.Limit(3)), orm.SelectIn("posts.tags", orm.OrderBy("name desc"), orm.Limit(1)))
		must(t, err)
		if q := e.n.queries(); len(q) != 3 {
			t.Errorf("%d statements, want 3:\n%s", len(q), strings.Join(q, "\n"))
		}
		if len(users) != 1 || len(users[0].Posts) != 3 {
			t.Fatalf("users %d, posts %v", len(users), users)
		}
		var got []string
		for _, p := range users[0].Posts {
			var names []string
			for _, tg := range p.Tags {
				names = append(names, tg.Name)
			}
			got = append(got, p.Title+":"+strings.Join(names, "+"))
		}
		// p0: yaml, sql → yaml; p1: go, yaml → yaml; p2: sql, go → sql.
		if g := strings.Join(got, ","); g != "p0:yaml,p1:yaml,p2:sql" {
			t.Errorf("posts and first tag = %s", g)
		}
	})
}
