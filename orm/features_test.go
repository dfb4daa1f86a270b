package orm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

func TestMiddleware(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		h := orm.Middleware(e.db)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := orm.FromContext(r.Context())
			if s == nil {
				t.Error("no session in the request context")
				return
			}
			name := r.URL.Query().Get("name")
			if err := s.Add(&User{Name: name, Email: name + "@x.org"}); err != nil {
				t.Error(err)
			}
			switch name {
			case "fail":
				http.Error(w, "nope", http.StatusInternalServerError)
			case "panic":
				panic("handler panic")
			default:
				w.WriteHeader(http.StatusCreated)
				fmt.Fprint(w, "ok")
			}
		}))
		do := func(name string) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			func() {
				defer func() { _ = recover() }()
				h.ServeHTTP(rec, httptest.NewRequest("POST", "/users?name="+name, nil))
			}()
			return rec
		}
		if rec := do("ann"); rec.Code != http.StatusCreated || rec.Body.String() != "ok" {
			t.Fatalf("ann: %d %q", rec.Code, rec.Body.String())
		}
		do("fail")
		do("panic")
		// A duplicate email fails at commit: the client gets a 500, not 201.
		if rec := do("ann"); rec.Code != http.StatusInternalServerError {
			t.Fatalf("duplicate: %d %q", rec.Code, rec.Body.String())
		}
		if n := count(t, e, "users"); n != 1 {
			t.Fatalf("users: %d", n)
		}
		// Scoped: the same session within one context.
		ctx := context.Background()
		s1, ctx2, release := e.db.Scoped(ctx)
		s2, _, release2 := e.db.Scoped(ctx2)
		if s1 != s2 {
			t.Fatal("Scoped returned another session for the same context")
		}
		release2()
		release()
	})
}

func TestStreamConstantMemory(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		seedBlog(t, e, 300, 0)
		s := e.db.Session()
		defer s.Close(ctx)
		n := 0
		for u, err := range orm.Stream[User](ctx, s, orm.Select[User](e.db), false) {
			must(t, err)
			if u.Name == "" {
				t.Fatal("empty user")
			}
			n++
		}
		if n != 300 {
			t.Fatalf("streamed %d", n)
		}
		// Objects were not kept: a Get queries again.
		e.n.reset()
		_, err := orm.Get[User](ctx, s, int64(1))
		must(t, err)
		if len(e.n.queries()) != 1 {
			t.Fatal("stream kept objects in the identity map")
		}
		// Breaking out early closes the rows; a cancelled context stops it.
		for range orm.Stream[User](ctx, s, orm.Select[User](e.db), false) {
			break
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		var got error
		for _, err := range orm.Stream[User](cctx, s, orm.Select[User](e.db), false) {
			if err != nil {
				got = err
			}
		}
		if !errors.Is(got, context.Canceled) {
			t.Fatalf("cancelled stream: %v", got)
		}
		runtime.GC()
	})
}

func TestBulkExecuteSyncsIdentityMap(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		seedBlog(t, e, 4, 0)
		s := e.db.Session()
		defer s.Close(ctx)
		u := orm.TableOf[User](e.db)
		users, err := orm.All[User](ctx, s, orm.Select[User](e.db).OrderBy(u.C("id").Asc()))
		must(t, err)
		res, err := s.Execute(ctx, stmt.Update(u).Set("name", "renamed").Where(u.C("id").In(users[0].ID, users[1].ID)))
		must(t, err)
		if res.RowsAffected != 2 {
			t.Fatalf("rows affected: %d", res.RowsAffected)
		}
		// The updated objects are reloaded by the next query that meets them.
		again, err := orm.All[User](ctx, s, orm.Select[User](e.db).OrderBy(u.C("id").Asc()))
		must(t, err)
		if again[0] != users[0] || users[0].Name != "renamed" || users[2].Name == "renamed" {
			t.Fatalf("after bulk update: %v", names(again))
		}
		res, err = s.Execute(ctx, stmt.Delete(u).Where(u.C("id").Eq(users[3].ID)))
		must(t, err)
		if res.RowsAffected != 1 {
			t.Fatalf("deleted %d", res.RowsAffected)
		}
		if _, err := orm.Get[User](ctx, s, users[3].ID); !errors.Is(err, orm.ErrNotFound) {
			t.Fatalf("deleted object still in the session: %v", err)
		}
		must(t, s.Commit(ctx))
		// Raw SQL with bound parameters through the session's connection.
		conn, err := s.Conn(ctx)
		must(t, err)
		n, err := engine.Scalar[int64](ctx, conn, stmt.Text("SELECT COUNT(*) FROM users WHERE name = :name").Bind("name", "renamed"))
		must(t, err)
		if n != 2 {
			t.Fatalf("raw count: %d", n)
		}
	})
}

