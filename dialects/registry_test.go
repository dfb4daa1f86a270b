package dialects_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
)

func TestScheme(t *testing.T) {
	tests := []struct{ name, url, want string }{
		{"sqlite memory", "sqlite::memory:", "sqlite"},
		{"sqlite file", "sqlite:app.db", "sqlite"},
		{"postgres", "postgres://u@h/db", "postgres"},
		{"upper case", "PostgreSQL://h/db", "postgresql"},
		{"none", "app.db", ""},
		{"leading colon", ":memory:", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dialects.Scheme(tt.url); got != tt.want {
				t.Errorf("Scheme(%q) = %q, want %q", tt.url, got, tt.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ name, url, want string }{
		{"password", "postgres://u:secret@h:5432/db?x=1", "postgres://u:xxxxx@h:5432/db?x=1"},
		{"at in password", "mysql://u:p@ss@h/db", "mysql://u:xxxxx@h/db"},
		{"no password", "postgres://u@h/db", "postgres://u@h/db"},
		{"no authority", "sqlite:app.db", "sqlite:app.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dialects.Redact(tt.url); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.url, got, tt.want)
			}
		})
	}
}

func TestLookupUnknown(t *testing.T) {
	_, err := dialects.Lookup("nosuch://u:pw@h/db")
	if !errors.Is(err, dialects.ErrNoDialect) || strings.Contains(err.Error(), ":pw@") {
		t.Errorf("got %v", err)
	}
	_, _, err = dialects.Open(context.Background(), "nosuch://h", dialects.PoolOptions{})
	if !errors.Is(err, dialects.ErrNoDialect) {
		t.Errorf("Open: %v", err)
	}
}

func TestRegisterDuplicatePanics(t *testing.T) {
	dialects.Register(dialects.Driver{Schemes: []string{"dltest-dup"}})
	defer func() {
		if recover() == nil {
			t.Error("a second registration of a scheme did not panic")
		}
	}()
	dialects.Register(dialects.Driver{Schemes: []string{"DLTEST-DUP"}})
}

func TestNotFoundMatchesErrNoRows(t *testing.T) {
	wrapped := errors.Join(errors.New("context"), dialects.ErrNotFound)
	if !errors.Is(wrapped, sql.ErrNoRows) || !errors.Is(wrapped, dialects.ErrNotFound) {
		t.Error("ErrNotFound does not match sql.ErrNoRows")
	}
	if errors.Is(errors.New("other"), dialects.ErrNotFound) {
		t.Error("unrelated error matches ErrNotFound")
	}
}

func TestConstraintErrorIs(t *testing.T) {
	driver := errors.New("driver says no")
	err := error(&dialects.ConstraintError{Kind: dialects.Unique, Constraint: "uq_email", Table: "users", Err: driver})
	tests := []struct {
		name   string
		target error
		want   bool
	}{
		{"any", &dialects.ConstraintError{}, true},
		{"kind", &dialects.ConstraintError{Kind: dialects.Unique}, true},
		{"other kind", &dialects.ConstraintError{Kind: dialects.Check}, false},
		{"name", &dialects.ConstraintError{Constraint: "uq_email"}, true},
		{"other name", &dialects.ConstraintError{Constraint: "uq_other"}, false},
		{"table", &dialects.ConstraintError{Kind: dialects.Unique, Table: "users"}, true},
		{"driver error", driver, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errors.Is(err, tt.target); got != tt.want {
				t.Errorf("errors.Is = %v, want %v", got, tt.want)
			}
		})
	}
	if msg := err.Error(); !strings.Contains(msg, `unique constraint violated "uq_email" on table "users"`) {
		t.Errorf("message %q", msg)
	}
}
