package dialects

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// ErrNotFound is returned when a query that must return a row returns none.
// errors.Is(ErrNotFound, sql.ErrNoRows) holds, so code written against
// database/sql keeps working.
var ErrNotFound error = notFoundError{}

type notFoundError struct{}

func (notFoundError) Error() string { return "dlayer: no rows found" }

// Is makes ErrNotFound match sql.ErrNoRows.
func (notFoundError) Is(target error) bool { return target == sql.ErrNoRows }

// The transient-failure sentinels. Errors translated by a dialect wrap one of
// them (and the driver's original error), so errors.Is works for both.
var (
	// ErrDeadlock: the database chose this transaction as a deadlock victim.
	ErrDeadlock = errors.New("dlayer: deadlock detected")
	// ErrSerialization: a serializable or repeatable-read transaction could
	// not be serialized.
	ErrSerialization = errors.New("dlayer: serialization failure")
	// ErrLockTimeout: a lock could not be acquired in time.
	ErrLockTimeout = errors.New("dlayer: lock wait timeout")
	// ErrBusy: the database (SQLite) is busy or a table is locked.
	ErrBusy = errors.New("dlayer: database busy")
	// ErrRolledBack: the database answered COMMIT by rolling the
	// transaction back (pgx's "commit unexpectedly resulted in rollback",
	// for a transaction that had failed earlier).
	ErrRolledBack = errors.New("dlayer: the database rolled the transaction back")
)

// IsRetryable reports whether err is a transient failure after which the
// whole transaction may be retried: a deadlock, a serialization failure, a
// lock wait timeout or a busy database.
func IsRetryable(err error) bool {
	return err != nil && (errors.Is(err, ErrDeadlock) || errors.Is(err, ErrSerialization) ||
		errors.Is(err, ErrLockTimeout) || errors.Is(err, ErrBusy))
}

// Retryable wraps err with the transient sentinel kind (ErrDeadlock, …) so
// that errors.Is matches both.
func Retryable(kind, err error) error {
	return &retryableError{kind: kind, err: err}
}

type retryableError struct{ kind, err error }

func (e *retryableError) Error() string {
	switch {
	case e.kind == nil && e.err == nil:
		return "dlayer: retryable error"
	case e.kind == nil:
		return e.err.Error()
	case e.err == nil:
		return e.kind.Error()
	}
	return e.kind.Error() + ": " + e.err.Error()
}
func (e *retryableError) Unwrap() []error { return []error{e.kind, e.err} }

// ConstraintKind says which kind of constraint was violated.
type ConstraintKind int

// The constraint kinds.
const (
	ConstraintUnknown ConstraintKind = iota
	// Unique covers unique constraints, unique indexes and primary keys.
	Unique
	ForeignKey
	NotNull
	Check
)

func (k ConstraintKind) String() string {
	switch k {
	case Unique:
		return "unique"
	case ForeignKey:
		return "foreign key"
	case NotNull:
		return "not null"
	case Check:
		return "check"
	}
	return "unknown"
}

// ConstraintError is a constraint violation, normalised across databases.
// Constraint, Table and Columns are filled in as far as the database reports
// them (SQLite, for instance, names no foreign-key constraint).
type ConstraintError struct {
	Kind ConstraintKind
	// Constraint is the constraint or index name, when known.
	Constraint string
	// Table is the table the violating row belongs to, when known.
	Table string
	// Columns are the constrained columns, when known.
	Columns []string
	// Err is the driver's original error.
	Err error
}

func (e *ConstraintError) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.String())
	b.WriteString(" constraint violated")
	if e.Constraint != "" {
		fmt.Fprintf(&b, " %q", e.Constraint)
	}
	if e.Table != "" {
		fmt.Fprintf(&b, " on table %q", e.Table)
	}
	if len(e.Columns) > 0 {
		fmt.Fprintf(&b, " (columns %s)", strings.Join(e.Columns, ", "))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the driver's error.
func (e *ConstraintError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, &ConstraintError{Kind: Unique}) match any unique
// violation (a zero Kind matches every kind).
func (e *ConstraintError) Is(target error) bool {
	t, ok := target.(*ConstraintError)
	if !ok {
		return false
	}
	return (t.Kind == ConstraintUnknown || t.Kind == e.Kind) &&
		(t.Constraint == "" || t.Constraint == e.Constraint) &&
		(t.Table == "" || t.Table == e.Table)
}

// ErrNilContext is returned by functions given a nil context.Context.
var ErrNilContext = errors.New("dlayer: nil context.Context (use context.Background())")

// ErrNilQueryer is returned by functions given a nil Queryer, Pool or
// driver handle.
var ErrNilQueryer = errors.New("dlayer: nil Queryer, Pool or database handle")

// ErrNoDialect is returned by Open for a URL whose scheme no registered
// dialect handles.
var ErrNoDialect = errors.New("dlayer: no dialect registered for URL scheme")

// Redacted replaces a value in redacted error text.
const Redacted = "[redacted]"

// ErrorRedactor is implemented by dialects whose database quotes values in
// its error messages (MySQL's "Duplicate entry 'x' for key …",
// PostgreSQL's `invalid input syntax for type integer: "x"`).
// RedactErrorText returns text — an error message, or a chain of wrapped
// messages — with every such value replaced by Redacted; identifiers
// (constraint, table and column names) are kept.
type ErrorRedactor interface {
	RedactErrorText(text string) string
}

// RedactBetween replaces, in text, what follows each occurrence of open up
// to the last occurrence after it of the first of ends found there (or to
// the end of text when none is) with Redacted. The last, not the first,
// occurrence is taken because a database quotes values verbatim: a value
// may itself hold an end marker, and over-redacting is the safe side.
func RedactBetween(text, open string, ends ...string) string {
	if open == "" {
		return text
	}
	var b strings.Builder
	for {
		i := strings.Index(text, open)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		start := i + len(open)
		b.WriteString(text[:start])
		rest := text[start:]
		stop := -1
		for _, end := range ends {
			if stop = strings.LastIndex(rest, end); stop >= 0 {
				break
			}
		}
		b.WriteString(Redacted)
		if stop < 0 {
			return b.String()
		}
		text = rest[stop:]
	}
}

// Safe returns the violation without the database's message (which may
// quote the violating values, as MySQL's "Duplicate entry 'x'" and
// PostgreSQL's detail "Key (email)=(x)" do): kind, constraint, table and
// columns only. Use it where the error text leaves the application, such
// as an HTTP answer or a shared log.
func (e *ConstraintError) Safe() string {
	c := *e
	c.Err = nil
	return c.Error()
}
