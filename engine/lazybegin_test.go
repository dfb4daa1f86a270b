package engine_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/stmt"
)

// opsRecorder records the Tracer operation of every round trip.
type opsRecorder struct {
	mu  sync.Mutex
	ops []string
}

func (o *opsRecorder) trace(ctx context.Context, q engine.QueryInfo) (context.Context, func(error)) {
	o.mu.Lock()
	o.ops = append(o.ops, q.Operation)
	o.mu.Unlock()
	return ctx, func(error) {}
}

func (o *opsRecorder) take() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := strings.Join(o.ops, " ")
	o.ops = nil
	return s
}

// TestDeferredBeginPostgres: on PostgreSQL Begin sends nothing; the
// transaction's first statement carries BEGIN in its own round trip (the
// Tracer sees no "begin"), and the statements still run in a transaction:
// invisible to other connections until COMMIT, undone by ROLLBACK, with
// the isolation level and read-only mode asked for. A transaction that ran
// nothing ends without a round trip; Close still rolls back open ones;
// Unwrap still yields a working pgx.Tx.
func TestDeferredBeginPostgres(t *testing.T) {
	ctx := context.Background()
	url := testdb.URL(t, testdb.Postgres)
	rec := &opsRecorder{}
	e, err := engine.Open(ctx, url, engine.WithTracer(engine.TracerFunc(rec.trace)))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	mustExec := func(q engine.Querier, sql string) {
		t.Helper()
		if _, err := q.Exec(ctx, stmt.Text(sql)); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	mustExec(e, "DROP TABLE IF EXISTS lazy_t")
	mustExec(e, "CREATE TABLE lazy_t (id int PRIMARY KEY, v text)")
	t.Cleanup(func() { _, _ = e.Exec(ctx, stmt.Text("DROP TABLE IF EXISTS lazy_t")) })
	count := func() int64 {
		t.Helper()
		n, err := engine.Scalar[int64](ctx, e, stmt.Text("SELECT count(*) FROM lazy_t"))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	insert := func(id int) *stmt.TextStmt {
		return stmt.Text("INSERT INTO lazy_t (id, v) VALUES (:id, 'x')").Bind("id", id)
	}

	cases := []struct {
		name    string
		run     func(t *testing.T, tx *engine.Tx) error
		end     func(tx *engine.Tx) error
		wantOps string
		added   int64
	}{
		{
			name: "exec then commit: two round trips, committed",
			run: func(t *testing.T, tx *engine.Tx) error {
				if _, err := tx.Exec(ctx, insert(1)); err != nil {
					return err
				}
				if n := count(); n != 0 {
					t.Fatalf("another connection sees %d uncommitted rows: BEGIN was not sent", n)
				}
				rec.ops = rec.ops[:1] // forget count's query
				return nil
			},
			end:     func(tx *engine.Tx) error { return tx.Commit(ctx) },
			wantOps: "exec commit",
			added:   1,
		},
		{
			name: "exec then rollback: undone",
			run: func(t *testing.T, tx *engine.Tx) error {
				_, err := tx.Exec(ctx, insert(2))
				return err
			},
			end:     func(tx *engine.Tx) error { return tx.Rollback(ctx) },
			wantOps: "exec rollback",
		},
		{
			name: "query first carries BEGIN",
			run: func(t *testing.T, tx *engine.Tx) error {
				if _, err := engine.Scalar[int64](ctx, tx, stmt.Text("SELECT count(*) FROM lazy_t WHERE id > :n").Bind("n", 0)); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, insert(3))
				return err
			},
			end:     func(tx *engine.Tx) error { return tx.Rollback(ctx) },
			wantOps: "query exec rollback",
		},
		{
			name: "several statements without arguments as the first: undone together",
			run: func(t *testing.T, tx *engine.Tx) error {
				_, err := tx.Exec(ctx, stmt.Text("INSERT INTO lazy_t VALUES (10, 'a'); INSERT INTO lazy_t VALUES (11, 'b')"))
				return err
			},
			end:     func(tx *engine.Tx) error { return tx.Rollback(ctx) },
			wantOps: "exec rollback",
		},
		{
			name:    "nothing run: commit sends nothing",
			run:     func(t *testing.T, tx *engine.Tx) error { return nil },
			end:     func(tx *engine.Tx) error { return tx.Commit(ctx) },
			wantOps: "",
		},
		{
			name:    "nothing run: rollback sends nothing",
			run:     func(t *testing.T, tx *engine.Tx) error { return nil },
			end:     func(tx *engine.Tx) error { return tx.Rollback(ctx) },
			wantOps: "",
		},
		{
			name: "batch carries BEGIN",
			run: func(t *testing.T, tx *engine.Tx) error {
				_, err := tx.ExecBatch(ctx, []stmt.Statement{insert(4), insert(5)})
				return err
			},
			end:     func(tx *engine.Tx) error { return tx.Commit(ctx) },
			wantOps: "batch commit",
			added:   2,
		},
		{
			name: "failing first statement: rolled back, connection reusable",
			run: func(t *testing.T, tx *engine.Tx) error {
				_, err := tx.Exec(ctx, insert(1)) // duplicate key
				var ce *engine.ConstraintError
				if !errors.As(err, &ce) || ce.Kind != engine.Unique {
					t.Fatalf("duplicate key: %v", err)
				}
				return nil
			},
			end:     func(tx *engine.Tx) error { return tx.Rollback(ctx) },
			wantOps: "exec rollback",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := count()
			tx, err := e.Begin(ctx, engine.TxOptions{})
			if err != nil {
				t.Fatal(err)
			}
			rec.take()
			if err := tc.run(t, tx); err != nil {
				t.Fatal(err)
			}
			if err := tc.end(tx); err != nil {
				t.Fatal(err)
			}
			if ops := rec.take(); ops != tc.wantOps {
				t.Fatalf("round trips %q, want %q", ops, tc.wantOps)
			}
			if got := count() - before; got != tc.added {
				t.Fatalf("rows added %d, want %d", got, tc.added)
			}
		})
	}

	t.Run("isolation and read-only reach the server", func(t *testing.T) {
		tx, err := e.Begin(ctx, engine.TxOptions{Isolation: "serializable", ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		lvl, err := engine.Scalar[string](ctx, tx, stmt.Text("SELECT current_setting(:k)").Bind("k", "transaction_isolation"))
		if err != nil || lvl != "serializable" {
			t.Fatalf("isolation %q, %v", lvl, err)
		}
		if _, err := tx.Exec(ctx, insert(20)); err == nil || !strings.Contains(err.Error(), "read-only") {
			t.Fatalf("insert in a read-only transaction: %v", err)
		}
	})

	t.Run("read-only on the first statement", func(t *testing.T) {
		tx, err := e.Begin(ctx, engine.TxOptions{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, insert(21)); err == nil || !strings.Contains(err.Error(), "read-only") {
			t.Fatalf("insert as the first statement of a read-only transaction: %v", err)
		}
	})

	t.Run("unwrap after the deferred BEGIN", func(t *testing.T) {
		before := count()
		tx, err := e.Begin(ctx, engine.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, insert(30)); err != nil {
			t.Fatal(err)
		}
		ptx, ok := tx.Unwrap().(pgx.Tx)
		if !ok {
			t.Fatalf("Unwrap: %T", tx.Unwrap())
		}
		if _, err := ptx.Exec(ctx, "INSERT INTO lazy_t VALUES (31, 'y')"); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != before {
			t.Fatalf("rollback left %d rows", n-before)
		}
	})

	t.Run("unwrap before any statement", func(t *testing.T) {
		before := count()
		tx, err := e.Begin(ctx, engine.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ptx, ok := tx.Unwrap().(pgx.Tx)
		if !ok {
			t.Fatalf("Unwrap: %T", tx.Unwrap())
		}
		if _, err := ptx.Exec(ctx, "INSERT INTO lazy_t VALUES (32, 'y')"); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != before+1 {
			t.Fatalf("commit: %d rows added, want 1", n-before)
		}
	})

	t.Run("close rolls back pending and begun transactions", func(t *testing.T) {
		e2, err := engine.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		pending, err := e2.Begin(ctx, engine.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		begun, err := e2.Begin(ctx, engine.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := begun.Exec(ctx, insert(40)); err != nil {
			t.Fatal(err)
		}
		before := count()
		cerr := e2.Close()
		if cerr == nil || strings.Count(cerr.Error(), "transaction") < 2 {
			t.Fatalf("close did not report both open transactions: %v", cerr)
		}
		for _, tx := range []*engine.Tx{pending, begun} {
			if _, err := tx.Exec(ctx, insert(41)); !errors.Is(err, engine.ErrClosed) {
				t.Fatalf("statement after close: %v", err)
			}
		}
		if n := count(); n != before {
			t.Fatalf("close committed %d rows", n-before)
		}
	})
}
