package faulttest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// failoverEntry is TestPostgresFailover's model (testdata/failover/models.yaml).
type failoverEntry struct {
	ID     int64
	Ref    int64
	Worker int64
}

// replicaPair is a private primary and streaming standby started with
// scripts/replica.sh on their own ports, directory and env file (never the
// default pair other suites stop and restart).
type replicaPair struct {
	dir                    string
	primaryPort, standbyPt int
	ctl                    string
	runAs                  []string
}

// startReplicaPair runs scripts/replica.sh start for a new pair and stops
// it (deleting its data) at the end of the test.
func startReplicaPair(t *testing.T) *replicaPair {
	t.Helper()
	bin := pgBin()
	if bin == "" {
		unavailable(t, "no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup); scripts/replica.sh installs them")
	}
	script, err := filepath.Abs("../../scripts/replica.sh")
	if err != nil {
		t.Fatal(err)
	}
	p := &replicaPair{dir: privateDir(t, "dlayer-failover-"), primaryPort: freePort(t), standbyPt: freePort(t),
		ctl: filepath.Join(bin, "pg_ctl")}
	for p.standbyPt == p.primaryPort {
		p.standbyPt = freePort(t)
	}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			unavailable(t, "running as root and there is no postgres user to run PostgreSQL as")
		}
		p.runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	env := append(os.Environ(),
		"DLAYER_REPLICA_DIR="+filepath.Join(p.dir, "pair"),
		"DLAYER_REPLICA_ENV="+filepath.Join(p.dir, "replica.env"),
		"DLAYER_REPLICA_PRIMARY_PORT="+strconv.Itoa(p.primaryPort),
		"DLAYER_REPLICA_STANDBY_PORT="+strconv.Itoa(p.standbyPt))
	run := func(arg string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", script, arg)
		cmd.Env = env
		return cmd.CombinedOutput()
	}
	t.Cleanup(func() {
		if out, err := run("stop"); err != nil {
			t.Logf("replica.sh stop: %v\n%s", err, out)
		}
	})
	if out, err := run("start"); err != nil {
		unavailable(t, "scripts/replica.sh start failed: %v\n%s", err, out)
	}
	return p
}

