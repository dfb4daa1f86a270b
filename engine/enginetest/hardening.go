package enginetest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

// syncBuffer is a bytes.Buffer safe for a logger used from several
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// openOwn opens a second engine of its own on url (so the test may close
// it), logging to the returned buffer.
func openOwn(t *testing.T, url string, opts ...engine.Option) (*engine.Engine, *syncBuffer) {
	t.Helper()
	buf := &syncBuffer{}
	l := slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e, err := engine.Open(context.Background(), url, append([]engine.Option{engine.WithLogger(l)}, opts...)...)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e, buf
}

// closeWithin runs e.Close and fails the test when it takes longer than d.
func closeWithin(t *testing.T, e *engine.Engine, d time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- e.Close() }()
	select {
	case err := <-done:
		t.Logf("Close took %v: %v", time.Since(start).Round(time.Millisecond), err)
		return err
	case <-time.After(d):
		t.Fatalf("Engine.Close hung for more than %v", d)
		return nil
	}
}

// testCloseWithOpenTx is issue 9 item 1: Close rolls back what is open and
// says so, promptly, on every database.
func testCloseWithOpenTx(t *testing.T, cfg Config) {
	if cfg.URL == nil {
		t.Skip("Config.URL not set")
	}
	ctx := context.Background()
	url := cfg.URL(t)
	other, _ := openOwn(t, url)
	f := newFixture()
	if err := other.CreateTables(ctx, f.schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.DropTables(context.Background(), f.schema) })
	count := func(t *testing.T, email string) int64 {
		t.Helper()
		n, err := engine.Scalar[int64](ctx, other, stmt.Select(stmt.CountAll()).From(f.U).Where(f.U.C("email").Eq(email)))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	insert := func(email string) stmt.Statement {
		return stmt.Insert(f.U).Columns("email", "active").Values(email, true)
	}

	t.Run("begin without commit", func(t *testing.T) {
		e, logs := openOwn(t, url)
		tx, err := e.Begin(ctx, engine.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, insert("abandoned@x")); err != nil {
			t.Fatal(err)
		}
		err = closeWithin(t, e, 10*time.Second)
		if !errors.Is(err, engine.ErrTxAbandoned) || !strings.Contains(err.Error(), "rolled back a transaction left open") {
			t.Errorf("Close = %v, want an error matching ErrTxAbandoned that says it rolled back", err)
		}
		if !strings.Contains(logs.String(), "Engine.Close rolled back a transaction left open") {
			t.Errorf("no warning logged: %q", logs.String())
		}
		err = tx.Commit(ctx)
		if !errors.Is(err, engine.ErrTxDone) || !errors.Is(err, engine.ErrClosed) {
			t.Errorf("Commit after Close = %v, want ErrTxDone and ErrClosed", err)
		}
		if err := tx.Rollback(ctx); !errors.Is(err, engine.ErrTxDone) {
			t.Errorf("Rollback after Close = %v, want ErrTxDone", err)
		}
		if n := count(t, "abandoned@x"); n != 0 {
			t.Errorf("the abandoned transaction's row is visible (%d)", n)
		}
		// Its locks are gone: the same unique key can be written at once.
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if _, err := other.Exec(wctx, insert("abandoned@x")); err != nil {
			t.Errorf("write after Close: %v", err)
		}
	})
	t.Run("several left open, one idle with a read", func(t *testing.T) {
		e, _ := openOwn(t, url)
		tx1, err := e.Begin(ctx, engine.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := engine.All[int64](ctx, tx1, stmt.Select(f.U.C("id"))); err != nil {
			t.Fatal(err)
		}
		tx2, err := e.Begin(ctx, engine.TxOptions{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		_ = tx2
		err = closeWithin(t, e, 10*time.Second)
		if got := strings.Count(err.Error(), "rolled back a transaction left open"); got != 2 {
			t.Errorf("Close = %v, want two transactions reported", err)
		}
		if _, err := e.Begin(ctx, engine.TxOptions{}); !errors.Is(err, engine.ErrClosed) {
			t.Errorf("Begin after Close = %v, want ErrClosed", err)
		}
		if err := e.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
	})
	t.Run("in use by another goroutine", func(t *testing.T) {
		e, logs := openOwn(t, url)
		tx, err := e.Begin(ctx, engine.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, insert("busy@x")); err != nil {
			t.Fatal(err)
		}
		rows, err := tx.Query(ctx, stmt.Select(f.U.C("id")))
		if err != nil {
			t.Fatal(err)
		}
		err = closeWithin(t, e, 15*time.Second)
		if !errors.Is(err, engine.ErrTxAbandoned) || !strings.Contains(err.Error(), "still in use") {
			t.Errorf("Close = %v, want it to report a transaction still in use", err)
		}
		if !strings.Contains(logs.String(), "left a transaction in use") {
			t.Errorf("no warning logged: %q", logs.String())
		}
		// The owner can still finish it.
		rows.Close()
		_ = tx.Rollback(ctx)
		if n := count(t, "busy@x"); n != 0 {
			t.Errorf("the rolled-back row is visible (%d)", n)
		}
	})
	t.Run("rows never closed", func(t *testing.T) {
		e, _ := openOwn(t, url)
		rows, err := e.Query(ctx, stmt.Select(f.U.C("id")))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		err = closeWithin(t, e, 10*time.Second)
		if err == nil || !strings.Contains(err.Error(), "never closed") {
			t.Errorf("Close = %v, want it to report the unclosed rows", err)
		}
	})
	t.Run("clean close", func(t *testing.T) {
		e, logs := openOwn(t, url)
		if err := e.Tx(ctx, func(tx *engine.Tx) error {
			_, err := tx.Exec(ctx, insert("clean@x"))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := closeWithin(t, e, 10*time.Second); err != nil {
			t.Errorf("Close = %v", err)
		}
		if logs.String() != "" {
			t.Errorf("a clean Close logged %q", logs.String())
		}
	})
}

// testTxOutlivesBeginContext is issue 9 item 7: a transaction belongs to
// its owner, not to the context of its first statement.
func testTxOutlivesBeginContext(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	insert := func(email string) stmt.Statement {
		return stmt.Insert(f.U).Columns("email", "active").Values(email, true)
	}
	count := func(t *testing.T, email string) int64 {
		t.Helper()
		n, err := engine.Scalar[int64](ctx, e, stmt.Select(stmt.CountAll()).From(f.U).Where(f.U.C("email").Eq(email)))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Run("cancel after the first statement", func(t *testing.T) {
		first, cancel := context.WithTimeout(ctx, 30*time.Second)
		tx, err := e.Begin(first, engine.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(first, insert("first@x")); err != nil {
			t.Fatal(err)
		}
		cancel()
		time.Sleep(50 * time.Millisecond) // let a driver react to the cancellation
		if _, err := tx.Exec(ctx, insert("second@x")); err != nil {
			t.Fatalf("statement after the first context ended: %v", err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatalf("commit after the first context ended: %v", err)
		}
		if count(t, "first@x") != 1 || count(t, "second@x") != 1 {
			t.Errorf("rows not saved: first %d, second %d", count(t, "first@x"), count(t, "second@x"))
		}
	})
	t.Run("deadline passes between statements", func(t *testing.T) {
		short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		tx, err := e.Begin(short, engine.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(short, insert("deadline@x")); err != nil {
			t.Fatal(err)
		}
		<-short.Done()
		time.Sleep(20 * time.Millisecond)
		// The statement's own context still counts.
		if _, err := tx.Exec(short, insert("late@x")); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("statement with an expired context = %v, want DeadlineExceeded", err)
		}
		if err := tx.Commit(ctx); err != nil {
			// PostgreSQL is not asked: the statement never reached it.
			t.Fatalf("commit: %v", err)
		}
		if count(t, "deadline@x") != 1 || count(t, "late@x") != 0 {
			t.Errorf("rows: deadline %d (want 1), late %d (want 0)", count(t, "deadline@x"), count(t, "late@x"))
		}
	})
	t.Run("begin with a cancelled context fails", func(t *testing.T) {
		c, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := e.Begin(c, engine.TxOptions{}); !errors.Is(err, context.Canceled) {
			t.Errorf("Begin = %v, want context.Canceled", err)
		}
	})
	t.Run("commit with a cancelled context rolls back", func(t *testing.T) {
		tx, err := e.Begin(ctx, engine.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, insert("nocommit@x")); err != nil {
			t.Fatal(err)
		}
		c, cancel := context.WithCancel(ctx)
		cancel()
		if err := tx.Commit(c); !errors.Is(err, context.Canceled) {
			t.Errorf("Commit = %v, want context.Canceled", err)
		}
		_ = tx.Rollback(ctx)
		if n := count(t, "nocommit@x"); n != 0 {
			t.Errorf("a commit with a cancelled context saved the row")
		}
	})
}

// testQueryErrorsNotMasked is issue 9 item 2: the error of the query wins
// over complaints about its result's columns, on every result path.
func testQueryErrorsNotMasked(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	seedNums(t, e, f, 10)
	ctx := context.Background()
	type one struct{ X *int64 }
	paths := []struct {
		name string
		run  func(ctx context.Context, q engine.Querier, s stmt.Statement) error
	}{
		{"Scalar", func(ctx context.Context, q engine.Querier, s stmt.Statement) error {
			_, err := engine.Scalar[int64](ctx, q, s)
			return err
		}},
		{"All scalar", func(ctx context.Context, q engine.Querier, s stmt.Statement) error {
			_, err := engine.All[int64](ctx, q, s)
			return err
		}},
		{"First scalar", func(ctx context.Context, q engine.Querier, s stmt.Statement) error {
			_, err := engine.First[int64](ctx, q, s)
			return err
		}},
		{"One scalar", func(ctx context.Context, q engine.Querier, s stmt.Statement) error {
			_, err := engine.One[int64](ctx, q, s)
			return err
		}},
		{"All struct", func(ctx context.Context, q engine.Querier, s stmt.Statement) error {
			_, err := engine.All[one](ctx, q, s)
			return err
		}},
		{"Records", func(ctx context.Context, q engine.Querier, s stmt.Statement) error {
			_, err := engine.Records(ctx, q, s)
			return err
		}},
		{"Stream", func(ctx context.Context, q engine.Querier, s stmt.Statement) error {
			for _, err := range engine.Stream[int64](ctx, q, s) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
		{"Query Next", func(ctx context.Context, q engine.Querier, s stmt.Statement) error {
			rows, err := q.Query(ctx, s)
			if err != nil {
				return err
			}
			for rows.Next() {
			}
			return rows.Close()
		}},
	}
	t.Run("deadline", func(t *testing.T) {
		slow := stmt.Text("SELECT 1 AS x FROM (" + cfg.SlowQuery + ") s")
		for _, p := range paths {
			t.Run(p.name, func(t *testing.T) {
				c, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
				defer cancel()
				err := p.run(c, e, slow)
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("got %v, want an error matching context.DeadlineExceeded", err)
				}
			})
		}
	})
	t.Run("division by zero", func(t *testing.T) {
		div := stmt.Text("SELECT 1 / (n - n) AS x FROM " + e.Dialect().QuoteIdent(f.nums.Name) + " WHERE n = 1")
		if v, err := engine.Scalar[*int64](ctx, e, div); err == nil {
			// SQLite and MySQL/MariaDB return NULL in a SELECT.
			if v != nil {
				t.Errorf("1/0 = %d, want NULL or an error", *v)
			}
			return
		}
		for _, p := range paths {
			t.Run(p.name, func(t *testing.T) {
				err := p.run(ctx, e, div)
				if strings.Contains(err.Error(), "columns") || !strings.Contains(strings.ToLower(err.Error()), "division by zero") {
					t.Errorf("got %v, want the database's division-by-zero error", err)
				}
			})
		}
	})
	t.Run("nowait on a locked row", func(t *testing.T) {
		if !e.Dialect().Features().Has(dialects.ForUpdate) {
			t.Skip("the dialect has no row locks (SQLite locks the database)")
		}
		holder, err := e.Begin(ctx, engine.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer holder.Rollback(ctx)
		if _, err := engine.All[int64](ctx, holder, stmt.Select(f.N.C("n")).Where(f.N.C("n").Eq(int64(1))).ForUpdate()); err != nil {
			t.Fatal(err)
		}
		nowait := stmt.Select(f.N.C("n")).Where(f.N.C("n").Eq(int64(1))).ForUpdateNoWait()
		for _, p := range paths {
			t.Run(p.name, func(t *testing.T) {
				tx, err := e.Begin(ctx, engine.TxOptions{})
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback(ctx)
				err = p.run(ctx, tx, nowait)
				if !engine.IsRetryable(err) || !errors.Is(err, engine.ErrLockTimeout) {
					t.Errorf("got %v, want a retryable lock error", err)
				}
			})
		}
	})
	t.Run("a real column mismatch is still reported", func(t *testing.T) {
		two := stmt.Select(f.N.C("n"), f.N.C("grp")).Where(f.N.C("n").Lt(int64(3)))
		if _, err := engine.Scalar[int64](ctx, e, two); err == nil || !strings.Contains(err.Error(), "2 columns") {
			t.Errorf("Scalar on two columns = %v", err)
		}
		if _, err := engine.All[int64](ctx, e, two); err == nil || !strings.Contains(err.Error(), "2 columns") {
			t.Errorf("All[int64] on two columns = %v", err)
		}
	})
}

// testEmptyStatement is issue 9 item 3 at the engine: empty text is an
// error, never a panic; text holding only a comment is no statement.
func testEmptyStatement(t *testing.T, cfg Config) {
	e, _ := setup(t, cfg)
	ctx := context.Background()
	for _, sql := range []string{"", "   ", "\n\t"} {
		if _, err := e.Exec(ctx, stmt.Text(sql)); err == nil || !strings.Contains(err.Error(), "empty SQL statement") {
			t.Errorf("Exec(%q) = %v, want an empty-statement error", sql, err)
		}
		if _, err := engine.Records(ctx, e, stmt.Text(sql)); err == nil {
			t.Errorf("Records(%q): no error", sql)
		}
	}
	// A lone comment reaches the database: PostgreSQL and SQLite run
	// nothing, MySQL/MariaDB report an empty query. Either way, no panic.
	for _, sql := range []string{"/* note */", "-- note\n", "/* note */;"} {
		_, err := e.Exec(ctx, stmt.Text(sql))
		t.Logf("Exec(%q) = %v", sql, err)
		_, err = e.Pool().Exec(ctx, sql)
		t.Logf("Pool().Exec(%q) = %v", sql, err)
	}
}
