package orm_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/orm"
)

func TestFailedFlushRollsBackEverything(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		must(t, s.Add(&User{Name: "first", Email: "dup@x.org"}))
		must(t, s.Commit(ctx))

		// One flush: a user with a post (fine), then a user whose email
		// collides (fails mid-flush).
		ok := &User{Name: "ok", Email: "ok@x.org", Posts: []*Post{{Title: "t", Content: "c"}}}
		bad := &User{Name: "bad", Email: "dup@x.org"}
		must(t, s.AddAll(ok, bad))
		err := s.Flush(ctx)
		var ce *engine.ConstraintError
		if !errors.As(err, &ce) || ce.Kind != engine.Unique {
			t.Fatalf("flush error: %v", err)
		}
		// No row of that flush stays.
		if n := count(t, e, "users"); n != 1 {
			t.Fatalf("users after failed flush: %d", n)
		}
		if n := count(t, e, "posts"); n != 0 {
			t.Fatalf("posts after failed flush: %d", n)
		}
		// The session refuses work until Rollback, naming the cause.
		if _, err := orm.Get[User](ctx, s, int64(1)); !errors.Is(err, orm.ErrSessionNeedsRollback) || !errors.As(err, &ce) {
			t.Fatalf("after failed flush: %v", err)
		}
		if err := s.Add(&User{Name: "x", Email: "x@x.org"}); !errors.Is(err, orm.ErrSessionNeedsRollback) {
			t.Fatalf("add after failed flush: %v", err)
		}
		must(t, s.Rollback(ctx))
		// Pending objects are expunged and their generated keys cleared.
		if ok.ID != 0 {
			t.Fatalf("rolled-back insert left key %d", ok.ID)
		}
		u := orm.TableOf[User](e.db)
		all, err := orm.All[User](ctx, s, orm.Select[User](e.db).OrderBy(u.C("id").Asc()))
		must(t, err)
		if len(all) != 1 || all[0].Name != "first" {
			t.Fatalf("after rollback: %v", names(all))
		}
		// The objects can be fixed and added again.
		bad.Email = "fixed@x.org"
		must(t, s.AddAll(ok, bad))
		must(t, s.Commit(ctx))
		if n := count(t, e, "users"); n != 3 {
			t.Fatalf("users after retry: %d", n)
		}
		if n := count(t, e, "posts"); n != 1 {
			t.Fatalf("posts after retry: %d", n)
		}
	})
}

func TestDeletedRestoredByRollback(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		seedBlog(t, e, 1, 1)
		s := e.db.Session()
		defer s.Close(ctx)
		u, err := orm.First[User](ctx, s, orm.Select[User](e.db))
		must(t, err)
		must(t, s.Delete(u))
		must(t, s.Flush(ctx))
		if _, err := orm.Get[User](ctx, s, u.ID); !errors.Is(err, orm.ErrNotFound) {
			t.Fatalf("get of a deleted object: %v", err)
		}
		must(t, s.Rollback(ctx))
		got, err := orm.Get[User](ctx, s, u.ID)
		must(t, err)
		if got != u {
			t.Fatal("rollback did not restore the deleted object")
		}
	})
}

func TestCancelledContextDuringFlush(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		must(t, s.Add(&User{Name: "a", Email: "a@x.org"}))
		must(t, s.Flush(ctx)) // a transaction is open with one row in it
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		must(t, s.Add(&User{Name: "b", Email: "b@x.org"}))
		err := s.Flush(cctx)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("flush with a cancelled context: %v", err)
		}
		if !errors.Is(s.Commit(ctx), orm.ErrSessionNeedsRollback) {
			t.Fatal("commit after a failed flush should be refused")
		}
		must(t, s.Rollback(ctx))
		if n := count(t, e, "users"); n != 0 {
			t.Fatalf("users after cancelled flush: %d", n)
		}
	})
}

