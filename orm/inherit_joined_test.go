package orm_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

type Depot struct {
	ID       int64
	Name     string
	Vehicles []*Vehicle
	Trucks   []*Truck
}

type Vehicle struct {
	ID      int64
	Kind    string
	Wheels  *int64
	DepotID *int64
	Depot   *Depot
}

type Truck struct {
	Vehicle
	Payload *int64
}

type Van struct {
	Truck
	Seats *int64
}

func setupJoined(t *testing.T, name string) (*engine.Engine, *orm.DB, *counter) {
	t.Helper()
	ctx := context.Background()
	c := &counter{}
	eng, err := dlayer.Open(ctx, "inheritdata/joined", fresh.URL(t, name, "dl_orm_inhj"), engine.WithTracer(engine.TracerFunc(c.trace)))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { eng.Close() })
	must(t, eng.CreateAll(ctx))
	db, err := orm.New(eng, orm.Bind[Depot]("Depot"), orm.Bind[Vehicle]("Vehicle"), orm.Bind[Truck]("Truck"), orm.Bind[Van]("Van"))
	if err != nil {
		t.Fatalf("orm.New: %v", err)
	}
	c.reset()
	return eng, db, c
}

// Joined-table inheritance: Truck's rows span vehicles and trucks, Van's
// too (Van shares trucks with Truck). Inserts write the parent row first,
// deletes the child row first, updates touch only the changed table, and
// queries join the tables in one statement.
func TestInheritJoined(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		eng, db, c := setupJoined(t, name)
		s := db.Session()
		defer s.Close(ctx)
		v := &Vehicle{Wheels: i64p(2), Kind: "ignored: the flush sets it"}
		tr := &Truck{Vehicle: Vehicle{Wheels: i64p(6)}, Payload: i64p(9)}
		must(t, s.AddAll(v, tr))
		must(t, s.Flush(ctx))
		q := c.queries()
		if len(q) != 3 || !strings.Contains(q[0], "vehicles") || !strings.Contains(q[1], "vehicles") || !strings.Contains(q[2], "trucks") {
			t.Errorf("flush of a vehicle and a truck: want 3 INSERTs (vehicles, vehicles, trucks):\n%s", strings.Join(q, "\n"))
		}
		if v.Kind != "vehicle" || tr.Kind != "truck" || tr.ID == 0 || tr.ID == v.ID {
			t.Errorf("after flush: %+v %+v", v, tr.Vehicle)
		}
		c.reset()
		van := &Van{Truck: Truck{Vehicle: Vehicle{Wheels: i64p(4)}, Payload: i64p(1)}, Seats: i64p(8)}
		must(t, s.Add(van))
		must(t, s.Commit(ctx))
		q = c.queries()
		if len(q) != 2 || !strings.Contains(q[0], "vehicles") || !strings.Contains(q[1], "trucks") {
			t.Errorf("flush of a van: want 2 INSERTs, vehicles then trucks:\n%s", strings.Join(q, "\n"))
		}
		// The rows are where they belong.
		var payload, seats any
		r, err := eng.Query(ctx, stmt.Select(stmt.Ref(eng.Schema().Table("trucks"))).Where(stmt.Ref(eng.Schema().Table("trucks")).Col(eng.Schema().Table("trucks").Column("id")).Eq(van.ID)))
		must(t, err)
		var id any
		if !r.Next() {
			t.Fatal("no trucks row for the van")
		}
		must(t, r.Scan(&id, &payload, &seats))
		r.Close()

		s2 := db.Session()
		defer s2.Close(ctx)
		c.reset()
		all, err := orm.All[Vehicle](ctx, s2, orm.Select[Vehicle](db).OrderBy(orm.TableOf[Vehicle](db).C("id").Asc()))
		must(t, err)
		if n := len(c.queries()); n != 1 || !strings.Contains(strings.ToUpper(c.queries()[0]), "LEFT") {
			t.Errorf("polymorphic query on the base: %d statements, want 1 with a LEFT JOIN: %v", n, c.queries())
		}
		if len(all) != 3 || s2.ModelOf(all[0]) != "Vehicle" || s2.ModelOf(all[1]) != "Truck" || s2.ModelOf(all[2]) != "Van" {
			t.Fatalf("All[Vehicle]: %d objects", len(all))
		}
		if got, ok := orm.As[Truck](s2, all[1]); !ok || got.Payload == nil || *got.Payload != 9 || *got.Wheels != 6 {
			t.Errorf("the truck: %+v %v", got, ok)
		}
		if got, ok := orm.As[Van](s2, all[2]); !ok || *got.Seats != 8 || *got.Payload != 1 || *got.Wheels != 4 {
			t.Errorf("the van: %+v %v", got, ok)
		}
		// Queries on a sub-model join its tables and filter to it;
		// the identity map returns the objects already loaded.
		c.reset()
		trucks, err := orm.All[Truck](ctx, s2, orm.Select[Truck](db).
			Where(stmt.TableOf(eng.Schema(), "trucks").C("payload").Ge(1)).
			OrderBy(orm.TableOf[Truck](db).C("id").Asc()))
		must(t, err)
		if len(trucks) != 2 || &trucks[0].Vehicle != all[1] || s2.ModelOf(trucks[1]) != "Van" || len(c.queries()) != 1 {
			t.Errorf("All[Truck]: %d objects, %d statements", len(trucks), len(c.queries()))
		}
		c.reset()
		g, err := orm.Get[Van](ctx, s2, van.ID)
		must(t, err)
		if g == nil || &g.Vehicle != all[2] || len(c.queries()) != 0 {
			t.Errorf("Get[Van] of a loaded van: %d statements", len(c.queries()))
		}
		s3 := db.Session()
		defer s3.Close(ctx)
		c.reset()
		g3, err := orm.Get[Truck](ctx, s3, tr.ID)
		must(t, err)
		if *g3.Payload != 9 || g3.Kind != "truck" || len(c.queries()) != 1 {
			t.Errorf("Get[Truck]: %+v, %d statements", g3, len(c.queries()))
		}
		if _, err := orm.Get[Truck](ctx, s3, v.ID); err == nil {
			t.Error("Get[Truck] of a plain vehicle must fail")
		}

		// Update: only the changed table's row.
		c.reset()
		*g3.Payload = 12
		must(t, s3.Flush(ctx))
		q = c.queries()
		if len(q) != 1 || !strings.HasPrefix(strings.ToUpper(q[0]), "UPDATE") || !strings.Contains(q[0], "trucks") {
			t.Errorf("update of payload: want 1 UPDATE of trucks:\n%s", strings.Join(q, "\n"))
		}
		c.reset()
		*g3.Wheels, *g3.Payload = 8, 13
		must(t, s3.Flush(ctx))
		q = c.queries()
		if len(q) != 2 || !strings.Contains(q[0], "vehicles") || !strings.Contains(q[1], "trucks") {
			t.Errorf("update of wheels and payload: want 2 UPDATEs, vehicles then trucks:\n%s", strings.Join(q, "\n"))
		}
		// Delete: the child row first.
		c.reset()
		must(t, s3.Delete(g3))
		must(t, s3.Commit(ctx))
		q = c.queries()
		if len(q) != 2 || !strings.HasPrefix(strings.ToUpper(q[0]), "DELETE") || !strings.Contains(q[0], "trucks") || !strings.Contains(q[1], "vehicles") {
			t.Errorf("delete of a truck: want 2 DELETEs, trucks then vehicles:\n%s", strings.Join(q, "\n"))
		}
		s4 := db.Session()
		defer s4.Close(ctx)
		left, err := orm.All[Vehicle](ctx, s4, orm.Select[Vehicle](db))
		must(t, err)
		if len(left) != 2 {
			t.Errorf("after deleting the truck: %d vehicles", len(left))
		}
		// Stream of a joined model without sub-models: one joined query.
		c.reset()
		var vans []*Van
		for x, err := range orm.Stream[Van](ctx, s4, orm.Select[Van](db), false) {
			must(t, err)
			vans = append(vans, x)
		}
		if len(vans) != 1 || *vans[0].Seats != 8 || *vans[0].Payload != 1 || len(c.queries()) != 1 {
			t.Errorf("Stream[Van]: %d vans, %d statements", len(vans), len(c.queries()))
		}
	})
}

