package orm_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// Models of orm/testdata/exprattr: Shop has SQL-expression attributes over
// its items (soft-deleted) and tags (many-to-many).
type XShop struct {
	ID         int64
	Name       string
	Items      []*XItem
	ItemCount  int64
	OpenCount  int64
	TotalQty   int64
	TotalPrice string
	AvgQty     *float64
	Latest     *time.Time
	TagCount   int64
}

type XItem struct {
	ID        int64
	ShopID    *int64
	Name      string
	Status    string
	Qty       int64
	Price     string
	AddedOn   time.Time
	DeletedAt *time.Time
	Shop      *XShop
}

func setupExpr(t testing.TB, name string, bind bool, more ...orm.Option) *env {
	t.Helper()
	ctx := context.Background()
	u := fresh.URL(t, name, "dl_orm_xa")
	c := &counter{}
	eng, err := dlayer.Open(ctx, "testdata/exprattr", u, engine.WithTracer(engine.TracerFunc(c.trace)))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { eng.Close() })
	if err := eng.CreateAll(ctx); err != nil {
		t.Fatalf("create all: %v", err)
	}
	var opts []orm.Option
	if bind {
		opts = append(opts, orm.Bind[XShop]("Store"), orm.Bind[XItem]("Product"))
	}
	opts = append(opts, more...)
	db, err := orm.New(eng, opts...)
	if err != nil {
		t.Fatalf("orm.New: %v", err)
	}
	// Shops s0…s9: shop i has i items (qty 1…i, price 1.50 each, status
	// open for odd qty), added on 2026-01-01 + qty days; shop 9's item of
	// qty 9 is soft-deleted; shops 0…4 have 2 tags.
	x := func(q stmt.Statement) {
		t.Helper()
		if _, err := eng.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	ins := func(t *stmt.Table, row map[string]any) *stmt.InsertStmt {
		var cols []string
		var vals []any
		for k := range row {
			cols = append(cols, k)
		}
		sort.Strings(cols)
		for _, k := range cols {
			vals = append(vals, row[k])
		}
		return stmt.Insert(t).Columns(cols...).Values(vals...)
	}
	shops, items, tags, st := db.Table("Store"), db.Table("Product"), db.Table("Badge"), db.Table("store_badges")
	x(ins(tags, map[string]any{"id": 1, "label": "a"}))
	x(ins(tags, map[string]any{"id": 2, "label": "b"}))
	id := 0
	for i := range 10 {
		x(ins(shops, map[string]any{"id": i + 1, "name": "s" + string(rune('0'+i))}))
		for q := 1; q <= i; q++ {
			id++
			status := "closed"
			if q%2 == 1 {
				status = "open"
			}
			row := map[string]any{"id": id, "shop_id": i + 1, "name": "it", "status": status, "qty": q, "price": "1.50",
				"added_on": time.Date(2026, 1, 1+q, 0, 0, 0, 0, time.UTC)}
			if i == 9 && q == 9 {
				row["deleted_at"] = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
			}
			x(ins(items, row))
		}
		if i < 5 {
			x(ins(st, map[string]any{"shop_id": i + 1, "tag_id": 1}))
			x(ins(st, map[string]any{"shop_id": i + 1, "tag_id": 2}))
		}
	}
	c.reset()
	return &env{name: name, url: u, eng: eng, db: db, n: c}
}

