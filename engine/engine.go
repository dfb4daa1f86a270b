package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// Engine runs statements on one database. It is safe for concurrent use.
type Engine struct {
	d      dialects.Dialect
	pool   dialects.Pool
	enc    dialects.ArgEncoder
	schema *spec.Schema
	cfg    config
	closed atomic.Bool
	// lazyBegin: the pool's transactions defer BEGIN (dialects.LazyBegin).
	lazyBegin bool
	// keepArgs: a Tracer or a logger may keep a statement's arguments, so
	// its Compiled is not given back (Compiled.Release) after it ran.
	keepArgs bool

	// txMu guards txs, the transactions begun and not yet finished, which
	// Close rolls back.
	txMu sync.Mutex
	txs  map[*Tx]struct{}
	// openRows counts the Rows not yet closed.
	openRows atomic.Int64
}

// Result reports the outcome of Exec.
type Result = dialects.Result

// TxOptions configures a transaction: ReadOnly, and an Isolation level
// name ("", "read committed", "repeatable read", "serializable").
type TxOptions = dialects.TxOptions

// PoolOptions are the connection-pool settings (see WithPool).
type PoolOptions = dialects.PoolOptions

// Querier runs statements: *Engine and *Tx implement it, so the generic
// helpers (All, One, First, Scalar, Stream) work on both.
type Querier interface {
	Exec(ctx context.Context, s stmt.Statement) (Result, error)
	Query(ctx context.Context, s stmt.Statement) (*Rows, error)
}

var (
	_ Querier = (*Engine)(nil)
	_ Querier = (*Tx)(nil)
)

type config struct {
	pool     dialects.PoolOptions
	logger   *slog.Logger
	logLevel slog.Level
	logArgs  bool
	tracer   Tracer
	schema   *spec.Schema
	single   bool
	name     string
	named    bool
}

// Option configures an Engine.
type Option func(*config)

// WithPool sets the connection-pool settings used by Open.
func WithPool(o PoolOptions) Option { return func(c *config) { c.pool = o } }

// WithMaxOpenConns caps the number of open connections (Open only).
func WithMaxOpenConns(n int) Option { return func(c *config) { c.pool.MaxOpenConns = n } }

// WithMaxIdleConns sets how many idle connections are kept (Open only;
// database/sql drivers).
func WithMaxIdleConns(n int) Option { return func(c *config) { c.pool.MaxIdleConns = n } }

// WithConnMaxLifetime closes connections older than d (Open only).
func WithConnMaxLifetime(d time.Duration) Option {
	return func(c *config) { c.pool.ConnMaxLifetime = d }
}

// WithConnMaxIdleTime closes connections idle longer than d (Open only).
func WithConnMaxIdleTime(d time.Duration) Option {
	return func(c *config) { c.pool.ConnMaxIdleTime = d }
}

// WithLogger logs every statement to l at slog.LevelDebug (see
// WithLogLevel), with its SQL text, duration and rows; failures are logged
// at slog.LevelWarn. Argument values are redacted unless WithLogArgs: the
// log shows how many there were, not what they were, and a failure's error
// text is redacted too (see Engine.Redact), since databases quote values
// in their messages.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithLogLevel sets the level successful statements are logged at.
func WithLogLevel(level slog.Level) Option { return func(c *config) { c.logLevel = level } }

// WithLogArgs includes bound argument values in log records, and logs
// error messages as the database wrote them (values included). They may
// hold personal data or secrets: enable it for development only.
func WithLogArgs(on bool) Option { return func(c *config) { c.logArgs = on } }

// WithTracer installs a Tracer called around every database round trip.
func WithTracer(t Tracer) Option { return func(c *config) { c.tracer = t } }

// WithSingleStatementText makes the engine refuse raw text (stmt.Text)
// that holds more than one statement, with an error matching
// ErrMultipleStatements, before it reaches the database. Without it,
// PostgreSQL runs every statement of a text that has no arguments, and
// SQLite every statement of any text (MySQL/MariaDB connections never
// allow several: dlayer keeps multiStatements off). Turn it on when text
// is assembled from anything but constants.
func WithSingleStatementText() Option { return func(c *config) { c.single = true } }

// ErrMultipleStatements is returned, with WithSingleStatementText, for raw
// text that holds more than one statement.
var ErrMultipleStatements = errors.New("dlayer: the text holds more than one statement")

