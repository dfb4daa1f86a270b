package orm_test

// Bad input at the API: every exported entry point of package orm, called
// with nil, empty, closed and cancelled arguments, answers an error or does
// a documented no-op — it never panics. TestBadInputCoversEveryEntryPoint
// fails when an exported function or method is added without a case here.

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// covered collects the entry points the cases below call; badRan the
// tests that ran.
var covered, badRan sync.Map

func cover(api ...string) {
	for _, a := range api {
		covered.Store(a, true)
	}
}

// noPanic runs fn and turns a panic into a test failure.
func noPanic(t *testing.T, fn func() error) (err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("panic: %v", p)
		}
	}()
	return fn()
}

var uniqN atomic.Int64

func uniqEmail() string { return fmt.Sprintf("u%d@bad.example", uniqN.Add(1)) }

// errTrue stands for a bool method that answered true.
var errTrue = errors.New("answered true")

func boolErr(b bool) error {
	if b {
		return errTrue
	}
	return nil
}

// The outcomes a session call may have for one kind of receiver.
type outcome uint8

const (
	okCall   outcome = iota // no error (a documented no-op, or the call simply works)
	anyErr                  // some error
	isCancel                // an error matching context.Canceled
	isClosed                // an error matching engine.ErrClosed
)

// sessCall is one entry point that takes a session.
type sessCall struct {
	api string
	// takesCtx: the call takes a context (so a nil one is tried).
	takesCtx bool
	// cancelled and closedEng: the outcome with a cancelled context and
	// after the engine was closed, on a session holding one loaded user
	// with nothing pending and no transaction.
	cancelled, closedEng outcome
	// closed: the outcome on a closed session (ErrSessionClosed unless
	// okCall).
	closed outcome
	// needsRollback: after a failed flush the call returns
	// ErrSessionNeedsRollback (the list docs/orm.md gives).
	needsRollback bool
	// plain: the call returns no error (bool or nothing): on a nil, zero,
	// closed or misused session it is a no-op answering false.
	plain bool
	call  func(ctx context.Context, s *orm.Session, f *badFix) error
}

// badFix is what a call works on: a persisted, loaded user.
type badFix struct {
	db      *orm.DB
	u       *User
	missing int64
}

func sessionCalls(e *env) []sessCall {
	upd := func(f *badFix) stmt.Statement {
		u := f.db.Table("users")
		return stmt.Update(u).Set("name", "x").Where(u.C("id").Eq(f.missing))
	}
	return []sessCall{
		{api: "Session.Add", cancelled: okCall, closedEng: okCall, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				return s.Add(&User{Name: "n", Email: uniqEmail()})
			}},
		{api: "Session.AddAll", cancelled: okCall, closedEng: okCall, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				return s.AddAll(&User{Name: "n", Email: uniqEmail()})
			}},
		{api: "Session.New", cancelled: okCall, closedEng: okCall, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				_, err := s.New("Account")
				return err
			}},
		{api: "Session.Delete", cancelled: okCall, closedEng: okCall, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error { return s.Delete(f.u) }},
		{api: "Session.HardDelete", cancelled: okCall, closedEng: okCall, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error { return s.HardDelete(f.u) }},
		{api: "Session.Expunge", cancelled: okCall, closedEng: okCall, closed: anyErr,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error { return s.Expunge(f.u) }},
		{api: "Session.Expire", cancelled: okCall, closedEng: okCall, closed: anyErr,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error { return s.Expire(f.u) }},
		{api: "Session.ExpireAll", plain: true, cancelled: okCall, closedEng: okCall, closed: okCall,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error { s.ExpireAll(); return nil }},
		{api: "Session.ExpungeAll", plain: true, cancelled: okCall, closedEng: okCall, closed: okCall,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error { s.ExpungeAll(); return nil }},
		{api: "Session.InTransaction", plain: true, cancelled: okCall, closedEng: okCall, closed: okCall,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error { return boolErr(s.InTransaction()) }},
		{api: "Session.IsLoaded", plain: true, cancelled: okCall, closedEng: okCall, closed: okCall,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error { return boolErr(s.IsLoaded(f.u, "posts")) }},
		{api: "Session.DB", plain: true, cancelled: okCall, closedEng: okCall, closed: okCall,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				if db := s.DB(); db != nil && db != f.db {
					return errors.New("DB returned another DB")
				}
				return nil
			}},
		{api: "Session.Related", cancelled: okCall, closedEng: okCall, closed: anyErr,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				_, err := s.Related(f.u, "posts")
				if errors.Is(err, orm.ErrNotLoaded) {
					return nil // the fixture's posts are not loaded: the call worked
				}
				return err
			}},
		{api: "Session.RelatedQuery", cancelled: okCall, closedEng: okCall, closed: anyErr,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				_, err := s.RelatedQuery(f.u, "posts")
				return err
			}},
		{api: "Session.Link", cancelled: okCall, closedEng: okCall, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				return s.Link(f.u, "posts", &Post{Title: "t", Content: "c"})
			}},
		{api: "Session.Unlink", cancelled: okCall, closedEng: okCall, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				p := &Post{Title: "t", Content: "c"}
				if err := s.Link(f.u, "posts", p); err != nil {
					return err
				}
				return s.Unlink(f.u, "posts", p)
			}},
		{api: "Session.Refresh", takesCtx: true, cancelled: isCancel, closedEng: isClosed, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error { return s.Refresh(ctx, f.u) }},
		{api: "Session.Load", takesCtx: true, cancelled: isCancel, closedEng: isClosed, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error { return s.Load(ctx, f.u, "posts") }},
		{api: "Session.Begin", takesCtx: true, cancelled: isCancel, closedEng: isClosed, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error { return s.Begin(ctx) }},
		{api: "Session.Flush", takesCtx: true, cancelled: okCall, closedEng: okCall, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error { return s.Flush(ctx) }},
		{api: "Session.Commit", takesCtx: true, cancelled: isCancel, closedEng: okCall, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error { return s.Commit(ctx) }},
		{api: "Session.Rollback", takesCtx: true, cancelled: okCall, closedEng: okCall, closed: anyErr,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error { return s.Rollback(ctx) }},
		{api: "Session.Close", takesCtx: true, cancelled: okCall, closedEng: okCall, closed: okCall,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error { return s.Close(ctx) }},
		{api: "Session.Transaction", takesCtx: true, cancelled: isCancel, closedEng: isClosed, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				return s.Transaction(ctx, func(*orm.Session) error { return nil })
			}},
		{api: "Session.Nested", takesCtx: true, cancelled: isCancel, closedEng: isClosed, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				return s.Nested(ctx, func(*orm.Session) error { return nil })
			}},
		{api: "Session.Execute", takesCtx: true, cancelled: isCancel, closedEng: isClosed, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				_, err := s.Execute(ctx, upd(f))
				return err
			}},
		{api: "Session.Conn", takesCtx: true, cancelled: okCall, closedEng: okCall, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				_, err := s.Conn(ctx)
				return err
			}},
		{api: "Session.GetObject", takesCtx: true, cancelled: isCancel, closedEng: isClosed, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				_, err := s.GetObject(ctx, "Account", f.missing)
				if errors.Is(err, orm.ErrNotFound) {
					return nil
				}
				return err
			}},
		{api: "Session.AllObjects", takesCtx: true, cancelled: isCancel, closedEng: isClosed, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				_, err := s.AllObjects(ctx, "Account", stmt.Select(f.db.Table("accounts")))
				return err
			}},
		{api: "Get", takesCtx: true, cancelled: isCancel, closedEng: isClosed, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				_, err := orm.Get[User](ctx, s, f.missing)
				if errors.Is(err, orm.ErrNotFound) {
					return nil
				}
				return err
			}},
		{api: "All", takesCtx: true, cancelled: isCancel, closedEng: isClosed, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				_, err := orm.All[User](ctx, s, orm.Select[User](f.db))
				return err
			}},
		{api: "One", takesCtx: true, cancelled: isCancel, closedEng: isClosed, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				u := orm.TableOf[User](f.db)
				_, err := orm.One[User](ctx, s, orm.Select[User](f.db).Where(u.C("id").Eq(f.u.ID)))
				return err
			}},
		{api: "First", takesCtx: true, cancelled: isCancel, closedEng: isClosed, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				_, err := orm.First[User](ctx, s, orm.Select[User](f.db))
				return err
			}},
		{api: "Stream", takesCtx: true, cancelled: isCancel, closedEng: isClosed, closed: anyErr, needsRollback: true,
			call: func(ctx context.Context, s *orm.Session, f *badFix) error {
				for _, err := range orm.Stream[User](ctx, s, orm.Select[User](f.db), true) {
					if err != nil {
						return err
					}
				}
				return nil
			}},
	}
}

