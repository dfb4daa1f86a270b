package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/conv"
	"github.com/dlayer/dlayer/internal/sqldb"
	"github.com/dlayer/dlayer/spec"
)

// BusyTimeout is how long a connection waits for a lock held by another
// connection before failing with SQLITE_BUSY.
const BusyTimeout = 5 * time.Second

func init() {
	dialects.Register(dialects.Driver{
		Schemes: []string{"sqlite", "sqlite3"},
		Dialect: func() dialects.Dialect { return Default() },
		Open: func(ctx context.Context, u string, opts dialects.PoolOptions) (dialects.Pool, error) {
			return OpenPool(ctx, u, opts)
		},
	})
}

// DSN turns a dlayer SQLite URL into a modernc.org/sqlite data source name
// with dlayer's connection settings. It reports whether the database lives
// in memory. Accepted forms, with SQLAlchemy's meaning for the ones with
// "//" (so a URL copied from a Python project opens the same file):
//
//	sqlite://                  a private in-memory database (per Open)
//	sqlite:///:memory:         the same
//	sqlite::memory:            the same
//	sqlite:///data/app.db      data/app.db, relative to the working directory
//	sqlite:////var/db/app.db   /var/db/app.db, an absolute path
//	sqlite:data/app.db         data/app.db, relative
//	sqlite:/var/db/app.db      /var/db/app.db, absolute
//	sqlite:file:app.db?mode=ro an SQLite URI; "file:" is dropped
//
// The scheme may be sqlite3: or carry a SQLAlchemy driver suffix
// (sqlite+pysqlite://, sqlite+aiosqlite://), which is ignored;
// sqlite+pysqlcipher (encrypted databases) is refused. A host or user after
// "//" (sqlite://app.db) is refused, as SQLAlchemy does. The path is taken
// literally (no %-decoding). Query parameters after the path are passed to
// the driver, except SQLAlchemy's uri, check_same_thread, cached_statements
// and detect_types, which are dropped, and timeout (seconds), which sets
// busy_timeout. Every connection gets foreign_keys=ON, busy_timeout, the
// double-quoted string literal quirk off (_dqs=0) and, for files, WAL
// journaling with synchronous=NORMAL.
//
// ":memory:" (or mode=memory) gives a private database that lives as long
// as the pool, stored in a temporary file (see OpenPool) so that pooled
// connections share it with WAL concurrency: readers are not blocked by an
// open write transaction. SQLite's own in-memory options do not allow that
// — a plain ":memory:" is private to one connection, a shared-cache
// database has table locks that ignore busy_timeout, and the memdb VFS
// blocks every reader while a write transaction is open — and a pool of one
// connection deadlocks a program that queries while it holds a transaction.
// For the temporary file DSN returns "" and memory=true.
func DSN(rawURL string) (dsn string, memory bool, err error) {
	loc, err := parseURL(rawURL)
	if err != nil {
		return "", false, err
	}
	if loc.memory {
		return "", true, nil
	}
	return fileDSN(loc.path, loc.query, "NORMAL"), false, nil
}

// location is what an SQLite URL names.
type location struct {
	path   string
	memory bool
	query  url.Values
	// slashes is set for the sqlite:///path form (SQLAlchemy's relative
	// path).
	slashes bool
	// cache is how many prepared statements each connection keeps.
	cache int
}

// forms lists the URL forms for error messages.
const forms = "sqlite:///relative/path.db, sqlite:////absolute/path.db, sqlite:path.db or sqlite::memory:"

// sqlalchemyParams are SQLAlchemy's and pysqlite's query parameters that
// mean nothing here.
var sqlalchemyParams = []string{"uri", "check_same_thread", "cached_statements", "detect_types"}

func parseURL(rawURL string) (location, error) {
	base, driver := dialects.SplitScheme(rawURL)
	if base != "sqlite" && base != "sqlite3" {
		return location{}, fmt.Errorf("not an sqlite URL: %q", dialects.Redact(rawURL))
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("sqlite URL %q: "+format, append([]any{dialects.Redact(rawURL)}, args...)...)
	}
	if driver == "pysqlcipher" {
		return location{}, fail("SQLCipher-encrypted databases (sqlite+pysqlcipher) are not supported")
	}
	rest := rawURL[strings.IndexByte(rawURL, ':')+1:]
	path, query, _ := strings.Cut(rest, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return location{}, dialects.RedactError(fail("bad query: %w", err), rawURL)
	}
	cache := sqldb.DefaultStatementCache
	for _, k := range []string{"cached_statements", sqldb.StatementCacheOption} {
		if v, ok := q[k]; ok {
			if cache, err = sqldb.ParseStatementCache(v[len(v)-1]); err != nil {
				return location{}, fail("%s: %w", k, err)
			}
		}
	}
	delete(q, sqldb.StatementCacheOption)
	for _, k := range sqlalchemyParams {
		delete(q, k)
	}
	if v, ok := q["timeout"]; ok {
		secs, err := strconv.ParseFloat(v[len(v)-1], 64)
		if err != nil || secs < 0 || secs > 1e6 {
			return location{}, fail("timeout is a number of seconds")
		}
		q["_pragma"] = append(q["_pragma"], fmt.Sprintf("busy_timeout(%d)", int64(secs*1000)))
		delete(q, "timeout")
	}
	loc := location{query: q, cache: cache}
	if after, ok := strings.CutPrefix(path, "//"); ok {
		auth, p, _ := strings.Cut(after, "/")
		if auth != "" {
			return location{}, fail("an SQLite URL has no host or user after \"//\"; write %s", forms)
		}
		path, loc.slashes = p, true
	} else if path == "" && q.Get("mode") != "memory" {
		return location{}, fail("names no database (use %s)", forms)
	}
	path = strings.TrimPrefix(path, "file:")
	switch {
	case path == ":memory:" || q.Get("mode") == "memory" || loc.slashes && path == "":
		loc.memory = true
	case path == "":
		return location{}, fail("names no database (use %s)", forms)
	}
	loc.path = path
	return loc, nil
}

