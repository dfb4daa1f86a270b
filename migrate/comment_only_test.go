package migrate_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/dlayer/dlayer/internal/testdb"
)

// TestCommentOnlyMigration is issue 9 item 3: a migration whose Up section
// holds only a comment used to crash `migrate up` on SQLite (a nil driver
// result, read by internal/sqldb and the SQLite migration connection). It
// applies as a no-op on every database.
func TestCommentOnlyMigration(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := freshDB(t, name)
			dir := fstest.MapFS{
				"001_one.sql":  file("CREATE TABLE t1 (id INTEGER PRIMARY KEY);", "DROP TABLE t1;"),
				"002_note.sql": file("/* note */;", "/* note */;"),
			}
			r := newRunner(t, db.dialect, db.pool, dir)
			res, err := r.Up(ctx, 0)
			if err != nil || len(res.Steps) != 2 {
				t.Fatalf("up: %+v, %v", res, err)
			}
			recs, err := r.History(ctx)
			if err != nil || len(recs) != 2 {
				t.Errorf("history = %d records, %v; want 2", len(recs), err)
			}
			if _, err := r.Down(ctx, 1); err != nil {
				t.Errorf("down: %v", err)
			}
		})
	}
}
