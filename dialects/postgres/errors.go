package postgres

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dlayer/dlayer/dialects"
)

// TranslateError maps a pgx error to dlayer's normalised errors:
// constraint violations (SQLSTATE 23505, 23503, 23502, 23514) become
// *dialects.ConstraintError with the constraint, table and columns the
// server reports; serialization failures (40001), deadlocks (40P01) and
// lock timeouts (55P03) wrap the matching transient sentinel — this covers
// CockroachDB's and YugabyteDB's restart errors ("restart transaction",
// SQLSTATE 40001). pgx's ErrTxCommitRollback (COMMIT of a transaction that
// had already failed) wraps dialects.ErrRolledBack. Other errors are
// returned unchanged.
func TranslateError(err error) error {
	if errors.Is(err, pgx.ErrTxCommitRollback) {
		return fmt.Errorf("%w: %w", dialects.ErrRolledBack, err)
	}
	var pe *pgconn.PgError
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	ce := &dialects.ConstraintError{Constraint: pe.ConstraintName, Table: pe.TableName, Err: err}
	switch pe.Code {
	case "40001":
		return dialects.Retryable(dialects.ErrSerialization, err)
	case "40P01":
		return dialects.Retryable(dialects.ErrDeadlock, err)
	case "55P03":
		return dialects.Retryable(dialects.ErrLockTimeout, err)
	case "23505":
		ce.Kind = dialects.Unique
		ce.Columns = keyColumns(pe.Detail)
	case "23503":
		ce.Kind = dialects.ForeignKey
		// An insert names the referencing columns ("… is not present in
		// table"); a delete of a parent names the parent's key ("… is still
		// referenced from table"), which are not the constraint's columns.
		if strings.Contains(pe.Detail, "is not present in table") {
			ce.Columns = keyColumns(pe.Detail)
		}
	case "23502":
		ce.Kind = dialects.NotNull
		if pe.ColumnName != "" {
			ce.Columns = []string{pe.ColumnName}
		}
	case "23514":
		ce.Kind = dialects.Check
	default:
		return err
	}
	return ce
}

// keyColumns parses the column list of a detail such as
// `Key (a, b)=(1, 2) already exists.` Quoted names are unquoted.
func keyColumns(detail string) []string {
	rest, ok := strings.CutPrefix(detail, "Key (")
	if !ok {
		return nil
	}
	end := strings.Index(rest, ")=(")
	if end < 0 {
		return nil
	}
	var cols []string
	for _, c := range strings.Split(rest[:end], ", ") {
		if len(c) >= 2 && c[0] == '"' && c[len(c)-1] == '"' {
			c = strings.ReplaceAll(c[1:len(c)-1], `""`, `"`)
		}
		cols = append(cols, c)
	}
	return cols
}

// RedactErrorText replaces the values PostgreSQL quotes in its messages
// with dialects.Redacted. Data exceptions (SQLSTATE class 22: `invalid
// input syntax for type integer: "…"`, `value "…" is out of range`,
// `invalid input value for enum …: "…"`) quote the offending value, verbatim,
// in double quotes: everything from the first to the last double quote of
// such a message goes. pgx's own encoding errors ("unable to encode … into
// binary format") print the value too. Constraint violations name only
// identifiers in their message; the values are in the error's Detail
// (`Key (email)=(…)`), which is not part of its text.
func RedactErrorText(text string) string {
	text = dialects.RedactBetween(text, "unable to encode ", " into binary format", " into text format")
	var b strings.Builder
	for {
		i := strings.Index(text, " (SQLSTATE 22")
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		msg := text[:i]
		start := strings.LastIndex(msg, "ERROR: ")
		if start < 0 {
			start = 0
		}
		if q := strings.IndexByte(msg[start:], '"'); q >= 0 {
			q += start
			if e := strings.LastIndexByte(msg, '"'); e > q {
				msg = msg[:q+1] + dialects.Redacted + msg[e:]
			} else {
				msg = msg[:q+1] + dialects.Redacted
			}
		}
		b.WriteString(msg)
		b.WriteString(" (SQLSTATE 22")
		text = text[i+len(" (SQLSTATE 22"):]
	}
}

// RedactErrorText is the package function RedactErrorText.
func (d *Dialect) RedactErrorText(text string) string { return RedactErrorText(text) }

var _ dialects.ErrorRedactor = (*Dialect)(nil)