// TestExprAttrs checks SQL-expression attributes on bound structs: read
// with the objects in the one SELECT (a correlated subquery per
// attribute), soft-deleted items left out unless WithDeleted, the
// structured where, many-to-many counts, where and order by through
// orm.Attr, never written, refreshed by Refresh.
func TestExprAttrs(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		e := setupExpr(t, name, true)
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)

		shops, err := orm.All[XShop](ctx, s, orm.Select[XShop](e.db).OrderBy(e.db.Table("Store").C("id").Asc()))
		must(t, err)
		if q := e.n.queries(); len(q) != 1 {
			t.Fatalf("%d statements, want 1:\n%s", len(q), strings.Join(q, "\n"))
		}
		if testing.Verbose() {
			t.Log(e.n.queries()[0])
		}
		if len(shops) != 10 {
			t.Fatalf("%d shops", len(shops))
		}
		for i, sh := range shops {
			live := i
			if i == 9 {
				live = 8 // qty 9 is soft-deleted
			}
			qty, open := 0, 0
			for q := 1; q <= live; q++ {
				qty += q
				if q%2 == 1 {
					open++
				}
			}
			if sh.ItemCount != int64(live) || sh.TotalQty != int64(qty) || sh.OpenCount != int64(open) {
				t.Errorf("shop %d: count %d total %d open %d, want %d %d %d", i, sh.ItemCount, sh.TotalQty, sh.OpenCount, live, qty, open)
			}
			if want := int64(2); i >= 5 {
				want = 0
				if sh.TagCount != want {
					t.Errorf("shop %d: %d tags, want 0", i, sh.TagCount)
				}
			} else if sh.TagCount != want {
				t.Errorf("shop %d: %d tags, want 2", i, sh.TagCount)
			}
			if live == 0 {
				if sh.AvgQty != nil || sh.Latest != nil {
					t.Errorf("shop %d: avg %v latest %v, want NULL", i, sh.AvgQty, sh.Latest)
				}
				continue
			}
			if sh.AvgQty == nil || *sh.AvgQty != float64(qty)/float64(live) {
				t.Errorf("shop %d: avg %v, want %v", i, sh.AvgQty, float64(qty)/float64(live))
			}
			if want := time.Date(2026, 1, 1+live, 0, 0, 0, 0, time.UTC); sh.Latest == nil || !sh.Latest.Equal(want) {
				t.Errorf("shop %d: latest %v, want %v", i, sh.Latest, want)
			}
		}
		if got := shops[4].TotalPrice; got != "6.00" {
			t.Errorf("shop 4 total price %q, want 6.00", got)
		}

		t.Run("with deleted", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			sh, err := orm.One[XShop](ctx, s, orm.Select[XShop](e.db).Where(e.db.Table("Store").C("id").Eq(10)), orm.WithDeleted())
			must(t, err)
			if sh.ItemCount != 9 || sh.TotalQty != 45 {
				t.Errorf("count %d total %d, want 9 45", sh.ItemCount, sh.TotalQty)
			}
		})

		t.Run("where and order by", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			e.n.reset()
			cnt := orm.Attr[XShop](e.db, "item_count")
			got, err := orm.All[XShop](ctx, s, orm.Select[XShop](e.db).Where(stmt.Ge(cnt, 5)).OrderBy(stmt.Desc(orm.Attr[XShop](e.db, "total_qty")), e.db.Table("Store").C("id").Asc()))
			must(t, err)
			var names []string
			for _, sh := range got {
				names = append(names, sh.Name)
			}
			if g := strings.Join(names, ","); g != "s8,s9,s7,s6,s5" {
				t.Errorf("got %s, want s8,s9,s7,s6,s5 (s8 and s9 both 36 live: s9's qty 9 is deleted)", g)
			}
			if q := e.n.queries(); len(q) != 1 {
				t.Fatalf("%d statements, want 1", len(q))
			}
		})

		t.Run("never written", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			sh, err := orm.Get[XShop](ctx, s, int64(3))
			must(t, err)
			if sh.ItemCount != 2 {
				t.Fatalf("Get: count %d, want 2", sh.ItemCount)
			}
			e.n.reset()
			sh.ItemCount = 99
			must(t, s.Flush(ctx))
			if q := e.n.queries(); len(q) != 0 {
				t.Errorf("setting an expression attribute wrote: %v", q)
			}
			sh.Name = "renamed"
			must(t, s.Flush(ctx))
			for _, q := range e.n.queries() {
				if strings.Contains(q, "item_count") {
					t.Errorf("flush wrote the expression attribute: %s", q)
				}
			}
			must(t, s.Commit(ctx))
		})

		t.Run("refresh", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			sh, err := orm.Get[XShop](ctx, s, int64(2))
			must(t, err)
			if sh.ItemCount != 1 {
				t.Fatalf("count %d, want 1", sh.ItemCount)
			}
			s.Add(&XItem{ID: 1000, ShopID: &sh.ID, Name: "new", Status: "open", Qty: 5, Price: "2.00", AddedOn: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
			must(t, s.Flush(ctx))
			e.n.reset()
			must(t, s.Refresh(ctx, sh))
			if q := e.n.queries(); len(q) != 1 {
				t.Errorf("refresh: %d statements, want 1", len(q))
			}
			if sh.ItemCount != 2 || sh.TotalQty != 6 || sh.Latest == nil || sh.Latest.Month() != time.March {
				t.Errorf("after refresh: count %d total %d latest %v, want 2 6 2026-03-01", sh.ItemCount, sh.TotalQty, sh.Latest)
			}
			must(t, s.Expire(sh))
			got, err := orm.Get[XShop](ctx, s, int64(2))
			must(t, err)
			if got != sh || sh.ItemCount != 2 {
				t.Errorf("after expire and Get: count %d", sh.ItemCount)
			}
		})
	})
}

