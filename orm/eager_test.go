package orm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/orm"
)

// TestSelectInRoundTrips: a select-in for more keys than the old cap of
// 1,000 takes one query — on PostgreSQL with the keys bound as one array
// parameter (user_id = ANY($1)), elsewhere as one IN list up to the
// dialect's parameter limit — and a user's InChunk still splits it.
func TestSelectInRoundTrips(t *testing.T) {
	const users = 1200
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range []struct {
				name    string
				opts    []orm.Option
				queries int // the users' query included
			}{
				{name: "default", queries: 2},
				{name: "InChunk(500)", opts: []orm.Option{orm.InChunk(500)}, queries: 4},
			} {
				t.Run(tc.name, func(t *testing.T) {
					e := setup(t, name, tc.opts...)
					ctx := context.Background()
					seedBlog(t, e, users, 1)
					s := e.db.Session()
					defer s.Close(ctx)
					e.n.reset()
					got, err := orm.All[User](ctx, s, orm.Select[User](e.db).OrderBy(orm.TableOf[User](e.db).C("id").Asc()), orm.SelectIn("posts"))
					must(t, err)
					q := e.n.queries()
					if len(got) != users || len(q) != tc.queries {
						t.Fatalf("%d users with their posts: %d queries, want %d", len(got), len(q), tc.queries)
					}
					for _, sql := range q[1:] {
						array := strings.Contains(sql, "= ANY(")
						if array != (name == "postgres") {
							t.Fatalf("select-in on %s: %.120s…", name, sql)
						}
					}
					for _, u := range got {
						if len(u.Posts) != 1 || u.Posts[0].AuthorID != u.ID {
							t.Fatalf("user %d: posts %v", u.ID, u.Posts)
						}
					}
				})
			}
		})
	}
}

// TestAutoflushCleanCheck: with objects loaded and nothing changed, a
// query's autoflush plans nothing (no BeforeFlush, no statement); each kind
// of change the cheap check looks at is still flushed by the next query.
func TestAutoflushCleanCheck(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			flushes := 0
			e := setup(t, name, orm.WithEvents(orm.Events{BeforeFlush: func(context.Context, *orm.Session) error {
				flushes++
				return nil
			}}))
			ctx := context.Background()
			seedBlog(t, e, 3, 2)
			for _, tc := range []struct {
				name   string
				change func(t *testing.T, s *orm.Session, users []*User)
				flush  bool
				errOK  bool // the flush may fail (it is the full plan's call)
			}{
				{name: "nothing", change: func(*testing.T, *orm.Session, []*User) {}},
				{name: "a column", flush: true, change: func(_ *testing.T, _ *orm.Session, us []*User) { us[0].Name = "renamed" }},
				{name: "a new child appended", flush: true, change: func(_ *testing.T, _ *orm.Session, us []*User) {
					us[0].Posts = append(us[0].Posts, &Post{Title: "new", Content: "x"})
				}},
				{name: "a child moved by its many-to-one", flush: true, change: func(_ *testing.T, _ *orm.Session, us []*User) {
					us[0].Posts[0].Author = us[1]
				}},
				{name: "a child removed from its collection", flush: true, change: func(_ *testing.T, _ *orm.Session, us []*User) {
					us[1].Posts = us[1].Posts[1:]
				}},
				{name: "a collection reordered", flush: true, change: func(_ *testing.T, _ *orm.Session, us []*User) {
					p := us[2].Posts
					p[0], p[1] = p[1], p[0]
				}},
				{name: "an object deleted", flush: true, change: func(t *testing.T, s *orm.Session, us []*User) {
					must(t, s.Delete(us[2].Posts[0]))
				}},
				{name: "an object added", flush: true, change: func(t *testing.T, s *orm.Session, _ []*User) {
					must(t, s.Add(&User{Name: "added", Email: "added@x.org"}))
				}},
				// An expunged post still in its user's loaded collection:
				// the full plan decides (its save-update cascade takes the
				// post back), so the flush runs; its outcome is the plan's.
				{name: "an object expunged while a collection holds it", flush: true, errOK: true, change: func(t *testing.T, s *orm.Session, us []*User) {
					must(t, s.Expunge(us[2].Posts[0]))
				}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					s := e.db.Session()
					defer s.Close(ctx)
					ut := orm.TableOf[User](e.db)
					users, err := orm.All[User](ctx, s, orm.Select[User](e.db).OrderBy(ut.C("id").Asc()), orm.SelectIn("posts"), orm.SelectIn("posts.author"))
					must(t, err)
					tc.change(t, s, users)
					flushes = 0
					e.n.reset()
					_, err = orm.All[User](ctx, s, orm.Select[User](e.db).Where(ut.C("id").Eq(users[0].ID)))
					if !tc.errOK {
						must(t, err)
					}
					if got := flushes == 1; got != tc.flush {
						t.Fatalf("autoflush ran a flush %d times, want flush=%v (queries %q)", flushes, tc.flush, e.n.queries())
					}
					if !tc.flush && len(e.n.queries()) != 1 {
						t.Fatalf("nothing changed, but the query sent %q", e.n.queries())
					}
					must(t, s.Rollback(ctx))
				})
			}
		})
	}
}
