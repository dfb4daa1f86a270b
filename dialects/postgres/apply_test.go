package postgres_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/dlayer/dlayer/dialects/internal/dialecttest"
	"github.com/dlayer/dlayer/dialects/postgres"
)

// TestApply runs the generated DDL (of the test schema and of examples/blog)
// and has the server prepare every compiled statement, in a throw-away schema of the database named by
// DLAYER_TEST_POSTGRES_URL.
func TestApply(t *testing.T) {
	url := os.Getenv("DLAYER_TEST_POSTGRES_URL")
	if url == "" {
		t.Skip("DLAYER_TEST_POSTGRES_URL is not set: SKIPPING the PostgreSQL DDL/compile check")
	}
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("dlayer_sqlgen_%d", os.Getpid())
	cfg.RuntimeParams["search_path"] = schema
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
	dialecttest.Apply(t, postgres.New(),
		func(q string, args ...any) error { _, err := conn.Exec(ctx, q, args...); return err },
		func(name, q string) error { _, err := conn.Prepare(ctx, name, q); return err })
	t.Run("semantics", func(t *testing.T) {
		dialecttest.Semantics(t, postgres.New(), dialecttest.Runner{
			Exec: func(q string, args ...any) error { _, err := conn.Exec(ctx, q, args...); return err },
			Query: func(q string, args ...any) ([][]any, error) {
				rows, err := conn.Query(ctx, q, args...)
				if err != nil {
					return nil, err
				}
				defer rows.Close()
				var out [][]any
				for rows.Next() {
					vals, err := rows.Values()
					if err != nil {
						return nil, err
					}
					out = append(out, vals)
				}
				return out, rows.Err()
			},
		}, true)
	})
	dialecttest.ApplySchema(t, postgres.New(), dialecttest.BlogSchema(t),
		func(q string, args ...any) error { _, err := conn.Exec(ctx, q, args...); return err })
}
