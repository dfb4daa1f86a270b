package orm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"unsafe"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

// status is an object's place in a session's life cycle.
type status uint8

const (
	statusPending    status = iota + 1 // added, not yet inserted
	statusPersistent                   // has a row, in the identity map
	statusDeleted                      // marked for deletion (or deleted by a flush)
)

// state is what a session knows about one object.
type state struct {
	m   *mapper
	obj unsafe.Pointer
	key identity
	// snap holds the column values as last loaded or flushed (nil while
	// pending).
	snap unsafe.Pointer
	// loaded has bit i set when relationship m.rels[i] has a known value;
	// links holds the values as last loaded or flushed (members of a
	// collection, or the one target), for orphan and association diffs.
	loaded uint64
	links  []linkRec
	// linkInline holds the first record, so most objects need no
	// allocation for it.
	linkInline [1]linkRec
	order      int
	status     status
	hasKey     bool
	// expired objects are reloaded by the next Get or query.
	expired bool
	// deleteFlushed is set once the DELETE ran (until commit).
	deleteFlushed bool
	// insertedInTx records that the object was inserted by the current
	// transaction (for rollback).
	insertedInTx bool
	// generatedKey records that the key field was set from the database.
	generatedKey bool
	// gone marks a state removed from the session.
	gone bool
}

// Session is a unit of work: it tracks objects in an identity map, records
// their changes, and writes them in one transaction at Flush or Commit.
//
// A Session is NOT safe for concurrent use: open one per request or
// goroutine (see Middleware and FromContext). The DB it comes from is.
type Session struct {
	db  *DB
	cfg config
	// states holds every object in the session, by address.
	// all holds every state in the order it joined; forgotten ones are
	// marked gone (and counted in dead) until compaction. byPtr indexes
	// all[:indexed] by object address, built lazily (stateOf).
	all  []*state
	dead int
	// forgot: an object left the session since the last ExpungeAll (a
	// loaded relationship may still hold it, so the autoflush's cheap
	// clean check defers to the full plan).
	forgot  bool
	byPtr   map[unsafe.Pointer]*state
	indexed int
	idmap   identityMap
	seq     int
	// txs are the open transactions, one per engine written or read in a
	// transaction (the primary for most sessions).
	txs    map[*engine.Engine]*engine.Tx
	txList []*engine.Engine
	// wrote is set once the session flushed a write: later reads go to
	// the primary.
	wrote  bool
	failed error
	closed bool
	// nested holds open savepoints (innermost last).
	nested []*savepoint
	// txOpts are the options the session's transactions begin with (set
	// by Begin and Transaction, cleared when the transaction ends).
	txOpts engine.TxOptions
	// join is the application's transaction the session runs in
	// (DB.SessionIn), or nil.
	join *joined
	// g detects concurrent use (guard.go); calledOut records that the
	// running call ran app code (and so set g.owner).
	g         guard
	calledOut bool
	// flushing is set while a flush runs, to refuse a flush from a hook.
	flushing bool
	// direct is set while Commit flushes a unit of work that may go out
	// as one statement without a transaction (direct.go).
	direct *directQ
	// directQ is direct's storage, reused by every commit.
	directQ directQ
	// lazy marks a Transaction block whose BEGIN is not sent yet: the
	// block is in a transaction, which begins on the primary at its first
	// statement — or never, when its commit writes one statement
	// (direct.go) or nothing.
	lazy bool
	// budget counts statements against WithQueryBudget; nil without.
	budget *budget
	// hard marks objects of soft-delete models that HardDelete deletes
	// for real (softdelete.go); nil until used.
	hard map[*state]bool
	// Chunked storage for states and snapshots (arena.go).
	stateBuf   []state
	stateChunk int
	slabs      map[*mapper]*snapSlab
	objSlabs   map[*mapper]*snapSlab
	slab0      snapSlab // the first mapper's snapshots (and objects)
	objSlab0   snapSlab
}

type savepoint struct {
	sp  *engine.Savepoint
	tx  *engine.Tx
	eng *engine.Engine
}

// SessionOption configures one Session.
type SessionOption func(*config)

// Session returns a new Session. Options override the DB's defaults (nil
// options are ignored). The session of a nil *DB answers every call with an
// error.
func (db *DB) Session(opts ...SessionOption) *Session {
	if db == nil {
		return &Session{}
	}
	s := &Session{db: db, cfg: db.cfg}
	for _, o := range opts {
		if o != nil {
			o(&s.cfg)
		}
	}
	if s.cfg.budget != nil {
		s.budget = newBudget(*s.cfg.budget)
	}
	return s
}

