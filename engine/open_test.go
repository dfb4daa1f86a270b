package engine_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

func TestOpenAndClose(t *testing.T) {
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(t.TempDir(), "o.db")
	e, err := engine.Open(ctx, url, engine.WithMaxOpenConns(3), engine.WithMaxIdleConns(1), engine.WithConnMaxLifetime(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	db := e.Pool().(dialects.Unwrapper).Unwrap().(*sql.DB)
	if got := db.Stats().MaxOpenConnections; got != 3 {
		t.Errorf("MaxOpenConnections = %d, want 3", got)
	}
	if err := e.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := e.Exec(ctx, stmt.Text("SELECT 1")); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Exec after Close = %v, want ErrClosed", err)
	}
	if _, err := e.Begin(ctx, engine.TxOptions{}); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Begin after Close = %v, want ErrClosed", err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct{ name, url, want string }{
		{"unknown scheme", "oracle://scott:tiger@db/x", `no dialect registered for URL scheme "oracle"`},
		{"no scheme", "app.db", "has no scheme"},
		{"empty sqlite", "sqlite:", "names no database"},
		{"bad mysql parameter", "mysql://u@127.0.0.1/d?timeout=forever", "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := engine.Open(ctx, tt.url)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "tiger") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	ctx := context.Background()
	e, err := engine.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Exec(ctx, nil); err == nil {
		t.Error("nil statement accepted")
	}
	_, err = e.Exec(ctx, stmt.Text("SELECT :missing"))
	if err == nil || !strings.Contains(err.Error(), "compile") {
		t.Errorf("missing parameter: %v", err)
	}
}

func TestNewWrapsExistingHandle(t *testing.T) {
	ctx := context.Background()
	dsn, _, err := sqlite.DSN("sqlite:" + filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e := engine.New(sqlite.Default(), sqlite.Wrap(db), nil)
	n, err := engine.Scalar[int64](ctx, e, stmt.Text("SELECT 40 + :n").Bind("n", 2))
	if err != nil || n != 42 {
		t.Fatalf("Scalar = %d, %v", n, err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.PingContext(ctx); err != nil {
		t.Errorf("the application's handle was closed: %v", err)
	}
}
