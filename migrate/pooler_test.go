package migrate_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/migrate"
)

// upConcurrently runs n migrators at once, each with its own pool opened
// from u and its own Runner, and returns their errors and how many
// migrations each applied.
func upConcurrently(t *testing.T, u string, n int, dir fstest.MapFS, cfg migrate.Config) ([]error, []int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	applied := make([]int, n)
	for i := range n {
		d, p := open(t, u)
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := cfg
			c.Dialect, c.Pool, c.Dir = d, p, dir
			r, err := migrate.New(c)
			if err != nil {
				errs[i] = err
				return
			}
			res, err := r.Up(context.Background(), 0)
			errs[i] = err
			if res != nil {
				applied[i] = len(res.Steps)
			}
		}()
	}
	wg.Wait()
	return errs, applied
}

// checkAppliedOnce checks that no migrator failed, that the three base
// migrations were applied once in all, and the rows and history they left.
func checkAppliedOnce(t *testing.T, db *testDB, dir fstest.MapFS, errs []error, applied []int) {
	t.Helper()
	total := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrator %d: %v", i, err)
		}
		total += applied[i]
	}
	if total != 3 {
		t.Errorf("migrations applied in total = %d, want 3 (each exactly once): %v", total, applied)
	}
	if n := count(t, db, "t1"); n != 2 {
		t.Errorf("t1 rows = %d, want 2", n)
	}
	recs, err := newRunner(t, db.dialect, db.pool, dir).History(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Errorf("history rows = %d, want 3", len(recs))
	}
}

// checkNoLockRows checks that the table lock was released.
func checkNoLockRows(t *testing.T, db *testDB) {
	t.Helper()
	if n := count(t, db, migrate.DefaultTable+"_lock"); n != 0 {
		t.Errorf("lock rows left = %d, want 0", n)
	}
}

// pooledDB is a fresh database reached through the test pgbouncer
// (transaction pooling, four server connections) with extra URL options.
func pooledDB(t *testing.T, query string) *testDB {
	t.Helper()
	u := fresh.PooledURL(t, "dlayer_mig", query)
	d, p := open(t, u)
	return &testDB{name: testdb.Postgres, url: u, dialect: d, pool: p}
}

// TestPoolerConcurrentUp: eight migrators with pools of their own run `up`
// at once through pgbouncer in transaction mode with four server
// connections. With ?pooler=transaction the Runner takes the table lock,
// whose waiters hold no server connection, and all eight succeed.
func TestPoolerConcurrentUp(t *testing.T) {
	db := pooledDB(t, "pooler=transaction")
	if m := newRunner(t, db.dialect, db.pool, nil).LockMode(); m != migrate.LockTable {
		t.Fatalf("lock mode with pooler=transaction = %q, want table", m)
	}
	dir := baseDir()
	errs, applied := upConcurrently(t, db.url, 8, dir, migrate.Config{LockTimeout: time.Minute})
	checkAppliedOnce(t, db, dir, errs, applied)
	checkNoLockRows(t, db)
}

// TestPoolerAdvisoryLockStarves shows the failure the table lock avoids:
// with the advisory lock through the same pooler, each waiter keeps a
// server connection while it polls, the holder cannot get one for its
// migration, and waiters give up with ErrLockTimeout.
func TestPoolerAdvisoryLockStarves(t *testing.T) {
	db := pooledDB(t, "pooler=transaction&migrate_lock=advisory")
	if m := newRunner(t, db.dialect, db.pool, nil).LockMode(); m != migrate.LockAdvisory {
		t.Fatalf("lock mode with migrate_lock=advisory = %q, want advisory", m)
	}
	errs, _ := upConcurrently(t, db.url, 8, baseDir(), migrate.Config{LockTimeout: 3 * time.Second})
	timeouts := 0
	for _, err := range errs {
		if errors.Is(err, dialects.ErrLockTimeout) {
			timeouts++
		} else if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
	}
	if timeouts == 0 {
		t.Fatal("no migrator timed out waiting for the advisory lock through a 4-connection transaction pooler: " +
			"the setup no longer reproduces the starvation the table lock exists for")
	}
	t.Logf("%d of 8 migrators timed out with the advisory lock", timeouts)
}

// TestTableLockConcurrentUp runs the table lock directly on every database:
// five migrators at once, each migration applied once, no row left.
func TestTableLockConcurrentUp(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := freshDB(t, name)
			dir := baseDir()
			errs, applied := upConcurrently(t, db.url, 5, dir, migrate.Config{Lock: migrate.LockTable, LockTimeout: time.Minute})
			checkAppliedOnce(t, db, dir, errs, applied)
			checkNoLockRows(t, db)
		})
	}
}

