package orm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

func TestCRUD(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		u := &User{Name: "ada", Email: "ada@example.com"}
		must(t, s.Add(u))
		must(t, s.Flush(ctx))
		if u.ID == 0 {
			t.Fatal("flush did not set the generated key")
		}
		// Identity map: Get of a loaded object runs no query.
		e.n.reset()
		got, err := orm.Get[User](ctx, s, u.ID)
		must(t, err)
		if got != u {
			t.Fatalf("Get returned another object: %p vs %p", got, u)
		}
		if q := e.n.queries(); len(q) != 0 {
			t.Fatalf("Get of a loaded object ran %d queries: %v", len(q), q)
		}
		must(t, s.Commit(ctx))

		// Dirty tracking: only the changed column is updated.
		u.Name = "ada lovelace"
		e.n.reset()
		must(t, s.Commit(ctx))
		var upd string
		for _, q := range e.n.queries() {
			if strings.HasPrefix(strings.ToUpper(q), "UPDATE") {
				upd = q
			}
		}
		if upd == "" || !strings.Contains(upd, "name") || strings.Contains(upd, "email") {
			t.Fatalf("update should set only name: %q (all: %v)", upd, e.n.queries())
		}
		// A new session reads the row back.
		s2 := e.db.Session()
		defer s2.Close(ctx)
		u2, err := orm.Get[User](ctx, s2, u.ID)
		must(t, err)
		if u2.Name != "ada lovelace" || u2.Email != "ada@example.com" {
			t.Fatalf("read back %+v", u2)
		}
		// Setting a field to its zero value is a change.
		u2.Name = ""
		must(t, s2.Commit(ctx))
		s3 := e.db.Session()
		defer s3.Close(ctx)
		u3, err := orm.Get[User](ctx, s3, u.ID)
		must(t, err)
		if u3.Name != "" {
			t.Fatalf("zero value not written: %q", u3.Name)
		}
		// Delete.
		must(t, s3.Delete(u3))
		must(t, s3.Commit(ctx))
		if _, err := orm.Get[User](ctx, e.db.Session(), u.ID); !errors.Is(err, orm.ErrNotFound) {
			t.Fatalf("get after delete: %v", err)
		}
		if n := count(t, e, "users"); n != 0 {
			t.Fatalf("users left: %d", n)
		}
	})
}

func TestQueryAndIdentity(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		for _, n := range []string{"ann", "bob", "Anna", "carl"} {
			must(t, s.Add(&User{Name: n, Email: n + "@x.org"}))
		}
		must(t, s.Commit(ctx))
		u := orm.TableOf[User](e.db)
		// ilike is case-insensitive on every database.
		got, err := orm.All[User](ctx, s, orm.Select[User](e.db).Where(u.C("name").ILike("%an%")).OrderBy(u.C("name").Asc()))
		must(t, err)
		if len(got) != 2 || !strings.EqualFold(got[0].Name, "anna") && !strings.EqualFold(got[1].Name, "anna") {
			t.Fatalf("ilike: %+v", names(got))
		}
		// Two queries return the same objects.
		again, err := orm.All[User](ctx, s, orm.Select[User](e.db).Where(u.C("name").ILike("%an%")).OrderBy(u.C("name").Asc()))
		must(t, err)
		if again[0] != got[0] || again[1] != got[1] {
			t.Fatal("identity map: a second query returned new objects")
		}
		// Unflushed changes survive a query (autoflush writes them first).
		got[0].Email = "changed@x.org"
		one, err := orm.One[User](ctx, s, orm.Select[User](e.db).Where(u.C("email").Eq("changed@x.org")))
		must(t, err)
		if one != got[0] {
			t.Fatal("autoflush: query did not see the pending change")
		}
		// Pagination.
		page, err := orm.All[User](ctx, s, orm.Select[User](e.db).OrderBy(u.C("name").Desc()).Limit(2).Offset(1))
		must(t, err)
		if len(page) != 2 {
			t.Fatalf("page: %v", names(page))
		}
		if _, err := orm.One[User](ctx, s, orm.Select[User](e.db).Where(u.C("name").Eq("nobody"))); !errors.Is(err, orm.ErrNotFound) {
			t.Fatalf("one of nothing: %v", err)
		}
		_ = stmt.CountAll
	})
}

func names(us []*User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Name)
	}
	return out
}
