package orm

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// Replicas adds read replicas: a Session sends reads to them (round robin)
// until it writes or opens a transaction; writes, FOR UPDATE and everything
// inside a transaction go to the primary. Replication lag is the app's to
// accept: a session that wrote reads its own writes from the primary (see
// MaxLag to skip replicas that fall too far behind).
//
// A replica that fails a read with a connection error (refused, reset,
// closed, timed out, the server shutting down: dialects.IsConnectionError;
// never a statement's own error) is ejected, and the read runs again, once,
// on another healthy replica or on the primary: the session's query does
// not fail. While a replica is ejected, reads skip it; it is probed again
// after a backoff (see ReplicaRetry) and re-admitted once it answers. Probes
// run in the background, one at a time per replica, started by the reads
// that find the replica due for one: an idle application sends none.
// Ejections and re-admissions are logged through the primary engine's
// logger (engine.WithLogger); every read a replica router chose carries the
// route "replica" or "fallback" (engine.QueryInfo.Route, the "route" log
// attribute) beside the server that ran it (engine.WithName).
//
// Open replicas with engine.WithLazyConnect so that the application starts
// while a replica is down: the replica is then ejected by its first failed
// read. A read whose replica fails after it has delivered rows is not run
// again (its rows were already used): it returns the error. Session.Conn
// falls back when the replica fails the query itself, not when it fails
// while rows are read.
func Replicas(replicas ...*engine.Engine) Option {
	return func(c *config) { c.replicas = append(c.replicas, replicas...) }
}

// ReplicaRetry sets how long an ejected replica waits before it is probed
// again: first after the first failure, doubling after each failed probe
// up to max (defaults: 1s and 30s). Reads never wait for a probe.
func ReplicaRetry(first, max time.Duration) Option {
	return func(c *config) { c.retryFirst, c.retryMax, c.retrySet = first, max, true }
}

// MaxLag skips a replica that is more than max behind its primary
// (PostgreSQL: the age of the last transaction a hot standby replayed,
// counted as 0 when it has replayed all it received). The lag is measured
// by the background probe, every max/2 (at least every 100ms, at most
// every 5s), never per query; a replica over the limit is skipped like an
// ejected one until a later probe finds it within. New reports an error
// for a dialect that cannot measure lag.
func MaxLag(max time.Duration) Option {
	return func(c *config) { c.maxLag, c.maxLagSet = max, true }
}

// BindModel sends every statement about the named model (reads and writes)
// to e instead of the primary — SQLAlchemy's per-mapper binds. A flush that
// writes to several engines runs one transaction on each; they commit one
// after the other, not atomically together.
func BindModel(model string, e *engine.Engine) Option {
	return func(c *config) {
		if c.modelBinds == nil {
			c.modelBinds = map[string]*engine.Engine{}
		}
		c.modelBinds[model] = e
	}
}

// The routes a replica router gives its reads (engine.WithRoute).
const (
	routeReplica  = "replica"
	routeFallback = "fallback"
)

// Health-check defaults.
const (
	defaultRetryFirst = time.Second
	defaultRetryMax   = 30 * time.Second
	probeTimeout      = 3 * time.Second
)

// replicaOptions checks the replica options of cfg, returning the problems.
func replicaOptions(cfg *config) []string {
	var problems []string
	for i, r := range cfg.replicas {
		if r == nil {
			problems = append(problems, "Replicas: replica "+strconv.Itoa(i+1)+" is a nil *engine.Engine")
		}
	}
	if cfg.retrySet && (cfg.retryFirst <= 0 || cfg.retryMax < cfg.retryFirst) {
		problems = append(problems, "ReplicaRetry("+cfg.retryFirst.String()+", "+cfg.retryMax.String()+
			"): want 0 < first <= max")
	}
	if cfg.maxLagSet {
		if cfg.maxLag <= 0 {
			problems = append(problems, "MaxLag("+cfg.maxLag.String()+"): want a positive duration")
		}
		for i, r := range cfg.replicas {
			if r == nil || r.Dialect() == nil {
				continue
			}
			if _, ok := r.Dialect().(dialects.LagReporter); !ok {
				problems = append(problems, "MaxLag: replica "+strconv.Itoa(i+1)+": the "+r.Dialect().Name()+
					" dialect cannot measure replication lag (PostgreSQL can)")
			}
		}
	}
	return problems
}

