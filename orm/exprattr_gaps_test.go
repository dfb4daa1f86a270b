package orm_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// shopExprs renders a shop's expression attributes for comparison.
func shopExprs(x *XShop) string {
	avg, latest := "nil", "nil"
	if x.AvgQty != nil {
		avg = fmt.Sprintf("%.4f", *x.AvgQty)
	}
	if x.Latest != nil {
		latest = x.Latest.UTC().Format("2006-01-02")
	}
	return fmt.Sprintf("count=%d open=%d qty=%d price=%s avg=%s latest=%s tags=%d",
		x.ItemCount, x.OpenCount, x.TotalQty, x.TotalPrice, avg, latest, x.TagCount)
}

var shopExprNames = []string{"item_count", "open_count", "total_qty", "total_price", "avg_qty", "latest", "tag_count"}

// objExprs renders a dynamic Store's expression attributes.
func objExprs(o *orm.Object) string {
	var b strings.Builder
	for _, n := range shopExprNames {
		fmt.Fprintf(&b, "%s=%v(%T) ", n, o.Get(n), o.Get(n))
	}
	return b.String()
}

// TestExprAttrsJoinedLazyWide checks that every path that builds objects
// of a model with expression attributes reads them in the same statement,
// with the values a plain query of the model reads: joined loads
// (orm.Joined, lazy: joined; many-to-one, many-to-many, WithDeleted),
// lazy loads (Session.Load), and queries that select more than the
// model's table (also with a joined load, and Stream).
func TestExprAttrsJoinedLazyWide(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		e := setupExpr(t, name, true, orm.Bind[XTag]("Badge"))
		ctx := context.Background()
		shopT, itemT, tagT := e.db.Table("Store"), e.db.Table("Product"), e.db.Table("Badge")
		// The reference: each shop's attributes as orm.Select reads them.
		ref := func(t *testing.T, opts ...orm.Load) map[int64]string {
			t.Helper()
			s := e.db.Session()
			defer s.Close(ctx)
			shops, err := orm.All[XShop](ctx, s, orm.Select[XShop](e.db), opts...)
			must(t, err)
			out := map[int64]string{}
			for _, x := range shops {
				out[x.ID] = shopExprs(x)
			}
			if len(out) != 10 || !strings.HasPrefix(out[4], "count=3 open=2 qty=6 price=4.50 avg=2.0000 latest=2026-01-04 tags=2") {
				t.Fatalf("reference: %v", out)
			}
			return out
		}
		want := ref(t)
		check := func(t *testing.T, x *XShop, want map[int64]string) {
			t.Helper()
			if x == nil {
				t.Fatal("shop not loaded")
			}
			if got := shopExprs(x); got != want[x.ID] {
				t.Errorf("shop %d: %s, want %s", x.ID, got, want[x.ID])
			}
		}
		statements := func(t *testing.T, n int) {
			t.Helper()
			if q := e.n.queries(); len(q) != n {
				t.Fatalf("%d statements, want %d:\n%s", len(q), n, strings.Join(q, "\n"))
			}
		}

		t.Run("joined many-to-one", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			e.n.reset()
			items, err := orm.All[XItem](ctx, s, orm.Select[XItem](e.db).OrderBy(itemT.C("id").Asc()), orm.Joined("shop"))
			must(t, err)
			statements(t, 1)
			if len(items) != 44 {
				t.Fatalf("%d items, want 44", len(items))
			}
			for _, it := range items {
				check(t, it.Shop, want)
			}
			if q := e.n.queries()[0]; !strings.Contains(q, "dl_j0") || strings.Count(q, "dlx_item_count") < 2 {
				t.Errorf("the join's subqueries are not correlated with its alias: %s", q)
			}
		})
		t.Run("joined many-to-one with deleted", func(t *testing.T) {
			wantDel := ref(t, orm.WithDeleted())
			if wantDel[10] == want[10] {
				t.Fatalf("WithDeleted changes nothing: %s", wantDel[10])
			}
			s := e.db.Session()
			defer s.Close(ctx)
			e.n.reset()
			items, err := orm.All[XItem](ctx, s, orm.Select[XItem](e.db).Where(itemT.C("shop_id").Eq(10)), orm.Joined("shop"), orm.WithDeleted())
			must(t, err)
			statements(t, 1)
			if len(items) != 9 {
				t.Fatalf("%d items, want 9", len(items))
			}
			check(t, items[0].Shop, wantDel)
		})
		t.Run("joined many-to-one refreshes an expired target", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			x, err := orm.Get[XShop](ctx, s, int64(4))
			must(t, err)
			x.ItemCount, x.TotalPrice = 99, "0"
			must(t, s.Expire(x))
			e.n.reset()
			items, err := orm.All[XItem](ctx, s, orm.Select[XItem](e.db).Where(itemT.C("shop_id").Eq(4)), orm.Joined("shop"))
			must(t, err)
			statements(t, 1)
			if len(items) != 3 || items[0].Shop != x {
				t.Fatalf("%d items, shop %p want %p", len(items), items[0].Shop, x)
			}
			check(t, x, want)
		})
		t.Run("joined many-to-many", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			e.n.reset()
			tags, err := orm.All[XTag](ctx, s, orm.Select[XTag](e.db).OrderBy(tagT.C("id").Asc()), orm.Joined("shops"))
			must(t, err)
			statements(t, 1)
			for _, tg := range tags {
				if len(tg.Shops) != 5 {
					t.Fatalf("tag %d: %d shops, want 5", tg.ID, len(tg.Shops))
				}
				for _, x := range tg.Shops {
					check(t, x, want)
				}
			}
		})
		t.Run("joined collection of a parent with expressions", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			e.n.reset()
			shops, err := orm.All[XShop](ctx, s, orm.Select[XShop](e.db).OrderBy(shopT.C("id").Asc()), orm.Joined("items"))
			must(t, err)
			statements(t, 1)
			for _, x := range shops {
				check(t, x, want)
				if int64(len(x.Items)) != x.ItemCount {
					t.Errorf("shop %d: %d items, count %d", x.ID, len(x.Items), x.ItemCount)
				}
			}
		})
		t.Run("lazy load many-to-one", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			items, err := orm.All[XItem](ctx, s, orm.Select[XItem](e.db).Where(itemT.C("shop_id").Eq(7)))
			must(t, err)
			e.n.reset()
			must(t, s.Load(ctx, items[0], "shop"))
			statements(t, 1)
			check(t, items[0].Shop, want)
		})
		t.Run("lazy load many-to-many", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			tg, err := orm.One[XTag](ctx, s, orm.Select[XTag](e.db).Where(tagT.C("id").Eq(2)))
			must(t, err)
			e.n.reset()
			must(t, s.Load(ctx, tg, "shops"))
			statements(t, 1)
			if len(tg.Shops) != 5 {
				t.Fatalf("%d shops, want 5", len(tg.Shops))
			}
			for _, x := range tg.Shops {
				check(t, x, want)
			}
		})
		wide := stmt.Select(shopT, shopT.C("name").Label("other_name")).OrderBy(shopT.C("id").Asc())
		t.Run("select more than the table", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			e.n.reset()
			shops, err := orm.All[XShop](ctx, s, wide)
			must(t, err)
			statements(t, 1)
			if len(shops) != 10 {
				t.Fatalf("%d shops, want 10", len(shops))
			}
			for _, x := range shops {
				check(t, x, want)
			}
		})
		t.Run("select more than the table with a joined load", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			e.n.reset()
			items, err := orm.All[XItem](ctx, s, stmt.Select(itemT, itemT.C("qty").Label("q2")).Where(itemT.C("shop_id").Ge(9)), orm.Joined("shop"))
			must(t, err)
			statements(t, 1)
			if len(items) != 16 {
				t.Fatalf("%d items, want 16", len(items))
			}
			for _, it := range items {
				check(t, it.Shop, want)
			}
			e.n.reset()
			s2 := e.db.Session()
			defer s2.Close(ctx)
			shops, err := orm.All[XShop](ctx, s2, wide, orm.Joined("items"))
			must(t, err)
			statements(t, 1)
			for _, x := range shops {
				check(t, x, want)
			}
		})
		t.Run("select more than the table, grouped", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			sb := e.db.Table("store_badges")
			q := stmt.Select(shopT, stmt.Count(sb.C("tag_id")).Label("n")).
				LeftJoin(sb, sb.C("shop_id").Eq(shopT.C("id"))).
				GroupBy(shopT.C("id"), shopT.C("name")).OrderBy(shopT.C("id").Asc())
			e.n.reset()
			shops, err := orm.All[XShop](ctx, s, q)
			must(t, err)
			statements(t, 1)
			if len(shops) != 10 {
				t.Fatalf("%d shops, want 10", len(shops))
			}
			for _, x := range shops {
				check(t, x, want)
			}
		})
		t.Run("stream of more than the table", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			e.n.reset()
			n := 0
			for x, err := range orm.Stream[XShop](ctx, s, wide, false) {
				must(t, err)
				check(t, x, want)
				n++
			}
			statements(t, 1)
			if n != 10 {
				t.Fatalf("%d shops, want 10", n)
			}
		})
	})
}

