package postgres

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dlayer/dlayer/dialects"
)

// TranslateError maps a pgx error to dlayer's normalised errors:
// constraint violations (SQLSTATE 23505, 23503, 23502, 23514) become
// *dialects.ConstraintError with the constraint, table and columns the
// server reports; serialization failures (40001), deadlocks (40P01) and
// lock timeouts (55P03) wrap the matching transient sentinel. Other errors
// are returned unchanged.
func TranslateError(err error) error {
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
