package engine

import (
	"context"
	"strings"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/stmt"
)

// ExecBatch runs statements that return no rows in the transaction, in
// order, and returns the result of each one that ran. Where the driver can
// pipeline them (PostgreSQL: dialects.Batcher) they go to the database in
// one round trip, observed once by the Tracer and the logger as a "batch"
// operation whose SQL is the statements' text joined by ";\n"; elsewhere
// they run one by one. At the first failure it returns the results before
// it and that statement's error; no later statement runs (on PostgreSQL
// the failure aborts the transaction, so they would fail anyway).
func (tx *Tx) ExecBatch(ctx context.Context, ss []stmt.Statement) ([]Result, error) {
	if tx == nil || tx.e == nil || tx.tx == nil {
		return nil, errNilTx
	}
	b, ok := tx.batcher()
	if !ok || len(ss) < 2 {
		out := make([]Result, 0, len(ss))
		for _, s := range ss {
			res, err := tx.Exec(ctx, s)
			if err != nil {
				return out, err
			}
			out = append(out, res)
		}
		return out, nil
	}
	if err := tx.lock(ctx); err != nil {
		return nil, err
	}
	defer tx.mu.Unlock()
	sqls := make([]string, len(ss))
	args := make([][]any, len(ss))
	var all []any
	for i, s := range ss {
		c, a, err := tx.e.prepare(s)
		if err != nil {
			return nil, err
		}
		if err := tx.e.checkStatement(ctx, "exec", c.SQL, a); err != nil {
			return nil, err
		}
		sqls[i], args[i] = c.SQL, a
		all = append(all, a...)
	}
	joined := strings.Join(sqls, ";\n")
	ob := tx.e.observe(ctx, "batch", joined, all)
	out, err := b.ExecBatch(ob.ctx, sqls, args)
	var rows int64
	for _, r := range out {
		rows += r.RowsAffected
	}
	if err != nil {
		failed := joined
		if len(out) < len(sqls) {
			failed = sqls[len(out)]
		}
		err = tx.e.translate(ctx, describe(failed), err)
	}
	ob.done(err, rows)
	return out, err
}

// batcher returns the driver transaction's pipeline, if it has one.
func (tx *Tx) batcher() (dialects.Batcher, bool) {
	b, ok := tx.tx.(dialects.Batcher)
	return b, ok
}
