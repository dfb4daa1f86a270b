package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/conv"
	"github.com/dlayer/dlayer/spec"
)

func init() {
	dialects.Register(dialects.Driver{
		Schemes: []string{"postgres", "postgresql"},
		Dialect: func() dialects.Dialect { return Default() },
		Open: func(ctx context.Context, u string, opts dialects.PoolOptions) (dialects.Pool, error) {
			return OpenPool(ctx, u, opts)
		},
	})
}

// Pool runs SQL on a pgx connection pool, natively (extended protocol,
// prepared statement cache, binary formats). It is safe for concurrent use.
type Pool struct {
	pool  *pgxpool.Pool
	owned bool
	// pooler is set by ?pooler=transaction: statements that would leave
	// session state on a server connection are refused.
	pooler bool
	// lock is the migration lock mode the URL chose (see MigrationLock).
	lock string
}

var (
	_ dialects.Pool       = (*Pool)(nil)
	_ dialects.ArgEncoder = (*Pool)(nil)
	_ dialects.Unwrapper  = (*Pool)(nil)
	_ dialects.Copier     = (*Pool)(nil)
	_ dialects.Copier     = (*Tx)(nil)

	_ dialects.MigrationLockChooser = (*Pool)(nil)
)

// CopyFrom bulk-loads rows with COPY … FROM STDIN in binary format.
func (p *Pool) CopyFrom(ctx context.Context, table string, columns []string, rows [][]any) (int64, error) {
	if err := p.check(ctx); err != nil {
		return 0, err
	}
	return p.pool.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
}

// MigrationLock returns the migration lock mode chosen by the URL:
// ?migrate_lock=table or advisory, else "table" behind a transaction
// pooler (?pooler=transaction), else "" (the dialect's advisory lock).
func (p *Pool) MigrationLock() string {
	if p == nil {
		return ""
	}
	if p.lock == "" && p.pooler {
		return "table"
	}
	return p.lock
}

// OpenPool opens a pgxpool for a postgres:// or postgresql:// URL (any
// setting pgx understands may be given as a query parameter). MaxOpenConns
// sets pool_max_conns; MaxIdleConns has no pgx equivalent and is ignored.
// See ConnString for the URLs accepted. No error shows the password.
func OpenPool(ctx context.Context, url string, opts dialects.PoolOptions) (*Pool, error) {
	if ctx == nil {
		return nil, dialects.ErrNilContext
	}
	conn, err := ConnString(url)
	if err != nil {
		return nil, err
	}
	_, o, _ := cutOptions(url) // ConnString checked them
	cfg, err := pgxpool.ParseConfig(conn)
	if err != nil {
		return nil, openError(url, err)
	}
	if o.pooler == "transaction" {
		if err := poolerConfig(conn, cfg); err != nil {
			return nil, openError(url, err)
		}
	}
	if opts.MaxOpenConns > 0 {
		cfg.MaxConns = int32(opts.MaxOpenConns)
	}
	if opts.ConnMaxLifetime > 0 {
		cfg.MaxConnLifetime = opts.ConnMaxLifetime
	}
	if opts.ConnMaxIdleTime > 0 {
		cfg.MaxConnIdleTime = opts.ConnMaxIdleTime
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, openError(url, err)
	}
	p := &Pool{pool: pool, owned: true, pooler: o.pooler == "transaction", lock: o.lock}
	if opts.Lazy {
		return p, nil
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, openError(url, err)
	}
	return p, nil
}

