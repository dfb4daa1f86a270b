package orm_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// standbyServers is the private PostgreSQL primary and its streaming hot
// standby started by scripts/replica.sh (see .dbs/replica.env).
type standbyServers struct {
	primary, standby      string // URLs
	ctl, data, opts, user string // to stop and restart the standby
	log                   string
}

// replicaServers returns the primary and standby of scripts/replica.sh,
// skipping the test loudly when they are not configured (failing under
// CI=true).
func replicaServers(t *testing.T) *standbyServers {
	t.Helper()
	s := &standbyServers{
		primary: os.Getenv("DLAYER_TEST_PG_PRIMARY_URL"), standby: os.Getenv("DLAYER_TEST_PG_STANDBY_URL"),
		ctl: os.Getenv("DLAYER_TEST_PG_STANDBY_CTL"), data: os.Getenv("DLAYER_TEST_PG_STANDBY_DATA"),
		opts: os.Getenv("DLAYER_TEST_PG_STANDBY_OPTS"), user: os.Getenv("DLAYER_TEST_PG_STANDBY_USER"),
		log: os.Getenv("DLAYER_TEST_PG_STANDBY_LOG"),
	}
	if s.primary == "" || s.standby == "" || s.ctl == "" || s.data == "" {
		msg := "!!! PostgreSQL streaming-replica TESTS NOT RUN: DLAYER_TEST_PG_PRIMARY_URL / DLAYER_TEST_PG_STANDBY_* are not set. " +
			"Run scripts/replica.sh start and `source .dbs/replica.env`."
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: a skipped database suite is a failure)")
		}
		t.Skip(msg)
	}
	return s
}

// pgctl runs pg_ctl on the standby's data directory, as the servers' user.
func (s *standbyServers) pgctl(args ...string) error {
	args = append([]string{"-D", s.data}, args...)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 && s.user != "" && s.user != "root" {
		cmd = exec.Command("runuser", append([]string{"-u", s.user, "--", s.ctl}, args...)...)
	} else {
		cmd = exec.Command(s.ctl, args...)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

func (s *standbyServers) running() bool { return s.pgctl("status") == nil }

// kill stops the standby the hard way: every backend is killed at once,
// and its clients see their connections die.
func (s *standbyServers) kill(t *testing.T) {
	t.Helper()
	must(t, s.pgctl("-m", "immediate", "-w", "stop"))
}

func (s *standbyServers) start(t *testing.T) {
	t.Helper()
	logf := s.log
	if logf == "" {
		logf = os.DevNull
	}
	must(t, s.pgctl("-l", logf, "-o", s.opts, "-w", "-t", "60", "start"))
}

// schema makes a fresh schema on the primary (it reaches the standby by
// replication) and returns the primary's and the standby's URLs for it.
func (s *standbyServers) schema(t *testing.T) (primary, standby string) {
	t.Helper()
	ctx := context.Background()
	name := "dl_replica_" + testdb.Suffix()
	_, admin, err := dialects.Open(ctx, s.primary, dialects.PoolOptions{MaxOpenConns: 2})
	must(t, err)
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+name)
	must(t, err)
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		admin.Close()
	})
	with := func(raw string) string {
		u, err := url.Parse(raw)
		must(t, err)
		q := u.Query()
		q.Set("search_path", name)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return with(s.primary), with(s.standby)
}

// routes counts the successful round trips of the engines it traces, by
// server and route ("standby/replica", "primary/fallback", "primary/").
type routes struct {
	mu sync.Mutex
	n  map[string]int
}

func (r *routes) trace(ctx context.Context, q engine.QueryInfo) (context.Context, func(error)) {
	key := q.Server + "/" + q.Route
	return ctx, func(err error) {
		if err != nil {
			return
		}
		r.mu.Lock()
		if r.n == nil {
			r.n = map[string]int{}
		}
		r.n[key]++
		r.mu.Unlock()
	}
}

func (r *routes) get(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n[key]
}

func (r *routes) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprint(r.n)
}