// TestExprAttrsDynamic checks expression attributes on dynamic Objects:
// Get and Values read them, Set refuses them, and DB.Attr filters.
func TestExprAttrsDynamic(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		e := setupExpr(t, name, false)
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		objs, err := s.AllObjects(ctx, "Store", stmt.Select(e.db.Table("Store")).Where(stmt.Eq(e.db.Attr("Store", "open_count"), 2)).OrderBy(e.db.Table("Store").C("id").Asc()))
		must(t, err)
		if q := e.n.queries(); len(q) != 1 {
			t.Fatalf("%d statements, want 1", len(q))
		}
		var names []string
		for _, o := range objs {
			names = append(names, o.Get("name").(string))
		}
		// open items are the odd quantities: 2 for shops with 3 or 4 items.
		if g := strings.Join(names, ","); g != "s3,s4" {
			t.Fatalf("got %s, want s3,s4", g)
		}
		o := objs[0]
		if v := o.Get("item_count"); v != int64(3) {
			t.Errorf("item_count %#v, want int64(3)", v)
		}
		if v := o.Values()["total_qty"]; v != int64(6) {
			t.Errorf("Values total_qty %#v, want 6", v)
		}
		if v := o.Get("total_price"); v != "4.50" {
			t.Errorf("total_price %#v, want \"4.50\"", v)
		}
		if v := o.Get("avg_qty"); v != float64(2) {
			t.Errorf("avg_qty %#v, want 2.0", v)
		}
		if err := o.Set("item_count", 1); err == nil || !strings.Contains(err.Error(), "read-only") {
			t.Errorf("Set on an expression attribute: %v, want a read-only error", err)
		}
	})
}

// TestExprAttrBadInput checks orm.Attr with an unknown name or an unbound
// type: an error at compile time, not a panic.
func TestExprAttrBadInput(t *testing.T) {
	e := setupExpr(t, "sqlite", true)
	ctx := context.Background()
	s := e.db.Session()
	defer s.Close(ctx)
	for _, tc := range []struct {
		name string
		x    stmt.Expr
		want string
	}{
		{"unknown", orm.Attr[XShop](e.db, "item_cuont"), `did you mean "item_count"`},
		{"unbound", orm.Attr[Author](e.db, "x"), "bind it"},
		{"nil db", orm.Attr[XShop](nil, "item_count"), "nil"},
		{"unknown model", e.db.Attr("Nope", "x"), "Nope"},
		{"nil DB method", (*orm.DB)(nil).Attr("Store", "x"), "nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := orm.All[XShop](ctx, s, orm.Select[XShop](e.db).Where(stmt.Gt(tc.x, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
			if tc.name == "unknown" && !errors.Is(err, stmt.ErrUnknown) {
				t.Errorf("err %v does not match stmt.ErrUnknown", err)
			}
		})
	}
}

// XTag is Tag of orm/testdata/exprattr, with its shops.
type XTag struct {
	ID    int64
	Label string
	Shops []*XShop
}

// TestExprAttrsLoaders checks that expression attributes come with objects
// loaded by select-in (many-to-one, many-to-many, limited per parent) and
// by Stream, in the same statements as without them.
func TestExprAttrsLoaders(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		e := setupExpr(t, name, true, orm.Bind[XTag]("Badge"))
		ctx := context.Background()
		shopT, itemT, tagT := e.db.Table("Store"), e.db.Table("Product"), e.db.Table("Badge")
		// live item counts of shops 1…10 (shop id i+1 has i items; shop 10
		// lost one to soft delete)
		want := func(id int64) int64 { return min(id-1, 8) }
		t.Run("selectin many-to-one", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			e.n.reset()
			items, err := orm.All[XItem](ctx, s, orm.Select[XItem](e.db).OrderBy(itemT.C("id").Asc()), orm.SelectIn("shop"))
			must(t, err)
			if q := e.n.queries(); len(q) != 2 {
				t.Fatalf("%d statements, want 2", len(q))
			}
			seen := 0
			for _, it := range items {
				x := it.Shop
				if x.ItemCount != want(x.ID) {
					t.Errorf("shop %d: count %d, want %d", x.ID, x.ItemCount, want(x.ID))
				}
				seen++
			}
			if seen == 0 {
				t.Fatal("no items")
			}
		})
		for _, tc := range []struct {
			name string
			load orm.Load
			n    int
		}{
			{"selectin many-to-many", orm.SelectIn("shops"), 5},
			{"selectin many-to-many limited", orm.SelectIn("shops", orm.OrderBy("id desc"), orm.Limit(2)), 2},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := e.db.Session()
				defer s.Close(ctx)
				e.n.reset()
				tags, err := orm.All[XTag](ctx, s, orm.Select[XTag](e.db).OrderBy(tagT.C("id").Asc()), tc.load)
				must(t, err)
				if q := e.n.queries(); len(q) != 2 {
					t.Fatalf("%d statements, want 2", len(q))
				}
				for _, tg := range tags {
					if len(tg.Shops) != tc.n {
						t.Fatalf("tag %d: %d shops, want %d", tg.ID, len(tg.Shops), tc.n)
					}
					for _, sh := range tg.Shops {
						if sh.ItemCount != want(sh.ID) || sh.TagCount != 2 {
							t.Errorf("tag %d shop %d: count %d tags %d, want %d 2", tg.ID, sh.ID, sh.ItemCount, sh.TagCount, want(sh.ID))
						}
					}
				}
			})
		}
		t.Run("stream", func(t *testing.T) {
			s := e.db.Session()
			defer s.Close(ctx)
			e.n.reset()
			n := 0
			for sh, err := range orm.Stream[XShop](ctx, s, orm.Select[XShop](e.db).OrderBy(shopT.C("id").Asc()), false) {
				must(t, err)
				if sh.ItemCount != want(sh.ID) {
					t.Errorf("shop %d: count %d, want %d", sh.ID, sh.ItemCount, want(sh.ID))
				}
				n++
			}
			if n != 10 {
				t.Errorf("%d shops, want 10", n)
			}
			if q := e.n.queries(); len(q) != 1 {
				t.Fatalf("%d statements, want 1", len(q))
			}
		})
	})
}

