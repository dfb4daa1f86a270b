package orm_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/orm"
)

// The read path's shared storage (issue 11): select-in collections share
// one backing array, joined loading numbers parents instead of keeping maps
// per parent, and the identity map keeps integer keys per mapper. These
// tests pin the behaviour those shortcuts must keep.

// TestSelectInCollectionsStaySeparate: collections loaded select-in share
// storage, yet appending to one never shows in another, and the unit of
// work still sees appends and removals.
func TestSelectInCollectionsStaySeparate(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		seedBlog(t, e, 3, 20)
		s := e.db.Session()
		defer s.Close(ctx)
		users, err := orm.All[User](ctx, s, orm.Select[User](e.db).OrderBy(orm.TableOf[User](e.db).C("id").Asc()), orm.SelectIn("posts"))
		must(t, err)
		if len(users) != 3 {
			t.Fatalf("users: %d", len(users))
		}
		for _, u := range users {
			if len(u.Posts) != 20 {
				t.Fatalf("user %d: %d posts, want 20", u.ID, len(u.Posts))
			}
			for j, p := range u.Posts {
				if p.AuthorID != u.ID || p.Author != u || (j > 0 && p.ID <= u.Posts[j-1].ID) {
					t.Fatalf("user %d post %d: author %d (back-populated %v), order broken", u.ID, p.ID, p.AuthorID, p.Author == u)
				}
			}
		}
		next := users[1].Posts[0]
		added := &Post{Title: "appended", Content: "x"}
		users[0].Posts = append(users[0].Posts, added)
		if users[1].Posts[0] != next {
			t.Fatal("appending to user 0's posts overwrote user 1's first post")
		}
		// Remove user 1's last post: delete-orphan deletes it.
		gone := users[1].Posts[19]
		users[1].Posts = users[1].Posts[:19]
		must(t, s.Commit(ctx))
		if added.ID == 0 || added.AuthorID != users[0].ID {
			t.Fatalf("appended post: id %d author %d, want author %d", added.ID, added.AuthorID, users[0].ID)
		}
		s2 := e.db.Session()
		defer s2.Close(ctx)
		for i, want := range []int{21, 19, 20} {
			ps, err := orm.All[Post](ctx, s2, orm.Select[Post](e.db).Where(orm.TableOf[Post](e.db).C("author_id").Eq(users[i].ID)))
			must(t, err)
			if len(ps) != want {
				t.Fatalf("user %d has %d posts in the database, want %d", i, len(ps), want)
			}
		}
		if _, err := orm.Get[Post](ctx, s2, gone.ID); err == nil {
			t.Fatal("the removed orphan post is still there")
		}
	})
}

// TestJoinedDeduplicatesRepeatedRows: a query whose own join repeats each
// user once per post, with the posts joined on top (20 × 20 rows per user),
// still returns each user once with each post once, in order, past the
// short-list limit of the member dedup.
func TestJoinedDeduplicatesRepeatedRows(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		seedBlog(t, e, 3, 20)
		s := e.db.Session()
		defer s.Close(ctx)
		ut, pt := orm.TableOf[User](e.db), orm.TableOf[Post](e.db)
		q := orm.Select[User](e.db).Join(pt, pt.C("author_id").Eq(ut.C("id")))
		users, err := orm.All[User](ctx, s, q, orm.Joined("posts"))
		must(t, err)
		if len(users) != 3 {
			t.Fatalf("users: %d, want 3 (each once)", len(users))
		}
		for _, u := range users {
			if len(u.Posts) != 20 {
				t.Fatalf("user %d: %d posts, want 20", u.ID, len(u.Posts))
			}
			seen := map[int64]bool{}
			for j, p := range u.Posts {
				if seen[p.ID] || p.AuthorID != u.ID || p.Author != u || (j > 0 && p.ID <= u.Posts[j-1].ID) {
					t.Fatalf("user %d: post %d repeated, misplaced or out of order", u.ID, p.ID)
				}
				seen[p.ID] = true
			}
		}
		// To-one joined: every post's author is the session's one user
		// object, the same the identity map hands out.
		posts, err := orm.All[Post](ctx, s, orm.Select[Post](e.db), orm.Joined("author"))
		must(t, err)
		if len(posts) != 60 {
			t.Fatalf("posts: %d", len(posts))
		}
		byID := map[int64]*User{}
		for _, u := range users {
			byID[u.ID] = u
		}
		for _, p := range posts {
			if p.Author == nil || p.Author != byID[p.AuthorID] {
				t.Fatalf("post %d: author %p, want the session's user %d", p.ID, p.Author, p.AuthorID)
			}
		}
		if !s.IsLoaded(posts[0], "author") {
			t.Fatal("joined author not marked loaded")
		}
		// The query's own join repeats each post once per tag (two
		// each): the to-one join must still give each post once.
		ptags := e.db.Table("post_tags")
		q2 := orm.Select[Post](e.db).Join(ptags, ptags.C("post_id").Eq(pt.C("id"))).
			OrderBy(ptags.C("tag_id").Asc(), pt.C("id").Asc()) // a post's two rows apart
		posts2, err := orm.All[Post](ctx, s, q2, orm.Joined("author"))
		must(t, err)
		seenPost := map[int64]bool{}
		for _, p := range posts2 {
			if seenPost[p.ID] || p.Author != byID[p.AuthorID] {
				t.Fatalf("post %d repeated or with the wrong author", p.ID)
			}
			seenPost[p.ID] = true
		}
		if len(posts2) != 60 {
			t.Fatalf("posts joined with their tags: %d, want 60 (each once)", len(posts2))
		}
	})
}

