package migrate_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/migrate"
)

func file(up, down string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("-- +dlayer Up\n" + up + "\n-- +dlayer Down\n" + down + "\n")}
}

// baseDir holds three plain-SQL migrations every database accepts.
func baseDir() fstest.MapFS {
	return fstest.MapFS{
		"001_one.sql":   file("CREATE TABLE t1 (id INTEGER PRIMARY KEY);\nINSERT INTO t1 (id) VALUES (1);", "DROP TABLE t1;"),
		"002_two.sql":   file("CREATE TABLE t2 (id INTEGER PRIMARY KEY, note VARCHAR(20));", "DROP TABLE t2;"),
		"003_three.sql": file("CREATE TABLE t3 (id INTEGER PRIMARY KEY);\nINSERT INTO t1 (id) VALUES (3);", "DELETE FROM t1 WHERE id = 3;\nDROP TABLE t3;"),
	}
}

func count(t *testing.T, db *testDB, table string) int64 {
	t.Helper()
	rows, err := db.pool.Query(context.Background(), "SELECT COUNT(*) FROM "+table)
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func tableExists(t *testing.T, db *testDB, table string) bool {
	t.Helper()
	s, err := db.dialect.(dialects.Inspector).Inspect(context.Background(), db.pool)
	if err != nil {
		t.Fatal(err)
	}
	return s.Table(table) != nil
}

func newRunner(t *testing.T, d dialects.Dialect, p dialects.Pool, dir fstest.MapFS) *migrate.Runner {
	t.Helper()
	r, err := migrate.New(migrate.Config{Dialect: d, Pool: p, Dir: dir, LockTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestConcurrentUp runs five migrators, each with its own pool, at once:
// every migration is applied exactly once and none fails.
func TestConcurrentUp(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := freshDB(t, name)
			dir := baseDir()
			var wg sync.WaitGroup
			errs := make([]error, 5)
			applied := make([]int, 5)
			for i := range 5 {
				d, p := open(t, db.url)
				wg.Add(1)
				go func() {
					defer wg.Done()
					r, err := migrate.New(migrate.Config{Dialect: d, Pool: p, Dir: dir, LockTimeout: time.Minute})
					if err != nil {
						errs[i] = err
						return
					}
					res, err := r.Up(context.Background(), 0)
					errs[i] = err
					if res != nil {
						applied[i] = len(res.Steps)
					}
				}()
			}
			wg.Wait()
			checkAppliedOnce(t, db, dir, errs, applied)
		})
	}
}

// TestFailedMigration makes the fourth migration fail at its third
// statement. PostgreSQL and SQLite roll all of it back; MySQL/MariaDB keeps
// the first two statements, marks the migration dirty, refuses to go on and
// is repaired with Resolve.
func TestFailedMigration(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := freshDB(t, name)
			dir := baseDir()
			dir["004_fail.sql"] = file("CREATE TABLE f1 (id INTEGER PRIMARY KEY);\nINSERT INTO t1 (id) VALUES (4);\nINSERT INTO no_such_table (id) VALUES (1);",
				"DELETE FROM t1 WHERE id = 4;\nDROP TABLE f1;")
			r := newRunner(t, db.dialect, db.pool, dir)
			res, upErr := r.Up(ctx, 0)
			err := upErr
			if !errors.Is(err, migrate.ErrFailed) {
				t.Fatalf("up: err = %v, want ErrFailed", err)
			}
			if !strings.Contains(err.Error(), "statement 3 of 3") {
				t.Errorf("error does not locate the statement: %v", err)
			}
			if len(res.Steps) != 3 {
				t.Errorf("applied before the failure = %d, want 3", len(res.Steps))
			}
			recs, err := r.History(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if db.dialect.Features().Has(dialects.TransactionalDDL) {
				if tableExists(t, db, "f1") {
					t.Error("f1 exists: the failed migration was not rolled back")
				}
				if n := count(t, db, "t1"); n != 2 {
					t.Errorf("t1 rows = %d, want 2", n)
				}
				if len(recs) != 3 {
					t.Fatalf("history = %+v, want the 3 good migrations", recs)
				}
				st, err := r.Status(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if st[3].State != "pending" {
					t.Errorf("status of 004 = %q, want pending", st[3].State)
				}
				return
			}
			// MySQL/MariaDB: two statements committed, the migration is dirty.
			if !tableExists(t, db, "f1") {
				t.Error("f1 missing: expected the committed first statement to stay")
			}
			if len(recs) != 4 || recs[3].State != "dirty" || recs[3].Progress != 2 || recs[3].Total != 3 {
				t.Fatalf("history = %+v, want 004 dirty after 2 of 3 statements", recs)
			}
			var dirty *migrate.DirtyError
			if !errors.As(upErr, &dirty) {
				t.Errorf("up error carries no DirtyError: %v", upErr)
			}
			// The next run refuses with instructions and runs nothing.
			_, err = newRunner(t, db.dialect, db.pool, dir).Up(ctx, 0)
			if !errors.Is(err, migrate.ErrDirty) || !strings.Contains(err.Error(), `Runner.Resolve(ctx, "004", ResolveApplied)`) {
				t.Fatalf("second up: err = %v, want ErrDirty with resolve instructions", err)
			}
			if n := count(t, db, "t1"); n != 3 {
				t.Errorf("t1 rows = %d, want 3 (applied statements must not run again)", n)
			}
			st, err := r.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st[3].State != "dirty" {
				t.Errorf("status of 004 = %q, want dirty", st[3].State)
			}
			// Repair by hand: undo the two statements, then resolve as rolled back.
			for _, s := range []string{"DELETE FROM t1 WHERE id = 4", "DROP TABLE f1"} {
				if _, err := db.pool.Exec(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			if err := r.Resolve(ctx, "004", migrate.ResolveRolledBack); err != nil {
				t.Fatalf("resolve: %v", err)
			}
			// Fix the file and go on.
			dir["004_fail.sql"] = file("CREATE TABLE f1 (id INTEGER PRIMARY KEY);\nINSERT INTO t1 (id) VALUES (4);", "DELETE FROM t1 WHERE id = 4;\nDROP TABLE f1;")
			if _, err := newRunner(t, db.dialect, db.pool, dir).Up(ctx, 0); err != nil {
				t.Fatalf("up after resolve: %v", err)
			}
			if n := count(t, db, "t1"); n != 3 {
				t.Errorf("t1 rows = %d, want 3", n)
			}
		})
	}
}

// TestResolveApplied marks a dirty migration applied after finishing it by hand.
func TestResolveApplied(t *testing.T) {
	db := freshDB(t, testdb.MySQL)
	ctx := context.Background()
	dir := fstest.MapFS{"001_a.sql": file("CREATE TABLE a1 (id INTEGER PRIMARY KEY);\nCREATE TABLE a2 (id INTEGER PRIMARY KEY);\nCREATE TABLE a1 (id INTEGER);", "DROP TABLE a2;\nDROP TABLE a1;")}
	r := newRunner(t, db.dialect, db.pool, dir)
	if _, err := r.Up(ctx, 0); !errors.Is(err, migrate.ErrFailed) {
		t.Fatalf("up: %v", err)
	}
	if err := r.Resolve(ctx, "001", migrate.ResolveApplied); err != nil {
		t.Fatal(err)
	}
	st, err := r.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].State != "applied" {
		t.Fatalf("status = %+v, want 001 applied", st)
	}
	if _, err := r.Down(ctx, 1); err != nil {
		t.Fatalf("down: %v", err)
	}
	if tableExists(t, db, "a1") || tableExists(t, db, "a2") {
		t.Error("down left tables behind")
	}
}

// TestEditedMigration refuses to run when an applied file has changed.
func TestEditedMigration(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := freshDB(t, name)
			dir := baseDir()
			if _, err := newRunner(t, db.dialect, db.pool, dir).Up(ctx, 2); err != nil {
				t.Fatal(err)
			}
			dir["002_two.sql"] = file("CREATE TABLE t2 (id INTEGER PRIMARY KEY, note VARCHAR(40));", "DROP TABLE t2;")
			r := newRunner(t, db.dialect, db.pool, dir)
			if _, err := r.Up(ctx, 0); !errors.Is(err, migrate.ErrChecksum) {
				t.Fatalf("up: err = %v, want ErrChecksum", err)
			}
			if tableExists(t, db, "t3") {
				t.Error("t3 was created despite the edited file")
			}
			st, err := r.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"applied", "modified", "pending"}
			for i, s := range st {
				if s.State != want[i] {
					t.Errorf("status of %s = %q, want %q", s.Version, s.State, want[i])
				}
			}
		})
	}
}

