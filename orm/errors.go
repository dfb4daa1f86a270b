package orm

import (
	"errors"

	"github.com/dlayer/dlayer/engine"
)

var (
	// ErrNotFound is returned by Get and One when no row matches; it is
	// engine.ErrNotFound, so it also matches sql.ErrNoRows.
	ErrNotFound = engine.ErrNotFound
	// ErrSessionNeedsRollback is returned, wrapping the cause, after a
	// flush of the session failed (the failing call itself — Flush, or
	// Commit, Get, All, One, First, Stream, GetObject, AllObjects, Load,
	// Execute, Conn, Nested or Transaction through their flush — returns
	// the cause), and after concurrent use was detected (ErrConcurrentUse),
	// until Rollback or Close. Until then these calls return it: Add,
	// AddAll, New, Delete, Link, Unlink, Refresh, Begin, Flush, Commit,
	// Transaction, Nested, Execute, Conn, Load, GetObject, AllObjects, Get,
	// All, One, First and Stream. These keep working: Rollback, Close,
	// Expire, ExpireAll, Expunge, ExpungeAll, Related, RelatedQuery,
	// IsLoaded, InTransaction and DB.
	ErrSessionNeedsRollback = errors.New("dlayer: session needs rollback after a failed flush")
	// ErrStaleObject is returned when an UPDATE or DELETE of a versioned
	// (or any) object matched no row: another transaction changed or
	// deleted it.
	ErrStaleObject = errors.New("dlayer: stale object: row was changed or deleted by another transaction")
	// ErrCommitOutcomeUnknown is returned when COMMIT itself failed without
	// an answer (a lost connection, a context that ended while COMMIT ran):
	// the transaction may or may not have been committed. It is
	// engine.ErrCommitOutcomeUnknown. A COMMIT the database refused — a
	// serialization failure or deadlock found at commit — matches
	// ErrRolledBack (and IsRetryable) instead, never this.
	ErrCommitOutcomeUnknown = engine.ErrCommitOutcomeUnknown
	// ErrRolledBack is returned, wrapping the cause, when the database
	// answered COMMIT by rolling the transaction back: nothing was saved.
	// It is engine.ErrRolledBack.
	ErrRolledBack = engine.ErrRolledBack
	// ErrNotLoaded is returned when a relationship with the raise strategy
	// (or any unloaded relationship read through Related) is accessed
	// before it was loaded: the N+1 guard.
	ErrNotLoaded = errors.New("dlayer: relationship not loaded")
	// ErrUnbound is returned for a value whose type is not bound to a model.
	ErrUnbound = errors.New("dlayer: type not bound to a model")
	// ErrSessionClosed is returned when a closed Session is used.
	ErrSessionClosed = errors.New("dlayer: session closed")
	// ErrDetached is returned for an operation that needs an object to be
	// in the session.
	ErrDetached = errors.New("dlayer: object is not in this session")
	// ErrReadOnly is returned when an object of a model mapped to a view
	// (view: in the YAML) is added, changed or deleted: views are read-only.
	ErrReadOnly = errors.New("dlayer: model is read-only")
)

// needsRollback wraps a failed flush's cause.
type needsRollback struct{ cause error }

func (e *needsRollback) Error() string {
	return ErrSessionNeedsRollback.Error() + ": " + e.cause.Error()
}

func (e *needsRollback) Unwrap() []error { return []error{ErrSessionNeedsRollback, e.cause} }
