package orm

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

// One round trip for a one-statement unit of work.
//
// A Commit (or the commit at the end of a Transaction block) whose flush
// writes exactly one statement, in a session with no transaction open yet,
// sends that statement on its own, without BEGIN and COMMIT: one statement
// is atomic by itself on every database, so the unit of work is saved
// whole or not at all, as in a transaction, in one round trip instead of
// three. The flush takes this path only when nothing else may need to run
// inside the transaction: no per-object hook of the written type (Before…
// and After… hooks may run statements of their own), no BeforeFlush,
// AfterFlush or BeforeCommit event, no isolation level or read-only mode
// asked for, no savepoint, no application transaction joined (SessionIn),
// and a plan that is one statement by construction (one INSERT batch, one
// UPDATE or one DELETE, with no foreign keys to copy and no association
// rows). Anything else runs as before: BEGIN, the statements, COMMIT.
//
// Failures keep their meaning. A statement the database refused (a
// constraint, a stale version) wrote nothing: the flush fails as any flush
// does (objects restored, ErrSessionNeedsRollback until Rollback). A
// statement whose answer never came (the connection lost, the context
// ending while it ran) may have been applied: the error wraps
// ErrCommitOutcomeUnknown, as a COMMIT without an answer does, and the
// session needs a rollback.

// directQ runs the one statement of a direct flush on the engine, outside
// any transaction, and refuses a second one: the plan said there would be
// one, and a second statement would not be atomic with the first.
type directQ struct {
	e    *engine.Engine
	sent bool
}

var errDirectSecond = errors.New("internal error: a one-statement flush tried to send a second statement (nothing of it was sent)")

func (q *directQ) Exec(ctx context.Context, s stmt.Statement) (engine.Result, error) {
	if q.sent {
		return engine.Result{}, errDirectSecond
	}
	q.sent = true
	return q.e.Exec(ctx, s)
}

func (q *directQ) Query(ctx context.Context, s stmt.Statement) (*engine.Rows, error) {
	if q.sent {
		return nil, errDirectSecond
	}
	q.sent = true
	return q.e.Query(ctx, s)
}

// canDirect reports whether the commit about to flush may send a
// one-statement flush without a transaction (see above); the plan decides
// the rest (oneStatement).
func (s *Session) canDirect() bool {
	ev := s.cfg.events
	return len(s.txs) == 0 && s.join == nil && len(s.nested) == 0 &&
		s.txOpts == (engine.TxOptions{}) &&
		ev.BeforeFlush == nil && ev.AfterFlush == nil && ev.BeforeCommit == nil &&
		!s.g.misuse.Load()
}

// oneStatement reports whether plan p writes at most one statement, with
// no hook that could run statements of its own.
func (s *Session) oneStatement(p *flushPlan) bool {
	if s.db.joined && p.planJoined() {
		return false
	}
	if len(p.edges) > 0 || len(p.nulls) > 0 || len(p.early) > 0 ||
		len(p.assocAdd) > 0 || len(p.assocDel) > 0 || len(p.assocClear) > 0 {
		return false
	}
	n := 0
	for m, sts := range p.inserts {
		if m.hooks&(hookBeforeInsert|hookAfterInsert) != 0 {
			return false
		}
		n += s.insertStatements(m, sts)
	}
	for m, sts := range p.persistent {
		if m.hooks&(hookBeforeUpdate|hookAfterUpdate) != 0 {
			return false
		}
		n += len(sts) // at most one UPDATE each
	}
	for m, sts := range p.deletes {
		if m.hooks&(hookBeforeDelete|hookAfterDelete) != 0 {
			return false
		}
		n += len(sts)
	}
	return n <= 1
}

// insertStatements returns how many INSERT statements insertLevel sends
// for the pending objects sts of m (which have no parent among themselves:
// the plan has no edges).
func (s *Session) insertStatements(m *mapper, sts []*state) int {
	e := s.db.router.writer(m.model)
	feats, maxParams := e.Dialect().Features(), e.Dialect().MaxParams()
	sig := make([]byte, len(m.cols))
	first := make([]byte, len(m.cols))
	for i, st := range sts {
		insertSig(m, st.obj, sig)
		if i == 0 {
			copy(first, sig)
		} else if string(sig) != string(first) {
			return 2 // two groups: two statements at least
		}
	}
	nCols, generated := 0, false
	for i, c := range first {
		if c == 'v' {
			nCols++
		} else if i == m.autoPK {
			generated = true
		}
	}
	per := insertBatchSize(nCols, generated, feats, maxParams)
	return (len(sts) + per - 1) / per
}