// WithExpireOnCommit overrides the DB's ExpireOnCommit for one session.
func WithExpireOnCommit(on bool) SessionOption { return func(c *config) { c.expireOnCommit = on } }

// WithAutoflush overrides the DB's Autoflush for one session.
func WithAutoflush(on bool) SessionOption { return func(c *config) { c.autoflush = on } }

// DB returns the DB the session came from (nil for a nil or zero Session).
func (s *Session) DB() *DB {
	if s == nil {
		return nil
	}
	return s.db
}

// usable reports why the session refuses work: it is closed, it was used
// concurrently, or a flush failed (ErrSessionNeedsRollback).
func (s *Session) usable() error {
	if s.closed {
		return ErrSessionClosed
	}
	if s.g.misuse.Load() {
		return misused{}
	}
	if s.failed != nil {
		return &needsRollback{cause: s.failed}
	}
	return nil
}

// New returns a new dynamic Object of the named model, already added to the
// session (pending). It returns ErrSessionNeedsRollback after a failed
// flush.
func (s *Session) New(model string) (*Object, error) {
	nested, err := s.enter("new")
	if err != nil {
		return nil, err
	}
	defer s.leave(nested)
	if err := s.usable(); err != nil {
		return nil, err
	}
	mp, err := s.db.modelMapper(model)
	if err != nil {
		return nil, err
	}
	if mp.typ != nil {
		return nil, fmt.Errorf("orm: model %s is bound to %s: use a *%s", model, mp.typ, mp.typ)
	}
	o := newDynamic(mp)
	return o, s.addObj(o)
}

// Add puts obj (a pointer to a bound struct, or an *Object) in the session:
// a new object becomes pending and is inserted by the next flush, with the
// objects reachable from it through save-update cascades. It returns
// ErrSessionNeedsRollback after a failed flush.
func (s *Session) Add(obj any) error {
	nested, err := s.enter("add")
	if err != nil {
		return err
	}
	defer s.leave(nested)
	return s.addObj(obj)
}

func (s *Session) addObj(obj any) error {
	if err := s.usable(); err != nil {
		return err
	}
	m, p, err := s.db.mapperOf(obj)
	if err != nil {
		return err
	}
	if err := m.writable("add"); err != nil {
		return err
	}
	s.attach(m, p)
	return nil
}

// AddAll adds every object (see Add), stopping at the first error (the
// objects before it stay added). No objects is a no-op.
func (s *Session) AddAll(objs ...any) error {
	nested, err := s.enter("add")
	if err != nil {
		return err
	}
	defer s.leave(nested)
	for _, o := range objs {
		if err := s.addObj(o); err != nil {
			return err
		}
	}
	return nil
}

// attach adds an object that is not yet in the session as pending (or
// revives a deleted one).
func (s *Session) attach(m *mapper, p unsafe.Pointer) *state {
	if st := s.stateOf(p); st != nil {
		if st.status == statusDeleted && !st.deleteFlushed {
			st.status = statusPersistent
		}
		return st
	}
	// A new object's relationships are what the app set: all loaded.
	st := s.newState()
	*st = state{m: m, obj: p, status: statusPending, loaded: m.allRels}
	s.add(st)
	return st
}

// Delete marks obj for deletion at the next flush. Cascades (delete,
// delete-orphan) follow the relationships' settings. Deleting a pending
// object just removes it from the session. It returns
// ErrSessionNeedsRollback after a failed flush.
func (s *Session) Delete(obj any) error {
	nested, err := s.enter("delete")
	if err != nil {
		return err
	}
	defer s.leave(nested)
	if err := s.usable(); err != nil {
		return err
	}
	m, p, err := s.db.mapperOf(obj)
	if err != nil {
		return err
	}
	if err := m.writable("delete"); err != nil {
		return err
	}
	st := s.stateOf(p)
	if st == nil {
		return fmt.Errorf("delete %T: %w", obj, ErrDetached)
	}
	switch st.status {
	case statusPending:
		s.forget(st)
	case statusPersistent:
		st.status = statusDeleted
	}
	return nil
}

// Expunge removes obj from the session without touching the database. It
// works after a failed flush too.
func (s *Session) Expunge(obj any) error {
	nested, err := s.enter("expunge")
	if err != nil {
		return err
	}
	defer s.leave(nested)
	if s.closed {
		return fmt.Errorf("expunge: %w", ErrSessionClosed)
	}
	_, p, err := s.db.mapperOf(obj)
	if err != nil {
		return err
	}
	st := s.stateOf(p)
	if st == nil {
		return fmt.Errorf("expunge %T: %w", obj, ErrDetached)
	}
	s.forget(st)
	return nil
}