// replica is one read replica and its health. up, busy and due are read
// without a lock on every read; mu serialises the changes of state.
type replica struct {
	e    *engine.Engine
	name string
	lag  string // the dialect's lag query ("" without MaxLag)

	up   atomic.Bool  // serving reads
	busy atomic.Bool  // a probe is running
	due  atomic.Int64 // unix nanoseconds: the next probe (down) or lag check (up, MaxLag)

	mu    sync.Mutex
	fails int       // failed probes since it was ejected
	since time.Time // when it was ejected
}

type router struct {
	primary  *engine.Engine
	replicas []*replica
	next     atomic.Uint64
	models   map[*spec.Model]*engine.Engine

	retryFirst, retryMax time.Duration
	maxLag, lagEvery     time.Duration

	log *slog.Logger
	// now, spawn and check are the clock, the way a probe is started and
	// the probe itself: tests replace them.
	now   func() time.Time
	spawn func(func())
	check func(ctx context.Context, rep *replica) (lag time.Duration, err error)
	// reads is the Querier Session.Conn hands out for replica reads.
	reads *replicaReads
}

func newRouter(primary *engine.Engine, cfg *config, s *spec.Schema) *router {
	r := &router{primary: primary, models: map[*spec.Model]*engine.Engine{},
		retryFirst: defaultRetryFirst, retryMax: defaultRetryMax, maxLag: cfg.maxLag,
		log: primary.Logger(), now: time.Now, spawn: func(f func()) { go f() }}
	r.check = r.probe
	if cfg.retrySet {
		r.retryFirst, r.retryMax = cfg.retryFirst, cfg.retryMax
	}
	if r.maxLag > 0 {
		r.lagEvery = min(max(r.maxLag/2, 100*time.Millisecond), 5*time.Second)
	}
	for name, e := range cfg.modelBinds {
		if m := s.Model(name); m != nil {
			r.models[m] = e
		}
	}
	for i, e := range cfg.replicas {
		rep := &replica{e: e, name: e.Name()}
		if rep.name == "" {
			rep.name = "replica " + strconv.Itoa(i+1)
		}
		if lr, ok := e.Dialect().(dialects.LagReporter); ok && r.maxLag > 0 {
			rep.lag = lr.ReplicationLagSQL()
		}
		rep.up.Store(true)
		r.replicas = append(r.replicas, rep)
	}
	r.reads = &replicaReads{r: r}
	return r
}

// writer returns the engine that writes model m.
func (r *router) writer(m *spec.Model) *engine.Engine {
	if e := r.models[m]; e != nil {
		return e
	}
	return r.primary
}

// reader returns where a read of model m runs outside a transaction: a
// healthy replica (rep is it), else the primary; route is the route to
// mark the read with ("" when there are no replicas to choose from).
func (r *router) reader(m *spec.Model) (q engine.Querier, rep *replica, route string) {
	if e := r.models[m]; e != nil {
		return e, nil, ""
	}
	if len(r.replicas) == 0 {
		return r.primary, nil, ""
	}
	if rep := r.pick(); rep != nil {
		return rep.e, rep, routeReplica
	}
	return r.primary, nil, routeFallback
}

// pick returns the next healthy replica, round robin, or nil when none is;
// it starts the probes that are due.
func (r *router) pick() *replica {
	n := uint64(len(r.replicas))
	start := r.next.Add(1) - 1
	var found *replica
	for i := range n {
		rep := r.replicas[(start+i)%n]
		up := rep.up.Load()
		if (!up || r.maxLag > 0) && r.now().UnixNano() >= rep.due.Load() && rep.busy.CompareAndSwap(false, true) {
			r.spawn(func() { r.runProbe(rep) })
		}
		if up {
			found = rep
			break
		}
	}
	return found
}

// failed reports whether err, from a read on rep, is a failure of the
// replica (not of the statement, nor the caller's context ending), and
// then ejects it.
func (r *router) failed(ctx context.Context, rep *replica, err error) bool {
	if err == nil || rep == nil || ctx.Err() != nil || !dialects.IsConnectionError(rep.e.Dialect(), err) {
		return false
	}
	rep.mu.Lock()
	r.eject(rep, err, r.now())
	rep.mu.Unlock()
	return true
}

// eject takes rep out of the rotation until a probe finds it answering.
// rep.mu is held.
func (r *router) eject(rep *replica, err error, now time.Time) {
	if !rep.up.Load() {
		return
	}
	rep.fails, rep.since = 0, now
	rep.due.Store(now.Add(r.retryFirst).UnixNano())
	rep.up.Store(false)
	if r.log != nil {
		r.log.LogAttrs(context.Background(), slog.LevelWarn, "dlayer replica ejected",
			slog.String("server", rep.name), slog.String("error", err.Error()), slog.Duration("retry_in", r.retryFirst))
	}
}

