package bench

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// openPgSQL opens the hand-written database/sql contender on PostgreSQL
// through pgx's stdlib driver (default settings: statement cache on).
func openPgSQL(ctx context.Context, dsn string) (any, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return newSQLBench(stdlib.OpenDB(*cfg), pgText), nil
}
