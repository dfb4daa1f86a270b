package orm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/spec"
)

// fakeRouter is a router over n replicas (no I/O: engines without pools)
// with a fake clock, probes run when started (or queued, with queue), and
// scripted probe results.
type fakeRouter struct {
	*router
	clock   time.Time
	results map[string][]probeResult // by replica name, consumed in order
	probes  []string                 // names probed, in order
	queued  []func()
	queue   bool
	logs    bytes.Buffer
}

type probeResult struct {
	lag time.Duration
	err error
}

func newFakeRouter(t *testing.T, n int, cfg config) *fakeRouter {
	t.Helper()
	f := &fakeRouter{clock: time.Unix(1_000_000, 0), results: map[string][]probeResult{}}
	var opts []engine.Option
	opts = append(opts, engine.WithLogger(slog.New(slog.NewTextHandler(&f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	primary := engine.New(postgres.Default(), nil, nil, append(opts, engine.WithName("primary"))...)
	for i := range n {
		cfg.replicas = append(cfg.replicas, engine.New(postgres.Default(), nil, nil, engine.WithName(fmt.Sprintf("r%d", i+1))))
	}
	if p := replicaOptions(&cfg); len(p) > 0 {
		t.Fatal(p)
	}
	f.router = newRouter(primary, &cfg, &spec.Schema{})
	f.now = func() time.Time { return f.clock }
	f.spawn = func(fn func()) {
		if f.queue {
			f.queued = append(f.queued, fn)
			return
		}
		fn()
	}
	f.check = func(_ context.Context, rep *replica) (time.Duration, error) {
		f.probes = append(f.probes, rep.name)
		rs := f.results[rep.name]
		if len(rs) == 0 {
			t.Fatalf("unexpected probe of %s", rep.name)
		}
		f.results[rep.name] = rs[1:]
		return rs[0].lag, rs[0].err
	}
	return f
}

func (f *fakeRouter) advance(d time.Duration) { f.clock = f.clock.Add(d) }

// picks returns the names of the next n reads' servers.
func (f *fakeRouter) picks(n int) string {
	var out []string
	for range n {
		q, rep, route := f.reader(nil)
		switch {
		case rep != nil:
			out = append(out, rep.name)
		case q == f.primary && route == routeFallback:
			out = append(out, "primary(fallback)")
		default:
			out = append(out, fmt.Sprintf("?%v", q))
		}
	}
	return strings.Join(out, " ")
}

func (f *fakeRouter) rep(name string) *replica {
	for _, r := range f.replicas {
		if r.name == name {
			return r
		}
	}
	return nil
}

var errRefused = &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}

func TestRouterEjectionAndBackoff(t *testing.T) {
	ctx := context.Background()
	f := newFakeRouter(t, 2, config{retryFirst: 100 * time.Millisecond, retryMax: 400 * time.Millisecond, retrySet: true})
	if got := f.picks(4); got != "r1 r2 r1 r2" {
		t.Fatalf("healthy round robin: %s", got)
	}
	if !f.failed(ctx, f.rep("r1"), fmt.Errorf("query: %w", errRefused)) {
		t.Fatal("connection refused did not eject the replica")
	}
	if got := f.picks(3); got != "r2 r2 r2" {
		t.Fatalf("with r1 ejected: %s", got)
	}
	// Probes: after 100ms, then 200ms, 400ms, 400ms (the cap) while r1
	// keeps failing; none before it is due.
	for i, wait := range []time.Duration{100, 200, 400, 400} {
		wait *= time.Millisecond
		f.advance(wait - time.Millisecond)
		f.picks(2)
		if len(f.probes) != i {
			t.Fatalf("probe %d ran before it was due (%v)", i+1, f.probes)
		}
		f.advance(time.Millisecond)
		f.results["r1"] = []probeResult{{err: errRefused}}
		if got := f.picks(2); got != "r2 r2" {
			t.Fatalf("while r1 is down: %s", got)
		}
		if len(f.probes) != i+1 {
			t.Fatalf("probe %d did not run when due: %v", i+1, f.probes)
		}
	}
	// It answers: re-admitted, and the round robin includes it again.
	f.advance(400 * time.Millisecond)
	f.results["r1"] = []probeResult{{}}
	f.picks(1)
	if got := f.picks(4); !strings.Contains(got, "r1") || !strings.Contains(got, "r2") {
		t.Fatalf("after re-admission: %s", got)
	}
	logs := f.logs.String()
	for _, want := range []string{"dlayer replica ejected", "server=r1", "retry_in=100ms", "dlayer replica still down", "dlayer replica re-admitted", "out_for=1.5s"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	// A second ejection starts the backoff over.
	f.failed(ctx, f.rep("r1"), errRefused)
	f.advance(100 * time.Millisecond)
	f.results["r1"] = []probeResult{{}}
	f.picks(2)
	if !f.rep("r1").up.Load() {
		t.Fatal("the backoff did not start over after a re-admission")
	}
}

func TestRouterAllReplicasDown(t *testing.T) {
	ctx := context.Background()
	f := newFakeRouter(t, 2, config{})
	f.failed(ctx, f.rep("r1"), errRefused)
	f.failed(ctx, f.rep("r2"), &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"})
	if got := f.picks(2); got != "primary(fallback) primary(fallback)" {
		t.Fatalf("with every replica down: %s", got)
	}
	if len(f.probes) != 0 {
		t.Fatalf("probed before the default 1s: %v", f.probes)
	}
}

func TestRouterFailureClassification(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		name  string
		ctx   context.Context
		err   error
		eject bool
	}{
		{"connection refused", context.Background(), errRefused, true},
		{"connection reset", context.Background(), fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"an error of no known kind", context.Background(), fmt.Errorf("scan: %w", errors.New("x")), false},
		{"unexpected EOF", context.Background(), fmt.Errorf("run SELECT: %w", io.ErrUnexpectedEOF), true},
		{"admin shutdown 57P01", context.Background(), &pgconn.PgError{Code: "57P01"}, true},
		{"starting up 57P03", context.Background(), &pgconn.PgError{Code: "57P03"}, true},
		{"connection failure 08006", context.Background(), &pgconn.PgError{Code: "08006"}, true},
		{"pgx connect error", context.Background(), pgxConnectError(), true},
		{"pgx conn closed", context.Background(), fmt.Errorf("q: %w", pgconn.ErrConnClosed), true},
		{"syntax error 42601", context.Background(), &pgconn.PgError{Code: "42601"}, false},
		{"unique violation 23505", context.Background(), &pgconn.PgError{Code: "23505"}, false},
		{"division by zero 22012", context.Background(), &pgconn.PgError{Code: "22012"}, false},
		{"read-only transaction 25006", context.Background(), &pgconn.PgError{Code: "25006"}, false},
		{"statement timeout 57014", context.Background(), &pgconn.PgError{Code: "57014"}, false},
		{"engine closed", context.Background(), engine.ErrClosed, false},
		{"the caller's context cancelled", cancelled, fmt.Errorf("%w: %w", context.Canceled, errRefused), false},
		{"the caller's deadline", context.Background(), context.DeadlineExceeded, true}, // a driver's own connect timeout
		{"nil", context.Background(), nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeRouter(t, 1, config{})
			if got := f.failed(c.ctx, f.rep("r1"), c.err); got != c.eject {
				t.Fatalf("failed(%v) = %v, want %v", c.err, got, c.eject)
			}
			if f.rep("r1").up.Load() == c.eject {
				t.Fatalf("up = %v after %v", f.rep("r1").up.Load(), c.err)
			}
		})
	}
}

func TestRouterOneProbeAtATime(t *testing.T) {
	f := newFakeRouter(t, 1, config{})
	f.queue = true
	f.failed(context.Background(), f.rep("r1"), errRefused)
	f.advance(time.Second)
	f.picks(5)
	if len(f.queued) != 1 {
		t.Fatalf("%d probes started for one replica", len(f.queued))
	}
	f.results["r1"] = []probeResult{{}}
	f.queued[0]()
	if got := f.picks(1); got != "r1" {
		t.Fatalf("after the probe answered: %s", got)
	}
}

func TestRouterMaxLag(t *testing.T) {
	f := newFakeRouter(t, 2, config{maxLag: time.Second, maxLagSet: true})
	if f.lagEvery != 500*time.Millisecond {
		t.Fatalf("lag checked every %v", f.lagEvery)
	}
	if f.rep("r1").lag == "" {
		t.Fatal("no lag query for PostgreSQL")
	}
	// The first reads check the lag of each replica (due at start).
	f.results["r1"] = []probeResult{{lag: 3 * time.Second}}
	f.results["r2"] = []probeResult{{lag: 200 * time.Millisecond}}
	f.picks(2)
	if got := f.picks(4); got != "r2 r2 r2 r2" {
		t.Fatalf("with r1 lagging 3s: %s", got)
	}
	// No check until the interval has passed, then r1 has caught up.
	f.advance(499 * time.Millisecond)
	f.picks(2)
	if len(f.probes) != 2 {
		t.Fatalf("lag checked too early: %v", f.probes)
	}
	f.advance(time.Millisecond)
	f.results["r1"] = []probeResult{{lag: 900 * time.Millisecond}}
	f.results["r2"] = []probeResult{{lag: 0}}
	f.picks(2)
	if got := f.picks(4); !strings.Contains(got, "r1") {
		t.Fatalf("after r1 caught up: %s", got)
	}
	// A lag check that fails with a statement error leaves a serving
	// replica in; one that cannot connect ejects it.
	f.advance(500 * time.Millisecond)
	f.results["r1"] = []probeResult{{err: &pgconn.PgError{Code: "42501"}}}
	f.results["r2"] = []probeResult{{err: errRefused}}
	f.picks(2)
	if !f.rep("r1").up.Load() || f.rep("r2").up.Load() {
		t.Fatalf("after failed lag checks: r1 up %v, r2 up %v", f.rep("r1").up.Load(), f.rep("r2").up.Load())
	}
	logs := f.logs.String()
	for _, want := range []string{"dlayer replica lagging: skipped", "lag=3s", "max_lag=1s", "dlayer replica lag check failed"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

func TestRouterBackoffCap(t *testing.T) {
	r := &router{retryFirst: time.Second, retryMax: 30 * time.Second}
	for n, want := range map[int]time.Duration{1: 2 * time.Second, 2: 4 * time.Second, 4: 16 * time.Second, 5: 30 * time.Second, 1000: 30 * time.Second} {
		if got := r.backoff(n); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
}

// pgxConnectError is the *pgconn.ConnectError of a connection to a closed
// port.
func pgxConnectError() error {
	c, err := pgconn.Connect(context.Background(), "postgres://x@127.0.0.1:1/x?connect_timeout=2")
	if err == nil {
		c.Close(context.Background())
		return nil
	}
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) {
		return fmt.Errorf("not a ConnectError: %w", err)
	}
	return ce
}

// BenchmarkRouterReader is the cost of choosing where a read runs:
// go test ./orm -run '^$' -bench RouterReader -benchmem
func BenchmarkRouterReader(b *testing.B) {
	for _, c := range []struct {
		name string
		n    int
		cfg  config
	}{
		{"no replicas", 0, config{}},
		{"2 replicas", 2, config{}},
		{"2 replicas, MaxLag", 2, config{maxLag: time.Hour, maxLagSet: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			t := &testing.T{}
			f := newFakeRouter(t, c.n, c.cfg)
			f.check = func(context.Context, *replica) (time.Duration, error) { return 0, nil }
			f.now = time.Now
			ctx := context.Background()
			b.ResetTimer()
			for range b.N {
				_, _, route := f.reader(nil)
				_ = routed(ctx, route)
			}
		})
	}
}