// replicaSetup is one test's primary and standby engines, seeded with
// users 1..20 with two posts each, and visible on the standby.
type replicaSetup struct {
	srv              *standbyServers
	primary, replica *engine.Engine
	standbyURL       string
	routes           *routes
	logs             *lockedBuffer // the primary's log, Info and above
}

// lockedBuffer is a bytes.Buffer safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newReplicaSetup(t *testing.T, srv *standbyServers) *replicaSetup {
	t.Helper()
	ctx := context.Background()
	pu, su := srv.schema(t)
	rs := &replicaSetup{srv: srv, standbyURL: su, routes: &routes{}, logs: &lockedBuffer{}}
	tr := engine.WithTracer(engine.TracerFunc(rs.routes.trace))
	var err error
	rs.primary, err = dlayer.Open(ctx, "testdata", pu, engine.WithName("primary"), tr,
		engine.WithLogger(slog.New(slog.NewTextHandler(rs.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	must(t, err)
	t.Cleanup(func() { rs.primary.Close() })
	must(t, rs.primary.CreateAll(ctx))
	db, err := orm.New(rs.primary, orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag"))
	must(t, err)
	s := db.Session()
	for i := 1; i <= 20; i++ {
		u := &User{Name: fmt.Sprintf("user %d", i), Email: fmt.Sprintf("u%d@x.org", i)}
		u.Posts = []*Post{{Title: "a"}, {Title: "b"}}
		must(t, s.Add(u))
	}
	must(t, s.Commit(ctx))
	must(t, s.Close(ctx))
	rs.replica = rs.openReplica(t)
	rs.caughtUp(t)
	return rs
}

// openReplica opens the standby lazily, as an application should.
func (rs *replicaSetup) openReplica(t *testing.T) *engine.Engine {
	t.Helper()
	e, err := dlayer.Open(context.Background(), "testdata", rs.standbyURL, engine.WithName("standby"),
		engine.WithLazyConnect(), engine.WithTracer(engine.TracerFunc(rs.routes.trace)))
	must(t, err)
	t.Cleanup(func() { e.Close() })
	return e
}

// caughtUp waits until the standby has replayed everything the primary
// wrote so far.
func (rs *replicaSetup) caughtUp(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	lsn, err := engine.Scalar[string](ctx, rs.primary, stmt.Text("SELECT pg_current_wal_insert_lsn()::text"))
	must(t, err)
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := engine.Scalar[bool](ctx, rs.replica, stmt.Text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)").Bind("lsn", lsn))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the standby did not replay up to %s in 15s (last error: %v)", lsn, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// db makes the ORM over the primary and the standby with short retries.
func (rs *replicaSetup) db(t *testing.T, opts ...orm.Option) *orm.DB {
	t.Helper()
	opts = append([]orm.Option{orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag"),
		orm.Replicas(rs.replica), orm.ReplicaRetry(100*time.Millisecond, 400*time.Millisecond)}, opts...)
	db, err := orm.New(rs.primary, opts...)
	must(t, err)
	return db
}

// ensureStandby restarts the standby (and resumes its replay) when a test
// left it stopped or paused.
func ensureStandby(t *testing.T, srv *standbyServers) {
	t.Cleanup(func() {
		if !srv.running() {
			srv.start(t)
		}
		ctx := context.Background()
		e, err := engine.Open(ctx, srv.standby)
		if err != nil {
			t.Errorf("standby after the test: %v", err)
			return
		}
		defer e.Close()
		_, _ = e.Exec(ctx, stmt.Text("SELECT pg_wal_replay_resume()"))
	})
}

// readOnce runs one of the workers' reads in a fresh session and checks
// what it read.
func readOnce(ctx context.Context, db *orm.DB, i int) error {
	s := db.Session()
	defer s.Close(ctx)
	u := db.Table("users")
	switch i % 4 {
	case 0:
		id := int64(i%20 + 1)
		x, err := orm.Get[User](ctx, s, id)
		if err != nil {
			return fmt.Errorf("get: %w", err)
		}
		if x.Name != fmt.Sprintf("user %d", id) {
			return fmt.Errorf("get %d: read %q", id, x.Name)
		}
	case 1:
		xs, err := orm.All[User](ctx, s, orm.Select[User](db).Where(u.C("id").Le(10)), orm.SelectIn("posts"))
		if err != nil {
			return fmt.Errorf("all with select-in: %w", err)
		}
		if len(xs) != 10 || len(xs[9].Posts) != 2 {
			return fmt.Errorf("all with select-in: %d users", len(xs))
		}
	case 2:
		n := 0
		for x, err := range orm.Stream[User](ctx, s, orm.Select[User](db), false) {
			if err != nil {
				return fmt.Errorf("stream: %w", err)
			}
			if x.ID > 0 {
				n++
			}
		}
		if n < 20 {
			return fmt.Errorf("stream: %d users", n)
		}
	case 3:
		ps, err := orm.All[Post](ctx, s, orm.Select[Post](db).Where(db.Table("posts").C("author_id").Eq(int64(i%20+1))), orm.SelectIn("author"))
		if err != nil {
			return fmt.Errorf("posts with authors: %w", err)
		}
		if len(ps) != 2 || ps[0].Author == nil {
			return fmt.Errorf("posts with authors: %d posts", len(ps))
		}
	}
	return nil
}

// TestReplicaHealth is the replica acceptance suite against a real
// PostgreSQL primary and a pg_basebackup -R hot standby (scripts/replica.sh):
// the standby is killed (pg_ctl stop -m immediate) under read load, is down
// when the application starts, lags (replay paused) and dies while a
// session reads its own writes. The subtests stop and start the one
// standby, so they run one after the other.
func TestReplicaHealth(t *testing.T) {
	srv := replicaServers(t)
	ensureStandby(t, srv)
	if !srv.running() {
		srv.start(t)
	}

	t.Run("killed under read load", func(t *testing.T) {
		ensureStandby(t, srv)
		rs := newReplicaSetup(t, srv)
		db := rs.db(t)
		ctx := context.Background()
		var (
			stop          atomic.Bool
			reads, failed atomic.Int64
			wg            sync.WaitGroup
			errMu         sync.Mutex
			errs          []error
		)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; !stop.Load(); i += 8 {
					reads.Add(1)
					if err := readOnce(ctx, db, i); err != nil {
						failed.Add(1)
						errMu.Lock()
						if len(errs) < 5 {
							errs = append(errs, err)
						}
						errMu.Unlock()
					}
				}
			}()
		}
		defer func() { stop.Store(true); wg.Wait() }()
		waitFor(t, 10*time.Second, "reads on the standby", func() bool { return rs.routes.get("standby/replica") > 50 })
		srv.kill(t)
		killed := time.Now()
		waitFor(t, 10*time.Second, "fallback reads on the primary", func() bool { return rs.routes.get("primary/fallback") > 100 })
		time.Sleep(time.Until(killed.Add(time.Second))) // a second of reads with the standby dead
		onStandby := rs.routes.get("standby/replica")
		srv.start(t)
		waitFor(t, 15*time.Second, "reads on the restarted standby", func() bool {
			return rs.routes.get("standby/replica") > onStandby+50
		})
		stop.Store(true)
		wg.Wait()
		if n := failed.Load(); n > 0 {
			t.Fatalf("%d of %d reads failed; first errors: %v", n, reads.Load(), errs)
		}
		// The routing decisions are in the primary's log.
		logs := rs.logs.String()
		for _, want := range []string{`msg="dlayer replica ejected" server=standby error=`, `msg="dlayer replica re-admitted" server=standby out_for=`} {
			if !strings.Contains(logs, want) {
				t.Errorf("the log lacks %s:\n%s", want, logs)
			}
		}
		t.Logf("%d reads, none failed; round trips by server/route: %v", reads.Load(), rs.routes)
	})

	t.Run("down when the application starts", func(t *testing.T) {
		ensureStandby(t, srv)
		rs := newReplicaSetup(t, srv)
		srv.kill(t)
		ctx := context.Background()
		// Without WithLazyConnect, opening the replica fails: that is what
		// kept applications from starting.
		if e, err := dlayer.Open(ctx, "testdata", rs.standbyURL); err == nil {
			e.Close()
			t.Fatal("opening the stopped standby without WithLazyConnect succeeded")
		} else if !dialects.IsConnectionError(nil, err) && !strings.Contains(err.Error(), "connect") {
			t.Fatalf("opening the stopped standby: %v", err)
		}
		replica := rs.openReplica(t)
		db, err := orm.New(rs.primary, orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag"),
			orm.Replicas(replica), orm.ReplicaRetry(100*time.Millisecond, 400*time.Millisecond))
		must(t, err)
		for i := range 20 {
			must(t, readOnce(ctx, db, i))
		}
		if n := rs.routes.get("primary/fallback"); n < 20 {
			t.Fatalf("%d fallback reads on the primary, want at least 20 (%v)", n, rs.routes)
		}
		srv.start(t)
		before := rs.routes.get("standby/replica")
		waitFor(t, 15*time.Second, "reads on the standby once it is up", func() bool {
			must(t, readOnce(ctx, db, 0))
			return rs.routes.get("standby/replica") > before
		})
	})

	t.Run("read your writes while the standby lags and dies", func(t *testing.T) {
		ensureStandby(t, srv)
		rs := newReplicaSetup(t, srv)
		db := rs.db(t)
		ctx := context.Background()
		_, err := rs.replica.Exec(ctx, stmt.Text("SELECT pg_wal_replay_pause()"))
		must(t, err)
		check := func(name string) {
			s := db.Session()
			defer s.Close(ctx)
			must(t, s.Add(&User{Name: name, Email: name + "@x.org"}))
			must(t, s.Commit(ctx))
			u := db.Table("users")
			got, err := orm.All[User](ctx, s, orm.Select[User](db).Where(u.C("name").Eq(name)))
			must(t, err)
			if len(got) != 1 {
				t.Fatalf("%s: the session that wrote reads %d rows of its write", name, len(got))
			}
		}
		check("while-lagging")
		// The write really is missing on the standby: a fresh session
		// (routed there) does not see it.
		s := db.Session()
		fresh, err := orm.All[User](ctx, s, orm.Select[User](db).Where(db.Table("users").C("name").Eq("while-lagging")))
		must(t, err)
		must(t, s.Close(ctx))
		if len(fresh) != 0 {
			t.Fatal("the paused standby already has the write: the test proves nothing")
		}
		srv.kill(t)
		check("while-dead")
		srv.start(t)
	})

	t.Run("MaxLag skips a lagging standby", func(t *testing.T) {
		ensureStandby(t, srv)
		rs := newReplicaSetup(t, srv)
		db := rs.db(t, orm.MaxLag(300*time.Millisecond))
		ctx := context.Background()
		read := func() []*User {
			s := db.Session()
			defer s.Close(ctx)
			xs, err := orm.All[User](ctx, s, orm.Select[User](db).Where(db.Table("users").C("name").Eq("late")))
			must(t, err)
			return xs
		}
		before := rs.routes.get("standby/replica")
		waitFor(t, 5*time.Second, "reads on the standby", func() bool { read(); return rs.routes.get("standby/replica") > before })
		_, err := rs.replica.Exec(ctx, stmt.Text("SELECT pg_wal_replay_pause()"))
		must(t, err)
		s := db.Session()
		must(t, s.Add(&User{Name: "late", Email: "late@x.org"}))
		must(t, s.Commit(ctx))
		must(t, s.Close(ctx))
		// Once the lag check sees the standby behind by more than 300ms,
		// fresh sessions read from the primary and see the row.
		waitFor(t, 10*time.Second, "a fresh session to read the new row", func() bool { return len(read()) == 1 })
		fallback := rs.routes.get("primary/fallback")
		if fallback == 0 {
			t.Fatalf("no fallback reads: %v", rs.routes)
		}
		_, err = rs.replica.Exec(ctx, stmt.Text("SELECT pg_wal_replay_resume()"))
		must(t, err)
		onStandby := rs.routes.get("standby/replica")
		waitFor(t, 10*time.Second, "reads on the standby after it caught up", func() bool {
			xs := read()
			if len(xs) != 1 {
				t.Fatalf("a fresh session read %d rows after the standby caught up", len(xs))
			}
			return rs.routes.get("standby/replica") > onStandby
		})
	})

	t.Run("a statement error is not a replica failure", func(t *testing.T) {
		rs := newReplicaSetup(t, srv)
		db := rs.db(t)
		ctx := context.Background()
		s := db.Session()
		defer s.Close(ctx)
		conn, err := s.Conn(ctx)
		must(t, err)
		_, err = engine.Scalar[int64](ctx, conn, stmt.Text("SELECT 1/0"))
		if err == nil || dialects.IsConnectionError(rs.replica.Dialect(), err) {
			t.Fatalf("division by zero on the replica: %v", err)
		}
		_, err = engine.Scalar[int64](ctx, conn, stmt.Text("SELEKT 1"))
		if err == nil {
			t.Fatal("a syntax error ran")
		}
		// A write on the read-only standby fails there, and is not sent
		// to the primary.
		_, err = conn.Exec(ctx, stmt.Text("CREATE TABLE nope (x int)"))
		if err == nil {
			t.Fatal("CREATE TABLE on the standby succeeded")
		}
		before := rs.routes.get("standby/replica")
		must(t, readOnce(ctx, db, 0))
		if rs.routes.get("standby/replica") == before || rs.routes.get("primary/fallback") > 0 {
			t.Fatalf("after statement errors the standby was ejected: %v", rs.routes)
		}
	})
}

// waitFor polls cond every 20ms until it holds, failing after d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReplicaDownAtStartEveryDialect: on every database, an application
// whose replica is down when it starts (nothing listens on its port;
// opened with WithLazyConnect) reads from the primary without an error,
// and the first failed read is the only one that tries the replica until
// it is due for a probe.
func TestReplicaDownAtStartEveryDialect(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		e := setupWith(t, name, orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag"))
		s := e.db.Session()
		must(t, s.Add(&User{Name: "Ann", Email: "ann@x.org", Posts: []*Post{{Title: "a"}}}))
		must(t, s.Commit(ctx))
		must(t, s.Close(ctx))
		down := "postgres://dlayer@127.0.0.1:1/dlayer?sslmode=disable&connect_timeout=5"
		if name == testdb.MySQL {
			down = "mysql://dlayer:dlayer@127.0.0.1:1/dlayer?timeout=5s"
		}
		var tries atomic.Int64
		replica, err := dlayer.Open(ctx, e.eng.Schema(), down, engine.WithLazyConnect(),
			engine.WithTracer(engine.TracerFunc(func(ctx context.Context, q engine.QueryInfo) (context.Context, func(error)) {
				tries.Add(1)
				return ctx, func(error) {}
			})))
		must(t, err)
		defer replica.Close()
		db, err := orm.New(e.eng, orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag"),
			orm.Replicas(replica), orm.ReplicaRetry(time.Minute, time.Hour))
		must(t, err)
		for i := range 8 {
			s := db.Session()
			us, err := orm.All[User](ctx, s, orm.Select[User](db), orm.SelectIn("posts"))
			must(t, err)
			if len(us) != 1 || len(us[0].Posts) != 1 {
				t.Fatalf("read %d: %d users", i, len(us))
			}
			n := 0
			for _, err := range orm.Stream[User](ctx, s, orm.Select[User](db), false) {
				must(t, err)
				n++
			}
			if n != 1 {
				t.Fatalf("stream %d: %d users", i, n)
			}
			must(t, s.Close(ctx))
		}
		if n := tries.Load(); n != 1 {
			t.Fatalf("the replica was tried %d times, want once (then ejected)", n)
		}
	})
}

// TestReplicaConnectionsKilled: on the shared PostgreSQL and MariaDB
// servers, the replica's connections are killed from outside
// (pg_terminate_backend, KILL CONNECTION) over and over while 8 workers
// read: no read fails.
func TestReplicaConnectionsKilled(t *testing.T) {
	for _, name := range []string{testdb.Postgres, testdb.MySQL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			binds := []orm.Option{orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag")}
			seed := func(e *engine.Engine) {
				must(t, e.CreateAll(ctx))
				db, err := orm.New(e, binds...)
				must(t, err)
				s := db.Session()
				for i := 1; i <= 20; i++ {
					must(t, s.Add(&User{Name: fmt.Sprintf("user %d", i), Email: fmt.Sprintf("u%d@x.org", i), Posts: []*Post{{Title: "a"}, {Title: "b"}}}))
				}
				must(t, s.Commit(ctx))
				must(t, s.Close(ctx))
			}
			rt := &routes{}
			tr := engine.WithTracer(engine.TracerFunc(rt.trace))
			primary, err := dlayer.Open(ctx, "testdata", fresh.URL(t, name, "dl_kp"), engine.WithName("primary"), tr)
			must(t, err)
			defer primary.Close()
			seed(primary)
			// The replica's connections are told apart by their
			// application name (PostgreSQL) or database (MariaDB).
			ru, err := url.Parse(fresh.URL(t, name, "dl_kr"))
			must(t, err)
			tag := "dl_kr_" + testdb.Suffix()
			victims := "SELECT pid FROM pg_stat_activity WHERE application_name = '" + tag + "'"
			kill := "SELECT pg_terminate_backend(CAST(:id AS int))"
			if name == testdb.Postgres {
				q := ru.Query()
				q.Set("application_name", tag)
				ru.RawQuery = q.Encode()
			} else {
				victims = "SELECT id FROM information_schema.processlist WHERE db = '" + strings.TrimPrefix(ru.Path, "/") + "'"
				kill = "KILL CONNECTION :id"
			}
			replica, err := dlayer.Open(ctx, "testdata", ru.String(), engine.WithName("replica"), tr)
			must(t, err)
			defer replica.Close()
			seed(replica)
			admin, err := engine.Open(ctx, testdb.URL(t, name), engine.WithMaxOpenConns(2))
			must(t, err)
			defer admin.Close()
			db, err := orm.New(primary, append(binds, orm.Replicas(replica), orm.ReplicaRetry(20*time.Millisecond, 100*time.Millisecond))...)
			must(t, err)
			var (
				stop          atomic.Bool
				reads, killed atomic.Int64
				wg            sync.WaitGroup
				mu            sync.Mutex
				errs          []error
			)
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; !stop.Load(); i += 8 {
						reads.Add(1)
						if err := readOnce(ctx, db, i); err != nil {
							mu.Lock()
							errs = append(errs, err)
							mu.Unlock()
						}
					}
				}()
			}
			deadline := time.Now().Add(1500 * time.Millisecond)
			for time.Now().Before(deadline) {
				ids, err := engine.All[int64](ctx, admin, stmt.Text(victims))
				must(t, err)
				for _, id := range ids {
					if _, err := admin.Exec(ctx, stmt.Text(kill).Bind("id", id)); err == nil {
						killed.Add(1)
					}
				}
				time.Sleep(10 * time.Millisecond)
			}
			stop.Store(true)
			wg.Wait()
			if killed.Load() == 0 {
				t.Fatal("no replica connection was killed: the test proves nothing")
			}
			if len(errs) > 0 {
				t.Fatalf("%d of %d reads failed while %d replica connections were killed; first: %v", len(errs), reads.Load(), killed.Load(), errs[:min(3, len(errs))])
			}
			t.Logf("%d reads, %d replica connections killed, none failed; %v", reads.Load(), killed.Load(), rt)
		})
	}
}
