package enginetest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

// noWait retries at once: the tests force their conflicts.
var noWait = engine.RetryPolicy{MaxAttempts: 50, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond}

// snapshotWriteConflicts reports a database with row locks and
// transactional DDL — PostgreSQL among ours — whose REPEATABLE READ and
// SERIALIZABLE fail a write to a row changed since the snapshot (InnoDB's
// do not: they lock and wait).
func snapshotWriteConflicts(e *engine.Engine) bool {
	return e.Dialect().Features().Has(dialects.ForUpdate | dialects.TransactionalDDL)
}

// testRetryCounters runs workers×rounds read-then-write increments of one
// counter at once, each in a SERIALIZABLE Transaction with a retry policy:
// without serialization increments would be lost, without retries some
// would fail. The final value must be exact (Issue 10 item 3).
func testRetryCounters(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	id := addUser(t, e, f, "counter@x", nil, int64(0))
	const workers, rounds = 4, 8
	var retries atomic.Int64
	pol := noWait
	pol.OnRetry = func(n int, err error, d time.Duration) {
		retries.Add(1)
		if !engine.IsRetryable(err) || errors.Is(err, engine.ErrCommitOutcomeUnknown) {
			t.Errorf("retried a non-retryable error: %v", err)
		}
	}
	age := stmt.Select(f.U.C("age")).Where(f.U.C("id").Eq(id))
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				errs <- e.Transaction(ctx, func(tx *engine.Tx) error {
					n, err := engine.Scalar[int64](ctx, tx, age)
					if err != nil {
						return err
					}
					_, err = tx.Exec(ctx, stmt.Update(f.U).Set("age", n+1).Where(f.U.C("id").Eq(id)))
					return err
				}, engine.WithIsolation(engine.Serializable), engine.WithRetry(pol))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("increment: %v", err)
		}
	}
	n, err := engine.Scalar[int64](ctx, e, age)
	if err != nil {
		t.Fatal(err)
	}
	if n != workers*rounds {
		t.Errorf("counter = %d, want exactly %d (%d retries)", n, workers*rounds, retries.Load())
	}
	t.Logf("%s: %d increments, %d retries", e.Dialect().Name(), n, retries.Load())
}

