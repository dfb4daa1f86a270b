package migrate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
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

const holderEnv = "DLAYER_TEST_LOCK_HOLDER_URL"

// TestHelperLockHolder is the migrator TestTableLockHolderKilled kills: run
// by that test in a process of its own, it takes the table lock (lease 1 s),
// says so on stdout and waits to be killed.
func TestHelperLockHolder(t *testing.T) {
	u := os.Getenv(holderEnv)
	if u == "" {
		t.Skip("the lock holder process of TestTableLockHolderKilled")
	}
	ctx := context.Background()
	d, p, err := dialects.Open(ctx, u, dialects.PoolOptions{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(Config{Dialect: d, Pool: p, Lock: LockTable, LockLease: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.lock(ctx); err != nil {
		t.Fatal(err)
	}
	fmt.Println("LOCKED")
	time.Sleep(time.Minute)
}

// TestTableLockHolderKilled kills a migrator holding the table lock with
// SIGKILL: while it lived its heartbeat kept the lock; once dead, the next
// migrator takes the lock over within about a lease, without an Unlock.
func TestTableLockHolderKilled(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			u := fresh.URL(t, name, "dlayer_kill")
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLockHolder$", "-test.count=1")
			cmd.Env = append(os.Environ(), holderEnv+"="+u)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
			locked := make(chan bool, 1)
			go func() {
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					if sc.Text() == "LOCKED" {
						locked <- true
						return
					}
				}
				locked <- false
			}()
			select {
			case ok := <-locked:
				if !ok {
					t.Fatal("the holder process ended without taking the lock")
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the holder process did not take the lock")
			}
			d, p, err := dialects.Open(ctx, u, dialects.PoolOptions{MaxOpenConns: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			runner := func(timeout time.Duration) *Runner {
				r, err := New(Config{Dialect: d, Pool: p, Lock: LockTable, LockTimeout: timeout, LockLease: time.Second})
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			// Alive for 2 leases: its heartbeat keeps the lock.
			if _, err := runner(2 * time.Second).lock(ctx); !errors.Is(err, dialects.ErrLockTimeout) {
				t.Fatalf("lock while the holder lives: %v, want ErrLockTimeout", err)
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			start := time.Now()
			unlock, err := runner(20 * time.Second).lock(ctx)
			if err != nil {
				t.Fatalf("lock after the holder was killed: %v", err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took over after %s, want about the 1 s lease", took)
			}
			if err := unlock(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
