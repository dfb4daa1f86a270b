package orm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// sent returns every round trip traced since the last reset, transaction
// control included, as upper-cased leading words ("BEGIN", "INSERT", …).
func (c *counter) sent() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.sql))
	for i, s := range c.sql {
		w, _, _ := strings.Cut(strings.TrimSpace(s), " ")
		out[i] = strings.ToUpper(w)
	}
	return out
}

// wantSent is the round trips want describes, as the database sends them:
// on PostgreSQL a transaction's BEGIN travels with its first statement (the
// driver defers it), so it is no round trip of its own; the COMMIT still
// shows the statements ran in a transaction.
func wantSent(db, want string) string {
	if db == testdb.Postgres {
		return strings.TrimPrefix(want, "BEGIN ")
	}
	return want
}

// TestOneStatementUnitOfWork: a Commit or Transaction block whose flush is
// one statement sends that statement alone (one round trip, no BEGIN or
// COMMIT), on every database; every other unit of work still runs in a
// transaction. The statements are counted by the engine's Tracer.
func TestOneStatementUnitOfWork(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		feats := e.eng.Dialect().Features()
		cases := []struct {
			name string
			// prepare runs before the trace is reset.
			prepare func(t *testing.T, s *orm.Session) *User
			run     func(t *testing.T, s *orm.Session, u *User)
			want    []string
		}{
			{
				name: "insert one object",
				run: func(t *testing.T, s *orm.Session, _ *User) {
					u := &User{Name: "one", Email: "one@x.org"}
					must(t, s.Add(u))
					must(t, s.Commit(ctx))
					if u.ID == 0 {
						t.Fatal("no generated key")
					}
				},
				want: []string{"INSERT"},
			},
			{
				name:    "update one loaded object",
				prepare: loadOne,
				run: func(t *testing.T, s *orm.Session, u *User) {
					u.Name = "renamed"
					must(t, s.Commit(ctx))
				},
				want: []string{"UPDATE"},
			},
			{
				name:    "delete one loaded object",
				prepare: loadOne,
				run: func(t *testing.T, s *orm.Session, u *User) {
					must(t, s.Delete(u))
					must(t, s.Commit(ctx))
				},
				want: []string{"DELETE"},
			},
			{
				name: "insert in a Transaction block",
				run: func(t *testing.T, s *orm.Session, _ *User) {
					must(t, s.Transaction(ctx, func(s *orm.Session) error {
						return s.Add(&User{Name: "block", Email: "block@x.org"})
					}))
				},
				want: []string{"INSERT"},
			},
			{
				name: "empty Transaction block",
				run: func(t *testing.T, s *orm.Session, _ *User) {
					must(t, s.Transaction(ctx, func(s *orm.Session) error {
						if !s.InTransaction() {
							t.Error("InTransaction is false inside a block")
						}
						return nil
					}))
				},
				want: []string{},
			},
			{
				name: "nothing to commit",
				run: func(t *testing.T, s *orm.Session, _ *User) {
					must(t, s.Commit(ctx))
				},
				want: []string{},
			},
			{
				name: "two tables need a transaction",
				run: func(t *testing.T, s *orm.Session, _ *User) {
					must(t, s.Add(&User{Name: "p", Email: "p@x.org", Posts: []*Post{{Title: "t", Content: "c"}}}))
					must(t, s.Commit(ctx))
				},
				want: []string{"BEGIN", "INSERT", "INSERT", "COMMIT"},
			},
			{
				name: "a read in a block runs in its transaction",
				run: func(t *testing.T, s *orm.Session, _ *User) {
					must(t, s.Transaction(ctx, func(s *orm.Session) error {
						u, err := orm.First[User](ctx, s, orm.Select[User](e.db))
						if err != nil {
							return err
						}
						u.Name = "read then write"
						return nil
					}))
				},
				want: []string{"BEGIN", "SELECT", "UPDATE", "COMMIT"},
			},
			{
				name: "isolation level asked: a transaction",
				run: func(t *testing.T, s *orm.Session, _ *User) {
					must(t, s.Transaction(ctx, func(s *orm.Session) error {
						return s.Add(&User{Name: "ser", Email: "ser@x.org"})
					}, engine.WithIsolation(engine.RepeatableRead)))
				},
				want: []string{"BEGIN", "INSERT", "COMMIT"},
			},
			{
				name: "explicit Begin: a transaction",
				run: func(t *testing.T, s *orm.Session, _ *User) {
					must(t, s.Begin(ctx))
					must(t, s.Add(&User{Name: "begun", Email: "begun@x.org"}))
					must(t, s.Commit(ctx))
				},
				want: []string{"BEGIN", "INSERT", "COMMIT"},
			},
			{
				name: "explicit Flush: a transaction",
				run: func(t *testing.T, s *orm.Session, _ *User) {
					must(t, s.Add(&User{Name: "flushed", Email: "flushed@x.org"}))
					must(t, s.Flush(ctx))
					must(t, s.Commit(ctx))
				},
				want: []string{"BEGIN", "INSERT", "COMMIT"},
			},
		}
		if feats.InsertReturns() || feats.Has(dialects.ConsecutiveInsertKeys) {
			cases = append(cases, struct {
				name    string
				prepare func(t *testing.T, s *orm.Session) *User
				run     func(t *testing.T, s *orm.Session, u *User)
				want    []string
			}{
				name: "insert three objects in one statement",
				run: func(t *testing.T, s *orm.Session, _ *User) {
					us := []*User{{Name: "a", Email: "3a@x.org"}, {Name: "b", Email: "3b@x.org"}, {Name: "c", Email: "3c@x.org"}}
					must(t, s.AddAll(us[0], us[1], us[2]))
					must(t, s.Commit(ctx))
					if us[0].ID == 0 || us[1].ID != us[0].ID+1 || us[2].ID != us[1].ID+1 {
						t.Fatalf("keys %d %d %d", us[0].ID, us[1].ID, us[2].ID)
					}
				},
				want: []string{"INSERT"},
			})
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				s := e.db.Session()
				defer s.Close(ctx)
				var u *User
				if tc.prepare != nil {
					u = tc.prepare(t, s)
				}
				e.n.reset()
				tc.run(t, s, u)
				if got := e.n.sent(); strings.Join(got, " ") != wantSent(e.name, strings.Join(tc.want, " ")) {
					t.Fatalf("sent %q, want %q", got, tc.want)
				}
				if s.InTransaction() {
					t.Fatal("a transaction is still open")
				}
			})
		}
	})
}

