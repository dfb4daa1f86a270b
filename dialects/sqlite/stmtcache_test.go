package sqlite_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/sqldb"
	"github.com/dlayer/dlayer/migrate"
	"github.com/dlayer/dlayer/stmt"
)

// openCached opens an engine on a new SQLite file with one connection, so
// that every statement runs on the same connection and its cache.
func openCached(t *testing.T, query string) (*engine.Engine, *sqldb.Pool) {
	t.Helper()
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(t.TempDir(), "c.db") + query
	e, err := engine.Open(ctx, url, engine.WithMaxOpenConns(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if _, err := e.Exec(ctx, stmt.Text("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Exec(ctx, stmt.Text("INSERT INTO t (id, a) VALUES (1, 'x'), (2, 'y')")); err != nil {
		t.Fatal(err)
	}
	return e, e.Pool().(*sqldb.Pool)
}

func readA(t *testing.T, e *engine.Engine, id int64) string {
	t.Helper()
	a, err := engine.Scalar[string](context.Background(), e, stmt.Text("SELECT a FROM t WHERE id = :id").Bind("id", id))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestStatementCacheReuse(t *testing.T) {
	tests := []struct {
		name  string
		query string
		// runs of three statements cycled twice; want is how many
		// prepares the twelve runs cost.
		want int64
	}{
		{"default keeps all three", "", 3},
		{"capacity 2 evicts in a cycle of 3", "?statement_cache_capacity=2", 12},
		{"SQLAlchemy's cached_statements", "?cached_statements=3", 3},
		{"capacity 0 prepares nothing for the cache", "?statement_cache_capacity=0", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, p := openCached(t, tc.query)
			ctx := context.Background()
			before := p.PreparedStatements()
			qs := []*stmt.TextStmt{
				stmt.Text("SELECT a FROM t WHERE id = :id").Bind("id", 1),
				stmt.Text("SELECT a FROM t WHERE id = :id AND a <> 'z'").Bind("id", 1),
				stmt.Text("SELECT a FROM t WHERE id >= :id ORDER BY id LIMIT 1").Bind("id", 1),
			}
			for range 4 {
				for _, q := range qs {
					a, err := engine.Scalar[string](ctx, e, q)
					if err != nil || a != "x" {
						t.Fatalf("%v: got %q, %v", q.Parts().SQL, a, err)
					}
				}
			}
			if got := p.PreparedStatements() - before; got != tc.want {
				t.Fatalf("prepared %d statements for 12 runs of 3, want %d", got, tc.want)
			}
		})
	}
}

func TestStatementCacheBadSetting(t *testing.T) {
	for _, q := range []string{"?statement_cache_capacity=-1", "?statement_cache_capacity=x", "?cached_statements=1e9"} {
		if _, err := sqlite.OpenPool(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "b.db")+q, dialects.PoolOptions{}); err == nil {
			t.Errorf("%s: no error", q)
		}
	}
}

// TestStatementCacheInvalidation: DDL through the engine, CreateAll and
// DropAll and migrations make the connection prepare its statements again,
// and a SELECT * prepared before an ALTER TABLE returns the new column.
func TestStatementCacheInvalidation(t *testing.T) {
	ctx := context.Background()
	e, p := openCached(t, "")
	star := stmt.Text("SELECT * FROM t WHERE id = :id").Bind("id", 2)
	cols := func() []string {
		t.Helper()
		rows, err := e.Query(ctx, star)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		return slices.Clone(rows.Columns())
	}
	if got := cols(); !slices.Equal(got, []string{"id", "a"}) {
		t.Fatalf("columns %v", got)
	}
	readA(t, e, 1)
	n := p.PreparedStatements()
	readA(t, e, 2)
	if p.PreparedStatements() != n {
		t.Fatal("a repeated statement was prepared again")
	}
	if _, err := e.Exec(ctx, stmt.Text("ALTER TABLE t ADD COLUMN b INTEGER")); err != nil {
		t.Fatal(err)
	}
	n = p.PreparedStatements()
	if got := cols(); !slices.Equal(got, []string{"id", "a", "b"}) {
		t.Fatalf("after ALTER TABLE: columns %v, want id, a, b", got)
	}
	if readA(t, e, 2) != "y" || p.PreparedStatements() != n+2 {
		t.Fatalf("after DDL: %d statements prepared, want 2 (cache dropped)", p.PreparedStatements()-n)
	}

	t.Run("migrate", func(t *testing.T) {
		dir := fstest.MapFS{"1_c.sql": {Data: []byte("-- +dlayer Up\nALTER TABLE t ADD COLUMN c INTEGER;\n-- +dlayer Down\nALTER TABLE t DROP COLUMN c;\n")}}
		r, err := migrate.New(migrate.Config{Dialect: e.Dialect(), Pool: e.Pool(), Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		readA(t, e, 1)
		n := p.PreparedStatements()
		if _, err := r.Up(ctx, 0); err != nil {
			t.Fatal(err)
		}
		m := p.PreparedStatements()
		readA(t, e, 1)
		if p.PreparedStatements() != m+1 {
			t.Fatalf("after migrate: the statement was not prepared again (%d before, %d, %d)", n, m, p.PreparedStatements())
		}
		if got := cols(); !slices.Equal(got, []string{"id", "a", "b", "c"}) {
			t.Fatalf("after migrate: columns %v", got)
		}
	})
}

// TestStatementCacheBusy runs a statement again on the same connection
// while rows read from it are open (in a transaction): the second run must
// not disturb the first.
func TestStatementCacheBusy(t *testing.T) {
	ctx := context.Background()
	e, _ := openCached(t, "")
	q := stmt.Text("SELECT id FROM t WHERE id >= :id ORDER BY id").Bind("id", 1)
	err := e.Tx(ctx, func(tx *engine.Tx) error {
		r1, err := tx.Query(ctx, q)
		if err != nil {
			return err
		}
		defer r1.Close()
		if !r1.Next() {
			t.Fatal("no first row")
		}
		ids, err := engine.CollectRows[int64](mustQuery(t, tx, q))
		if err != nil || !slices.Equal(ids, []int64{1, 2}) {
			t.Fatalf("second run: %v, %v", ids, err)
		}
		var id int64
		if !r1.Next() || r1.Scan(&id) != nil || id != 2 {
			t.Fatalf("first rows disturbed: id %d, err %v", id, r1.Err())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func mustQuery(t *testing.T, q engine.Querier, s stmt.Statement) *engine.Rows {
	t.Helper()
	r, err := q.Query(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestStatementCacheCancelled: a statement whose context is cancelled
// fails with the context's error and leaves the cached statement usable.
func TestStatementCacheCancelled(t *testing.T) {
	e, _ := openCached(t, "")
	readA(t, e, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := engine.Scalar[string](ctx, e, stmt.Text("SELECT a FROM t WHERE id = :id").Bind("id", 1)); err == nil {
		t.Fatal("cancelled context: no error")
	}
	if got := readA(t, e, 2); got != "y" {
		t.Fatalf("after cancel: %q", got)
	}
}
