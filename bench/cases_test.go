package bench

import (
	"context"
	"testing"
)

// The operations a contender may implement. A contender takes part in every
// case whose interface it implements.
type (
	// inserter inserts one row and sets m.ID to the generated key.
	inserter interface {
		Insert(ctx context.Context, m *Model) error
	}
	// multiInserter inserts every row of ms in one call, setting IDs where
	// the method can (see each contender).
	multiInserter interface {
		InsertMulti(ctx context.Context, ms []Model) error
	}
	// updater writes every column of m to the row with m's primary key.
	updater interface {
		Update(ctx context.Context, m *Model) error
	}
	// reader reads the row with primary key id into m.
	reader interface {
		Read(ctx context.Context, id int64, m *Model) error
	}
	// sliceReader returns up to limit rows with id > after, ordered by id.
	sliceReader interface {
		ReadSlice(ctx context.Context, after int64, limit int) ([]Model, error)
	}
	// streamer calls fn for each of the first limit rows of the table, in
	// table order, without keeping earlier rows; *Model is only valid
	// during the call.
	streamer interface {
		Stream(ctx context.Context, limit int, fn func(*Model)) error
	}
)

// coreCases are the go-orm-benchmarks cases plus Select10k and Stream, for
// a database holding at least readRows rows (ids 1..readRows) and, for the
// stream case, prepared by ensureStream.
func coreCases(ensureStream func(b *testing.B)) []benchCase {
	return []benchCase{
		caseOf("Insert", benchInsert),
		caseOf("InsertMulti", benchInsertMulti),
		caseOf("Update", benchUpdate),
		caseOf("Read", benchRead),
		caseOf("ReadSlice", func(b *testing.B, c sliceReader) { benchSlice(b, c, sliceRows, false) }),
		caseOf("Select10k", func(b *testing.B, c sliceReader) { benchSlice(b, c, selectRows, true) }),
		caseOf(streamCaseName(), func(b *testing.B, c streamer) {
			ensureStream(b)
			benchStream(b, c, streamRows())
		}),
	}
}

func benchInsert(b *testing.B, c inserter) {
	ctx := context.Background()
	proto := NewModel(1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := proto
		if err := c.Insert(ctx, &m); err != nil {
			b.Fatal(err)
		}
		if m.ID == 0 {
			b.Fatal("Insert did not set the generated ID")
		}
	}
}

func benchInsertMulti(b *testing.B, c multiInserter) {
	ctx := context.Background()
	ms := make([]Model, multiRows)
	for i := range ms {
		ms[i] = NewModel(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range ms {
			ms[j].ID = 0
		}
		if err := c.InsertMulti(ctx, ms); err != nil {
			b.Fatal(err)
		}
	}
}

func benchUpdate(b *testing.B, c updater) {
	ctx := context.Background()
	m := NewModel(1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.ID = int64(i%updateSpan + 1)
		m.Counter = int64(i)
		m.Right = i%2 == 0
		if err := c.Update(ctx, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func benchRead(b *testing.B, c reader) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var m Model
		id := int64(i%readRows + 1)
		if err := c.Read(ctx, id, &m); err != nil {
			b.Fatal(err)
		}
		if m.ID != id || m.Name == "" {
			b.Fatalf("Read(%d) = %+v", id, m)
		}
	}
}

func benchSlice(b *testing.B, c sliceReader, n int, heap bool) {
	ctx := context.Background()
	hp := newHeapPeak()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if heap {
			gcQuiet(b)
		}
		ms, err := c.ReadSlice(ctx, 0, n)
		if err != nil {
			b.Fatal(err)
		}
		if len(ms) != n || ms[0].ID == 0 || ms[n-1].Name == "" {
			b.Fatalf("ReadSlice got %d rows, want %d", len(ms), n)
		}
		if heap {
			hp.sample()
		}
	}
	if heap {
		hp.report(b)
	}
}

func benchStream(b *testing.B, c streamer, n int) {
	ctx := context.Background()
	hp := newHeapPeak()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		gcQuiet(b)
		hp.rows = 0
		var sum int64
		err := c.Stream(ctx, n, func(m *Model) {
			sum += m.Counter + int64(len(m.Name))
			hp.row()
		})
		if err != nil {
			b.Fatal(err)
		}
		if hp.rows != n || sum == 0 {
			b.Fatalf("Stream read %d rows, want %d", hp.rows, n)
		}
	}
	hp.report(b)
}
