package orm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

func TestOneToOne(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		p := &Person{Name: "pat", Passport: &Passport{Number: "X1"}}
		must(t, s.Add(p))
		must(t, s.Commit(ctx))
		if p.Passport.PersonID != p.ID || p.Passport.Holder != p {
			t.Fatalf("one-to-one keys/back: %d vs %d", p.Passport.PersonID, p.ID)
		}
		s2 := e.db.Session()
		defer s2.Close(ctx)
		got, err := orm.All[Person](ctx, s2, orm.Select[Person](e.db), orm.Joined("passport"))
		must(t, err)
		if len(got) != 1 || got[0].Passport == nil || got[0].Passport.Number != "X1" || got[0].Passport.Holder != got[0] {
			t.Fatalf("joined one-to-one: %+v", got)
		}
		// Replacing the passport orphans (deletes) the old one.
		got[0].Passport = &Passport{Number: "X2"}
		must(t, s2.Commit(ctx))
		if n := count(t, e, "passports"); n != 1 {
			t.Fatalf("passports: %d", n)
		}
	})
}

func TestPassiveDeletes(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		p := &Person{Name: "v", Visits: []*Visit{{Place: "a"}, {Place: "b"}}}
		must(t, s.Add(p))
		must(t, s.Commit(ctx))
		s2 := e.db.Session()
		defer s2.Close(ctx)
		p2, err := orm.Get[Person](ctx, s2, p.ID)
		must(t, err)
		must(t, s2.Delete(p2))
		e.n.reset()
		must(t, s2.Commit(ctx))
		for _, q := range e.n.queries() {
			if strings.Contains(q, "visits") {
				t.Fatalf("passive_deletes: the flush touched visits: %s", q)
			}
		}
		if n := count(t, e, "visits"); n != 0 {
			t.Fatalf("ON DELETE CASCADE left %d visits", n)
		}
	})
}

// TestLostConnection kills the session's connection from outside: the next
// flush fails, nothing of the transaction stays, and a COMMIT on a dead
// connection is reported as an unknown outcome, never as success.
func TestLostConnection(t *testing.T) {
	for _, name := range []string{testdb.Postgres, testdb.MySQL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, name)
			ctx := context.Background()
			idQuery, kill := "SELECT pg_backend_pid()", "SELECT pg_terminate_backend(:id)"
			if name == testdb.MySQL {
				idQuery, kill = "SELECT CONNECTION_ID()", "KILL :id"
			}
			killSession := func(s *orm.Session) {
				conn, err := s.Conn(ctx)
				must(t, err)
				id, err := engine.Scalar[int64](ctx, conn, stmt.Text(idQuery))
				must(t, err)
				_, err = e.eng.Exec(ctx, stmt.Text(kill).Bind("id", id))
				must(t, err)
			}
			s := e.db.Session()
			defer s.Close(ctx)
			must(t, s.Add(&User{Name: "a", Email: "a@x.org"}))
			must(t, s.Flush(ctx))
			killSession(s)
			must(t, s.Add(&User{Name: "b", Email: "b@x.org"}))
			if err := s.Flush(ctx); err == nil {
				t.Fatal("flush on a killed connection succeeded")
			}
			if err := s.Add(&User{}); !errors.Is(err, orm.ErrSessionNeedsRollback) {
				t.Fatalf("after a lost connection: %v", err)
			}
			_ = s.Rollback(ctx)
			if n := count(t, e, "users"); n != 0 {
				t.Fatalf("users after a lost connection: %d", n)
			}
			// COMMIT itself on a dead connection.
			s2 := e.db.Session()
			defer s2.Close(ctx)
			must(t, s2.Add(&User{Name: "c", Email: "c@x.org"}))
			must(t, s2.Flush(ctx))
			killSession(s2)
			if err := s2.Commit(ctx); !errors.Is(err, orm.ErrCommitOutcomeUnknown) {
				t.Fatalf("commit on a killed connection: %v", err)
			}
			if n := count(t, e, "users"); n != 0 {
				t.Fatalf("users after a failed commit: %d", n)
			}
		})
	}
}