// testRetryForcedConflict forces one transient failure on the first
// attempt of a Transaction — a serialization failure (PostgreSQL) or a
// deadlock (MySQL/MariaDB, where the other transaction is made the heavier
// one so that InnoDB picks ours as the victim) — and checks the helper ran
// the closure exactly twice and the final state is exact. SQLite
// serializes writers and has no such failure.
func testRetryForcedConflict(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	if !e.Dialect().Features().Has(dialects.ForUpdate) {
		t.Skipf("%s runs one write transaction at a time: no conflict to force", e.Dialect().Name())
	}
	ctx := context.Background()
	ids := make([]int64, 5)
	for i := range ids {
		ids[i] = addUser(t, e, f, "row"+string(rune('a'+i))+"@x", nil, int64(0))
	}
	set := func(tx *engine.Tx, id, v int64) error {
		_, err := tx.Exec(ctx, stmt.Update(f.U).Set("age", stmt.Add(f.U.C("age"), stmt.Val(v))).Where(f.U.C("id").Eq(id)))
		return err
	}
	postgres := snapshotWriteConflicts(e)
	attempts := 0
	var first error
	pol := noWait
	pol.OnRetry = func(n int, err error, d time.Duration) { first = err }
	other := make(chan error, 1)
	err := e.Transaction(ctx, func(tx *engine.Tx) error {
		attempts++
		if attempts > 1 {
			return set(tx, ids[0], 1)
		}
		if postgres {
			// Take the snapshot, let another transaction change the row
			// and commit, then write the row: 40001.
			if _, err := engine.Scalar[int64](ctx, tx, stmt.Select(f.U.C("age")).Where(f.U.C("id").Eq(ids[0]))); err != nil {
				return err
			}
			if err := e.Tx(ctx, func(o *engine.Tx) error { return set(o, ids[0], 100) }); err != nil {
				t.Fatalf("the other transaction: %v", err)
			}
			return set(tx, ids[0], 1)
		}
		// MySQL/MariaDB: a lock cycle. We hold row 0; the other
		// transaction holds rows 1..4 and waits for row 0; we then ask
		// for row 1.
		if err := set(tx, ids[0], 1); err != nil {
			return err
		}
		o, err := e.Begin(ctx, engine.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids[1:] {
			if err := set(o, id, 100); err != nil {
				t.Fatal(err)
			}
		}
		go func() {
			if err := set(o, ids[0], 100); err != nil {
				o.Rollback(ctx)
				other <- err
				return
			}
			other <- o.Commit(ctx)
		}()
		time.Sleep(300 * time.Millisecond) // the other one is waiting on row 0
		return set(tx, ids[1], 1)
	}, engine.WithIsolation(engine.RepeatableRead), engine.WithRetry(pol))
	if err != nil {
		t.Fatalf("transaction: %v", err)
	}
	if attempts != 2 {
		t.Fatalf("the closure ran %d times, want 2 (first failure: %v)", attempts, first)
	}
	if !engine.IsRetryable(first) {
		t.Errorf("first failure not retryable: %v", first)
	}
	want := map[int64]int64{ids[0]: 101}
	if !postgres {
		if err := <-other; err != nil {
			t.Fatalf("the other transaction (should have won the deadlock): %v", err)
		}
		want = map[int64]int64{ids[0]: 101, ids[1]: 100, ids[2]: 100, ids[3]: 100, ids[4]: 100}
		if !errors.Is(first, engine.ErrDeadlock) {
			t.Errorf("first failure %v, want a deadlock", first)
		}
	} else if !errors.Is(first, engine.ErrSerialization) {
		t.Errorf("first failure %v, want a serialization failure", first)
	}
	for id, v := range want {
		got, err := engine.Scalar[int64](ctx, e, stmt.Select(f.U.C("age")).Where(f.U.C("id").Eq(id)))
		if err != nil {
			t.Fatal(err)
		}
		if got != v {
			t.Errorf("row %d: age %d, want %d", id, got, v)
		}
	}
}

// testRetryAtCommit makes PostgreSQL's SERIALIZABLE fail a transaction at
// COMMIT (a write skew: each transaction reads the row the other writes):
// the error must say the transaction was rolled back and is retryable,
// never that the outcome is unknown, and the helper retries it to
// completion.
func testRetryAtCommit(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	if !snapshotWriteConflicts(e) {
		t.Skipf("%s: only PostgreSQL's SERIALIZABLE fails transactions at COMMIT (MariaDB's Galera is tested on a cluster)", e.Dialect().Name())
	}
	ctx := context.Background()
	x := addUser(t, e, f, "x@x", nil, int64(0))
	y := addUser(t, e, f, "y@x", nil, int64(0))
	read := func(tx *engine.Tx, id int64) (int64, error) {
		return engine.Scalar[int64](ctx, tx, stmt.Select(f.U.C("age")).Where(f.U.C("id").Eq(id)))
	}
	write := func(tx *engine.Tx, id, v int64) error {
		_, err := tx.Exec(ctx, stmt.Update(f.U).Set("age", v).Where(f.U.C("id").Eq(id)))
		return err
	}
	// First, by hand: the error of the COMMIT itself.
	t1, err := e.Begin(ctx, engine.TxOptions{Isolation: engine.Serializable})
	if err != nil {
		t.Fatal(err)
	}
	t2, err := e.Begin(ctx, engine.TxOptions{Isolation: engine.Serializable})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	vx, err := read(t1, x)
	must(err)
	vy, err := read(t2, y)
	must(err)
	must(write(t1, y, vx+1))
	must(write(t2, x, vy+1))
	must(t1.Commit(ctx))
	err = t2.Commit(ctx)
	if err == nil || !strings.Contains(err.Error(), "commit") {
		t.Fatalf("the write skew's second COMMIT: %v (want a failure at COMMIT)", err)
	}
	if !engine.IsRetryable(err) || !errors.Is(err, engine.ErrSerialization) || !errors.Is(err, engine.ErrRolledBack) || errors.Is(err, engine.ErrCommitOutcomeUnknown) {
		t.Fatalf("40001 at COMMIT: %v (retryable %v, rolled back %v, unknown %v)", err, engine.IsRetryable(err),
			errors.Is(err, engine.ErrRolledBack), errors.Is(err, engine.ErrCommitOutcomeUnknown))
	}
	// Then through the helper: the first attempt fails at COMMIT, the
	// second succeeds.
	attempts := 0
	var first error
	pol := noWait
	pol.OnRetry = func(n int, err error, d time.Duration) { first = err }
	err = e.Transaction(ctx, func(tx *engine.Tx) error {
		attempts++
		vy, err := read(tx, y)
		if err != nil {
			return err
		}
		if attempts == 1 {
			o, err := e.Begin(ctx, engine.TxOptions{Isolation: engine.Serializable})
			must(err)
			vx, err := read(o, x)
			must(err)
			must(write(o, y, vx+1))
			if err := write(tx, x, vy+1); err != nil {
				o.Rollback(ctx)
				return err
			}
			must(o.Commit(ctx))
			return nil // our COMMIT fails
		}
		return write(tx, x, vy+1)
	}, engine.WithIsolation(engine.Serializable), engine.WithRetry(pol))
	if err != nil {
		t.Fatal(err)
	}
	if attempts != 2 || !errors.Is(first, engine.ErrRolledBack) || !engine.IsRetryable(first) {
		t.Fatalf("attempts %d, first failure %v: want 2 and a rolled-back, retryable COMMIT", attempts, first)
	}
	gx, err := engine.Scalar[int64](ctx, e, stmt.Select(f.U.C("age")).Where(f.U.C("id").Eq(x)))
	must(err)
	gy, err := engine.Scalar[int64](ctx, e, stmt.Select(f.U.C("age")).Where(f.U.C("id").Eq(y)))
	must(err)
	// t1 committed y=1 (t2 failed); the helper's first run failed at
	// COMMIT after o committed y=x+1=1; its second run read y=1 and wrote
	// x=2.
	if gx != 2 || gy != 1 {
		t.Errorf("x=%d y=%d, want 2 and 1", gx, gy)
	}
}

// testRetryStops checks what is not retried: an error IsRetryable does not
// report (the closure runs once), a panic, a context that ends (the retries
// stop), and the attempts cap.
func testRetryStops(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	pol := noWait
	t.Run("non-retryable", func(t *testing.T) {
		id := addUser(t, e, f, "dup@x", nil, nil)
		runs := 0
		err := e.Transaction(ctx, func(tx *engine.Tx) error {
			runs++
			if _, err := tx.Exec(ctx, stmt.Update(f.U).Set("age", int64(5)).Where(f.U.C("id").Eq(id))); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, stmt.Insert(f.U).Columns("email", "active").Values("dup@x", true))
			return err
		}, engine.WithRetry(pol))
		if !engine.IsUnique(err) || runs != 1 {
			t.Fatalf("unique violation: runs %d, err %v", runs, err)
		}
		age, err := engine.Scalar[*int64](ctx, e, stmt.Select(f.U.C("age")).Where(f.U.C("id").Eq(id)))
		if err != nil || age != nil {
			t.Fatalf("the failed transaction's update was kept: %v %v", age, err)
		}
	})
	t.Run("attempts cap", func(t *testing.T) {
		runs := 0
		p := pol
		p.MaxAttempts = 3
		err := e.Transaction(ctx, func(tx *engine.Tx) error {
			runs++
			return dialects.Retryable(engine.ErrDeadlock, errors.New("forced"))
		}, engine.WithRetry(p))
		if runs != 3 || !errors.Is(err, engine.ErrDeadlock) || !strings.Contains(err.Error(), "3 times") {
			t.Fatalf("runs %d, err %v", runs, err)
		}
	})
	t.Run("no policy runs once", func(t *testing.T) {
		runs := 0
		err := e.Transaction(ctx, func(tx *engine.Tx) error {
			runs++
			return dialects.Retryable(engine.ErrSerialization, errors.New("forced"))
		})
		if runs != 1 || !engine.IsRetryable(err) {
			t.Fatalf("runs %d, err %v", runs, err)
		}
	})
	t.Run("context cancel stops retries", func(t *testing.T) {
		c, cancel := context.WithCancel(ctx)
		runs := 0
		p := engine.RetryPolicy{MaxAttempts: 1000, BaseDelay: 50 * time.Millisecond, MaxDelay: 50 * time.Millisecond}
		start := time.Now()
		err := e.Transaction(c, func(tx *engine.Tx) error {
			runs++
			if runs == 3 {
				cancel()
			}
			return dialects.Retryable(engine.ErrDeadlock, errors.New("forced"))
		}, engine.WithRetry(p))
		if !errors.Is(err, context.Canceled) || !errors.Is(err, engine.ErrDeadlock) || runs != 3 {
			t.Fatalf("runs %d, err %v", runs, err)
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("cancel took %s to stop the retries", time.Since(start))
		}
		// Cancelled while waiting between attempts.
		c2, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel2()
		runs = 0
		p.BaseDelay, p.MaxDelay = time.Hour, time.Hour
		err = e.Transaction(c2, func(tx *engine.Tx) error {
			runs++
			return dialects.Retryable(engine.ErrDeadlock, errors.New("forced"))
		}, engine.WithRetry(p))
		if !errors.Is(err, context.DeadlineExceeded) || runs != 1 {
			t.Fatalf("deadline during the backoff: runs %d, err %v", runs, err)
		}
	})
	t.Run("panic is not retried", func(t *testing.T) {
		runs := 0
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the panic was swallowed")
				}
			}()
			_ = e.Transaction(ctx, func(tx *engine.Tx) error {
				runs++
				panic("boom")
			}, engine.WithRetry(pol))
		}()
		if runs != 1 {
			t.Fatalf("runs %d", runs)
		}
	})
	t.Run("outcome unknown is not retried", func(t *testing.T) {
		runs := 0
		err := e.Transaction(ctx, func(tx *engine.Tx) error {
			runs++
			return errors.Join(engine.ErrCommitOutcomeUnknown, dialects.Retryable(engine.ErrDeadlock, errors.New("forced")))
		}, engine.WithRetry(pol))
		if runs != 1 || !errors.Is(err, engine.ErrCommitOutcomeUnknown) {
			t.Fatalf("runs %d, err %v", runs, err)
		}
	})
	t.Run("commit with a done context", func(t *testing.T) {
		id := addUser(t, e, f, "late@x", nil, nil)
		tx, err := e.Begin(ctx, engine.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, stmt.Update(f.U).Set("age", int64(9)).Where(f.U.C("id").Eq(id))); err != nil {
			t.Fatal(err)
		}
		c, cancel := context.WithCancel(ctx)
		cancel()
		err = tx.Commit(c)
		if !errors.Is(err, context.Canceled) || !errors.Is(err, engine.ErrRolledBack) || errors.Is(err, engine.ErrCommitOutcomeUnknown) {
			t.Fatalf("commit with a cancelled context: %v", err)
		}
		age, err := engine.Scalar[*int64](ctx, e, stmt.Select(f.U.C("age")).Where(f.U.C("id").Eq(id)))
		if err != nil || age != nil {
			t.Fatalf("the update was committed: %v %v", age, err)
		}
	})
}