func TestOptimisticLocking(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		acc := &Account{Owner: "ann", Balance: 100}
		must(t, s.Add(acc))
		must(t, s.Commit(ctx))
		if acc.Version != 1 {
			t.Fatalf("version after insert: %d", acc.Version)
		}
		s1, s2 := e.db.Session(), e.db.Session()
		defer s1.Close(ctx)
		defer s2.Close(ctx)
		a1, err := orm.Get[Account](ctx, s1, acc.ID)
		must(t, err)
		a2, err := orm.Get[Account](ctx, s2, acc.ID)
		must(t, err)
		a1.Balance += 10
		must(t, s1.Commit(ctx))
		a2.Balance -= 10
		if err := s2.Commit(ctx); !errors.Is(err, orm.ErrStaleObject) {
			t.Fatalf("second writer: %v", err)
		}
		must(t, s2.Rollback(ctx))
		a3, err := orm.Get[Account](ctx, s2, acc.ID)
		must(t, err)
		if a3.Balance != 110 || a3.Version != 2 {
			t.Fatalf("after conflict: balance %d version %d", a3.Balance, a3.Version)
		}
		// A stale delete is refused too.
		s3 := e.db.Session()
		defer s3.Close(ctx)
		a4, err := orm.Get[Account](ctx, s3, acc.ID)
		must(t, err)
		a3.Owner = "bob"
		must(t, s2.Commit(ctx))
		must(t, s3.Delete(a4))
		if err := s3.Commit(ctx); !errors.Is(err, orm.ErrStaleObject) {
			t.Fatalf("stale delete: %v", err)
		}
	})
}

func TestConcurrentSessionsStale(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		acc := &Account{Owner: "c", Balance: 0}
		must(t, s.Add(acc))
		must(t, s.Commit(ctx))
		must(t, s.Close(ctx))
		// Eight sessions each read then increment: every commit either
		// succeeds or is stale; the balance equals the successes.
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := e.db.Session()
				defer s.Close(ctx)
				a, err := orm.Get[Account](ctx, s, acc.ID)
				if err != nil {
					t.Error(err)
					return
				}
				a.Balance++
				err = s.Commit(ctx)
				switch {
				case err == nil:
					mu.Lock()
					wins++
					mu.Unlock()
				case errors.Is(err, orm.ErrStaleObject), engine.IsRetryable(err):
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		s2 := e.db.Session()
		defer s2.Close(ctx)
		a, err := orm.Get[Account](ctx, s2, acc.ID)
		must(t, err)
		if a.Balance != int64(wins) || a.Version != int64(wins+1) || wins == 0 {
			t.Fatalf("balance %d version %d after %d successful commits", a.Balance, a.Version, wins)
		}
	})
}

func TestTransactionBlock(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		err := s.Transaction(ctx, func(s *orm.Session) error {
			return s.Add(&User{Name: "kept", Email: "kept@x.org"})
		})
		must(t, err)
		boom := errors.New("boom")
		err = s.Transaction(ctx, func(s *orm.Session) error {
			must(t, s.Add(&User{Name: "gone", Email: "gone@x.org"}))
			must(t, s.Flush(ctx))
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("transaction error: %v", err)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Error("panic not propagated")
				}
			}()
			_ = s.Transaction(ctx, func(s *orm.Session) error {
				must(t, s.Add(&User{Name: "panicked", Email: "p@x.org"}))
				must(t, s.Flush(ctx))
				panic("oops")
			})
		}()
		if n := count(t, e, "users"); n != 1 {
			t.Fatalf("users: %d", n)
		}
		// Nested: the inner block fails, the outer one commits.
		err = s.Transaction(ctx, func(s *orm.Session) error {
			must(t, s.Add(&User{Name: "outer", Email: "outer@x.org"}))
			inner := s.Nested(ctx, func(s *orm.Session) error {
				must(t, s.Add(&User{Name: "inner", Email: "inner@x.org"}))
				must(t, s.Flush(ctx))
				return boom
			})
			if !errors.Is(inner, boom) {
				t.Errorf("nested error: %v", inner)
			}
			return nil
		})
		must(t, err)
		u := orm.TableOf[User](e.db)
		all, err := orm.All[User](ctx, s, orm.Select[User](e.db).OrderBy(u.C("name").Asc()))
		must(t, err)
		if got := names(all); len(got) != 2 || got[0] != "kept" || got[1] != "outer" {
			t.Fatalf("after nested rollback: %v", got)
		}
	})
}
