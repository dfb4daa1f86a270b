// Package fresh gives a test an empty database of its own on a real server
// (a PostgreSQL schema, a MariaDB/MySQL database, or a SQLite file), dropped
// when the test ends, so suites that use fixed table names from YAML can run
// in parallel against one server.
package fresh

import (
	"context"
	"net/url"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/testdb"
)

// URL returns the URL of a new, empty database of the named kind (see
// testdb.Names), with prefix in its name. The concrete dialect packages must
// be imported by the test.
func URL(t testing.TB, name, prefix string) string {
	t.Helper()
	base := testdb.URL(t, name)
	if name == testdb.SQLite {
		return base
	}
	ctx := context.Background()
	db := prefix + "_" + testdb.Suffix()
	_, admin, err := dialects.Open(ctx, base, dialects.PoolOptions{MaxOpenConns: 2})
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	create, drop := "CREATE SCHEMA "+db, "DROP SCHEMA "+db+" CASCADE"
	if name == testdb.MySQL {
		create, drop = "CREATE DATABASE "+db, "DROP DATABASE "+db
	}
	if _, err := admin.Exec(ctx, create); err != nil {
		admin.Close()
		t.Fatalf("%s: %v", create, err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), drop); err != nil {
			t.Errorf("%s: %v", drop, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	if name == testdb.Postgres {
		q := u.Query()
		q.Set("search_path", db)
		u.RawQuery = q.Encode()
	} else {
		u.Path = "/" + db
	}
	return u.String()
}