// Relationships to a joined hierarchy: a collection of the base (its
// objects of every sub-model), a collection of a joined sub-model (its
// foreign key is on the root table), and the many-to-one back; the unit
// of work fills the foreign key of a joined object from its parent.
func TestInheritJoinedRelationships(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		_, db, c := setupJoined(t, name)
		s := db.Session()
		defer s.Close(ctx)
		tr := &Truck{Vehicle: Vehicle{Wheels: i64p(6)}, Payload: i64p(9)}
		van := &Van{Truck: Truck{Vehicle: Vehicle{Wheels: i64p(4)}, Payload: i64p(1)}, Seats: i64p(8)}
		bike := &Vehicle{Wheels: i64p(2)}
		d := &Depot{Name: "north", Vehicles: []*Vehicle{bike, &tr.Vehicle, &van.Vehicle}}
		// Sub-model objects join the session as what they are; the
		// depot's collection holds them as *Vehicle.
		must(t, s.AddAll(tr, van, d))
		must(t, s.Commit(ctx))
		if q := c.queries(); len(q) != 6 {
			t.Errorf("flush of a depot, a vehicle, a truck and a van: %d statements, want 6 (depot, 3 vehicles, 2 trucks):\n%s", len(q), strings.Join(q, "\n"))
		}
		if tr.DepotID == nil || *tr.DepotID != d.ID || van.DepotID == nil || *van.DepotID != d.ID {
			t.Fatalf("depot ids: %v %v", tr.DepotID, van.DepotID)
		}
		tests := []struct {
			name string
			load orm.Load
			want func(t *testing.T, s *orm.Session, d *Depot)
		}{
			{"collection of the base", orm.SelectIn("vehicles"), func(t *testing.T, s *orm.Session, d *Depot) {
				if len(d.Vehicles) != 3 || s.ModelOf(d.Vehicles[1]) != "Truck" || s.ModelOf(d.Vehicles[2]) != "Van" {
					t.Fatalf("vehicles: %d", len(d.Vehicles))
				}
				if v, ok := orm.As[Van](s, d.Vehicles[2]); !ok || *v.Seats != 8 || *v.Payload != 1 || v.Depot != d {
					t.Errorf("the van: %+v", v)
				}
			}},
			{"collection of a joined sub-model", orm.SelectIn("trucks"), func(t *testing.T, s *orm.Session, d *Depot) {
				if len(d.Trucks) != 2 || *d.Trucks[0].Payload != 9 || s.ModelOf(d.Trucks[1]) != "Van" {
					t.Fatalf("trucks: %d", len(d.Trucks))
				}
			}},
			{"joined loading falls back to select-in", orm.Joined("trucks"), func(t *testing.T, s *orm.Session, d *Depot) {
				if len(d.Trucks) != 2 {
					t.Fatalf("trucks: %d", len(d.Trucks))
				}
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				s := db.Session()
				defer s.Close(ctx)
				c.reset()
				got, err := orm.One[Depot](ctx, s, orm.Select[Depot](db), tc.load)
				must(t, err)
				if n := len(c.queries()); n != 2 {
					t.Errorf("%d statements, want 2:\n%s", n, strings.Join(c.queries(), "\n"))
				}
				tc.want(t, s, got)
			})
		}
		// Many-to-one from a joined object, and moving it to another
		// depot: one UPDATE of the root table.
		s2 := db.Session()
		defer s2.Close(ctx)
		g, err := orm.Get[Truck](ctx, s2, tr.ID)
		must(t, err)
		south := &Depot{Name: "south"}
		must(t, s2.Add(south))
		must(t, s2.Flush(ctx))
		c.reset()
		g.Depot = south
		must(t, s2.Flush(ctx))
		if q := c.queries(); len(q) != 1 || !strings.Contains(q[0], "vehicles") {
			t.Errorf("moving a truck: want 1 UPDATE of vehicles:\n%s", strings.Join(q, "\n"))
		}
		if *g.DepotID != south.ID {
			t.Errorf("depot id %d, want %d", *g.DepotID, south.ID)
		}
	})
}