// ConnString checks a postgres:// or postgresql:// URL and returns the
// connection string pgx is given. The URL must be unambiguous (see
// dialects.ParseURL): an '@', '/', '?' or '#' in the password is
// percent-encoded, so no part of it can be read as a host name (and sent
// to DNS) or a database name. URLs copied from SQLAlchemy work: a driver
// suffix (postgresql+psycopg2://, postgresql+asyncpg://, …) is ignored, and
// asyncpg's ssl=… parameter becomes sslmode (ssl=true is require). Strings
// that are not URLs (keyword/value connection strings such as "host=h
// dbname=d") are passed to pgx as they are.
func ConnString(url string) (string, error) {
	base, driver := dialects.SplitScheme(url)
	if base != "postgres" && base != "postgresql" {
		if dialects.Scheme(url) == "" {
			return url, nil
		}
		return "", fmt.Errorf("not a postgres URL: %q", dialects.Redact(url))
	}
	u, err := dialects.ParseURL(url)
	if err != nil {
		return "", openError(url, err)
	}
	full := url
	if url, _, err = cutOptions(url); err != nil {
		return "", openError(full, err)
	}
	if u, err = dialects.ParseURL(url); err != nil {
		return "", openError(full, err)
	}
	if q := u.Query(); driver == "asyncpg" && q.Has("ssl") {
		v := q.Get("ssl")
		q.Del("ssl")
		switch strings.ToLower(v) {
		case "true", "1", "on", "yes":
			v = "require"
		case "false", "0", "off", "no":
			v = "disable"
		}
		if !q.Has("sslmode") {
			q.Set("sslmode", v)
		}
		// Replace the query only: u.String() would re-encode the rest.
		url = url[:strings.IndexByte(url, '?')+1] + q.Encode()
	}
	return dialects.WithScheme(url, "postgresql"), nil
}

// openError says which database failed to open, without its password.
func openError(url string, err error) error {
	return dialects.RedactError(fmt.Errorf("open %s: %w", dialects.Redact(url), err), url)
}

// Wrap adapts a pool the application already has. The caller keeps
// ownership: Close leaves it open.
func Wrap(p *pgxpool.Pool) *Pool { return &Pool{pool: p} }

// Unwrap returns the *pgxpool.Pool.
func (p *Pool) Unwrap() any { return p.pool }

// check reports why p cannot run anything with ctx, if it cannot.
func (p *Pool) check(ctx context.Context) error {
	switch {
	case p == nil || p.pool == nil:
		return dialects.ErrNilQueryer
	case ctx == nil:
		return dialects.ErrNilContext
	}
	return nil
}

// Exec runs a statement that returns no rows.
func (p *Pool) Exec(ctx context.Context, sql string, args ...any) (dialects.Result, error) {
	if err := p.check(ctx); err != nil {
		return dialects.Result{}, err
	}
	if p.pooler {
		if err := checkPooled(sql, false); err != nil {
			return dialects.Result{}, err
		}
	}
	return execOn(ctx, p.pool, sql, args)
}

// Query runs a statement that returns rows.
func (p *Pool) Query(ctx context.Context, sql string, args ...any) (dialects.Rows, error) {
	if err := p.check(ctx); err != nil {
		return nil, err
	}
	if p.pooler {
		if err := checkPooled(sql, false); err != nil {
			return nil, err
		}
	}
	return queryOn(ctx, p.pool, sql, args)
}

// Ping checks the server is reachable.
func (p *Pool) Ping(ctx context.Context) error {
	if err := p.check(ctx); err != nil {
		return err
	}
	return p.pool.Ping(ctx)
}

// closeWait bounds how long Close waits for connections still in use.
const closeWait = 3 * time.Second

// Close closes the pool when it was opened by OpenPool. pgxpool's Close
// waits for every acquired connection to be released (an open transaction
// or unclosed rows holds one): Close waits at most closeWait for that, then
// returns an error naming how many connections are still in use, and the
// pool finishes closing in the background when they are released.
func (p *Pool) Close() error {
	if p == nil || p.pool == nil || !p.owned {
		return nil
	}
	done := make(chan struct{})
	go func() {
		p.pool.Close()
		close(done)
	}()
	t := time.NewTimer(closeWait)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
		return fmt.Errorf("close pool: %d connections still in use (an open transaction or unclosed rows) after %s; they are closed when released",
			p.pool.Stat().AcquiredConns(), closeWait)
	}
}

var isoLevels = map[string]pgx.TxIsoLevel{
	"":                 "",
	"read uncommitted": pgx.ReadUncommitted,
	"read committed":   pgx.ReadCommitted,
	"repeatable read":  pgx.RepeatableRead,
	"serializable":     pgx.Serializable,
}

