package orm

import (
	"context"
	"errors"
	"fmt"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
)

// SessionIn returns a Session that runs inside tx, a transaction the
// application began on the DB's engine and owns: the test-fixture pattern
// (begin, run the code under test with the ORM, roll everything back).
//
// The session never commits or rolls back tx itself. It works in a
// SAVEPOINT of tx, set at its first statement (SQLAlchemy's
// join_transaction_mode="create_savepoint"): Commit flushes and releases
// the savepoint, leaving the work in tx, uncommitted; Rollback and Close
// roll back to the savepoint, undoing the session's work only; the next
// statement sets a new one. Every read of the DB's primary goes through
// tx too, so the session sees what the application wrote in it (replicas
// are not used for them). Transaction and Begin options are ignored (tx
// has its isolation level; a retry policy is the owner's to apply, since a
// serialization failure or deadlock aborts tx as a whole). Models bound to
// another engine (BindModel) run in transactions of their own there, as in
// any session.
//
// The session, like tx, must be used from one goroutine, and tx must stay
// open while it is. It needs a database with savepoints (all of dlayer's
// have them).
func (db *DB) SessionIn(tx *engine.Tx, opts ...SessionOption) (*Session, error) {
	if db == nil {
		return nil, errors.New("orm: SessionIn on a nil *DB")
	}
	if tx == nil || tx.Engine() == nil {
		return nil, errors.New("orm: SessionIn: nil or zero *engine.Tx (begin one with the DB's engine)")
	}
	if tx.Engine() != db.router.primary {
		return nil, errors.New("orm: SessionIn: the transaction belongs to another engine than the DB's")
	}
	if d := tx.Engine().Dialect(); d == nil || !d.Features().Has(dialects.Savepoints) {
		return nil, errors.New("orm: SessionIn: the database has no savepoints")
	}
	s := db.Session(opts...)
	s.join = &joined{tx: tx}
	return s, nil
}

// joined is the application's transaction a session runs in, and the
// session's savepoint in it.
type joined struct {
	tx *engine.Tx
	sp *engine.Savepoint
}

// begin sets the session's savepoint.
func (j *joined) begin(ctx context.Context) (*engine.Tx, error) {
	sp, err := j.tx.Savepoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin (a savepoint in the application's transaction): %w", err)
	}
	j.sp = sp
	return j.tx, nil
}

// release keeps the session's work in the application's transaction.
func (j *joined) release(ctx context.Context) error {
	sp := j.sp
	j.sp = nil
	if sp == nil {
		return nil
	}
	if err := sp.Release(ctx); err != nil {
		return fmt.Errorf("release the session's savepoint: %w", err)
	}
	return nil
}

// rollback undoes the session's work.
func (j *joined) rollback(ctx context.Context) error {
	sp := j.sp
	j.sp = nil
	if sp == nil {
		return nil
	}
	if err := sp.Rollback(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("roll back to the session's savepoint: %w", err)
	}
	return nil
}

// joins reports whether the session's work on e runs in the application's
// transaction.
func (s *Session) joins(e *engine.Engine) bool {
	return s.join != nil && e == s.join.tx.Engine()
}
