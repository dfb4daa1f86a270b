package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/internal/testdb"
)

func TestOpenPool(t *testing.T) {
	url := testdb.URL(t, testdb.Postgres)
	ctx := context.Background()
	p, err := postgres.OpenPool(ctx, url, dialects.PoolOptions{MaxOpenConns: 3, ConnMaxLifetime: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	pool := p.Unwrap().(*pgxpool.Pool)
	if pool.Config().MaxConns != 3 || pool.Config().MaxConnLifetime != time.Minute {
		t.Errorf("pool options not applied: %d %v", pool.Config().MaxConns, pool.Config().MaxConnLifetime)
	}
	// Values scanned into *any are normalised.
	rows, err := p.Query(ctx, `SELECT 1::int4, 2::int2, 1.5::float4, 12345678901234567890.123::numeric,
		'0190a6f8-7c4e-7abc-8def-0123456789ab'::uuid, '{"a": [1]}'::jsonb, '13:14:15.5'::time, NULL::numeric`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	vals := make([]any, 8)
	ptrs := make([]any, 8)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if !rows.Next() {
		t.Fatal(rows.Err())
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	want := []string{"int64 1", "int64 2", "float64 1.5", "string 12345678901234567890.123",
		"string 0190a6f8-7c4e-7abc-8def-0123456789ab", `json.RawMessage {"a": [1]}`, "string 13:14:15.5", "<nil> <nil>"}
	for i, v := range vals {
		got := typeAndValue(v)
		if got != want[i] {
			t.Errorf("column %d = %s, want %s", i, got, want[i])
		}
	}
}

func typeAndValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "<nil> <nil>"
	case json.RawMessage:
		return "json.RawMessage " + string(x)
	}
	return fmt.Sprintf("%T %v", v, v)
}

func TestWrapLeavesPoolOpen(t *testing.T) {
	url := testdb.URL(t, testdb.Postgres)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	p := postgres.Wrap(pool)
	if err := p.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if err := pool.Ping(ctx); err != nil {
		t.Errorf("wrapped pool closed: %v", err)
	}
}

func TestOpenErrorRedactsPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := postgres.OpenPool(ctx, "postgres://u:hunter2@127.0.0.1:1/d?connect_timeout=2", dialects.PoolOptions{})
	if err == nil {
		t.Fatal("no error for an unreachable server")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error shows the password: %v", err)
	}
}

// TestSQLAlchemyURLs opens the test server through URLs spelled as a
// Python project writes them: postgresql+<driver>://, the driver ignored.
func TestSQLAlchemyURLs(t *testing.T) {
	base := testdb.URL(t, testdb.Postgres)
	rest := base[strings.Index(base, "://"):]
	ctx := context.Background()
	for _, scheme := range []string{"postgresql", "postgresql+psycopg2", "postgresql+psycopg", "postgresql+asyncpg", "postgresql+pg8000", "postgres"} {
		t.Run(scheme, func(t *testing.T) {
			_, p, err := dialects.Open(ctx, scheme+rest, dialects.PoolOptions{MaxOpenConns: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if err := p.Ping(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestConnString(t *testing.T) {
	tests := []struct{ name, url, want, wantErr string }{
		{name: "driver suffix dropped", url: "postgresql+psycopg2://u:p%40w@h:5432/db?sslmode=disable", want: "postgresql://u:p%40w@h:5432/db?sslmode=disable"},
		{name: "asyncpg ssl true", url: "postgresql+asyncpg://u@h/db?ssl=true", want: "postgresql://u@h/db?sslmode=require"},
		{name: "asyncpg ssl mode", url: "postgresql+asyncpg://u@h/db?ssl=verify-full&application_name=x", want: "postgresql://u@h/db?application_name=x&sslmode=verify-full"},
		{name: "asyncpg ssl with sslmode", url: "postgresql+asyncpg://u@h/db?ssl=true&sslmode=disable", want: "postgresql://u@h/db?sslmode=disable"},
		{name: "keyword/value passes", url: "host=h dbname=d", want: "host=h dbname=d"},
		{name: "unix socket host", url: "postgres://u@%2Fvar%2Frun%2Fpostgresql/db", want: "postgresql://u@%2Fvar%2Frun%2Fpostgresql/db"},
		{name: "at in password", url: "postgres://u:p@w@h/db", wantErr: "percent-encode '@'"},
		{name: "slash in password", url: "postgres://u:p/w@h/db", wantErr: "an '@' after the host"},
		{name: "bad port", url: "postgres://u@h:54x2/db", wantErr: "invalid port"},
		{name: "other scheme", url: "mysql://u@h/db", wantErr: "not a postgres URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := postgres.ConnString(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ConnString(%q) error = %v, want %q", tt.url, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ConnString(%q) = %q, %v, want %q", tt.url, got, err, tt.want)
			}
		})
	}
}
