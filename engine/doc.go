// Package engine runs dlayer's Core statements (package stmt) on a
// database: the Engine owns a connection pool and a dialect, compiles
// statements with the dialect and executes them, and maps results to
// dynamic Records or to the application's own structs (All, One, First,
// Scalar, Stream).
//
// An Engine is safe for concurrent use by many goroutines; open one per
// database and share it. A Tx is not: use it from one goroutine.
//
// Engine never imports a concrete dialect. Open finds the dialect for a URL
// in the registry that the dialect packages fill when imported:
//
//	import _ "github.com/dlayer/dlayer/dialects/sqlite"
//
// or use the root package dlayer, which imports all of them.
//
// Errors are normalised across databases: ErrNotFound (which also matches
// sql.ErrNoRows), *ConstraintError for unique, foreign-key, not-null and
// check violations, IsRetryable for deadlocks and serialization failures,
// and context errors passed through so errors.Is(err,
// context.DeadlineExceeded) holds after a timed-out query.
//
// Values and Go types. Every builtin column type maps to Go types that
// round-trip on SQLite, PostgreSQL and MySQL/MariaDB:
//
//	integer, bigint, smallint  int64 (any integer type; uint64 above MaxInt64 is an error)
//	float, double              float64 / float32
//	decimal                    string in the column's scale ("100.50"), exactly (no float
//	                           rounding; SQLite: to 15 significant digits); float64 if you
//	                           accept rounding
//	string, text, enum         string
//	boolean                    bool (SQLite and MySQL store 0/1 integers)
//	date                       time.Time (midnight UTC)
//	time                       string "15:04:05.999999"
//	timestamp (timezone: true) time.Time: the instant is kept, read back in UTC
//	timestamp                  time.Time: the wall clock is kept (read back as that wall clock in UTC)
//	uuid                       string (36 characters) or [16]byte
//	json                       json.RawMessage, []byte, string, or any type encoding/json decodes into
//	bytes                      []byte
//
// A nullable column scans into a pointer field (*string), an sql.Null type,
// or a map, slice or interface (nil); NULL into any other non-pointer field
// is an error that names the column.
//
// How each database stores times:
//
//   - PostgreSQL: timestamptz keeps the instant (read back in UTC);
//     timestamp keeps the wall clock of the Go value, ignoring its zone;
//     microsecond precision.
//   - MySQL/MariaDB: DATETIME(6) for both; the session time zone is UTC, a
//     timestamp with time zone is stored as its UTC instant and one without
//     as its wall clock; microsecond precision.
//   - SQLite: text "2006-01-02 15:04:05.000000000Z" in UTC (fixed width, so
//     text order is time order), nanosecond precision; the same instant /
//     wall-clock rule; dates as "2006-01-02". A time.Time bound to raw SQL
//     (stmt.Text) has no column type and is bound in the timestamp form, so
//     it matches timestamp columns. A time at midnight compared in the text
//     with a column that is a date column in the engine's schema ("day =
//     :d", ":d <= o.day", "day BETWEEN :a AND :b") is bound as a date, so
//     "WHERE day = :d" matches on every database. Elsewhere (a column the
//     schema does not know, an expression) write date(:d), which
//     PostgreSQL and MySQL accept too, or bind
//     stmt.Typed(t, &spec.Type{Kind: spec.TypeDate}) to get "2006-01-02".
//
// Connections: Open takes pool settings (WithPool, WithMaxOpenConns, …);
// New wraps a handle the application already has (postgres.Wrap of a
// *pgxpool.Pool, mysql.Wrap or sqlite.Wrap of a *sql.DB), which Close then
// leaves open. BulkInsert loads many rows at once (COPY on PostgreSQL).
// Open checks that the server answers, unless WithLazyConnect (for a read
// replica that may be down when the application starts).
//
// Observability: WithLogger logs every round trip through log/slog with its
// SQL text, duration and row count (argument values only with WithLogArgs);
// WithTracer calls a Tracer around each round trip, for OpenTelemetry-style
// spans. Both name the server (WithName; by default the URL's host and
// port) and the route a router gave the statement (WithRoute).
//
// # Values in error messages
//
// Databases quote values in their error messages: MySQL and MariaDB write
// "Duplicate entry 'TOKEN-…' for key …" and "Incorrect integer value: 'pw…'
// for column …", PostgreSQL `invalid input syntax for type integer: "…"`
// (and, in an error's Detail, "Key (email)=(…) already exists"), pgx prints
// a value it cannot encode. dlayer's choice, as a security reviewer would
// want it:
//
//   - The log never shows them unless asked: without WithLogArgs the error
//     text of a failed statement is logged redacted — each dialect replaces
//     the values its database quotes (dialects.ErrorRedactor), and any bound
//     text value of four bytes or more still found in the text, verbatim or
//     Go-quoted, is replaced too. Constraint, table and column names stay.
//   - Returned errors keep the database's message, values included: the
//     error is the application's, which needs it to tell a user which value
//     was refused. So do not send err.Error() to a client or a shared log
//     as is. Engine.Redact(err) gives the text as the log shows it, and
//     ConstraintError.Safe() the violation without the database's message
//     (kind, constraint, table, columns). A Tracer's end function gets the
//     full error: redact it with Engine.Redact before exporting it.
//   - SQL text never holds values (they are bound parameters), so the
//     statement shown in logs and errors is safe — unless raw text
//     (stmt.Text) writes a value as a literal instead of a :name parameter:
//     then it is part of the SQL, and logged. Tracer QueryInfo.Args holds
//     the values, for the Tracer to export or not.
//
// # Transactions and contexts
//
// A transaction belongs to its owner (the code holding the *Tx, or an
// orm.Session), not to the context that began it: the context given to
// Begin bounds the begin only, each statement obeys its own context, and
// Commit and Rollback theirs. This is so on every database; database/sql
// would otherwise roll a MySQL/MariaDB or SQLite transaction back as soon
// as the context of BeginTx ended, so that Flush under a timeout followed by
// Commit with a fresh context failed on MySQL alone. A statement cancelled
// while it runs is aborted by the database, and on PostgreSQL and
// MySQL/MariaDB the transaction with it: roll back and retry. Commit with a
// context already ended fails and rolls back.
//
// # Isolation, read-only and retries
//
// Engine.Transaction takes options: WithIsolation (ReadCommitted,
// RepeatableRead, Serializable, ReadUncommitted), WithReadOnly,
// WithTxOptions, and WithRetry. PostgreSQL begins with BEGIN ISOLATION
// LEVEL … [READ ONLY]; MySQL/MariaDB with SET TRANSACTION ISOLATION LEVEL
// … then START TRANSACTION [READ ONLY]; SQLite is always serializable
// (every level is accepted; an unknown name is an error) and runs a
// read-only transaction under PRAGMA query_only, reset when it ends, so a
// write in it fails on every database.
//
// WithRetry(RetryPolicy{…}) runs the whole function again, in a new
// transaction, after a failure IsRetryable reports: a serialization
// failure (PostgreSQL 40001, which CockroachDB and YugabyteDB use for their
// "restart transaction" errors; MariaDB 1020; TiDB 8002, 8005, 8022, 8028,
// 9007), a deadlock (40P01, MySQL 1213, which Galera uses for certification
// failures), a lock wait timeout (55P03, MySQL 1205) or a busy SQLite
// database — from a statement, the function's returned error, or COMMIT.
// Delays grow exponentially from BaseDelay to MaxDelay with jitter; a
// context that ends stops the retries. Retry is the same loop for
// transactions managed by hand.
//
// MySQL's 1205 undoes only the statement that waited (unless the server
// runs with innodb_rollback_on_timeout): the transaction is still open
// with its earlier work and locks. The retry loop rolls the whole
// transaction back before running it again, which makes retrying safe;
// code that catches 1205 and carries on must not assume the rest was undone.
//
// A failed COMMIT says what became of the transaction: ErrRolledBack when
// the database refused it (a serialization failure or deadlock found at
// COMMIT, which is also retryable; a deferred constraint; a context that
// had ended before COMMIT was sent, in which case ROLLBACK is sent), and
// ErrCommitOutcomeUnknown when no answer came (a lost connection, a
// context that ended while COMMIT ran): then the transaction may or may
// not be committed, and it is never retried.
//
// # Closing
//
// Close stops new work (ErrClosed), rolls back every transaction still open
// (begun with Begin, or by a Session never committed or closed), logs a
// warning for each through the engine's logger and returns an error
// matching ErrTxAbandoned that lists them; such a transaction then answers
// an error matching both ErrTxDone and ErrClosed. A transaction running a
// statement or with rows open is waited for two seconds, then left to its
// owner; result sets never closed are reported. Close returns within a few
// seconds on every database (pgxpool's own Close waits forever for
// connections in use; dlayer's PostgreSQL pool gives up after three
// seconds, says how many connections are still in use, and lets them close
// when released).
//
// # Raw SQL text
//
// stmt.Text is the one entry point for SQL written by hand; values are
// bound :name parameters. A text may hold several statements separated by
// ";": PostgreSQL runs them all when the text has no arguments (the simple
// protocol), SQLite runs them all in any case, and MySQL/MariaDB refuse
// them (dlayer keeps multiStatements off). WithSingleStatementText refuses
// such text on every database before it is sent, with an error matching
// ErrMultipleStatements; use it when any part of the text is not a
// constant. An empty text is an error; a text holding only a comment is no
// statement, and runs as nothing.
//
// # Bad input
//
// No exported function panics on a nil, empty, closed or cancelled
// argument: a nil context, a nil Querier or statement, a nil or closed
// Engine, a finished Tx or closed Rows are errors.
package engine
