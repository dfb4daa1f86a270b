package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/conv"
	"github.com/dlayer/dlayer/spec"
)

// Config tunes a Pool for one driver.
type Config struct {
	// Encode converts bound arguments for their column types; nil keeps
	// them as given.
	Encode func(args []any, types []*spec.Type) ([]any, error)
	// BeginSQL, when set, makes Begin take a dedicated connection and run
	// the statement it returns instead of database/sql's BEGIN (SQLite uses
	// it for BEGIN IMMEDIATE).
	BeginSQL func(opts dialects.TxOptions) (string, error)
	// ReadOnlyOn and ReadOnlyOff, when set, are run on the connection of a
	// read-only transaction begun with BeginSQL: before BEGIN and after
	// the transaction ends (SQLite: PRAGMA query_only).
	ReadOnlyOn, ReadOnlyOff string
	// Owned makes Close close the *sql.DB; a wrapped handle stays open.
	Owned bool
	// AfterClose runs after the database is closed (may be nil).
	AfterClose func() error
	// MigrationLock is the migration lock mode the URL chose
	// (?migrate_lock=table|advisory), or "".
	MigrationLock string
	// Statements is the connector the *sql.DB was opened with when its
	// connections keep prepared statements (see Connector), or nil.
	Statements *Connector
}

// Pool is a dialects.Pool over *sql.DB. It is safe for concurrent use.
type Pool struct {
	db   *sql.DB
	cfg  Config
	cols *colCache
}

var (
	_ dialects.Pool       = (*Pool)(nil)
	_ dialects.ArgEncoder = (*Pool)(nil)
	_ dialects.Unwrapper  = (*Pool)(nil)

	_ dialects.MigrationLockChooser = (*Pool)(nil)
	_ dialects.StatementInvalidator = (*Pool)(nil)
)

// InvalidateStatements drops the prepared statements every connection
// keeps (a no-op without a statement cache). The engine calls it after DDL.
func (p *Pool) InvalidateStatements() {
	if p != nil && p.cfg.Statements != nil {
		p.cfg.Statements.Invalidate()
	}
	if p != nil {
		p.cols.clear()
	}
}

// PreparedStatements returns how many statements the pool's connections
// have prepared for their caches (0 without a statement cache).
func (p *Pool) PreparedStatements() int64 {
	if p == nil || p.cfg.Statements == nil {
		return 0
	}
	return p.cfg.Statements.Prepared()
}

// MigrationLock returns the migration lock mode the URL chose, or "".
func (p *Pool) MigrationLock() string {
	if p == nil {
		return ""
	}
	return p.cfg.MigrationLock
}

// New returns a Pool over db.
func New(db *sql.DB, cfg Config) *Pool { return &Pool{db: db, cfg: cfg, cols: &colCache{}} }

// DB returns the underlying handle.
func (p *Pool) DB() *sql.DB { return p.db }

// Unwrap returns the *sql.DB.
func (p *Pool) Unwrap() any { return p.db }

// EncodeArgs converts args for their column types.
func (p *Pool) EncodeArgs(args []any, types []*spec.Type) ([]any, error) {
	if p.cfg.Encode == nil {
		return args, nil
	}
	return p.cfg.Encode(args, types)
}

