package engine_test

import (
	"context"
	"os"
	"runtime"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// benchModel is the 8-column table of the go-orm-benchmarks suite.
type benchModel struct {
	ID      int64  `db:"id"`
	Name    string `db:"name"`
	Title   string `db:"title"`
	Fax     string `db:"fax"`
	Web     string `db:"web"`
	Age     int64  `db:"age"`
	Right   bool   `db:"right"`
	Counter int64  `db:"counter"`
}

func benchSchema(name string) (*spec.Schema, *spec.Table) {
	c := func(n string, k spec.TypeKind) *spec.Column { return &spec.Column{Name: n, Type: spec.Type{Kind: k}} }
	t := &spec.Table{Name: name, Columns: []*spec.Column{
		c("id", spec.TypeBigInt), c("name", spec.TypeText), c("title", spec.TypeText), c("fax", spec.TypeText),
		c("web", spec.TypeText), c("age", spec.TypeBigInt), c("right", spec.TypeBoolean), c("counter", spec.TypeBigInt),
	}}
	t.Columns[0].PrimaryKey, t.Columns[0].Autoincrement = true, true
	t.PrimaryKey = t.Columns[:1]
	s := &spec.Schema{Tables: []*spec.Table{t}}
	s.Index()
	return s, t
}

// BenchmarkRead compares reading 100 rows into structs with dlayer
// and with hand-written pgx on the same pool.
func BenchmarkRead(b *testing.B) {
	url := os.Getenv(testdb.EnvVar(testdb.Postgres))
	if url == "" {
		b.Skip("DLAYER_TEST_POSTGRES_URL not set")
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	s, t := benchSchema("dl_bench_" + testdb.Suffix())
	e := engine.New(postgres.Default(), postgres.Wrap(pool), s)
	if err := e.CreateAll(ctx); err != nil {
		b.Fatal(err)
	}
	defer e.DropAll(ctx)
	T := stmt.Ref(t)
	rows := make([][]any, 100)
	for i := range rows {
		rows[i] = []any{"name", "title", "fax", "web", int64(i), true, int64(1000)}
	}
	if _, err := e.Exec(ctx, stmt.Insert(T).Columns("name", "title", "fax", "web", "age", "right", "counter").Rows(rows...)); err != nil {
		b.Fatal(err)
	}
	q := stmt.Select(T).Where(T.C("id").Gt(int64(0))).Limit(100)
	c, _ := e.Compile(q)
	b.Run("case=ReadSlice100/lib=pgx", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rs, err := pool.Query(ctx, c.SQL, c.Args...)
			if err != nil {
				b.Fatal(err)
			}
			out := make([]benchModel, 0, 100)
			for rs.Next() {
				var m benchModel
				if err := rs.Scan(&m.ID, &m.Name, &m.Title, &m.Fax, &m.Web, &m.Age, &m.Right, &m.Counter); err != nil {
					b.Fatal(err)
				}
				out = append(out, m)
			}
			if rs.Err() != nil || len(out) != 100 {
				b.Fatal(rs.Err(), len(out))
			}
		}
	})
	b.Run("case=ReadSlice100/lib=dlayer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out, err := engine.All[benchModel](ctx, e, q)
			if err != nil || len(out) != 100 {
				b.Fatal(err, len(out))
			}
		}
	})
	one := stmt.Select(T).Where(T.C("id").Eq(int64(1)))
	c1, _ := e.Compile(one)
	b.Run("case=Read/lib=pgx", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m benchModel
			err := pool.QueryRow(ctx, c1.SQL, c1.Args...).Scan(&m.ID, &m.Name, &m.Title, &m.Fax, &m.Web, &m.Age, &m.Right, &m.Counter)
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("case=Read/lib=dlayer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := engine.One[benchModel](ctx, e, one); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkInsert compares inserting 100 rows: hand-written pgx
// multi-row INSERT, dlayer's Insert.Rows, and BulkInsert over COPY.
func BenchmarkInsert(b *testing.B) {
	url := os.Getenv(testdb.EnvVar(testdb.Postgres))
	if url == "" {
		b.Skip("DLAYER_TEST_POSTGRES_URL not set")
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	s, t := benchSchema("dl_bench_" + testdb.Suffix())
	e := engine.New(postgres.Default(), postgres.Wrap(pool), s)
	if err := e.CreateAll(ctx); err != nil {
		b.Fatal(err)
	}
	defer e.DropAll(ctx)
	T := stmt.Ref(t)
	cols := []string{"name", "title", "fax", "web", "age", "right", "counter"}
	rows := make([][]any, 100)
	for i := range rows {
		rows[i] = []any{"name", "title", "fax", "web", int64(i), true, int64(1000)}
	}
	ins := stmt.Insert(T).Columns(cols...).Rows(rows...)
	c, _ := e.Compile(ins)
	b.Run("case=InsertMulti100/lib=pgx", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := pool.Exec(ctx, c.SQL, c.Args...); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("case=InsertMulti100/lib=dlayer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Exec(ctx, ins); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("case=InsertMulti100/lib=dlayer-copy", func(b *testing.B) {
		old := engine.CopyThreshold
		engine.CopyThreshold = 1
		defer func() { engine.CopyThreshold = old }()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.BulkInsert(ctx, t, cols, rows); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStream1M streams 1,000,000 rows into a struct on SQLite and
// (when DLAYER_TEST_POSTGRES_URL is set) PostgreSQL, and reports the peak
// live heap sampled every 10,000 rows: it stays flat because the iterator
// holds one row.
func BenchmarkStream1M(b *testing.B) {
	urls := map[string]string{"sqlite": "sqlite:" + b.TempDir() + "/stream.db"}
	if u := os.Getenv(testdb.EnvVar(testdb.Postgres)); u != "" {
		urls["postgres"] = u
	}
	for _, name := range []string{"sqlite", "postgres"} {
		url, ok := urls[name]
		if !ok {
			continue
		}
		b.Run("db="+name, func(b *testing.B) {
			ctx := context.Background()
			s, t := benchSchema("dl_stream_" + testdb.Suffix())
			e, err := engine.Open(ctx, url, engine.WithSchema(s))
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			if err := e.CreateAll(ctx); err != nil {
				b.Fatal(err)
			}
			defer e.DropAll(ctx)
			const total = 1_000_000
			cols := []string{"name", "title", "fax", "web", "age", "right", "counter"}
			err = e.Tx(ctx, func(tx *engine.Tx) error {
				rows := make([][]any, 0, 10_000)
				for i := 0; i < total; i++ {
					rows = append(rows, []any{"name", "title", "fax", "web", int64(i), true, int64(1000)})
					if len(rows) == cap(rows) {
						if _, err := tx.BulkInsert(ctx, t, cols, rows); err != nil {
							return err
						}
						rows = rows[:0]
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			q := stmt.Select(stmt.Ref(t))
			var peak uint64
			var ms runtime.MemStats
			b.ReportAllocs()
			for b.Loop() {
				runtime.GC()
				n := 0
				for _, err := range engine.Stream[benchModel](ctx, e, q) {
					if err != nil {
						b.Fatal(err)
					}
					if n++; n%10_000 == 0 {
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapAlloc)
					}
				}
				if n != total {
					b.Fatal(n)
				}
			}
			b.ReportMetric(float64(peak), "peak-heap-B")
		})
	}
}
