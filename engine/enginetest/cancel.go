package enginetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

func testCancel(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	seedNums(t, e, f, 100)
	slow := stmt.Text(cfg.SlowQuery)

	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := engine.Records(ctx, e, slow)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want an error matching context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("the query ran %v after its deadline", d)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err := e.Exec(ctx, slow)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want an error matching context.Canceled", err)
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := engine.All[int64](ctx, e, stmt.Select(f.N.C("n")))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		if _, err := e.Begin(ctx, engine.TxOptions{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("Begin: got %v, want context.Canceled", err)
		}
	})
	t.Run("engine still works", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := engine.Scalar[int64](context.Background(), e, stmt.Select(stmt.CountAll()).From(f.N))
				if err != nil || n != 100 {
					t.Errorf("count after cancellations = %d, %v", n, err)
				}
			}()
		}
		wg.Wait()
	})
}