func (p *Pool) encode(args []any) ([]any, error) {
	if p.cfg.Encode == nil {
		return args, nil
	}
	return p.cfg.Encode(args, nil)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func exec(ctx context.Context, e execer, enc func([]any) ([]any, error), q string, args []any) (dialects.Result, error) {
	args, err := enc(args)
	if err != nil {
		return dialects.Result{}, err
	}
	res, err := e.ExecContext(ctx, q, args...)
	if err != nil {
		return dialects.Result{}, err
	}
	return Result(res), nil
}

// Result reads rows affected and the last insert ID. A driver may return no
// result at all for text that holds no statement (modernc.org/sqlite does
// for "" and for a lone comment), which database/sql wraps so that asking
// it panics: that is read as nothing affected.
func Result(res sql.Result) (out dialects.Result) {
	if res == nil {
		return out
	}
	defer func() {
		if recover() != nil {
			out = dialects.Result{}
		}
	}()
	if n, err := res.RowsAffected(); err == nil {
		out.RowsAffected = n
	}
	if id, err := res.LastInsertId(); err == nil {
		out.LastInsertID = id
	}
	return out
}

func query(ctx context.Context, e execer, enc func([]any) ([]any, error), cc *colCache, q string, args []any) (dialects.Rows, error) {
	args, err := enc(args)
	if err != nil {
		return nil, err
	}
	rows, err := e.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return newRows(rows, cc, q)
}

// check reports why p cannot run anything with ctx, if it cannot.
func (p *Pool) check(ctx context.Context) error {
	switch {
	case p == nil || p.db == nil:
		return dialects.ErrNilQueryer
	case ctx == nil:
		return dialects.ErrNilContext
	}
	return nil
}

// Exec runs a statement that returns no rows.
func (p *Pool) Exec(ctx context.Context, q string, args ...any) (dialects.Result, error) {
	if err := p.check(ctx); err != nil {
		return dialects.Result{}, err
	}
	return exec(ctx, p.db, p.encode, q, args)
}

// Query runs a statement that returns rows.
func (p *Pool) Query(ctx context.Context, q string, args ...any) (dialects.Rows, error) {
	if err := p.check(ctx); err != nil {
		return nil, err
	}
	return query(ctx, p.db, p.encode, p.cols, q, args)
}

// Ping checks that the database is reachable.
func (p *Pool) Ping(ctx context.Context) error {
	if err := p.check(ctx); err != nil {
		return err
	}
	return p.db.PingContext(ctx)
}

// Close closes the handle when the pool owns it.
func (p *Pool) Close() error {
	if p == nil || p.db == nil {
		return nil
	}
	var err error
	if p.cfg.Owned {
		err = p.db.Close()
	}
	if p.cfg.AfterClose != nil {
		err = errors.Join(err, p.cfg.AfterClose())
	}
	return err
}

var isolation = map[string]sql.IsolationLevel{
	"":                 sql.LevelDefault,
	"read uncommitted": sql.LevelReadUncommitted,
	"read committed":   sql.LevelReadCommitted,
	"repeatable read":  sql.LevelRepeatableRead,
	"serializable":     sql.LevelSerializable,
}

// Begin starts a transaction.
func (p *Pool) Begin(ctx context.Context, opts dialects.TxOptions) (dialects.Tx, error) {
	if err := p.check(ctx); err != nil {
		return nil, err
	}
	if p.cfg.BeginSQL != nil {
		begin, err := p.cfg.BeginSQL(opts)
		if err != nil {
			return nil, err
		}
		c, err := p.db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		t := &connTx{c: c, enc: p.encode, cols: p.cols}
		if opts.ReadOnly && p.cfg.ReadOnlyOn != "" {
			if _, err := c.ExecContext(ctx, p.cfg.ReadOnlyOn); err != nil {
				c.Close()
				return nil, err
			}
			t.reset = p.cfg.ReadOnlyOff
		}
		if _, err := c.ExecContext(ctx, begin); err != nil {
			t.finish(nil)
			return nil, err
		}
		return t, nil
	}
	lvl, ok := isolation[opts.Isolation]
	if !ok {
		return nil, fmt.Errorf("unknown isolation level %q", opts.Isolation)
	}
	// A transaction belongs to its owner, not to the context that began
	// it: database/sql rolls a transaction back as soon as the context
	// given to BeginTx ends, so a statement run under a timeout followed by
	// Commit with another context would find the transaction gone (as
	// neither pgx nor the SQLite path does). ctx bounds the begin only
	// (waiting for a connection, BEGIN); each statement and the commit then
	// obey their own contexts.
	txCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, cancel)
	tx, err := p.db.BeginTx(txCtx, &sql.TxOptions{Isolation: lvl, ReadOnly: opts.ReadOnly})
	if !stop() {
		// ctx ended during BeginTx: the transaction may be half made.
		if err == nil {
			_ = tx.Rollback()
		}
		cancel()
		return nil, context.Cause(ctx)
	}
	if err != nil {
		cancel()
		return nil, err
	}
	return &sqlTx{tx: tx, enc: p.encode, cols: p.cols, cancel: cancel}, nil
}

type sqlTx struct {
	tx     *sql.Tx
	enc    func([]any) ([]any, error)
	cols   *colCache
	cancel context.CancelFunc
}

func (t *sqlTx) Exec(ctx context.Context, q string, args ...any) (dialects.Result, error) {
	return exec(ctx, t.tx, t.enc, q, args)
}

func (t *sqlTx) Query(ctx context.Context, q string, args ...any) (dialects.Rows, error) {
	return query(ctx, t.tx, t.enc, t.cols, q, args)
}

// Commit commits. database/sql's Commit takes no context: a COMMIT is not
// interrupted (ctx is checked before it starts).
func (t *sqlTx) Commit(ctx context.Context) error {
	defer t.cancel()
	if err := ctx.Err(); err != nil {
		// As database/sql would have done with a tied context: the
		// transaction is rolled back, never left open.
		_ = t.tx.Rollback()
		return err
	}
	return t.tx.Commit()
}

func (t *sqlTx) Rollback(context.Context) error {
	defer t.cancel()
	return t.tx.Rollback()
}

