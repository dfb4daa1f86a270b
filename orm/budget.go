package orm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dlayer/dlayer/engine"
)

// ErrQueryBudget is matched (errors.Is) by the error of a statement that a
// session's query budget refused (WithQueryBudget): one over the budget's
// MaxStatements, or the same query shape once more than MaxRepeats (an
// N+1: the message names the relationship to eager-load).
var ErrQueryBudget = errors.New("orm: query budget exceeded")

// DefaultMaxRepeats is the MaxRepeats of a Budget that leaves it 0.
const DefaultMaxRepeats = 10

// Budget limits the statements one session runs — one unit of work, one
// request (Middleware with RequestBudget) — and catches the N+1 pattern:
// the same query run again and again in a loop, one parent at a time.
type Budget struct {
	// MaxStatements is the most statements (queries and writes, not
	// BEGIN/COMMIT/ROLLBACK or savepoints) the session may run; 0 sets no
	// total.
	MaxStatements int
	// MaxRepeats is the most times the session may run one query shape
	// (the same SQL text: values are bound parameters, so a query run for
	// each of N objects has one shape); 0 means DefaultMaxRepeats, a
	// negative value turns the check off. Writes are not counted here: a
	// unit of work updating N rows runs N UPDATEs of one shape by design.
	MaxRepeats int
	// Log, when set, is development mode: a violation is logged once (at
	// warning level) and the statement runs; without it, the statement is
	// refused with ErrQueryBudget.
	Log *slog.Logger
}

// WithQueryBudget sets a query budget on one session: see Budget. The
// session counts the statements it runs through its own calls (queries,
// loads, flushes), not those an app runs itself on Session.Conn.
func WithQueryBudget(b Budget) SessionOption {
	return func(c *config) { c.budget = &b }
}

// budget is a session's running count against its Budget.
type budget struct {
	b       Budget
	repeats int
	n       int
	shapes  map[string]int
	logged  map[string]bool
	err     error // the first violation (fail mode)
	check   engine.StatementCheck
}

// loadKey is the context key naming what a statement loads, for the N+1
// message ("Author.posts", or "get Post").
type loadKey struct{}

func newBudget(b Budget) *budget {
	bu := &budget{b: b, repeats: b.MaxRepeats, shapes: map[string]int{}, logged: map[string]bool{}}
	if bu.repeats == 0 {
		bu.repeats = DefaultMaxRepeats
	}
	bu.check = bu.vet
	return bu
}

// counted returns ctx with the session's statement check, when it has a
// budget.
func (s *Session) counted(ctx context.Context) context.Context {
	if s.budget == nil {
		return ctx
	}
	return engine.WithStatementCheck(ctx, s.budget.check)
}

// loading names what the statements run with the returned context load,
// when the session has a budget.
func (s *Session) loading(ctx context.Context, what string) context.Context {
	if s.budget == nil {
		return ctx
	}
	return context.WithValue(ctx, loadKey{}, what)
}

// Statements returns how many statements the session has run through its
// own calls, when it has a query budget (WithQueryBudget); -1 otherwise.
func (s *Session) Statements() int {
	if s == nil || s.budget == nil {
		return -1
	}
	return s.budget.n
}

// vet is the engine.StatementCheck of a session with a budget.
func (b *budget) vet(ctx context.Context, q engine.QueryInfo) error {
	u := strings.ToUpper(strings.TrimSpace(q.SQL))
	for _, p := range []string{"SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "START", "SET "} {
		if strings.HasPrefix(u, p) {
			return nil
		}
	}
	b.n++
	if max := b.b.MaxStatements; max > 0 && b.n > max {
		return b.violate("total", fmt.Errorf("%w: statement %d, over the budget of %d: %s", ErrQueryBudget, b.n, max, short(q.SQL)))
	}
	if b.repeats < 0 || q.Operation != "query" {
		return nil
	}
	b.shapes[q.SQL]++
	if k := b.shapes[q.SQL]; k > b.repeats {
		what, _ := ctx.Value(loadKey{}).(string)
		var hint string
		switch {
		case strings.HasPrefix(what, "get "):
			hint = fmt.Sprintf("Get of %s one key at a time: load them with one query (orm.Select and an IN over the keys)", strings.TrimPrefix(what, "get "))
		case what != "":
			model, rel, _ := strings.Cut(what, ".")
			hint = fmt.Sprintf("loading %s one %s at a time: eager-load it on the query that loads the %s objects: orm.SelectIn(%q) (or orm.Joined)", what, model, model, rel)
		default:
			hint = "run it once for all the values (an IN over the keys), or eager-load the relationship it reads"
		}
		return b.violate("repeat "+q.SQL, fmt.Errorf("%w: N+1: the same query ran %d times (the budget allows %d): %s; query: %s",
			ErrQueryBudget, k, b.repeats, hint, short(q.SQL)))
	}
	return nil
}

// violate logs err once per key in development mode (nil: the statement
// runs), or records and returns it.
func (b *budget) violate(key string, err error) error {
	if b.b.Log != nil {
		if !b.logged[key] {
			b.logged[key] = true
			b.b.Log.Warn("query budget", slog.String("error", err.Error()))
		}
		return nil
	}
	if b.err == nil {
		b.err = err
	}
	return err
}

// short cuts a statement's text for a message (it holds no values).
func short(sql string) string {
	const max = 160
	if len(sql) <= max {
		return sql
	}
	cut := max
	for cut > 0 && sql[cut]&0xC0 == 0x80 {
		cut--
	}
	return sql[:cut] + "…"
}

// BudgetErr returns the first violation of the session's query budget in
// fail mode (nil if none, or without a budget): a handler or test can ask
// even when the failing call's error was dropped.
func (s *Session) BudgetErr() error {
	if s == nil || s.budget == nil {
		return nil
	}
	return s.budget.err
}
