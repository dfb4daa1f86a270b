package engine

import (
	"context"
	"log/slog"
	"time"
)

// QueryInfo describes one database round trip for a Tracer.
type QueryInfo struct {
	// Operation is "query", "exec", "begin", "commit", "rollback" or
	// "batch" (statements pipelined in one round trip: Tx.ExecBatch).
	Operation string
	// SQL is the statement text in the dialect's form (values are bound
	// parameters, never part of the text).
	SQL string
	// Args are the bound values. They may hold personal data: export them
	// only if you mean to.
	Args []any
	// Dialect is the dialect's name.
	Dialect string
	// Server names the server the round trip went to (see WithName).
	Server string
	// Route is why the statement went to that server, when something
	// chose among servers (see WithRoute): orm.Replicas routes a read
	// "replica", or "fallback" when it went to the primary (or another
	// replica) because a replica failed, lagged or was ejected.
	Route string
}

// routeKey is the context key of WithRoute.
type routeKey struct{}

// WithRoute returns a context that marks the statements run with it as
// routed to their server for the reason route ("replica", "fallback"):
// log records carry it as the "route" attribute and QueryInfo as Route.
// Routers such as orm.Replicas set it; it changes nothing about where a
// statement runs.
func WithRoute(ctx context.Context, route string) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithValue(ctx, routeKey{}, route)
}

// routeOf returns the route WithRoute put in ctx ("" without one).
func routeOf(ctx context.Context) string {
	r, _ := ctx.Value(routeKey{}).(string)
	return r
}

// checkKey is the context key of WithStatementCheck.
type checkKey struct{}

// StatementCheck vets a statement before it runs (see WithStatementCheck).
type StatementCheck func(ctx context.Context, q QueryInfo) error

// WithStatementCheck returns a context whose statements (queries and
// execs, not BEGIN, COMMIT or ROLLBACK) are passed to check before they
// run: an error from check is returned instead of running the statement.
// orm.WithQueryBudget counts a session's statements with it. A nil check
// removes an enclosing one.
func WithStatementCheck(ctx context.Context, check StatementCheck) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithValue(ctx, checkKey{}, check)
}

// checkStatement runs the StatementCheck of ctx, if any.
func (e *Engine) checkStatement(ctx context.Context, op, sql string, args []any) error {
	if ctx == nil {
		return nil
	}
	check, _ := ctx.Value(checkKey{}).(StatementCheck)
	if check == nil {
		return nil
	}
	return check(ctx, QueryInfo{Operation: op, SQL: sql, Args: args, Dialect: e.d.Name(), Server: e.cfg.name, Route: routeOf(ctx)})
}

// Tracer is called around every database round trip, for OpenTelemetry-style
// instrumentation. Start returns the context the round trip runs with (carrying
// a span, say) and a function called once when it ends, with its error (nil on
// success). For queries the end is when the Rows are closed.
type Tracer interface {
	Start(ctx context.Context, q QueryInfo) (context.Context, func(err error))
}

// TracerFunc adapts a function to Tracer.
type TracerFunc func(ctx context.Context, q QueryInfo) (context.Context, func(err error))

// Start calls f.
func (f TracerFunc) Start(ctx context.Context, q QueryInfo) (context.Context, func(error)) {
	if f == nil {
		return ctx, func(error) {}
	}
	return f(ctx, q)
}

// observation is one traced and logged round trip.
type observation struct {
	e     *Engine
	ctx   context.Context
	op    string
	sql   string
	args  []any
	start time.Time
	end   func(error)
}

func (e *Engine) observe(ctx context.Context, op, sql string, args []any) observation {
	ob := observation{ctx: ctx}
	if e.cfg.tracer == nil && e.cfg.logger == nil {
		return ob
	}
	ob.e, ob.op, ob.sql, ob.args = e, op, sql, args
	if e.cfg.tracer != nil {
		tctx, end := e.cfg.tracer.Start(ctx, QueryInfo{Operation: op, SQL: sql, Args: args, Dialect: e.d.Name(),
			Server: e.cfg.name, Route: routeOf(ctx)})
		if tctx != nil {
			ob.ctx = tctx
		}
		ob.end = end
	}
	if e.cfg.logger != nil {
		ob.start = time.Now()
	}
	return ob
}

// done ends the observation; rows < 0 means unknown.
func (ob *observation) done(err error, rows int64) {
	if ob.e == nil {
		return
	}
	if ob.end != nil {
		ob.end(err)
		ob.end = nil
	}
	l := ob.e.cfg.logger
	if l == nil {
		return
	}
	level := ob.e.cfg.logLevel
	if err != nil && level < slog.LevelWarn {
		level = slog.LevelWarn
	}
	if !l.Enabled(ob.ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs,
		slog.String("op", ob.op),
		slog.String("sql", ob.sql),
		slog.Duration("duration", time.Since(ob.start)))
	if ob.e.cfg.name != "" {
		attrs = append(attrs, slog.String("server", ob.e.cfg.name))
	}
	if r := routeOf(ob.ctx); r != "" {
		attrs = append(attrs, slog.String("route", r))
	}
	if ob.e.cfg.logArgs {
		attrs = append(attrs, slog.Any("args", ob.args))
	} else if len(ob.args) > 0 {
		attrs = append(attrs, slog.Int("args", len(ob.args)))
	}
	if rows >= 0 {
		attrs = append(attrs, slog.Int64("rows", rows))
	}
	if err != nil {
		msg := err.Error()
		if !ob.e.cfg.logArgs {
			// Databases quote values in their messages (MySQL's
			// "Duplicate entry 'x'"): without WithLogArgs they go too.
			msg = ob.e.redact(msg, ob.args)
		}
		attrs = append(attrs, slog.String("error", msg))
	}
	l.LogAttrs(ob.ctx, level, "dlayer sql", attrs...)
}
