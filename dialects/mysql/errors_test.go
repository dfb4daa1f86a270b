package mysql_test

import (
	"errors"
	"slices"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/mysql"
)

func TestTranslateError(t *testing.T) {
	tests := []struct {
		name       string
		num        uint16
		msg        string
		kind       dialects.ConstraintKind
		constraint string
		table      string
		columns    []string
		sentinel   error
	}{
		{name: "duplicate MySQL 8", num: 1062, msg: "Duplicate entry 'a@x' for key 'users.uq_users_email'",
			kind: dialects.Unique, constraint: "uq_users_email", table: "users"},
		{name: "duplicate MariaDB", num: 1062, msg: "Duplicate entry 'a@x' for key 'uq_users_email'",
			kind: dialects.Unique, constraint: "uq_users_email"},
		{name: "duplicate value with quotes", num: 1062, msg: "Duplicate entry 'it's for key 'x'' for key 'users.PRIMARY'",
			kind: dialects.Unique, constraint: "PRIMARY", table: "users"},
		{name: "insert child", num: 1452, msg: "Cannot add or update a child row: a foreign key constraint fails (`app`.`posts`, CONSTRAINT `fk_posts_author` FOREIGN KEY (`author_id`, `org_id`) REFERENCES `users` (`id`, `org_id`))",
			kind: dialects.ForeignKey, constraint: "fk_posts_author", table: "posts", columns: []string{"author_id", "org_id"}},
		{name: "delete parent", num: 1451, msg: "Cannot delete or update a parent row: a foreign key constraint fails (`app`.`posts`, CONSTRAINT `fk_posts_author` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`))",
			kind: dialects.ForeignKey, constraint: "fk_posts_author", table: "posts", columns: []string{"author_id"}},
		{name: "not null", num: 1048, msg: "Column 'email' cannot be null", kind: dialects.NotNull, columns: []string{"email"}},
		{name: "no default", num: 1364, msg: "Field 'email' doesn't have a default value", kind: dialects.NotNull, columns: []string{"email"}},
		{name: "check MySQL 8", num: 3819, msg: "Check constraint 'ck_age' is violated.", kind: dialects.Check, constraint: "ck_age"},
		{name: "check MariaDB", num: 4025, msg: "CONSTRAINT `ck_age` failed for `app`.`users`", kind: dialects.Check, constraint: "ck_age", table: "users"},
		{name: "deadlock", num: 1213, msg: "Deadlock found when trying to get lock; try restarting transaction", sentinel: dialects.ErrDeadlock},
		{name: "lock wait", num: 1205, msg: "Lock wait timeout exceeded; try restarting transaction", sentinel: dialects.ErrLockTimeout},
		{name: "record changed", num: 1020, msg: "Record has changed since last read in table 'users'", sentinel: dialects.ErrSerialization},
		{name: "Galera certification failure", num: 1213, msg: "WSREP detected deadlock/conflict and aborted the transaction. Try restarting the transaction", sentinel: dialects.ErrDeadlock},
		{name: "TiDB select for update conflict", num: 8002, msg: "[tikv:8002]can not retry select for update statement", sentinel: dialects.ErrSerialization},
		{name: "TiDB stale write conflict", num: 8005, msg: "Write Conflict, txnStartTS is stale", sentinel: dialects.ErrSerialization},
		{name: "TiDB commit retryable", num: 8022, msg: "Error: KV error safe to retry [try again later]", sentinel: dialects.ErrSerialization},
		{name: "TiDB schema changed", num: 8028, msg: "Information schema is changed during the execution of the statement", sentinel: dialects.ErrSerialization},
		{name: "TiDB write conflict", num: 9007, msg: "Write conflict, txnStartTS=1, conflictStartTS=2, conflictCommitTS=3, key={...} [try again later]", sentinel: dialects.ErrSerialization},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := &gomysql.MySQLError{Number: tt.num, Message: tt.msg}
			err := mysql.TranslateError(orig)
			if !errors.Is(err, orig) {
				t.Errorf("the original error is not wrapped: %v", err)
			}
			if tt.sentinel != nil {
				if !errors.Is(err, tt.sentinel) || !dialects.IsRetryable(err) {
					t.Errorf("got %v, want %v and retryable", err, tt.sentinel)
				}
				return
			}
			var ce *dialects.ConstraintError
			if !errors.As(err, &ce) {
				t.Fatalf("got %T %v, want *ConstraintError", err, err)
			}
			if ce.Kind != tt.kind || ce.Constraint != tt.constraint || ce.Table != tt.table || !slices.Equal(ce.Columns, tt.columns) {
				t.Errorf("got %+v, want kind %v constraint %q table %q columns %q", ce, tt.kind, tt.constraint, tt.table, tt.columns)
			}
			if dialects.IsRetryable(err) {
				t.Error("a constraint error is retryable")
			}
		})
	}
	other := errors.New("plain")
	if mysql.TranslateError(other) != other || mysql.TranslateError(nil) != nil {
		t.Error("unrelated errors must pass through unchanged")
	}
	syntax := &gomysql.MySQLError{Number: 1064, Message: "You have an error in your SQL syntax"}
	if mysql.TranslateError(syntax) != error(syntax) {
		t.Error("an untranslated server error must pass through unchanged")
	}
}