// badSetup binds User, Post and Tag and leaves the other models dynamic
// (for the Object calls), with one user in the database.
func badSetup(t testing.TB, name string) (*env, int64) {
	t.Helper()
	e := setupWith(t, name, orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag"))
	ctx := context.Background()
	s := e.db.Session()
	u := &User{Name: "seed", Email: "seed@bad.example"}
	must(t, s.Add(u))
	must(t, s.Commit(ctx))
	must(t, s.Close(ctx))
	return e, u.ID
}

// loaded returns a session of db holding the user with key id.
func loaded(t *testing.T, db *orm.DB, id int64) (*orm.Session, *badFix) {
	t.Helper()
	s := db.Session()
	u, err := orm.Get[User](context.Background(), s, id)
	must(t, err)
	return s, &badFix{db: db, u: u, missing: id + 1_000_000}
}

func TestBadInputSessionCalls(t *testing.T) {
	defer badRan.Store("TestBadInputSessionCalls", true)
	each2(t, func(t *testing.T, name string) {
		e, id := badSetup(t, name)
		bg := context.Background()
		cancelled, cancel := context.WithCancel(bg)
		cancel()
		for _, c := range sessionCalls(e) {
			cover(c.api)
			t.Run(c.api, func(t *testing.T) {
				check := func(t *testing.T, what string, err error, want outcome, sentinel error) {
					t.Helper()
					switch {
					case want == okCall && err != nil:
						t.Errorf("%s: want no error (a documented no-op), have %v", what, err)
					case want == anyErr && err == nil:
						t.Errorf("%s: want an error, have none", what)
					case want == anyErr && sentinel != nil && !errors.Is(err, sentinel):
						t.Errorf("%s: want %v, have %v", what, sentinel, err)
					case want == isCancel && !errors.Is(err, context.Canceled):
						t.Errorf("%s: want context.Canceled, have %v", what, err)
					case want == isClosed && !errors.Is(err, engine.ErrClosed):
						t.Errorf("%s: want engine.ErrClosed, have %v", what, err)
					}
				}
				f := &badFix{db: e.db, missing: id + 1_000_000}
				f.u = &User{ID: id}
				// Receivers that are not sessions at all.
				want := anyErr
				if c.plain {
					want = okCall
				}
				for _, r := range []struct {
					name string
					s    *orm.Session
				}{
					{"nil session", nil},
					{"zero session", new(orm.Session)},
					{"session of a nil DB", (*orm.DB)(nil).Session()},
				} {
					check(t, r.name, noPanic(t, func() error { return c.call(bg, r.s, f) }), want, nil)
				}
				// A closed session.
				s, f := loaded(t, e.db, id)
				must(t, s.Close(bg))
				sentinel := orm.ErrSessionClosed
				if c.closed == okCall {
					sentinel = nil
				}
				check(t, "closed session", noPanic(t, func() error { return c.call(bg, s, f) }), c.closed, sentinel)
				// A nil and a cancelled context.
				if c.takesCtx {
					s, f := loaded(t, e.db, id)
					var nilCtx context.Context
					err := noPanic(t, func() error { return c.call(nilCtx, s, f) })
					if c.api == "Session.Close" || c.api == "Session.Rollback" {
						check(t, "nil context (cleanup takes it as Background)", err, okCall, nil)
					} else if err == nil || !strings.Contains(err.Error(), "nil context") {
						t.Errorf("nil context: want a nil-context error, have %v", err)
					}
					must(t, s.Close(bg))
				}
				s, f = loaded(t, e.db, id)
				check(t, "cancelled context", noPanic(t, func() error { return c.call(cancelled, s, f) }), c.cancelled, nil)
				must(t, s.Close(bg))
				// A closed engine (a second engine on the same database, so
				// the suite's own stays open).
				eng2, err := dlayer.Open(bg, "testdata", e.url)
				must(t, err)
				db2, err := orm.New(eng2, orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag"))
				must(t, err)
				s, f = loaded(t, db2, id)
				must(t, eng2.Close())
				check(t, "closed engine", noPanic(t, func() error { return c.call(bg, s, f) }), c.closedEng, nil)
				// After a failed flush: the documented calls refuse with
				// ErrSessionNeedsRollback, the others do not.
				s, f = loaded(t, e.db, id)
				must(t, s.Add(&User{Name: "dup", Email: "seed@bad.example"}))
				if err := s.Flush(bg); err == nil {
					t.Fatal("the duplicate email flushed")
				}
				err = noPanic(t, func() error { return c.call(bg, s, f) })
				if got := errors.Is(err, orm.ErrSessionNeedsRollback); got != c.needsRollback {
					t.Errorf("after a failed flush: ErrSessionNeedsRollback = %v, want %v (err: %v)", got, c.needsRollback, err)
				}
				_ = s.Close(bg)
			})
		}
	})
}

// TestBadInputArguments calls entry points with nil, empty and wrong
// arguments on a live session.
func TestBadInputArguments(t *testing.T) {
	defer badRan.Store("TestBadInputArguments", true)
	each2(t, func(t *testing.T, name string) {
		e, id := badSetup(t, name)
		ctx := context.Background()
		other, err := orm.New(e.eng) // every model dynamic
		must(t, err)
		type tc struct {
			api  []string
			name string
			run  func(s *orm.Session, u *User) error
			// ok: the call is a documented no-op (no error).
			ok bool
			is error
		}
		var nilSelect *stmt.SelectStmt
		var nilUpdate *stmt.UpdateStmt
		cases := []tc{
			{api: []string{"Session.Add"}, name: "nil", run: func(s *orm.Session, u *User) error { return s.Add(nil) }, is: orm.ErrUnbound},
			{api: []string{"Session.Add"}, name: "typed nil", run: func(s *orm.Session, u *User) error { return s.Add((*User)(nil)) }, is: orm.ErrUnbound},
			{api: []string{"Session.Add"}, name: "not a pointer", run: func(s *orm.Session, u *User) error { return s.Add(User{}) }, is: orm.ErrUnbound},
			{api: []string{"Session.Add"}, name: "unbound type", run: func(s *orm.Session, u *User) error { return s.Add(&Account{}) }, is: orm.ErrUnbound},
			{api: []string{"Session.Add"}, name: "zero Object", run: func(s *orm.Session, u *User) error { return s.Add(&orm.Object{}) }, is: orm.ErrUnbound},
			{api: []string{"Session.Add"}, name: "Object of another DB", run: func(s *orm.Session, u *User) error {
				o, err := other.Session().New("Account")
				if err != nil {
					return fmt.Errorf("setup: %w", err) // fails the errors.Is below
				}
				return s.Add(o)
			}, is: orm.ErrUnbound},
			{api: []string{"Session.Add", "Session.Flush"}, name: "nil element in a collection", ok: true, run: func(s *orm.Session, u *User) error {
				if err := s.Add(&User{Name: "n", Email: uniqEmail(), Posts: []*Post{nil}}); err != nil {
					return err
				}
				return s.Flush(ctx)
			}},
			{api: []string{"Session.AddAll"}, name: "none", ok: true, run: func(s *orm.Session, u *User) error { return s.AddAll() }},
			{api: []string{"Session.AddAll"}, name: "a nil among them", run: func(s *orm.Session, u *User) error { return s.AddAll(&User{Name: "a", Email: uniqEmail()}, nil) }, is: orm.ErrUnbound},
			{api: []string{"Session.New"}, name: "empty model", run: func(s *orm.Session, u *User) error { _, err := s.New(""); return err }},
			{api: []string{"Session.New"}, name: "bound model", run: func(s *orm.Session, u *User) error { _, err := s.New("User"); return err }},
			{api: []string{"Session.Delete"}, name: "nil", run: func(s *orm.Session, u *User) error { return s.Delete(nil) }, is: orm.ErrUnbound},
			{api: []string{"Session.Delete"}, name: "not in the session", run: func(s *orm.Session, u *User) error { return s.Delete(&User{ID: 5}) }, is: orm.ErrDetached},
			{api: []string{"Session.HardDelete"}, name: "nil", run: func(s *orm.Session, u *User) error { return s.HardDelete(nil) }, is: orm.ErrUnbound},
			{api: []string{"Session.HardDelete"}, name: "not in the session", run: func(s *orm.Session, u *User) error { return s.HardDelete(&User{ID: 5}) }, is: orm.ErrDetached},
			{api: []string{"Session.Expunge"}, name: "nil", run: func(s *orm.Session, u *User) error { return s.Expunge(nil) }, is: orm.ErrUnbound},
			{api: []string{"Session.Expire"}, name: "nil", run: func(s *orm.Session, u *User) error { return s.Expire(nil) }, is: orm.ErrUnbound},
			{api: []string{"Session.Refresh"}, name: "nil", run: func(s *orm.Session, u *User) error { return s.Refresh(ctx, nil) }, is: orm.ErrUnbound},
			{api: []string{"Session.Refresh"}, name: "pending", run: func(s *orm.Session, u *User) error {
				p := &User{Name: "p", Email: uniqEmail()}
				_ = s.Add(p)
				return s.Refresh(ctx, p)
			}, is: orm.ErrDetached},
			{api: []string{"Session.Load"}, name: "nil object", run: func(s *orm.Session, u *User) error { return s.Load(ctx, nil, "posts") }, is: orm.ErrUnbound},
			{api: []string{"Session.Load"}, name: "empty path", run: func(s *orm.Session, u *User) error { return s.Load(ctx, u, "") }, is: stmt.ErrUnknown},
			{api: []string{"Session.Load"}, name: "trailing dot", run: func(s *orm.Session, u *User) error { return s.Load(ctx, u, "posts.") }, is: stmt.ErrUnknown},
			{api: []string{"Session.Related"}, name: "nil object", run: func(s *orm.Session, u *User) error { _, err := s.Related(nil, "posts"); return err }, is: orm.ErrUnbound},
			{api: []string{"Session.Related"}, name: "empty name", run: func(s *orm.Session, u *User) error { _, err := s.Related(u, ""); return err }, is: stmt.ErrUnknown},
			{api: []string{"Session.IsLoaded"}, name: "nil object", ok: true, run: func(s *orm.Session, u *User) error { return boolErr(s.IsLoaded(nil, "posts")) }},
			{api: []string{"Session.IsLoaded"}, name: "empty name", ok: true, run: func(s *orm.Session, u *User) error { return boolErr(s.IsLoaded(u, "")) }},
			{api: []string{"Session.RelatedQuery"}, name: "nil object", run: func(s *orm.Session, u *User) error { _, err := s.RelatedQuery(nil, "posts"); return err }, is: orm.ErrUnbound},
			{api: []string{"Session.RelatedQuery"}, name: "empty name", run: func(s *orm.Session, u *User) error { _, err := s.RelatedQuery(u, ""); return err }, is: stmt.ErrUnknown},
			{api: []string{"Session.Link"}, name: "nil parent", run: func(s *orm.Session, u *User) error { return s.Link(nil, "posts", &Post{}) }, is: orm.ErrUnbound},
			{api: []string{"Session.Link"}, name: "nil child", run: func(s *orm.Session, u *User) error { return s.Link(u, "posts", nil) }, is: orm.ErrUnbound},
			{api: []string{"Session.Link"}, name: "typed nil child", run: func(s *orm.Session, u *User) error { return s.Link(u, "posts", (*Post)(nil)) }, is: orm.ErrUnbound},
			{api: []string{"Session.Link"}, name: "wrong child type", run: func(s *orm.Session, u *User) error { return s.Link(u, "posts", &Tag{}) }},
			{api: []string{"Session.Link"}, name: "empty name", run: func(s *orm.Session, u *User) error { return s.Link(u, "", &Post{}) }, is: stmt.ErrUnknown},
			{api: []string{"Session.Link"}, name: "no children", ok: true, run: func(s *orm.Session, u *User) error { return s.Link(u, "posts") }},
			{api: []string{"Session.Unlink"}, name: "nil child", run: func(s *orm.Session, u *User) error { return s.Unlink(u, "posts", nil) }, is: orm.ErrUnbound},
			{api: []string{"Session.Unlink"}, name: "wrong child type", run: func(s *orm.Session, u *User) error { return s.Unlink(u, "posts", &Tag{}) }},
			{api: []string{"Session.Unlink"}, name: "child not in the session", run: func(s *orm.Session, u *User) error { return s.Unlink(u, "posts", &Post{}) }, is: orm.ErrDetached},
			{api: []string{"Session.Transaction"}, name: "nil function", run: func(s *orm.Session, u *User) error { return s.Transaction(ctx, nil) }},
			{api: []string{"Session.Transaction"}, name: "nil options", ok: true, run: func(s *orm.Session, u *User) error {
				return s.Transaction(ctx, func(*orm.Session) error { return nil }, nil, engine.WithRetry(engine.RetryPolicy{}))
			}},
			{api: []string{"Session.Transaction"}, name: "unknown isolation level", run: func(s *orm.Session, u *User) error {
				return s.Transaction(ctx, func(*orm.Session) error { return nil }, engine.WithIsolation("bogus"))
			}},
			{api: []string{"Session.Begin"}, name: "retry policy", run: func(s *orm.Session, u *User) error { return s.Begin(ctx, engine.WithRetry(engine.RetryPolicy{})) }},
			{api: []string{"Session.Begin"}, name: "nil option", ok: true, run: func(s *orm.Session, u *User) error {
				if err := s.Begin(ctx, nil); err != nil {
					return err
				}
				return s.Rollback(ctx)
			}},
			{api: []string{"Session.Nested"}, name: "nil function", run: func(s *orm.Session, u *User) error { return s.Nested(ctx, nil) }},
			{api: []string{"Session.Execute"}, name: "nil statement", run: func(s *orm.Session, u *User) error { _, err := s.Execute(ctx, nil); return err }},
			{api: []string{"Session.Execute"}, name: "typed nil statement", run: func(s *orm.Session, u *User) error { _, err := s.Execute(ctx, nilUpdate); return err }},
			{api: []string{"Session.Execute"}, name: "empty raw text", run: func(s *orm.Session, u *User) error { _, err := s.Execute(ctx, stmt.Text("")); return err }},
			{api: []string{"Session.GetObject"}, name: "empty model", run: func(s *orm.Session, u *User) error { _, err := s.GetObject(ctx, "", 1); return err }},
			{api: []string{"Session.GetObject"}, name: "no key", run: func(s *orm.Session, u *User) error { _, err := s.GetObject(ctx, "Account"); return err }},
			{api: []string{"Session.GetObject"}, name: "bound model", run: func(s *orm.Session, u *User) error { _, err := s.GetObject(ctx, "User", id); return err }},
			{api: []string{"Session.AllObjects"}, name: "nil query", run: func(s *orm.Session, u *User) error { _, err := s.AllObjects(ctx, "Account", nil); return err }},
			{api: []string{"Session.AllObjects"}, name: "empty model", run: func(s *orm.Session, u *User) error {
				_, err := s.AllObjects(ctx, "", stmt.Select(e.db.Table("accounts")))
				return err
			}},
			{api: []string{"Get"}, name: "no key", run: func(s *orm.Session, u *User) error { _, err := orm.Get[User](ctx, s); return err }},
			{api: []string{"Get"}, name: "nil key", run: func(s *orm.Session, u *User) error { _, err := orm.Get[User](ctx, s, nil); return err }},
			{api: []string{"Get"}, name: "unbound type", run: func(s *orm.Session, u *User) error { _, err := orm.Get[Account](ctx, s, 1); return err }, is: orm.ErrUnbound},
			{api: []string{"Get"}, name: "Object type", run: func(s *orm.Session, u *User) error { _, err := orm.Get[orm.Object](ctx, s, 1); return err }},
			{api: []string{"All"}, name: "nil query", run: func(s *orm.Session, u *User) error { _, err := orm.All[User](ctx, s, nilSelect); return err }},
			{api: []string{"All"}, name: "another table's query", run: func(s *orm.Session, u *User) error {
				_, err := orm.All[User](ctx, s, orm.Select[Post](e.db))
				return err
			}},
			{api: []string{"All"}, name: "empty select list", run: func(s *orm.Session, u *User) error {
				_, err := orm.All[User](ctx, s, stmt.Select())
				return err
			}},
			{api: []string{"All", "SelectIn"}, name: "empty load path", run: func(s *orm.Session, u *User) error {
				_, err := orm.All[User](ctx, s, orm.Select[User](e.db), orm.SelectIn(""))
				return err
			}, is: stmt.ErrUnknown},
			{api: []string{"All", "Joined"}, name: "unknown joined path", run: func(s *orm.Session, u *User) error {
				_, err := orm.All[User](ctx, s, orm.Select[User](e.db), orm.Joined("posts..tags"))
				return err
			}, is: stmt.ErrUnknown},
			{api: []string{"All", "Lazy", "Raise", "NoLoad"}, name: "empty paths", run: func(s *orm.Session, u *User) error {
				_, err := orm.All[User](ctx, s, orm.Select[User](e.db), orm.Lazy(""), orm.Raise(""), orm.NoLoad(""))
				return err
			}, is: stmt.ErrUnknown},
			{api: []string{"All", "SelectIn", "Limit"}, name: "limit below 1", run: func(s *orm.Session, u *User) error {
				_, err := orm.All[User](ctx, s, orm.Select[User](e.db), orm.SelectIn("posts", orm.Limit(0)))
				return err
			}},
			{api: []string{"All", "SelectIn", "Limit"}, name: "limit on a to-one", run: func(s *orm.Session, u *User) error {
				_, err := orm.All[Post](ctx, s, orm.Select[Post](e.db), orm.SelectIn("author", orm.Limit(2)))
				return err
			}},
			{api: []string{"All", "SelectIn", "OrderBy"}, name: "unknown order column", run: func(s *orm.Session, u *User) error {
				_, err := orm.All[User](ctx, s, orm.Select[User](e.db), orm.SelectIn("posts", orm.OrderBy("titel desc")))
				return err
			}},
			{api: []string{"All", "SelectIn", "OrderBy"}, name: "bad order direction and empty term", run: func(s *orm.Session, u *User) error {
				_, err := orm.All[User](ctx, s, orm.Select[User](e.db), orm.SelectIn("posts", orm.OrderBy("title sideways", "")))
				return err
			}},
			{api: []string{"All", "SelectIn"}, name: "nil load option", run: func(s *orm.Session, u *User) error {
				_, err := orm.All[User](ctx, s, orm.Select[User](e.db), orm.SelectIn("posts", nil))
				return err
			}},
			{api: []string{"All", "WithDeleted"}, name: "with deleted on a model without soft delete, unknown path", run: func(s *orm.Session, u *User) error {
				_, err := orm.All[User](ctx, s, orm.Select[User](e.db), orm.WithDeleted(), orm.SelectIn("postz"))
				return err
			}, is: stmt.ErrUnknown},
			{api: []string{"All"}, name: "zero Load", run: func(s *orm.Session, u *User) error {
				_, err := orm.All[User](ctx, s, orm.Select[User](e.db), orm.Load{})
				return err
			}},
			{api: []string{"One"}, name: "nil query", run: func(s *orm.Session, u *User) error { _, err := orm.One[User](ctx, s, nil); return err }},
			{api: []string{"First"}, name: "nil query", run: func(s *orm.Session, u *User) error { _, err := orm.First[User](ctx, s, nil); return err }},
			{api: []string{"Stream"}, name: "nil query", run: func(s *orm.Session, u *User) error {
				for _, err := range orm.Stream[User](ctx, s, nil, false) {
					return err
				}
				return nil
			}},
			{api: []string{"Stream"}, name: "unbound type", run: func(s *orm.Session, u *User) error {
				for _, err := range orm.Stream[Account](ctx, s, orm.Select[User](e.db), false) {
					return err
				}
				return nil
			}, is: orm.ErrUnbound},
		}
		for _, c := range cases {
			cover(c.api...)
			t.Run(strings.Join(c.api, "+")+"/"+c.name, func(t *testing.T) {
				s, f := loaded(t, e.db, id)
				defer s.Close(ctx)
				err := noPanic(t, func() error { return c.run(s, f.u) })
				switch {
				case c.ok && err != nil:
					t.Fatalf("want no error (a documented no-op), have %v", err)
				case !c.ok && err == nil:
					t.Fatal("want an error, have none")
				case c.is != nil && !errors.Is(err, c.is):
					t.Fatalf("want %v, have %v", c.is, err)
				}
			})
		}
	})
}

// TestBadInputPackageFunctions covers the entry points that take no
// session: New and its options, the DB's methods, the context helpers,
// Middleware, and dynamic Objects.
func TestBadInputPackageFunctions(t *testing.T) {
	defer badRan.Store("TestBadInputPackageFunctions", true)
	e, _ := badSetup(t, "sqlite")
	ctx := context.Background()
	type tc struct {
		api  []string
		name string
		run  func() error
		ok   bool
	}
	newErr := func(opts ...orm.Option) func() error {
		return func() error { _, err := orm.New(e.eng, opts...); return err }
	}
	var nilDB *orm.DB
	dyn, err := orm.New(e.eng) // every model dynamic
	must(t, err)
	obj := func() *orm.Object {
		o, err := dyn.Session().New("Account")
		must(t, err)
		return o
	}
	var nilObj *orm.Object
	serve := func(mw func(http.Handler) http.Handler, h http.Handler) (int, string) {
		rec := httptest.NewRecorder()
		mw(h).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		return rec.Code, rec.Body.String()
	}
	quiet := orm.ErrorLog(slog.New(slog.NewTextHandler(io.Discard, nil)))
	cases := []tc{
		{api: []string{"New"}, name: "nil engine", run: func() error { _, err := orm.New(nil); return err }},
		{api: []string{"As"}, name: "nil session, nil object", ok: true, run: func() error { return notOK(orm.As[User](nil, nil)) }},
		{api: []string{"As"}, name: "nil *T", ok: true, run: func() error { var u *User; return notOK(orm.As[User](e.db.Session(), u)) }},
		{api: []string{"As"}, name: "unbound T", ok: true, run: func() error { return notOK(orm.As[int](e.db.Session(), &User{})) }},
		{api: []string{"As"}, name: "not a pointer", ok: true, run: func() error { return notOK(orm.As[Post](e.db.Session(), User{})) }},
		{api: []string{"As"}, name: "object not in the session", ok: true, run: func() error { return notOK(orm.As[Post](e.db.Session(), &User{})) }},
		{api: []string{"As"}, name: "closed session", ok: true, run: func() error {
			s := e.db.Session()
			s.Close(ctx)
			return notOK(orm.As[Post](s, &User{}))
		}},
		{api: []string{"Session.ModelOf"}, name: "nil session", ok: true, run: func() error { return emptyName((*orm.Session)(nil).ModelOf(&User{})) }},
		{api: []string{"Session.ModelOf"}, name: "nil object", ok: true, run: func() error { return emptyName(e.db.Session().ModelOf(nil)) }},
		{api: []string{"Session.ModelOf"}, name: "nil *Object", ok: true, run: func() error { return emptyName(e.db.Session().ModelOf(nilObj)) }},
		{api: []string{"Session.ModelOf"}, name: "not a pointer", ok: true, run: func() error { return emptyName(e.db.Session().ModelOf(42)) }},
		{api: []string{"Session.ModelOf"}, name: "unbound pointer", ok: true, run: func() error { return emptyName(e.db.Session().ModelOf(new(int))) }},
		{api: []string{"New"}, name: "nil option", ok: true, run: newErr(nil)},
		{api: []string{"New"}, name: "engine without a schema", run: func() error {
			eng, err := engine.Open(ctx, "sqlite:"+t.TempDir()+"/x.db")
			if err != nil {
				return nil // makes the case fail: want an error from New
			}
			defer eng.Close()
			_, err = orm.New(eng)
			return err
		}},
		{api: []string{"New"}, name: "closed engine (New does no I/O)", ok: true, run: func() error {
			eng, err := dlayer.Open(ctx, "testdata", e.url)
			if err != nil {
				return err
			}
			eng.Close()
			_, err = orm.New(eng)
			return err
		}},
		{api: []string{"Bind"}, name: "empty model", run: newErr(orm.Bind[User](""))},
		{api: []string{"Bind"}, name: "not a struct", run: newErr(orm.Bind[int]("User"))},
		{api: []string{"Bind"}, name: "pointer type", run: newErr(orm.Bind[*User]("User"))},
		{api: []string{"Bind"}, name: "bound twice", run: newErr(orm.Bind[User]("User"), orm.Bind[User]("User"))},
		{api: []string{"Replicas"}, name: "nil replica", run: newErr(orm.Replicas(nil))},
		{api: []string{"Replicas"}, name: "none", ok: true, run: newErr(orm.Replicas())},
		{api: []string{"ReplicaRetry"}, name: "zero", run: newErr(orm.Replicas(e.eng), orm.ReplicaRetry(0, time.Second))},
		{api: []string{"ReplicaRetry"}, name: "negative", run: newErr(orm.Replicas(e.eng), orm.ReplicaRetry(-time.Second, time.Second))},
		{api: []string{"ReplicaRetry"}, name: "max below first", run: newErr(orm.Replicas(e.eng), orm.ReplicaRetry(time.Second, time.Millisecond))},
		{api: []string{"ReplicaRetry"}, name: "without replicas", ok: true, run: newErr(orm.ReplicaRetry(time.Millisecond, time.Second))},
		{api: []string{"MaxLag"}, name: "zero", run: newErr(orm.MaxLag(0))},
		{api: []string{"MaxLag"}, name: "negative", run: newErr(orm.MaxLag(-time.Second))},
		{api: []string{"MaxLag"}, name: "a dialect that cannot measure lag", run: newErr(orm.Replicas(e.eng), orm.MaxLag(time.Second))},
		{api: []string{"MaxLag"}, name: "without replicas", ok: true, run: newErr(orm.MaxLag(time.Second))},
		{api: []string{"BindModel"}, name: "nil engine", run: newErr(orm.BindModel("Account", nil))},
		{api: []string{"BindModel"}, name: "unknown model", run: newErr(orm.BindModel("Acount", e.eng))},
		{api: []string{"BindModel"}, name: "empty model", run: newErr(orm.BindModel("", e.eng))},
		{api: []string{"InChunk"}, name: "negative", run: newErr(orm.InChunk(-1))},
		{api: []string{"InChunk"}, name: "zero is the default", ok: true, run: newErr(orm.InChunk(0))},
		{api: []string{"WithEvents"}, name: "no events", ok: true, run: newErr(orm.WithEvents(orm.Events{}))},
		{api: []string{"Autoflush", "ExpireOnCommit"}, name: "off", ok: true, run: newErr(orm.Autoflush(false), orm.ExpireOnCommit(false))},
		{api: []string{"DB.Session", "WithAutoflush", "WithExpireOnCommit"}, name: "nil option", ok: true, run: func() error {
			s := dyn.Session(nil, orm.WithAutoflush(false), orm.WithExpireOnCommit(false))
			return s.Close(ctx)
		}},
		{api: []string{"DB.Session", "WithQueryBudget", "Session.Statements", "Session.BudgetErr"}, name: "zero and negative budget", ok: true, run: func() error {
			s := dyn.Session(orm.WithQueryBudget(orm.Budget{}), orm.WithQueryBudget(orm.Budget{MaxStatements: -5, MaxRepeats: -1}))
			defer s.Close(ctx)
			var nilSess *orm.Session
			if s.Statements() != 0 || s.BudgetErr() != nil || nilSess.Statements() != -1 || nilSess.BudgetErr() != nil || dyn.Session().Statements() != -1 {
				return errors.New("counts from nothing")
			}
			return nil
		}},
		{api: []string{"Middleware", "RequestBudget"}, name: "nil DB with a budget", run: func() error {
			code, body := serve(orm.Middleware(nil, quiet, orm.RequestBudget(orm.Budget{MaxStatements: -1})), http.NotFoundHandler())
			return fmt.Errorf("%d %s", code, body)
		}},
		{api: []string{"DB.SessionIn"}, name: "nil DB", run: func() error { _, err := nilDB.SessionIn(nil); return err }},
		{api: []string{"DB.SessionIn"}, name: "nil transaction", run: func() error { _, err := dyn.SessionIn(nil); return err }},
		{api: []string{"DB.SessionIn"}, name: "zero transaction", run: func() error { _, err := dyn.SessionIn(&engine.Tx{}); return err }},
		{api: []string{"DB.SessionIn"}, name: "finished transaction", run: func() error {
			tx, err := e.eng.Begin(ctx, engine.TxOptions{})
			if err != nil {
				return nil // makes the case fail
			}
			if err := tx.Rollback(ctx); err != nil {
				return nil
			}
			s, err := e.db.SessionIn(tx, nil)
			if err != nil {
				return err
			}
			defer s.Close(ctx)
			_, err = orm.All[User](ctx, s, orm.Select[User](e.db))
			return err
		}},
		{api: []string{"DB.Engine", "DB.Schema"}, name: "nil DB", ok: true, run: func() error {
			if nilDB.Engine() != nil || nilDB.Schema() != nil {
				return errors.New("non-nil")
			}
			return nil
		}},
		{api: []string{"DB.Table"}, name: "nil DB", run: func() error { return nilDB.Table("users").Err() }},
		{api: []string{"DB.Table"}, name: "empty name", run: func() error { return dyn.Table("").Err() }},
		{api: []string{"TableOf"}, name: "nil DB", run: func() error { return orm.TableOf[User](nil).Err() }},
		{api: []string{"TableOf"}, name: "unbound type", run: func() error { return orm.TableOf[User](dyn).Err() }},
		{api: []string{"Attr"}, name: "nil DB", run: func() error { return compileErr(e, orm.Attr[User](nil, "n")) }},
		{api: []string{"Attr"}, name: "unbound type", run: func() error { return compileErr(e, orm.Attr[User](dyn, "n")) }},
		{api: []string{"DB.Attr"}, name: "nil DB", run: func() error { return compileErr(e, nilDB.Attr("User", "n")) }},
		{api: []string{"DB.Attr"}, name: "unknown model and attribute", run: func() error {
			if err := compileErr(e, dyn.Attr("Nope", "n")); err == nil {
				return errors.New("unknown model accepted")
			}
			return compileErr(e, dyn.Attr("User", ""))
		}},
		{api: []string{"Select"}, name: "nil DB", run: func() error {
			_, err := e.eng.Compile(orm.Select[User](nil))
			return err
		}},
		{api: []string{"DB.Scoped"}, name: "nil context and nil DB", run: func() error {
			s, sctx, release := nilDB.Scoped(nil)
			defer release()
			if orm.FromContext(sctx) != s {
				return nil // makes the case fail
			}
			return s.Add(&User{})
		}},
		{api: []string{"WithSession", "FromContext"}, name: "nil context, nil session", ok: true, run: func() error {
			if orm.FromContext(nil) != nil || orm.FromContext(orm.WithSession(nil, nil)) != nil {
				return errors.New("a session from nothing")
			}
			return nil
		}},
		{api: []string{"Middleware", "ErrorLog"}, name: "nil DB", run: func() error {
			code, body := serve(orm.Middleware(nil, quiet), http.NotFoundHandler())
			return fmt.Errorf("%d %s", code, body) // checked below by status
		}},
		{api: []string{"Middleware", "OnError"}, name: "nil handler, nil options", run: func() error {
			var got error
			code, _ := serve(orm.Middleware(dyn, nil, quiet, orm.OnError(nil), orm.OnError(func(r *http.Request, err error) { got = err })), nil)
			if code != http.StatusInternalServerError || got == nil {
				return nil // makes the case fail
			}
			return got
		}},
		{api: []string{"Middleware"}, name: "invalid status from the handler", run: func() error {
			var got error
			code, _ := serve(orm.Middleware(dyn, quiet, orm.OnError(func(r *http.Request, err error) { got = err })),
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(42) }))
			if code != http.StatusInternalServerError {
				return nil
			}
			return got
		}},
		{api: []string{"Object.Model", "Object.Get", "Object.Values", "Object.One", "Object.Many"}, name: "nil Object", ok: true, run: func() error {
			if nilObj.Model() != "" || nilObj.Get("id") != nil || nilObj.Values() != nil || nilObj.One("x") != nil || nilObj.Many("x") != nil {
				return errors.New("a value from a nil Object")
			}
			z := &orm.Object{}
			if z.Model() != "" || z.Get("id") != nil || z.Values() != nil || z.One("x") != nil || z.Many("x") != nil {
				return errors.New("a value from a zero Object")
			}
			return nil
		}},
		{api: []string{"Object.Set"}, name: "nil Object", run: func() error { return nilObj.Set("id", 1) }},
		{api: []string{"Object.Set"}, name: "zero Object", run: func() error { return (&orm.Object{}).Set("id", 1) }},
		{api: []string{"Object.Set"}, name: "empty column", run: func() error { return obj().Set("", 1) }},
		{api: []string{"Object.SetOne"}, name: "nil Object", run: func() error { return nilObj.SetOne("author", nil) }},
		{api: []string{"Object.SetOne"}, name: "unknown relationship", run: func() error { return obj().SetOne("", nil) }},
		{api: []string{"Object.SetOne"}, name: "wrong model", run: func() error {
			s := dyn.Session()
			p, err := s.New("Post")
			if err != nil {
				return nil
			}
			return p.SetOne("author", obj())
		}},
		{api: []string{"Object.SetOne"}, name: "nil unsets", ok: true, run: func() error {
			p, err := dyn.Session().New("Post")
			if err != nil {
				return err
			}
			return p.SetOne("author", nil)
		}},
		{api: []string{"Object.SetMany"}, name: "nil element", run: func() error {
			u, err := dyn.Session().New("User")
			if err != nil {
				return nil
			}
			return u.SetMany("posts", []*orm.Object{nil})
		}},
		{api: []string{"Object.SetMany"}, name: "nil Object", run: func() error { return nilObj.SetMany("posts", nil) }},
		{api: []string{"Object.Append"}, name: "nil Object", run: func() error { return nilObj.Append("posts") }},
		{api: []string{"Object.Append"}, name: "wrong model", run: func() error {
			u, err := dyn.Session().New("User")
			if err != nil {
				return nil
			}
			return u.Append("posts", obj())
		}},
		{api: []string{"Object.SetOne"}, name: "a collection as to-one", run: func() error {
			u, err := dyn.Session().New("User")
			if err != nil {
				return nil
			}
			return u.SetOne("posts", nil)
		}},
	}
	for _, c := range cases {
		cover(c.api...)
		t.Run(strings.Join(c.api, "+")+"/"+c.name, func(t *testing.T) {
			err := noPanic(t, c.run)
			switch {
			case c.ok && err != nil:
				t.Fatalf("want no error (a documented no-op), have %v", err)
			case !c.ok && err == nil:
				t.Fatal("want an error, have none")
			}
			if strings.HasPrefix(c.name, "nil DB") && strings.Contains(strings.Join(c.api, " "), "Middleware") && !strings.HasPrefix(err.Error(), "500 ") {
				t.Fatalf("Middleware(nil): %v, want a 500", err)
			}
		})
	}
}

