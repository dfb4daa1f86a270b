package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/dlayer/dlayer/dialects"
)

// ConstraintError is a constraint violation normalised across databases
// (an alias of dialects.ConstraintError).
type ConstraintError = dialects.ConstraintError

// ConstraintKind says which kind of constraint was violated.
type ConstraintKind = dialects.ConstraintKind

// The constraint kinds.
const (
	Unique     = dialects.Unique
	ForeignKey = dialects.ForeignKey
	NotNull    = dialects.NotNull
	Check      = dialects.Check
)

// Sentinel errors. ErrNotFound also matches sql.ErrNoRows.
var (
	ErrNotFound      = dialects.ErrNotFound
	ErrDeadlock      = dialects.ErrDeadlock
	ErrSerialization = dialects.ErrSerialization
	ErrLockTimeout   = dialects.ErrLockTimeout
	ErrBusy          = dialects.ErrBusy
	// ErrTooManyRows is returned by One when the query returns more than
	// one row.
	ErrTooManyRows = errors.New("dlayer: more than one row")
	// ErrTxDone is returned when a finished transaction is used.
	ErrTxDone = errors.New("dlayer: transaction already committed or rolled back")
	// ErrClosed is returned when a closed Engine is used.
	ErrClosed = errors.New("dlayer: engine closed")
)

// IsRetryable reports whether err is a transient failure (deadlock,
// serialization failure, lock wait timeout, busy database) after which the
// whole transaction may be retried.
func IsRetryable(err error) bool { return dialects.IsRetryable(err) }

// IsUnique reports whether err is a unique (or primary key) violation.
func IsUnique(err error) bool { return isKind(err, Unique) }

// IsForeignKey reports whether err is a foreign-key violation.
func IsForeignKey(err error) bool { return isKind(err, ForeignKey) }

func isKind(err error, k ConstraintKind) bool {
	var ce *ConstraintError
	return errors.As(err, &ce) && ce.Kind == k
}

// translate normalises a driver error and makes sure a context error stays
// visible to errors.Is, then says what was being done.
func (e *Engine) translate(ctx context.Context, what string, err error) error {
	if err == nil {
		return nil
	}
	err = e.d.TranslateError(err)
	enrich(err, e.schema)
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w (%w)", cerr, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
