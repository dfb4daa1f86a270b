package bench

import (
	"context"
	"testing"
)

// The ORM operations (issue 4's performance section).
type (
	// eagerLoader loads the first limit users by id, each with all its
	// posts (ordered by id), select-in style, into the contender's own
	// types, and returns a summary of what it loaded.
	eagerLoader interface {
		EagerLoad(ctx context.Context, limit int) (loaded, error)
	}
	// flusher inserts every row of ms in one transaction, the way a unit of
	// work flushes new objects of one model.
	flusher interface {
		Flush(ctx context.Context, ms []Model) error
	}
	// identityMapper loads rows 1..n into a session and returns lookups by
	// primary key on it.
	identityMapper interface {
		OpenIdentity(ctx context.Context, n int) (identity, error)
	}
)

// identity is a session holding loaded rows: get looks one up by primary
// key, close ends the session, queries counts the round trips sent so far.
type identity struct {
	get     func(ctx context.Context, id int64) (*Model, error)
	close   func()
	queries func() int64
}

func ormCases() []benchCase {
	return []benchCase{
		caseOf("EagerLoad", benchEagerLoad),
		caseOf("Flush10k", benchFlush),
		caseOf("IdentityGet", benchIdentityGet),
	}
}

// loaded summarises an eager load: users, posts, and the posts found
// under a user they do not belong to or out of id order.
type loaded struct{ users, posts, misplaced int }

// summarize checks users loaded into User values.
func summarize(us []User) loaded {
	l := loaded{users: len(us)}
	for i := range us {
		for j, p := range us[i].Posts {
			l.posts++
			if p.UserID != us[i].ID || (j > 0 && p.ID <= us[i].Posts[j-1].ID) {
				l.misplaced++
			}
		}
	}
	return l
}

func benchEagerLoad(b *testing.B, c eagerLoader) {
	ctx := context.Background()
	want := loaded{users: users, posts: users * postsPer}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := c.EagerLoad(ctx, users)
		if err != nil {
			b.Fatal(err)
		}
		if got != want {
			b.Fatalf("EagerLoad loaded %+v, want %+v", got, want)
		}
	}
}

func benchFlush(b *testing.B, c flusher) {
	ctx := context.Background()
	proto := make([]Model, flushRows)
	for i := range proto {
		proto[i] = NewModel(i)
	}
	ms := make([]Model, flushRows)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copy(ms, proto)
		if err := c.Flush(ctx, ms); err != nil {
			b.Fatal(err)
		}
		if ms[0].ID == 0 || ms[len(ms)-1].ID == 0 {
			if !noKeys(c) {
				b.Fatal("Flush did not set the generated IDs")
			}
		}
	}
}

// benchIdentityGet looks up objects the session already holds; it reports
// the round trips sent per lookup as queries/op (0 for an identity-map hit).
func benchIdentityGet(b *testing.B, c identityMapper) {
	const n = 100
	ctx := context.Background()
	im, err := c.OpenIdentity(ctx, n)
	if err != nil {
		b.Fatal(err)
	}
	defer im.close()
	before := im.queries()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := int64(i%n + 1)
		m, err := im.get(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		if m.ID != id {
			b.Fatalf("Get(%d) returned id %d", id, m.ID)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(im.queries()-before)/float64(b.N), "queries/op")
}

// noKeys reports whether c is a COPY contender, which returns no generated
// keys.
func noKeys(c any) bool {
	switch c.(type) {
	case *pgxCopyBench, *dlayerBulk:
		return true
	}
	return false
}
