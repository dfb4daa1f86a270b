package orm_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// seedBlog writes users×posts with tags, through the unit of work: posts
// reach the session only by cascade from their user, tags from posts.
func seedBlog(t *testing.T, e *env, users, posts int) {
	t.Helper()
	ctx := context.Background()
	s := e.db.Session()
	defer s.Close(ctx)
	tags := []*Tag{{Name: "go"}, {Name: "sql"}, {Name: "orm"}}
	for i := 0; i < users; i++ {
		u := &User{Name: fmt.Sprintf("user%03d", i), Email: fmt.Sprintf("u%d@x.org", i)}
		for j := 0; j < posts; j++ {
			p := &Post{Title: fmt.Sprintf("p%d-%d", i, j), Content: "…"}
			p.Tags = []*Tag{tags[(i+j)%3], tags[(i+j+1)%3]}
			u.Posts = append(u.Posts, p)
		}
		must(t, s.Add(u))
	}
	must(t, s.Commit(ctx))
}

func TestCascadeInsertAndBackPopulates(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		seedBlog(t, e, 3, 2)
		if n := count(t, e, "posts"); n != 6 {
			t.Fatalf("posts: %d", n)
		}
		if n := count(t, e, "post_tags"); n != 12 {
			t.Fatalf("post_tags rows: %d", n)
		}
		s := e.db.Session()
		defer s.Close(ctx)
		u := &User{Name: "zed", Email: "zed@x.org"}
		p := &Post{Title: "hello", Content: "world"}
		must(t, s.Add(u))
		// Link sets both sides at once.
		must(t, s.Link(u, "posts", p))
		if p.Author != u {
			t.Fatal("Link did not set post.Author")
		}
		// A plain append is synchronised at flush.
		p2 := &Post{Title: "second", Content: "x"}
		u.Posts = append(u.Posts, p2)
		must(t, s.Flush(ctx))
		if p2.Author != u || p2.AuthorID != u.ID || p.AuthorID != u.ID {
			t.Fatalf("flush did not sync back_populates/keys: %v %d %d (user %d)", p2.Author == u, p2.AuthorID, p.AuthorID, u.ID)
		}
		must(t, s.Commit(ctx))
	})
}

func TestSelectInQueryCounts(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		seedBlog(t, e, 100, 2)
		s := e.db.Session()
		defer s.Close(ctx)
		e.n.reset()
		users, err := orm.All[User](ctx, s, orm.Select[User](e.db), orm.SelectIn("posts.tags"))
		must(t, err)
		if q := e.n.queries(); len(q) != 3 {
			t.Fatalf("select-in of users, posts, tags ran %d queries, want 3:\n%v", len(q), q)
		}
		if len(users) != 100 {
			t.Fatalf("users: %d", len(users))
		}
		for _, u := range users {
			if len(u.Posts) != 2 {
				t.Fatalf("%s has %d posts", u.Name, len(u.Posts))
			}
			for _, p := range u.Posts {
				if p.Author != u {
					t.Fatal("post.Author not the loaded user (identity map / back_populates)")
				}
				if len(p.Tags) != 2 || p.Tags[0].Name > p.Tags[1].Name {
					t.Fatalf("tags of %s: %d (ordered by name)", p.Title, len(p.Tags))
				}
			}
		}
		if !s.IsLoaded(users[0], "posts") {
			t.Fatal("posts not marked loaded")
		}
	})
}

func TestSelectInChunks(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres", "mysql"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, name, orm.InChunk(7))
			ctx := context.Background()
			seedBlog(t, e, 20, 1)
			s := e.db.Session()
			defer s.Close(ctx)
			e.n.reset()
			users, err := orm.All[User](ctx, s, orm.Select[User](e.db), orm.SelectIn("posts"))
			must(t, err)
			// 1 for users + ceil(20/7) = 3 chunks.
			if q := e.n.queries(); len(q) != 4 {
				t.Fatalf("ran %d queries, want 4: %v", len(q), q)
			}
			for _, u := range users {
				if len(u.Posts) != 1 {
					t.Fatalf("%s: %d posts", u.Name, len(u.Posts))
				}
			}
		})
	}
}