// TestBadInputCoversEveryEntryPoint lists the package's exported functions
// and methods from its source and checks that the bad-input tests above
// call each one.
func TestBadInputCoversEveryEntryPoint(t *testing.T) {
	// The other tests record what they call; run those that did not run
	// (go test -run selected this one alone).
	for _, x := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"TestBadInputSessionCalls", TestBadInputSessionCalls},
		{"TestBadInputArguments", TestBadInputArguments},
		{"TestBadInputPackageFunctions", TestBadInputPackageFunctions},
	} {
		if _, ran := badRan.Load(x.name); !ran {
			t.Run(x.name, x.fn)
		}
	}
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", nil, parser.SkipObjectResolution)
	must(t, err)
	var missing []string
	for name, pkg := range pkgs {
		if name != "orm" {
			continue
		}
		for fname, f := range pkg.Files {
			if strings.HasSuffix(fname, "_test.go") {
				continue
			}
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || !fd.Name.IsExported() {
					continue
				}
				api := fd.Name.Name
				if fd.Recv != nil {
					typ := fd.Recv.List[0].Type
					if st, ok := typ.(*ast.StarExpr); ok {
						typ = st.X
					}
					id, ok := typ.(*ast.Ident)
					if !ok || !id.IsExported() {
						continue
					}
					api = id.Name + "." + api
				}
				if _, ok := covered.Load(api); !ok {
					missing = append(missing, api)
				}
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("exported entry points without a bad-input case: %s", strings.Join(missing, ", "))
	}
}

// notOK is an error when As reported success.
func notOK[T any](v *T, ok bool) error {
	if ok || v != nil {
		return fmt.Errorf("As: want (nil, false), have (%v, %v)", v, ok)
	}
	return nil
}

// emptyName is an error when ModelOf named a model.
func emptyName(name string) error {
	if name != "" {
		return fmt.Errorf("ModelOf: want \"\", have %q", name)
	}
	return nil
}

// compileErr compiles a query filtering on x and returns the error.
func compileErr(e *env, x stmt.Expr) error {
	_, err := e.eng.Compile(stmt.Select(stmt.Val(1)).Where(stmt.Gt(x, 1)))
	return err
}
