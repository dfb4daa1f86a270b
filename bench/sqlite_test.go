package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// sqliteContenders take part in BenchmarkSQLite, in this column order.
var sqliteContenders = []contender{
	{"sql", openSQLiteSQL},
}

const sqliteSchemaSQL = `CREATE TABLE models (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	title TEXT NOT NULL,
	fax TEXT NOT NULL,
	web TEXT NOT NULL,
	age INTEGER NOT NULL,
	"right" BOOLEAN NOT NULL,
	counter INTEGER NOT NULL
)`

var sqliteText = sqlText{
	insert:       `INSERT INTO models (name, title, fax, web, age, "right", counter) VALUES (?, ?, ?, ?, ?, ?, ?)`,
	update:       `UPDATE models SET name = ?, title = ?, fax = ?, web = ?, age = ?, "right" = ?, counter = ? WHERE id = ?`,
	read:         `SELECT id, name, title, fax, web, age, "right", counter FROM models WHERE id = ?`,
	slice:        `SELECT id, name, title, fax, web, age, "right", counter FROM models WHERE id > ? ORDER BY id LIMIT ?`,
	stream:       `SELECT id, name, title, fax, web, age, "right", counter FROM models LIMIT ?`,
	placeholder:  func(int) string { return "?" },
	lastInsertID: true,
}

// sqliteEnv is one process's SQLite fixture: a database file in a
// temporary directory, in WAL mode, removed by TestMain.
type sqliteEnv struct {
	path       string // the database file
	dsn        string // modernc DSN with the pragmas every contender uses
	streamOnce sync.Once
	streamErr  error
	handles    opened
}

var (
	sqliteOnce sync.Once
	sqliteFix  *sqliteEnv
	sqliteErr  error
)

func sqliteSetup(b *testing.B) *sqliteEnv {
	sqliteOnce.Do(func() { sqliteFix, sqliteErr = newSQLiteEnv(context.Background()) })
	if sqliteErr != nil {
		b.Fatal(sqliteErr)
	}
	return sqliteFix
}

// sqlitePragmas are the connection settings of the hand-written contender,
// the same as dlayer's for a file: WAL with synchronous=NORMAL, foreign keys
// on, a busy timeout, and IMMEDIATE write transactions.
const sqlitePragmas = "?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"

func newSQLiteEnv(ctx context.Context) (*sqliteEnv, error) {
	dir, err := os.MkdirTemp("", "dlayer-bench-")
	if err != nil {
		return nil, err
	}
	atExit(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "bench.db")
	e := &sqliteEnv{path: path, dsn: "file:" + path + sqlitePragmas}
	db, err := sql.Open("sqlite", e.dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, sqliteSchemaSQL); err != nil {
		return nil, fmt.Errorf("create tables: %w", err)
	}
	if err := sqliteSeed(ctx, db, readRows); err != nil {
		return nil, err
	}
	return e, nil
}

// sqliteSeed appends n rows to models in one transaction.
func sqliteSeed(ctx context.Context, db *sql.DB, n int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, sqliteText.insert)
	if err != nil {
		return err
	}
	for i := 1; i <= n; i++ {
		m := NewModel(i)
		if _, err := st.ExecContext(ctx, m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter); err != nil {
			return fmt.Errorf("seed models: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "ANALYZE")
	return err
}

func (e *sqliteEnv) ensureStream(b *testing.B) {
	b.StopTimer()
	defer b.StartTimer()
	e.streamOnce.Do(func() {
		ctx := context.Background()
		db, err := sql.Open("sqlite", e.dsn)
		if err != nil {
			e.streamErr = err
			return
		}
		defer db.Close()
		var have int
		if e.streamErr = db.QueryRowContext(ctx, "SELECT count(*) FROM models").Scan(&have); e.streamErr != nil {
			return
		}
		if want := streamRows(); have < want {
			e.streamErr = sqliteSeed(ctx, db, want-have)
		}
	})
	if e.streamErr != nil {
		b.Fatal(e.streamErr)
	}
}

func openSQLiteSQL(ctx context.Context, dsn string) (any, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	return newSQLBench(db, sqliteText), nil
}

// BenchmarkSQLite runs the core cases on an SQLite file database.
func BenchmarkSQLite(b *testing.B) {
	e := sqliteSetup(b)
	runCases(b, coreCases(e.ensureStream), sqliteContenders, &e.handles, e.dsn)
}
