package orm_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// SQL-expression attributes (testdata/exprattr: Store has item_count,
// total_qty, latest, … over its products, which use soft delete): read
// with the stores in one SELECT, and usable in where and order by.
func ExampleAttr() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "dlayer-orm-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	eng, err := dlayer.Open(ctx, "testdata/exprattr", "sqlite:"+filepath.Join(dir, "example.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()
	db, err := orm.New(eng, orm.Bind[XShop]("Store"), orm.Bind[XItem]("Product"))
	if err == nil {
		err = eng.CreateAll(ctx)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	s := db.Session()
	defer s.Close(ctx)
	day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	for i, name := range []string{"north", "south", "east"} {
		st := &XShop{ID: int64(i + 1), Name: name}
		for q := range i + 2 {
			st.Items = append(st.Items, &XItem{Name: "p", Status: "open", Qty: int64(q + 1), Price: "2.50", AddedOn: day.AddDate(0, 0, q)})
		}
		_ = s.Add(st)
	}
	_ = s.Commit(ctx)
	// One of east's four products is deleted: it no longer counts.
	p, _ := orm.Get[XItem](ctx, s, int64(9))
	_ = s.Delete(p)
	_ = s.Commit(ctx)

	r := db.Session()
	defer r.Close(ctx)
	stores, err := orm.All[XShop](ctx, r, orm.Select[XShop](db).
		Where(stmt.Ge(orm.Attr[XShop](db, "item_count"), 2)).
		OrderBy(stmt.Desc(orm.Attr[XShop](db, "total_qty")), db.Table("Store").C("id").Desc()))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, st := range stores {
		fmt.Println(st.Name, st.ItemCount, st.TotalQty, st.TotalPrice, st.Latest.Format(time.DateOnly))
	}
	// Output:
	// east 3 6 7.50 2026-05-03
	// south 3 6 7.50 2026-05-03
	// north 2 3 5.00 2026-05-02
}

// Expression attributes come with a joined load too: the store's
// subqueries are added to the products' query, correlated with the
// join's alias, so the products and their stores with their counts are
// one statement.
func ExampleJoined_expressionAttributes() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "dlayer-orm-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	eng, err := dlayer.Open(ctx, "testdata/exprattr", "sqlite:"+filepath.Join(dir, "example.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()
	db, err := orm.New(eng, orm.Bind[XShop]("Store"), orm.Bind[XItem]("Product"))
	if err == nil {
		err = eng.CreateAll(ctx)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	s := db.Session()
	defer s.Close(ctx)
	day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	for i, name := range []string{"north", "south"} {
		st := &XShop{ID: int64(i + 1), Name: name}
		for q := range i + 1 {
			st.Items = append(st.Items, &XItem{Name: "p", Status: "open", Qty: int64(q + 1), Price: "2.50", AddedOn: day})
		}
		_ = s.Add(st)
	}
	if err := s.Commit(ctx); err != nil {
		fmt.Println(err)
		return
	}

	r := db.Session(orm.WithQueryBudget(orm.Budget{MaxStatements: 1}))
	defer r.Close(ctx)
	items, err := orm.All[XItem](ctx, r, orm.Select[XItem](db).OrderBy(db.Table("Product").C("id").Asc()), orm.Joined("shop"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range items {
		fmt.Println(it.ID, it.Shop.Name, it.Shop.ItemCount, it.Shop.TotalPrice)
	}
	fmt.Println("statements:", r.Statements())
	// Output:
	// 1 north 1 2.50
	// 2 south 2 5.00
	// 3 south 2 5.00
	// statements: 1
}
