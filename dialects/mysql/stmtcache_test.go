package mysql_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/stmt"

	_ "github.com/dlayer/dlayer/dialects/mysql"
)

// comStmtPrepare reads the server's count of statements the session
// prepared (SHOW has no arguments, so it is sent as text and prepares
// nothing itself).
func comStmtPrepare(t *testing.T, q engine.Querier) int64 {
	t.Helper()
	recs, err := engine.Records(context.Background(), q, stmt.Text("SHOW SESSION STATUS LIKE 'Com_stmt_prepare'"))
	if err != nil || len(recs) != 1 {
		t.Fatalf("Com_stmt_prepare: %v, %v", recs, err)
	}
	v, err := recs[0].AnyAt(1)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := v.(string)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("Com_stmt_prepare %v: %v", v, err)
	}
	return n
}

// openOne opens an engine on a fresh database with a single connection,
// so that the session counters are those of every statement run.
func openOne(t *testing.T, query string) *engine.Engine {
	t.Helper()
	ctx := context.Background()
	u := fresh.URL(t, testdb.MySQL, "stmtcache") + query
	e, err := engine.Open(ctx, u, engine.WithMaxOpenConns(1), engine.WithMaxIdleConns(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	for _, q := range []string{"CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10))", "INSERT INTO t VALUES (1, 'x'), (2, 'y')"} {
		if _, err := e.Exec(ctx, stmt.Text(q)); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func readA(t *testing.T, e *engine.Engine, id int64) string {
	t.Helper()
	a, err := engine.Scalar[string](context.Background(), e, stmt.Text("SELECT a FROM t WHERE id = :id").Bind("id", id))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestStatementCacheMariaDB(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  int64 // server-side prepares for 6 runs of one statement
	}{
		{"prepared once and reused", "", 1},
		{"statement_cache_capacity=0: the driver prepares every run", "?statement_cache_capacity=0", 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := openOne(t, tc.query)
			before := comStmtPrepare(t, e)
			for i := range 6 {
				if got := readA(t, e, int64(1+i%2)); got != []string{"x", "y"}[i%2] {
					t.Fatalf("run %d: %q", i, got)
				}
			}
			if got := comStmtPrepare(t, e) - before; got != tc.want {
				t.Fatalf("Com_stmt_prepare grew by %d for 6 runs, want %d", got, tc.want)
			}
		})
	}
}

// TestStatementCacheMariaDBInvalidation: DDL through the engine and
// CreateAll/DropAll drop the cached statements (the next run prepares
// again), and a SELECT * prepared before ALTER TABLE returns the new
// column after it.
func TestStatementCacheMariaDBInvalidation(t *testing.T) {
	ctx := context.Background()
	e := openOne(t, "")
	star := stmt.Text("SELECT * FROM t WHERE id = :id").Bind("id", 1)
	cols := func() []string {
		r, err := e.Query(ctx, star)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		return slices.Clone(r.Columns())
	}
	cols()
	readA(t, e, 1)
	n := comStmtPrepare(t, e)
	readA(t, e, 1)
	if comStmtPrepare(t, e) != n {
		t.Fatal("reused statement prepared again")
	}
	if _, err := e.Exec(ctx, stmt.Text("ALTER TABLE t ADD COLUMN b INT")); err != nil {
		t.Fatal(err)
	}
	n = comStmtPrepare(t, e)
	if got := cols(); !slices.Equal(got, []string{"id", "a", "b"}) {
		t.Fatalf("after ALTER TABLE: columns %v", got)
	}
	readA(t, e, 2)
	if got := comStmtPrepare(t, e) - n; got != 2 {
		t.Fatalf("after DDL: %d statements prepared for 2 cached ones, want 2", got)
	}
	e.InvalidateStatements()
	n = comStmtPrepare(t, e)
	readA(t, e, 2)
	if got := comStmtPrepare(t, e) - n; got != 1 {
		t.Fatalf("after InvalidateStatements: %d prepared, want 1", got)
	}
}

// TestStatementCacheMariaDBDroppedConnection: the server kills the
// connection that holds the cached statement; the next run works on a new
// connection.
func TestStatementCacheMariaDBDroppedConnection(t *testing.T) {
	ctx := context.Background()
	e := openOne(t, "")
	readA(t, e, 1)
	id, err := engine.Scalar[int64](ctx, e, stmt.Text("SELECT CONNECTION_ID()"))
	if err != nil {
		t.Fatal(err)
	}
	admin, err := engine.Open(ctx, testdb.URL(t, testdb.MySQL))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(ctx, stmt.Text("KILL :id").Bind("id", id)); err != nil {
		t.Fatal(err)
	}
	var got string
	for try := 0; try < 3; try++ { // the first may report the killed connection
		if got, err = engine.Scalar[string](ctx, e, stmt.Text("SELECT a FROM t WHERE id = :id").Bind("id", 2)); err == nil {
			break
		}
	}
	if err != nil || got != "y" {
		t.Fatalf("after the connection was killed: %q, %v", got, err)
	}
	if p := e.Pool().(interface{ PreparedStatements() int64 }); p.PreparedStatements() < 2 {
		t.Fatalf("the new connection did not prepare its own statement (%d)", p.PreparedStatements())
	}
}
