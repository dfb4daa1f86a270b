package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/stmt"
)

// Tx is a database transaction. It is not safe for concurrent use: use it
// from one goroutine, and finish it with Commit or Rollback.
//
// A transaction belongs to its owner, not to the context that began it:
// the context given to Begin bounds only the begin, each statement obeys
// its own context, and Commit and Rollback theirs. So a transaction whose
// first statement ran under a timeout that has since expired can still run
// more statements and commit, on every database. (A statement cancelled
// while it runs is another matter: the database aborts it, and on
// PostgreSQL and MySQL/MariaDB the transaction with it.)
//
// A transaction still open when the engine is closed is rolled back by
// Engine.Close, which reports it; using it afterwards returns an error
// matching both ErrTxDone and ErrClosed.
type Tx struct {
	e  *Engine
	tx dialects.Tx
	// mu is held while a statement, Commit or Rollback runs, so that
	// Engine.Close never touches a transaction in use.
	mu        sync.Mutex
	done      bool
	abandoned bool
	sp        int
	begun     time.Time
	// lazy is the driver transaction when it defers BEGIN (PostgreSQL).
	lazy  dialects.LazyBegin
	stmts int
	// rows counts the open Rows of the transaction.
	rows atomic.Int32
}

var errNilTx = errors.New("dlayer: nil or zero transaction (use Engine.Begin)")

// errAbandoned is returned by a transaction Engine.Close rolled back.
var errAbandoned = fmt.Errorf("%w (%w: Engine.Close rolled it back)", ErrTxDone, ErrClosed)

// lock checks tx and ctx and takes tx.mu; the caller unlocks.
func (tx *Tx) lock(ctx context.Context) error {
	if tx == nil || tx.e == nil || tx.tx == nil {
		return errNilTx
	}
	if ctx == nil {
		return errNilContext
	}
	tx.mu.Lock()
	if tx.done {
		tx.mu.Unlock()
		if tx.abandoned {
			return errAbandoned
		}
		return ErrTxDone
	}
	tx.stmts++
	return nil
}

// Engine returns the engine the transaction belongs to.
func (tx *Tx) Engine() *Engine {
	if tx == nil {
		return nil
	}
	return tx.e
}

// Unwrap returns the driver's transaction handle (pgx.Tx, *sql.Tx or
// *sql.Conn) when the driver exposes it.
func (tx *Tx) Unwrap() any {
	if tx == nil {
		return nil
	}
	if u, ok := tx.tx.(dialects.Unwrapper); ok {
		return u.Unwrap()
	}
	return nil
}

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(ctx context.Context, s stmt.Statement) (Result, error) {
	if err := tx.lock(ctx); err != nil {
		return Result{}, err
	}
	defer tx.mu.Unlock()
	return tx.e.exec(ctx, tx.tx, s)
}

// Query runs a query in the transaction. Close the rows before running the
// next statement in the same transaction.
func (tx *Tx) Query(ctx context.Context, s stmt.Statement) (*Rows, error) {
	r := new(Rows)
	if err := tx.queryInto(ctx, s, r); err != nil {
		return nil, err
	}
	return r, nil
}

// queryInto is Query filling r (see Engine.queryInto).
func (tx *Tx) queryInto(ctx context.Context, s stmt.Statement, r *Rows) error {
	if err := tx.lock(ctx); err != nil {
		return err
	}
	defer tx.mu.Unlock()
	if err := tx.e.queryInto(ctx, tx.tx, s, r); err != nil {
		return err
	}
	r.tx = tx
	tx.rows.Add(1)
	return nil
}

// sendBegin sends a deferred BEGIN on its own, observed as a "begin"
// round trip: before a COPY, which cannot carry it. tx.mu is held.
func (tx *Tx) sendBegin(ctx context.Context) error {
	if tx.lazy == nil || !tx.lazy.BeginPending() {
		return nil
	}
	ob := tx.e.observe(ctx, "begin", "BEGIN", nil)
	err := tx.e.translate(ctx, "begin transaction", tx.lazy.SendBegin(ob.ctx))
	ob.done(err, -1)
	return err
}

// pending reports that the transaction has sent nothing yet: ending it
// sends nothing either. tx.mu is held.
func (tx *Tx) pending() bool {
	return tx.lazy != nil && tx.lazy.BeginPending()
}

// execSQL runs compiled SQL in the transaction.
func (tx *Tx) execSQL(ctx context.Context, sql string) error {
	if err := tx.lock(ctx); err != nil {
		return err
	}
	defer tx.mu.Unlock()
	_, err := tx.e.execSQL(ctx, tx.tx, sql, nil)
	return err
}

