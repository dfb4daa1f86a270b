package sqlgen_test

import (
	"testing"
	"time"

	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// benchTable is the 8-column model of the go-orm-benchmarks suite.
func benchTable() *spec.Table {
	cols := []*spec.Column{
		{Name: "id", Type: spec.Type{Kind: spec.TypeBigInt}, PrimaryKey: true, Autoincrement: true},
		{Name: "name", Type: spec.Type{Kind: spec.TypeString, Length: 255}},
		{Name: "title", Type: spec.Type{Kind: spec.TypeString, Length: 255}},
		{Name: "fax", Type: spec.Type{Kind: spec.TypeString, Length: 255}},
		{Name: "web", Type: spec.Type{Kind: spec.TypeString, Length: 255}},
		{Name: "age", Type: spec.Type{Kind: spec.TypeBigInt}},
		{Name: "right", Type: spec.Type{Kind: spec.TypeBoolean}},
		{Name: "counter", Type: spec.Type{Kind: spec.TypeBigInt}},
	}
	t := &spec.Table{Name: "models", Columns: cols, PrimaryKey: cols[:1]}
	s := &spec.Schema{Tables: []*spec.Table{t}}
	s.Index()
	return t
}

func BenchmarkCompilePKSelect(b *testing.B) {
	t := stmt.Ref(benchTable())
	q := stmt.Select(t).Where(t.C("id").Eq(int64(1)))
	for _, d := range all {
		b.Run(d.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Compile(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBuildAndCompilePKSelect(b *testing.B) {
	tb := benchTable()
	id := tb.Columns[0]
	for _, d := range all {
		b.Run(d.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				t := stmt.Ref(tb)
				if _, err := d.Compile(stmt.Select(t).Where(t.Col(id).Eq(int64(i)))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCompileInsert100(b *testing.B) {
	tb := benchTable()
	t := stmt.Ref(tb)
	rows := make([][]any, 100)
	for i := range rows {
		rows[i] = []any{"name", "title", "fax", "web", int64(i), true, int64(1000)}
	}
	q := stmt.Insert(t).ColumnsOf(tb.Columns[1:]...).Rows(rows...)
	for _, d := range all {
		b.Run(d.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Compile(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCompileUpdateByPK(b *testing.B) {
	tb := benchTable()
	t := stmt.Ref(tb)
	now := time.Now()
	_ = now
	q := stmt.Update(t)
	for _, c := range tb.Columns[1:] {
		q = q.SetCol(c, "v")
	}
	q = q.Where(t.C("id").Eq(int64(1)))
	for _, d := range all {
		b.Run(d.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Compile(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCompileCache compares compiling a primary-key SELECT and an
// 8-column UPDATE with the compiled cache (a hit: the shape walk and the
// values placed) and without it (the whole compilation).
func BenchmarkCompileCache(b *testing.B) {
	t := stmt.Ref(benchTable())
	cols := []string{"name", "title", "fax", "web", "age", "right", "counter"}
	stmts := map[string]stmt.Statement{
		"PKSelect": stmt.Select(t).Where(t.C("id").Eq(int64(1))),
		"Update":   stmt.Update(t).SetAll(cols, "n", "t", "f", "w", int64(1), true, int64(2)).Where(t.C("id").Eq(int64(1))),
	}
	for _, name := range []string{"PKSelect", "Update"} {
		q := stmts[name]
		for _, mode := range []struct {
			name string
			size int
		}{{"cache=hit", 16}, {"cache=off", -1}} {
			g := withCache(all[1], mode.size)
			b.Run(name+"/"+mode.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := g.Compile(q); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