func (p *replicaPair) pgctl(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	full := append(append(append([]string{}, p.runAs...), p.ctl), args...)
	if out, err := exec.CommandContext(ctx, full[0], full[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func (p *replicaPair) url(port int) string {
	return fmt.Sprintf("postgres://dlayer@127.0.0.1:%d/dlayer?sslmode=disable", port)
}

// outcome is how one write attempt ended, as the client saw it.
type outcome int

const (
	outCommitted  outcome = iota // Commit returned nil: the row must be there
	outUnknown                   // ErrCommitOutcomeUnknown: may or may not be there
	outRolledBack                // retryable / ErrRolledBack: must not be there
	outConnFailed                // connection error before COMMIT: must not be there
	outOther                     // anything else: a misclassification
)

var outcomeNames = [...]string{"committed", "unknown outcome", "rolled back (retryable)", "connection error", "other"}

// TestPostgresFailover (issue 10, item 4): a primary and a streaming
// standby (synchronous replication), a multi-host URL with
// target_session_attrs=read-write, 8 workers writing (4 through the ORM's
// Session.Transaction, 4 through Core inserts in Engine.Transaction, all
// with a retry policy; half of each also retry connection errors). The primary is crashed (pg_ctl stop -m immediate)
// and the standby promoted (pg_ctl promote). Asserted: writes resume on the
// new primary within 15s; every row a worker saw committed is there (0
// lost); no row whose write was reported as failed (rolled back, or a
// connection error before COMMIT) is there; every failure is a connection
// error, a retryable rollback or an unknown outcome — nothing else; the
// workers whose policy retries connection errors see no failure but an
// unknown outcome.
func TestPostgresFailover(t *testing.T) {
	pair := startReplicaPair(t)
	primary, standby := pair.url(pair.primaryPort), pair.url(pair.standbyPt)
	// Without synchronous replication a commit acknowledged by the primary
	// may not have reached the standby when the primary dies: the promoted
	// standby would then lack it (an asynchronous standby loses the tail).
	// The server runs with synchronous_commit=off on its command line; a
	// per-database setting overrides it.
	exec1(t, primary, "ALTER SYSTEM SET synchronous_standby_names = '*'")
	exec1(t, primary, "SELECT pg_reload_conf()")
	exec1(t, primary, "ALTER DATABASE dlayer SET synchronous_commit = on")
	waitSync(t, primary)

	multi := fmt.Sprintf("postgres://dlayer@127.0.0.1:%d,127.0.0.1:%d/dlayer?sslmode=disable&target_session_attrs=read-write&connect_timeout=2",
		pair.primaryPort, pair.standbyPt)
	ctx := context.Background()
	openCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	eng, err := dlayer.Open(openCtx, "testdata/failover", multi, engine.WithMaxOpenConns(16))
	cancel()
	if err != nil {
		t.Fatalf("open %s: %v", dialects.Redact(multi), err)
	}
	defer closeOrFail(t, eng)
	if err := eng.CreateAll(ctx); err != nil {
		t.Fatal(err)
	}
	if v := scalarString(t, eng, "SHOW synchronous_commit"); v != "on" {
		t.Fatalf("synchronous_commit is %q on the primary, want on", v)
	}
	db, err := orm.New(eng, orm.Bind[failoverEntry]("Entry"))
	if err != nil {
		t.Fatal(err)
	}
	d := eng.Dialect()
	entries := db.Table("entries")

	var (
		mu       sync.Mutex
		results  = map[int64]outcome{} // ref → outcome (each ref is written once)
		others   []string
		counts   [len(outcomeNames)]int
		retries  atomic.Int64
		next     atomic.Int64
		stopped  atomic.Int64 // unix nanos when the old primary was down; 0 before
		resumed  atomic.Int64 // unix nanos of the first commit begun after that
		afterNew atomic.Int64 // commits begun after the primary was down
	)
	classify := func(err error) outcome {
		switch {
		case err == nil:
			return outCommitted
		case errors.Is(err, engine.ErrCommitOutcomeUnknown):
			return outUnknown
		case errors.Is(err, engine.ErrRolledBack), engine.IsRetryable(err):
			return outRolledBack
		case dialects.IsConnectionError(d, err):
			return outConnFailed
		}
		return outOther
	}
	var retried [len(outcomeNames)]atomic.Int64 // what the retry policies retried
	onRetry := func(_ int, err error, _ time.Duration) {
		retries.Add(1)
		o := classify(err)
		retried[o].Add(1)
		if o != outRolledBack && o != outConnFailed {
			mu.Lock()
			others = append(others, "retried: "+err.Error())
			mu.Unlock()
		}
	}
	// pol retries what IsRetryable says (serialization failures, deadlocks…);
	// connPol also retries connection errors: safe, because a COMMIT whose
	// answer was lost is ErrCommitOutcomeUnknown, which no policy retries,
	// so a connection error it sees came before COMMIT (nothing committed).
	pol := engine.RetryPolicy{MaxAttempts: 5, BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond, OnRetry: onRetry}
	connPol := engine.RetryPolicy{MaxAttempts: 30, BaseDelay: 10 * time.Millisecond, MaxDelay: 200 * time.Millisecond, OnRetry: onRetry,
		Retryable: func(err error) bool { return engine.IsRetryable(err) || dialects.IsConnectionError(d, err) }}
	var connPolFailed atomic.Int64 // connPol workers: transactions that failed otherwise than by an unknown outcome
	record := func(refs []int64, began time.Time, err error) {
		o := classify(err)
		mu.Lock()
		defer mu.Unlock()
		for _, r := range refs {
			results[r] = o
		}
		counts[o]++
		if o == outOther && len(others) < 10 {
			others = append(others, err.Error())
		}
		if o == outCommitted {
			if s := stopped.Load(); s != 0 && began.UnixNano() > s {
				afterNew.Add(1)
				resumed.CompareAndSwap(0, time.Now().UnixNano())
			}
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			s := db.Session()
			defer s.Close(ctx)
			for {
				select {
				case <-stop:
					return
				default:
				}
				refs := []int64{next.Add(1), next.Add(1)}
				began := time.Now()
				actx, cancel := context.WithTimeout(ctx, 5*time.Second)
				var err error
				p := pol
				if w >= 4 {
					p = connPol
				}
				if w%2 == 0 {
					err = s.Transaction(actx, func(s *orm.Session) error {
						return s.AddAll(&failoverEntry{ID: refs[0], Ref: refs[0], Worker: int64(w)},
							&failoverEntry{ID: refs[1], Ref: refs[1], Worker: int64(w)})
					}, engine.WithRetry(p))
				} else {
					err = eng.Transaction(actx, func(tx *engine.Tx) error {
						for _, r := range refs {
							ins := stmt.Insert(entries).Columns("id", "ref", "worker").Values(r, r, w)
							if _, err := tx.Exec(actx, ins); err != nil {
								return err
							}
						}
						return nil
					}, engine.WithRetry(p))
				}
				cancel()
				record(refs, began, err)
				if w >= 4 && err != nil && !errors.Is(err, engine.ErrCommitOutcomeUnknown) {
					connPolFailed.Add(1)
					t.Logf("worker %d (retrying connection errors): %v", w, err)
				}
				if err != nil {
					time.Sleep(10 * time.Millisecond)
				}
			}
		})
	}

	// Load before the switch.
	deadline := time.Now().Add(10 * time.Second)
	for committedCount(&mu, &counts) < 40 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := committedCount(&mu, &counts); n < 40 {
		close(stop)
		wg.Wait()
		t.Fatalf("only %d transactions committed before the failover", n)
	}
	// Crash the primary, then promote the standby.
	pair.pgctl(t, "-D", filepath.Join(pair.dir, "pair", "primary"), "-m", "immediate", "-w", "stop")
	stopped.Store(time.Now().UnixNano())
	pair.pgctl(t, "-D", filepath.Join(pair.dir, "pair", "standby"), "-w", "-t", "30", "promote")
	promoted := time.Now()

	// Writes must resume on the new primary; keep the load on a little.
	deadline = time.Now().Add(15 * time.Second)
	for afterNew.Load() < 40 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	waitOrFail(t, &wg, 30*time.Second, "writers")

	down := time.Unix(0, stopped.Load())
	if r := resumed.Load(); r == 0 {
		t.Errorf("no write committed within 15s of the primary's crash: the pool did not move to the new primary")
	} else {
		t.Logf("switch: primary down → first commit on the new primary %s (promotion took %s)",
			time.Unix(0, r).Sub(down).Round(time.Millisecond), promoted.Sub(down).Round(time.Millisecond))
	}
	if n := afterNew.Load(); n < 40 {
		t.Errorf("only %d transactions committed on the new primary within 15s", n)
	}
	for i, n := range counts {
		t.Logf("%-24s %d transactions", outcomeNames[i]+":", n)
	}
	t.Logf("retries by the retry policies: %d (%d after a connection error, %d after a retryable rollback)",
		retries.Load(), retried[outConnFailed].Load(), retried[outRolledBack].Load())
	if n := connPolFailed.Load(); n > 0 {
		t.Errorf("%d transactions of the workers that retry connection errors failed (other than by an unknown outcome)", n)
	}
	for _, msg := range others {
		t.Errorf("a failure outside the expected classes (connection error, retryable rollback, unknown outcome): %s", msg)
	}

	// Audit on the new primary, directly.
	auditCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ae, err := engine.Open(auditCtx, standby, engine.WithMaxOpenConns(1))
	if err != nil {
		t.Fatal(err)
	}
	defer ae.Close()
	if ro := scalarString(t, ae, "SELECT pg_is_in_recovery()::text"); ro != "false" {
		t.Fatalf("the promoted standby is still in recovery (%s)", ro)
	}
	got, err := engine.All[int64](auditCtx, ae, stmt.Text("SELECT ref FROM entries"))
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	have := make(map[int64]bool, len(got))
	for _, r := range got {
		have[r] = true
	}
	var lost, ghost []int64
	unknownThere, unknownTotal := 0, 0
	for ref, o := range results {
		switch o {
		case outCommitted:
			if !have[ref] {
				lost = append(lost, ref)
			}
		case outUnknown:
			unknownTotal++
			if have[ref] {
				unknownThere++
			}
		case outRolledBack, outConnFailed:
			if have[ref] {
				ghost = append(ghost, ref)
			}
		}
	}
	sort.Slice(lost, func(i, j int) bool { return lost[i] < lost[j] })
	sort.Slice(ghost, func(i, j int) bool { return ghost[i] < ghost[j] })
	if len(lost) > 0 {
		t.Errorf("%d committed rows lost in the failover (refs %v)", len(lost), firstTen(lost))
	}
	if len(ghost) > 0 {
		t.Errorf("%d rows reported as failed (rolled back or connection error before COMMIT) are there (refs %v): a silent success", len(ghost), firstTen(ghost))
	}
	t.Logf("audit: %d rows on the new primary; %d committed rows, %d lost; %d rows of unknown outcome, %d of them there",
		len(got), counts[outCommitted]*2, len(lost), unknownTotal, unknownThere)
}

func firstTen(xs []int64) []int64 { return xs[:min(len(xs), 10)] }

func committedCount(mu *sync.Mutex, counts *[len(outcomeNames)]int) int {
	mu.Lock()
	defer mu.Unlock()
	return counts[outCommitted]
}

func scalarString(t *testing.T, e *engine.Engine, sql string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := engine.Scalar[string](ctx, e, stmt.Text(sql))
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// waitSync waits until the primary at url has a synchronous standby.
func waitSync(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	e, err := engine.Open(ctx, url, engine.WithMaxOpenConns(1))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for {
		n, err := engine.Scalar[int64](ctx, e, stmt.Text("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'"))
		if err == nil && n == 1 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the standby did not become synchronous within 20s (last: %d, %v)", n, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