// TestTableLockExpiry: a lock row left by a migrator that died is taken
// over once its lease has run out; a live one makes Up time out with
// ErrLockTimeout until Unlock removes it.
func TestTableLockExpiry(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := freshDB(t, name)
			dir := baseDir()
			r, err := migrate.New(migrate.Config{Dialect: db.dialect, Pool: db.pool, Dir: dir, Lock: migrate.LockTable,
				LockTimeout: 700 * time.Millisecond, LockLease: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			// Create the lock table, then plant a holder.
			if err := r.Unlock(ctx); err != nil {
				t.Fatal(err)
			}
			lockTbl := db.dialect.QuoteIdent(migrate.DefaultTable + "_lock")
			plant := func(at time.Time) {
				t.Helper()
				if _, err := db.pool.Exec(ctx, "INSERT INTO "+lockTbl+" VALUES (1, "+db.dialect.Placeholder(1)+", "+
					db.dialect.Placeholder(2)+")", "deadbeefdeadbeef", at.UTC().Format(time.RFC3339Nano)); err != nil {
					t.Fatal(err)
				}
			}
			// A live holder (heartbeat just now): Up waits, then times out.
			plant(time.Now())
			_, err = r.Up(ctx, 0)
			if !errors.Is(err, dialects.ErrLockTimeout) || !errors.Is(err, migrate.ErrLockTable) || !strings.Contains(err.Error(), "Runner.Unlock") {
				t.Fatalf("Up with a live lock row: %v, want ErrLockTimeout and ErrLockTable with the unlock hint", err)
			}
			if tableExists(t, db, "t1") {
				t.Fatal("a refused Up created t1")
			}
			// Unlock removes it at once.
			if err := r.Unlock(ctx); err != nil {
				t.Fatal(err)
			}
			if res, err := r.Up(ctx, 1); err != nil || len(res.Steps) != 1 {
				t.Fatalf("Up after Unlock: %v %v", res, err)
			}
			// A dead holder (last heartbeat an hour ago) is taken over.
			plant(time.Now().Add(-time.Hour))
			if res, err := r.Up(ctx, 0); err != nil || len(res.Steps) != 2 {
				t.Fatalf("Up over an expired lock: %v %v", res, err)
			}
			if n := count(t, db, migrate.DefaultTable+"_lock"); n != 0 {
				t.Errorf("lock rows left = %d", n)
			}
		})
	}
}

// TestLockModeFromURL: ?migrate_lock= and ?pooler=transaction choose the
// lock mode, Config.Lock overrides them, and bad values are refused.
func TestLockModeFromURL(t *testing.T) {
	tests := []struct {
		name, db, query string
		cfg             migrate.LockMode
		want            migrate.LockMode
	}{
		{name: "postgres default", db: testdb.Postgres, want: migrate.LockAdvisory},
		{name: "postgres table", db: testdb.Postgres, query: "migrate_lock=table", want: migrate.LockTable},
		{name: "postgres pooler", db: testdb.Postgres, query: "pooler=transaction", want: migrate.LockTable},
		{name: "postgres pooler advisory", db: testdb.Postgres, query: "pooler=transaction&migrate_lock=advisory", want: migrate.LockAdvisory},
		{name: "postgres config wins", db: testdb.Postgres, query: "migrate_lock=table", cfg: migrate.LockAdvisory, want: migrate.LockAdvisory},
		{name: "mysql default", db: testdb.MySQL, want: migrate.LockAdvisory},
		{name: "mysql table", db: testdb.MySQL, query: "migrate_lock=table", want: migrate.LockTable},
		{name: "sqlite default", db: testdb.SQLite, want: migrate.LockTable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := testdb.URL(t, tt.db)
			if tt.query != "" {
				sep := "?"
				if strings.Contains(u, "?") {
					sep = "&"
				}
				u += sep + tt.query
			}
			d, p := open(t, u)
			if err := p.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
			r, err := migrate.New(migrate.Config{Dialect: d, Pool: p, Lock: tt.cfg})
			if err != nil {
				t.Fatal(err)
			}
			if got := r.LockMode(); got != tt.want {
				t.Errorf("LockMode() = %q, want %q", got, tt.want)
			}
		})
	}
	for _, u := range []string{"postgres://u@127.0.0.1:1/db?migrate_lock=bogus", "mysql://u@127.0.0.1:1/db?migrate_lock=",
		"postgres://u@127.0.0.1:1/db?pooler=statement"} {
		if _, _, err := dialects.Open(context.Background(), u, dialects.PoolOptions{}); err == nil ||
			!strings.Contains(err.Error(), "want one of") {
			t.Errorf("open %s: %v, want the allowed values", u, err)
		}
	}
	if _, _, err := dialects.Open(context.Background(), "mysql://u@127.0.0.1:1/db?pooler=transaction", dialects.PoolOptions{}); err == nil ||
		!strings.Contains(err.Error(), "PostgreSQL option") {
		t.Errorf("mysql URL with pooler=: %v", err)
	}
	if _, err := migrate.New(migrate.Config{Dialect: nil}); err == nil {
		t.Error("New without a dialect succeeded")
	}
	d, p := open(t, testdb.URL(t, testdb.SQLite))
	if _, err := migrate.New(migrate.Config{Dialect: d, Pool: p, Lock: "row"}); err == nil || !strings.Contains(err.Error(), "unknown Config.Lock") {
		t.Errorf("New with Lock=row: %v", err)
	}
}
