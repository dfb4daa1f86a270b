package engine_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/stmt"
)

// TestExecBatch: Tx.ExecBatch runs statements in order and returns each
// result; on PostgreSQL they are one round trip (the Tracer sees one
// "batch"), elsewhere one each. A unique violation in the middle returns
// the results before it and the translated *ConstraintError; after a
// rollback nothing of the batch is there.
func TestExecBatch(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			var mu sync.Mutex
			var ops []string
			tr := engine.TracerFunc(func(ctx context.Context, q engine.QueryInfo) (context.Context, func(error)) {
				mu.Lock()
				ops = append(ops, q.Operation)
				mu.Unlock()
				return ctx, func(error) {}
			})
			e, err := engine.Open(ctx, fresh.URL(t, name, "dl_batch"), engine.WithTracer(tr))
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if _, err := e.Exec(ctx, stmt.Text("CREATE TABLE batch_t (k VARCHAR(20) NOT NULL UNIQUE, n INTEGER NOT NULL)")); err != nil {
				t.Fatal(err)
			}
			ins := func(k string, n int) stmt.Statement {
				return stmt.Text("INSERT INTO batch_t (k, n) VALUES (:k, :n)").Bind("k", k).Bind("n", n)
			}
			take := func() string {
				mu.Lock()
				defer mu.Unlock()
				s := strings.Join(ops, " ")
				ops = nil
				return s
			}
			take()
			tx, err := e.Begin(ctx, engine.TxOptions{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := tx.ExecBatch(ctx, []stmt.Statement{ins("a", 1), ins("b", 2),
				stmt.Text("UPDATE batch_t SET n = n + 10")})
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 3 || res[0].RowsAffected != 1 || res[2].RowsAffected != 2 {
				t.Fatalf("results %+v", res)
			}
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			want := "begin exec exec exec commit"
			if name == testdb.Postgres {
				want = "batch commit" // BEGIN travels in the batch
			}
			if got := take(); got != want {
				t.Fatalf("round trips %q, want %q", got, want)
			}

			tx, err = e.Begin(ctx, engine.TxOptions{})
			if err != nil {
				t.Fatal(err)
			}
			res, err = tx.ExecBatch(ctx, []stmt.Statement{ins("c", 3), ins("a", 4), ins("d", 5)})
			var ce *engine.ConstraintError
			if !errors.As(err, &ce) || ce.Kind != engine.Unique {
				t.Fatalf("batch with a duplicate: %v", err)
			}
			if len(res) != 1 {
				t.Fatalf("%d results before the failure, want 1", len(res))
			}
			if err := tx.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			n, err := engine.Scalar[int64](ctx, e, stmt.Text("SELECT count(*) FROM batch_t"))
			if err != nil {
				t.Fatal(err)
			}
			if n != 2 {
				t.Fatalf("%d rows, want the 2 committed ones", n)
			}
		})
	}
}