// loadOne adds and commits a user, then loads it in s (outside a
// transaction).
func loadOne(t *testing.T, s *orm.Session) *User {
	ctx := context.Background()
	u := &User{Name: "loaded", Email: "loaded-" + strings.ReplaceAll(t.Name(), "/", "-") + "@x.org"}
	must(t, s.Add(u))
	must(t, s.Commit(ctx))
	got, err := orm.Get[User](ctx, s, u.ID)
	must(t, err)
	return got
}

// TestOneStatementFailure: a one-statement commit the database refuses
// wrote nothing and fails as any flush does: the cause is returned, the
// session needs a rollback, and the rollback clears the generated key so
// the object can be added again. A one-statement Transaction block that
// fails is rolled back, leaving the session usable.
func TestOneStatementFailure(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		must(t, s.Add(&User{Name: "first", Email: "dup@x.org"}))
		must(t, s.Commit(ctx))

		e.n.reset()
		bad := &User{Name: "bad", Email: "dup@x.org"}
		must(t, s.Add(bad))
		err := s.Commit(ctx)
		var ce *engine.ConstraintError
		if !errors.As(err, &ce) || ce.Kind != engine.Unique {
			t.Fatalf("commit error: %v", err)
		}
		if errors.Is(err, orm.ErrCommitOutcomeUnknown) {
			t.Fatalf("a refused statement is not an unknown outcome: %v", err)
		}
		if got := e.n.sent(); strings.Join(got, " ") != "INSERT" {
			t.Fatalf("sent %q, want one INSERT", got)
		}
		if err := s.Add(&User{Name: "x", Email: "x@x.org"}); !errors.Is(err, orm.ErrSessionNeedsRollback) {
			t.Fatalf("add after the failed commit: %v", err)
		}
		must(t, s.Rollback(ctx))
		if bad.ID != 0 {
			t.Fatalf("rolled-back insert left key %d", bad.ID)
		}
		if n := count(t, e, "users"); n != 1 {
			t.Fatalf("users: %d", n)
		}
		bad.Email = "fixed@x.org"
		must(t, s.Add(bad))
		must(t, s.Commit(ctx))
		if n := count(t, e, "users"); n != 2 {
			t.Fatalf("users after the retry: %d", n)
		}

		// A block: rolled back, the session usable at once.
		again := &User{Name: "again", Email: "dup@x.org"}
		err = s.Transaction(ctx, func(s *orm.Session) error { return s.Add(again) })
		if !errors.As(err, &ce) || ce.Kind != engine.Unique {
			t.Fatalf("block error: %v", err)
		}
		if again.ID != 0 || s.InTransaction() {
			t.Fatalf("after the failed block: key %d, in transaction %v", again.ID, s.InTransaction())
		}
		must(t, s.Add(&User{Name: "after", Email: "after@x.org"}))
		must(t, s.Commit(ctx))
		if n := count(t, e, "users"); n != 3 {
			t.Fatalf("users at the end: %d", n)
		}
	})
}

