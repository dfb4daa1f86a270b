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
//	decimal                    string, exactly (no float rounding); float64 if you accept rounding
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
//     wall-clock rule; dates as "2006-01-02".
//
// Connections: Open takes pool settings (WithPool, WithMaxOpenConns, …);
// New wraps a handle the application already has (postgres.Wrap of a
// *pgxpool.Pool, mysql.Wrap or sqlite.Wrap of a *sql.DB), which Close then
// leaves open. BulkInsert loads many rows at once (COPY on PostgreSQL).
//
// Observability: WithLogger logs every round trip through log/slog with its
// SQL text, duration and row count (argument values only with WithLogArgs);
// WithTracer calls a Tracer around each round trip, for OpenTelemetry-style
// spans.
package engine