// insertBatchSize is how many rows one INSERT of nCols columns carries;
// generated is whether the database generates the rows' keys.
func insertBatchSize(nCols int, generated bool, feats dialects.Feature, maxParams int) int {
	per := 1
	if nCols > 0 {
		per = max(1, min(1000, maxParams/nCols))
	}
	if !feats.Has(dialects.MultiRowInsert) {
		per = 1
	}
	if generated && !feats.InsertReturns() && !feats.Has(dialects.ConsecutiveInsertKeys) {
		// The server may hand one INSERT's rows keys that are not
		// LastInsertID + position (auto_increment_increment ≠ 1,
		// interleaved autoinc locks, per-server ID caches): one
		// statement per row, each with its own LastInsertID.
		per = 1
	}
	return per
}

// directError says what became of the statement of a direct flush that
// failed: the database's refusal wrote nothing, like a failed statement in
// a transaction; a connection lost or a context ended after it was sent
// leaves it unknown whether the statement (the whole unit of work) was
// applied.
func directError(ctx context.Context, d dialects.Dialect, q *directQ, err error) error {
	if q == nil || !q.sent || errors.Is(err, ErrCommitOutcomeUnknown) {
		return err
	}
	var safe interface{ SafeToRetry() bool }
	if errors.As(err, &safe) && safe.SafeToRetry() || errors.Is(err, driver.ErrBadConn) {
		// The driver says nothing reached the server (pgx's SafeToRetry;
		// database/sql drivers return ErrBadConn only then).
		return err
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		dialects.IsConnectionError(d, err) {
		return fmt.Errorf("%w (the unit of work was one statement, sent without a transaction): %w", ErrCommitOutcomeUnknown, err)
	}
	return err
}

// executeBatched runs a flush that only updates and deletes rows, on one
// engine, with no hooks, as one batch of statements in the transaction:
// on PostgreSQL they go to the server in one round trip (a pipeline:
// engine.Tx.ExecBatch), where they used to take one each. No statement of
// such a flush needs an earlier one's result; their results (rows
// affected, for ErrStaleObject) are checked after the batch, before
// anything commits, and a failure fails the flush as a failed statement
// always did (the transaction rolled back, the objects restored). ok is
// false when the plan does not qualify (nothing was done).
func (s *Session) executeBatched(ctx context.Context, p *flushPlan) (ok bool, err error) {
	if s.db.joined && p.planJoined() {
		return false, nil
	}
	if s.direct != nil || len(p.inserts) > 0 || len(p.edges) > 0 || len(p.nulls) > 0 || len(p.early) > 0 ||
		len(p.assocAdd) > 0 || len(p.assocDel) > 0 || len(p.assocClear) > 0 {
		return false, nil
	}
	var (
		eng   *engine.Engine
		first *mapper
		n     int
	)
	fits := func(m *mapper, hooks hookSet, k int) bool {
		if m.hooks&hooks != 0 {
			return false
		}
		e := s.db.router.writer(m.model)
		if eng != nil && e != eng {
			return false
		}
		eng, first, n = e, m, n+k
		return true
	}
	for m, sts := range p.persistent {
		if !fits(m, hookBeforeUpdate|hookAfterUpdate, len(sts)) {
			return false, nil
		}
	}
	for m, sts := range p.deletes {
		if !fits(m, hookBeforeDelete|hookAfterDelete, len(sts)) {
			return false, nil
		}
	}
	if n < 2 {
		return false, nil
	}
	type sent struct {
		st       *state
		del      bool
		computed bool
	}
	var (
		ss   []stmt.Statement
		what []sent
	)
	// The order execute uses: updates by mapper, then deletes in reverse
	// mapper order (children first).
	for _, m := range s.db.order {
		for _, st := range p.persistent[m] {
			if !m.dirty(st) {
				continue
			}
			upd, computed, err := s.updateStmt(p, st)
			if err != nil {
				return true, err
			}
			if upd != nil {
				ss = append(ss, upd)
				what = append(what, sent{st: st, computed: computed})
			}
		}
	}
	for i := len(s.db.order) - 1; i >= 0; i-- {
		m := s.db.order[i]
		for _, st := range selfDeleteOrder(m, p.deletes[m]) {
			ss = append(ss, s.deleteStmt(st))
			what = append(what, sent{st: st, del: true})
		}
	}
	if len(ss) == 0 {
		return true, nil
	}
	q, err := s.writer(ctx, first)
	if err != nil {
		return true, err
	}
	tx, isTx := q.(*engine.Tx)
	if !isTx {
		return true, errors.New("internal error: a batched flush outside a transaction")
	}
	res, err := tx.ExecBatch(ctx, ss)
	if err != nil {
		k := min(len(res), len(what)-1) // the statement that failed
		verb := "update"
		if what[k].del {
			verb = "delete"
		}
		return true, fmt.Errorf("%s %s: %w", verb, what[k].st.m.model.Name, err)
	}
	for i, r := range res {
		w := what[i]
		if w.del {
			err = deleted(w.st, r)
		} else {
			err = updated(w.st, r, w.computed)
		}
		if err != nil {
			return true, err
		}
	}
	return true, nil
}