func (s *Session) forget(st *state) {
	if st.gone {
		return
	}
	st.gone = true
	s.dead++
	s.forgot = true
	if s.hard != nil {
		delete(s.hard, st)
	}
	if s.byPtr != nil && s.byPtr[st.obj] == st {
		delete(s.byPtr, st.obj)
	}
	if st.hasKey {
		s.idmap.del(st.key, st)
	}
	if s.dead > 64 && s.dead > len(s.all)/2 {
		// Compact: drop forgotten states and rebuild the index lazily.
		live := s.live()
		s.all, s.dead, s.byPtr, s.indexed = live, 0, nil, 0
	}
}

// add records a new state.
func (s *Session) add(st *state) {
	s.seq++
	st.order = s.seq
	s.all = append(s.all, st)
}

// stateOf returns the state of the object at p, or nil. The index by
// address is built lazily, so sessions that only read never pay for it.
func (s *Session) stateOf(p unsafe.Pointer) *state {
	if s.indexed < len(s.all) {
		if s.byPtr == nil {
			s.byPtr = make(map[unsafe.Pointer]*state, len(s.all))
		}
		for _, st := range s.all[s.indexed:] {
			if !st.gone {
				s.byPtr[st.obj] = st
			}
		}
		s.indexed = len(s.all)
	}
	return s.byPtr[p]
}

// live returns the states in the session, in the order they joined it.
func (s *Session) live() []*state {
	if s.dead == 0 {
		return slices.Clone(s.all)
	}
	out := make([]*state, 0, len(s.all)-s.dead)
	for _, st := range s.all {
		if !st.gone {
			out = append(out, st)
		}
	}
	return out
}

// ExpungeAll empties the session. On a closed session it does nothing; a
// call that meets another goroutine's call does nothing but mark the
// session misused (see ErrConcurrentUse).
func (s *Session) ExpungeAll() {
	nested, err := s.enter("expunge all")
	if err != nil {
		return
	}
	defer s.leave(nested)
	s.expungeAll()
}

func (s *Session) expungeAll() {
	for _, st := range s.all {
		st.gone = true
	}
	s.all, s.dead, s.byPtr, s.indexed = nil, 0, nil, 0
	s.forgot = false
	s.idmap.clear()
}

// Expire marks obj's loaded state stale: the next Get or query that meets
// it reloads its columns (Refresh reloads at once). It works after a failed
// flush too.
func (s *Session) Expire(obj any) error {
	nested, err := s.enter("expire")
	if err != nil {
		return err
	}
	defer s.leave(nested)
	if s.closed {
		return fmt.Errorf("expire: %w", ErrSessionClosed)
	}
	_, p, err := s.db.mapperOf(obj)
	if err != nil {
		return err
	}
	st := s.stateOf(p)
	if st == nil {
		return fmt.Errorf("expire %T: %w", obj, ErrDetached)
	}
	if st.status == statusPersistent {
		st.expired = true
	}
	return nil
}

// ExpireAll expires every persistent object. On a closed session it does
// nothing; a call that meets another goroutine's call does nothing but mark
// the session misused (see ErrConcurrentUse).
func (s *Session) ExpireAll() {
	nested, err := s.enter("expire all")
	if err != nil {
		return
	}
	defer s.leave(nested)
	s.expireAll()
}

func (s *Session) expireAll() {
	for _, st := range s.live() {
		if st.status == statusPersistent {
			st.expired = true
		}
	}
}

// Refresh reloads obj's columns from the database now, discarding unflushed
// changes to them. Loaded relationships are marked unloaded. It returns
// ErrSessionNeedsRollback after a failed flush.
func (s *Session) Refresh(ctx context.Context, obj any) error {
	nested, err := s.enterCtx(ctx, "refresh")
	if err != nil {
		return err
	}
	defer s.leave(nested)
	if err := s.usable(); err != nil {
		return err
	}
	m, p, err := s.db.mapperOf(obj)
	if err != nil {
		return err
	}
	st := s.stateOf(p)
	if st == nil || st.status != statusPersistent {
		return fmt.Errorf("refresh %T: %w", obj, ErrDetached)
	}
	q := m.withExprs(stmt.Select(m.tref), m.tref, false).Where(m.pkWhere(st.obj)...)
	st.expired = true
	n, err := s.loadInto(ctx, m, q, func(*state) {})
	if err != nil {
		return fmt.Errorf("refresh %s: %w", m.model.Name, err)
	}
	if n == 0 {
		s.forget(st)
		return fmt.Errorf("refresh %s: %w", m.model.Name, ErrNotFound)
	}
	st.loaded, st.links = 0, nil
	return nil
}