func fileDSN(path string, q url.Values, sync string) string {
	q["_pragma"] = append([]string{"foreign_keys(1)", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds())}, q["_pragma"]...)
	if q.Get("mode") != "ro" {
		q["_pragma"] = append(q["_pragma"], "journal_mode(WAL)", "synchronous("+sync+")")
	}
	if q.Get("_dqs") == "" {
		q.Set("_dqs", "0")
	}
	// Escape what SQLite's URI parser would read as query or fragment.
	p := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + p + "?" + q.Encode()
}

// OpenPool opens a connection pool for an SQLite URL (see DSN). For
// sqlite::memory: the database is a new file in a private temporary
// directory (os.MkdirTemp), with synchronous=OFF, removed by Close; a
// process that dies without closing the pool leaves it in the system's
// temporary directory.
func OpenPool(ctx context.Context, rawURL string, opts dialects.PoolOptions) (*sqldb.Pool, error) {
	if ctx == nil {
		return nil, dialects.ErrNilContext
	}
	loc, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	name := dialects.Redact(rawURL)
	if err := checkRelative(loc); err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	cfg := config()
	cfg.Owned = true
	dsn := ""
	if loc.memory {
		dir, err := os.MkdirTemp("", "dlayer-memory-")
		if err != nil {
			return nil, fmt.Errorf("open %s: temporary database: %w", name, err)
		}
		dsn = fileDSN(filepath.Join(dir, "memory.db"), url.Values{}, "OFF")
		cfg.AfterClose = func() error { return os.RemoveAll(dir) }
	} else {
		dsn = fileDSN(loc.path, loc.query, "NORMAL")
	}
	db, err := openDB(dsn, loc.cache, &cfg)
	if err != nil {
		return nil, dialects.RedactError(fmt.Errorf("open %s: %w", name, err), rawURL)
	}
	applyPoolOptions(db, opts)
	p := sqldb.New(db, cfg)
	if err := db.PingContext(ctx); err != nil {
		p.Close()
		return nil, dialects.RedactError(fmt.Errorf("open %s: %w", name, err), rawURL)
	}
	return p, nil
}

// openDB opens dsn with the modernc.org/sqlite driver, its connections
// keeping up to cache prepared statements each (none for 0).
func openDB(dsn string, cache int, cfg *sqldb.Config) (*sql.DB, error) {
	if cache <= 0 {
		return sql.Open("sqlite", dsn)
	}
	probe, err := sql.Open("sqlite", dsn) // finds the registered driver; connects to nothing
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	_ = probe.Close()
	base, err := sqldb.DriverConnector(drv, dsn)
	if err != nil {
		return nil, err
	}
	// SQLite parses every statement it runs, so statements without
	// arguments are kept too. Text holding several statements is kept
	// whole; the driver runs it statement by statement as before.
	cn := sqldb.NewConnector(base, sqldb.StatementCache{Size: cache, NoArgs: true})
	cfg.Statements = cn
	return sql.OpenDB(cn), nil
}

// checkRelative refuses sqlite:///x.db when x.db does not exist relative to
// the working directory but /x.db does: before dlayer followed SQLAlchemy,
// three slashes meant an absolute path, and opening would silently create
// a new, empty database beside the real one.
func checkRelative(loc location) error {
	if !loc.slashes || loc.memory || filepath.IsAbs(loc.path) {
		return nil
	}
	if _, err := os.Stat(loc.path); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	abs := "/" + loc.path
	if st, err := os.Stat(abs); err != nil || st.IsDir() {
		return nil
	}
	return fmt.Errorf("three slashes make a path relative to the working directory (as in SQLAlchemy): %s does not exist there, but %s does; "+
		"write sqlite:///%s (four slashes) or sqlite:%s for the absolute path", loc.path, abs, abs, abs)
}

// Wrap adapts a *sql.DB opened with the modernc.org/sqlite driver. The
// caller keeps ownership (closing the pool leaves db open) and chooses the
// connection settings: use DSN to get dlayer's.
func Wrap(db *sql.DB) *sqldb.Pool { return sqldb.New(db, config()) }

