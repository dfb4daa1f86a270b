package dialects

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Driver is what a dialect package registers: the URL schemes it handles,
// its Dialect and the function that opens a pool for a URL.
type Driver struct {
	// Schemes are the URL schemes handled, without the colon ("postgres").
	Schemes []string
	// Dialect returns the dialect value the pools of this driver speak.
	Dialect func() Dialect
	// Open opens a pool for url (the full URL, scheme included, perhaps
	// with a SQLAlchemy driver suffix such as "+asyncpg"). Its errors must
	// not show the URL's password: see Redact and RedactError.
	Open func(ctx context.Context, url string, opts PoolOptions) (Pool, error)
}

var (
	regMu    sync.RWMutex
	registry = map[string]*Driver{}
)

// Register makes a driver available to Open under each of its schemes. It
// is called from the init functions of the dialect packages, and panics on a
// duplicate scheme (a programming error).
func Register(d Driver) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, s := range d.Schemes {
		s = strings.ToLower(s)
		if _, dup := registry[s]; dup {
			panic("dialects: scheme " + s + " registered twice")
		}
		registry[s] = &d
	}
}

// Schemes lists the registered URL schemes, sorted.
func Schemes() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]string, 0, len(registry))
	for s := range registry {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Scheme returns the scheme of a database URL: the text before the first
// colon, lower-cased ("sqlite" for "sqlite::memory:", "postgresql+asyncpg"
// for "postgresql+asyncpg://…"), or "" when that text is not a scheme (a
// keyword/value connection string, a file name).
func Scheme(url string) string {
	i := strings.IndexByte(url, ':')
	if i <= 0 || !validScheme(url[:i]) {
		return ""
	}
	return strings.ToLower(url[:i])
}

// Lookup returns the driver registered for url's scheme. A scheme with a
// SQLAlchemy driver suffix ("postgresql+psycopg2", "mysql+pymysql") finds
// the driver of the part before the '+'.
func Lookup(url string) (*Driver, error) {
	s := Scheme(url)
	regMu.RLock()
	d := registry[s]
	if d == nil {
		base, _, _ := strings.Cut(s, "+")
		d = registry[base]
	}
	regMu.RUnlock()
	if d != nil {
		return d, nil
	}
	known := strings.Join(Schemes(), ", ")
	if known == "" {
		known = "none; import a dialect package such as github.com/dlayer/dlayer/dialects/sqlite"
	}
	if s == "" {
		return nil, fmt.Errorf("open %q: %w: the URL has no scheme%s (registered: %s)", Redact(url), ErrNoDialect, noSchemeHint(url), known)
	}
	hint := ""
	if !strings.Contains(url, "://") {
		hint = noSchemeHint(url)
	}
	return nil, fmt.Errorf("open %q: %w %q%s (registered: %s)", Redact(url), ErrNoDialect, s, hint, known)
}

// noSchemeHint recognises the connection strings people paste instead of
// a URL.
func noSchemeHint(url string) string {
	t := strings.TrimSpace(url)
	switch {
	case strings.Contains(t, "@tcp(") || strings.Contains(t, "@unix(") || strings.Contains(t, "@/"):
		return "; this looks like a go-sql-driver/mysql DSN: write mysql://user:password@host:3306/dbname"
	case keywordDSN.MatchString(t):
		return "; this looks like a keyword/value connection string: write postgres://user:password@host:5432/dbname?sslmode=disable"
	}
	if i := strings.IndexAny(t, ":/"); i > 0 && registered(t[:i]) {
		return fmt.Sprintf("; did you mean %s://…?", strings.ToLower(t[:i]))
	}
	return ""
}

var keywordDSN = regexp.MustCompile(`^[A-Za-z_]+\s*=`)

// Open opens a pool for url with the registered driver for its scheme and
// returns it with its dialect. No error it returns shows a password of url
// (see RedactError).
func Open(ctx context.Context, url string, opts PoolOptions) (Dialect, Pool, error) {
	if ctx == nil {
		return nil, nil, ErrNilContext
	}
	d, err := Lookup(url)
	if err != nil {
		return nil, nil, err
	}
	if d.Dialect == nil || d.Open == nil {
		return nil, nil, fmt.Errorf("open %q: dialect for scheme %q is not available", Redact(url), Scheme(url))
	}
	p, err := d.Open(ctx, url, opts)
	if err != nil {
		return nil, nil, RedactError(err, url)
	}
	if sd, ok := p.(ServerDialecter); ok {
		if dd := sd.ServerDialect(); dd != nil {
			return dd, p, nil
		}
	}
	return d.Dialect(), p, nil
}
