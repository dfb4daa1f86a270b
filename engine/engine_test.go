package engine_test

import (
	"context"
	"strings"
	"testing"

	_ "github.com/dlayer/dlayer/dialects/mysql"
	_ "github.com/dlayer/dlayer/dialects/postgres"
	_ "github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/engine/enginetest"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

func open(name string) func(t *testing.T) *engine.Engine {
	return func(t *testing.T) *engine.Engine {
		t.Helper()
		e, err := engine.Open(context.Background(), testdb.URL(t, name))
		if err != nil {
			t.Fatalf("open %s: %v", name, err)
		}
		t.Cleanup(func() { e.Close() })
		return e
	}
}

func TestSQLite(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, enginetest.Config{
		Open: open(testdb.SQLite),
		URL:  func(t *testing.T) string { return testdb.URL(t, testdb.SQLite) },
		// SQLite interrupts a running statement on cancel, so a CPU-bound
		// query stops at once.
		SlowQuery:     "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT max(n) FROM c",
		DecimalDigits: 15,
	})
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, enginetest.Config{Open: open(testdb.Postgres), SlowQuery: "SELECT pg_sleep(10)",
		URL: func(t *testing.T) string { return testdb.URL(t, testdb.Postgres) }})
}

func TestMySQL(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, enginetest.Config{Open: open(testdb.MySQL), SlowQuery: "SELECT SLEEP(10)",
		URL: func(t *testing.T) string { return testdb.URL(t, testdb.MySQL) }})
}

func TestNamedParamWithoutValueIsAnError(t *testing.T) {
	ctx := context.Background()
	e, err := engine.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	_, err = e.Exec(ctx, stmt.Text("CREATE TABLE t (x INTEGER)"))
	if err != nil {
		t.Fatal(err)
	}
	s := schemaWithT(t)
	tb := stmt.Ref(s.Table("t"))
	_, err = e.Query(ctx, stmt.Select(tb).Where(tb.C("x").Eq(stmt.NamedParam("want"))))
	if err == nil || !strings.Contains(err.Error(), `"want"`) {
		t.Fatalf("named parameter without a value: %v", err)
	}
}

func schemaWithT(t *testing.T) *spec.Schema {
	t.Helper()
	s := &spec.Schema{Tables: []*spec.Table{{Name: "t", Columns: []*spec.Column{{Name: "x", Type: spec.Type{Kind: spec.TypeInteger}, Nullable: true}}}}}
	s.Index()
	return s
}
