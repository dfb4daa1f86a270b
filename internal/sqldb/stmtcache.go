package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
)

// DefaultStatementCache is how many prepared statements each connection
// keeps by default (see StatementCache).
const DefaultStatementCache = 128

// StatementCacheOption is the URL query parameter that sets how many
// prepared statements each connection keeps (SQLite, MySQL/MariaDB; the
// name pgx uses for PostgreSQL): 0 turns the cache off.
const StatementCacheOption = "statement_cache_capacity"

// ParseStatementCache reads a statement_cache_capacity value.
func ParseStatementCache(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > 100000 {
		return 0, fmt.Errorf("want a number of statements from 0 to 100000, not %q", v)
	}
	return n, nil
}

// StatementCache configures the prepared statements a connector keeps per
// connection.
type StatementCache struct {
	// Size bounds the statements kept per connection (least recently used
	// first out); 0 keeps none.
	Size int
	// NoArgs prepares statements without arguments too (SQLite, where
	// every statement is parsed; MySQL sends those as text in one round
	// trip, and some cannot be prepared).
	NoArgs bool
	// Stale reports an error that means the server forgot or refused a
	// statement it prepared (MySQL 1243, 1615): the statement is dropped
	// and prepared again, once. May be nil.
	Stale func(error) bool
}

// Connector wraps a driver connector so that each connection keeps the
// statements it runs prepared, in a bounded LRU keyed by SQL text:
// running the same SQL again on that connection skips parsing (SQLite) or
// a round trip (MySQL's prepare). It is transparent to database/sql: the
// pool, transactions and dedicated connections (sql.Conn) all use it, and a
// connection's statements go with it when it is closed or found broken.
// Invalidate drops every connection's statements (after DDL).
type Connector struct {
	base driver.Connector
	cfg  StatementCache
	gen  atomic.Uint64
	// prepared counts statements prepared for the cache, for tests and
	// diagnostics.
	prepared atomic.Int64
}

// NewConnector wraps base with a per-connection statement cache.
func NewConnector(base driver.Connector, cfg StatementCache) *Connector {
	return &Connector{base: base, cfg: cfg}
}

// dsnConnector adapts a driver without driver.DriverContext.
type dsnConnector struct {
	d   driver.Driver
	dsn string
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.d }

// DriverConnector returns a connector for dsn on d.
func DriverConnector(d driver.Driver, dsn string) (driver.Connector, error) {
	if d == nil {
		return nil, errors.New("sqldb: nil driver")
	}
	if dc, ok := d.(driver.DriverContext); ok {
		return dc.OpenConnector(dsn)
	}
	return dsnConnector{d: d, dsn: dsn}, nil
}

// Connect opens a connection with its own statement cache.
func (c *Connector) Connect(ctx context.Context) (driver.Conn, error) {
	if c == nil || c.base == nil {
		return nil, errors.New("sqldb: nil or zero Connector (use NewConnector)")
	}
	dc, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: dc, cn: c, gen: c.gen.Load(), stmts: map[string]*entry{}}, nil
}

// Driver returns the wrapped connector's driver.
func (c *Connector) Driver() driver.Driver {
	if c == nil || c.base == nil {
		return nil
	}
	return c.base.Driver()
}

// Invalidate drops the prepared statements of every connection: each
// connection closes its statements before it runs the next one (statements
// in use are closed when their rows are).
func (c *Connector) Invalidate() {
	if c != nil {
		c.gen.Add(1)
	}
}

// Prepared returns how many statements the connector's connections have
// prepared for their caches.
func (c *Connector) Prepared() int64 {
	if c == nil {
		return 0
	}
	return c.prepared.Load()
}

// entry is one cached statement; entries form a list, most recently used
// first.
type entry struct {
	query      string
	st         driver.Stmt
	prev, next *entry
	// busy: rows read from the statement are open; dead: dropped from
	// the cache while busy, closed when the rows are.
	busy, dead bool
	// r is the rows wrapper handed out while busy (at most one at a time),
	// kept here so a query on a cached statement allocates none.
	r rows
}

