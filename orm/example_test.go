package orm_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// exampleEngine opens a new SQLite file with the test schema (testdata:
// the seed's User, Post and Tag, and a Feed with write-only Items) and its
// tables. The returned function closes and removes it.
func exampleEngine() (*engine.Engine, func(), error) {
	dir, err := os.MkdirTemp("", "dlayer-orm-example-")
	if err != nil {
		return nil, nil, err
	}
	ctx := context.Background()
	eng, err := dlayer.Open(ctx, "testdata", "sqlite:"+filepath.Join(dir, "example.db"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	done := func() { eng.Close(); os.RemoveAll(dir) }
	if err := eng.CreateAll(ctx); err != nil {
		done()
		return nil, nil, err
	}
	return eng, done, nil
}

// exampleBinds binds the suite's structs to the test models.
var exampleBinds = []orm.Option{
	orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag"),
	orm.Bind[Feed]("Feed"), orm.Bind[Item]("Item"),
}

// exampleDB is exampleEngine with a DB binding the suite's structs.
func exampleDB(opts ...orm.Option) (*orm.DB, func(), error) {
	eng, done, err := exampleEngine()
	if err != nil {
		return nil, nil, err
	}
	db, err := orm.New(eng, append(append([]orm.Option{}, exampleBinds...), opts...)...)
	if err != nil {
		done()
		return nil, nil, err
	}
	return db, done, nil
}

// exampleBlog writes two users with posts and tags.
func exampleBlog(ctx context.Context, db *orm.DB) error {
	s := db.Session()
	defer s.Close(ctx)
	goTag, sqlTag := &Tag{Name: "go"}, &Tag{Name: "sql"}
	ann := &User{Name: "Ann", Email: "ann@example.com", Posts: []*Post{
		{Title: "Hello", Content: "…", Tags: []*Tag{goTag}},
		{Title: "Joins", Content: "…", Tags: []*Tag{sqlTag, goTag}},
	}}
	bob := &User{Name: "Bob", Email: "bob@example.com", Posts: []*Post{{Title: "Tips", Content: "…"}}}
	if err := s.AddAll(ann, bob); err != nil {
		return err
	}
	return s.Commit(ctx)
}

func ExampleNew() {
	eng, done, err := exampleEngine()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	// Binding is checked at once: every column needs a field.
	type NoEmail struct {
		ID   int64
		Name string
	}
	_, err = orm.New(eng, orm.Bind[NoEmail]("User"))
	fmt.Println(err != nil)
	db, err := orm.New(eng, orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag"))
	fmt.Println(db != nil, err)
	// Output:
	// true
	// true <nil>
}

func ExampleSession() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	s := db.Session()
	defer s.Close(ctx)
	u := &User{Name: "Ann", Email: "ann@example.com"}
	if err := s.Add(u); err != nil {
		fmt.Println(err)
		return
	}
	if err := s.Commit(ctx); err != nil { // INSERT; the generated key is set
		fmt.Println(err)
		return
	}
	fmt.Println("id:", u.ID)
	// The identity map: one object per primary key per session.
	got, err := orm.Get[User](ctx, s, u.ID)
	fmt.Println(got == u, err)
	// Dirty tracking: the next flush updates only what changed.
	u.Email = "ann@example.org"
	if err := s.Commit(ctx); err != nil {
		fmt.Println(err)
		return
	}
	other := db.Session()
	defer other.Close(ctx)
	again, err := orm.Get[User](ctx, other, u.ID)
	fmt.Println(again.Email, again == u, err)
	_, err = orm.Get[User](ctx, other, int64(42))
	fmt.Println(errors.Is(err, orm.ErrNotFound))
	// Output:
	// id: 1
	// true <nil>
	// ann@example.org false <nil>
	// true
}

func ExampleAll() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	if err := exampleBlog(ctx, db); err != nil {
		fmt.Println(err)
		return
	}
	s := db.Session()
	defer s.Close(ctx)
	u := orm.TableOf[User](db)
	// ILIKE on every database; posts and their tags loaded select-in.
	users, err := orm.All[User](ctx, s, orm.Select[User](db).Where(u.C("name").ILike("%AN%")), orm.SelectIn("posts.tags"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range users {
		for _, p := range u.Posts {
			var tags []string
			for _, t := range p.Tags {
				tags = append(tags, t.Name)
			}
			fmt.Println(u.Name, p.Title, tags)
		}
	}
	// Output:
	// Ann Hello [go]
	// Ann Joins [go sql]
}

func ExampleSelectIn() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	if err := exampleBlog(ctx, db); err != nil {
		fmt.Println(err)
		return
	}
	s := db.Session()
	defer s.Close(ctx)
	p := orm.TableOf[Post](db)
	// The seed's selectinload(Post.author): the posts, then their authors
	// in one WHERE id IN (…) query.
	posts, err := orm.All[Post](ctx, s, orm.Select[Post](db).OrderBy(p.C("id").Asc()), orm.SelectIn("author"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range posts {
		fmt.Println(p.Title, "by", p.Author.Name)
	}
	// Output:
	// Hello by Ann
	// Joins by Ann
	// Tips by Bob
}

func ExampleJoined() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	if err := exampleBlog(ctx, db); err != nil {
		fmt.Println(err)
		return
	}
	s := db.Session()
	defer s.Close(ctx)
	p := orm.TableOf[Post](db)
	// The seed's get_post_with_tags: joinedload(author), selectinload(tags).
	post, err := orm.One[Post](ctx, s, orm.Select[Post](db).Where(p.C("title").Eq("Joins")),
		orm.Joined("author"), orm.SelectIn("tags"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(post.Title, "by", post.Author.Name, "tags:", len(post.Tags))
	// Output:
	// Joins by Ann tags: 2
}

func ExampleSession_Transaction() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	s := db.Session()
	defer s.Close(ctx)
	// Committed: fn returned nil.
	err = s.Transaction(ctx, func(s *orm.Session) error {
		return s.Add(&User{Name: "Ann", Email: "ann@example.com"})
	})
	fmt.Println("first block:", err)
	// Rolled back: fn returned an error.
	err = s.Transaction(ctx, func(s *orm.Session) error {
		if err := s.Add(&User{Name: "Bob", Email: "bob@example.com"}); err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	fmt.Println("second block:", err)
	n, _ := engine.Scalar[int64](ctx, db.Engine(), stmt.Select(stmt.CountAll()).From(db.Table("users")))
	fmt.Println("users:", n)
	// Output:
	// first block: <nil>
	// second block: changed my mind
	// users: 1
}

func ExampleSession_Nested() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	s := db.Session()
	defer s.Close(ctx)
	if err := s.Add(&User{Name: "Ann", Email: "ann@example.com"}); err != nil {
		fmt.Println(err)
		return
	}
	// A SAVEPOINT: its failure undoes only its own work.
	err = s.Nested(ctx, func(s *orm.Session) error {
		if err := s.Add(&User{Name: "Bob", Email: "bob@example.com"}); err != nil {
			return err
		}
		if err := s.Flush(ctx); err != nil {
			return err
		}
		return errors.New("undo Bob")
	})
	fmt.Println("nested:", err)
	if err := s.Commit(ctx); err != nil {
		fmt.Println(err)
		return
	}
	u := orm.TableOf[User](db)
	users, _ := engine.All[string](ctx, db.Engine(), stmt.Select(u.C("name")).OrderBy(u.C("name").Asc()))
	fmt.Println("committed:", users)
	// Output:
	// nested: undo Bob
	// committed: [Ann]
}

func ExampleSession_Link() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	s := db.Session()
	defer s.Close(ctx)
	u := &User{Name: "Ann", Email: "ann@example.com"}
	p := &Post{Title: "Hello", Content: "…"}
	if err := s.Add(u); err != nil {
		fmt.Println(err)
		return
	}
	// back_populates: appending to user.posts sets post.author at once.
	if err := s.Link(u, "posts", p); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(u.Posts), p.Author == u)
	if err := s.Commit(ctx); err != nil { // the post is inserted by cascade
		fmt.Println(err)
		return
	}
	fmt.Println(p.ID, p.AuthorID == u.ID)
	// Output:
	// 1 true
	// 1 true
}

func ExampleSession_Execute() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	if err := exampleBlog(ctx, db); err != nil {
		fmt.Println(err)
		return
	}
	s := db.Session()
	defer s.Close(ctx)
	u := orm.TableOf[User](db)
	ann, err := orm.One[User](ctx, s, orm.Select[User](db).Where(u.C("name").Eq("Ann")))
	if err != nil {
		fmt.Println(err)
		return
	}
	// The seed's update_user_email: a bulk UPDATE reporting rows affected.
	res, err := s.Execute(ctx, stmt.Update(u).Set("email", "ann@example.org").Where(u.C("id").Eq(ann.ID)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("updated:", res.RowsAffected > 0)
	// The loaded object was expired, so the session sees the new value.
	again, _ := orm.Get[User](ctx, s, ann.ID)
	fmt.Println(again == ann, ann.Email)
	// Raw SQL with bound parameters runs the same way.
	res, err = s.Execute(ctx, stmt.Text("DELETE FROM post_tags WHERE tag_id = :id").Bind("id", 2))
	fmt.Println("links deleted:", res.RowsAffected, err)
	if err := s.Commit(ctx); err != nil {
		fmt.Println(err)
	}
	// Output:
	// updated: true
	// true ann@example.org
	// links deleted: 1 <nil>
}

func ExampleSession_Conn() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	if err := exampleBlog(ctx, db); err != nil {
		fmt.Println(err)
		return
	}
	s := db.Session()
	defer s.Close(ctx)
	conn, err := s.Conn(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Raw SQL: values are bound parameters, never part of the text.
	n, err := engine.Scalar[int64](ctx, conn, stmt.Text("SELECT COUNT(*) FROM posts WHERE author_id = :user_id").Bind("user_id", 1))
	fmt.Println(n, err)
	// Core queries of columns and aggregates run on the same connection.
	u, p := orm.TableOf[User](db), orm.TableOf[Post](db)
	type row struct {
		Name      string
		PostCount int64 `db:"post_count"`
	}
	rows, err := engine.All[row](ctx, conn, stmt.Select(u.C("name"), stmt.Count(p.C("id")).Label("post_count")).
		JoinRel(u, "posts", nil).GroupBy(u.C("id"), u.C("name")).OrderBy(stmt.Desc(stmt.Count(p.C("id")))))
	fmt.Println(rows, err)
	// Output:
	// 2 <nil>
	// [{Ann 2} {Bob 1}] <nil>
}

func ExampleStream() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	s := db.Session()
	defer s.Close(ctx)
	for i := 1; i <= 3; i++ {
		if err := s.Add(&User{Name: fmt.Sprint("user", i), Email: fmt.Sprint("u", i, "@example.com")}); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := s.Commit(ctx); err != nil {
		fmt.Println(err)
		return
	}
	reader := db.Session()
	defer reader.Close(ctx)
	u := orm.TableOf[User](db)
	// One object at a time; with keep=false the session does not retain them.
	for user, err := range orm.Stream[User](ctx, reader, orm.Select[User](db).OrderBy(u.C("id").Asc()), false) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(user.ID, user.Name)
	}
	// Output:
	// 1 user1
	// 2 user2
	// 3 user3
}

func ExampleSession_RelatedQuery() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	s := db.Session()
	defer s.Close(ctx)
	f := &Feed{Name: "news"}
	if err := s.Add(f); err != nil {
		fmt.Println(err)
		return
	}
	// Feed.items is write_only: appending never loads the collection …
	for i := 1; i <= 3; i++ {
		if err := s.Link(f, "items", &Item{Body: fmt.Sprint("item ", i)}); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := s.Commit(ctx); err != nil {
		fmt.Println(err)
		return
	}
	// … and reading it is an explicit query.
	q, err := s.RelatedQuery(f, "items")
	if err != nil {
		fmt.Println(err)
		return
	}
	it := orm.TableOf[Item](db)
	items, err := orm.All[Item](ctx, s, q.OrderBy(it.C("id").Desc()).Limit(2))
	for _, item := range items {
		fmt.Println(item.Body)
	}
	fmt.Println(err, s.Load(ctx, f, "items") != nil)
	// Output:
	// item 3
	// item 2
	// <nil> true
}

func ExampleSession_Load() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	if err := exampleBlog(ctx, db); err != nil {
		fmt.Println(err)
		return
	}
	s := db.Session()
	defer s.Close(ctx)
	u := orm.TableOf[User](db)
	// Raise is the N+1 guard: reading an unloaded relationship is an error.
	ann, err := orm.One[User](ctx, s, orm.Select[User](db).Where(u.C("name").Eq("Ann")), orm.Raise("posts"))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = s.Related(ann, "posts")
	fmt.Println(errors.Is(err, orm.ErrNotLoaded))
	// Load is the select strategy made explicit.
	if err := s.Load(ctx, ann, "posts"); err != nil {
		fmt.Println(err)
		return
	}
	posts, err := s.Related(ann, "posts")
	fmt.Println(len(posts.([]*Post)), len(ann.Posts), err)
	// Output:
	// true
	// 2 2 <nil>
}

func ExampleMiddleware() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	// The seed's FastAPI dependency: a session per request, committed
	// when the handler succeeds and rolled back when it fails. A failed
	// commit is a bare 500 for the client; its detail goes to the log and
	// to the OnError hook.
	onError := func(r *http.Request, err error) {
		fmt.Println("hook: unique violation:", engine.IsUnique(err))
	}
	h := orm.Middleware(db, orm.ErrorLog(nil), orm.OnError(onError))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := orm.FromContext(r.Context())
		name := r.URL.Query().Get("name")
		if err := s.Add(&User{Name: name, Email: strings.ToLower(name) + "@example.com"}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if name == "Fail" {
			http.Error(w, "handler failed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintln(w, "created", name)
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, name := range []string{"Ann", "Fail", "Ann"} {
		resp, err := http.Post(srv.URL+"/users?name="+name, "text/plain", nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(body)))
	}
	ctx := context.Background()
	n, _ := engine.Scalar[int64](ctx, db.Engine(), stmt.Select(stmt.CountAll()).From(db.Table("users")))
	fmt.Println("users:", n)
	// Output:
	// 201 created Ann
	// 500 handler failed
	// hook: unique violation: true
	// 500 Internal Server Error
	// users: 1
}

func ExampleDB_Scoped() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	s, ctx, release := db.Scoped(ctx)
	defer release()
	// Code deeper down finds the scope's session in its context.
	deeper := func(ctx context.Context) *orm.Session { return orm.FromContext(ctx) }
	fmt.Println(deeper(ctx) == s)
	// A task with a session of its own.
	task := db.Session()
	defer task.Close(ctx)
	fmt.Println(deeper(orm.WithSession(ctx, task)) == task)
	// Output:
	// true
	// true
}

func ExampleWithEvents() {
	var log []string
	db, done, err := exampleDB(orm.WithEvents(orm.Events{
		BeforeFlush: func(ctx context.Context, s *orm.Session) error { log = append(log, "before_flush"); return nil },
		AfterCommit: func(ctx context.Context, s *orm.Session) { log = append(log, "after_commit") },
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	s := db.Session()
	defer s.Close(ctx)
	if err := s.Add(&User{Name: "Ann", Email: "ann@example.com"}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Commit(ctx), log)
	// Output:
	// <nil> [before_flush after_commit]
}

func ExampleReplicas() {
	primary, done, err := exampleEngine()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	replica, done2, err := exampleEngine()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done2()
	ctx := context.Background()
	// The two databases hold different rows, to show which one answers.
	for _, e := range []struct {
		eng  *engine.Engine
		name string
	}{{primary, "on the primary"}, {replica, "on the replica"}} {
		users := stmt.TableOf(e.eng.Schema(), "User")
		if _, err := e.eng.Exec(ctx, stmt.Insert(users).Columns("name", "email").Values(e.name, "ann@example.com")); err != nil {
			fmt.Println(err)
			return
		}
	}
	db, err := orm.New(primary, append(append([]orm.Option{}, exampleBinds...), orm.Replicas(replica))...)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := db.Session()
	defer s.Close(ctx)
	u, err := orm.Get[User](ctx, s, int64(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("read:", u.Name)
	// FOR UPDATE (like every read in a transaction or after a write)
	// goes to the primary.
	w := db.Session()
	defer w.Close(ctx)
	locked, _ := orm.One[User](ctx, w, orm.Select[User](db).ForUpdate())
	fmt.Println("for update:", locked.Name)
	// Output:
	// read: on the replica
	// for update: on the primary
}

func ExampleBindModel() {
	primary, done, err := exampleEngine()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	tags, done2, err := exampleEngine()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done2()
	ctx := context.Background()
	// Every statement about Tag goes to its own database.
	db, err := orm.New(primary, append(append([]orm.Option{}, exampleBinds...), orm.BindModel("Tag", tags))...)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := db.Session()
	defer s.Close(ctx)
	if err := s.AddAll(&Tag{Name: "go"}, &User{Name: "Ann", Email: "ann@example.com"}); err != nil {
		fmt.Println(err)
		return
	}
	if err := s.Commit(ctx); err != nil {
		fmt.Println(err)
		return
	}
	count := func(e *engine.Engine, table string) int64 {
		n, _ := engine.Scalar[int64](ctx, e, stmt.Select(stmt.CountAll()).From(db.Table(table)))
		return n
	}
	fmt.Println("tags on primary:", count(primary, "tags"), "on the tag database:", count(tags, "tags"))
	fmt.Println("users on primary:", count(primary, "users"), "on the tag database:", count(tags, "users"))
	// Output:
	// tags on primary: 0 on the tag database: 1
	// users on primary: 1 on the tag database: 0
}

func ExampleReplicaRetry() {
	dir, err := os.MkdirTemp("", "dlayer-orm-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	var routes []string
	trace := engine.WithTracer(engine.TracerFunc(func(ctx context.Context, q engine.QueryInfo) (context.Context, func(error)) {
		return ctx, func(err error) {
			if q.Route != "" {
				routes = append(routes, fmt.Sprintf("%s/%s failed=%v", q.Server, q.Route, err != nil))
			}
		}
	}))
	primary, err := dlayer.Open(ctx, "testdata", "sqlite:"+filepath.Join(dir, "primary.db"), engine.WithName("primary"), trace)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer primary.Close()
	if err := primary.CreateAll(ctx); err != nil {
		fmt.Println(err)
		return
	}
	users := stmt.TableOf(primary.Schema(), "User")
	if _, err := primary.Exec(ctx, stmt.Insert(users).Columns("name", "email").Values("Ann", "ann@example.com")); err != nil {
		fmt.Println(err)
		return
	}
	// The replica is down (nothing listens on port 1): WithLazyConnect lets
	// the application start anyway.
	replica, err := dlayer.Open(ctx, primary.Schema(), "postgres://app@127.0.0.1:1/app?connect_timeout=5",
		engine.WithLazyConnect(), engine.WithName("replica-1"), trace)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer replica.Close()
	// An ejected replica is probed again after 2s, then 4s, 8s… at most
	// every minute; reads go elsewhere meanwhile.
	db, err := orm.New(primary, append(append([]orm.Option{}, exampleBinds...),
		orm.Replicas(replica), orm.ReplicaRetry(2*time.Second, time.Minute))...)
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 2 {
		s := db.Session()
		u, err := orm.Get[User](ctx, s, int64(1))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("read:", u.Name)
		s.Close(ctx)
	}
	// The first read failed on the replica and ran again on the primary;
	// the second went straight to the primary.
	fmt.Println(strings.Join(routes, "\n"))
	// Output:
	// read: Ann
	// read: Ann
	// replica-1/replica failed=true
	// primary/fallback failed=false
	// primary/fallback failed=false
}

func ExampleMaxLag() {
	primary, done, err := exampleEngine()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	replica, done2, err := exampleEngine()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done2()
	// On PostgreSQL hot standbys: skip a replica more than 2s behind its
	// primary (measured in the background every second):
	//
	//	db, err := orm.New(primary, orm.Replicas(standby), orm.MaxLag(2*time.Second))
	//
	// A dialect that cannot measure lag is refused.
	_, err = orm.New(primary, orm.Replicas(replica), orm.MaxLag(2*time.Second))
	fmt.Println(err)
	// Output:
	// orm: MaxLag: replica 1: the sqlite dialect cannot measure replication lag (PostgreSQL can)
}
