package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/internal/urlopt"
	"github.com/dlayer/dlayer/internal/conv"
	"github.com/dlayer/dlayer/internal/sqldb"
	"github.com/dlayer/dlayer/spec"
)

func init() {
	dialects.Register(dialects.Driver{
		Schemes: []string{"mysql", "mariadb"},
		Dialect: func() dialects.Dialect { return Default() },
		Open:    openServer,
	})
}

// SQLMode is the sql_mode every connection gets: strict (bad values are
// errors, not warnings and silent truncation), no zero dates, division by
// zero an error, and no silent storage-engine substitution.
const SQLMode = "STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"

// Config turns a mysql:// or mariadb:// URL into a go-sql-driver
// configuration with dlayer's safe settings:
//
//	mysql://user:password@host:port/dbname?param=value
//
// parseTime=true, clientFoundRows=true (rows affected counts matched rows),
// times in UTC (loc=UTC and the session time_zone
// '+00:00'), no client-side interpolation (every value is a server-side
// bound parameter), multiStatements off, utf8mb4 with utf8mb4_unicode_ci,
// and the strict SQLMode. Other query parameters are passed to the driver
// as in its own DSN; the safety settings above cannot be overridden.
//
// URLs copied from SQLAlchemy work: a driver suffix (mysql+pymysql://,
// mysql+aiomysql://, mariadb+mariadbconnector://, …) is ignored, and the
// Python drivers' query parameters unix_socket (a socket path; the host is
// ignored), password/passwd (the password, when the user info has none)
// and connect_timeout, read_timeout, write_timeout (seconds) are mapped to
// their go-sql-driver equivalents; ssl_* parameters are refused with a hint
// (use tls=true, or a config registered with mysql.RegisterTLSConfig).
//
// The URL must be unambiguous (see dialects.ParseURL): an '@', '/', '?' or
// '#' in the password is percent-encoded. No error shows the password.
//
// migrate_lock=table|advisory is dlayer's own parameter (how package
// migrate locks: a lock-table row, which replicates and so holds across a
// Galera cluster, or GET_LOCK); it is not sent to the server.
//
// insert_keys=auto|last_insert_id|per_row is dlayer's own parameter (see
// InsertKeysOption); it is not sent to the server.
func Config(rawURL string) (*mysql.Config, error) {
	if base, _ := dialects.SplitScheme(rawURL); base != "mysql" && base != "mariadb" {
		return nil, fmt.Errorf("not a mysql URL: %q", dialects.Redact(rawURL))
	}
	fail := func(err error) error {
		return dialects.RedactError(fmt.Errorf("mysql URL %s: %w", dialects.Redact(rawURL), err), rawURL)
	}
	u, err := dialects.ParseURL(rawURL)
	if err != nil {
		return nil, fail(err)
	}
	q := u.Query()
	// dlayer's own parameter (read by OpenPool), not a session variable.
	if _, _, err := urlopt.Choice(rawURL, urlopt.MigrateLock, urlopt.MigrateLockModes...); err != nil {
		return nil, fail(err)
	}
	delete(q, urlopt.MigrateLock)
	if v, ok := q[sqldb.StatementCacheOption]; ok {
		// dlayer's own parameter (read by OpenPool).
		if _, err := sqldb.ParseStatementCache(v[len(v)-1]); err != nil {
			return nil, fail(fmt.Errorf("%s: %w", sqldb.StatementCacheOption, err))
		}
		delete(q, sqldb.StatementCacheOption)
	}
	if q.Has("pooler") {
		return nil, fail(errors.New("?pooler= is a PostgreSQL option (MySQL/MariaDB has no pooler mode in dlayer; " +
			"behind ProxySQL or a cluster, use migrate_lock=table)"))
	}
	var user, pass string
	hasPass := false
	if u.User != nil {
		user = u.User.Username()
		pass, hasPass = u.User.Password()
	}
	for _, k := range []string{"password", "passwd"} {
		if vs, ok := q[k]; ok {
			if hasPass {
				return nil, fail(fmt.Errorf("the password is given twice (in the user info and as ?%s=)", k))
			}
			pass, hasPass = vs[len(vs)-1], true
			delete(q, k)
		}
	}
	for k := range q {
		if strings.HasPrefix(k, "ssl_") || k == "ssl" {
			return nil, fail(fmt.Errorf("?%s= is a Python driver option: use tls=true, tls=skip-verify or the name of a config registered with mysql.RegisterTLSConfig", k))
		}
	}
	// dlayer's own parameter (read when the pool opens), not a session
	// variable.
	if _, err := insertKeysMode(rawURL); err != nil {
		return nil, fail(err)
	}
	delete(q, InsertKeysOption)
	for py, gosql := range map[string]string{"connect_timeout": "timeout", "read_timeout": "readTimeout", "write_timeout": "writeTimeout"} {
		if v := q.Get(py); v != "" {
			if numeric(v) {
				v += "s"
			}
			q.Set(gosql, v)
			delete(q, py)
		}
	}
	netw, addr := "tcp", u.Host
	if sock := q.Get("unix_socket"); sock != "" {
		netw, addr = "unix", sock
		delete(q, "unix_socket")
	} else if addr == "" {
		addr = "127.0.0.1:3306"
	} else if u.Port() == "" {
		addr += ":3306"
	}
	// Build the driver's DSN so its parser validates the parameters.
	var params []string
	for k, vs := range q {
		for _, v := range vs {
			params = append(params, k+"="+url.QueryEscape(v))
		}
	}
	sort.Strings(params)
	dsn := netw + "(" + addr + ")/" + strings.TrimPrefix(u.Path, "/")
	if len(params) > 0 {
		dsn += "?" + strings.Join(params, "&")
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fail(err)
	}
	cfg.User, cfg.Passwd = user, pass
	safe(cfg)
	return cfg, nil
}

func numeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return s != ""
}

func safe(cfg *mysql.Config) {
	cfg.ParseTime = true
	cfg.InterpolateParams = false
	cfg.MultiStatements = false
	// Report rows matched, not rows changed, as PostgreSQL and SQLite do:
	// an UPDATE that sets a row to its current values still counts (the
	// ORM's optimistic locking relies on it).
	cfg.ClientFoundRows = true
	cfg.Loc = time.UTC
	cfg.Collation = "utf8mb4_unicode_ci"
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	delete(cfg.Params, "charset")
	cfg.Params["sql_mode"] = "'" + SQLMode + "'"
	cfg.Params["time_zone"] = "'+00:00'"
}

// OpenPool opens a database/sql pool for a mysql:// or mariadb:// URL.
func OpenPool(ctx context.Context, rawURL string, opts dialects.PoolOptions) (*sqldb.Pool, error) {
	return openPool(ctx, rawURL, opts, false)
}

// openPool is OpenPool; textParams sends parameters inside the query text
// (go-sql-driver's interpolateParams) instead of preparing each statement on
// the server, which Galera nodes need (see openServer).
func openPool(ctx context.Context, rawURL string, opts dialects.PoolOptions, textParams bool) (*sqldb.Pool, error) {
	if ctx == nil {
		return nil, dialects.ErrNilContext
	}
	cfg, err := Config(rawURL)
	if err != nil {
		return nil, err
	}
	cfg.InterpolateParams = textParams
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, openError(rawURL, err)
	}
	var stmts *sqldb.Connector
	if size := statementCache(rawURL); size > 0 && !textParams {
		// Each connection keeps its statements prepared: the driver
		// would otherwise prepare, execute and close every statement
		// with arguments (two round trips). Galera pools (textParams)
		// send parameters in the text and prepare nothing.
		stmts = sqldb.NewConnector(conn, sqldb.StatementCache{Size: size, Stale: staleStatement})
		conn = stmts
	}
	db := sql.OpenDB(conn)
	if opts.MaxOpenConns > 0 {
		db.SetMaxOpenConns(opts.MaxOpenConns)
	}
	if opts.MaxIdleConns != 0 {
		db.SetMaxIdleConns(opts.MaxIdleConns)
	}
	if opts.ConnMaxLifetime > 0 {
		db.SetConnMaxLifetime(opts.ConnMaxLifetime)
	}
	if opts.ConnMaxIdleTime > 0 {
		db.SetConnMaxIdleTime(opts.ConnMaxIdleTime)
	}
	_, lock, _ := urlopt.Choice(rawURL, urlopt.MigrateLock, urlopt.MigrateLockModes...) // Config checked it
	p := sqldb.New(db, sqldb.Config{Encode: EncodeArgs, Owned: true, MigrationLock: lock, Statements: stmts})
	if opts.Lazy {
		return p, nil
	}
	if err := db.PingContext(ctx); err != nil {
		p.Close()
		return nil, openError(rawURL, err)
	}
	return p, nil
}

// statementCache is the statement_cache_capacity of rawURL (Config
// checked it), or the default.
func statementCache(rawURL string) int {
	_, v, found := urlopt.Cut(rawURL, sqldb.StatementCacheOption)
	if !found {
		return sqldb.DefaultStatementCache
	}
	n, _ := sqldb.ParseStatementCache(v)
	return n
}

// staleStatement reports the errors of a statement the server no longer
// has (ER_UNKNOWN_STMT_HANDLER) or wants prepared again
// (ER_NEED_REPREPARE).
func staleStatement(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1243 || me.Number == 1615)
}

// openError says which database failed to open, without its password.
func openError(rawURL string, err error) error {
	return dialects.RedactError(fmt.Errorf("open %s: %w", dialects.Redact(rawURL), err), rawURL)
}

// Wrap adapts a *sql.DB opened with go-sql-driver/mysql. The caller keeps
// ownership (Close leaves db open) and its DSN decides the connection
// settings; it should set parseTime=true and loc=UTC as Config does.
func Wrap(db *sql.DB) *sqldb.Pool {
	return sqldb.New(db, sqldb.Config{Encode: EncodeArgs})
}

// EncodeArgs converts bound values for MySQL: a timestamp with time zone
// is sent as its UTC instant, one without keeps its wall clock (DATETIME has
// no zone); a time-of-day value is sent as text; UUIDs ([16]byte) as their
// 36-character text unless the column is bytes; JSON as text (MySQL
// rejects JSON in the binary character set), marshalling non-text values.
func EncodeArgs(args []any, types []*spec.Type) ([]any, error) {
	var out []any
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
			if out == nil {
				out = append([]any(nil), args...)
			}
			out[i] = v
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
		switch {
		case kind == spec.TypeTime:
			return v.Format("15:04:05.999999"), true, nil
		case kind == spec.TypeDate:
			return v.Format("2006-01-02"), true, nil
		case kind == spec.TypeTimestamp && !t.Timezone:
			return time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), time.UTC), true, nil
		}
		return v.UTC(), true, nil
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
	case nil, string, int64, int, int32, int16, int8, uint64, uint32, uint16, uint8, float64, float32, bool:
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