// Begin starts a transaction. It takes a connection from the pool but
// sends nothing: the BEGIN goes to the server with the transaction's first
// statement, in the same pgx batch (one round trip where an eager BEGIN
// cost two), and a transaction that runs no statement sends neither BEGIN
// nor COMMIT (see Tx).
func (p *Pool) Begin(ctx context.Context, opts dialects.TxOptions) (dialects.Tx, error) {
	if err := p.check(ctx); err != nil {
		return nil, err
	}
	begin, ok := beginSQL[opts.Isolation]
	if !ok {
		return nil, fmt.Errorf("unknown isolation level %q", opts.Isolation)
	}
	if opts.ReadOnly {
		begin += " read only"
	}
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	return &Tx{conn: conn, begin: begin, opts: opts, pooler: p.pooler}, nil
}

// DefersBegin reports that Begin sends nothing (see Tx).
func (p *Pool) DefersBegin() bool { return true }

// beginSQL is the BEGIN statement of each isolation level.
var beginSQL = map[string]string{
	"":                 "begin",
	"read uncommitted": "begin isolation level read uncommitted",
	"read committed":   "begin isolation level read committed",
	"repeatable read":  "begin isolation level repeatable read",
	"serializable":     "begin isolation level serializable",
}

// EncodeArgs converts bound values where pgx's own encoding would not match
// the column type: a time.Time bound to a time-of-day column becomes its
// "15:04:05.999999" text. pgx itself keeps the wall clock of a time.Time
// bound to timestamp (without time zone) and the instant for timestamptz,
// takes [16]byte or text for uuid, and marshals JSON values.
func (p *Pool) EncodeArgs(args []any, types []*spec.Type) ([]any, error) {
	var out []any
	for i, a := range args {
		if i >= len(types) || types[i] == nil || types[i].Kind != spec.TypeTime {
			continue
		}
		if t, ok := a.(time.Time); ok {
			if out == nil {
				out = append([]any(nil), args...)
			}
			out[i] = t.Format("15:04:05.999999")
		}
	}
	if out == nil {
		return args, nil
	}
	return out, nil
}

type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func execOn(ctx context.Context, q querier, sql string, args []any) (dialects.Result, error) {
	ct, err := q.Exec(ctx, sql, args...)
	if err != nil {
		return dialects.Result{}, err
	}
	return dialects.Result{RowsAffected: ct.RowsAffected()}, nil
}

func queryOn(ctx context.Context, q querier, sql string, args []any) (dialects.Rows, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return &Rows{rows: rows}, nil
}

var (
	_ dialects.Batcher   = (*Tx)(nil)
	_ dialects.LazyBegin = (*Tx)(nil)
)

// Tx is a transaction on a pgx connection. Its BEGIN is deferred: Begin
// acquires the connection, and the first Exec or ExecBatch sends BEGIN and
// the statement(s) as one pgx batch, in one round trip. A first Query or
// CopyFrom sends BEGIN on its own first. Commit or Rollback of a
// transaction that never sent BEGIN only returns the connection to the
// pool: nothing ran, there is nothing to end.
type Tx struct {
	conn *pgxpool.Conn
	// begin is the BEGIN statement still to send ("" once sent).
	begin string
	opts  dialects.TxOptions
	// tx is the pgx transaction Unwrap handed out; from then on every
	// statement, Commit and Rollback go through it.
	tx     pgx.Tx
	done   bool
	pooler bool
	// batch is reused for the first statement and its BEGIN.
	batch pgx.Batch
}

// beginNow sends the pending BEGIN on its own.
func (t *Tx) beginNow(ctx context.Context) error {
	if t.begin == "" {
		return nil
	}
	if _, err := t.conn.Exec(ctx, t.begin); err != nil {
		return err
	}
	t.begin = ""
	return nil
}

// BeginPending reports that BEGIN is not sent yet (dialects.LazyBegin).
func (t *Tx) BeginPending() bool { return t.begin != "" && t.tx == nil && !t.done }

// SendBegin sends the pending BEGIN on its own (dialects.LazyBegin).
func (t *Tx) SendBegin(ctx context.Context) error {
	if err := t.usable(); err != nil {
		return err
	}
	return t.beginNow(ctx)
}