func TestJoinedLoading(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		seedBlog(t, e, 5, 3)
		s := e.db.Session()
		defer s.Close(ctx)
		p := orm.TableOf[Post](e.db)
		e.n.reset()
		posts, err := orm.All[Post](ctx, s, orm.Select[Post](e.db).OrderBy(p.C("id").Asc()), orm.Joined("author"))
		must(t, err)
		if q := e.n.queries(); len(q) != 1 {
			t.Fatalf("joined to-one ran %d queries: %v", len(q), q)
		}
		if len(posts) != 15 || posts[0].Author == nil || posts[0].Author.ID != posts[0].AuthorID {
			t.Fatalf("joined author: %d posts, first author %v", len(posts), posts[0].Author)
		}
		// Joined collection: parents de-duplicated, children complete.
		s2 := e.db.Session()
		defer s2.Close(ctx)
		u := orm.TableOf[User](e.db)
		e.n.reset()
		users, err := orm.All[User](ctx, s2, orm.Select[User](e.db).OrderBy(u.C("id").Asc()), orm.Joined("posts"))
		must(t, err)
		if q := e.n.queries(); len(q) != 1 {
			t.Fatalf("joined collection ran %d queries", len(q))
		}
		if len(users) != 5 {
			t.Fatalf("joined collection returned %d users (not de-duplicated?)", len(users))
		}
		for _, u := range users {
			if len(u.Posts) != 3 {
				t.Fatalf("%s: %d posts", u.Name, len(u.Posts))
			}
		}
		// With a limit, the limit counts users, not joined rows.
		s3 := e.db.Session()
		defer s3.Close(ctx)
		page, err := orm.All[User](ctx, s3, orm.Select[User](e.db).OrderBy(u.C("id").Asc()).Limit(2).Offset(1), orm.Joined("posts"))
		must(t, err)
		if len(page) != 2 || len(page[0].Posts) != 3 || len(page[1].Posts) != 3 {
			t.Fatalf("limit with joined collection: %d users", len(page))
		}
		// Joined many-to-many with a nested select-in.
		s4 := e.db.Session()
		defer s4.Close(ctx)
		ps, err := orm.All[Post](ctx, s4, orm.Select[Post](e.db).Where(p.C("id").Eq(posts[0].ID)), orm.Joined("tags"), orm.SelectIn("tags.posts"))
		must(t, err)
		if len(ps) != 1 || len(ps[0].Tags) != 2 || len(ps[0].Tags[0].Posts) == 0 {
			t.Fatalf("joined tags: %+v", ps)
		}
	})
}

func TestLazyRaiseNoLoad(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		seedBlog(t, e, 2, 2)
		s := e.db.Session()
		defer s.Close(ctx)
		users, err := orm.All[User](ctx, s, orm.Select[User](e.db), orm.Raise("posts"))
		must(t, err)
		if _, err := s.Related(users[0], "posts"); !errors.Is(err, orm.ErrNotLoaded) {
			t.Fatalf("raise: %v", err)
		}
		// Explicit lazy load.
		e.n.reset()
		must(t, s.Load(ctx, users[0], "posts"))
		if len(e.n.queries()) != 1 || len(users[0].Posts) != 2 {
			t.Fatalf("Load: %d queries, %d posts", len(e.n.queries()), len(users[0].Posts))
		}
		v, err := s.Related(users[0], "posts")
		must(t, err)
		if ps, ok := v.([]*Post); !ok || len(ps) != 2 {
			t.Fatalf("Related: %T", v)
		}
		// noload leaves it empty.
		s2 := e.db.Session()
		defer s2.Close(ctx)
		us, err := orm.All[User](ctx, s2, orm.Select[User](e.db), orm.NoLoad("posts"))
		must(t, err)
		if len(us[0].Posts) != 0 {
			t.Fatal("noload loaded posts")
		}
	})
}

