package dialects

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// ErrUnsupported is matched (errors.Is) by compile errors for a construct the
// dialect cannot express (RETURNING on MySQL, say). Callers that can do
// without should ask Features first.
var ErrUnsupported = errors.New("not supported by this dialect")

// Compiled is a statement compiled for one dialect.
type Compiled struct {
	// SQL uses the dialect's placeholders.
	SQL string
	// Args are the bound values, in placeholder order.
	Args []any
	// ArgTypes holds, per argument, the column type the value is bound
	// against when known (nil otherwise), so drivers can encode it.
	ArgTypes []*spec.Type
	// Columns describes the result columns of a query, in order (empty for
	// statements that return no rows). It may be shared between Compiled
	// values: do not modify it.
	Columns []ResultColumn
	// ParamNames is nil unless the statement holds named parameters
	// (stmt.NamedParam); then it has one entry per argument, the parameter's
	// name or "" for a value bound at compile time. See Bind.
	ParamNames []string
	// MultiStatement reports raw text (stmt.Text) that holds more than one
	// statement: a ";" outside quotes and comments followed by more than
	// space and comments.
	MultiStatement bool
	// SingleRow reports a query that returns at most one row whatever its
	// values: its WHERE fixes every primary-key column of its one table
	// with "=", or it has LIMIT 0 or 1. A reader that wants exactly one
	// row need not step the cursor again to look for a second.
	SingleRow bool

	// buf is the pooled buffer a Compiled from NewCompiled lives in.
	buf *compiledBuf
}

// compiledBuf holds a pooled Compiled with room for eight arguments, and
// the larger argument arrays Reserve took for it, if any.
type compiledBuf struct {
	c     Compiled
	args  [8]any
	types [8]*spec.Type
	big   *bigArgs
}

var compiledBufs = sync.Pool{New: func() any { return new(compiledBuf) }}

// bigArgs are argument arrays for statements with more than eight
// arguments (multi-row inserts, long IN lists), pooled apart from
// compiledBuf so that the common small statement does not carry them.
type bigArgs struct {
	args  []any
	types []*spec.Type
}

var bigArgsPool sync.Pool

// maxPooledArgs bounds the arrays the pool keeps: 65,535 is the most
// parameters a PostgreSQL statement can bind.
const maxPooledArgs = 1<<16 - 1

// NewCompiled returns an empty Compiled from a pool, whose Args and
// ArgTypes hold up to eight arguments without allocating. A compiler
// fills it field by field (a composite literal assigned over it would
// drop it from the pool). Whoever ran the statement may give it back with
// Release.
func NewCompiled() *Compiled {
	b := compiledBufs.Get().(*compiledBuf)
	b.c = Compiled{Args: b.args[:0], ArgTypes: b.types[:0], buf: b}
	return &b.c
}

// Release gives a Compiled that NewCompiled made back to the pool, once
// nothing refers to it or to its Args and ArgTypes any more (its SQL,
// Columns and ParamNames stay valid): the engine does so when a statement
// it compiled has run and no Tracer, logger or StatementCheck was shown
// its arguments. It does nothing for a Compiled made any other way, for a
// copy, or for one given back already; a Compiled must not be used after
// it was released.
func (c *Compiled) Release() {
	if c == nil || c.buf == nil || &c.buf.c != c {
		return
	}
	b := c.buf
	clear(b.args[:])
	clear(b.types[:])
	if big := b.big; big != nil {
		b.big = nil
		// Compilers append, so the values may run past len(c.Args) only
		// if append moved them elsewhere; clear what this array held.
		clear(big.args[:cap(big.args)])
		clear(big.types[:cap(big.types)])
		bigArgsPool.Put(big)
	}
	b.c = Compiled{}
	compiledBufs.Put(b)
}

// Reserve makes room in c.Args and c.ArgTypes for n more arguments, so a
// compiler that knows how many it will bind appends without regrowing.
// For a Compiled from NewCompiled the room comes from a pool and goes back
// with Release. It is only a hint: n ≤ 0, or more than 65,535 arguments,
// reserve nothing, and appending past the room still works.
func (c *Compiled) Reserve(n int) {
	if c == nil || n <= 0 || n > maxPooledArgs || len(c.Args)+n <= cap(c.Args) && len(c.ArgTypes)+n <= cap(c.ArgTypes) {
		return
	}
	want := len(c.Args) + n
	if c.buf == nil || &c.buf.c != c || c.buf.big != nil || len(c.Args) != len(c.ArgTypes) || want > maxPooledArgs {
		c.Args, c.ArgTypes = slices.Grow(c.Args, n), slices.Grow(c.ArgTypes, n)
		return
	}
	big, _ := bigArgsPool.Get().(*bigArgs)
	if big == nil || cap(big.args) < want || cap(big.types) < want {
		size := 64
		for size < want {
			size *= 2
		}
		size = min(size, maxPooledArgs)
		big = &bigArgs{args: make([]any, 0, size), types: make([]*spec.Type, 0, size)}
	}
	c.buf.big = big
	c.Args = append(big.args[:0], c.Args...)
	c.ArgTypes = append(big.types[:0], c.ArgTypes...)
}

// Bind returns the arguments with named parameters filled from params, so one
// compiled statement can run with many values. A named parameter missing
// from params is an error. Without named parameters it returns c.Args.
func (c *Compiled) Bind(params map[string]any) ([]any, error) {
	if c.ParamNames == nil {
		return c.Args, nil
	}
	out := make([]any, len(c.Args))
	for i, n := range c.ParamNames {
		if n == "" {
			out[i] = c.Args[i]
			continue
		}
		v, ok := params[n]
		if !ok {
			return nil, fmt.Errorf("bind: no value for parameter %q", n)
		}
		out[i] = v
	}
	return out, nil
}

// ResultColumn describes one column of a result.
type ResultColumn struct {
	// Name is the label the column is returned under.
	Name string
	// Column is the schema column it reads, when it reads one directly.
	Column *spec.Column
	// Type is the value type when known (nil otherwise).
	Type *spec.Type
}

// Dialect is what dlayer needs of a database's SQL flavour. Implementations
// are safe for concurrent use.
type Dialect interface {
	// Name is the dialect's name ("sqlite", "postgres", "mysql"), for
	// messages and CLI flags only: never branch on it.
	Name() string
	// Features lists the dialect's capabilities.
	Features() Feature
	// QuoteIdent quotes an identifier, doubling embedded quote characters.
	QuoteIdent(name string) string
	// Placeholder returns the bind marker for the n-th (1-based) argument.
	Placeholder(n int) string
	// MaxParams is the most bound parameters one statement may carry.
	MaxParams() int
	// Compile turns a statement into SQL text and arguments.
	Compile(s stmt.Statement) (*Compiled, error)
	// TypeSQL returns the column type as written in DDL.
	TypeSQL(c *spec.Column) (string, error)
	// CreateTable returns the statements that create t with its constraints
	// and indexes (foreign keys included inline where the dialect needs it).
	CreateTable(t *spec.Table) ([]string, error)
	// DropTable returns the statements that drop t (and its dialect-side
	// objects, such as PostgreSQL enum types no other table uses).
	DropTable(t *spec.Table) ([]string, error)
	// TranslateError maps a driver error to dlayer's normalised errors
	// (see package engine's ConstraintError), wrapping the original.
	TranslateError(err error) error
}
