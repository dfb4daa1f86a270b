package fresh

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/testdb"
)

// PooledURL creates a new, empty PostgreSQL database (a database, not a
// schema: a transaction pooler cannot keep a search_path) on the test
// server and returns its URL through the test pgbouncer, with query (such
// as "pooler=transaction") added. The database is dropped when the test
// ends. The postgres dialect must be imported by the test.
func PooledURL(t testing.TB, prefix, query string) string {
	t.Helper()
	pooled := testdb.PgBouncerURL(t)
	base := testdb.URL(t, testdb.Postgres)
	ctx := context.Background()
	db := prefix + "_" + testdb.Suffix()
	_, admin, err := dialects.Open(ctx, base, dialects.PoolOptions{MaxOpenConns: 1})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		admin.Close()
		t.Fatalf("create database %s: %v", db, err)
	}
	t.Cleanup(func() {
		// FORCE ends the pooler's server connections to it.
		if _, err := admin.Exec(context.Background(), "DROP DATABASE "+db+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", db, err)
		}
		admin.Close()
	})
	u, err := url.Parse(pooled)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db
	s := u.String()
	if query != "" {
		if strings.Contains(s, "?") {
			s += "&" + query
		} else {
			s += "?" + query
		}
	}
	return s
}