func TestManyToManyChanges(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		seedBlog(t, e, 1, 1)
		s := e.db.Session()
		defer s.Close(ctx)
		p, err := orm.First[Post](ctx, s, orm.Select[Post](e.db), orm.SelectIn("tags"))
		must(t, err)
		if len(p.Tags) != 2 {
			t.Fatalf("tags: %d", len(p.Tags))
		}
		removed := p.Tags[0]
		p.Tags = append(p.Tags[1:], &Tag{Name: "new"})
		must(t, s.Commit(ctx))
		if n := count(t, e, "post_tags"); n != 2 {
			t.Fatalf("post_tags after swap: %d", n)
		}
		s2 := e.db.Session()
		defer s2.Close(ctx)
		p2, err := orm.Get[Post](ctx, s2, p.ID)
		must(t, err)
		must(t, s2.Load(ctx, p2, "tags"))
		for _, tg := range p2.Tags {
			if tg.Name == removed.Name {
				t.Fatalf("removed tag %s still linked", tg.Name)
			}
		}
		// Deleting a post deletes its links, not its tags.
		must(t, s2.Delete(p2))
		must(t, s2.Commit(ctx))
		if n := count(t, e, "post_tags"); n != 0 {
			t.Fatalf("post_tags after delete: %d", n)
		}
		if n := count(t, e, "tags"); n != 3 { // go, sql (seeded) and new
			t.Fatalf("tags: %d", n)
		}
		_ = stmt.CountAll
	})
}

func TestCascadeDeleteAndOrphans(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		seedBlog(t, e, 2, 3)
		s := e.db.Session()
		defer s.Close(ctx)
		u := orm.TableOf[User](e.db)
		users, err := orm.All[User](ctx, s, orm.Select[User](e.db).OrderBy(u.C("id").Asc()), orm.SelectIn("posts"))
		must(t, err)
		// delete-orphan: a post removed from its user's collection goes.
		users[0].Posts = users[0].Posts[1:]
		must(t, s.Commit(ctx))
		if n := count(t, e, "posts"); n != 5 {
			t.Fatalf("posts after orphaning one: %d", n)
		}
		// delete cascades to posts even when they are not loaded.
		s2 := e.db.Session()
		defer s2.Close(ctx)
		u1, err := orm.Get[User](ctx, s2, users[1].ID)
		must(t, err)
		must(t, s2.Delete(u1))
		must(t, s2.Commit(ctx))
		if n := count(t, e, "posts"); n != 2 {
			t.Fatalf("posts after deleting a user: %d", n)
		}
		if n := count(t, e, "users"); n != 1 {
			t.Fatalf("users: %d", n)
		}
	})
}

func TestSelfReferential(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		root := &Node{Name: "root"}
		a := &Node{Name: "a"}
		b := &Node{Name: "b"}
		a1 := &Node{Name: "a1"}
		a.Children = []*Node{a1}
		root.Children = []*Node{a, b}
		// Add the deepest first: the flush still inserts parents first.
		must(t, s.Add(a1))
		must(t, s.Add(root))
		must(t, s.Commit(ctx))
		if a1.ParentID == nil || *a1.ParentID != a.ID || a.ParentID == nil || *a.ParentID != root.ID || root.ParentID != nil {
			t.Fatalf("parent keys: root %v a %v a1 %v", root.ParentID, a.ParentID, a1.ParentID)
		}
		s2 := e.db.Session()
		defer s2.Close(ctx)
		n := orm.TableOf[Node](e.db)
		r, err := orm.One[Node](ctx, s2, orm.Select[Node](e.db).Where(n.C("parent_id").IsNull()), orm.SelectIn("children.children"))
		must(t, err)
		if len(r.Children) != 2 || r.Children[0].Name != "a" || len(r.Children[0].Children) != 1 || r.Children[0].Children[0].Parent != r.Children[0] {
			t.Fatalf("tree: %+v", r)
		}
		// Deleting the root cascades down the tree, children first.
		must(t, s2.Delete(r))
		must(t, s2.Commit(ctx))
		if c := count(t, e, "nodes"); c != 0 {
			t.Fatalf("nodes left: %d", c)
		}
	})
}