// Commit commits the transaction. ctx bounds the commit only.
//
// A failed Commit says what became of the transaction. A context that
// ended before makes Commit send ROLLBACK instead of COMMIT: the error
// matches the context's error and ErrRolledBack. A COMMIT the database
// answered with a rollback (a serialization failure or deadlock found at
// commit, a deferred constraint) matches ErrRolledBack, and IsRetryable
// when running the transaction again may succeed. Any other failure — the
// connection lost, the context ending while COMMIT ran — matches
// ErrCommitOutcomeUnknown: the transaction may or may not be committed.
func (tx *Tx) Commit(ctx context.Context) error {
	if err := tx.lock(ctx); err != nil {
		return err
	}
	defer tx.mu.Unlock()
	tx.finish()
	if cerr := ctx.Err(); cerr != nil {
		err := fmt.Errorf("commit: %w (%w: COMMIT was not sent)", cerr, ErrRolledBack)
		if rbErr := tx.rollback(ctx, "rollback"); rbErr != nil {
			err = errors.Join(err, rbErr)
		}
		return err
	}
	if tx.pending() {
		// Nothing was sent: there is nothing to commit, and the
		// connection goes back to the pool.
		return tx.tx.Commit(ctx)
	}
	ob := tx.e.observe(ctx, "commit", "COMMIT", nil)
	err := commitError(tx.e.translate(ctx, "commit", tx.tx.Commit(ob.ctx)))
	ob.done(err, -1)
	return err
}

// Rollback aborts the transaction. Rolling back a finished transaction
// returns ErrTxDone, so a deferred Rollback after Commit is harmless.
func (tx *Tx) Rollback(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := tx.lock(ctx); err != nil {
		return err
	}
	defer tx.mu.Unlock()
	tx.finish()
	return tx.rollback(ctx, "rollback")
}

// rollback rolls back; tx.mu is held and tx finished.
func (tx *Tx) rollback(ctx context.Context, what string) error {
	// Roll back even when ctx is already cancelled.
	ctx = context.WithoutCancel(ctx)
	if tx.pending() {
		return tx.tx.Rollback(ctx) // nothing was sent: nothing to roll back
	}
	ob := tx.e.observe(ctx, "rollback", "ROLLBACK", nil)
	err := tx.e.translate(ctx, what, tx.tx.Rollback(ob.ctx))
	ob.done(err, -1)
	return err
}

// finish marks the transaction done and forgets it in the engine; tx.mu is
// held.
func (tx *Tx) finish() {
	tx.done = true
	tx.e.untrack(tx)
}

// Savepoint is a named point inside a transaction that work can be rolled
// back to without aborting the transaction.
type Savepoint struct {
	tx   *Tx
	name string
	done bool
}

// Savepoint sets a new savepoint (SAVEPOINT sp_N).
func (tx *Tx) Savepoint(ctx context.Context) (*Savepoint, error) {
	if err := tx.lock(ctx); err != nil {
		return nil, err
	}
	tx.mu.Unlock()
	if !tx.e.d.Features().Has(dialects.Savepoints) {
		return nil, fmt.Errorf("savepoint: the %s dialect has no savepoints", tx.e.d.Name())
	}
	tx.sp++
	sp := &Savepoint{tx: tx, name: "dlayer_sp_" + strconv.Itoa(tx.sp)}
	if err := sp.run(ctx, "SAVEPOINT "); err != nil {
		return nil, err
	}
	return sp, nil
}

func (sp *Savepoint) run(ctx context.Context, verb string) error {
	return sp.tx.execSQL(ctx, verb+sp.tx.e.d.QuoteIdent(sp.name))
}

var errNilSavepoint = errors.New("dlayer: nil or zero savepoint (use Tx.Savepoint)")

// Name returns the savepoint's name.
func (sp *Savepoint) Name() string {
	if sp == nil {
		return ""
	}
	return sp.name
}

// Release forgets the savepoint, keeping the work done since it.
func (sp *Savepoint) Release(ctx context.Context) error {
	if sp == nil || sp.tx == nil {
		return errNilSavepoint
	}
	if sp.done {
		return ErrTxDone
	}
	sp.done = true
	return sp.run(ctx, "RELEASE SAVEPOINT ")
}

// Rollback undoes the work done since the savepoint and releases it.
func (sp *Savepoint) Rollback(ctx context.Context) error {
	if sp == nil || sp.tx == nil {
		return errNilSavepoint
	}
	if sp.done {
		return ErrTxDone
	}
	sp.done = true
	if err := sp.run(ctx, "ROLLBACK TO SAVEPOINT "); err != nil {
		return err
	}
	return sp.run(ctx, "RELEASE SAVEPOINT ")
}

// Nested runs fn inside a savepoint: the savepoint is released when fn
// returns nil, and rolled back (leaving the transaction usable) when fn
// returns an error or panics (the panic is re-raised).
func (tx *Tx) Nested(ctx context.Context, fn func(tx *Tx) error) (err error) {
	if fn == nil {
		return errors.New("nested: nil function")
	}
	sp, err := tx.Savepoint(ctx)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if ok {
			return
		}
		if p := recover(); p != nil {
			_ = sp.Rollback(ctx)
			panic(p)
		}
		if rbErr := sp.Rollback(ctx); rbErr != nil {
			err = errors.Join(err, rbErr)
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	ok = true
	return sp.Release(ctx)
}
