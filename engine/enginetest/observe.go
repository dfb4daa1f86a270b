package enginetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

type recordingTracer struct {
	mu   sync.Mutex
	ops  []string
	errs []error
}

func (r *recordingTracer) Start(ctx context.Context, q engine.QueryInfo) (context.Context, func(error)) {
	r.mu.Lock()
	r.ops = append(r.ops, q.Operation)
	r.mu.Unlock()
	return ctx, func(err error) {
		r.mu.Lock()
		r.errs = append(r.errs, err)
		r.mu.Unlock()
	}
}

func testObservability(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	find := stmt.Select(f.U.C("id")).Where(f.U.C("email").Eq("secret-value@example.com"))

	t.Run("logging redacts arguments", func(t *testing.T) {
		var buf bytes.Buffer
		l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		le := engine.New(e.Dialect(), e.Pool(), nil, engine.WithLogger(l))
		if _, err := engine.All[int64](ctx, le, find); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, want := range []string{"dlayer sql", "op=query", "SELECT", "duration=", "args=1", "rows=0"} {
			if !strings.Contains(out, want) {
				t.Errorf("log %q lacks %q", out, want)
			}
		}
		if strings.Contains(out, "secret-value") {
			t.Errorf("log shows an argument value: %q", out)
		}
	})
	t.Run("logging arguments when enabled", func(t *testing.T) {
		var buf bytes.Buffer
		l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
		le := engine.New(e.Dialect(), e.Pool(), nil, engine.WithLogger(l), engine.WithLogLevel(slog.LevelInfo), engine.WithLogArgs(true))
		if _, err := engine.All[int64](ctx, le, find); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "secret-value") {
			t.Errorf("log %q lacks the argument", buf.String())
		}
	})
	t.Run("failures are logged as warnings", func(t *testing.T) {
		var buf bytes.Buffer
		l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
		le := engine.New(e.Dialect(), e.Pool(), nil, engine.WithLogger(l))
		if _, err := engine.All[int64](ctx, le, find); err != nil {
			t.Fatal(err)
		}
		if buf.Len() != 0 {
			t.Errorf("a successful query was logged above debug: %q", buf.String())
		}
		_, err := le.Exec(ctx, stmt.Text("SELECT * FROM no_such_table_"+f.sfx))
		if err == nil {
			t.Fatal("no error")
		}
		if out := buf.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "error=") {
			t.Errorf("failure log = %q", out)
		}
	})
	t.Run("tracer", func(t *testing.T) {
		tr := &recordingTracer{}
		te := engine.New(e.Dialect(), e.Pool(), nil, engine.WithTracer(tr))
		err := te.Tx(ctx, func(tx *engine.Tx) error {
			if _, err := tx.Exec(ctx, stmt.Insert(f.U).Columns("email", "active").Values("traced@x", true)); err != nil {
				return err
			}
			_, err := engine.All[int64](ctx, tx, find)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		_, qerr := te.Exec(ctx, stmt.Text("SELECT * FROM no_such_table_"+f.sfx))
		tr.mu.Lock()
		defer tr.mu.Unlock()
		want := []string{"begin", "exec", "query", "commit", "exec"}
		if e.Dialect().Name() == "postgres" {
			// The driver defers BEGIN: it travels with the first
			// statement, in the same round trip.
			want = want[1:]
		}
		checkEq(t, "operations", tr.ops, want)
		n := len(want)
		if len(tr.errs) != n || tr.errs[n-1] == nil || qerr == nil {
			t.Errorf("end errors = %v, want nil for the transaction and an error for the bad query", tr.errs)
		}
		for i := 0; i < n-1 && i < len(tr.errs); i++ {
			if tr.errs[i] != nil {
				t.Errorf("end error %d = %v, want nil", i, tr.errs[i])
			}
		}
	})
}

func testRetryable(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	if !e.Dialect().Features().Has(dialects.ForUpdate) {
		t.Skipf("%s locks the whole database per write transaction: no deadlocks (SQLITE_BUSY is tested in its dialect package)", e.Dialect().Name())
	}
	ctx := context.Background()
	a := addUser(t, e, f, "a@x", nil, nil)
	b := addUser(t, e, f, "b@x", nil, nil)
	touch := func(tx *engine.Tx, id int64) error {
		_, err := tx.Exec(ctx, stmt.Update(f.U).Set("age", int64(1)).Where(f.U.C("id").Eq(id)))
		return err
	}
	tx1, err := e.Begin(ctx, engine.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx1.Rollback(ctx)
	tx2, err := e.Begin(ctx, engine.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx2.Rollback(ctx)
	if err := touch(tx1, a); err != nil {
		t.Fatal(err)
	}
	if err := touch(tx2, b); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- touch(tx1, b) }() // waits for tx2
	time.Sleep(300 * time.Millisecond)
	err2 := touch(tx2, a) // closes the cycle
	if err2 != nil {
		// tx2 was the victim: tx1 can now proceed.
		tx2.Rollback(ctx)
	}
	err1 := <-done
	if err1 != nil {
		tx1.Rollback(ctx)
	}
	victims := 0
	for _, err := range []error{err1, err2} {
		if err == nil {
			continue
		}
		victims++
		if !engine.IsRetryable(err) || !errors.Is(err, engine.ErrDeadlock) {
			t.Errorf("deadlock error %v: IsRetryable %v, Is(ErrDeadlock) %v", err, engine.IsRetryable(err), errors.Is(err, engine.ErrDeadlock))
		}
	}
	if victims != 1 {
		t.Errorf("%d deadlock victims (errors %v, %v), want 1", victims, err1, err2)
	}
	if engine.IsRetryable(errors.New("other")) || engine.IsRetryable(nil) {
		t.Error("IsRetryable of an unrelated error")
	}
}

// testSerializable runs a write skew under SERIALIZABLE from two
// transactions at once: the database must serialize them or fail one with a
// retryable error (a serialization failure on PostgreSQL, a deadlock on
// MySQL's locking reads).
func testSerializable(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	if !e.Dialect().Features().Has(dialects.ForUpdate) {
		t.Skipf("%s runs one write transaction at a time", e.Dialect().Name())
	}
	ctx := context.Background()
	addUser(t, e, f, "seed@x", nil, int64(1))
	count := stmt.Select(stmt.CountAll()).From(f.U).Where(f.U.C("age").Eq(int64(1)))
	tx1, err := e.Begin(ctx, engine.TxOptions{Isolation: "serializable"})
	if err != nil {
		t.Fatal(err)
	}
	defer tx1.Rollback(ctx)
	tx2, err := e.Begin(ctx, engine.TxOptions{Isolation: "serializable"})
	if err != nil {
		t.Fatal(err)
	}
	defer tx2.Rollback(ctx)
	for _, tx := range []*engine.Tx{tx1, tx2} {
		if _, err := engine.Scalar[int64](ctx, tx, count); err != nil {
			t.Fatal(err)
		}
	}
	write := func(tx *engine.Tx, email string) error {
		if _, err := tx.Exec(ctx, stmt.Insert(f.U).Columns("email", "age", "active").Values(email, int64(1), true)); err != nil {
			tx.Rollback(ctx)
			return err
		}
		return tx.Commit(ctx)
	}
	errs := make(chan error, 2)
	go func() { errs <- write(tx1, "one@x") }()
	go func() { errs <- write(tx2, "two@x") }()
	failed := 0
	for range 2 {
		if err := <-errs; err != nil {
			failed++
			if !engine.IsRetryable(err) {
				t.Errorf("write skew failed with a non-retryable error: %v", err)
			}
		}
	}
	if failed != 1 {
		t.Errorf("%d of 2 conflicting serializable transactions failed, want 1", failed)
	}
}

// testKeptArguments: what a Tracer or a StatementCheck is shown of a
// statement's arguments stays as it was after later statements ran (the
// engine reuses a statement's argument storage only when nobody else was
// shown it).
func testKeptArguments(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	addUser(t, e, f, "kept@example.com", "Kept", int64(7))
	var mu sync.Mutex
	var kept [][]any
	keep := func(q engine.QueryInfo) {
		mu.Lock()
		kept = append(kept, q.Args)
		mu.Unlock()
	}
	run := func(t *testing.T, q engine.Querier, ctx context.Context) {
		kept = nil
		for i := 0; i < 30; i++ {
			email := fmt.Sprintf("nobody-%d@example.com", i)
			if i%3 == 0 {
				if _, err := engine.All[int64](ctx, q, stmt.Select(f.U.C("id")).Where(f.U.C("email").Eq(email))); err != nil {
					t.Fatal(err)
				}
			} else if _, err := q.Exec(ctx, stmt.Update(f.U).Set("name", email).Where(f.U.C("email").Eq(email))); err != nil {
				t.Fatal(err)
			}
		}
		if len(kept) != 30 {
			t.Fatalf("saw %d statements, want 30", len(kept))
		}
		for i, args := range kept {
			want := fmt.Sprintf("nobody-%d@example.com", i)
			if !slices.Contains(args, any(want)) {
				t.Errorf("statement %d: kept arguments %#v lost %q", i, args, want)
			}
		}
	}
	t.Run("tracer", func(t *testing.T) {
		te := engine.New(e.Dialect(), e.Pool(), nil, engine.WithTracer(engine.TracerFunc(
			func(ctx context.Context, q engine.QueryInfo) (context.Context, func(error)) {
				keep(q)
				return ctx, func(error) {}
			})))
		run(t, te, ctx)
	})
	t.Run("statement check", func(t *testing.T) {
		cctx := engine.WithStatementCheck(ctx, func(_ context.Context, q engine.QueryInfo) error {
			keep(q)
			return nil
		})
		run(t, e, cctx)
	})
}
