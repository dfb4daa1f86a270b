package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/sqlite"
)

func TestTranslateError(t *testing.T) {
	ctx := context.Background()
	p, err := sqlite.OpenPool(ctx, "sqlite::memory:", dialects.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, q := range []string{
		`CREATE TABLE parent (id INTEGER PRIMARY KEY)`,
		`CREATE TABLE child (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b INTEGER, pid INTEGER REFERENCES parent (id),
			CONSTRAINT uq_ab UNIQUE (a, b), CONSTRAINT ck_a CHECK (a >= 0), CHECK (b <> 13))`,
		`INSERT INTO parent VALUES (1)`,
		`INSERT INTO child (id, a, b, pid) VALUES (1, 1, 2, 1)`,
	} {
		if _, err := p.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name       string
		sql        string
		kind       dialects.ConstraintKind
		constraint string
		table      string
		columns    []string
	}{
		{name: "unique composite", sql: `INSERT INTO child (a, b) VALUES (1, 2)`, kind: dialects.Unique, table: "child", columns: []string{"a", "b"}},
		{name: "primary key", sql: `INSERT INTO child (id, a) VALUES (1, 5)`, kind: dialects.Unique, table: "child", columns: []string{"id"}},
		{name: "not null", sql: `INSERT INTO child (a) VALUES (NULL)`, kind: dialects.NotNull, table: "child", columns: []string{"a"}},
		{name: "named check", sql: `INSERT INTO child (a) VALUES (-1)`, kind: dialects.Check, constraint: "ck_a"},
		{name: "unnamed check", sql: `INSERT INTO child (a, b) VALUES (3, 13)`, kind: dialects.Check},
		{name: "foreign key", sql: `INSERT INTO child (a, pid) VALUES (7, 99)`, kind: dialects.ForeignKey},
		{name: "foreign key parent", sql: `DELETE FROM parent`, kind: dialects.ForeignKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, raw := p.Exec(ctx, tt.sql)
			err := sqlite.TranslateError(raw)
			var ce *dialects.ConstraintError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want *ConstraintError", raw)
			}
			if !errors.Is(err, raw) {
				t.Error("original error not wrapped")
			}
			if ce.Kind != tt.kind || ce.Constraint != tt.constraint || ce.Table != tt.table || !slices.Equal(ce.Columns, tt.columns) {
				t.Errorf("got %+v from %v", ce, raw)
			}
		})
	}
	if _, raw := p.Exec(ctx, "SELEC 1"); sqlite.TranslateError(raw) != raw {
		t.Error("a syntax error must pass through unchanged")
	}
}

// TestBusyIsRetryable makes a real SQLITE_BUSY: a second connection that
// does not wait tries to write while the first holds the write lock.
func TestBusyIsRetryable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	dsn, _, err := sqlite.DSN("sqlite:" + path)
	if err != nil {
		t.Fatal(err)
	}
	db1, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db1.Close()
	db2, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	ctx := context.Background()
	if _, err := db1.ExecContext(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	c1, _ := db1.Conn(ctx)
	defer c1.Close()
	c2, _ := db2.Conn(ctx)
	defer c2.Close()
	if _, err := c1.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer c1.ExecContext(ctx, "ROLLBACK")
	if _, err := c2.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		t.Fatal(err)
	}
	_, raw := c2.ExecContext(ctx, "BEGIN IMMEDIATE")
	err = sqlite.TranslateError(raw)
	if !dialects.IsRetryable(err) || !errors.Is(err, dialects.ErrBusy) || !errors.Is(err, raw) {
		t.Errorf("got %v, want a retryable ErrBusy wrapping the driver error", err)
	}
}

func TestMemoryDatabaseIsRemovedOnClose(t *testing.T) {
	ctx := context.Background()
	p, err := sqlite.OpenPool(ctx, "sqlite::memory:", dialects.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := p.Query(ctx, "PRAGMA database_list")
	if err != nil {
		t.Fatal(err)
	}
	var seq int64
	var name, file string
	rows.Next()
	if err := rows.Scan(&seq, &name, &file); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if file == "" {
		t.Fatal("no database file")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := filepath.Glob(filepath.Dir(file) + "/*"); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Dir(file)); len(m) != 0 {
		t.Errorf("temporary directory %s left behind", filepath.Dir(file))
	}
}
