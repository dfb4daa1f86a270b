package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/stmt"
)

// Tx is a database transaction. It is not safe for concurrent use: use it
// from one goroutine, and finish it with Commit or Rollback.
type Tx struct {
	e    *Engine
	tx   dialects.Tx
	done bool
	sp   int
}

// Engine returns the engine the transaction belongs to.
func (tx *Tx) Engine() *Engine { return tx.e }

// Unwrap returns the driver's transaction handle (pgx.Tx, *sql.Tx or
// *sql.Conn) when the driver exposes it.
func (tx *Tx) Unwrap() any {
	if u, ok := tx.tx.(dialects.Unwrapper); ok {
		return u.Unwrap()
	}
	return nil
}

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(ctx context.Context, s stmt.Statement) (Result, error) {
	if tx.done {
		return Result{}, ErrTxDone
	}
	return tx.e.exec(ctx, tx.tx, s)
}

// Query runs a query in the transaction. Close the rows before running the
// next statement in the same transaction.
func (tx *Tx) Query(ctx context.Context, s stmt.Statement) (*Rows, error) {
	if tx.done {
		return nil, ErrTxDone
	}
	return tx.e.query(ctx, tx.tx, s)
}

// Commit commits the transaction.
func (tx *Tx) Commit(ctx context.Context) error {
	if tx.done {
		return ErrTxDone
	}
	tx.done = true
	ob := tx.e.observe(ctx, "commit", "COMMIT", nil)
	err := tx.e.translate(ctx, "commit", tx.tx.Commit(ob.ctx))
	ob.done(err, -1)
	return err
}

// Rollback aborts the transaction. Rolling back a finished transaction
// returns ErrTxDone, so a deferred Rollback after Commit is harmless.
func (tx *Tx) Rollback(ctx context.Context) error {
	if tx.done {
		return ErrTxDone
	}
	tx.done = true
	// Roll back even when ctx is already cancelled.
	ctx = context.WithoutCancel(ctx)
	ob := tx.e.observe(ctx, "rollback", "ROLLBACK", nil)
	err := tx.e.translate(ctx, "rollback", tx.tx.Rollback(ob.ctx))
	ob.done(err, -1)
	return err
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
	if tx.done {
		return nil, ErrTxDone
	}
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
	sql := verb + sp.tx.e.d.QuoteIdent(sp.name)
	_, err := sp.tx.e.execSQL(ctx, sp.tx.tx, sql, nil)
	return err
}

// Name returns the savepoint's name.
func (sp *Savepoint) Name() string { return sp.name }

// Release forgets the savepoint, keeping the work done since it.
func (sp *Savepoint) Release(ctx context.Context) error {
	if sp.done {
		return ErrTxDone
	}
	sp.done = true
	return sp.run(ctx, "RELEASE SAVEPOINT ")
}

// Rollback undoes the work done since the savepoint and releases it.
func (sp *Savepoint) Rollback(ctx context.Context) error {
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