// WithName names the server the engine runs statements on, for logs and
// traces: every log record carries it as the "server" attribute, and
// every QueryInfo as Server. Open names an engine after its URL's host and
// port (never its user or password) unless given a name; New leaves it
// unnamed. Name read replicas ("replica-1") to see in the log which server
// answered each read.
func WithName(name string) Option { return func(c *config) { c.name, c.named = name, true } }

// WithLazyConnect makes Open return without checking that the server
// answers: connections are made when statements need them, so a server
// that is down at start fails its first statement instead of Open. Open a
// read replica so (orm.Replicas ejects it until it answers), so that the
// application starts while the replica is down. SQLite opens its file at
// once regardless.
func WithLazyConnect() Option { return func(c *config) { c.pool.Lazy = true } }

// WithSchema attaches the loaded schema to an Engine made by Open.
func WithSchema(s *spec.Schema) Option { return func(c *config) { c.schema = s } }

func newConfig(opts []Option) config {
	c := config{logLevel: slog.LevelDebug}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// Open connects to the database at url with the dialect registered for its
// scheme (sqlite:, postgres://, postgresql://, mysql://, mariadb://); the
// dialect package must be imported (package dlayer imports all of them).
func Open(ctx context.Context, url string, opts ...Option) (*Engine, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	cfg := newConfig(opts)
	d, p, err := dialects.Open(ctx, url, cfg.pool)
	if err != nil {
		return nil, err
	}
	if !cfg.named {
		cfg.name = serverName(url)
	}
	return newEngine(d, p, cfg.schema, cfg), nil
}

// New makes an Engine from a dialect and a pool, such as one wrapping a
// handle the application already has (postgres.Wrap(pgxpool), mysql.Wrap(db),
// sqlite.Wrap(db)). schema may be nil for raw text statements only. With a
// nil dialect or pool every method of the engine returns an error.
func New(d dialects.Dialect, p dialects.Pool, schema *spec.Schema, opts ...Option) *Engine {
	cfg := newConfig(opts)
	if schema == nil {
		schema = cfg.schema
	}
	return newEngine(d, p, schema, cfg)
}

func newEngine(d dialects.Dialect, p dialects.Pool, schema *spec.Schema, cfg config) *Engine {
	e := &Engine{d: d, pool: p, schema: schema, cfg: cfg}
	if lb, ok := p.(interface{ DefersBegin() bool }); ok {
		e.lazyBegin = lb.DefersBegin()
	}
	if p != nil {
		e.enc, _ = p.(dialects.ArgEncoder)
	}
	e.keepArgs = cfg.tracer != nil || cfg.logger != nil
	return e
}

// Dialect returns the engine's dialect.
func (e *Engine) Dialect() dialects.Dialect {
	if e == nil {
		return nil
	}
	return e.d
}

// Name returns the server's name in logs and traces (see WithName; "" for
// a nil engine).
func (e *Engine) Name() string {
	if e == nil {
		return ""
	}
	return e.cfg.name
}

// Logger returns the logger given with WithLogger (nil without one).
func (e *Engine) Logger() *slog.Logger {
	if e == nil {
		return nil
	}
	return e.cfg.logger
}

// serverName is the host and port of a server URL ("" for SQLite and for
// anything that does not parse): what names an engine by default.
func serverName(url string) string {
	u, err := dialects.ParseURL(url)
	if err != nil {
		return ""
	}
	return u.Host
}

// Schema returns the schema the engine was opened with (may be nil).
func (e *Engine) Schema() *spec.Schema {
	if e == nil {
		return nil
	}
	return e.schema
}

// Pool returns the connection pool; use dialects.Unwrapper to reach the
// driver handle.
func (e *Engine) Pool() dialects.Pool {
	if e == nil {
		return nil
	}
	return e.pool
}

var (
	errNilEngine  = errors.New("dlayer: nil or zero Engine (use engine.Open or engine.New)")
	errNilContext = dialects.ErrNilContext
	errNilQuerier = errors.New("dlayer: nil Querier (pass an *engine.Engine or *engine.Tx)")
)

// usable reports why e cannot run a statement with ctx, if it cannot.
func (e *Engine) usable(ctx context.Context) error {
	switch {
	case e == nil || e.d == nil || e.pool == nil:
		return errNilEngine
	case e.closed.Load():
		return ErrClosed
	case ctx == nil:
		return errNilContext
	}
	return nil
}

// Usable reports, without sending anything, why e cannot run statements:
// ErrClosed once it is closed, an error for a nil or zero Engine; nil
// otherwise (the database may still be unreachable: see Ping).
func (e *Engine) Usable() error {
	return e.usable(context.Background())
}

// Ping checks the database is reachable.
func (e *Engine) Ping(ctx context.Context) error {
	if err := e.usable(ctx); err != nil {
		return err
	}
	return e.translate(ctx, "ping", e.pool.Ping(ctx))
}

// ErrTxAbandoned is matched (errors.Is) by the error of Engine.Close when
// it found transactions still open.
var ErrTxAbandoned = errors.New("dlayer: transaction left open")

// closeWait bounds how long Close waits for a transaction that is running
// a statement before leaving it to its owner.
const closeWait = 2 * time.Second

// Close closes the connection pool (a wrapped handle is left to its
// owner). Using the engine afterwards returns ErrClosed.
//
// A transaction still open (begun and neither committed nor rolled back,
// such as that of an orm.Session never committed or closed) is rolled
// back first, and Close says so: each one is logged at slog.LevelWarn
// through the engine's logger (WithLogger) and listed in the returned
// error, which matches ErrTxAbandoned. A transaction that is running a
// statement, or has Rows open, is waited for briefly (closeWait) and then
// left to its owner; its connection is closed once it is released. Close
// never waits for longer than that on a transaction, on any database.
func (e *Engine) Close() error {
	if e == nil || e.pool == nil {
		return nil
	}
	if e.closed.Swap(true) {
		return nil
	}
	errs := e.abandon()
	if n := e.openRows.Load(); n > 0 {
		errs = append(errs, fmt.Errorf("%d result sets (Rows) were never closed: their connections close when they are", n))
	}
	if err := e.pool.Close(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("dlayer: close engine: %w", errors.Join(errs...))
}

// track registers a transaction just begun; it fails (rolling it back)
// when the engine was closed meanwhile.
func (e *Engine) track(tx *Tx) error {
	e.txMu.Lock()
	if !e.closed.Load() {
		if e.txs == nil {
			e.txs = map[*Tx]struct{}{}
		}
		e.txs[tx] = struct{}{}
		e.txMu.Unlock()
		return nil
	}
	e.txMu.Unlock()
	_ = tx.tx.Rollback(context.Background())
	return ErrClosed
}

func (e *Engine) untrack(tx *Tx) {
	e.txMu.Lock()
	delete(e.txs, tx)
	e.txMu.Unlock()
}

// abandon rolls back the transactions still open, oldest first, and
// describes each.
func (e *Engine) abandon() []error {
	e.txMu.Lock()
	txs := make([]*Tx, 0, len(e.txs))
	for tx := range e.txs {
		txs = append(txs, tx)
	}
	e.txMu.Unlock()
	slices.SortFunc(txs, func(a, b *Tx) int { return a.begun.Compare(b.begun) })
	var errs []error
	deadline := time.Now().Add(closeWait)
	for _, tx := range txs {
		if err := e.abandonTx(tx, deadline); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func (e *Engine) abandonTx(tx *Tx, deadline time.Time) error {
	for {
		if tx.mu.TryLock() {
			if tx.done || tx.rows.Load() == 0 {
				break
			}
			tx.mu.Unlock() // idle, but its rows are open: wait for them
		}
		if time.Now().After(deadline) {
			err := fmt.Errorf("%w: a transaction begun %s ago is still in use (a statement running or rows open): left to its owner",
				ErrTxAbandoned, time.Since(tx.begun).Round(time.Millisecond))
			e.warn("dlayer: Engine.Close left a transaction in use", tx, -1, err)
			return err
		}
		time.Sleep(5 * time.Millisecond)
	}
	defer tx.mu.Unlock()
	if tx.done {
		return nil
	}
	tx.done, tx.abandoned = true, true
	e.untrack(tx)
	ctx, cancel := context.WithTimeout(context.Background(), closeWait)
	defer cancel()
	what := "rolled back a transaction left open (begun " + time.Since(tx.begun).Round(time.Millisecond).String() +
		" ago, " + strconv.Itoa(tx.stmts) + " calls)"
	err := fmt.Errorf("%w: %s", ErrTxAbandoned, what)
	if rbErr := tx.rollback(ctx, "rollback on close"); rbErr != nil {
		err = fmt.Errorf("%w: %s: %w", ErrTxAbandoned, what, rbErr)
	}
	e.warn("dlayer: Engine.Close rolled back a transaction left open", tx, tx.stmts, err)
	return err
}

// warn logs a problem Close found; calls < 0 is unknown (the transaction
// is in use).
func (e *Engine) warn(msg string, tx *Tx, calls int, err error) {
	l := e.cfg.logger
	if l == nil {
		return
	}
	attrs := []slog.Attr{slog.Duration("age", time.Since(tx.begun))}
	if calls >= 0 {
		attrs = append(attrs, slog.Int("calls", calls))
	}
	attrs = append(attrs, slog.String("error", e.redact(err.Error(), nil)))
	l.LogAttrs(context.Background(), slog.LevelWarn, msg, attrs...)
}

// Exec runs a statement that returns no rows and reports rows affected.
func (e *Engine) Exec(ctx context.Context, s stmt.Statement) (Result, error) {
	if err := e.usable(ctx); err != nil {
		return Result{}, err
	}
	return e.exec(ctx, e.pool, s)
}

// Query runs a statement that returns rows. The caller must Close them.
func (e *Engine) Query(ctx context.Context, s stmt.Statement) (*Rows, error) {
	if err := e.usable(ctx); err != nil {
		return nil, err
	}
	return e.query(ctx, e.pool, s)
}

// Compile compiles s for the engine's dialect, without running it.
func (e *Engine) Compile(s stmt.Statement) (*dialects.Compiled, error) {
	if e == nil || e.d == nil {
		return nil, errNilEngine
	}
	if s == nil {
		return nil, errors.New("compile: nil statement")
	}
	if t, ok := s.(*stmt.TextStmt); ok && t != nil {
		s = typeTextDates(t, e.schema)
	}
	c, err := e.d.Compile(s)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	return c, nil
}

func (e *Engine) prepare(s stmt.Statement) (*dialects.Compiled, []any, error) {
	c, err := e.Compile(s)
	if err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(c.SQL) == "" {
		return nil, nil, errors.New("run: empty SQL statement")
	}
	if c.MultiStatement && e.cfg.single {
		return nil, nil, fmt.Errorf("%s: %w (WithSingleStatementText)", describe(c.SQL), ErrMultipleStatements)
	}
	args := c.Args
	if c.ParamNames != nil {
		// Named parameters get their values from Compiled.Bind; run
		// without them, they would silently be NULL.
		if _, err := c.Bind(nil); err != nil {
			return nil, nil, fmt.Errorf("%s: %w (compile with Engine.Compile and bind values with Compiled.Bind)", describe(c.SQL), err)
		}
	}
	if e.enc != nil {
		if args, err = e.enc.EncodeArgs(c.Args, c.ArgTypes); err != nil {
			return nil, nil, fmt.Errorf("%s: encode arguments: %w", describe(c.SQL), err)
		}
	}
	return c, args, nil
}

func (e *Engine) exec(ctx context.Context, q dialects.Queryer, s stmt.Statement) (Result, error) {
	c, args, err := e.prepare(s)
	if err != nil {
		return Result{}, err
	}
	if _, text := s.(*stmt.TextStmt); text && isDDL(c.SQL) {
		defer e.InvalidateStatements()
	}
	res, err := e.execSQL(ctx, q, c.SQL, args)
	e.release(ctx, c)
	return res, err
}

// release gives c back to its pool (a Compiled from the dialect's
// compiler, see Compiled.Release) once its statement has run, unless
// someone else may still hold its arguments: a Tracer, a logger or a
// StatementCheck of ctx.
func (e *Engine) release(ctx context.Context, c *dialects.Compiled) {
	if e.keepArgs || c == nil {
		return
	}
	if ctx != nil && ctx.Value(checkKey{}) != nil {
		return
	}
	c.Release()
}

func (e *Engine) execSQL(ctx context.Context, q dialects.Queryer, sql string, args []any) (Result, error) {
	if err := e.checkStatement(ctx, "exec", sql, args); err != nil {
		return Result{}, err
	}
	ob := e.observe(ctx, "exec", sql, args)
	res, err := q.Exec(ob.ctx, sql, args...)
	if err != nil {
		err = e.translate(ctx, describe(sql), err)
	}
	ob.done(err, res.RowsAffected)
	return res, err
}

func (e *Engine) query(ctx context.Context, q dialects.Queryer, s stmt.Statement) (*Rows, error) {
	r := new(Rows)
	if err := e.queryInto(ctx, q, s, r); err != nil {
		return nil, err
	}
	return r, nil
}

// queryInto is query filling r, which the caller provides (the generic
// readers keep it on their stack).
func (e *Engine) queryInto(ctx context.Context, q dialects.Queryer, s stmt.Statement, r *Rows) error {
	c, args, err := e.prepare(s)
	if err != nil {
		return err
	}
	if err := e.checkStatement(ctx, "query", c.SQL, args); err != nil {
		return err
	}
	ob := e.observe(ctx, "query", c.SQL, args)
	rows, err := q.Query(ob.ctx, c.SQL, args...)
	if err != nil {
		err = e.translate(ctx, describe(c.SQL), err)
		ob.done(err, -1)
		e.release(ctx, c)
		return err
	}
	e.openRows.Add(1)
	*r = Rows{e: e, ctx: ctx, rows: rows, sql: c.SQL, cols: c.Columns, ob: ob, single: c.SingleRow, compiled: c}
	return nil
}

// describe names a statement in an error message by its leading SQL text
// (which never holds values: they are bound parameters).
func describe(sql string) string {
	const max = 60
	if len(sql) > max {
		cut := max
		for cut > 0 && sql[cut]&0xC0 == 0x80 {
			cut--
		}
		sql = sql[:cut] + "…"
	}
	return "run " + sql
}

// Begin starts a transaction. The caller must Commit or Rollback it.
//
// ctx bounds the begin only (waiting for a connection, BEGIN): the
// transaction is not tied to it, and lives until Commit or Rollback (or
// Engine.Close), whatever happens to ctx afterwards. See Tx.
func (e *Engine) Begin(ctx context.Context, opts TxOptions) (*Tx, error) {
	if err := e.usable(ctx); err != nil {
		return nil, err
	}
	var tx dialects.Tx
	var err error
	if e.lazyBegin {
		// The driver defers BEGIN to the transaction's first statement
		// (PostgreSQL): nothing goes to the server here, and the Tracer
		// and logger see no "begin" round trip (see LazyBegin).
		tx, err = e.pool.Begin(ctx, opts)
		if err != nil {
			err = e.translate(ctx, "begin transaction", err)
			ob := e.observe(ctx, "begin", "BEGIN", nil)
			ob.done(err, -1)
			return nil, err
		}
	} else {
		ob := e.observe(ctx, "begin", "BEGIN", nil)
		tx, err = e.pool.Begin(ob.ctx, opts)
		err = e.translate(ctx, "begin transaction", err)
		ob.done(err, -1)
		if err != nil {
			return nil, err
		}
	}
	t := &Tx{e: e, tx: tx, begun: time.Now()}
	t.lazy, _ = tx.(dialects.LazyBegin)
	if err := e.track(t); err != nil {
		return nil, err
	}
	return t, nil
}

// Tx runs fn in a transaction: it commits when fn returns nil, and rolls
// back when fn returns an error (returned as is) or panics (the panic is
// re-raised after the rollback). Inside fn run statements on tx, not on the
// engine: those run on another connection, outside the transaction (and on
// SQLite a write there waits for the transaction's lock, then fails with a
// busy error).
func (e *Engine) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	return e.TxWith(ctx, TxOptions{}, fn)
}

// TxWith is Tx with transaction options.
func (e *Engine) TxWith(ctx context.Context, opts TxOptions, fn func(tx *Tx) error) (err error) {
	if fn == nil {
		return errors.New("dlayer: transaction: nil function")
	}
	tx, err := e.Begin(ctx, opts)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		if p := recover(); p != nil {
			_ = tx.Rollback(ctx)
			panic(p)
		}
		if rbErr := tx.Rollback(ctx); rbErr != nil && !errors.Is(rbErr, ErrTxDone) {
			err = errors.Join(err, rbErr)
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	committed = true
	return tx.Commit(ctx)
}