// testTxOptions checks that isolation levels and read-only mode take
// effect: a write in a read-only transaction fails (and the connection
// writes again afterwards), the level read back from the server is the one
// asked for, and a REPEATABLE READ transaction does not see a row another
// transaction commits meanwhile while a READ COMMITTED one does.
func testTxOptions(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	id := addUser(t, e, f, "ro@x", nil, int64(1))
	upd := stmt.Update(f.U).Set("age", int64(2)).Where(f.U.C("id").Eq(id))
	for range 3 {
		err := e.Transaction(ctx, func(tx *engine.Tx) error {
			if _, err := engine.Scalar[int64](ctx, tx, stmt.Select(f.U.C("age")).Where(f.U.C("id").Eq(id))); err != nil {
				t.Fatalf("read in a read-only transaction: %v", err)
			}
			_, err := tx.Exec(ctx, upd)
			return err
		}, engine.WithReadOnly())
		if err == nil {
			t.Fatal("a write in a read-only transaction succeeded")
		}
		// The connection is writable again outside it.
		if _, err := e.Exec(ctx, stmt.Update(f.U).Set("name", "w").Where(f.U.C("id").Eq(id))); err != nil {
			t.Fatalf("write after a read-only transaction: %v", err)
		}
	}
	if age, _ := engine.Scalar[int64](ctx, e, stmt.Select(f.U.C("age")).Where(f.U.C("id").Eq(id))); age != 1 {
		t.Fatalf("the read-only transaction wrote: age %d", age)
	}
	// The level read back from the server.
	var show string
	var settle time.Duration
	switch {
	case snapshotWriteConflicts(e):
		show = "SHOW transaction_isolation"
	case e.Dialect().Features().Has(dialects.ForUpdate):
		// @@tx_isolation is the session's level, not the one SET
		// TRANSACTION gave this transaction: ask InnoDB (after a read, so
		// the transaction has started there).
		// InnoDB refreshes that table at most every 100ms.
		settle = 200 * time.Millisecond
		show = "SELECT trx_isolation_level FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = CONNECTION_ID()"
	}
	if show != "" {
		for _, tt := range []struct{ level, want string }{
			{engine.ReadCommitted, "read committed"}, {engine.RepeatableRead, "repeatable read"},
			{engine.Serializable, "serializable"}, {engine.ReadUncommitted, "read uncommitted"},
		} {
			err := e.Transaction(ctx, func(tx *engine.Tx) error {
				if _, err := engine.Scalar[int64](ctx, tx, stmt.Select(stmt.CountAll()).From(f.U)); err != nil {
					return err
				}
				time.Sleep(settle)
				got, err := engine.Scalar[string](ctx, tx, stmt.Text(show))
				if err != nil {
					return err
				}
				if g := strings.ToLower(strings.ReplaceAll(got, "-", " ")); g != tt.want {
					t.Errorf("%s: the server says %q", tt.level, got)
				}
				return nil
			}, engine.WithIsolation(tt.level))
			if err != nil {
				t.Fatal(err)
			}
		}
		err := e.Transaction(ctx, func(tx *engine.Tx) error { return nil }, engine.WithIsolation("snapshot-ish"))
		if err == nil {
			t.Error("an unknown isolation level was accepted")
		}
	}
	// Behaviour: a row committed by another transaction after the first
	// read is invisible under REPEATABLE READ (and SQLite, always
	// serializable), visible under READ COMMITTED.
	countAll := stmt.Select(stmt.CountAll()).From(f.U)
	levels := []string{engine.RepeatableRead}
	if show != "" {
		levels = append(levels, engine.ReadCommitted)
	}
	if show == "SHOW transaction_isolation" {
		// (InnoDB's SERIALIZABLE makes the count a locking read, which
		// would block the other connection's INSERT.)
		levels = append(levels, engine.Serializable)
	}
	for i, level := range levels {
		err := e.Transaction(ctx, func(tx *engine.Tx) error {
			before, err := engine.Scalar[int64](ctx, tx, countAll)
			if err != nil {
				return err
			}
			if show == "" {
				// SQLite: a reader does not block BEGIN IMMEDIATE in WAL
				// mode, but may in rollback-journal mode; skip the writer.
				return nil
			}
			if _, err := e.Exec(ctx, stmt.Insert(f.U).Columns("email", "active").Values("iso"+string(rune('a'+i))+"@x", true)); err != nil {
				return err
			}
			after, err := engine.Scalar[int64](ctx, tx, countAll)
			if err != nil {
				return err
			}
			if sees := after != before; sees != (level == engine.ReadCommitted) {
				t.Errorf("%s: sees a row committed meanwhile = %v", level, sees)
			}
			return nil
		}, engine.WithIsolation(level), engine.WithReadOnly())
		if err != nil {
			t.Fatalf("%s: %v", level, err)
		}
	}
}