// conn is a driver connection with its statement cache. database/sql
// never uses one connection from two goroutines at once (it holds the
// connection's lock for every call, rows' Close included), so the cache
// needs no lock of its own.
type conn struct {
	driver.Conn
	cn         *Connector
	gen        uint64
	stmts      map[string]*entry
	head, tail *entry
}

var (
	_ driver.ConnBeginTx            = (*conn)(nil)
	_ driver.ConnPrepareContext     = (*conn)(nil)
	_ driver.ExecerContext          = (*conn)(nil)
	_ driver.QueryerContext         = (*conn)(nil)
	_ driver.Pinger                 = (*conn)(nil)
	_ driver.SessionResetter        = (*conn)(nil)
	_ driver.Validator              = (*conn)(nil)
	_ driver.NamedValueChecker      = (*conn)(nil)
	_ driver.RowsColumnTypeScanType = (*rows)(nil)
)

// Unwrap returns the driver's own connection (for sql.Conn.Raw callers).
func (c *conn) Unwrap() driver.Conn { return c.Conn }

func (c *conn) unlink(e *entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		c.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

func (c *conn) pushFront(e *entry) {
	e.next = c.head
	if c.head != nil {
		c.head.prev = e
	}
	c.head = e
	if c.tail == nil {
		c.tail = e
	}
}

// drop removes e from the cache and closes its statement (or marks it to
// be closed when its rows are).
func (c *conn) drop(e *entry) {
	c.unlink(e)
	delete(c.stmts, e.query)
	if e.busy {
		e.dead = true
		return
	}
	_ = e.st.Close()
}

func (c *conn) dropAll() {
	for c.head != nil {
		c.drop(c.head)
	}
}

// lookup returns the cached statement for query, preparing and caching it
// when it is not there. It returns nil (and no error) when the query is
// not to be cached or its statement is in use: the caller runs it
// directly.
func (c *conn) lookup(ctx context.Context, query string, nargs int) (*entry, error) {
	cfg := &c.cn.cfg
	if cfg.Size <= 0 || (nargs == 0 && !cfg.NoArgs) {
		return nil, nil
	}
	if g := c.cn.gen.Load(); g != c.gen {
		c.dropAll()
		c.gen = g
	}
	if e := c.stmts[query]; e != nil {
		if e.busy {
			return nil, nil
		}
		if c.head != e {
			c.unlink(e)
			c.pushFront(e)
		}
		return e, nil
	}
	st, err := c.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	c.cn.prepared.Add(1)
	e := &entry{query: query, st: st}
	c.stmts[query] = e
	c.pushFront(e)
	if len(c.stmts) > cfg.Size {
		c.drop(c.tail)
	}
	return e, nil
}

func (c *conn) prepare(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

// stale reports an error meaning the server no longer knows the statement.
func (c *conn) stale(err error) bool {
	return err != nil && c.cn.cfg.Stale != nil && c.cn.cfg.Stale(err)
}

// ExecContext runs query on its cached statement.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	for try := 0; ; try++ {
		e, err := c.lookup(ctx, query, len(args))
		if err != nil {
			return nil, err
		}
		if e == nil {
			return c.execDirect(ctx, query, args)
		}
		res, err := stmtExec(ctx, e.st, args)
		if try == 0 && c.stale(err) {
			c.drop(e)
			continue
		}
		return res, err
	}
}

// QueryContext runs query on its cached statement; the statement is in
// use until the rows are closed.
func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	for try := 0; ; try++ {
		e, err := c.lookup(ctx, query, len(args))
		if err != nil {
			return nil, err
		}
		if e == nil {
			return c.queryDirect(ctx, query, args)
		}
		r, err := stmtQuery(ctx, e.st, args)
		if try == 0 && c.stale(err) {
			c.drop(e)
			continue
		}
		if err != nil {
			return nil, err
		}
		e.busy = true
		e.r = rows{Rows: r, c: c, e: e}
		return &e.r, nil
	}
}