// TestIdentityMapAcrossModels: objects of three models (the first model's
// keys held inline, the others' by mapper) are found again without a
// query; expunging one model's object, then all, sends the queries again;
// changes to loaded objects are still found by the dirty check.
func TestIdentityMapAcrossModels(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		seedBlog(t, e, 2, 2)
		// No autoflush: after Expunge(p), the user's collection still
		// holds p, which a flush would insert again.
		s := e.db.Session(orm.WithAutoflush(false))
		defer s.Close(ctx)
		users, err := orm.All[User](ctx, s, orm.Select[User](e.db), orm.SelectIn("posts.tags"))
		must(t, err)
		u, p := users[0], users[0].Posts[0]
		tag := p.Tags[0]
		e.n.reset()
		gu, err := orm.Get[User](ctx, s, u.ID)
		must(t, err)
		gp, err := orm.Get[Post](ctx, s, p.ID)
		must(t, err)
		gt, err := orm.Get[Tag](ctx, s, tag.ID)
		must(t, err)
		if gu != u || gp != p || gt != tag {
			t.Fatal("Get returned other objects than the loaded ones")
		}
		if q := e.n.queries(); len(q) != 0 {
			t.Fatalf("Get of held objects sent %d queries: %v", len(q), q)
		}
		// A later query hands back the held object, not a copy.
		again, err := orm.All[Post](ctx, s, orm.Select[Post](e.db).Where(orm.TableOf[Post](e.db).C("id").Eq(p.ID)))
		must(t, err)
		if len(again) != 1 || again[0] != p {
			t.Fatal("a query did not return the held post")
		}
		// Dirty checks on a time field and a string field, unchanged
		// objects send nothing.
		p.Created = p.Created.Add(time.Hour)
		tag.Name = "golang"
		e.n.reset()
		must(t, s.Flush(ctx))
		if q := e.n.queries(); countUpdates(q) != 2 {
			t.Fatalf("flush after two changes sent %v, want 2 UPDATEs", q)
		}
		must(t, s.Expunge(p))
		e.n.reset()
		gp2, err := orm.Get[Post](ctx, s, p.ID)
		must(t, err)
		if gp2 == p || len(e.n.queries()) == 0 {
			t.Fatal("Get after Expunge did not load a new object")
		}
		s.ExpungeAll()
		e.n.reset()
		if _, err := orm.Get[User](ctx, s, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := orm.Get[Tag](ctx, s, tag.ID); err != nil {
			t.Fatal(err)
		}
		if q := e.n.queries(); len(q) < 2 {
			t.Fatalf("Get after ExpungeAll sent %d queries, want 2", len(q))
		}
	})
}

func countUpdates(qs []string) int {
	n := 0
	for _, q := range qs {
		if len(q) >= 6 && q[:6] == "UPDATE" {
			n++
		}
	}
	return n
}

// TestSelectInChunksKeepIdentity: a select-in over several chunks grows
// the identity map's table after the first (an estimate from its rate of
// targets per key); objects loaded before, and in earlier chunks, stay
// the ones the map hands out.
func TestSelectInChunksKeepIdentity(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, name, orm.InChunk(2))
			ctx := context.Background()
			seedBlog(t, e, 7, 3)
			s := e.db.Session()
			defer s.Close(ctx)
			pt := orm.TableOf[Post](e.db)
			early, err := orm.First[Post](ctx, s, orm.Select[Post](e.db).OrderBy(pt.C("id").Asc()))
			must(t, err)
			e.n.reset()
			users, err := orm.All[User](ctx, s, orm.Select[User](e.db).OrderBy(orm.TableOf[User](e.db).C("id").Asc()), orm.SelectIn("posts"))
			must(t, err)
			if q := e.n.queries(); len(q) != 5 {
				t.Fatalf("users and 7 users' posts in chunks of 2 ran %d queries, want 5", len(q))
			}
			total := 0
			for _, u := range users {
				if len(u.Posts) != 3 {
					t.Fatalf("user %d: %d posts, want 3", u.ID, len(u.Posts))
				}
				for _, p := range u.Posts {
					total++
					if p.ID == early.ID && p != early {
						t.Fatal("the post loaded before the select-in is not the object in its user's posts")
					}
				}
			}
			e.n.reset()
			for _, u := range users {
				for _, p := range u.Posts {
					got, err := orm.Get[Post](ctx, s, p.ID)
					must(t, err)
					if got != p {
						t.Fatalf("Get(%d) returned another object than the loaded one", p.ID)
					}
				}
			}
			if q := e.n.queries(); len(q) != 0 || total != 21 {
				t.Fatalf("Get of %d held posts sent %d queries", total, len(q))
			}
		})
	}
}