// runProbe checks rep once (from a goroutine of its own) and updates its
// state.
func (r *router) runProbe(rep *replica) {
	defer rep.busy.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	lag, err := r.check(ctx, rep)
	cancel()
	ctx = context.Background() // for the log
	rep.mu.Lock()
	defer rep.mu.Unlock()
	now := r.now()
	up := rep.up.Load()
	switch {
	case err != nil && up:
		// The lag check failed on a serving replica.
		if dialects.IsConnectionError(rep.e.Dialect(), err) {
			r.eject(rep, err, now)
			return
		}
		rep.due.Store(now.Add(r.lagEvery).UnixNano())
		if r.log != nil {
			r.log.LogAttrs(ctx, slog.LevelWarn, "dlayer replica lag check failed",
				slog.String("server", rep.name), slog.String("error", err.Error()))
		}
	case err != nil:
		rep.fails++
		wait := r.backoff(rep.fails)
		rep.due.Store(now.Add(wait).UnixNano())
		if r.log != nil {
			r.log.LogAttrs(ctx, slog.LevelDebug, "dlayer replica still down",
				slog.String("server", rep.name), slog.String("error", err.Error()), slog.Duration("retry_in", wait))
		}
	case r.maxLag > 0 && lag > r.maxLag:
		rep.due.Store(now.Add(r.lagEvery).UnixNano())
		if up {
			rep.fails, rep.since = 0, now
			rep.up.Store(false)
			if r.log != nil {
				r.log.LogAttrs(ctx, slog.LevelWarn, "dlayer replica lagging: skipped",
					slog.String("server", rep.name), slog.Duration("lag", lag), slog.Duration("max_lag", r.maxLag))
			}
		}
	default:
		rep.due.Store(now.Add(r.lagEvery).UnixNano())
		if !up {
			rep.fails = 0
			rep.up.Store(true)
			if r.log != nil {
				r.log.LogAttrs(ctx, slog.LevelInfo, "dlayer replica re-admitted",
					slog.String("server", rep.name), slog.Duration("out_for", now.Sub(rep.since)))
			}
		}
	}
}

// backoff is the wait after the n-th failed probe: retryFirst doubled n
// times, at most retryMax.
func (r *router) backoff(n int) time.Duration {
	d := r.retryFirst
	for i := 0; i < n && d < r.retryMax; i++ {
		d *= 2
	}
	return min(d, r.retryMax)
}

// probe asks rep whether it answers (and, with MaxLag, how far behind it
// is).
func (r *router) probe(ctx context.Context, rep *replica) (time.Duration, error) {
	if rep.lag == "" {
		return 0, rep.e.Ping(ctx)
	}
	secs, err := engine.Scalar[float64](ctx, rep.e, stmt.Text(rep.lag))
	if err != nil {
		return 0, err
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// routed returns ctx marked with route (ctx itself for "").
func routed(ctx context.Context, route string) context.Context {
	if route == "" {
		return ctx
	}
	return engine.WithRoute(ctx, route)
}

// replicaReads is the Querier of Session.Conn outside a transaction when
// there are replicas: each statement goes to a healthy replica, and runs
// again on the fallback when the replica fails the Query itself.
type replicaReads struct{ r *router }

var _ engine.Querier = (*replicaReads)(nil)

// Query runs s on a replica, or on the fallback when the replica fails.
func (q *replicaReads) Query(ctx context.Context, s stmt.Statement) (*engine.Rows, error) {
	conn, rep, route := q.r.reader(nil)
	rows, err := conn.Query(routed(ctx, route), s)
	if err != nil && q.r.failed(ctx, rep, err) {
		conn, rep, route = q.r.reader(nil)
		rows, err = conn.Query(routed(ctx, routeFallback), s)
		q.r.failed(ctx, rep, err)
	}
	return rows, err
}

// Exec runs s on a replica; a statement that changes nothing there
// (replicas are read-only) is not run again elsewhere, but a replica that
// fails it is ejected.
func (q *replicaReads) Exec(ctx context.Context, s stmt.Statement) (engine.Result, error) {
	conn, rep, route := q.r.reader(nil)
	res, err := conn.Exec(routed(ctx, route), s)
	q.r.failed(ctx, rep, err)
	return res, err
}
