package galeratest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/mysql"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/migrate"
)

// converge is how long a write committed on one node may take to be
// applied on the others (Galera applies asynchronously after certification).
const converge = 15 * time.Second

// cluster is a fresh database on the test cluster: url[i] reaches it
// through node i.
type cluster struct {
	name string
	urls []string
}

// freshCluster creates an empty database on node 0 (the CREATE DATABASE
// replicates to every node), waits until every node has it, and drops it
// when the test ends.
func freshCluster(t *testing.T) *cluster {
	t.Helper()
	nodes := testdb.GaleraURLs(t)
	ctx := context.Background()
	name := "dl_galera_" + testdb.Suffix()
	_, admin, err := dialects.Open(ctx, nodes[0], dialects.PoolOptions{MaxOpenConns: 1})
	if err != nil {
		t.Fatalf("open node 0: %v", err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE "+name); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
		admin.Close()
	})
	c := &cluster{name: name}
	for i, n := range nodes {
		u, err := url.Parse(n)
		if err != nil {
			t.Fatalf("node %d URL: %v", i, err)
		}
		u.Path = "/" + name
		c.urls = append(c.urls, u.String())
	}
	for i, n := range nodes {
		// Watch for the database through a connection that does not name
		// it: opening one that does fails (1049) until it has replicated.
		_, p, err := dialects.Open(ctx, n, dialects.PoolOptions{MaxOpenConns: 1})
		if err != nil {
			t.Fatalf("open node %d: %v", i, err)
		}
		t.Cleanup(func() { p.Close() })
		eventually(t, fmt.Sprintf("database %s on node %d", name, i), func() (bool, string) {
			n, err := scalar(ctx, p, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", name)
			return err == nil && n == 1, fmt.Sprint(n, err)
		})
	}
	return c
}

// url returns node i's URL with query appended.
func (c *cluster) url(i int, query string) string {
	u := c.urls[i%len(c.urls)]
	if query != "" {
		u += "?" + query
	}
	return u
}

// pool opens a small pool on node i, closed when the test ends.
func (c *cluster) pool(t *testing.T, i int, query string) dialects.Pool {
	t.Helper()
	_, p, err := dialects.Open(context.Background(), c.url(i, query), dialects.PoolOptions{MaxOpenConns: 4})
	if err != nil {
		t.Fatalf("open node %d: %v", i, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func scalar(ctx context.Context, q dialects.Queryer, sql string, args ...any) (int64, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

// eventually polls ok until it reports true, failing t after converge
// with the last state ok described.
func eventually(t *testing.T, what string, ok func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(converge)
	for {
		done, state := ok()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached after %s (last: %s)", what, converge, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// migrations are three files; each adds a row to log, so a migration
// applied twice leaves a count above 3 (or fails on its CREATE TABLE).
func migrations() fstest.MapFS {
	file := func(up, down string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("-- +dlayer Up\n" + up + "\n-- +dlayer Down\n" + down + "\n")}
	}
	return fstest.MapFS{
		"001_log.sql": file("CREATE TABLE log (id INTEGER AUTO_INCREMENT PRIMARY KEY, v INTEGER NOT NULL);\n"+
			"INSERT INTO log (v) VALUES (1);", "DROP TABLE log;"),
		"002_two.sql":   file("CREATE TABLE t2 (id INTEGER PRIMARY KEY);\nINSERT INTO log (v) VALUES (2);", "DROP TABLE t2;"),
		"003_three.sql": file("CREATE TABLE t3 (id INTEGER PRIMARY KEY);\nINSERT INTO log (v) VALUES (3);", "DROP TABLE t3;"),
	}
}

// TestGaleraMigrateTableLockAcrossNodes: five migrators at once, spread
// over the three nodes, with ?migrate_lock=table: the lock row replicates,
// so each migration is applied exactly once in the whole cluster, and
// every node ends with the same history and schema and no lock row.
func TestGaleraMigrateTableLockAcrossNodes(t *testing.T) {
	c := freshCluster(t)
	ctx := context.Background()
	dir := migrations()
	const n = 5
	var wg sync.WaitGroup
	errs := make([]error, n)
	applied := make([]int, n)
	for i := range n {
		d, p, err := dialects.Open(ctx, c.url(i, "migrate_lock=table"), dialects.PoolOptions{MaxOpenConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		r, err := migrate.New(migrate.Config{Dialect: d, Pool: p, Dir: dir, LockTimeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if m := r.LockMode(); m != migrate.LockTable {
			t.Fatalf("lock mode with migrate_lock=table = %q", m)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := r.Up(ctx, 0)
			errs[i] = err
			if res != nil {
				applied[i] = len(res.Steps)
			}
		}()
	}
	wg.Wait()
	total := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrator %d (node %d): %v", i, i%len(c.urls), err)
		}
		total += applied[i]
	}
	if total != 3 {
		t.Errorf("migrations applied in total = %d, want 3 (each exactly once): %v", total, applied)
	}
	for i := range c.urls {
		p := c.pool(t, i, "")
		eventually(t, fmt.Sprintf("node %d", i), func() (bool, string) {
			hist, err := historyVersions(ctx, p)
			if err != nil {
				return false, err.Error()
			}
			logRows, err1 := scalar(ctx, p, "SELECT COUNT(*) FROM log")
			tables, err2 := scalar(ctx, p, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('log', 't2', 't3')")
			locks, err3 := scalar(ctx, p, "SELECT COUNT(*) FROM "+migrate.DefaultTable+"_lock")
			state := fmt.Sprintf("history %v, log rows %d, tables %d, lock rows %d, errors %v",
				hist, logRows, tables, locks, errors.Join(err1, err2, err3))
			return strings.Join(hist, ",") == "001,002,003" && logRows == 3 && tables == 3 && locks == 0 &&
				err1 == nil && err2 == nil && err3 == nil, state
		})
	}
	t.Logf("applied per migrator: %v", applied)
}

// historyVersions reads the applied versions from the history table.
func historyVersions(ctx context.Context, p dialects.Pool) ([]string, error) {
	rows, err := p.Query(ctx, "SELECT version FROM "+migrate.DefaultTable)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	sort.Strings(out)
	return out, rows.Err()
}

// TestGaleraAdvisoryLockRefused: GET_LOCK does not hold across the
// cluster — two nodes grant the same lock name at once — so the advisory
// migration lock (the MariaDB default) refuses to run on a Galera node
// with mysql.ErrGaleraAdvisoryLock, pointing at the table lock, and applies
// nothing.
func TestGaleraAdvisoryLockRefused(t *testing.T) {
	c := freshCluster(t)
	ctx := context.Background()
	name := "dlayer-galera-test-" + testdb.Suffix()
	var holders []dialects.Tx
	for i := range 2 {
		tx, err := c.pool(t, i, "").Begin(ctx, dialects.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(context.Background())
		got, err := scalar(ctx, tx, "SELECT GET_LOCK(?, 0)", name)
		if err != nil {
			t.Fatal(err)
		}
		if got != 1 {
			t.Fatalf("node %d: GET_LOCK = %d: named locks hold across this cluster, the refusal below is unneeded", i, got)
		}
		holders = append(holders, tx)
	}
	t.Logf("GET_LOCK(%q) granted on node 0 and node 1 at once", name)

	d, p, err := dialects.Open(ctx, c.url(1, ""), dialects.PoolOptions{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	r, err := migrate.New(migrate.Config{Dialect: d, Pool: p, Dir: migrations(), LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if m := r.LockMode(); m != migrate.LockAdvisory {
		t.Fatalf("default lock mode on MariaDB = %q, want advisory", m)
	}
	_, err = r.Up(ctx, 0)
	if !errors.Is(err, mysql.ErrGaleraAdvisoryLock) || !strings.Contains(err.Error(), "migrate_lock=table") {
		t.Fatalf("Up with the advisory lock on a Galera node: %v, want mysql.ErrGaleraAdvisoryLock naming migrate_lock=table", err)
	}
	n, err := scalar(ctx, p, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'log'")
	if err != nil || n != 0 {
		t.Fatalf("the refused Up created table log (%d, %v)", n, err)
	}
}