// pkWhere returns the conditions matching obj's primary key as flushed
// (from the snapshot when there is one, so a changed key still finds its row).
func (m *mapper) pkWhere(obj unsafe.Pointer) []stmt.Expr {
	out := make([]stmt.Expr, len(m.pk))
	for i, o := range m.pk {
		out[i] = m.tref.Col(m.cols[o].col).Eq(m.cols[o].get(obj))
	}
	return out
}

// Close ends the session: an open transaction is rolled back and every
// object is expunged. The session cannot be used afterwards; closing it
// again does nothing. It works after a failed flush or a detected
// concurrent use (it is the way out of both), and with a cancelled or nil
// ctx (the rollback is sent regardless).
func (s *Session) Close(ctx context.Context) error {
	nested, err := s.enter("close")
	if err != nil {
		return err
	}
	defer s.leave(nested)
	if s.closed {
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	err = s.rollbackTx(ctx)
	s.expungeAll()
	s.closed = true
	s.failed = nil
	s.g.misuse.Store(false)
	return err
}

// InTransaction reports whether the session has an open transaction (false
// for a closed session, and for a call that meets another goroutine's call,
// which marks the session misused).
func (s *Session) InTransaction() bool {
	nested, err := s.enter("in transaction")
	if err != nil {
		return false
	}
	defer s.leave(nested)
	return len(s.txs) > 0 || s.lazy
}

// Begin opens the session's transaction on the primary now (a session also
// begins one on its own at the first write or locking read). Reads inside
// it go to the primary. It returns ErrSessionNeedsRollback after a failed
// flush.
//
// Options set the isolation level and read-only mode
// (engine.WithIsolation, engine.WithReadOnly) of the session's
// transactions until it commits or rolls back; they are an error when a
// transaction is already open, and so is engine.WithRetry, which only
// Transaction can honour (it needs the whole block as a function). In a
// session joined to the application's transaction (DB.SessionIn) they are
// ignored: that transaction's own level and mode apply.
func (s *Session) Begin(ctx context.Context, opts ...engine.TxOption) error {
	nested, err := s.enterCtx(ctx, "begin")
	if err != nil {
		return err
	}
	defer s.leave(nested)
	if err := s.usable(); err != nil {
		return err
	}
	cfg := engine.NewTxConfig(opts...)
	if cfg.Retry != nil {
		return errors.New("begin: engine.WithRetry needs the transaction as a function: use Session.Transaction")
	}
	if err := s.setTxOptions(cfg.TxOptions); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	return s.begin(ctx)
}

// setTxOptions records the options of the next transaction; they cannot
// change that of an open one.
func (s *Session) setTxOptions(o engine.TxOptions) error {
	if o == (engine.TxOptions{}) || s.join != nil {
		return nil
	}
	if len(s.txs) > 0 || s.lazy {
		if o == s.txOpts {
			return nil
		}
		return fmt.Errorf("the session's transaction is already open: its isolation level and read-only mode cannot change (give them to the first Begin or Transaction)")
	}
	s.txOpts = o
	return nil
}

func (s *Session) begin(ctx context.Context) error {
	_, err := s.txFor(ctx, s.db.router.primary)
	return err
}

// txFor returns the session's transaction on e, beginning it if needed
// (and first the primary's, in a Transaction block not begun yet).
func (s *Session) txFor(ctx context.Context, e *engine.Engine) (*engine.Tx, error) {
	if tx := s.txs[e]; tx != nil {
		return tx, nil
	}
	if s.lazy {
		p := s.db.router.primary
		tx, err := s.openTx(ctx, p)
		if err != nil {
			return nil, err
		}
		s.lazy = false
		if e == p {
			return tx, nil
		}
	}
	return s.openTx(ctx, e)
}

// openTx begins the session's transaction on e.
func (s *Session) openTx(ctx context.Context, e *engine.Engine) (*engine.Tx, error) {
	var tx *engine.Tx
	var err error
	if s.join != nil && e == s.join.tx.Engine() {
		tx, err = s.join.begin(ctx)
	} else {
		tx, err = e.Begin(ctx, s.txOpts)
	}
	if err != nil {
		return nil, err
	}
	if s.txs == nil {
		s.txs = map[*engine.Engine]*engine.Tx{}
	}
	s.txs[e] = tx
	s.txList = append(s.txList, e)
	return tx, nil
}

// reader returns where a read of model m runs: the open transaction on the
// model's engine; outside a transaction the primary once the session has
// written, else a replica. Reads outside a transaction are autocommit
// reads; call Begin first to read in one. For a read on a replica, rep is
// the replica (see read); route marks the read's context (routed).
func (s *Session) reader(ctx context.Context, m *mapper, locking bool) (q engine.Querier, rep *replica, route string, err error) {
	if s.lazy {
		// A read in a Transaction block runs in its transaction.
		if _, err := s.txFor(ctx, s.db.router.primary); err != nil {
			return nil, nil, "", err
		}
	}
	w := s.db.router.writer(m.model)
	if tx := s.txs[w]; tx != nil {
		return tx, nil, "", nil
	}
	if locking || len(s.nested) > 0 || s.joins(w) {
		tx, err := s.txFor(ctx, w)
		return tx, nil, "", err
	}
	if s.wrote {
		// Read your own writes: after a write the session stays on the
		// primary (outside a transaction once it is committed, so a read
		// holds no locks).
		return w, nil, "", nil
	}
	q, rep, route = s.db.router.reader(m.model)
	return q, rep, route, nil
}

// read runs one read of model m outside or inside a transaction (see
// reader): run queries conn and reports how many rows it used. When the
// read went to a replica that failed it with a connection error before
// any row was used, the replica is ejected and the read runs once more on
// the fallback (another healthy replica, or the primary). A read is never
// run again inside a transaction.
func (s *Session) read(ctx context.Context, m *mapper, locking bool, run func(ctx context.Context, conn engine.Querier) (int, error)) error {
	ctx = s.counted(ctx)
	conn, rep, route, err := s.reader(ctx, m, locking)
	if err != nil {
		return err
	}
	n, err := run(routed(ctx, route), conn)
	if err != nil && n == 0 && s.db.router.failed(ctx, rep, err) {
		conn, rep, _ = s.db.router.reader(m.model)
		_, err = run(routed(ctx, routeFallback), conn)
		s.db.router.failed(ctx, rep, err)
	}
	return err
}

// Commit flushes pending changes and commits the transaction(s). With
// ExpireOnCommit, loaded objects are expired. A unit of work that is one
// statement, in a session with no transaction open, is sent as that
// statement alone, without BEGIN and COMMIT (atomic on its own; see
// direct.go and docs/orm.md for when the transaction stays). A failure of
// COMMIT itself wraps ErrRolledBack when the database refused it — a serialization
// failure or deadlock found at COMMIT (engine.IsRetryable holds: run the
// unit of work again), a deferred constraint — and the session is then
// rolled back as Rollback would; it wraps ErrCommitOutcomeUnknown when no
// answer came (a lost connection): the data may or may not be saved. In a
// session joined to the application's transaction (DB.SessionIn), Commit
// releases the session's savepoint and commits nothing.
//
// Commit returns ErrSessionNeedsRollback (wrapping the cause) after a failed
// flush — its own or an earlier one — and after a detected concurrent use
// (ErrConcurrentUse): it never commits a unit of work that is known to be
// incomplete. With a context that is already done, Commit sends nothing and
// returns the context's error; the session and its transaction stay as
// they were, so Commit can be called again (or Rollback). A context that
// ends while COMMIT runs is ErrCommitOutcomeUnknown (wrapping the context's
// error).
func (s *Session) Commit(ctx context.Context) error {
	nested, err := s.enterCtx(ctx, "commit")
	if err != nil {
		return err
	}
	defer s.leave(nested)
	return s.commit(ctx)
}

func (s *Session) commit(ctx context.Context) error {
	if err := s.usable(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("commit: %w (nothing was sent; the session is unchanged)", err)
	}
	if s.canDirect() {
		s.directQ = directQ{}
		s.direct = &s.directQ
	}
	err := s.flush(ctx)
	s.direct = nil
	if err != nil {
		return err
	}
	if ev := s.cfg.events.BeforeCommit; ev != nil {
		prev := s.calloutBegin()
		err := ev(ctx, s)
		s.calloutEnd(prev)
		if err != nil {
			return fmt.Errorf("before commit: %w", err)
		}
		if err := s.usable(); err != nil {
			// The event failed a flush or closed the session.
			return err
		}
	}
	if s.g.misuse.Load() {
		// Another goroutine met this call: what it meant to add may be
		// missing, so do not commit a partial unit of work.
		return misused{}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("commit: %w (COMMIT was not sent; the transaction is still open: commit again or roll back)", err)
	}
	s.nested = nil
	var firstErr error
	n := len(s.txList)
	for i, e := range s.txList {
		tx := s.txs[e]
		joined := s.join != nil && tx == s.join.tx
		if firstErr != nil {
			// An earlier COMMIT failed: the rest of the unit of work is
			// rolled back, not committed without it.
			if joined {
				_ = s.join.rollback(ctx)
			} else {
				_ = tx.Rollback(context.WithoutCancel(ctx))
			}
			continue
		}
		var err error
		if joined {
			// The application's transaction: keep the work in it, commit
			// nothing.
			err = s.join.release(ctx)
		} else {
			// The engine says what became of a failed COMMIT: rolled back
			// (ErrRolledBack; IsRetryable for a serialization failure or
			// deadlock) or unknown (ErrCommitOutcomeUnknown).
			err = tx.Commit(ctx)
		}
		if err == nil {
			continue
		}
		if i == 0 {
			firstErr = fmt.Errorf("commit: %w", err)
		} else {
			// Earlier transactions are committed: the unit of work is
			// neither saved nor undone, and must not be retried whole.
			firstErr = fmt.Errorf("commit (transaction %d of %d; earlier ones are committed, later ones rolled back): %w: %w",
				i+1, n, ErrCommitOutcomeUnknown, err)
		}
	}
	s.txs, s.txList, s.txOpts, s.lazy = nil, nil, engine.TxOptions{}, false
	if firstErr != nil {
		if errors.Is(firstErr, ErrRolledBack) && !errors.Is(firstErr, ErrCommitOutcomeUnknown) {
			// The database rolled the (first) transaction back, and the
			// others were rolled back after it: so does the session
			// (pending and inserted objects leave it, loaded ones are
			// restored and expired), as Rollback would.
			_ = s.rollback(ctx)
			return firstErr
		}
		// Whatever happened, the session's view is no longer reliable.
		s.afterTxEnd(false)
		s.expireAll()
		return firstErr
	}
	s.afterTxEnd(true)
	if s.cfg.expireOnCommit {
		s.expireAll()
	}
	if ev := s.cfg.events.AfterCommit; ev != nil {
		prev := s.calloutBegin()
		ev(ctx, s)
		s.calloutEnd(prev)
	}
	return nil
}

// afterTxEnd settles objects at the end of a transaction.
func (s *Session) afterTxEnd(committed bool) {
	for _, st := range s.live() {
		st.insertedInTx = false
		if st.deleteFlushed {
			s.forget(st)
		}
	}
	_ = committed
}

// Rollback rolls back the transaction(s) and restores the session: pending
// objects (flushed or not) are expunged, with keys the database generated
// for them cleared; deleted ones are restored; loaded ones lose their
// unflushed changes and are expired, so the next Get or query reloads them.
// After a failed flush, or a detected concurrent use (ErrConcurrentUse), it
// is the way back to a usable session. A cancelled or nil ctx still rolls
// back. Rollback of a closed session returns ErrSessionClosed.
func (s *Session) Rollback(ctx context.Context) error {
	nested, err := s.enter("rollback")
	if err != nil {
		return err
	}
	defer s.leave(nested)
	if s.closed {
		return ErrSessionClosed
	}
	if ctx == nil {
		ctx = context.Background()
	}
	return s.rollback(ctx)
}

func (s *Session) rollback(ctx context.Context) error {
	err := s.rollbackTx(ctx)
	for _, st := range s.live() {
		switch {
		case st.insertedInTx || st.status == statusPending:
			if st.generatedKey {
				// The key came from the rolled-back INSERT: clear it so
				// the object can be added again.
				_ = st.m.cols[st.m.autoPK].set(st.obj, int64(0))
				st.generatedKey = false
			}
			s.forget(st)
		case st.status == statusDeleted:
			st.status = statusPersistent
			st.deleteFlushed = false
			s.discard(st)
		case st.status == statusPersistent:
			s.discard(st)
		}
	}
	s.failed = nil
	s.g.misuse.Store(false)
	if ev := s.cfg.events.AfterRollback; ev != nil {
		prev := s.calloutBegin()
		ev(ctx, s)
		s.calloutEnd(prev)
	}
	return err
}

// discard drops a persistent object's unflushed changes (its columns go
// back to the values last read or flushed), puts it back in the identity
// map and expires it, so the next Get or query reloads it: what a rollback
// does to loaded objects.
func (s *Session) discard(st *state) {
	if st.snap != nil {
		st.m.restore(st.obj, st.snap)
	}
	st.expired = true
	if st.hasKey {
		s.idmap.put(st.key, st)
	}
}

func (s *Session) rollbackTx(ctx context.Context) error {
	var errs []error
	for _, e := range s.txList {
		var err error
		if tx := s.txs[e]; s.join != nil && tx == s.join.tx {
			err = s.join.rollback(ctx)
		} else {
			err = tx.Rollback(context.WithoutCancel(ctx))
		}
		if err != nil && !errors.Is(err, engine.ErrTxDone) {
			errs = append(errs, err)
		}
	}
	s.txs, s.txList, s.nested, s.txOpts, s.lazy = nil, nil, nil, engine.TxOptions{}, false
	return errors.Join(errs...)
}

// Transaction runs fn in a transaction block: it commits when fn returns nil
// and rolls back when fn returns an error or panics (re-panicking after).
// Inside an open transaction it runs fn in a nested transaction (a
// SAVEPOINT) instead, releasing it on success and rolling back to it on
// error. It returns ErrSessionNeedsRollback after a failed flush (without
// running fn). When the commit fails (a failed flush, a done context, a
// failed COMMIT), the block is rolled back and the commit's error returned.
//
// Options: engine.WithIsolation and engine.WithReadOnly set the block's
// transaction's isolation level and read-only mode (an error inside an
// open transaction, whose level cannot change, unless they are the ones it
// has); engine.WithRetry runs the whole block again after a transient
// failure (engine.IsRetryable: a serialization failure, deadlock, lock
// wait timeout, busy database, CockroachDB restart or TiDB write conflict
// — from a statement, a flush, fn's returned error or COMMIT), with backoff,
// until it succeeds or the policy's attempts are spent; a context that
// ends stops the retries, and a COMMIT whose outcome is unknown
// (ErrCommitOutcomeUnknown) is never retried.
//
// Each failed run is rolled back and leaves the session as it was before
// the block: objects fn added or loaded are expunged (keys the database
// generated for them cleared), objects that were in the session before are
// restored and expired, so the next run reloads them. fn must therefore do
// its whole work again on each run — load, decide, create, change — and
// keep no state of its own from a failed run. (Objects fn expunged stay
// expunged.) Hooks run as they would for a rollback.
//
// A retry policy is applied by the outermost block only: inside an open
// transaction (a savepoint) the block runs once, and a transient failure
// reaches the outer block, which a database has rolled back entirely
// anyway. In a session joined to the application's transaction
// (DB.SessionIn) the block runs once, in a savepoint, and the isolation
// options are ignored: that transaction is the application's to retry.
func (s *Session) Transaction(ctx context.Context, fn func(s *Session) error, opts ...engine.TxOption) error {
	nested, err := s.enterCtx(ctx, "transaction")
	if err != nil {
		return err
	}
	if fn == nil {
		s.leave(nested)
		return errors.New("transaction: nil function")
	}
	if err := s.usable(); err != nil {
		s.leave(nested)
		return err
	}
	cfg := engine.NewTxConfig(opts...)
	if len(s.txs) > 0 || s.lazy {
		err := s.setTxOptions(cfg.TxOptions)
		s.leave(nested)
		if err != nil {
			return fmt.Errorf("transaction: %w", err)
		}
		return s.Nested(ctx, fn)
	}
	if s.join != nil {
		cfg.Retry = nil
	}
	s.leave(nested)
	return engine.Retry(ctx, cfg.Retry, func(ctx context.Context) error {
		return s.runBlock(ctx, cfg, fn)
	})
}

// runBlock runs one attempt of a Transaction block.
func (s *Session) runBlock(ctx context.Context, cfg engine.TxConfig, fn func(s *Session) error) (err error) {
	nested, err := s.enterCtx(ctx, "transaction")
	if err != nil {
		return err
	}
	if err := s.usable(); err != nil {
		s.leave(nested)
		return err
	}
	if err := s.setTxOptions(cfg.TxOptions); err != nil {
		s.leave(nested)
		return err
	}
	start := s.seq
	if s.join == nil && s.txOpts == (engine.TxOptions{}) {
		// BEGIN goes out with the block's first statement (or not at all:
		// see direct.go). A closed engine fails the block now, as BEGIN
		// would.
		if err := s.db.router.primary.Usable(); err != nil {
			s.leave(nested)
			return err
		}
		s.lazy = true
	} else if err := s.begin(ctx); err != nil {
		s.txOpts = engine.TxOptions{}
		s.leave(nested)
		return err
	}
	// fn calls the session's methods itself: let it in.
	s.leave(nested)
	defer func() {
		p := recover()
		nested, gerr := s.enter("transaction")
		if gerr != nil {
			// Another goroutine is inside: it cannot be cleaned up here;
			// the session is marked misused (Rollback or Close it).
			if p != nil {
				panic(p)
			}
			err = errors.Join(err, gerr)
			return
		}
		defer s.leave(nested)
		if p != nil {
			_ = s.rollback(ctx)
			panic(p)
		}
		if err == nil {
			if err = s.commit(ctx); err == nil {
				return
			}
		}
		// A block ends committed or rolled back, never open or needing a
		// rollback (a done context leaves COMMIT unsent).
		if rerr := s.rollback(ctx); rerr != nil {
			err = errors.Join(err, rerr)
		}
		if cfg.Retry != nil {
			s.forgetSince(start)
		}
	}()
	return fn(s)
}

// forgetSince expunges the objects that joined the session after seq (a
// failed run of a retried block added or loaded them).
func (s *Session) forgetSince(seq int) {
	for _, st := range s.live() {
		if st.order > seq {
			if st.generatedKey {
				_ = st.m.cols[st.m.autoPK].set(st.obj, int64(0))
				st.generatedKey = false
			}
			s.forget(st)
		}
	}
}

// Nested runs fn inside a SAVEPOINT of the session's transaction (begun if
// needed): pending changes are flushed first; on error (or panic) the
// database work since the savepoint is rolled back and the objects it
// touched are expired, and the outer transaction goes on. It returns
// ErrSessionNeedsRollback after a failed flush (without running fn).
func (s *Session) Nested(ctx context.Context, fn func(s *Session) error) (err error) {
	nested, err := s.enterCtx(ctx, "nested")
	if err != nil {
		return err
	}
	sp, depth, err := s.openNested(ctx, fn)
	s.leave(nested)
	if err != nil {
		return err
	}
	defer func() {
		p := recover()
		nested, gerr := s.enter("nested")
		if gerr != nil {
			if p != nil {
				panic(p)
			}
			err = errors.Join(err, gerr)
			return
		}
		defer s.leave(nested)
		undo := func() error {
			s.nested = s.nested[:min(depth-1, len(s.nested))]
			rerr := sp.Rollback(context.WithoutCancel(ctx))
			s.failed = nil
			for _, st := range s.live() {
				if st.status == statusDeleted {
					st.status = statusPersistent
					st.deleteFlushed = false
				}
				if st.status == statusPersistent {
					s.discard(st)
				}
			}
			return rerr
		}
		if p != nil {
			_ = undo()
			panic(p)
		}
		if err != nil {
			if rerr := undo(); rerr != nil {
				err = errors.Join(err, rerr)
			}
			return
		}
		if ferr := s.flush(ctx); ferr != nil {
			err = ferr
			return
		}
		s.nested = s.nested[:min(depth-1, len(s.nested))]
		err = sp.Release(ctx)
	}()
	return fn(s)
}

// openNested checks fn, flushes and sets the savepoint for Nested.
func (s *Session) openNested(ctx context.Context, fn func(s *Session) error) (*engine.Savepoint, int, error) {
	if fn == nil {
		return nil, 0, errors.New("nested: nil function")
	}
	if err := s.usable(); err != nil {
		return nil, 0, err
	}
	if err := s.flush(ctx); err != nil {
		return nil, 0, err
	}
	e := s.db.router.primary
	tx, err := s.txFor(ctx, e)
	if err != nil {
		return nil, 0, err
	}
	sp, err := tx.Savepoint(ctx)
	if err != nil {
		return nil, 0, err
	}
	s.nested = append(s.nested, &savepoint{sp: sp, tx: tx, eng: e})
	return sp, len(s.nested), nil
}

func (st *state) isLoaded(i int) bool { return st.loaded&(1<<uint(i)) != 0 }
func (st *state) setLoaded(i int)     { st.loaded |= 1 << uint(i) }
func (st *state) clearLoaded(i int)   { st.loaded &^= 1 << uint(i) }

// linkRec is the recorded value of one relationship: one target, or the
// members of a collection.
type linkRec struct {
	i     int32
	isOne bool
	one   unsafe.Pointer
	many  []unsafe.Pointer
}

// link returns the recorded value of relationship i (nil if none). A
// to-one value is returned as a one-element slice over the state's own
// storage, without allocating.
func (st *state) link(i int) []unsafe.Pointer {
	for j := range st.links {
		r := &st.links[j]
		if int(r.i) != i {
			continue
		}
		if r.isOne {
			if r.one == nil {
				return nil
			}
			return unsafe.Slice(&r.one, 1)
		}
		return r.many
	}
	return nil
}

// rec returns the record of relationship i, adding it (in the state's
// inline storage while there is room) if needed.
func (st *state) rec(i int) *linkRec {
	for j := range st.links {
		if int(st.links[j].i) == i {
			return &st.links[j]
		}
	}
	if st.links == nil {
		st.links = st.linkInline[:0]
	}
	st.links = append(st.links, linkRec{i: int32(i)})
	return &st.links[len(st.links)-1]
}

// setLinks records the members of collection i.
func (st *state) setLinks(i int, v []unsafe.Pointer) {
	if v == nil && st.links == nil {
		return
	}
	r := st.rec(i)
	r.isOne, r.one, r.many = false, nil, v
}

// setLinkOne records the target of to-one relationship i.
func (st *state) setLinkOne(i int, p unsafe.Pointer) {
	r := st.rec(i)
	r.isOne, r.one, r.many = true, p, nil
}
