package sqlite_test

import (
	"context"
	"database/sql"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/dlayer/dlayer/dialects/internal/dialecttest"
	"github.com/dlayer/dlayer/dialects/sqlite"
)

// TestApply runs the generated DDL (of the test schema and of
// examples/blog) and statements on a real (in-memory)
// SQLite database with foreign keys enforced, once statement by statement
// and once inside a transaction.
func TestApply(t *testing.T) {
	ctx := context.Background()
	for _, inTx := range []bool{false, true} {
		name := map[bool]string{false: "autocommit", true: "transaction"}[inTx]
		t.Run(name, func(t *testing.T) {
			db, err := sql.Open("sqlite", "file:apply_"+name+"?mode=memory&_pragma=foreign_keys(1)")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			type execer interface {
				ExecContext(context.Context, string, ...any) (sql.Result, error)
				PrepareContext(context.Context, string) (*sql.Stmt, error)
				QueryContext(context.Context, string, ...any) (*sql.Rows, error)
			}
			var x execer = db
			var tx *sql.Tx
			if inTx {
				if tx, err = db.BeginTx(ctx, nil); err != nil {
					t.Fatal(err)
				}
				x = tx
			}
			dialecttest.Apply(t, sqlite.New(),
				func(q string, args ...any) error { _, err := x.ExecContext(ctx, q, args...); return err },
				func(_, q string) error {
					st, err := x.PrepareContext(ctx, q)
					if err == nil {
						st.Close()
					}
					return err
				})
			t.Run("semantics", func(t *testing.T) {
				dialecttest.Semantics(t, sqlite.New(), dialecttest.SQLRunner(ctx, x), true)
			})
			dialecttest.ApplySchema(t, sqlite.New(), dialecttest.BlogSchema(t),
				func(q string, args ...any) error { _, err := x.ExecContext(ctx, q, args...); return err })
			if tx != nil {
				if err := tx.Commit(); err != nil {
					t.Fatalf("commit: %v", err)
				}
			}
			var n int
			if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table'").Scan(&n); err != nil || n != 0 {
				t.Errorf("tables left after DropAll: %d (%v)", n, err)
			}
		})
	}
}
