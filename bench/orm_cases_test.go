package bench

import (
	"context"
	"testing"
)

// The ORM operations (issue 4's performance section).
type (
	// eagerLoader returns the first limit users by id, each with all its
	// posts (ordered by id), loaded select-in style.
	eagerLoader interface {
		EagerLoad(ctx context.Context, limit int) ([]User, error)
	}
	// flusher inserts every row of ms in one transaction, the way a unit of
	// work flushes new objects of one model.
	flusher interface {
		Flush(ctx context.Context, ms []Model) error
	}
)

func ormCases() []benchCase {
	return []benchCase{
		caseOf("EagerLoad", benchEagerLoad),
		caseOf("Flush10k", benchFlush),
	}
}

func benchEagerLoad(b *testing.B, c eagerLoader) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		us, err := c.EagerLoad(ctx, users)
		if err != nil {
			b.Fatal(err)
		}
		if len(us) != users || len(us[0].Posts) != postsPer || len(us[users-1].Posts) != postsPer ||
			us[0].Posts[0].UserID != us[0].ID {
			b.Fatalf("EagerLoad got %d users, first with %d posts", len(us), len(us[0].Posts))
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
	}
}
