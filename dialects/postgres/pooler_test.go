package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
)

// TestConnStringStripsOptions: dlayer's own parameters never reach pgx
// (which would send them to the server as settings), the rest of the URL
// is kept as given, and bad values are refused.
func TestConnStringStripsOptions(t *testing.T) {
	tests := []struct{ name, in, want, err string }{
		{name: "pooler", in: "postgres://u:p%40ss@h:5432/db?pooler=transaction&sslmode=disable",
			want: "postgresql://u:p%40ss@h:5432/db?sslmode=disable"},
		{name: "both", in: "postgres://u@h/db?migrate_lock=table&pooler=session",
			want: "postgresql://u@h/db"},
		{name: "none", in: "postgres://u@h/db?sslmode=disable", want: "postgresql://u@h/db?sslmode=disable"},
		{name: "bad pooler", in: "postgres://u@h/db?pooler=statement", err: `?pooler="statement": want one of transaction, session`},
		{name: "bad lock", in: "postgres://u@h/db?migrate_lock=row", err: `?migrate_lock="row": want one of advisory, table`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := postgres.ConnString(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ConnString(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ConnString(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestPoolerOpenRefuses: with pooler=transaction, startup settings the
// pooler cannot keep and execution modes that break behind it are refused
// when the pool is opened, with a hint.
func TestPoolerOpenRefuses(t *testing.T) {
	base := testdb.URL(t, testdb.Postgres)
	tests := []struct{ name, query, want string }{
		{name: "search_path", query: "search_path=app", want: "search_path cannot be kept behind a transaction pooler"},
		{name: "statement_timeout", query: "statement_timeout=1000", want: "ALTER ROLE … SET statement_timeout"},
		{name: "describe_exec", query: "default_query_exec_mode=describe_exec", want: "describe_exec does not work"},
		{name: "cache_statement", query: "default_query_exec_mode=cache_statement", want: "cache_statement does not work"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := postgres.OpenPool(context.Background(), base+"&pooler=transaction&"+tt.query, dialects.PoolOptions{})
			if err == nil {
				p.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q lacks %q", err, tt.want)
			}
		})
	}
	// A lazily opened pool (replicas opened before their server answers)
	// keeps the pooler settings.
	lazy, err := postgres.OpenPool(context.Background(), base+"&pooler=transaction", dialects.PoolOptions{Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	if m := lazy.MigrationLock(); m != "table" {
		t.Errorf("lazy pool: MigrationLock() = %q, want table", m)
	}
	if _, err := lazy.Exec(context.Background(), "SET search_path = x"); !errors.Is(err, postgres.ErrSessionState) {
		t.Errorf("lazy pool: SET = %v, want ErrSessionState", err)
	}
	lazy.Close()
	// application_name is kept by the pooler and allowed.
	p, err := postgres.OpenPool(context.Background(), base+"&pooler=transaction&application_name=dl", dialects.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
}

// TestPoolerSessionState runs statements through the real pgbouncer with
// pooler=transaction: those that would leave state on a server connection
// fail with ErrSessionState before reaching it; their transaction-scoped
// forms work.
func TestPoolerSessionState(t *testing.T) {
	ctx := context.Background()
	u := fresh.PooledURL(t, "dl_pg_pool", "pooler=transaction")
	p, err := postgres.OpenPool(ctx, u, dialects.PoolOptions{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	refused := []struct{ name, sql string }{
		{"set", "SET statement_timeout = 1"},
		{"set session", "/* c */ set session timezone = 'UTC'"},
		{"reset", "RESET ALL"},
		{"listen", "LISTEN events"},
		{"prepare", "PREPARE q AS SELECT 1"},
		{"temp table", "CREATE TEMP TABLE tmp (id int)"},
		{"temporary table", "-- c\nCREATE TEMPORARY TABLE tmp (id int)"},
		{"advisory lock", "SELECT pg_advisory_lock(42)"},
		{"try advisory lock", "SELECT pg_try_advisory_lock(42)"},
		{"discard", "DISCARD ALL"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := p.Exec(ctx, tt.sql); !errors.Is(err, postgres.ErrSessionState) {
				t.Errorf("Exec(%q) = %v, want ErrSessionState", tt.sql, err)
			}
			if rows, err := p.Query(ctx, tt.sql); !errors.Is(err, postgres.ErrSessionState) {
				if rows != nil {
					rows.Close()
				}
				t.Errorf("Query(%q) = %v, want ErrSessionState", tt.sql, err)
			}
		})
	}
	tx, err := p.Begin(ctx, dialects.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"SET LOCAL statement_timeout = 5000", "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
		"SELECT pg_advisory_xact_lock(42)", "CREATE TEMP TABLE tmp (id int) ON COMMIT DROP", "INSERT INTO tmp VALUES (1)"} {
		if _, err := tx.Exec(ctx, s); err != nil {
			t.Errorf("in a transaction, %q: %v", s, err)
		}
	}
	if _, err := tx.Exec(ctx, "SET statement_timeout = 1"); !errors.Is(err, postgres.ErrSessionState) {
		t.Errorf("session SET in a transaction: %v, want ErrSessionState", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// Statements with parameters, many goroutines, every allowed mode.
	for _, mode := range []string{"", "&default_query_exec_mode=exec", "&default_query_exec_mode=simple_protocol",
		"&default_query_exec_mode=cache_describe"} {
		t.Run("mode"+mode, func(t *testing.T) {
			p, err := postgres.OpenPool(ctx, u+mode, dialects.PoolOptions{MaxOpenConns: 8})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			{
				want := strings.TrimPrefix(mode, "&default_query_exec_mode=")
				if want == "" {
					want = "cache_describe"
				}
				got := p.Unwrap().(*pgxpool.Pool).Config().ConnConfig.DefaultQueryExecMode.String()
				if got = strings.ReplaceAll(got, " ", "_"); got != want {
					t.Fatalf("exec mode %s, want %s", got, want)
				}
			}
			var wg sync.WaitGroup
			errs := make(chan error, 8*50)
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 50 {
						rows, err := p.Query(ctx, "SELECT $1::int + $2::int, $3::text", w, i, "x")
						if err != nil {
							errs <- err
							continue
						}
						var n int64
						var s string
						for rows.Next() {
							err = rows.Scan(&n, &s)
						}
						if err == nil {
							err = rows.Err()
						}
						rows.Close()
						if err == nil && (n != int64(w+i) || s != "x") {
							err = errors.New("wrong result")
						}
						if err != nil {
							errs <- err
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
		})
	}
	// A multi-statement text without arguments runs; one with a session
	// statement anywhere in it is refused.
	if _, err := p.Exec(ctx, "CREATE TABLE multi (x int); INSERT INTO multi VALUES (1); INSERT INTO multi VALUES (2)"); err != nil {
		t.Fatalf("multi-statement text: %v", err)
	}
	if _, err := p.Exec(ctx, "INSERT INTO multi VALUES (3); SET search_path = x"); !errors.Is(err, postgres.ErrSessionState) {
		t.Fatalf("multi-statement text with SET: %v, want ErrSessionState", err)
	}
	// COPY works through the pooler, in and outside a transaction.
	if _, err := p.Exec(ctx, "CREATE TABLE copied (id int PRIMARY KEY, name text)"); err != nil {
		t.Fatal(err)
	}
	rows := make([][]any, 200)
	for i := range rows {
		rows[i] = []any{int32(i), fmt.Sprint("n", i)}
	}
	if n, err := p.CopyFrom(ctx, "copied", []string{"id", "name"}, rows[:100]); err != nil || n != 100 {
		t.Fatalf("CopyFrom: %d %v", n, err)
	}
	tx, err = p.Begin(ctx, dialects.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := tx.(dialects.Copier).CopyFrom(ctx, "copied", []string{"id", "name"}, rows[100:]); err != nil || n != 100 {
		t.Fatalf("CopyFrom in a transaction: %d %v", n, err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if m := p.MigrationLock(); m != "table" {
		t.Errorf("MigrationLock() = %q, want table", m)
	}
}