type Driver struct {
	ID      int64
	Name    string
	Lorries []*Lorry
}

type Car struct {
	ID   int64
	Kind string
}

type Lorry struct {
	Car
	DriverID *int64
	Driver   *Driver
	Routes   []*Route
}

type Route struct {
	ID      int64
	Name    string
	Lorries []*Lorry
}

type Tipper struct {
	Lorry
	Tilt *int64
}

// What the ORM does not map in a joined-table hierarchy is an orm.New
// error naming the model or relationship.
func TestInheritJoinedRefused(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, dir string
		opts      []orm.Option
		want      []string
	}{
		{"bound and dynamic models in one hierarchy", "inheritdata/joined", []orm.Option{orm.Bind[Vehicle]("Vehicle")},
			[]string{"model Truck", "joined-table hierarchy", "dynamic Objects"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eng, err := dlayer.Open(ctx, tc.dir, fresh.URL(t, "sqlite", "dl_orm_inhjr"))
			must(t, err)
			defer eng.Close()
			_, err = orm.New(eng, tc.opts...)
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("orm.New: %v, want %q", err, w)
				}
			}
		})
	}
}

type Machine struct {
	ID        int64
	Kind      string
	Version   int64
	DeletedAt *time.Time
}

type Drill struct {
	Machine
	Torque *int64
}