// q returns what statements run on: the connection (BEGIN already sent) or
// the unwrapped pgx transaction.
func (t *Tx) q() querier {
	if t.tx != nil {
		return t.tx
	}
	return t.conn
}

func (t *Tx) usable() error {
	if t.done {
		return pgx.ErrTxClosed
	}
	return nil
}

// Exec runs a statement in the transaction; the first one carries BEGIN.
func (t *Tx) Exec(ctx context.Context, sql string, args ...any) (dialects.Result, error) {
	if err := t.usable(); err != nil {
		return dialects.Result{}, err
	}
	if t.pooler {
		if err := checkPooled(sql, true); err != nil {
			return dialects.Result{}, err
		}
	}
	if t.begin != "" && t.tx == nil {
		if len(args) == 0 {
			// pgx sends a statement without arguments as a simple
			// query, which may hold several statements (a migration's
			// SQL): BEGIN goes in front of it in the same message.
			begin := t.begin
			t.begin = "" // sent: ending the transaction sends COMMIT or ROLLBACK
			return execOn(ctx, t.conn, begin+";\n"+sql, nil)
		}
		b := &t.batch
		b.QueuedQueries = b.QueuedQueries[:0]
		b.Queue(t.begin)
		b.Queue(sql, args...)
		t.begin = "" // sent: ending the transaction sends COMMIT or ROLLBACK
		br := t.conn.SendBatch(ctx, b)
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return dialects.Result{}, err
		}
		ct, err := br.Exec()
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return dialects.Result{}, err
		}
		return dialects.Result{RowsAffected: ct.RowsAffected()}, nil
	}
	return execOn(ctx, t.q(), sql, args)
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, sql string, args ...any) (dialects.Rows, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	if t.pooler {
		if err := checkPooled(sql, true); err != nil {
			return nil, err
		}
	}
	if t.begin != "" && t.tx == nil {
		// BEGIN and the query in one batch; the rows close the batch.
		b := &t.batch
		b.QueuedQueries = b.QueuedQueries[:0]
		b.Queue(t.begin)
		b.Queue(sql, args...)
		t.begin = "" // sent: ending the transaction sends COMMIT or ROLLBACK
		br := t.conn.SendBatch(ctx, b)
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, err
		}
		rows, err := br.Query()
		if err != nil {
			_ = br.Close()
			return nil, err
		}
		return &Rows{rows: rows, batch: br}, nil
	}
	return queryOn(ctx, t.q(), sql, args)
}

// CopyFrom bulk-loads rows inside the transaction.
func (t *Tx) CopyFrom(ctx context.Context, table string, columns []string, rows [][]any) (int64, error) {
	if err := t.usable(); err != nil {
		return 0, err
	}
	if err := t.beginNow(ctx); err != nil {
		return 0, err
	}
	if t.tx != nil {
		return t.tx.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
	}
	return t.conn.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
}

// ExecBatch sends the statements as one pgx batch: one round trip (see
// dialects.Batcher), which also carries the pending BEGIN.
func (t *Tx) ExecBatch(ctx context.Context, sqls []string, args [][]any) ([]dialects.Result, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	if len(sqls) != len(args) {
		return nil, fmt.Errorf("batch: %d statements with %d argument lists", len(sqls), len(args))
	}
	b := &pgx.Batch{}
	begin := t.begin != "" && t.tx == nil
	if begin {
		b.Queue(t.begin)
	}
	for i, sql := range sqls {
		if t.pooler {
			if err := checkPooled(sql, true); err != nil {
				return nil, err
			}
		}
		b.Queue(sql, args[i]...)
	}
	var br pgx.BatchResults
	if t.tx != nil {
		br = t.tx.SendBatch(ctx, b)
	} else {
		br = t.conn.SendBatch(ctx, b)
	}
	if begin {
		// BEGIN was sent: from here on the connection is in a
		// transaction (or lost), and ending it sends COMMIT or ROLLBACK.
		t.begin = ""
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, err
		}
	}
	out := make([]dialects.Result, 0, len(sqls))
	for range sqls {
		ct, err := br.Exec()
		if err != nil {
			_ = br.Close()
			return out, err
		}
		out = append(out, dialects.Result{RowsAffected: ct.RowsAffected()})
	}
	return out, br.Close()
}

