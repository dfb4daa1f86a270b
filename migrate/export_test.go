package migrate

import (
	"context"

	"github.com/dlayer/dlayer/dialects"
)

// The tests of this package (and of migrate_test) run in databases of
// their own on shared servers: their advisory locks are scoped to that
// database (see testLockScope).
func init() { testLockScope = testDatabase }

// testDatabase returns the database (MySQL/MariaDB) or schema (PostgreSQL)
// p's connections use, or "" where there is none (SQLite).
func testDatabase(ctx context.Context, d dialects.Dialect, p dialects.Pool) string {
	q := ""
	switch d.Name() {
	case "mysql":
		q = "SELECT DATABASE()"
	case "postgres":
		q = "SELECT current_schema()"
	default:
		return ""
	}
	rows, err := p.Query(ctx, q)
	if err != nil {
		return ""
	}
	defer rows.Close()
	var name *string
	if !rows.Next() || rows.Scan(&name) != nil || name == nil {
		return ""
	}
	return *name
}

// LockNameForTest is the advisory lock name a Runner over d and p with the
// history table table uses in these tests.
func LockNameForTest(ctx context.Context, d dialects.Dialect, p dialects.Pool, table string) string {
	if scope := testDatabase(ctx, d, p); scope != "" {
		return scope + "/" + table
	}
	return table
}
