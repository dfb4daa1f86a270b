package engine_test

import (
	"context"
	"testing"

	_ "github.com/dlayer/dlayer/dialects/mysql"
	_ "github.com/dlayer/dlayer/dialects/postgres"
	_ "github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/engine/enginetest"
	"github.com/dlayer/dlayer/internal/testdb"
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
		// SQLite interrupts a running statement on cancel, so a CPU-bound
		// query stops at once.
		SlowQuery: "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT max(n) FROM c",
	})
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, enginetest.Config{Open: open(testdb.Postgres), SlowQuery: "SELECT pg_sleep(10)"})
}

func TestMySQL(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, enginetest.Config{Open: open(testdb.MySQL), SlowQuery: "SELECT SLEEP(10)"})
}
