package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
// at slog.LevelWarn. Argument values are redacted unless WithLogArgs.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithLogLevel sets the level successful statements are logged at.
func WithLogLevel(level slog.Level) Option { return func(c *config) { c.logLevel = level } }

// WithLogArgs includes bound argument values in log records. They may hold
// personal data or secrets: enable it for development only.
func WithLogArgs(on bool) Option { return func(c *config) { c.logArgs = on } }

// WithTracer installs a Tracer called around every database round trip.
func WithTracer(t Tracer) Option { return func(c *config) { c.tracer = t } }

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
	cfg := newConfig(opts)
	d, p, err := dialects.Open(ctx, url, cfg.pool)
	if err != nil {
		return nil, err
	}
	return newEngine(d, p, cfg.schema, cfg), nil
}

// New makes an Engine from a dialect and a pool, such as one wrapping a
// handle the application already has (postgres.Wrap(pgxpool), mysql.Wrap(db),
// sqlite.Wrap(db)). schema may be nil for raw text statements only.
func New(d dialects.Dialect, p dialects.Pool, schema *spec.Schema, opts ...Option) *Engine {
	cfg := newConfig(opts)
	if schema == nil {
		schema = cfg.schema
	}
	return newEngine(d, p, schema, cfg)
}

func newEngine(d dialects.Dialect, p dialects.Pool, schema *spec.Schema, cfg config) *Engine {
	e := &Engine{d: d, pool: p, schema: schema, cfg: cfg}
	e.enc, _ = p.(dialects.ArgEncoder)
	return e
}

// Dialect returns the engine's dialect.
func (e *Engine) Dialect() dialects.Dialect { return e.d }

// Schema returns the schema the engine was opened with (may be nil).
func (e *Engine) Schema() *spec.Schema { return e.schema }

// Pool returns the connection pool; use dialects.Unwrapper to reach the
// driver handle.
func (e *Engine) Pool() dialects.Pool { return e.pool }

// Ping checks the database is reachable.
func (e *Engine) Ping(ctx context.Context) error {
	if e.closed.Load() {
		return ErrClosed
	}
	return e.translate(ctx, "ping", e.pool.Ping(ctx))
}

// Close closes the connection pool (a wrapped handle is left to its
// owner). Using the engine afterwards returns ErrClosed.
func (e *Engine) Close() error {
	if e.closed.Swap(true) {
		return nil
	}
	return e.pool.Close()
}

// Exec runs a statement that returns no rows and reports rows affected.
func (e *Engine) Exec(ctx context.Context, s stmt.Statement) (Result, error) {
	if e.closed.Load() {
		return Result{}, ErrClosed
	}
	return e.exec(ctx, e.pool, s)
}

// Query runs a statement that returns rows. The caller must Close them.
func (e *Engine) Query(ctx context.Context, s stmt.Statement) (*Rows, error) {
	if e.closed.Load() {
		return nil, ErrClosed
	}
	return e.query(ctx, e.pool, s)
}

// Compile compiles s for the engine's dialect, without running it.
func (e *Engine) Compile(s stmt.Statement) (*dialects.Compiled, error) {
	if s == nil {
		return nil, errors.New("compile: nil statement")
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
	return e.execSQL(ctx, q, c.SQL, args)
}

func (e *Engine) execSQL(ctx context.Context, q dialects.Queryer, sql string, args []any) (Result, error) {
	ob := e.observe(ctx, "exec", sql, args)
	res, err := q.Exec(ob.ctx, sql, args...)
	err = e.translate(ctx, describe(sql), err)
	ob.done(err, res.RowsAffected)
	return res, err
}

func (e *Engine) query(ctx context.Context, q dialects.Queryer, s stmt.Statement) (*Rows, error) {
	c, args, err := e.prepare(s)
	if err != nil {
		return nil, err
	}
	ob := e.observe(ctx, "query", c.SQL, args)
	rows, err := q.Query(ob.ctx, c.SQL, args...)
	if err != nil {
		err = e.translate(ctx, describe(c.SQL), err)
		ob.done(err, -1)
		return nil, err
	}
	return &Rows{e: e, ctx: ctx, rows: rows, sql: c.SQL, cols: c.Columns, ob: ob}, nil
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
func (e *Engine) Begin(ctx context.Context, opts TxOptions) (*Tx, error) {
	if e.closed.Load() {
		return nil, ErrClosed
	}
	ob := e.observe(ctx, "begin", "BEGIN", nil)
	tx, err := e.pool.Begin(ob.ctx, opts)
	err = e.translate(ctx, "begin transaction", err)
	ob.done(err, -1)
	if err != nil {
		return nil, err
	}
	return &Tx{e: e, tx: tx}, nil
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