// TestUpDownSteps applies and reverts by counts and checks the dry run.
func TestUpDownSteps(t *testing.T) {
	ctx := context.Background()
	db := freshDB(t, testdb.SQLite)
	dir := baseDir()
	var log strings.Builder
	dry, err := migrate.New(migrate.Config{Dialect: db.dialect, Pool: db.pool, Dir: dir, DryRun: true, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	res, err := dry.Up(ctx, 0)
	if err != nil || len(res.Steps) != 3 || !strings.Contains(log.String(), "CREATE TABLE t3") {
		t.Fatalf("dry run: %v %+v\n%s", err, res, log.String())
	}
	if tableExists(t, db, "t1") {
		t.Fatal("dry run changed the database")
	}
	r := newRunner(t, db.dialect, db.pool, dir)
	for _, step := range []struct {
		name    string
		up      bool
		n       int
		applied int
	}{
		{"up 1", true, 1, 1},
		{"up head", true, 0, 3},
		{"down 2", false, 2, 1},
		{"down default", false, 0, 0},
		{"down past the start", false, 1, 0},
	} {
		var err error
		if step.up {
			_, err = r.Up(ctx, step.n)
		} else {
			_, err = r.Down(ctx, step.n)
		}
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		recs, err := r.History(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != step.applied {
			t.Errorf("%s: applied = %d, want %d", step.name, len(recs), step.applied)
		}
	}
}

// TestLockTimeout: while another migrator holds the lock, Up waits at most
// LockTimeout and fails with ErrLockTimeout; once released it proceeds.
func TestLockTimeout(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := freshDB(t, name)
			release := holdLock(t, db)
			r, err := migrate.New(migrate.Config{Dialect: db.dialect, Pool: db.pool, Dir: baseDir(), LockTimeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Up(ctx, 0); !errors.Is(err, dialects.ErrLockTimeout) {
				t.Fatalf("up while locked: err = %v, want ErrLockTimeout", err)
			}
			if _, ok := db.dialect.(dialects.MigrationLocker); ok {
				release()
			} else if err := r.Unlock(ctx); err != nil { // a crashed holder's lock row
				t.Fatal(err)
			}
			if _, err := r.Up(ctx, 0); err != nil {
				t.Fatalf("up after release: %v", err)
			}
		})
	}
}

// TestLockScopedToTestDatabase: the advisory lock of these tests is named
// after the test's own database, so a run holding it in one database (say
// another checkout's test run on the same shared MariaDB) does not block a
// migrator in another database. The production name (the history table)
// is global to the server, which made parallel test runs time out.
func TestLockScopedToTestDatabase(t *testing.T) {
	for _, name := range []string{testdb.Postgres, testdb.MySQL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			a, b := freshDB(t, name), freshDB(t, name)
			na := migrate.LockNameForTest(ctx, a.dialect, a.pool, migrate.DefaultTable)
			nb := migrate.LockNameForTest(ctx, b.dialect, b.pool, migrate.DefaultTable)
			if na == nb || !strings.HasSuffix(na, "/"+migrate.DefaultTable) {
				t.Fatalf("lock names %q and %q: want distinct names scoped to each database", na, nb)
			}
			release := holdLock(t, a)
			defer release()
			r, err := migrate.New(migrate.Config{Dialect: b.dialect, Pool: b.pool, Dir: baseDir(), LockTimeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Up(ctx, 0); err != nil {
				t.Fatalf("up in another database while a's lock is held: %v", err)
			}
		})
	}
}

// holdLock takes the migration lock as another migrator would.
func holdLock(t *testing.T, db *testDB) func() {
	t.Helper()
	ctx := context.Background()
	if l, ok := db.dialect.(dialects.MigrationLocker); ok {
		_, p := open(t, db.url)
		unlock, err := l.LockMigrations(ctx, p, migrate.LockNameForTest(ctx, db.dialect, p, migrate.DefaultTable), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return func() {
			if err := unlock(ctx); err != nil {
				t.Error(err)
			}
		}
	}
	for _, s := range []string{
		`CREATE TABLE dlayer_migrations_lock (id INTEGER NOT NULL PRIMARY KEY, owner VARCHAR(32) NOT NULL, acquired_at VARCHAR(40) NOT NULL)`,
		`INSERT INTO dlayer_migrations_lock VALUES (1, 'other', 'now')`,
	} {
		if _, err := db.pool.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		if _, err := db.pool.Exec(ctx, `DELETE FROM dlayer_migrations_lock`); err != nil {
			t.Error(err)
		}
	}
}

// TestInterruptedMigration cancels a migration during its second statement
// (a long sleep): PostgreSQL rolls it back; MySQL/MariaDB records it dirty
// after one statement and the next run refuses without running anything.
func TestInterruptedMigration(t *testing.T) {
	for _, tc := range []struct{ db, sleep string }{
		{testdb.Postgres, "SELECT pg_sleep(5)"},
		{testdb.MySQL, "SELECT SLEEP(5)"},
	} {
		t.Run(tc.db, func(t *testing.T) {
			t.Parallel()
			db := freshDB(t, tc.db)
			dir := fstest.MapFS{"001_slow.sql": file("CREATE TABLE i1 (id INTEGER PRIMARY KEY);\n"+tc.sleep+";\nCREATE TABLE i2 (id INTEGER PRIMARY KEY);", "DROP TABLE i2;\nDROP TABLE i1;")}
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := newRunner(t, db.dialect, db.pool, dir).Up(ctx, 0)
			if err == nil {
				t.Fatal("up succeeded despite the cancelled context")
			}
			if d := time.Since(start); d > 4*time.Second {
				t.Errorf("up returned after %s: the cancellation was not honoured", d)
			}
			recs, herr := newRunner(t, db.dialect, db.pool, dir).History(context.Background())
			if herr != nil {
				t.Fatal(herr)
			}
			if db.dialect.Features().Has(dialects.TransactionalDDL) {
				if len(recs) != 0 || tableExists(t, db, "i1") {
					t.Errorf("after rollback: history %+v, i1 exists %v", recs, tableExists(t, db, "i1"))
				}
				return
			}
			if len(recs) != 1 || recs[0].State != "dirty" || recs[0].Progress != 1 {
				t.Fatalf("history = %+v, want 001 dirty after 1 statement (up error: %v)", recs, err)
			}
			_, err = newRunner(t, db.dialect, db.pool, dir).Up(context.Background(), 0)
			if !errors.Is(err, migrate.ErrDirty) {
				t.Fatalf("next up: err = %v, want ErrDirty", err)
			}
			if tableExists(t, db, "i2") {
				t.Error("i2 exists: the next run went on with the dirty migration")
			}
		})
	}
}

// TestRefusals: a file for another dialect is not run, and a migration
// without a Down section is not reverted.
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	db := freshDB(t, testdb.SQLite)
	other := fstest.MapFS{"1_x.sql": {Data: []byte("-- +dlayer dialect: mysql\n-- +dlayer Up\nCREATE TABLE x (id INT);\n")}}
	if _, err := newRunner(t, db.dialect, db.pool, other).Up(ctx, 0); !errors.Is(err, migrate.ErrDialect) {
		t.Errorf("up of a mysql file on sqlite: err = %v, want ErrDialect", err)
	}
	oneWay := fstest.MapFS{"1_x.sql": {Data: []byte("-- +dlayer Up\nCREATE TABLE x (id INT);\n")}}
	r := newRunner(t, db.dialect, db.pool, oneWay)
	if _, err := r.Up(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Down(ctx, 1); err == nil || !strings.Contains(err.Error(), "no \"-- +dlayer Down\" section") {
		t.Errorf("down without a Down section: err = %v", err)
	}
	if !tableExists(t, db, "x") {
		t.Error("table x was dropped")
	}
}