func applyPoolOptions(db *sql.DB, o dialects.PoolOptions) {
	if o.MaxOpenConns > 0 {
		db.SetMaxOpenConns(o.MaxOpenConns)
	}
	if o.MaxIdleConns != 0 {
		db.SetMaxIdleConns(o.MaxIdleConns)
	}
	if o.ConnMaxLifetime > 0 {
		db.SetConnMaxLifetime(o.ConnMaxLifetime)
	}
	if o.ConnMaxIdleTime > 0 {
		db.SetConnMaxIdleTime(o.ConnMaxIdleTime)
	}
}

func config() sqldb.Config {
	return sqldb.Config{Encode: EncodeArgs, BeginSQL: beginSQL,
		ReadOnlyOn: "PRAGMA query_only = 1", ReadOnlyOff: "PRAGMA query_only = 0"}
}

// beginSQL starts write transactions with BEGIN IMMEDIATE, which takes the
// write lock up front (waiting up to busy_timeout), so a transaction never
// fails with SQLITE_BUSY when it later upgrades a read lock to write.
// Read-only transactions use a deferred BEGIN and never block writers; the
// connection runs them under PRAGMA query_only, so a write in one fails
// ("attempt to write a readonly database"). SQLite transactions are
// serializable whatever level is asked for: every named level is accepted
// and runs serializable (a stronger level than asked, which the SQL
// standard allows); an unknown name is an error.
func beginSQL(o dialects.TxOptions) (string, error) {
	switch o.Isolation {
	case "", "read uncommitted", "read committed", "repeatable read", "serializable":
	default:
		return "", fmt.Errorf("unknown isolation level %q", o.Isolation)
	}
	if o.ReadOnly {
		return "BEGIN DEFERRED", nil
	}
	return "BEGIN IMMEDIATE", nil
}

// EncodeArgs converts bound values to SQLite storage: times become UTC text
// in a fixed-width layout (conv.TimeLayout) so text order is time order,
// dates become YYYY-MM-DD, times of day HH:MM:SS.fffffffff; a timestamp
// without time zone keeps its wall clock (stored as if it were UTC);
// UUID values ([16]byte) become their 36-character text; JSON values that
// are not already text are marshalled. Booleans are stored by the driver as
// 0/1 integers. A decimal given as text becomes the number SQLite stores
// for it (conv.DecimalNumber): an INTEGER when it is whole and within
// int64, else the nearest REAL, exact to 15 significant digits.
//
// A time bound without a column type (a :name parameter of raw SQL) takes
// the form a timestamp with time zone is stored in: UTC text in
// conv.TimeLayout, which also compares correctly, as text, with the stored
// values of a timestamp column written in UTC. A date column stores
// "2006-01-02": compare it with date(:d), which turns that text into a
// date, or bind the date as a "2006-01-02" string.
func EncodeArgs(args []any, types []*spec.Type) ([]any, error) {
	var out []any
	set := func(i int, v any) {
		if out == nil {
			out = make([]any, len(args))
			copy(out, args)
		}
		out[i] = v
	}
	for i, a := range args {
		var t *spec.Type
		if i < len(types) {
			t = types[i]
		}
		v, changed, err := encode(a, t)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		if changed {
			set(i, v)
		}
	}
	if out == nil {
		return args, nil
	}
	return out, nil
}

func encode(a any, t *spec.Type) (any, bool, error) {
	kind := spec.TypeInvalid
	if t != nil {
		kind = t.Kind
	}
	switch v := a.(type) {
	case time.Time:
		return formatTime(v, t), true, nil
	case *time.Time:
		if v == nil {
			return nil, true, nil
		}
		return formatTime(*v, t), true, nil
	case [16]byte:
		if kind == spec.TypeBytes {
			return v[:], true, nil
		}
		return conv.FormatUUID(v), true, nil
	case json.RawMessage:
		return string(v), true, nil
	case []byte:
		if kind == spec.TypeJSON {
			return string(v), true, nil
		}
		return nil, false, nil
	case string:
		if kind == spec.TypeDecimal {
			// A decimal as a number, so that it compares as one in
			// expressions too (MAX(total) > ?), not only against the
			// column, whose NUMERIC affinity converts text.
			if n, ok := conv.DecimalNumber(v); ok {
				return n, true, nil
			}
		}
		return nil, false, nil
	case nil, int64, int, int32, int16, int8, uint32, uint16, uint8, float64, float32, bool:
		return nil, false, nil
	}
	if kind == spec.TypeJSON {
		b, err := json.Marshal(a)
		if err != nil {
			return nil, false, fmt.Errorf("encode JSON: %w", err)
		}
		return string(b), true, nil
	}
	return nil, false, nil
}

func formatTime(v time.Time, t *spec.Type) string {
	if t == nil {
		return v.UTC().Format(conv.TimeLayout)
	}
	switch t.Kind {
	case spec.TypeDate:
		return v.Format("2006-01-02")
	case spec.TypeTime:
		return v.Format("15:04:05.000000000")
	case spec.TypeTimestamp:
		if !t.Timezone {
			v = time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), time.UTC)
		}
	}
	return v.UTC().Format(conv.TimeLayout)
}
