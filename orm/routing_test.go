package orm_test

import (
	"context"
	"testing"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
)

// TestRouting uses two real databases with different contents, so each
// read shows which one answered.
func TestRouting(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		open := func(prefix string) *engine.Engine {
			eng, err := dlayer.Open(ctx, "testdata", fresh.URL(t, name, prefix))
			must(t, err)
			t.Cleanup(func() { eng.Close() })
			must(t, eng.CreateAll(ctx))
			return eng
		}
		primary, replica, tags := open("dl_primary"), open("dl_replica"), open("dl_tags")
		seed := func(e *engine.Engine, who string) {
			db, err := orm.New(e, orm.Bind[UserOnly]("User"))
			must(t, err)
			s := db.Session()
			defer s.Close(ctx)
			must(t, s.Add(&UserOnly{Name: who, Email: "one@x.org"})) // id 1 in each fresh database
			must(t, s.Commit(ctx))
		}
		seed(primary, "on-primary")
		seed(replica, "on-replica")

		db, err := orm.New(primary, orm.Bind[UserOnly]("User"), orm.Replicas(replica), orm.BindModel("Tag", tags))
		must(t, err)
		s := db.Session()
		defer s.Close(ctx)
		u, err := orm.Get[UserOnly](ctx, s, int64(1))
		must(t, err)
		if u.Name != "on-replica" {
			t.Fatalf("a plain read went to %q, want the replica", u.Name)
		}
		// FOR UPDATE goes to the primary (and opens a transaction).
		s2 := db.Session()
		defer s2.Close(ctx)
		locked, err := orm.One[UserOnly](ctx, s2, orm.Select[UserOnly](db).ForUpdate())
		must(t, err)
		if locked.Name != "on-primary" || !s2.InTransaction() {
			t.Fatalf("FOR UPDATE read %q (in transaction: %v)", locked.Name, s2.InTransaction())
		}
		must(t, s2.Rollback(ctx))
		// After a write, the session reads from the primary.
		s3 := db.Session()
		defer s3.Close(ctx)
		must(t, s3.Add(&UserOnly{Name: "new", Email: "new@x.org"}))
		must(t, s3.Flush(ctx))
		all, err := orm.All[UserOnly](ctx, s3, orm.Select[UserOnly](db))
		must(t, err)
		seen := map[string]bool{}
		for _, x := range all {
			seen[x.Name] = true
		}
		if !seen["on-primary"] || !seen["new"] || seen["on-replica"] {
			t.Fatalf("after a write the session read %v", seen)
		}
		must(t, s3.Commit(ctx))
		// Inside an explicit transaction: the primary.
		s4 := db.Session()
		defer s4.Close(ctx)
		must(t, s4.Transaction(ctx, func(s *orm.Session) error {
			x, err := orm.Get[UserOnly](ctx, s, int64(1))
			if err == nil && x.Name != "on-primary" {
				t.Errorf("in a transaction the read went to %q", x.Name)
			}
			return err
		}))
		// A per-model bind: Tag rows go to their own database.
		s5 := db.Session()
		defer s5.Close(ctx)
		tg, err := s5.New("Tag")
		must(t, err)
		must(t, tg.Set("name", "routed"))
		must(t, s5.Commit(ctx))
		for _, c := range []struct {
			e    *engine.Engine
			want int64
		}{{tags, 1}, {primary, 0}, {replica, 0}} {
			n, err := engine.Scalar[int64](ctx, c.e, stmtCountOn(db, "tags"))
			must(t, err)
			if n != c.want {
				t.Fatalf("tags rows: %d, want %d", n, c.want)
			}
		}
	})
}
