package dialects

import (
	"context"
	"fmt"
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
	// Open opens a pool for url (the full URL, scheme included).
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
// colon, lower-cased ("sqlite" for "sqlite::memory:").
func Scheme(url string) string {
	i := strings.IndexByte(url, ':')
	if i <= 0 {
		return ""
	}
	return strings.ToLower(url[:i])
}

// Lookup returns the driver registered for url's scheme.
func Lookup(url string) (*Driver, error) {
	s := Scheme(url)
	regMu.RLock()
	d := registry[s]
	regMu.RUnlock()
	if d == nil {
		known := strings.Join(Schemes(), ", ")
		if known == "" {
			known = "none; import a dialect package such as github.com/dlayer/dlayer/dialects/sqlite"
		}
		if s == "" {
			return nil, fmt.Errorf("open %q: %w: the URL has no scheme (registered: %s)", Redact(url), ErrNoDialect, known)
		}
		return nil, fmt.Errorf("open %q: %w %q (registered: %s)", Redact(url), ErrNoDialect, s, known)
	}
	return d, nil
}

// Open opens a pool for url with the registered driver for its scheme and
// returns it with its dialect.
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
		return nil, nil, err
	}
	return d.Dialect(), p, nil
}

// Redact returns url with any password replaced by "xxxxx", for messages.
func Redact(url string) string {
	i := strings.Index(url, "://")
	if i < 0 {
		return url
	}
	rest := url[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	auth := rest[:end]
	at := strings.LastIndexByte(auth, '@')
	if at < 0 {
		return url
	}
	colon := strings.IndexByte(auth[:at], ':')
	if colon < 0 {
		return url
	}
	return url[:i+3] + auth[:colon+1] + "xxxxx" + rest[at:]
}
