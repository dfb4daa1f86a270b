package enginetest

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// testDecimals: decimal columns compare, sort and aggregate as numbers
// (not as text) and read back exactly, in one text form, on every
// database: 9.99, 10.00 and 100.50 stored, total > 50 is 100.50 alone.
func testDecimals(t *testing.T, cfg Config) {
	e := cfg.Open(t)
	ctx := context.Background()
	dec := func(name string, p, s int, null bool) *spec.Column {
		return &spec.Column{Name: name, Type: spec.Type{Kind: spec.TypeDecimal, Precision: p, Scale: s}, Nullable: null}
	}
	tbl := &spec.Table{Name: "dl_dec_" + testdb.Suffix(), Columns: []*spec.Column{
		{Name: "id", Type: spec.Type{Kind: spec.TypeBigInt}, PrimaryKey: true},
		{Name: "grp", Type: spec.Type{Kind: spec.TypeInteger}},
		dec("total", 10, 2, false),
		dec("q", 15, 4, true),
		dec("free", 0, 0, true),
	}}
	tbl.PrimaryKey = tbl.Columns[:1]
	s := &spec.Schema{Tables: []*spec.Table{tbl}}
	s.Index()
	if err := e.CreateTables(ctx, s); err != nil {
		t.Fatalf("create: %v", err)
	}
	t.Cleanup(func() { _ = e.DropTables(context.Background(), s) })
	T := stmt.Ref(tbl)
	// Values go in as text and as Go numbers, as the ORM binds them.
	mustExec(t, e, stmt.Insert(T).Columns("id", "grp", "total", "q", "free").Rows(
		[]any{int64(1), 1, "9.99", "12345678901.2345", "100.50"},
		[]any{int64(2), 1, 10.0, "-0.0001", "12345678901.2345"},
		[]any{int64(3), 1, "100.50", "0", int64(7)},
		[]any{int64(4), 2, "0.10", 0.1, "0.1"},
		[]any{int64(5), 2, 0.2, "99999999999.9999", "-3.5e-3"},
	))
	ids := func(t *testing.T, q *stmt.SelectStmt) []int64 {
		t.Helper()
		got, err := engine.All[int64](ctx, e, q)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	total := T.C("total")
	g1 := T.C("grp").Eq(1)

	t.Run("comparisons", func(t *testing.T) {
		for _, c := range []struct {
			name string
			cond stmt.Expr
			want []int64
		}{
			{"> integer", total.Gt(50), []int64{3}},
			{"> text", total.Gt("50"), []int64{3}},
			{"> float", total.Gt(9.99), []int64{2, 3}},
			{">= text", total.Ge("10"), []int64{2, 3}},
			{"< integer", total.Lt(10), []int64{1}},
			{"= text, other scale", total.Eq("10"), []int64{2}},
			{"= float", total.Eq(100.5), []int64{3}},
			{"between", total.Between("9.995", "100.49"), []int64{2}},
			{"in", total.In("9.99", "100.5"), []int64{1, 3}},
		} {
			t.Run(c.name, func(t *testing.T) {
				got := ids(t, stmt.Select(T.C("id")).Where(g1, c.cond).OrderBy(T.C("id").Asc()))
				if !reflect.DeepEqual(got, c.want) {
					t.Errorf("ids %v, want %v", got, c.want)
				}
			})
		}
	})
	t.Run("ordering", func(t *testing.T) {
		if got := ids(t, stmt.Select(T.C("id")).Where(g1).OrderBy(total.Asc())); !reflect.DeepEqual(got, []int64{1, 2, 3}) {
			t.Errorf("ORDER BY total: ids %v, want [1 2 3] (9.99, 10.00, 100.50)", got)
		}
		if got := ids(t, stmt.Select(T.C("id")).Where(g1).OrderBy(total.Desc())); !reflect.DeepEqual(got, []int64{3, 2, 1}) {
			t.Errorf("ORDER BY total DESC: ids %v, want [3 2 1]", got)
		}
	})
	t.Run("aggregates", func(t *testing.T) {
		recs, err := engine.All[engine.Record](ctx, e, stmt.Select(
			stmt.Sum(total).Label("s"), stmt.Max(total).Label("mx"), stmt.Min(total).Label("mn"),
			stmt.Avg(total).Label("av")).From(T).Where(g1))
		if err != nil {
			t.Fatal(err)
		}
		r := recs[0]
		for _, c := range []struct{ col, want string }{{"s", "120.49"}, {"mx", "100.50"}, {"mn", "9.99"}} {
			if v, _ := r.Any(c.col); v != c.want {
				t.Errorf("%s = %#v, want %q", c.col, v, c.want)
			}
		}
		// AVG of a decimal(10,2) has four more digits of scale.
		if av, _ := r.Any("av"); av != "40.163333" {
			t.Errorf("AVG = %#v, want \"40.163333\"", av)
		}
		if av, err := r.Float64("av"); err != nil || math.Abs(av-120.49/3) > 1e-6 {
			t.Errorf("AVG as float = %v (%v), want %v", av, err, 120.49/3)
		}
		// 0.10 + 0.20 is 0.30, not 0.30000000000000004.
		sum, err := engine.All[engine.Record](ctx, e, stmt.Select(stmt.Sum(total).Label("s")).From(T).Where(T.C("grp").Eq(2)))
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := sum[0].Any("s"); v != "0.30" {
			t.Errorf("SUM(0.10, 0.20) = %#v, want \"0.30\"", v)
		}
		// An aggregate compared with a value: no column affinity helps.
		if got := ids(t, stmt.Select(T.C("id")).Where(total.Eq(stmt.Select(stmt.Max(total)).From(T)))); !reflect.DeepEqual(got, []int64{3}) {
			t.Errorf("total = (SELECT MAX(total)): ids %v, want [3]", got)
		}
		grp, err := engine.All[int64](ctx, e, stmt.Select(T.C("grp")).From(T).GroupBy(T.C("grp")).Having(stmt.Gt(stmt.Max(total), "50")))
		if err != nil || !reflect.DeepEqual(grp, []int64{1}) {
			t.Errorf("HAVING MAX(total) > '50': groups %v (%v), want [1]", grp, err)
		}
	})
	t.Run("exact round trips", func(t *testing.T) {
		recs, err := engine.All[engine.Record](ctx, e, stmt.Select(T.C("total"), T.C("q"), T.C("free")).From(T).OrderBy(T.C("id").Asc()))
		if err != nil {
			t.Fatal(err)
		}
		want := [][]any{
			{"9.99", "12345678901.2345", "100.5"},
			{"10.00", "-0.0001", "12345678901.2345"},
			{"100.50", "0.0000", "7"},
			{"0.10", "0.1000", "0.1"},
			{"0.20", "99999999999.9999", "-0.0035"},
		}
		for i, r := range recs {
			if got := r.Values(); !reflect.DeepEqual(got, want[i]) {
				t.Errorf("row %d: record values %#v, want %#v", i+1, got, want[i])
			}
		}
		// Struct fields: text in the column's scale, or a float.
		type row struct {
			Total string   `db:"total"`
			Q     *string  `db:"q"`
			F     *float64 `db:"free"`
		}
		rows, err := engine.All[row](ctx, e, stmt.Select(T.C("total"), T.C("q"), T.C("free")).From(T).OrderBy(T.C("id").Asc()))
		if err != nil {
			t.Fatal(err)
		}
		if rows[1].Total != "10.00" || rows[2].Q == nil || *rows[2].Q != "0.0000" || rows[0].F == nil || *rows[0].F != 100.5 {
			t.Errorf("struct scan: %+v %v %v", rows[1], deref(rows[2].Q), deref(rows[0].F))
		}
		// A scalar read of a column is in its scale too (PostgreSQL's
		// driver prints a zero numeric(15,4) as "0").
		if q, err := engine.Scalar[string](ctx, e, stmt.Select(T.C("q")).Where(T.C("id").Eq(3))); err != nil || q != "0.0000" {
			t.Errorf("scalar q = %q (%v), want \"0.0000\"", q, err)
		}
		if mx, err := engine.Scalar[string](ctx, e, stmt.Select(stmt.Max(total)).From(T)); err != nil || mx != "100.50" {
			t.Errorf("scalar MAX(total) = %q (%v), want \"100.50\"", mx, err)
		}
		// Raw SQL reads the same text.
		raw, err := engine.All[engine.Record](ctx, e, stmt.Text("SELECT total FROM "+tbl.Name+" WHERE id = :id").Bind("id", 3))
		if err != nil {
			t.Fatal(err)
		}
		if s, err := raw[0].String("total"); err != nil || s != "100.50" {
			t.Errorf("raw SQL total = %q (%v), want \"100.50\"", s, err)
		}
	})
}
