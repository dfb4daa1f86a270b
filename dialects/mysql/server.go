package mysql

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/sqldb"
)

// InsertKeysOption is dlayer's own URL parameter choosing how the ORM learns
// the keys the server generates for a multi-row INSERT (it is not sent to
// the server):
//
//   - auto (the default): INSERT … RETURNING on MariaDB ≥ 10.5; elsewhere
//     LastInsertID + row position when the server promises consecutive keys
//     (auto_increment_increment = 1 and innodb_autoinc_lock_mode 0 or 1, not
//     TiDB or Vitess), one INSERT per row otherwise.
//   - last_insert_id: never RETURNING; LastInsertID + row position when the
//     server's settings allow it, one INSERT per row otherwise.
//   - per_row: one INSERT per row whose key the database generates, each
//     reading its own LastInsertID (safe on every server and setting).
const InsertKeysOption = "insert_keys"

// The values of InsertKeysOption.
const (
	InsertKeysAuto         = "auto"
	InsertKeysLastInsertID = "last_insert_id"
	InsertKeysPerRow       = "per_row"
)

// insertKeysMode returns the URL's insert_keys value ("auto" when absent),
// or an error for another value.
func insertKeysMode(rawURL string) (string, error) {
	u, err := dialects.ParseURL(rawURL)
	if err != nil {
		return "", err
	}
	vs, ok := u.Query()[InsertKeysOption]
	if !ok {
		return InsertKeysAuto, nil
	}
	v := vs[len(vs)-1]
	switch v {
	case InsertKeysAuto, InsertKeysLastInsertID, InsertKeysPerRow:
		return v, nil
	}
	return "", fmt.Errorf("?%s=%q: want %s, %s or %s", InsertKeysOption, v, InsertKeysAuto, InsertKeysLastInsertID, InsertKeysPerRow)
}

// serverInfo is what dlayer reads from a server when a pool opens.
type serverInfo struct {
	// version is SELECT VERSION().
	version string
	// increment is @@auto_increment_increment (Galera sets it to the
	// cluster size), 0 when unknown.
	increment int64
	// lockMode is @@innodb_autoinc_lock_mode, -1 when unknown.
	lockMode int64
	// galera is true on a MariaDB Galera node (@@wsrep_on).
	galera bool
}

// readServer asks the server for its version and key-generation settings.
// A server without innodb_autoinc_lock_mode (TiDB, say) reports -1.
func readServer(ctx context.Context, p *sqldb.Pool) (serverInfo, error) {
	info := serverInfo{lockMode: -1}
	db := p.DB()
	if err := db.QueryRowContext(ctx, "SELECT VERSION(), @@auto_increment_increment").Scan(&info.version, &info.increment); err != nil {
		return info, fmt.Errorf("read the server version: %w", err)
	}
	var mode int64
	if err := db.QueryRowContext(ctx, "SELECT @@innodb_autoinc_lock_mode").Scan(&mode); err == nil {
		info.lockMode = mode
	} else if ctx.Err() != nil {
		return info, fmt.Errorf("read innodb_autoinc_lock_mode: %w", err)
	}
	var wsrep string
	if err := db.QueryRowContext(ctx, "SELECT @@wsrep_on").Scan(&wsrep); err == nil {
		info.galera = wsrep == "1" || strings.EqualFold(wsrep, "ON")
	} else if ctx.Err() != nil {
		return info, fmt.Errorf("read wsrep_on: %w", err)
	}
	return info, nil
}

// mariaDBAtLeast reports whether version is a MariaDB version ≥ major.minor.
func mariaDBAtLeast(version string, major, minor int) bool {
	if !strings.Contains(version, "MariaDB") {
		return false
	}
	// Old clients needed a "5.5.5-" prefix in the handshake; VERSION()
	// does not have it, but a proxy may pass it on.
	v := strings.TrimPrefix(version, "5.5.5-")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(leadingDigits(parts[1]))
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

func leadingDigits(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return s[:i]
		}
	}
	return s
}

// serverFeatures returns the dialect features for a server and an
// insert_keys mode.
func serverFeatures(info serverInfo, mode string) dialects.Feature {
	f := Features
	if mode == InsertKeysAuto && mariaDBAtLeast(info.version, 10, 5) {
		f |= dialects.InsertReturning
	}
	consecutive := info.increment == 1 && (info.lockMode == 0 || info.lockMode == 1) &&
		!strings.Contains(info.version, "TiDB") && !strings.Contains(info.version, "Vitess")
	if mode == InsertKeysPerRow || !consecutive {
		f &^= dialects.ConsecutiveInsertKeys
	}
	return f
}

// dialectCache shares one dialect value per feature set (its statement
// caches with it).
var dialectCache sync.Map // dialects.Feature → *Dialect

func dialectFor(f dialects.Feature) *Dialect {
	if f == Features {
		return std
	}
	if d, ok := dialectCache.Load(f); ok {
		return d.(*Dialect)
	}
	d, _ := dialectCache.LoadOrStore(f, newWith(f))
	return d.(*Dialect)
}

// serverPool is a pool with the dialect of the server it reached.
type serverPool struct {
	*sqldb.Pool
	d *Dialect
}

var _ dialects.ServerDialecter = (*serverPool)(nil)

// ServerDialect returns the dialect for the server the pool reached.
func (p *serverPool) ServerDialect() dialects.Dialect { return p.d }

// openServer opens a pool for rawURL and reads the server's version and
// key-generation settings to choose its dialect's features. A lazy pool
// (PoolOptions.Lazy, for replicas that may be down) asks nothing: it gets
// the shared dialect, or one without ConsecutiveInsertKeys for per_row.
func openServer(ctx context.Context, rawURL string, opts dialects.PoolOptions) (dialects.Pool, error) {
	mode, err := insertKeysMode(rawURL)
	if err != nil {
		return nil, openError(rawURL, err)
	}
	p, err := OpenPool(ctx, rawURL, opts)
	if err != nil {
		return nil, err
	}
	if opts.Lazy {
		// Nothing may be asked of the server yet: no RETURNING, and
		// consecutive keys unless the URL says per_row.
		if mode == InsertKeysPerRow {
			return &serverPool{Pool: p, d: dialectFor(Features &^ dialects.ConsecutiveInsertKeys)}, nil
		}
		return p, nil
	}
	info, err := readServer(ctx, p)
	if err != nil {
		p.Close()
		return nil, openError(rawURL, err)
	}
	if info.galera {
		// On a Galera node a transaction aborted by another node's
		// replicated write (a brute-force abort) must fail at its next
		// statement. Through the binary protocol (prepare, execute, close
		// per statement) that error is sometimes lost: the server has
		// rolled the transaction back, the block's later statements run in
		// autocommit and its COMMIT "succeeds" with part of the work
		// (internal/galeratest reproduces it). Statements sent as text
		// always report it, so Galera pools send parameters inside the
		// query text, escaped by the driver for the utf8mb4 connection.
		p.Close()
		if p, err = openPool(ctx, rawURL, opts, true); err != nil {
			return nil, err
		}
	}
	return &serverPool{Pool: p, d: dialectFor(serverFeatures(info, mode))}, nil
}
