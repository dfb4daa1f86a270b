package sqlite_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/spec"
)

func TestDSN(t *testing.T) {
	tests := []struct {
		name, url string
		memory    bool
		contains  []string
		wantErr   string
	}{
		{name: "memory", url: "sqlite::memory:", memory: true},
		{name: "relative file", url: "sqlite:app.db", contains: []string{"file:app.db?", "journal_mode%28WAL%29", "busy_timeout%285000%29"}},
		{name: "three slashes are relative", url: "sqlite:///tmp/x.db", contains: []string{"file:tmp/x.db?"}},
		{name: "four slashes are absolute", url: "sqlite:////tmp/x.db", contains: []string{"file:/tmp/x.db?"}},
		{name: "one slash is absolute", url: "sqlite:/tmp/x.db", contains: []string{"file:/tmp/x.db?"}},
		{name: "sqlalchemy memory", url: "sqlite://", memory: true},
		{name: "sqlalchemy memory with slash", url: "sqlite:///", memory: true},
		{name: "sqlalchemy named memory", url: "sqlite:///:memory:", memory: true},
		{name: "file memory", url: "sqlite:file::memory:", memory: true},
		{name: "mode memory", url: "sqlite:x.db?mode=memory", memory: true},
		{name: "driver suffix", url: "sqlite+pysqlite:///app.db", contains: []string{"file:app.db?"}},
		{name: "aiosqlite", url: "sqlite+aiosqlite:////srv/app.db", contains: []string{"file:/srv/app.db?"}},
		{name: "sqlite3 scheme", url: "sqlite3:app.db", contains: []string{"file:app.db?"}},
		{name: "sqlalchemy uri form", url: "sqlite:///file:app.db?mode=ro&uri=true", contains: []string{"file:app.db?", "mode=ro"}},
		{name: "sqlalchemy params dropped", url: "sqlite:///app.db?check_same_thread=false&uri=true", contains: []string{"file:app.db?"}},
		{name: "sqlalchemy timeout", url: "sqlite:///app.db?timeout=30", contains: []string{"busy_timeout%2830000%29"}},
		{name: "bad timeout", url: "sqlite:///app.db?timeout=soon", wantErr: "seconds"},
		{name: "host refused", url: "sqlite://app.db", wantErr: "no host or user"},
		{name: "user refused", url: "sqlite://u:pw@/app.db", wantErr: "no host or user"},
		{name: "sqlcipher refused", url: "sqlite+pysqlcipher://:key@/app.db", wantErr: "not supported"},
		{name: "file uri", url: "sqlite:file:data.db?mode=ro", contains: []string{"file:data.db?", "mode=ro"}},
		{name: "escaped path", url: "sqlite:we?ird#.db", contains: []string{"file:we"}},
		{name: "empty", url: "sqlite:", wantErr: "names no database"},
		{name: "wrong scheme", url: "postgres://x", wantErr: "not an sqlite URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn, mem, err := sqlite.DSN(tt.url)
			for _, bad := range []string{"check_same_thread", "uri=", "timeout="} {
				if strings.Contains(dsn, bad) {
					t.Errorf("DSN(%q) = %q passes %q on", tt.url, dsn, bad)
				}
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("DSN(%q) error = %v, want %q", tt.url, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if mem != tt.memory {
				t.Errorf("memory = %v, want %v", mem, tt.memory)
			}
			for _, c := range tt.contains {
				if !strings.Contains(dsn, c) {
					t.Errorf("DSN(%q) = %q, missing %q", tt.url, dsn, c)
				}
			}
		})
	}
}

func scalar(t *testing.T, q dialects.Queryer, sql string, dest any, args ...any) {
	t.Helper()
	rows, err := q.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("%s: no row (err %v)", sql, rows.Err())
	}
	if err := rows.Scan(dest); err != nil {
		t.Fatalf("%s: scan: %v", sql, err)
	}
}

