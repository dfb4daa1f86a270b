package postgres_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/postgres"
)

func TestTranslateError(t *testing.T) {
	tests := []struct {
		name     string
		pe       pgconn.PgError
		kind     dialects.ConstraintKind
		columns  []string
		sentinel error
	}{
		{name: "unique", pe: pgconn.PgError{Code: "23505", ConstraintName: "uq_email", TableName: "users", Detail: `Key (email)=(a@x) already exists.`},
			kind: dialects.Unique, columns: []string{"email"}},
		{name: "unique composite quoted", pe: pgconn.PgError{Code: "23505", ConstraintName: "uq_email", TableName: "users", Detail: `Key (org_id, "Weird ""Name""")=(1, x) already exists.`},
			kind: dialects.Unique, columns: []string{"org_id", `Weird "Name"`}},
		{name: "foreign key insert", pe: pgconn.PgError{Code: "23503", ConstraintName: "uq_email", TableName: "users", Detail: `Key (author_id)=(5) is not present in table "users".`},
			kind: dialects.ForeignKey, columns: []string{"author_id"}},
		{name: "foreign key delete", pe: pgconn.PgError{Code: "23503", ConstraintName: "uq_email", TableName: "users", Detail: `Key (id)=(5) is still referenced from table "posts".`},
			kind: dialects.ForeignKey},
		{name: "not null", pe: pgconn.PgError{Code: "23502", ConstraintName: "uq_email", TableName: "users", ColumnName: "email"},
			kind: dialects.NotNull, columns: []string{"email"}},
		{name: "check", pe: pgconn.PgError{Code: "23514", ConstraintName: "uq_email", TableName: "users"}, kind: dialects.Check},
		{name: "serialization", pe: pgconn.PgError{Code: "40001"}, sentinel: dialects.ErrSerialization},
		{name: "deadlock", pe: pgconn.PgError{Code: "40P01"}, sentinel: dialects.ErrDeadlock},
		{name: "lock not available", pe: pgconn.PgError{Code: "55P03"}, sentinel: dialects.ErrLockTimeout},
		{name: "CockroachDB restart", pe: pgconn.PgError{Code: "40001", Message: "restart transaction: TransactionRetryWithProtoRefreshError: TransactionRetryError: retry txn (RETRY_SERIALIZABLE)"},
			sentinel: dialects.ErrSerialization},
		{name: "YugabyteDB restart read", pe: pgconn.PgError{Code: "40001", Message: "Restart read required at: { read: { physical: 1 } }"},
			sentinel: dialects.ErrSerialization},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := &tt.pe
			err := postgres.TranslateError(orig)
			if !errors.Is(err, orig) {
				t.Errorf("original not wrapped: %v", err)
			}
			if tt.sentinel != nil {
				if !errors.Is(err, tt.sentinel) || !dialects.IsRetryable(err) {
					t.Errorf("got %v, want %v and retryable", err, tt.sentinel)
				}
				return
			}
			var ce *dialects.ConstraintError
			if !errors.As(err, &ce) {
				t.Fatalf("got %T, want *ConstraintError", err)
			}
			if ce.Kind != tt.kind || ce.Constraint != tt.pe.ConstraintName || ce.Table != tt.pe.TableName || !slices.Equal(ce.Columns, tt.columns) {
				t.Errorf("got %+v", ce)
			}
		})
	}
	if err := postgres.TranslateError(fmt.Errorf("commit: %w", pgx.ErrTxCommitRollback)); !errors.Is(err, dialects.ErrRolledBack) || !errors.Is(err, pgx.ErrTxCommitRollback) || dialects.IsRetryable(err) {
		t.Errorf("COMMIT of a failed transaction: %v", err)
	}
	syntax := &pgconn.PgError{Code: "42601"}
	if postgres.TranslateError(syntax) != error(syntax) {
		t.Error("untranslated errors must pass through")
	}
}