func TestWriteOnly(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		f := &Feed{Name: "news"}
		must(t, s.Add(f))
		for i := 0; i < 5; i++ {
			must(t, s.Link(f, "items", &Item{Body: fmt.Sprint("item ", i)}))
		}
		must(t, s.Commit(ctx))
		if len(f.Items) != 0 {
			t.Fatal("a write-only collection keeps no loaded items after flush")
		}
		// Append without loading.
		e.n.reset()
		must(t, s.Link(f, "items", &Item{Body: "late"}))
		must(t, s.Flush(ctx))
		for _, q := range e.n.queries() {
			if strings.HasPrefix(strings.ToUpper(q), "SELECT") {
				t.Fatalf("appending to a write-only collection loaded it: %s", q)
			}
		}
		if err := s.Load(ctx, f, "items"); err == nil {
			t.Fatal("loading a write-only relationship should be refused")
		}
		q, err := s.RelatedQuery(f, "items")
		must(t, err)
		items, err := orm.All[Item](ctx, s, q.Limit(3))
		must(t, err)
		if len(items) != 3 {
			t.Fatalf("explicit query: %d items", len(items))
		}
		must(t, s.Commit(ctx))
		if n := count(t, e, "items"); n != 6 {
			t.Fatalf("items: %d", n)
		}
	})
}

func TestDynamicObjects(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres", "mysql"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// Only User is bound: posts and tags are dynamic Objects.
			e := setupWith(t, name, orm.Bind[UserOnly]("User"))
			ctx := context.Background()
			s := e.db.Session()
			defer s.Close(ctx)
			u := &UserOnly{Name: "dyn", Email: "dyn@x.org"}
			must(t, s.Add(u))
			must(t, s.Flush(ctx))
			tag, err := s.New("Tag")
			must(t, err)
			must(t, tag.Set("name", "dynamic"))
			post, err := s.New("Post")
			must(t, err)
			must(t, post.Set("title", "from a map"))
			must(t, post.Set("content", "x"))
			must(t, post.Set("author_id", u.ID))
			must(t, post.Append("tags", tag))
			must(t, s.Commit(ctx))
			s2 := e.db.Session()
			defer s2.Close(ctx)
			got, err := s2.GetObject(ctx, "Post", post.Get("id"))
			must(t, err)
			must(t, s2.Load(ctx, got, "tags"))
			if got.Get("title") != "from a map" || len(got.Many("tags")) != 1 || got.Many("tags")[0].Get("name") != "dynamic" {
				t.Fatalf("dynamic post: %v tags %v", got.Values(), got.Many("tags"))
			}
			must(t, got.Set("title", "changed"))
			must(t, s2.Commit(ctx))
			p := e.db.Table("Post")
			n, err := engine.Scalar[int64](ctx, e.eng, stmt.Select(stmt.CountAll()).From(p).Where(p.C("title").Eq("changed")))
			must(t, err)
			if n != 1 {
				t.Fatalf("dynamic update not written")
			}
		})
	}
}

