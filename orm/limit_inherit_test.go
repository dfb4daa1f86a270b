package orm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
)

// TestSelectInLimitInheritance checks orm.Limit on relationships whose
// target is (a) a single-table sub-model (the discriminator filter applies
// before rows are numbered), (b) a joined-table sub-model and (c) a
// polymorphic base with joined descendants: 2 statements, the first n
// children by the order, each as its sub-model.
func TestSelectInLimitInheritance(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		t.Run("single-table sub-model", func(t *testing.T) {
			_, db, c := setupInherit(t, name, inheritBinds()...)
			seedInherit(t, db, c) // employees: boss(Manager), Eve, Ed(Engineer), Dora(Director), Cy(Contractor, no dept)
			tests := []struct {
				name, path, order string
				n                 int
				want              string
			}{
				{"managers by id, 1", "managers", "id", 1, "Mia:Manager"},
				{"managers by name desc, 1", "managers", "name desc", 1, "Mia:Manager"},
				{"managers by name, 1", "managers", "name", 1, "Dora:Director"},
				{"managers by id, 5", "managers", "id", 5, "Mia:Manager,Dora:Director"},
				// By kind: director, employee, engineer, manager. Numbered
				// before the filter, Eve and Ed would take the second place.
				{"managers by kind, 2 (others are not numbered)", "managers", "kind", 2, "Dora:Director,Mia:Manager"},
				{"employees by name, 2", "employees", "name", 2, "Dora:Director,Ed:Engineer"},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					s := db.Session()
					defer s.Close(ctx)
					c.reset()
					ds, err := orm.All[Department](ctx, s, orm.Select[Department](db), orm.SelectIn(tc.path, orm.OrderBy(tc.order), orm.Limit(tc.n)))
					must(t, err)
					if q := c.queries(); len(q) != 2 {
						t.Fatalf("%d statements, want 2:\n%s", len(q), strings.Join(q, "\n"))
					}
					var got []string
					if tc.path == "managers" {
						for _, m := range ds[0].Managers {
							got = append(got, m.Name+":"+s.ModelOf(m))
						}
					} else {
						for _, m := range ds[0].Employees {
							got = append(got, m.Name+":"+s.ModelOf(m))
						}
					}
					if g := strings.Join(got, ","); g != tc.want {
						t.Errorf("got %s, want %s", g, tc.want)
					}
				})
			}
		})
		t.Run("joined", func(t *testing.T) {
			_, db, c := setupJoined(t, name)
			s := db.Session()
			bike := &Vehicle{Wheels: i64p(2)}
			tr := &Truck{Vehicle: Vehicle{Wheels: i64p(6)}, Payload: i64p(9)}
			van := &Van{Truck: Truck{Vehicle: Vehicle{Wheels: i64p(4)}, Payload: i64p(1)}, Seats: i64p(8)}
			tr2 := &Truck{Vehicle: Vehicle{Wheels: i64p(8)}, Payload: i64p(5)}
			d := &Depot{Name: "north", Vehicles: []*Vehicle{bike, &tr.Vehicle, &van.Vehicle, &tr2.Vehicle}}
			d2 := &Depot{Name: "south", Vehicles: []*Vehicle{{Wheels: i64p(3)}}}
			must(t, s.AddAll(tr, van, tr2, d, d2))
			must(t, s.Commit(ctx))
			s.Close(ctx)
			tests := []struct {
				name, path, order string
				n                 int
				want              string // wheels:model of depot north
			}{
				{"trucks by wheels desc, 1", "trucks", "wheels desc", 1, "8:Truck"},
				{"trucks by wheels, 1 (the bike is not numbered)", "trucks", "wheels", 1, "4:Van"},
				{"vehicles by wheels, 2", "vehicles", "wheels", 2, "2:Vehicle,4:Van"},
				{"vehicles by wheels desc, 3", "vehicles", "wheels desc", 3, "8:Truck,6:Truck,4:Van"},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					s := db.Session()
					defer s.Close(ctx)
					c.reset()
					ds, err := orm.All[Depot](ctx, s, orm.Select[Depot](db).OrderBy(orm.TableOf[Depot](db).C("id").Asc()), orm.SelectIn(tc.path, orm.OrderBy(tc.order), orm.Limit(tc.n)))
					must(t, err)
					if q := c.queries(); len(q) != 2 {
						t.Fatalf("%d statements, want 2:\n%s", len(q), strings.Join(q, "\n"))
					}
					var got []string
					if tc.path == "trucks" {
						for _, v := range ds[0].Trucks {
							got = append(got, itoa(*v.Wheels)+":"+s.ModelOf(v))
						}
						if len(ds[1].Trucks) != 0 {
							t.Errorf("south trucks: %d", len(ds[1].Trucks))
						}
					} else {
						for _, v := range ds[0].Vehicles {
							got = append(got, itoa(*v.Wheels)+":"+s.ModelOf(v))
						}
						if len(ds[1].Vehicles) != 1 {
							t.Errorf("south vehicles: %d", len(ds[1].Vehicles))
						}
					}
					if g := strings.Join(got, ","); g != tc.want {
						t.Errorf("got %s, want %s", g, tc.want)
					}
				})
			}
		})
		t.Run("errors", func(t *testing.T) {
			_, db, _ := setupJoined(t, name)
			s := db.Session()
			defer s.Close(ctx)
			must(t, s.Add(&Depot{Name: "d", Vehicles: []*Vehicle{{Wheels: i64p(1)}}}))
			must(t, s.Commit(ctx))
			_, err := orm.All[Depot](ctx, s, orm.Select[Depot](db), orm.SelectIn("trucks", orm.OrderBy("payload"), orm.Limit(1)))
			if err == nil || !strings.Contains(err.Error(), "orm.Limit is not supported with an order on a column of a joined-table sub-model's own table (trucks.payload)") {
				t.Errorf("limit ordered on a sub-table column: %v", err)
			}
			// A relationship joining on a sub-table column (Driver.lorries)
			// keeps its clear error under a limit.
			c := &counter{}
			eng, err := dlayer.Open(ctx, "inheritdata/joinedrel", fresh.URL(t, name, "dl_orm_limjr"), engine.WithTracer(engine.TracerFunc(c.trace)))
			must(t, err)
			defer eng.Close()
			must(t, eng.CreateAll(ctx))
			rdb, err := orm.New(eng, orm.Bind[Driver]("Driver"), orm.Bind[Car]("Car"), orm.Bind[Lorry]("Lorry"), orm.Bind[Tipper]("Tipper"), orm.Bind[Route]("Route"))
			must(t, err)
			rs := rdb.Session()
			defer rs.Close(ctx)
			must(t, rs.Add(&Driver{Name: "ann", Lorries: []*Lorry{{}}}))
			must(t, rs.Commit(ctx))
			_, err = orm.All[Driver](ctx, rs, orm.Select[Driver](rdb), orm.SelectIn("lorries", orm.Limit(1)))
			if err == nil || !strings.Contains(err.Error(), "orm.Limit is not supported on a relationship that joins on a column of a joined-table sub-model's own table (lorries)") {
				t.Errorf("limit on Driver.lorries: %v", err)
			}
			// Without a limit the order on a sub-table column works.
			_, err = orm.All[Depot](ctx, s, orm.Select[Depot](db), orm.SelectIn("trucks", orm.OrderBy("payload desc")))
			must(t, err)
		})
	})
}
