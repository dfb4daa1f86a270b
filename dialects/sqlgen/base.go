package sqlgen

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// PlaceholderStyle is how bind markers are written.
type PlaceholderStyle uint8

// The placeholder styles.
const (
	// Question writes ? for every argument (SQLite, MySQL).
	Question PlaceholderStyle = iota
	// Dollar writes $1, $2, … (PostgreSQL).
	Dollar
)

// CommentStyle is how table and column comments are written in DDL.
type CommentStyle uint8

// The comment styles.
const (
	// NoComments drops comments (SQLite).
	NoComments CommentStyle = iota
	// CommentOn adds COMMENT ON TABLE/COLUMN statements (PostgreSQL).
	CommentOn
	// InlineComment writes COMMENT '…' after columns and COMMENT='…' after
	// the table (MySQL).
	InlineComment
)

// Config describes a dialect's SQL flavour to the shared compiler.
type Config struct {
	Name         string
	Quote        byte
	Placeholders PlaceholderStyle
	Features     dialects.Feature
	MaxParams    int
	// BackslashEscapes: a backslash escapes the next character inside
	// string literals (MySQL's default sql_mode). Literals then double
	// backslashes too.
	BackslashEscapes bool
	// HashComments: # starts a line comment, and -- only does when followed
	// by a space or control character (MySQL).
	HashComments bool
	// DollarQuotes: $tag$…$tag$ strings and E'…' escape strings exist
	// (PostgreSQL).
	DollarQuotes bool
	// OffsetOnlyLimit is the LIMIT written when a query has OFFSET but no
	// LIMIT ("" writes no LIMIT).
	OffsetOnlyLimit string
	// DefaultValuesInsert is the tail of an INSERT of one row of defaults
	// ("DEFAULT VALUES" or "() VALUES ()").
	DefaultValuesInsert string
	// ExcludedFunc: an upsert refers to the proposed value as VALUES(col)
	// (MySQL) rather than excluded.col.
	ExcludedFunc bool
	// FoldFunc is the function ILIKE is emulated with where the dialect
	// lacks the ILike feature: FoldFunc(x) LIKE FoldFunc(pattern). Empty
	// means LOWER.
	FoldFunc string

	// DDL describes the dialect's DDL.
	DDL DDLConfig

	// CompiledCache bounds the statement shapes the compiler keeps
	// compiled (0: DefaultCompiledCache; negative: no cache).
	CompiledCache int
}

// Base implements the dialect-independent part of dialects.Dialect for one
// Config. It is safe for concurrent use.
type Base struct {
	cfg      Config
	colCache sync.Map // *spec.Table → []dialects.ResultColumn
	values   sync.Map // shape → placeholder list of a multi-row insert
	nvalues  atomic.Int64
	pool     sync.Pool
	cache    compiledCache
}

// New returns a compiler for cfg.
func New(cfg Config) *Base {
	b := &Base{cfg: cfg}
	b.cache.size = cfg.CompiledCache
	if b.cache.size == 0 {
		b.cache.size = DefaultCompiledCache
	}
	b.pool.New = func() any { return &state{buf: make([]byte, 0, 256)} }
	return b
}

// Config returns the configuration the compiler was made with.
func (g *Base) Config() Config { return g.cfg }

// Name returns the dialect's name.
func (g *Base) Name() string { return g.cfg.Name }

// Features returns the dialect's feature bits.
func (g *Base) Features() dialects.Feature { return g.cfg.Features }

// MaxParams returns the most bound parameters a statement may carry.
func (g *Base) MaxParams() int { return g.cfg.MaxParams }

// QuoteIdent quotes name with the dialect's quote character, doubling any
// inside it.
func (g *Base) QuoteIdent(name string) string {
	return string(g.appendIdent(make([]byte, 0, len(name)+2), name))
}

func (g *Base) appendIdent(b []byte, name string) []byte {
	q := g.cfg.Quote
	b = append(b, q)
	for i := 0; i < len(name); i++ {
		if name[i] == q {
			b = append(b, q)
		}
		b = append(b, name[i])
	}
	return append(b, q)
}

// Placeholder returns the bind marker of the n-th (1-based) argument.
func (g *Base) Placeholder(n int) string {
	if g.cfg.Placeholders == Dollar {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

func (g *Base) appendPlaceholder(b []byte, n int) []byte {
	if g.cfg.Placeholders == Dollar {
		return strconv.AppendInt(append(b, '$'), int64(n), 10)
	}
	return append(b, '?')
}

// TranslateError returns err unchanged. Dialect packages define their own
// TranslateError, which takes precedence over this one.
func (g *Base) TranslateError(err error) error { return err }

// tableColumns returns the result columns of every column of t, shared.
func (g *Base) tableColumns(t *spec.Table) []dialects.ResultColumn {
	if v, ok := g.colCache.Load(t); ok {
		cols := v.([]dialects.ResultColumn)
		if len(cols) == len(t.Columns) {
			return cols
		}
	}
	cols := make([]dialects.ResultColumn, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = dialects.ResultColumn{Name: c.Name, Column: c, Type: &c.Type}
	}
	g.colCache.Store(t, cols)
	return cols
}
