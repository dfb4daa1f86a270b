package migrate_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dlayer/dlayer/dialects"
	_ "github.com/dlayer/dlayer/dialects/mysql"
	_ "github.com/dlayer/dlayer/dialects/postgres"
	_ "github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/loader"
	"github.com/dlayer/dlayer/spec"
)

// testDB is a fresh, empty database (SQLite file, PostgreSQL schema or
// MariaDB database) for one test, dropped at the end.
type testDB struct {
	name    string
	url     string
	dialect dialects.Dialect
	pool    dialects.Pool
}

// freshDB creates an empty database of the named kind with a unique name.
func freshDB(t *testing.T, name string) *testDB {
	t.Helper()
	u := fresh.URL(t, name, "dlayer_mig")
	d, p := open(t, u)
	return &testDB{name: name, url: u, dialect: d, pool: p}
}

// open opens a pool closed at the end of the test.
func open(t *testing.T, u string) (dialects.Dialect, dialects.Pool) {
	t.Helper()
	d, p, err := dialects.Open(context.Background(), u, dialects.PoolOptions{MaxOpenConns: 4})
	if err != nil {
		t.Fatalf("open %s: %v", dialects.Redact(u), err)
	}
	t.Cleanup(func() { p.Close() })
	return d, p
}

// load loads a schema from YAML text (one file), failing the test on errors.
func load(t *testing.T, yaml string) *spec.Schema {
	t.Helper()
	s, ds := loader.Load(fstest.MapFS{"models.yaml": {Data: []byte(strings.TrimLeft(yaml, "\n"))}})
	if ds.HasErrors() {
		t.Fatalf("load schema:\n%v\n%s", ds, yaml)
	}
	return s
}