// Commit commits the transaction (a transaction that sent nothing only
// returns its connection).
func (t *Tx) Commit(ctx context.Context) error {
	return t.end(ctx, "commit")
}

// Rollback rolls the transaction back (a transaction that sent nothing
// only returns its connection).
func (t *Tx) Rollback(ctx context.Context) error {
	return t.end(ctx, "rollback")
}

// end sends COMMIT or ROLLBACK and returns the connection to the pool, as
// pgx's own transaction does: a connection whose COMMIT or ROLLBACK failed
// is closed, so the pool never hands out a connection left in a
// transaction (pgxpool also destroys any connection released while not
// idle).
func (t *Tx) end(ctx context.Context, verb string) error {
	if t.done {
		return pgx.ErrTxClosed
	}
	t.done = true
	defer t.conn.Release()
	if t.tx != nil {
		if verb == "commit" {
			return t.tx.Commit(ctx)
		}
		return t.tx.Rollback(ctx)
	}
	if t.begin != "" {
		return nil // nothing was sent
	}
	ct, err := t.conn.Exec(ctx, verb)
	if err != nil {
		if verb == "rollback" || t.conn.Conn().PgConn().TxStatus() != 'I' {
			_ = t.conn.Conn().Close(ctx)
		}
		if verb == "rollback" {
			return fmt.Errorf("rollback failed: %w", err)
		}
		return err
	}
	if verb == "commit" && ct.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

// Unwrap returns the transaction as a pgx.Tx. A transaction whose BEGIN is
// still pending sends it now, through pgx (one round trip); one whose BEGIN
// went with a statement is handed out by sending BEGIN again inside it,
// which PostgreSQL answers with a warning and no effect. Either way the
// pgx.Tx and this transaction are one and the same from then on. It
// returns nil when that BEGIN fails or the transaction is finished.
func (t *Tx) Unwrap() any {
	if t.tx != nil {
		return t.tx
	}
	if t.done {
		return nil
	}
	o := pgx.TxOptions{IsoLevel: isoLevels[t.opts.Isolation]}
	if t.opts.ReadOnly {
		o.AccessMode = pgx.ReadOnly
	}
	tx, err := t.conn.BeginTx(context.Background(), o)
	if err != nil {
		return nil
	}
	t.tx, t.begin = tx, ""
	return tx
}

// Rows is a pgx result. Scanning into typed pointers goes straight to pgx;
// an *any destination gets a normalised value: integers as int64, floats as
// float64, numeric as its exact decimal string, uuid as its 36-character
// string, json/jsonb as json.RawMessage, time of day as "15:04:05.999999".
type Rows struct {
	rows pgx.Rows
	// batch is the batch the rows came from (a query that carried its
	// transaction's BEGIN), closed with them.
	batch pgx.BatchResults
	cols  []string
	alt   []any
	strs  []*string
	bytes [][]byte
	// decs holds the declared type of each numeric(p,s) column (nil
	// elsewhere); decsDone says it was built.
	decs     []*spec.Type
	decsDone bool
}

// Next advances to the next row.
func (r *Rows) Next() bool { return r.rows.Next() }

// Err returns the error that ended iteration.
func (r *Rows) Err() error { return r.rows.Err() }

// Close closes the rows.
func (r *Rows) Close() error {
	r.rows.Close()
	if r.batch != nil {
		b := r.batch
		r.batch = nil
		return b.Close()
	}
	return nil
}

// Columns returns the result column names. A query that failed before
// its result was described has none until Next reports the error; an empty
// list is not kept, so a later call sees the columns once they are known.
func (r *Rows) Columns() []string {
	if len(r.cols) == 0 {
		fds := r.rows.FieldDescriptions()
		r.cols = make([]string, len(fds))
		for i, fd := range fds {
			r.cols[i] = fd.Name
		}
	}
	return r.cols
}

// Unwrap returns the pgx.Rows.
func (r *Rows) Unwrap() any { return r.rows }

// Scan copies the current row into dest.
func (r *Rows) Scan(dest ...any) error {
	anyAt := -1
	for i, d := range dest {
		if _, ok := d.(*any); ok {
			anyAt = i
			break
		}
	}
	var err error
	if anyAt < 0 {
		err = r.rows.Scan(dest...)
	} else {
		err = r.scanAny(dest)
	}
	if err == nil {
		r.numericText(dest)
	}
	return err
}

// numericText writes numeric(p,s) values read as text in the column's
// scale (conv.Decimal): pgx prints a zero without its scale ("0" for
// 0.0000).
func (r *Rows) numericText(dest []any) {
	if !r.decsDone {
		r.decsDone = true
		for i, fd := range r.rows.FieldDescriptions() {
			if fd.DataTypeOID != pgtype.NumericOID || fd.TypeModifier < 4 {
				continue
			}
			if r.decs == nil {
				r.decs = make([]*spec.Type, len(dest))
			}
			m := fd.TypeModifier - 4
			r.decs[i] = &spec.Type{Kind: spec.TypeDecimal, Precision: int(m >> 16 & 0xffff), Scale: int(m & 0xffff)}
		}
	}
	for i, t := range r.decs {
		if t == nil || i >= len(dest) {
			continue
		}
		switch d := dest[i].(type) {
		case *string:
			if v, err := conv.Decimal(*d, t); err == nil {
				*d = v
			}
		case **string:
			if *d != nil {
				if v, err := conv.Decimal(**d, t); err == nil {
					**d = v
				}
			}
		case *any:
			if s, ok := (*d).(string); ok {
				if v, err := conv.Decimal(s, t); err == nil {
					*d = v
				}
			}
		}
	}
}

const (
	kindPlain = iota
	kindString
	kindJSON
	kindTime
)

func oidKind(oid uint32) int {
	switch oid {
	case pgtype.NumericOID, pgtype.UUIDOID:
		return kindString
	case pgtype.JSONOID, pgtype.JSONBOID:
		return kindJSON
	case pgtype.TimeOID:
		return kindTime
	}
	return kindPlain
}

func (r *Rows) scanAny(dest []any) error {
	fds := r.rows.FieldDescriptions()
	if len(dest) != len(fds) {
		return fmt.Errorf("scan: %d destinations for %d columns", len(dest), len(fds))
	}
	if r.alt == nil {
		r.alt = make([]any, len(dest))
		r.strs = make([]*string, len(dest))
		r.bytes = make([][]byte, len(dest))
	}
	for i, d := range dest {
		r.alt[i] = d
		if _, ok := d.(*any); !ok {
			continue
		}
		switch oidKind(fds[i].DataTypeOID) {
		case kindString:
			r.alt[i] = &r.strs[i]
		case kindJSON:
			r.alt[i] = &r.bytes[i]
		case kindTime:
			r.alt[i] = &pgTime{}
		}
	}
	if err := r.rows.Scan(r.alt...); err != nil {
		return err
	}
	for i, d := range dest {
		p, ok := d.(*any)
		if !ok {
			continue
		}
		switch oidKind(fds[i].DataTypeOID) {
		case kindString:
			if s := r.strs[i]; s != nil {
				*p = *s
			} else {
				*p = nil
			}
		case kindJSON:
			if b := r.bytes[i]; b != nil {
				*p = json.RawMessage(b)
				r.bytes[i] = nil
			} else {
				*p = nil
			}
		case kindTime:
			*p = r.alt[i].(*pgTime).value()
		default:
			*p = conv.Normalize(*p)
		}
	}
	return nil
}

// pgTime receives a time-of-day value.
type pgTime struct{ t pgtype.Time }

func (p *pgTime) ScanTime(v pgtype.Time) error { p.t = v; return nil }

func (p *pgTime) value() any {
	if !p.t.Valid {
		return nil
	}
	us := p.t.Microseconds
	d := time.Duration(us) * time.Microsecond
	return time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Add(d).Format("15:04:05.999999")
}