func (t *sqlTx) Unwrap() any { return t.tx }

// connTx is a transaction begun with explicit SQL on a dedicated connection.
type connTx struct {
	c    *sql.Conn
	enc  func([]any) ([]any, error)
	cols *colCache
	done bool
	// reset is run on the connection after the transaction ends.
	reset string
}

func (t *connTx) Exec(ctx context.Context, q string, args ...any) (dialects.Result, error) {
	if t.done {
		return dialects.Result{}, sql.ErrTxDone
	}
	return exec(ctx, t.c, t.enc, q, args)
}

func (t *connTx) Query(ctx context.Context, q string, args ...any) (dialects.Rows, error) {
	if t.done {
		return nil, sql.ErrTxDone
	}
	return query(ctx, t.c, t.enc, t.cols, q, args)
}

func (t *connTx) Commit(ctx context.Context) error {
	if t.done {
		return sql.ErrTxDone
	}
	if _, err := t.c.ExecContext(ctx, "COMMIT"); err != nil {
		// The transaction may still be open: roll it back before the
		// connection returns to the pool.
		_, rbErr := t.c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		t.finish(rbErr)
		return err
	}
	t.finish(nil)
	return nil
}

func (t *connTx) Rollback(ctx context.Context) error {
	if t.done {
		return sql.ErrTxDone
	}
	_, err := t.c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	t.finish(err)
	return err
}

// finish returns the connection to the pool, or discards it when its state
// is unknown after a failed ROLLBACK.
func (t *connTx) finish(rbErr error) {
	t.done = true
	if rbErr == nil && t.reset != "" {
		_, rbErr = t.c.ExecContext(context.Background(), t.reset)
	}
	if rbErr != nil {
		_ = t.c.Raw(func(any) error { return driver.ErrBadConn })
	}
	t.c.Close()
}

func (t *connTx) Unwrap() any { return t.c }

// Rows adapts *sql.Rows to dialects.Rows, converting scanned values.
type Rows struct {
	rows  *sql.Rows
	cols  []string
	hold  []holder
	ptrs  []any
	kinds []int
	decs  []*spec.Type // declared decimal types, for kindDecimal columns
	// buf is the pooled rowsBuf the Rows lives in (nil for a wide result);
	// Close gives it back once.
	buf *rowsBuf
}

const (
	kindPlain = iota
	kindText
	kindJSON
	kindDecimal
)

// classify tells, from the database type name, which columns hold text that
// the driver returns as bytes (MySQL returns []byte for every character,
// decimal and time-of-day column) and which hold JSON.
func classify(name string) int {
	name = strings.ToUpper(name)
	switch {
	case name == "JSON":
		return kindJSON
	case strings.Contains(name, "CHAR"), strings.Contains(name, "TEXT"), strings.Contains(name, "ENUM"),
		name == "SET", strings.Contains(name, "DECIMAL"), strings.Contains(name, "NUMERIC"), name == "TIME", name == "YEAR":
		return kindText
	}
	return kindPlain
}

// declaredDecimal returns the decimal type a column is declared with
// ("DECIMAL(10,2)", "NUMERIC"), or nil. SQLite reports the declared type
// of a table column as written, and hands its values back as the INTEGER
// or REAL it stores them as.
func declaredDecimal(name string) *spec.Type {
	u := strings.ToUpper(strings.TrimSpace(name))
	base, args, _ := strings.Cut(u, "(")
	base = strings.TrimSpace(base)
	if base != "DECIMAL" && base != "NUMERIC" {
		return nil
	}
	t := &spec.Type{Kind: spec.TypeDecimal}
	if args != "" {
		p, s, _ := strings.Cut(strings.TrimSuffix(strings.TrimSpace(args), ")"), ",")
		t.Precision, _ = strconv.Atoi(strings.TrimSpace(p))
		t.Scale, _ = strconv.Atoi(strings.TrimSpace(s))
	}
	return t
}

// holder receives a driver value without database/sql's conversions.
type holder struct{ v any }

func (h *holder) Scan(src any) error { h.v = src; return nil }

// colInfo is what newRows learns of a result's columns.
type colInfo struct {
	cols  []string
	kinds []int
	decs  []*spec.Type
}

// colCache remembers, per SQL text, the column classification of its last
// result, so a repeated query does not ask database/sql for column types
// (an allocation per column and more). An entry is used only when the
// result has the same column names; the pool's InvalidateStatements (after
// DDL, which may change a column's type) clears it.
type colCache struct {
	mu sync.RWMutex
	m  map[string]*colInfo
}

// maxColCache bounds the queries colCache remembers; when full it starts
// over.
const maxColCache = 512