// TestOneStatementStaleUpdate: the one UPDATE of a versioned object that
// another session changed meanwhile matches no row: ErrStaleObject, nothing
// written, the session needs a rollback — as in a transaction.
func TestOneStatementStaleUpdate(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s1, s2 := e.db.Session(), e.db.Session()
		defer s1.Close(ctx)
		defer s2.Close(ctx)
		a := &Account{Owner: "o", Balance: 10}
		must(t, s1.Add(a))
		must(t, s1.Commit(ctx))
		a1, err := orm.Get[Account](ctx, s1, a.ID)
		must(t, err)
		a2, err := orm.Get[Account](ctx, s2, a.ID)
		must(t, err)
		a2.Balance = 20
		must(t, s2.Commit(ctx))
		e.n.reset()
		a1.Balance = 30
		err = s1.Commit(ctx)
		if !errors.Is(err, orm.ErrStaleObject) {
			t.Fatalf("commit of a stale object: %v", err)
		}
		if got := e.n.sent(); strings.Join(got, " ") != "UPDATE" {
			t.Fatalf("sent %q, want one UPDATE", got)
		}
		if _, err := orm.Get[Account](ctx, s1, a.ID); !errors.Is(err, orm.ErrSessionNeedsRollback) {
			t.Fatalf("get after the stale commit: %v", err)
		}
		must(t, s1.Rollback(ctx))
		got, err := orm.Get[Account](ctx, s1, a.ID)
		must(t, err)
		if got.Balance != 20 {
			t.Fatalf("balance %d, want the other session's 20", got.Balance)
		}
	})
}

