package orm_test

import (
	"context"
	"testing"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/orm"
)

// BenchmarkSessionCallOverhead measures calls that do no I/O, where the
// concurrent-use guard (one compare-and-swap and one store per call) is the
// largest share of the work: an identity-map hit, IsLoaded, and Add plus
// Expunge of a new object. Reproduce, side by side with the commit before
// the guard:
//
//	go test -run '^$' -bench SessionCallOverhead -benchmem -count 6 ./orm/ | benchstat -
func BenchmarkSessionCallOverhead(b *testing.B) {
	ctx := context.Background()
	eng, err := dlayer.Open(ctx, "testdata", "sqlite:"+b.TempDir()+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	if err := eng.CreateAll(ctx); err != nil {
		b.Fatal(err)
	}
	db, err := orm.New(eng, orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag"))
	if err != nil {
		b.Fatal(err)
	}
	s := db.Session()
	defer s.Close(ctx)
	u := &User{Name: "b", Email: "b@x.org"}
	if err := s.Add(u); err != nil {
		b.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := orm.Get[User](ctx, s, u.ID); err != nil {
		b.Fatal(err)
	}
	b.Run("GetHit", func(b *testing.B) {
		for b.Loop() {
			if _, err := orm.Get[User](ctx, s, u.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("IsLoaded", func(b *testing.B) {
		for b.Loop() {
			s.IsLoaded(u, "posts")
		}
	})
	b.Run("AddExpunge", func(b *testing.B) {
		for b.Loop() {
			x := &User{Name: "x"}
			if err := s.Add(x); err != nil {
				b.Fatal(err)
			}
			if err := s.Expunge(x); err != nil {
				b.Fatal(err)
			}
		}
	})
}
