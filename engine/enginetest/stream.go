package enginetest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

type numRow struct {
	N   int64
	Grp int64
}

// countingTracer counts round trips started and ended.
type countingTracer struct{ started, ended atomic.Int64 }

func (c *countingTracer) Start(ctx context.Context, q engine.QueryInfo) (context.Context, func(error)) {
	c.started.Add(1)
	return ctx, func(error) { c.ended.Add(1) }
}

func testStream(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	const total = 3000
	seedNums(t, e, f, total)
	ctx := context.Background()
	all := stmt.Select(f.N).OrderBy(f.N.C("n").Asc())

	t.Run("every row in order", func(t *testing.T) {
		var n, sum int64
		for r, err := range engine.Stream[numRow](ctx, e, all) {
			if err != nil {
				t.Fatal(err)
			}
			if r.N != n || r.Grp != n%10 {
				t.Fatalf("row %d = %+v", n, r)
			}
			sum += r.N
			n++
		}
		if n != total || sum != total*(total-1)/2 {
			t.Errorf("streamed %d rows, sum %d", n, sum)
		}
	})
	t.Run("records", func(t *testing.T) {
		n := 0
		for r, err := range engine.Stream[engine.Record](ctx, e, all) {
			if err != nil {
				t.Fatal(err)
			}
			if v, err := r.Int64("n"); err != nil || v != int64(n) {
				t.Fatalf("record %d: n = %d, %v", n, v, err)
			}
			n++
		}
		if n != total {
			t.Errorf("streamed %d records", n)
		}
	})
	t.Run("break closes the rows", func(t *testing.T) {
		tr := &countingTracer{}
		te := engine.New(e.Dialect(), e.Pool(), nil, engine.WithTracer(tr))
		n := 0
		for _, err := range engine.Stream[numRow](ctx, te, all) {
			if err != nil {
				t.Fatal(err)
			}
			n++
			if n == 10 {
				break
			}
		}
		if s, en := tr.started.Load(), tr.ended.Load(); s != 1 || en != 1 {
			t.Errorf("after break: %d queries started, %d ended; want the rows closed", s, en)
		}
		// The connection is back in the pool and usable.
		if c, err := engine.Scalar[int64](ctx, te, stmt.Select(stmt.CountAll()).From(f.N)); err != nil || c != total {
			t.Errorf("count after break = %d, %v", c, err)
		}
	})
	t.Run("context cancel stops the stream", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		n := 0
		var last error
		for _, err := range engine.Stream[numRow](cctx, e, all) {
			if err != nil {
				last = err
				break
			}
			n++
			if n == 100 {
				cancel()
			}
		}
		if !errors.Is(last, context.Canceled) {
			t.Errorf("got %v after %d rows, want context.Canceled", last, n)
		}
		if n >= total {
			t.Errorf("read all %d rows after cancel", n)
		}
	})
	t.Run("query error is yielded once", func(t *testing.T) {
		calls := 0
		for _, err := range engine.Stream[numRow](ctx, e, stmt.Text("SELECT * FROM no_such_table_"+f.sfx)) {
			calls++
			if err == nil {
				t.Error("no error for a missing table")
			}
		}
		if calls != 1 {
			t.Errorf("yielded %d times, want 1", calls)
		}
	})
}