// TestOneStatementHooksAndEvents: a type with hooks, or a BeforeCommit
// event, keeps the transaction (hooks may run statements that belong to
// the unit of work); an AfterCommit event alone does not need one.
func TestOneStatementHooksAndEvents(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		var commits int
		hooked := setupWith(t, name, orm.Bind[HookedUser]("User"))
		before := setupWith(t, name, orm.Bind[UserOnly]("User"), orm.WithEvents(orm.Events{
			BeforeCommit: func(ctx context.Context, s *orm.Session) error { return nil },
		}))
		after := setupWith(t, name, orm.Bind[UserOnly]("User"), orm.WithEvents(orm.Events{
			AfterCommit: func(ctx context.Context, s *orm.Session) { commits++ },
		}))
		cases := []struct {
			name string
			e    *env
			add  any
			want string
		}{
			{"hooked type", hooked, &HookedUser{Name: "h", Email: "H@x.org"}, "BEGIN INSERT COMMIT"},
			{"before-commit event", before, &UserOnly{Name: "b", Email: "b@x.org"}, "BEGIN INSERT COMMIT"},
			{"after-commit event", after, &UserOnly{Name: "a", Email: "a@x.org"}, "INSERT"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				s := tc.e.db.Session()
				defer s.Close(ctx)
				must(t, s.Add(tc.add))
				tc.e.n.reset()
				must(t, s.Commit(ctx))
				if got := strings.Join(tc.e.n.sent(), " "); got != wantSent(name, tc.want) {
					t.Fatalf("sent %q, want %q", got, tc.want)
				}
			})
		}
		if commits != 1 {
			t.Fatalf("AfterCommit ran %d times, want 1", commits)
		}
	})
}

// opsTracer records the operation of every round trip ("begin", "exec",
// "batch", …).
type opsTracer struct {
	mu  sync.Mutex
	ops []string
}

func (o *opsTracer) trace(ctx context.Context, q engine.QueryInfo) (context.Context, func(error)) {
	o.mu.Lock()
	o.ops = append(o.ops, q.Operation)
	o.mu.Unlock()
	return ctx, func(error) {}
}

func (o *opsTracer) take() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := strings.Join(o.ops, " ")
	o.ops = nil
	return s
}