// TestExprAttrBindErrors checks that a struct field that cannot hold an
// expression attribute's result is refused when the type is bound.
func TestExprAttrBindErrors(t *testing.T) {
	type badLatest struct {
		ID     int64
		Name   string
		Latest time.Time // max over no rows is NULL: needs *time.Time
	}
	type badCount struct {
		ID        int64
		Name      string
		ItemCount string // a count is an integer
	}
	type twoNames struct {
		ID    int64
		Name  string
		Alias string `db:"name"`
	}
	e := setupExpr(t, "sqlite", false)
	for _, tc := range []struct {
		name string
		opt  orm.Option
		want string
	}{
		{"nullable", orm.Bind[badLatest]("Store"), "use a pointer"},
		{"type", orm.Bind[badCount]("Store"), "cannot hold a bigint"},
		{"two fields", orm.Bind[twoNames]("Store"), `two fields bind column "name"`}, // a plain column
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := orm.New(e.eng, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) || tc.name != "two fields" && !strings.Contains(err.Error(), "expression attribute") {
				t.Errorf("err %v, want %q", err, tc.want)
			} else if n := strings.Count(err.Error(), tc.want); n != 1 {
				t.Errorf("err %v reports the problem %d times, want once", err, n)
			}
		})
	}
}

// TestExprAttrOverSubModel checks an aggregate over a relationship whose
// target is a single-table sub-model: only rows of the sub-model and its
// own sub-models count (the discriminator filters the subquery).
func TestExprAttrOverSubModel(t *testing.T) {
	const yaml = `models:
  Dept:
    table: depts
    columns:
      id: {type: integer, primary_key: true}
    relationships:
      staff: {target: Staff}
      leads: {target: Lead}
    expressions:
      staff_count: {count: staff}
      lead_count: {count: leads}
  Staff:
    table: staff
    polymorphic_on: kind
    polymorphic_identity: staff
    columns:
      id: {type: integer, primary_key: true}
      kind: {type: string, length: 20}
      dept_id: {type: integer, foreign_key: depts.id}
  Lead:
    inherits: Staff
    polymorphic_identity: lead
  Chief:
    inherits: Lead
    polymorphic_identity: chief
`
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		dir := t.TempDir()
		must(t, os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(yaml), 0o600))
		c := &counter{}
		eng, err := dlayer.Open(ctx, dir, fresh.URL(t, name, "dl_orm_xs"), engine.WithTracer(engine.TracerFunc(c.trace)))
		must(t, err)
		defer eng.Close()
		must(t, eng.CreateAll(ctx))
		db, err := orm.New(eng)
		must(t, err)
		_, err = eng.Exec(ctx, stmt.Insert(db.Table("Dept")).Columns("id").Values(1))
		must(t, err)
		for i, kind := range []string{"staff", "staff", "lead", "chief", "lead"} {
			_, err = eng.Exec(ctx, stmt.Insert(db.Table("Staff")).Columns("id", "kind", "dept_id").Values(i+1, kind, 1))
			must(t, err)
		}
		s := db.Session()
		defer s.Close(ctx)
		c.reset()
		o, err := s.GetObject(ctx, "Dept", 1)
		must(t, err)
		if q := c.queries(); len(q) != 1 {
			t.Fatalf("%d statements, want 1", len(q))
		}
		if got, want := o.Get("staff_count"), int64(5); got != want {
			t.Errorf("staff_count %#v, want %d", got, want)
		}
		if got, want := o.Get("lead_count"), int64(3); got != want {
			t.Errorf("lead_count %#v, want %d (lead, chief, lead)", got, want)
		}
	})
}
