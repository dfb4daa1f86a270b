package migrate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dlayer/dlayer/dialects"
	_ "github.com/dlayer/dlayer/dialects/mysql"
	_ "github.com/dlayer/dlayer/dialects/postgres"
	_ "github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
)

// TestTableLockHeartbeat: a holder that runs longer than the lease keeps
// the lock (its heartbeat renews the row), so a waiter times out instead
// of taking it over; after release the waiter gets it; and a holder whose
// row was removed meanwhile learns at release that it lost the lock.
func TestTableLockHeartbeat(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d, p, err := dialects.Open(ctx, fresh.URL(t, name, "dlayer_lock"), dialects.PoolOptions{MaxOpenConns: 4})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { p.Close() })
			runner := func(timeout time.Duration) *Runner {
				r, err := New(Config{Dialect: d, Pool: p, Lock: LockTable, LockTimeout: timeout, LockLease: 600 * time.Millisecond})
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			a, b := runner(time.Second), runner(300*time.Millisecond)
			unlockA, err := a.lock(ctx)
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(1500 * time.Millisecond) // 2.5 leases
			if _, err := b.lock(ctx); !errors.Is(err, dialects.ErrLockTimeout) {
				t.Fatalf("lock while a live holder renews its lease: %v, want ErrLockTimeout", err)
			}
			if err := unlockA(ctx); err != nil {
				t.Fatalf("release: %v", err)
			}
			unlockB, err := b.lock(ctx)
			if err != nil {
				t.Fatalf("lock after release: %v", err)
			}
			// Someone removes B's row (resolve --unlock while B runs).
			if err := a.Unlock(ctx); err != nil {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond) // at least one heartbeat
			if err := unlockB(ctx); err == nil || !strings.Contains(err.Error(), "expired while held") {
				t.Fatalf("release of a lost lock: %v, want the expired-while-held error", err)
			}
		})
	}
}