// UserOnly binds User without relationship fields.
type UserOnly struct {
	ID    int64
	Name  string
	Email string
}

type HookedUser struct {
	ID     int64
	Name   string
	Email  string
	events *[]string
}

func (u *HookedUser) BeforeInsert(ctx context.Context, s *orm.Session) error {
	u.Email = strings.ToLower(u.Email)
	return nil
}

func (u *HookedUser) BeforeUpdate(ctx context.Context, s *orm.Session) error {
	if u.Name == "forbidden" {
		return errors.New("name forbidden")
	}
	return nil
}

func TestHooksAndEvents(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		var flushes, commits int
		e := setupWith(t, name, orm.Bind[HookedUser]("User"), orm.WithEvents(orm.Events{
			BeforeFlush: func(ctx context.Context, s *orm.Session) error { flushes++; return nil },
			AfterCommit: func(ctx context.Context, s *orm.Session) { commits++ },
		}))
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		u := &HookedUser{Name: "h", Email: "MiXeD@X.org"}
		must(t, s.Add(u))
		must(t, s.Commit(ctx))
		if u.Email != "mixed@x.org" || flushes != 1 || commits != 1 {
			t.Fatalf("hooks: email %q flushes %d commits %d", u.Email, flushes, commits)
		}
		u.Name = "forbidden"
		if err := s.Commit(ctx); err == nil || !strings.Contains(err.Error(), "name forbidden") {
			t.Fatalf("before-update hook error: %v", err)
		}
	})
}

func TestRefreshAndExpire(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		seedBlog(t, e, 1, 0)
		s := e.db.Session(orm.WithExpireOnCommit(false))
		defer s.Close(ctx)
		u, err := orm.First[User](ctx, s, orm.Select[User](e.db))
		must(t, err)
		// Another writer changes the row.
		_, err = e.eng.Exec(ctx, stmt.Update(e.db.Table("User")).Set("name", "outside").Where(e.db.Table("User").C("id").Eq(u.ID)))
		must(t, err)
		again, err := orm.Get[User](ctx, s, u.ID)
		must(t, err)
		if again.Name == "outside" {
			t.Fatal("without expiry the identity map should answer")
		}
		must(t, s.Expire(u))
		again, err = orm.Get[User](ctx, s, u.ID)
		must(t, err)
		if again != u || u.Name != "outside" {
			t.Fatalf("expired Get: %q", u.Name)
		}
		_, err = e.eng.Exec(ctx, stmt.Update(e.db.Table("User")).Set("name", "again").Where(e.db.Table("User").C("id").Eq(u.ID)))
		must(t, err)
		must(t, s.Refresh(ctx, u))
		if u.Name != "again" {
			t.Fatalf("refresh: %q", u.Name)
		}
		must(t, s.Expunge(u))
		if s.IsLoaded(u, "posts") {
			t.Fatal("expunged object still tracked")
		}
	})
}

func TestBindingErrors(t *testing.T) {
	type NoEmail struct {
		ID   int64
		Name string
	}
	type Extra struct {
		ID    int64
		Name  string
		Email string
		Typo  string
	}
	type BadType struct {
		ID    int64
		Name  int
		Email string
	}
	e := setup(t, "sqlite")
	for _, tc := range []struct {
		name string
		opt  orm.Option
		want string
	}{
		{"missing column", orm.Bind[NoEmail]("User"), `column "email" has no field`},
		{"unknown field", orm.Bind[Extra]("User"), "field Typo matches no column"},
		{"wrong type", orm.Bind[BadType]("User"), "cannot hold a string column"},
		{"unknown model", orm.Bind[UserOnly]("Nope"), `no model "Nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := orm.New(e.eng, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	s := e.db.Session()
	if err := s.Add(&struct{ X int }{}); !errors.Is(err, orm.ErrUnbound) {
		t.Fatalf("unbound add: %v", err)
	}
}
