package sqlite

import (
	"errors"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/dlayer/dlayer/dialects"
)

// TranslateError maps a modernc.org/sqlite error to dlayer's normalised
// errors: constraint violations become *dialects.ConstraintError (SQLite
// names the table and columns of UNIQUE and NOT NULL failures, the
// constraint of a named CHECK, and nothing for a foreign key), and
// SQLITE_BUSY / SQLITE_LOCKED wrap dialects.ErrBusy. Other errors are
// returned unchanged.
func TranslateError(err error) error {
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	code := se.Code()
	switch code & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return dialects.Retryable(dialects.ErrBusy, err)
	case sqlite3.SQLITE_CONSTRAINT:
	default:
		return err
	}
	msg := se.Error()
	ce := &dialects.ConstraintError{Err: err}
	switch code {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		ce.Kind = dialects.Unique
		ce.Table, ce.Columns = tableColumns(after(msg, "constraint failed: "))
	case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		ce.Kind = dialects.NotNull
		ce.Table, ce.Columns = tableColumns(after(msg, "constraint failed: "))
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		ce.Kind = dialects.ForeignKey
	case sqlite3.SQLITE_CONSTRAINT_CHECK:
		ce.Kind = dialects.Check
		if name := after(msg, "CHECK constraint failed: "); isIdent(name) {
			ce.Constraint = name
		}
	default:
		return err
	}
	return ce
}

// after returns the text following the last occurrence of marker in msg,
// without the " (code)" suffix modernc.org/sqlite appends.
func after(msg, marker string) string {
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return ""
	}
	s := msg[i+len(marker):]
	if j := strings.LastIndex(s, " ("); j >= 0 && strings.HasSuffix(s, ")") {
		s = s[:j]
	}
	return strings.TrimSpace(s)
}

// tableColumns parses "t.a, t.b" (SQLite's list of failed columns).
func tableColumns(s string) (string, []string) {
	if s == "" {
		return "", nil
	}
	var table string
	var cols []string
	for _, part := range strings.Split(s, ", ") {
		t, c, ok := strings.Cut(part, ".")
		if !ok {
			return "", nil
		}
		table = t
		cols = append(cols, c)
	}
	return table, cols
}

// isIdent reports whether s looks like a constraint name rather than the
// expression SQLite reports for an unnamed CHECK.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 127) {
			return false
		}
	}
	return true
}
