package migrate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dlayer/dlayer/dialects"
)

// LockMode says how a Runner keeps two migrators from applying the same
// migration at once.
type LockMode string

// The lock modes.
const (
	// LockAuto lets the pool's URL decide (?migrate_lock=table|advisory;
	// a PostgreSQL URL with ?pooler=transaction means LockTable), else
	// LockAdvisory where the dialect has named locks, else LockTable.
	LockAuto LockMode = ""
	// LockAdvisory holds the database's named lock (PostgreSQL
	// pg_try_advisory_lock, MySQL/MariaDB GET_LOCK) on a connection of its
	// own for the whole run. It ends with the holder's session, so a
	// migrator that dies releases it at once; but every waiter also holds a
	// server connection, which a transaction-pooling pooler with a small
	// pool runs out of, and a named lock does not replicate (MariaDB
	// Galera, distributed SQL engines).
	LockAdvisory LockMode = "advisory"
	// LockTable keeps a row in the table <history table>_lock, inserted by
	// the holder and deleted when it is done, on any dialect. Waiters poll
	// with short statements that hold no connection between attempts, so
	// it works through poolers, and the row replicates like any other. The
	// holder renews the row every LockLease/3; a row not renewed for
	// LockLease (its holder died) is taken over by the next waiter, and
	// `dlayer migrate resolve --unlock` (Runner.Unlock) removes it at once.
	// The lease is measured on the migrators' clocks: keep them in sync
	// within a fraction of it.
	LockTable LockMode = "table"
)

// DefaultLockLease is the LockTable lease when Config.LockLease is zero.
const DefaultLockLease = 30 * time.Second

// LockMode returns the lock mode the Runner uses, with LockAuto resolved.
func (r *Runner) LockMode() LockMode {
	if r == nil {
		return LockAuto
	}
	if r.cfg.Lock != LockAuto {
		return r.cfg.Lock
	}
	if c, ok := r.cfg.Pool.(dialects.MigrationLockChooser); ok {
		switch m := LockMode(c.MigrationLock()); m {
		case LockAdvisory, LockTable:
			return m
		}
	}
	if _, ok := r.cfg.Dialect.(dialects.MigrationLocker); ok {
		return LockAdvisory
	}
	return LockTable
}

// lock takes the migration lock.
func (r *Runner) lock(ctx context.Context) (func(context.Context) error, error) {
	if r.LockMode() == LockTable {
		return r.lockTable(ctx)
	}
	l, ok := r.cfg.Dialect.(dialects.MigrationLocker)
	if !ok {
		return nil, fmt.Errorf("migration lock: %s has no advisory lock; use the table lock (migrate_lock=table)", r.cfg.Dialect.Name())
	}
	return l.LockMigrations(ctx, r.cfg.Pool, r.advisoryLockName(ctx), r.cfg.LockTimeout)
}

// testLockScope is set by this package's tests only: it returns the name
// of the test's own database, which then prefixes the advisory lock's
// name. A named lock is global to the server (MySQL/MariaDB GET_LOCK) or
// to the database (PostgreSQL, whose test databases are schemas), so test
// runs in different databases of one server would otherwise wait for, and
// time out on, each other's locks. In production it is nil and the lock is
// named after the history table.
var testLockScope func(ctx context.Context, d dialects.Dialect, p dialects.Pool) string

// advisoryLockName is the name LockAdvisory locks.
func (r *Runner) advisoryLockName(ctx context.Context) string {
	if testLockScope != nil {
		if scope := testLockScope(ctx, r.cfg.Dialect, r.cfg.Pool); scope != "" {
			return scope + "/" + r.cfg.Table
		}
	}
	return r.cfg.Table
}

func (r *Runner) lockTableName() string { return r.cfg.Table + "_lock" }

// lockTableDDL creates the lock table. acquired_at is the holder's last
// heartbeat (UTC, RFC 3339), kept as text so that every dialect stores and
// compares it alike.
func (r *Runner) lockTableDDL() string {
	return "CREATE TABLE IF NOT EXISTS " + r.q(r.lockTableName()) + " (" + r.q("id") + " INTEGER NOT NULL PRIMARY KEY, " +
		r.q("owner") + " VARCHAR(32) NOT NULL, " + r.q("acquired_at") + " VARCHAR(40) NOT NULL)"
}