func (c *conn) execDirect(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if x, ok := c.Conn.(driver.ExecerContext); ok {
		return x.ExecContext(ctx, query, args)
	}
	st, err := c.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return stmtExec(ctx, st, args)
}

func (c *conn) queryDirect(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if x, ok := c.Conn.(driver.QueryerContext); ok {
		return x.QueryContext(ctx, query, args)
	}
	// Without QueryerContext database/sql would prepare, query and close
	// the statement when the rows are closed: the same here.
	st, err := c.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	r, err := stmtQuery(ctx, st, args)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &rows{Rows: r, own: st}, nil
}

func values(args []driver.NamedValue) []driver.Value {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		out[i] = a.Value
	}
	return out
}

var errNamed = errors.New("sqldb: the driver does not take named arguments")

func stmtExec(ctx context.Context, st driver.Stmt, args []driver.NamedValue) (driver.Result, error) {
	if x, ok := st.(driver.StmtExecContext); ok {
		return x.ExecContext(ctx, args)
	}
	for _, a := range args {
		if a.Name != "" {
			return nil, errNamed
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return st.Exec(values(args)) //nolint:staticcheck // drivers without StmtExecContext
}

func stmtQuery(ctx context.Context, st driver.Stmt, args []driver.NamedValue) (driver.Rows, error) {
	if x, ok := st.(driver.StmtQueryContext); ok {
		return x.QueryContext(ctx, args)
	}
	for _, a := range args {
		if a.Name != "" {
			return nil, errNamed
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return st.Query(values(args)) //nolint:staticcheck // drivers without StmtQueryContext
}

// Close closes the cached statements, then the connection.
func (c *conn) Close() error {
	for e := c.head; e != nil; e = e.next {
		_ = e.st.Close()
	}
	c.head, c.tail, c.stmts = nil, nil, nil
	return c.Conn.Close()
}

// PrepareContext prepares a statement outside the cache (database/sql's
// own Prepare).
func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.prepare(ctx, query)
}

// BeginTx begins a transaction on the driver's connection.
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	if opts.Isolation != 0 || opts.ReadOnly {
		return nil, errors.New("sqldb: the driver does not support transaction options")
	}
	return c.Conn.Begin() //nolint:staticcheck // drivers without ConnBeginTx
}

// Ping pings the driver's connection (when it can).
func (c *conn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// ResetSession resets the driver's connection (when it can).
func (c *conn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

// IsValid reports whether the driver's connection is usable.
func (c *conn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// CheckNamedValue lets the driver convert arguments (database/sql's
// default conversion when it does not).
func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if v, ok := c.Conn.(driver.NamedValueChecker); ok {
		return v.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// rows are driver rows read from a cached statement (e, on c) or from one
// prepared for them alone (own); the column-type methods forward to the
// driver's with database/sql's defaults where it has none.
type rows struct {
	driver.Rows
	c   *conn
	e   *entry
	own driver.Stmt
}

func (r *rows) Close() error {
	err := r.Rows.Close()
	if e := r.e; e != nil {
		r.e = nil
		e.busy = false
		if e.dead {
			_ = e.st.Close()
		}
	}
	if r.own != nil {
		_ = r.own.Close()
		r.own = nil
	}
	return err
}

func (r *rows) ColumnTypeScanType(i int) reflect.Type {
	if x, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return x.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *rows) ColumnTypeDatabaseTypeName(i int) string {
	if x, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return x.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *rows) ColumnTypeLength(i int) (int64, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return x.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *rows) ColumnTypeNullable(i int) (bool, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return x.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *rows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return x.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *rows) HasNextResultSet() bool {
	if x, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return x.HasNextResultSet()
	}
	return false
}

func (r *rows) NextResultSet() error {
	if x, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return x.NextResultSet()
	}
	return io.EOF
}