func TestMemoryPoolSharesOneDatabase(t *testing.T) {
	ctx := context.Background()
	p, err := sqlite.OpenPool(ctx, "sqlite::memory:", dialects.PoolOptions{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Exec(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		t.Fatal(err)
	}
	// Hold a transaction open on one connection while others read and write.
	tx, err := p.Begin(ctx, dialects.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO t (v) VALUES (?)", "in-tx"); err != nil {
		t.Fatal(err)
	}
	var n int64
	scalar(t, p, "SELECT count(*) FROM t", &n) // another connection: sees the table, not the row
	if n != 0 {
		t.Errorf("uncommitted row visible: count = %d", n)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	scalar(t, p, "SELECT count(*) FROM t", &n)
	if n != 1 {
		t.Errorf("count after commit = %d, want 1", n)
	}
	// A second memory pool is a different database.
	p2, err := sqlite.OpenPool(ctx, "sqlite::memory:", dialects.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	if _, err := p2.Query(ctx, "SELECT * FROM t"); err == nil || !strings.Contains(err.Error(), "no such table") {
		t.Errorf("second memory database shares tables: %v", err)
	}
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.db")
	p, err := sqlite.OpenPool(ctx, "sqlite:"+path, dialects.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var fk, busy int64
	var mode string
	scalar(t, p, "PRAGMA foreign_keys", &fk)
	scalar(t, p, "PRAGMA busy_timeout", &busy)
	scalar(t, p, "PRAGMA journal_mode", &mode)
	if fk != 1 || busy != 5000 || mode != "wal" {
		t.Errorf("foreign_keys=%d busy_timeout=%d journal_mode=%s", fk, busy, mode)
	}
	// Double-quoted strings are identifiers only.
	if _, err := p.Query(ctx, `SELECT "no_such_column"`); err == nil {
		t.Error(`SELECT "no_such_column" succeeded: the double-quoted string quirk is on`)
	}
}

// TestConcurrentWritersDoNotHitBusy runs read-then-write transactions from
// several goroutines: with BEGIN IMMEDIATE none fails on lock upgrade.
func TestConcurrentWritersDoNotHitBusy(t *testing.T) {
	ctx := context.Background()
	p, err := sqlite.OpenPool(ctx, "sqlite:"+filepath.Join(t.TempDir(), "c.db"), dialects.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Exec(ctx, "CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Exec(ctx, "INSERT INTO c VALUES (1, 0)"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 80)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				errs <- increment(ctx, p)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	scalar(t, p, "SELECT n FROM c WHERE id = 1", &n)
	if n != 80 {
		t.Errorf("n = %d, want 80 (lost updates)", n)
	}
}

func increment(ctx context.Context, p dialects.Pool) error {
	tx, err := p.Begin(ctx, dialects.TxOptions{})
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, "SELECT n FROM c WHERE id = 1")
	if err != nil {
		tx.Rollback(ctx)
		return err
	}
	var n int64
	rows.Next()
	err = errors.Join(rows.Scan(&n), rows.Close())
	if err == nil {
		_, err = tx.Exec(ctx, "UPDATE c SET n = ? WHERE id = 1", n+1)
	}
	if err != nil {
		tx.Rollback(ctx)
		return err
	}
	return tx.Commit(ctx)
}

func TestEncodeArgs(t *testing.T) {
	loc := time.FixedZone("X", 2*3600)
	ts := time.Date(2024, 3, 4, 5, 6, 7, 123456789, loc)
	tests := []struct {
		name string
		arg  any
		typ  *spec.Type
		want any
	}{
		{name: "timestamptz keeps instant", arg: ts, typ: &spec.Type{Kind: spec.TypeTimestamp, Timezone: true}, want: "2024-03-04 03:06:07.123456789Z"},
		{name: "timestamp keeps wall clock", arg: ts, typ: &spec.Type{Kind: spec.TypeTimestamp}, want: "2024-03-04 05:06:07.123456789Z"},
		{name: "date", arg: ts, typ: &spec.Type{Kind: spec.TypeDate}, want: "2024-03-04"},
		{name: "untyped time", arg: ts, want: "2024-03-04 03:06:07.123456789Z"},
		{name: "uuid", arg: [16]byte{0x12, 0x34, 15: 0xff}, typ: &spec.Type{Kind: spec.TypeUUID}, want: "12340000-0000-0000-0000-0000000000ff"},
		{name: "json map", arg: map[string]any{"a": []int{1}}, typ: &spec.Type{Kind: spec.TypeJSON}, want: `{"a":[1]}`},
		{name: "int unchanged", arg: int64(5), want: int64(5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sqlite.EncodeArgs([]any{tt.arg}, []*spec.Type{tt.typ})
			if err != nil {
				t.Fatal(err)
			}
			if got[0] != tt.want {
				t.Errorf("got %#v, want %#v", got[0], tt.want)
			}
		})
	}
}

// TestURLFormsCreateFiles opens every URL form through dialects.Open,
// writes a row, and checks which file was created where: relative forms in
// the working directory, absolute forms at their path, memory forms
// nowhere.
func TestURLFormsCreateFiles(t *testing.T) {
	cwd := t.TempDir()
	abs := t.TempDir()
	t.Chdir(cwd)
	if err := os.Mkdir("sub", 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, url string
		want      string // the file created; "" for memory
	}{
		{"sqlalchemy relative", "sqlite:///rel.db", filepath.Join(cwd, "rel.db")},
		{"sqlalchemy relative subdirectory", "sqlite:///sub/rel.db", filepath.Join(cwd, "sub", "rel.db")},
		{"sqlalchemy absolute", "sqlite:///" + filepath.Join(abs, "a.db"), filepath.Join(abs, "a.db")},
		{"sqlalchemy driver suffix", "sqlite+pysqlite:///py.db", filepath.Join(cwd, "py.db")},
		{"sqlalchemy driver suffix absolute", "sqlite+aiosqlite:///" + filepath.Join(abs, "aio.db"), filepath.Join(abs, "aio.db")},
		{"dlayer relative", "sqlite:plain.db", filepath.Join(cwd, "plain.db")},
		{"dlayer absolute", "sqlite:" + filepath.Join(abs, "b.db"), filepath.Join(abs, "b.db")},
		{"sqlite3 scheme", "sqlite3:three.db", filepath.Join(cwd, "three.db")},
		{"file URI", "sqlite:file:uri.db", filepath.Join(cwd, "uri.db")},
		{"sqlalchemy memory", "sqlite://", ""},
		{"sqlalchemy named memory", "sqlite:///:memory:", ""},
		{"dlayer memory", "sqlite::memory:", ""},
		{"file memory", "sqlite:file::memory:", ""},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dbFiles(t, cwd, abs)
			_, p, err := dialects.Open(ctx, tt.url, dialects.PoolOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Exec(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
				t.Fatal(err)
			}
			if _, err := p.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
				t.Fatal(err)
			}
			p.Close()
			created := map[string]bool{}
			for f := range dbFiles(t, cwd, abs) {
				if !before[f] {
					created[f] = true
				}
			}
			want := map[string]bool{}
			if tt.want != "" {
				want[tt.want] = true
			}
			if len(created) != len(want) || (tt.want != "" && !created[tt.want]) {
				t.Errorf("%s created %v, want %v", tt.url, keys(created), keys(want))
			}
		})
	}
}

// dbFiles lists the files under dirs, without SQLite's -wal and -shm
// companions.
func dbFiles(t *testing.T, dirs ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !e.IsDir() && !strings.HasSuffix(p, "-wal") && !strings.HasSuffix(p, "-shm") {
				out[p] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestThreeSlashesGuard: sqlite:///srv/app.db used to name /srv/app.db.
// When the relative file does not exist and the absolute one does, Open
// refuses instead of creating an empty database beside the real one.
func TestThreeSlashesGuard(t *testing.T) {
	cwd := t.TempDir()
	real := filepath.Join(t.TempDir(), "real.db")
	if err := os.WriteFile(real, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(cwd)
	url := "sqlite://" + real // three slashes: relative to cwd
	_, _, err := dialects.Open(context.Background(), url, dialects.PoolOptions{})
	if err == nil || !strings.Contains(err.Error(), "sqlite:///"+real) {
		t.Fatalf("Open(%s) = %v, want a refusal naming the four-slash form", url, err)
	}
	if files := dbFiles(t, cwd); len(files) != 0 {
		t.Errorf("created %v", keys(files))
	}
	// The four-slash form opens the real file.
	_, p, err := dialects.Open(context.Background(), "sqlite:///"+real, dialects.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
}