// Soft delete on the root of a joined hierarchy: Delete updates the root
// row only (the sub-table row stays for the deleted object), queries
// leave it out, HardDelete removes both rows, the sub-table's first.
func TestInheritJoinedSoftDelete(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		c := &counter{}
		eng, err := dlayer.Open(ctx, "inheritdata/joinedsoft", fresh.URL(t, name, "dl_orm_inhjs"), engine.WithTracer(engine.TracerFunc(c.trace)))
		must(t, err)
		defer eng.Close()
		must(t, eng.CreateAll(ctx))
		db, err := orm.New(eng, orm.Bind[Machine]("Machine"), orm.Bind[Drill]("Drill"))
		must(t, err)
		s := db.Session()
		defer s.Close(ctx)
		a, b := &Drill{Torque: i64p(5)}, &Drill{Torque: i64p(7)}
		must(t, s.AddAll(a, b))
		must(t, s.Commit(ctx))
		// The version covers the whole object: a change of the sub-table
		// alone bumps it on the root table, root first; a stale object
		// fails.
		c.reset()
		*b.Torque = 8
		must(t, s.Flush(ctx))
		if q := c.queries(); len(q) != 2 || !strings.Contains(q[0], "machines") || !strings.Contains(q[1], "drills") || b.Version != 2 {
			t.Errorf("versioned update of torque: version %d, want 2 UPDATEs, machines then drills:\n%s", b.Version, strings.Join(q, "\n"))
		}
		must(t, s.Commit(ctx))
		other := db.Session()
		defer other.Close(ctx)
		ob, err := orm.Get[Drill](ctx, other, b.ID)
		must(t, err)
		*ob.Torque = 9
		must(t, other.Commit(ctx))
		*b.Torque = 10
		if err := s.Flush(ctx); !errors.Is(err, orm.ErrStaleObject) {
			t.Errorf("stale update of a drill: %v", err)
		}
		must(t, s.Rollback(ctx))
		c.reset()
		must(t, s.Delete(a))
		must(t, s.Commit(ctx))
		if q := c.queries(); len(q) != 1 || !strings.HasPrefix(strings.ToUpper(q[0]), "UPDATE") || !strings.Contains(q[0], "machines") {
			t.Errorf("soft delete of a drill: want 1 UPDATE of machines:\n%s", strings.Join(q, "\n"))
		}
		s2 := db.Session()
		defer s2.Close(ctx)
		ds, err := orm.All[Drill](ctx, s2, orm.Select[Drill](db))
		must(t, err)
		ms, err := orm.All[Machine](ctx, s2, orm.Select[Machine](db))
		must(t, err)
		if len(ds) != 1 || *ds[0].Torque != 9 || len(ms) != 1 {
			t.Errorf("after a soft delete: %d drills, %d machines", len(ds), len(ms))
		}
		c.reset()
		must(t, s2.HardDelete(ds[0]))
		must(t, s2.Commit(ctx))
		if q := c.queries(); len(q) != 2 || !strings.Contains(q[0], "drills") || !strings.Contains(q[1], "machines") || !strings.HasPrefix(strings.ToUpper(q[1]), "DELETE") {
			t.Errorf("hard delete of a drill: want 2 DELETEs, drills then machines:\n%s", strings.Join(q, "\n"))
		}
	})
}
