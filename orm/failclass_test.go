package orm_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/orm"
)

// TestCommitWithDoneContext: a context that is already done when Commit
// starts (or ends before COMMIT is sent) sends nothing and leaves the
// session and its transaction as they were; one that ends while COMMIT runs
// is ErrCommitOutcomeUnknown wrapping the context's error — never success.
func TestCommitWithDoneContext(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		var cancelCommit bool
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		tracer := engine.TracerFunc(func(ctx context.Context, q engine.QueryInfo) (context.Context, func(error)) {
			if cancelCommit && q.SQL == "COMMIT" {
				return cancelled, func(error) {}
			}
			return ctx, func(error) {}
		})
		eng, db := openWith(t, name, []engine.Option{engine.WithTracer(tracer)})
		users := func() int64 {
			n, err := engine.Scalar[int64](ctx, eng, stmtCountOn(db, "users"))
			must(t, err)
			return n
		}
		s := db.Session()
		defer s.Close(ctx)
		u := &User{Name: "a", Email: "a@x.org"}
		must(t, s.Add(u))
		must(t, s.Flush(ctx))
		err := s.Commit(cancelled)
		if !errors.Is(err, context.Canceled) || errors.Is(err, orm.ErrCommitOutcomeUnknown) || errors.Is(err, orm.ErrSessionNeedsRollback) {
			t.Fatalf("commit with a cancelled context: %v", err)
		}
		if !s.InTransaction() {
			t.Fatal("the refused commit ended the transaction")
		}
		must(t, s.Commit(ctx)) // the same unit of work commits afterwards
		if n := users(); n != 1 {
			t.Fatalf("users: %d", n)
		}
		// The context ends while COMMIT runs (the tracer hands the driver a
		// cancelled one).
		must(t, s.Add(&User{Name: "b", Email: "b@x.org"}))
		cancelCommit = true
		err = s.Commit(ctx)
		cancelCommit = false
		switch {
		case err == nil:
			// The driver does not give up a COMMIT it has started (MySQL's
			// database/sql transaction ignores the context): then the data
			// must really be there.
			if n := users(); n != 2 {
				t.Fatalf("commit reported success, users: %d", n)
			}
		case !errors.Is(err, orm.ErrCommitOutcomeUnknown) || !errors.Is(err, context.Canceled):
			t.Fatalf("commit cancelled in flight: %v", err)
		}
		// The session is usable afterwards and its view is reloaded.
		must(t, s.Rollback(ctx))
		if _, err := orm.Get[User](ctx, s, u.ID); err != nil {
			t.Fatalf("get after the failed commit: %v", err)
		}
	})
}

// TestFailedSessionAndClosedSession: Flush after a failed flush answers
// ErrSessionNeedsRollback (still wrapping the cause) without sending
// anything; Get and All on a closed session answer ErrSessionClosed.
func TestFailedSessionAndClosedSession(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		must(t, s.Add(&User{Name: "a", Email: "same@x.org"}))
		must(t, s.Commit(ctx))
		u, err := orm.First[User](ctx, s, orm.Select[User](e.db))
		must(t, err)
		must(t, s.Add(&User{Name: "b", Email: "same@x.org"}))
		// The failed flush answers its cause; the calls after it answer
		// ErrSessionNeedsRollback wrapping that cause.
		if err := s.Flush(ctx); !engine.IsUnique(err) {
			t.Fatalf("first flush: %v", err)
		}
		e.n.reset()
		for _, call := range []struct {
			name string
			err  error
		}{
			{"Flush", s.Flush(ctx)},
			{"Commit", s.Commit(ctx)},
			{"Add", s.Add(&User{Name: "c", Email: "c@x.org"})},
		} {
			var ce *engine.ConstraintError
			if !errors.Is(call.err, orm.ErrSessionNeedsRollback) || !errors.As(call.err, &ce) {
				t.Errorf("%s after a failed flush: %v, want ErrSessionNeedsRollback wrapping the constraint error", call.name, call.err)
			}
		}
		if q := e.n.queries(); len(q) != 0 {
			t.Errorf("a failed session sent %v", q)
		}
		must(t, s.Rollback(ctx))
		must(t, s.Flush(ctx))
		must(t, s.Close(ctx))
		if _, err := orm.Get[User](ctx, s, u.ID); !errors.Is(err, orm.ErrSessionClosed) {
			t.Errorf("get on a closed session: %v", err)
		}
		if _, err := orm.All[User](ctx, s, orm.Select[User](e.db)); !errors.Is(err, orm.ErrSessionClosed) {
			t.Errorf("all on a closed session: %v", err)
		}
		if q := e.n.queries(); len(q) != 0 {
			t.Errorf("a closed session sent %v", q)
		}
	})
}

// TestTransactionBlockCommitFails: a Transaction block whose commit fails
// (here: the context ends inside the block, so COMMIT is not sent) is
// rolled back, not left open.
func TestTransactionBlockCommitFails(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		cctx, cancel := context.WithCancel(ctx)
		err := s.Transaction(cctx, func(s *orm.Session) error {
			if err := s.Add(&User{Name: "t", Email: "t@x.org"}); err != nil {
				return err
			}
			if err := s.Flush(cctx); err != nil {
				return err
			}
			cancel()
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("transaction: %v", err)
		}
		if s.InTransaction() {
			t.Fatal("the block left its transaction open")
		}
		if n := count(t, e, "users"); n != 0 {
			t.Fatalf("users: %d", n)
		}
		// The session goes on.
		must(t, s.Add(&User{Name: "u", Email: "u@x.org"}))
		must(t, s.Commit(ctx))
	})
}
