package mysql

import (
	"errors"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/dlayer/dlayer/dialects"
)

// MySQL and MariaDB server error numbers dlayer translates.
const (
	errDupEntry          = 1062
	errDupEntryWithKey   = 1586
	errBadNull           = 1048
	errNoDefaultForField = 1364
	errRowIsReferenced   = 1451
	errNoReferencedRow   = 1452
	errRowIsReferenced2  = 1217
	errNoReferencedRow2  = 1216
	errCheckViolated     = 3819 // MySQL 8
	errMariaDBConstraint = 4025 // MariaDB CHECK
	errLockWaitTimeout   = 1205
	errLockDeadlock      = 1213
	errRecordChanged     = 1020 // MariaDB snapshot isolation conflict
	// TiDB's own numbers (no MySQL or MariaDB error uses them): each means
	// TiDB rolled the transaction back and it may be run again.
	tidbForUpdateConflict = 8002 // SELECT … FOR UPDATE met a commit conflict
	tidbWriteConflictOld  = 8005 // write conflict, txnStartTS is stale
	tidbTxnRetryable      = 8022 // commit failed, rolled back: retry
	tidbSchemaChanged     = 8028 // information schema changed during the transaction
	tidbWriteConflict     = 9007 // write conflict in TiKV
)

// TranslateError maps a go-sql-driver/mysql error to dlayer's normalised
// errors. Constraint violations become *dialects.ConstraintError with
// what the server message names: for a duplicate key the key name (MySQL 8
// prefixes it with the table, MariaDB does not), for a foreign key the
// constraint, child table and columns, for NOT NULL the column, for CHECK
// the constraint (and on MariaDB the table). Deadlocks (1213), lock wait
// timeouts (1205) and MariaDB's 1020 wrap the transient sentinels, and so
// do TiDB's write conflicts (8002, 8005, 8022, 8028, 9007, as
// ErrSerialization). Galera's certification failures arrive as deadlocks
// (1213), often at COMMIT.
//
// A lock wait timeout (1205) rolls back only the statement that waited,
// not the transaction (unless the server runs with
// innodb_rollback_on_timeout): the transaction is still open, holding the
// locks and changes of its earlier statements. It is retryable only in the
// sense the retry helpers use it — roll the whole transaction back, then
// run it all again — which is what engine.Engine.Transaction and
// orm.Session.Transaction do (and a failed ORM flush rolls back too). Code
// of its own that catches the error and carries on must not assume the
// earlier statements were undone.
func TranslateError(err error) error {
	var me *mysql.MySQLError
	if err == nil || !errors.As(err, &me) {
		return err
	}
	msg := me.Message
	ce := &dialects.ConstraintError{Err: err}
	switch me.Number {
	case errLockDeadlock:
		return dialects.Retryable(dialects.ErrDeadlock, err)
	case errLockWaitTimeout:
		return dialects.Retryable(dialects.ErrLockTimeout, err)
	case errRecordChanged, tidbForUpdateConflict, tidbWriteConflictOld, tidbTxnRetryable, tidbSchemaChanged, tidbWriteConflict:
		return dialects.Retryable(dialects.ErrSerialization, err)
	case errDupEntry, errDupEntryWithKey:
		// Duplicate entry 'x' for key 'users.email' (MySQL 8) / 'email' (MariaDB)
		ce.Kind = dialects.Unique
		key := lastQuoted(msg, "for key '", '\'')
		if t, k, ok := strings.Cut(key, "."); ok {
			ce.Table, key = t, k
		}
		ce.Constraint = key
	case errBadNull, errNoDefaultForField:
		// Column 'x' cannot be null / Field 'x' doesn't have a default value
		ce.Kind = dialects.NotNull
		if c := firstQuoted(msg, '\''); c != "" {
			ce.Columns = []string{c}
		}
	case errRowIsReferenced, errNoReferencedRow, errRowIsReferenced2, errNoReferencedRow2:
		// ... a foreign key constraint fails (`db`.`child`, CONSTRAINT `fk`
		// FOREIGN KEY (`a`, `b`) REFERENCES `parent` (`id`) ...)
		ce.Kind = dialects.ForeignKey
		parseFK(msg, ce)
	case errCheckViolated:
		// Check constraint 'name' is violated.
		ce.Kind = dialects.Check
		ce.Constraint = firstQuoted(msg, '\'')
	case errMariaDBConstraint:
		// CONSTRAINT `name` failed for `db`.`table`
		ce.Kind = dialects.Check
		ce.Constraint = firstQuoted(msg, '`')
		if i := strings.Index(msg, " failed for "); i >= 0 {
			ce.Table = lastPart(msg[i+len(" failed for "):])
		}
	default:
		return err
	}
	return ce
}

// firstQuoted returns the first q-quoted text of msg.
func firstQuoted(msg string, q byte) string {
	i := strings.IndexByte(msg, q)
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(msg[i+1:], q)
	if j < 0 {
		return ""
	}
	return msg[i+1 : i+1+j]
}

// lastQuoted returns the text after the last marker up to the closing quote
// (the duplicated value itself may contain quotes, so search from the end).
func lastQuoted(msg, marker string, q byte) string {
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return ""
	}
	s := msg[i+len(marker):]
	j := strings.LastIndexByte(s, q)
	if j < 0 {
		return s
	}
	return s[:j]
}

// lastPart returns the last component of a dotted, backquoted name such as
// `db`.`table`, unquoted.
func lastPart(s string) string {
	s = strings.TrimSpace(s)
	if end := strings.IndexAny(s, " ,)"); end >= 0 {
		s = s[:end]
	}
	parts := strings.Split(s, ".")
	return strings.Trim(parts[len(parts)-1], "`")
}

func parseFK(msg string, ce *dialects.ConstraintError) {
	i := strings.Index(msg, "constraint fails (")
	if i < 0 {
		return
	}
	s := msg[i+len("constraint fails ("):]
	if j := strings.Index(s, ", CONSTRAINT "); j >= 0 {
		ce.Table = lastPart(s[:j])
		s = s[j+len(", CONSTRAINT "):]
		ce.Constraint = firstQuoted(s, '`')
	}
	if j := strings.Index(s, "FOREIGN KEY ("); j >= 0 {
		s = s[j+len("FOREIGN KEY ("):]
		if k := strings.IndexByte(s, ')'); k >= 0 {
			for _, c := range strings.Split(s[:k], ", ") {
				ce.Columns = append(ce.Columns, strings.Trim(c, "`"))
			}
		}
	}
}

// RedactErrorText replaces the values MySQL and MariaDB quote in their
// messages — "Duplicate entry '…' for key", "Incorrect integer value: '…'
// for column", "Truncated incorrect DOUBLE value: '…'", "Incorrect string
// value: '\xF0…'" — with dialects.Redacted. Both quote values verbatim (a
// quote inside is not escaped), so the redaction runs to the last quote
// that can close the value.
func RedactErrorText(text string) string {
	text = dialects.RedactBetween(text, "Duplicate entry '", "' for key")
	text = dialects.RedactBetween(text, " value: '", "' for column", "' at row", "'")
	return text
}

// RedactErrorText is the package function RedactErrorText.
func (d *Dialect) RedactErrorText(text string) string { return RedactErrorText(text) }

var _ dialects.ErrorRedactor = (*Dialect)(nil)
