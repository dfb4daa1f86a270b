package orm_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/orm"
)

// Joined-table inheritance (inheritdata/joined): Truck keeps its columns
// in a table of its own whose key references vehicles; Van is a
// single-table sub-model of Truck. A query on Vehicle LEFT JOINs trucks
// and builds each row as the model its discriminator names.
func Example_joinedInheritance() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "dlayer-joined-example-")
	defer os.RemoveAll(dir)
	eng, err := dlayer.Open(ctx, "inheritdata/joined", "sqlite:"+filepath.Join(dir, "example.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()
	if err := eng.CreateAll(ctx); err != nil {
		fmt.Println(err)
		return
	}
	db, err := orm.New(eng, orm.Bind[Depot]("Depot"), orm.Bind[Vehicle]("Vehicle"), orm.Bind[Truck]("Truck"), orm.Bind[Van]("Van"))
	if err != nil {
		fmt.Println(err)
		return
	}
	s := db.Session()
	defer s.Close(ctx)
	n := func(v int64) *int64 { return &v }
	// One INSERT into vehicles and one into trucks per truck or van.
	_ = s.AddAll(&Vehicle{Wheels: n(2)}, &Truck{Vehicle: Vehicle{Wheels: n(6)}, Payload: n(9)},
		&Van{Truck: Truck{Vehicle: Vehicle{Wheels: n(4)}, Payload: n(1)}, Seats: n(8)})
	if err := s.Commit(ctx); err != nil {
		fmt.Println(err)
		return
	}

	all, err := orm.All[Vehicle](ctx, s, orm.Select[Vehicle](db).OrderBy(orm.TableOf[Vehicle](db).C("id").Asc()))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range all {
		fmt.Printf("%s with %d wheels", s.ModelOf(v), *v.Wheels)
		if t, ok := orm.As[Truck](s, v); ok {
			fmt.Printf(", payload %d", *t.Payload)
		}
		if vn, ok := orm.As[Van](s, v); ok {
			fmt.Printf(", %d seats", *vn.Seats)
		}
		fmt.Println()
	}
	// Output:
	// Vehicle with 2 wheels
	// Truck with 6 wheels, payload 9
	// Van with 4 wheels, payload 1, 8 seats
}
