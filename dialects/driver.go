package dialects

import (
	"context"
	"time"

	"github.com/dlayer/dlayer/spec"
)

// Queryer runs SQL text with bound arguments. SQL placeholders are already in
// the dialect's form ($1 or ?).
type Queryer interface {
	Exec(ctx context.Context, sql string, args ...any) (Result, error)
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
}

// Result reports the outcome of an Exec.
type Result struct {
	RowsAffected int64
	// LastInsertID is set where the dialect has the LastInsertID feature.
	LastInsertID int64
}

// Rows is a forward-only cursor. Scan destinations are pointers the driver
// understands natively (*int64, *string, *[]byte, *time.Time, *float64,
// *bool, *any and pointers to those for NULL).
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Columns() []string
	Err() error
	Close() error
}

// ReleasableRows is implemented by Rows whose buffers can be reused once
// their one owner is done with them. Release closes the rows (returning
// Close's error) and hands the buffers back; the Rows must not be used
// afterwards, not even closed again. The engine calls it in place of Close
// when its own Rows is closed.
type ReleasableRows interface {
	Rows
	Release() error
}

// TxOptions configures a transaction.
type TxOptions struct {
	ReadOnly bool
	// Isolation is a dialect-neutral level name: "" (the database's
	// default), "read uncommitted", "read committed", "repeatable read",
	// "serializable"; another name is an error at Begin. SQLite accepts
	// them all and is always serializable.
	Isolation string
}

// Tx is a database transaction.
type Tx interface {
	Queryer
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// Batcher is implemented by transactions that can send several statements
// in one round trip (PostgreSQL's pipeline). ExecBatch runs sqls[i] with
// args[i] in order and returns the result of each statement that ran; at
// the first failure it returns the results before it and that statement's
// error (the database runs none after it, and the transaction is then
// aborted).
type Batcher interface {
	ExecBatch(ctx context.Context, sqls []string, args [][]any) ([]Result, error)
}

// LazyBegin is implemented by transactions that defer their BEGIN
// (PostgreSQL): Begin sends nothing, the first Exec or ExecBatch carries
// BEGIN in its own round trip, and a Commit or Rollback before any
// statement sends nothing. BeginPending reports that BEGIN is not sent
// yet; SendBegin sends it now, on its own. A pool whose transactions defer
// BEGIN has a method DefersBegin() bool that returns true, so the engine
// reports no "begin" round trip at Begin.
type LazyBegin interface {
	BeginPending() bool
	SendBegin(ctx context.Context) error
}

// Pool is a pool of connections: the Engine's handle on a database. It is
// safe for concurrent use. The context given to Begin bounds the begin
// only (waiting for a connection, BEGIN): the transaction must not end with
// it, but live until Commit or Rollback (each statement obeys its own
// context).
type Pool interface {
	Queryer
	Begin(ctx context.Context, opts TxOptions) (Tx, error)
	Ping(ctx context.Context) error
	Close() error
}

// PoolOptions are the pool settings common to every driver. Zero values mean
// the driver's defaults.
type PoolOptions struct {
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	ConnMaxIdleTime time.Duration
	// Lazy skips the check that the server answers when the pool is
	// opened: connections are made on first use, so a server that is down
	// at start (a read replica) fails its first statement, not Open
	// (PostgreSQL, MySQL; SQLite opens its file at once regardless).
	Lazy bool
}

// ArgEncoder is implemented by pools that must convert bound values for the
// column type they are bound against (types[i] may be nil when unknown). It
// returns the converted arguments, reusing args when nothing changes.
type ArgEncoder interface {
	EncodeArgs(args []any, types []*spec.Type) ([]any, error)
}

// Unwrapper is implemented by pools and transactions that expose their
// driver handle (*sql.DB, *sql.Conn, *pgxpool.Pool, pgx.Tx).
type Unwrapper interface {
	Unwrap() any
}

// Copier is implemented by pools and transactions with a bulk-load
// protocol (PostgreSQL COPY FROM STDIN, binary format). Names are
// unquoted; the driver quotes them.
type Copier interface {
	CopyFrom(ctx context.Context, table string, columns []string, rows [][]any) (int64, error)
}

// ServerDialecter is implemented by pools whose dialect depends on the
// server they reached (MariaDB ≥ 10.5 has INSERT … RETURNING, MySQL does
// not; a server's settings decide whether a multi-row INSERT's keys are
// consecutive). Open returns ServerDialect instead of the driver's default
// dialect when it is not nil.
type ServerDialecter interface {
	ServerDialect() Dialect
}

// StatementInvalidator is implemented by pools whose connections keep
// prepared statements (SQLite and MySQL/MariaDB opened by URL). The engine
// calls InvalidateStatements after DDL it runs (CreateAll, DropAll, raw
// CREATE/ALTER/DROP/RENAME/TRUNCATE text) and migrate after applying
// migrations, so every connection prepares its statements again.
type StatementInvalidator interface {
	InvalidateStatements()
}
