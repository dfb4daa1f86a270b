package enginetest

import (
	"context"
	"errors"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

func testTransactions(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	count := func(t *testing.T, email string) int64 {
		t.Helper()
		n, err := engine.Scalar[int64](ctx, e, stmt.Select(stmt.CountAll()).From(f.U).Where(f.U.C("email").Eq(email)))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	insert := func(email string) stmt.Statement {
		return stmt.Insert(f.U).Columns("email", "active").Values(email, true)
	}

	t.Run("commit", func(t *testing.T) {
		err := e.Tx(ctx, func(tx *engine.Tx) error {
			_, err := tx.Exec(ctx, insert("commit@x"))
			if err != nil {
				return err
			}
			// Reads inside see the write.
			n, err := engine.Scalar[int64](ctx, tx, stmt.Select(stmt.CountAll()).From(f.U).Where(f.U.C("email").Eq("commit@x")))
			if err != nil || n != 1 {
				t.Errorf("read in transaction = %d, %v", n, err)
			}
			return nil
		})
		if err != nil || count(t, "commit@x") != 1 {
			t.Errorf("Tx = %v, committed rows %d", err, count(t, "commit@x"))
		}
	})
	t.Run("error rolls back", func(t *testing.T) {
		boom := errors.New("boom")
		err := e.Tx(ctx, func(tx *engine.Tx) error {
			if _, err := tx.Exec(ctx, insert("rollback@x")); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Errorf("Tx returned %v, want boom", err)
		}
		if n := count(t, "rollback@x"); n != 0 {
			t.Errorf("rolled-back row visible (%d)", n)
		}
	})
	t.Run("panic rolls back and re-panics", func(t *testing.T) {
		func() {
			defer func() {
				if p := recover(); p != "kaboom" {
					t.Errorf("recovered %v, want the original panic", p)
				}
			}()
			_ = e.Tx(ctx, func(tx *engine.Tx) error {
				if _, err := tx.Exec(ctx, insert("panic@x")); err != nil {
					return err
				}
				panic("kaboom")
			})
		}()
		if n := count(t, "panic@x"); n != 0 {
			t.Errorf("row of a panicking transaction visible (%d)", n)
		}
	})
	t.Run("savepoints", func(t *testing.T) {
		err := e.Tx(ctx, func(tx *engine.Tx) error {
			if _, err := tx.Exec(ctx, insert("outer@x")); err != nil {
				return err
			}
			inner := errors.New("inner failure")
			if err := tx.Nested(ctx, func(tx *engine.Tx) error {
				if _, err := tx.Exec(ctx, insert("inner@x")); err != nil {
					return err
				}
				return inner
			}); !errors.Is(err, inner) {
				t.Errorf("Nested = %v, want the inner error", err)
			}
			// A constraint error inside a savepoint leaves the
			// transaction usable (PostgreSQL would abort it otherwise).
			err := tx.Nested(ctx, func(tx *engine.Tx) error {
				_, err := tx.Exec(ctx, insert("outer@x"))
				return err
			})
			if !engine.IsUnique(err) {
				t.Errorf("duplicate in savepoint: %v", err)
			}
			if err := tx.Nested(ctx, func(tx *engine.Tx) error {
				_, err := tx.Exec(ctx, insert("kept@x"))
				return err
			}); err != nil {
				return err
			}
			sp, err := tx.Savepoint(ctx)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, insert("undone@x")); err != nil {
				return err
			}
			return sp.Rollback(ctx)
		})
		if err != nil {
			t.Fatal(err)
		}
		for email, want := range map[string]int64{"outer@x": 1, "inner@x": 0, "kept@x": 1, "undone@x": 0} {
			if n := count(t, email); n != want {
				t.Errorf("%s: %d rows, want %d", email, n, want)
			}
		}
	})
	t.Run("explicit begin", func(t *testing.T) {
		tx, err := e.Begin(ctx, engine.TxOptions{Isolation: "serializable"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, insert("explicit@x")); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); !errors.Is(err, engine.ErrTxDone) {
			t.Errorf("Commit after Rollback = %v, want ErrTxDone", err)
		}
		if _, err := tx.Exec(ctx, insert("late@x")); !errors.Is(err, engine.ErrTxDone) {
			t.Errorf("Exec after Rollback = %v, want ErrTxDone", err)
		}
		if n := count(t, "explicit@x"); n != 0 {
			t.Errorf("rolled back row visible")
		}
		if _, err := e.Begin(ctx, engine.TxOptions{Isolation: "chaotic"}); err == nil {
			t.Error("unknown isolation level accepted")
		}
	})
	t.Run("read only", func(t *testing.T) {
		err := e.TxWith(ctx, engine.TxOptions{ReadOnly: true}, func(tx *engine.Tx) error {
			_, err := engine.All[int64](ctx, tx, stmt.Select(f.U.C("id")))
			return err
		})
		if err != nil {
			t.Error(err)
		}
	})
}