func (c *colCache) get(q string, cols []string) *colInfo {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	ci := c.m[q]
	c.mu.RUnlock()
	if ci == nil || !slices.Equal(ci.cols, cols) {
		return nil
	}
	return ci
}

func (c *colCache) put(q string, ci *colInfo) {
	if c == nil {
		return
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxColCache {
		c.m = make(map[string]*colInfo)
	}
	c.m[q] = ci
	c.mu.Unlock()
}

func (c *colCache) clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}

// rowsBuf holds a Rows and its per-column buffers for small results; they
// are pooled, so that reading one allocates nothing of its own.
type rowsBuf struct {
	r    Rows
	hold [8]holder
	ptrs [8]any
}

var rowsBufs = sync.Pool{New: func() any {
	b := new(rowsBuf)
	for i := range b.hold {
		b.ptrs[i] = &b.hold[i]
	}
	return b
}}

func newRows(r *sql.Rows, cc *colCache, q string) (*Rows, error) {
	cols, err := r.Columns()
	if err != nil {
		r.Close()
		return nil, err
	}
	var rs *Rows
	if len(cols) <= len(rowsBuf{}.hold) {
		b := rowsBufs.Get().(*rowsBuf)
		rs = &b.r
		rs.hold, rs.ptrs, rs.buf = b.hold[:len(cols)], b.ptrs[:len(cols)], b
	} else {
		rs = &Rows{hold: make([]holder, len(cols)), ptrs: make([]any, len(cols))}
		for i := range rs.hold {
			rs.ptrs[i] = &rs.hold[i]
		}
	}
	rs.rows, rs.cols = r, cols
	if ci := cc.get(q, cols); ci != nil {
		rs.kinds, rs.decs = ci.kinds, ci.decs
		return rs, nil
	}
	rs.kinds = make([]int, len(cols))
	if cts, err := r.ColumnTypes(); err == nil && len(cts) == len(cols) {
		for i, ct := range cts {
			name := ct.DatabaseTypeName()
			rs.kinds[i] = classify(name)
			if t := declaredDecimal(name); t != nil {
				if rs.decs == nil {
					rs.decs = make([]*spec.Type, len(cols))
				}
				rs.kinds[i], rs.decs[i] = kindDecimal, t
			}
		}
		cc.put(q, &colInfo{cols: slices.Clone(cols), kinds: rs.kinds, decs: rs.decs})
	}
	return rs, nil
}

// Next advances to the next row.
func (r *Rows) Next() bool { return r.rows.Next() }

// Columns returns the column names.
func (r *Rows) Columns() []string { return r.cols }

// Err returns the error that ended iteration.
func (r *Rows) Err() error { return r.rows.Err() }

// Close closes the rows.
func (r *Rows) Close() error { return r.rows.Close() }

// Release closes the rows and gives their buffers back to a pool, for a
// caller that owns the Rows alone and will not touch them again (the
// engine's Rows does, once). Close is enough for everyone else.
func (r *Rows) Release() error {
	if r == nil || r.rows == nil {
		return nil // released already
	}
	err := r.rows.Close()
	b := r.buf
	r.rows, r.buf = nil, nil
	if b != nil {
		clear(b.hold[:])
		b.r = Rows{}
		rowsBufs.Put(b)
	}
	return err
}

// Scan copies the current row into dest, converting values.
func (r *Rows) Scan(dest ...any) error {
	if len(dest) != len(r.cols) {
		return fmt.Errorf("scan: %d destinations for %d columns", len(dest), len(r.cols))
	}
	if err := r.rows.Scan(r.ptrs...); err != nil {
		return err
	}
	for i, d := range dest {
		if d == nil {
			continue // a column the caller skips (as pgx does for nil)
		}
		if r.kinds[i] == kindDecimal {
			// A number stored for a decimal column reads as the decimal's
			// text, as on the other databases (conv.Decimal).
			switch v := r.hold[i].v.(type) {
			case int64, float64:
				switch d.(type) {
				case *any, *string, **string:
					if s, err := conv.Decimal(v, r.decs[i]); err == nil {
						r.hold[i].v = s
					}
				}
			}
		}
		if p, ok := d.(*any); ok {
			switch v := r.hold[i].v.(type) {
			case []byte:
				switch r.kinds[i] {
				case kindText, kindDecimal:
					*p = string(v)
					continue
				case kindJSON:
					*p = json.RawMessage(append([]byte(nil), v...))
					continue
				}
			case string:
				if r.kinds[i] == kindJSON {
					*p = json.RawMessage(v)
					continue
				}
			}
		}
		if err := conv.Assign(d, r.hold[i].v); err != nil {
			return fmt.Errorf("scan column %q: %w", r.cols[i], err)
		}
	}
	return nil
}