// TestExprAttrsLazyJoinedDynamic checks a relationship with lazy: joined
// to a model with expression attributes, on dynamic Objects: the joined
// Store carries them, in one statement, with the values (and Go types) a
// plain query of Store reads.
func TestExprAttrsLazyJoinedDynamic(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		e := setupExpr(t, name, false)
		ctx := context.Background()
		visits := e.db.Table("StoreVisit")
		for i := 1; i <= 10; i++ {
			if _, err := e.eng.Exec(ctx, stmt.Insert(visits).Columns("id", "store_id").Values(i, i)); err != nil {
				t.Fatal(err)
			}
		}
		s := e.db.Session()
		defer s.Close(ctx)
		stores, err := s.AllObjects(ctx, "Store", stmt.Select(e.db.Table("Store")))
		must(t, err)
		want := map[any]string{}
		for _, o := range stores {
			want[o.Get("id")] = objExprs(o)
		}
		if !strings.Contains(want[int64(10)], "item_count=8(int64)") {
			t.Fatalf("reference: %v", want)
		}
		s2 := e.db.Session()
		defer s2.Close(ctx)
		e.n.reset()
		vs, err := s2.AllObjects(ctx, "StoreVisit", stmt.Select(visits).OrderBy(visits.C("id").Asc()))
		must(t, err)
		if q := e.n.queries(); len(q) != 1 {
			t.Fatalf("%d statements, want 1:\n%s", len(q), strings.Join(q, "\n"))
		}
		if len(vs) != 10 {
			t.Fatalf("%d visits, want 10", len(vs))
		}
		for _, v := range vs {
			st := v.One("store")
			if st == nil {
				t.Fatalf("visit %v: store not loaded", v.Get("id"))
			}
			if got := objExprs(st); got != want[st.Get("id")] {
				t.Errorf("store %v: %s, want %s", st.Get("id"), got, want[st.Get("id")])
			}
		}
	})
}