// TestPipelinedFlush: a flush of several updates and deletes (no
// statement needing an earlier one's result) goes to PostgreSQL as one
// pipelined batch inside the transaction — BEGIN, one round trip for all
// the statements, COMMIT — and runs statement by statement elsewhere. A
// unique violation in the middle of the batch, or a stale object in it,
// writes nothing: the flush fails, the objects keep the values they had
// before it, the session needs a rollback, and the rollback reloads the
// database's values.
func TestPipelinedFlush(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		tr := &opsTracer{}
		eng, db := openWith(t, name, []engine.Option{engine.WithTracer(engine.TracerFunc(tr.trace))})
		pipelined := name == testdb.Postgres
		want := func(n int) string {
			if pipelined { // BEGIN travels in the batch
				return "batch commit"
			}
			return "begin" + strings.Repeat(" exec", n) + " commit"
		}
		wantFailed := func(n int) string {
			if pipelined {
				return "batch rollback"
			}
			return "begin" + strings.Repeat(" exec", n) + " rollback"
		}
		s := db.Session()
		defer s.Close(ctx)
		var us []*User
		for i := range 4 {
			u := &User{Name: fmt.Sprintf("u%d", i), Email: fmt.Sprintf("u%d@x.org", i)}
			must(t, s.Add(u))
			us = append(us, u)
		}
		must(t, s.Commit(ctx))
		load := func(s *orm.Session) []*User {
			out := make([]*User, len(us))
			for i, u := range us {
				var err error
				out[i], err = orm.Get[User](ctx, s, u.ID)
				must(t, err)
			}
			return out
		}
		dbNames := func() string {
			var names []string
			for _, u := range us {
				n, err := engine.Scalar[string](ctx, eng, stmt.Select(db.Table("users").C("name")).Where(db.Table("users").C("id").Eq(u.ID)))
				must(t, err)
				names = append(names, n)
			}
			return strings.Join(names, ",")
		}

		t.Run("updates and a delete", func(t *testing.T) {
			s := db.Session()
			defer s.Close(ctx)
			got := load(s)
			got[0].Name, got[1].Name, got[2].Name = "a", "b", "c"
			tr.take()
			must(t, s.Commit(ctx))
			if ops := tr.take(); ops != want(3) {
				t.Fatalf("round trips %q, want %q", ops, want(3))
			}
			if n := dbNames(); n != "a,b,c,u3" {
				t.Fatalf("names %s", n)
			}
		})

		t.Run("unique violation in the middle", func(t *testing.T) {
			s := db.Session()
			defer s.Close(ctx)
			got := load(s)
			got[0].Name = "first"
			got[1].Email = got[3].Email // the second UPDATE fails
			got[2].Name = "third"
			tr.take()
			err := s.Commit(ctx)
			var ce *engine.ConstraintError
			if !errors.As(err, &ce) || ce.Kind != engine.Unique {
				t.Fatalf("commit: %v", err)
			}
			if ops := tr.take(); ops != wantFailed(2) && !(pipelined && ops == wantFailed(0)) {
				t.Fatalf("round trips %q, want %q", ops, wantFailed(2))
			}
			if n := dbNames(); n != "a,b,c,u3" {
				t.Fatalf("the failed flush wrote: names %s", n)
			}
			// The objects hold what they held before the flush.
			if got[0].Name != "first" || got[2].Name != "third" || got[1].Email != "u3@x.org" {
				t.Fatalf("objects changed by the failed flush: %q %q %q", got[0].Name, got[2].Name, got[1].Email)
			}
			if err := s.Add(&User{Name: "x", Email: "x@x.org"}); !errors.Is(err, orm.ErrSessionNeedsRollback) {
				t.Fatalf("add after the failed flush: %v", err)
			}
			must(t, s.Rollback(ctx))
			again := load(s)
			if again[0].Name != "a" || again[1].Email != "u1@x.org" {
				t.Fatalf("after rollback: %q %q", again[0].Name, again[1].Email)
			}
		})

		t.Run("deletes", func(t *testing.T) {
			s := db.Session()
			defer s.Close(ctx)
			got := load(s)
			must(t, s.Delete(got[2]))
			must(t, s.Delete(got[3]))
			tr.take()
			must(t, s.Commit(ctx))
			// Planning loads each user's posts first (to cascade the
			// delete), outside the transaction.
			if ops := tr.take(); ops != "query query "+want(2) {
				t.Fatalf("round trips %q, want %q", ops, "query query "+want(2))
			}
			n, err := engine.Scalar[int64](ctx, eng, stmtCountOn(db, "users"))
			must(t, err)
			if n != 2 {
				t.Fatalf("users %d, want 2", n)
			}
			us = us[:2]
		})

		t.Run("stale object in a batch", func(t *testing.T) {
			s1, s2 := db.Session(), db.Session()
			defer s1.Close(ctx)
			defer s2.Close(ctx)
			a, b := &Account{Owner: "a", Balance: 1}, &Account{Owner: "b", Balance: 1}
			must(t, s1.AddAll(a, b))
			must(t, s1.Commit(ctx))
			a1, err := orm.Get[Account](ctx, s1, a.ID)
			must(t, err)
			b1, err := orm.Get[Account](ctx, s1, b.ID)
			must(t, err)
			b2, err := orm.Get[Account](ctx, s2, b.ID)
			must(t, err)
			b2.Balance = 50
			must(t, s2.Commit(ctx))
			a1.Balance, b1.Balance = 10, 20
			tr.take()
			if err := s1.Commit(ctx); !errors.Is(err, orm.ErrStaleObject) {
				t.Fatalf("commit with a stale object: %v", err)
			}
			if ops := tr.take(); ops != wantFailed(2) {
				t.Fatalf("round trips %q, want %q", ops, wantFailed(2))
			}
			must(t, s1.Rollback(ctx))
			ra, err := orm.Get[Account](ctx, s1, a.ID)
			must(t, err)
			rb, err := orm.Get[Account](ctx, s1, b.ID)
			must(t, err)
			if ra.Balance != 1 || rb.Balance != 50 {
				t.Fatalf("balances %d %d, want 1 50 (nothing of the failed flush)", ra.Balance, rb.Balance)
			}
		})
	})
}