// TestJoinedToOneKeyFirst: a to-one joined target is read by its key first
// and whole only when the session does not hold it (or holds it expired):
// new targets come with every column, a held one keeps its in-session
// values, an expired one is refreshed from the row, on every database.
func TestJoinedToOneKeyFirst(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		seedBlog(t, e, 3, 4)
		s := e.db.Session()
		defer s.Close(ctx)
		posts, err := orm.All[Post](ctx, s, orm.Select[Post](e.db).OrderBy(orm.TableOf[Post](e.db).C("id").Asc()), orm.Joined("author"))
		must(t, err)
		if len(posts) != 12 {
			t.Fatalf("posts: %d, want 12", len(posts))
		}
		authors := map[int64]*User{}
		for _, p := range posts {
			a := p.Author
			if a == nil || a.ID != p.AuthorID || a.Name == "" || a.Email == "" {
				t.Fatalf("post %d: author %+v read incompletely", p.ID, a)
			}
			if prev := authors[a.ID]; prev != nil && prev != a {
				t.Fatalf("post %d: a second object for user %d", p.ID, a.ID)
			}
			authors[a.ID] = a
		}
		if len(authors) != 3 {
			t.Fatalf("%d authors, want 3", len(authors))
		}
		// Another session renames every user in the database.
		other := e.db.Session()
		us, err := orm.All[User](ctx, other, orm.Select[User](e.db))
		must(t, err)
		for _, u := range us {
			u.Name += "-renamed"
		}
		must(t, other.Commit(ctx))
		other.Close(ctx)
		// One author expired: the next joined query refreshes it from the
		// row; the others keep the session's values.
		var expired *User
		for _, a := range authors {
			expired = a
			break
		}
		must(t, s.Expire(expired))
		again, err := orm.All[Post](ctx, s, orm.Select[Post](e.db), orm.Joined("author"))
		must(t, err)
		for _, p := range again {
			a := p.Author
			if a != authors[p.AuthorID] {
				t.Fatalf("post %d: the author is not the session's object", p.ID)
			}
			renamed := strings.HasSuffix(a.Name, "-renamed")
			if a == expired && !renamed {
				t.Fatalf("expired user %d not refreshed: %q", a.ID, a.Name)
			}
			if a != expired && renamed {
				t.Fatalf("held user %d overwritten by the row: %q", a.ID, a.Name)
			}
		}
	})
}

// TestJoinedToOneNullableForeignKey: a self-referential many-to-one with
// a nullable foreign key, joined in a session that already holds every
// node: a NULL key gives no parent, any other the session's own object;
// and in a fresh session every parent is read from the join once.
func TestJoinedToOneNullableForeignKey(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		w := e.db.Session()
		root := &Node{Name: "root"}
		a := &Node{Name: "a", Parent: root}
		b := &Node{Name: "b", Parent: root}
		leaf := &Node{Name: "leaf", Parent: a}
		must(t, w.AddAll(root, a, b, leaf))
		must(t, w.Commit(ctx))
		w.Close(ctx)
		want := map[string]string{"root": "", "a": "root", "b": "root", "leaf": "a"}
		nt := e.db.Table("Node")
		for _, warm := range []bool{true, false} {
			s := e.db.Session()
			if warm {
				_, err := orm.All[Node](ctx, s, orm.Select[Node](e.db))
				must(t, err)
			}
			nodes, err := orm.All[Node](ctx, s, orm.Select[Node](e.db).OrderBy(nt.C("id").Asc()), orm.Joined("parent"))
			must(t, err)
			byName := map[string]*Node{}
			for _, n := range nodes {
				byName[n.Name] = n
			}
			for _, n := range nodes {
				if want[n.Name] == "" {
					if n.Parent != nil || n.ParentID != nil {
						t.Errorf("warm=%v: %s has parent %+v", warm, n.Name, n.Parent)
					}
					continue
				}
				if n.Parent != byName[want[n.Name]] {
					t.Errorf("warm=%v: %s's parent is %+v, want the session's %s", warm, n.Name, n.Parent, want[n.Name])
				}
			}
			s.Close(ctx)
		}
	})
}