// lockTable takes the table lock (see LockTable): every attempt is a
// statement of its own, so no connection is held while waiting.
func (r *Runner) lockTable(ctx context.Context) (func(context.Context) error, error) {
	tbl := r.q(r.lockTableName())
	var idb [8]byte
	_, _ = rand.Read(idb[:])
	owner := hex.EncodeToString(idb[:])
	deadline := time.Now().Add(r.cfg.LockTimeout)
	ins := "INSERT INTO " + tbl + " (" + r.q("id") + ", " + r.q("owner") + ", " + r.q("acquired_at") + ") VALUES (1, " +
		r.ph(1) + ", " + r.ph(2) + ")"
	wait := 10 * time.Millisecond
	var lastErr error
	// A closed pool or an unreachable database is not a held lock: fail
	// now instead of retrying until the lock timeout.
	if err := r.cfg.Pool.Ping(ctx); err != nil {
		return nil, fmt.Errorf("migration lock (table %s): %w", r.lockTableName(), err)
	}
	for {
		_, err := r.cfg.Pool.Exec(ctx, r.lockTableDDL())
		if err == nil {
			_, err = r.cfg.Pool.Exec(ctx, ins, owner, now())
			if err == nil {
				break
			}
			if took, terr := r.takeExpired(ctx); terr == nil && took {
				continue
			} else if terr != nil {
				err = errors.Join(err, terr)
			}
		}
		lastErr = err
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("migration lock (table %s): %w after %s: %w: another migrator holds it "+
				"(if none is running, a crashed one left it: it expires %s after its last heartbeat, "+
				"or call Runner.Unlock to remove it now): %v",
				r.lockTableName(), dialects.ErrLockTimeout, r.cfg.LockTimeout, ErrLockTable, r.cfg.LockLease, lastErr)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		if wait < 200*time.Millisecond {
			wait *= 2
		}
	}
	hb := r.heartbeat(ctx, owner)
	return func(ctx context.Context) error {
		lost := hb.stop()
		del := "DELETE FROM " + tbl + " WHERE " + r.q("owner") + " = " + r.ph(1)
		_, err := r.cfg.Pool.Exec(ctx, del, owner)
		// On a multi-primary cluster (Galera) the DELETE can lose
		// certification to a waiter's INSERT on another node and fail
		// with a deadlock: the row is still there, so try again.
		for try := 1; try < 10 && err != nil && dialects.IsRetryable(r.cfg.Dialect.TranslateError(err)) && ctx.Err() == nil; try++ {
			time.Sleep(time.Duration(try) * 10 * time.Millisecond)
			_, err = r.cfg.Pool.Exec(ctx, del, owner)
		}
		if lost {
			return errors.Join(fmt.Errorf("the migration lock (table %s) expired while held: its heartbeat "+
				"did not reach the database for %s, and another migrator may have run meanwhile", r.lockTableName(), r.cfg.LockLease), err)
		}
		return err
	}, nil
}

// takeExpired deletes the lock row when its holder's last heartbeat is
// older than the lease, and reports whether the row is gone (taken over or
// released meanwhile). The delete names the row's holder and heartbeat, so
// of two waiters only one takes a given row over, and a renewed row stays.
func (r *Runner) takeExpired(ctx context.Context) (bool, error) {
	tbl := r.q(r.lockTableName())
	rows, err := r.cfg.Pool.Query(ctx, "SELECT "+r.q("owner")+", "+r.q("acquired_at")+" FROM "+tbl+" WHERE "+r.q("id")+" = 1")
	if err != nil {
		return false, err
	}
	var holder, at string
	found := rows.Next()
	if found {
		err = rows.Scan(&holder, &at)
	}
	if err == nil {
		err = rows.Err()
	}
	rows.Close()
	if err != nil || !found {
		return !found && err == nil, err
	}
	t, perr := time.Parse(time.RFC3339Nano, at)
	if perr != nil || time.Since(t) < r.cfg.LockLease {
		// A heartbeat it cannot read is never taken for an expired one:
		// such a row waits for Unlock.
		return false, nil
	}
	res, err := r.cfg.Pool.Exec(ctx, "DELETE FROM "+tbl+" WHERE "+r.q("id")+" = 1 AND "+r.q("owner")+" = "+r.ph(1)+
		" AND "+r.q("acquired_at")+" = "+r.ph(2), holder, at)
	if err != nil {
		return false, err
	}
	if res.RowsAffected > 0 {
		r.logf("-- took over the migration lock of %s (last heartbeat %s, lease %s)\n", holder, at, r.cfg.LockLease)
	}
	return true, nil
}

// beat renews a table lock in the background.
type beat struct {
	done chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	lost bool
}

// stop ends the heartbeat and reports whether the lock was lost.
func (b *beat) stop() bool {
	close(b.done)
	b.wg.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lost
}

// heartbeat renews owner's lock row every lease/3 until stopped. The lock
// is lost when the row is gone (taken over after the lease ran out or
// removed by hand) or when no renewal succeeded for a whole lease.
func (r *Runner) heartbeat(ctx context.Context, owner string) *beat {
	b := &beat{done: make(chan struct{})}
	ctx = context.WithoutCancel(ctx)
	upd := "UPDATE " + r.q(r.lockTableName()) + " SET " + r.q("acquired_at") + " = " + r.ph(1) +
		" WHERE " + r.q("id") + " = 1 AND " + r.q("owner") + " = " + r.ph(2)
	every := r.cfg.LockLease / 3
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-b.done:
				return
			case <-t.C:
			}
			sctx, cancel := context.WithTimeout(ctx, every)
			res, err := r.cfg.Pool.Exec(sctx, upd, now(), owner)
			cancel()
			lost := false
			switch {
			case err == nil && res.RowsAffected == 0:
				lost = true
			case err == nil:
				last = time.Now()
			case time.Since(last) >= r.cfg.LockLease:
				lost = true
			}
			if lost {
				b.mu.Lock()
				b.lost = true
				b.mu.Unlock()
				return
			}
		}
	}()
	return b
}

// Unlock removes the table lock (LockTable) left by a migrator that
// crashed, without waiting for its lease to run out. Make sure no migrator
// is running first. With LockAdvisory there is nothing to remove: the
// named lock ends with the holder's session.
func (r *Runner) Unlock(ctx context.Context) error {
	if r == nil {
		return errNilRunner
	}
	if r.cfg.Pool == nil {
		return errNoPool
	}
	if ctx == nil {
		return dialects.ErrNilContext
	}
	if r.LockMode() == LockAdvisory {
		return fmt.Errorf("unlock: %s releases the migration lock when the holder's session ends; nothing to remove "+
			"(the table lock, migrate_lock=table, is the one that can be left behind)", r.cfg.Dialect.Name())
	}
	if _, err := r.cfg.Pool.Exec(ctx, r.lockTableDDL()); err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	if _, err := r.cfg.Pool.Exec(ctx, "DELETE FROM "+r.q(r.lockTableName())); err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	return nil
}
