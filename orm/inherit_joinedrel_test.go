package orm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// Relationships that join on a column of a joined sub-model's own table
// (lorries.driver_id): the many-to-one Lorry.driver and its reverse, the
// collection Driver.lorries of the sub-model (and of its single-table
// sub-model Tipper, which shares lorries).
func TestInheritJoinedSubTableRelationships(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		c := &counter{}
		eng, err := dlayer.Open(ctx, "inheritdata/joinedrel", fresh.URL(t, name, "dl_orm_inhjr2"), engine.WithTracer(engine.TracerFunc(c.trace)))
		must(t, err)
		defer eng.Close()
		must(t, eng.CreateAll(ctx))
		db, err := orm.New(eng, orm.Bind[Driver]("Driver"), orm.Bind[Car]("Car"), orm.Bind[Lorry]("Lorry"), orm.Bind[Tipper]("Tipper"), orm.Bind[Route]("Route"))
		must(t, err)
		s := db.Session()
		defer s.Close(ctx)
		ann, bob := &Driver{Name: "ann"}, &Driver{Name: "bob"}
		car := &Car{}
		must(t, s.AddAll(ann, bob, car))
		must(t, s.Flush(ctx))

		// A new sub-model object with its many-to-one set: the root
		// row, then the sub-table row with the foreign key.
		c.reset()
		l := &Lorry{Driver: ann}
		must(t, s.Add(l))
		must(t, s.Flush(ctx))
		q := c.queries()
		if len(q) != 2 || !strings.HasPrefix(strings.ToUpper(q[0]), "INSERT") || !strings.Contains(q[0], "cars") ||
			!strings.HasPrefix(strings.ToUpper(q[1]), "INSERT") || !strings.Contains(q[1], "lorries") {
			t.Errorf("flush of a lorry with its driver: want INSERT cars then INSERT lorries:\n%s", strings.Join(q, "\n"))
		}
		if l.DriverID == nil || *l.DriverID != ann.ID || l.Kind != "lorry" {
			t.Fatalf("lorry after flush: driver id %v, kind %q, want %d", l.DriverID, l.Kind, ann.ID)
		}
		// A new driver's collection fills the foreign key of its
		// sub-model children (a Tipper is a Lorry).
		tip := &Tipper{Tilt: i64p(30)}
		cid := &Driver{Name: "cid", Lorries: []*Lorry{&tip.Lorry}}
		must(t, s.AddAll(tip, cid))
		must(t, s.Commit(ctx))
		if tip.DriverID == nil || *tip.DriverID != cid.ID || tip.Kind != "tipper" {
			t.Fatalf("tipper after flush: driver id %v, kind %q, want %d", tip.DriverID, tip.Kind, cid.ID)
		}

		// Moving the lorry to another driver: one UPDATE of lorries.
		s2 := db.Session()
		defer s2.Close(ctx)
		g, err := orm.Get[Lorry](ctx, s2, l.ID)
		must(t, err)
		b2, err := orm.Get[Driver](ctx, s2, bob.ID)
		must(t, err)
		c.reset()
		g.Driver = b2
		must(t, s2.Commit(ctx))
		q = c.queries()
		if len(q) != 1 || !strings.HasPrefix(strings.ToUpper(q[0]), "UPDATE") || !strings.Contains(q[0], "lorries") {
			t.Errorf("moving a lorry: want 1 UPDATE of lorries:\n%s", strings.Join(q, "\n"))
		}
		lt := eng.Schema().Table("lorries")
		r, err := eng.Query(ctx, stmt.Select(stmt.Ref(lt).Col(lt.Column("driver_id"))).Where(stmt.Ref(lt).Col(lt.Column("id")).Eq(l.ID)))
		must(t, err)
		var dbDriver int64
		if !r.Next() {
			t.Fatal("no lorries row")
		}
		must(t, r.Scan(&dbDriver))
		r.Close()
		if dbDriver != bob.ID {
			t.Errorf("lorries.driver_id = %d, want %d", dbDriver, bob.ID)
		}

		byID := orm.TableOf[Driver](db).C("id").Asc()
		tests := []struct {
			name string
			run  func(t *testing.T, s *orm.Session)
		}{
			{"select-in of the collection on the sub-table column", func(t *testing.T, s *orm.Session) {
				ds, err := orm.All[Driver](ctx, s, orm.Select[Driver](db).OrderBy(byID), orm.SelectIn("lorries"))
				must(t, err)
				if len(ds) != 3 || len(ds[0].Lorries) != 0 || len(ds[1].Lorries) != 1 || ds[1].Lorries[0].ID != l.ID ||
					len(ds[2].Lorries) != 1 || s.ModelOf(ds[2].Lorries[0]) != "Tipper" {
					t.Fatalf("drivers' lorries: %d drivers", len(ds))
				}
				if x, ok := orm.As[Tipper](s, ds[2].Lorries[0]); !ok || x.Tilt == nil || *x.Tilt != 30 || x.Driver != ds[2] {
					t.Errorf("the tipper: %+v %v", x, ok)
				}
				if ds[1].Lorries[0].Driver != ds[1] {
					t.Error("the lorry's driver is not its loader (back_populates)")
				}
			}},
			{"select-in of the many-to-one from the sub-model", func(t *testing.T, s *orm.Session) {
				ls, err := orm.All[Lorry](ctx, s, orm.Select[Lorry](db).OrderBy(orm.TableOf[Lorry](db).C("id").Asc()), orm.SelectIn("driver"))
				must(t, err)
				if len(ls) != 2 || ls[0].Driver == nil || ls[0].Driver.Name != "bob" || ls[1].Driver == nil || ls[1].Driver.Name != "cid" {
					t.Fatalf("lorries' drivers: %d lorries", len(ls))
				}
			}},
			{"joined loading of the many-to-one falls back to select-in", func(t *testing.T, s *orm.Session) {
				ls, err := orm.All[Lorry](ctx, s, orm.Select[Lorry](db).OrderBy(orm.TableOf[Lorry](db).C("id").Asc()), orm.Joined("driver"))
				must(t, err)
				if len(ls) != 2 || ls[0].Driver == nil || ls[0].Driver.Name != "bob" {
					t.Fatalf("lorries' drivers: %d lorries", len(ls))
				}
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				s := db.Session()
				defer s.Close(ctx)
				c.reset()
				tc.run(t, s)
				if n := len(c.queries()); n != 2 {
					t.Errorf("%d statements, want 2:\n%s", n, strings.Join(c.queries(), "\n"))
				}
			})
		}

		// Limit per parent is refused on such a relationship, clearly.
		sl := db.Session()
		defer sl.Close(ctx)
		if _, err := orm.All[Driver](ctx, sl, orm.Select[Driver](db), orm.SelectIn("lorries", orm.Limit(1))); err == nil ||
			!strings.Contains(err.Error(), "orm.Limit is not supported") {
			t.Errorf("SelectIn with Limit on Driver.lorries: %v, want a clear error", err)
		}

		// A many-to-many whose association table references the
		// sub-table's key: one INSERT per link, select-in both ways.
		s4 := db.Session()
		defer s4.Close(ctx)
		gt, err := orm.Get[Tipper](ctx, s4, tip.ID)
		must(t, err)
		gl4, err := orm.Get[Lorry](ctx, s4, l.ID)
		must(t, err)
		north := &Route{Name: "north", Lorries: []*Lorry{&gt.Lorry, gl4}}
		must(t, s4.Add(north))
		c.reset()
		must(t, s4.Commit(ctx))
		if q := c.queries(); len(q) != 2 || !strings.Contains(q[0], "routes") || !strings.Contains(q[1], "lorry_routes") {
			t.Errorf("flush of a route with 2 lorries: want INSERT routes, INSERT lorry_routes:\n%s", strings.Join(q, "\n"))
		}
		s5 := db.Session()
		defer s5.Close(ctx)
		c.reset()
		rs, err := orm.All[Route](ctx, s5, orm.Select[Route](db), orm.SelectIn("lorries"))
		must(t, err)
		if len(rs) != 1 || len(rs[0].Lorries) != 2 || rs[0].Lorries[0].ID != l.ID || s5.ModelOf(rs[0].Lorries[1]) != "Tipper" || len(c.queries()) != 2 {
			t.Errorf("routes with their lorries: %d routes, %d statements", len(rs), len(c.queries()))
		}
		s6 := db.Session()
		defer s6.Close(ctx)
		c.reset()
		ls, err := orm.All[Lorry](ctx, s6, orm.Select[Lorry](db), orm.SelectIn("routes"))
		must(t, err)
		if len(ls) != 2 || len(ls[0].Routes) != 1 || ls[0].Routes[0].Name != "north" || len(ls[1].Routes) != 1 || len(c.queries()) != 2 {
			t.Errorf("lorries with their routes: %d lorries, %d statements:\n%s", len(ls), len(c.queries()), strings.Join(c.queries(), "\n"))
		}

		// Lazy loads of both directions: one statement each.
		s3 := db.Session()
		defer s3.Close(ctx)
		gl, err := orm.Get[Lorry](ctx, s3, l.ID)
		must(t, err)
		gd, err := orm.Get[Driver](ctx, s3, cid.ID)
		must(t, err)
		c.reset()
		must(t, s3.Load(ctx, gl, "driver"))
		must(t, s3.Load(ctx, gd, "lorries"))
		if n := len(c.queries()); n != 2 || gl.Driver == nil || gl.Driver.ID != bob.ID || len(gd.Lorries) != 1 || gd.Lorries[0].ID != tip.ID {
			t.Errorf("lazy loads: %d statements, driver %+v, %d lorries", n, gl.Driver, len(gd.Lorries))
		}

		// Clearing the reference NULLs the key: one UPDATE of lorries.
		c.reset()
		gl.Driver = nil
		must(t, s3.Commit(ctx))
		if q := c.queries(); len(q) != 1 || !strings.Contains(q[0], "lorries") || gl.DriverID != nil {
			t.Errorf("clearing the driver: want 1 UPDATE of lorries:\n%s", strings.Join(q, "\n"))
		}
	})
}

// A joined-table hierarchy with no bound Go types loads and writes as
// dynamic Objects: a Lorry Object holds the columns of cars and lorries,
// its many-to-one over lorries.driver_id works both ways, and the
// statement counts are a bound hierarchy's.
func TestInheritJoinedDynamic(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		c := &counter{}
		eng, err := dlayer.Open(ctx, "inheritdata/joinedrel", fresh.URL(t, name, "dl_orm_inhjd"), engine.WithTracer(engine.TracerFunc(c.trace)))
		must(t, err)
		defer eng.Close()
		must(t, eng.CreateAll(ctx))
		db, err := orm.New(eng)
		must(t, err)
		s := db.Session()
		defer s.Close(ctx)
		ann, err := s.New("Driver")
		must(t, err)
		must(t, ann.Set("name", "ann"))
		bob, err := s.New("Driver")
		must(t, err)
		must(t, bob.Set("name", "bob"))
		must(t, s.Flush(ctx))
		c.reset()
		tip, err := s.New("Tipper")
		must(t, err)
		must(t, tip.Set("tilt", 30))
		must(t, tip.SetOne("driver", ann))
		if err := tip.Set("payload", 1); err == nil || !strings.Contains(err.Error(), "tilt") {
			t.Errorf("Set of an unknown column: %v, want an error listing the columns", err)
		}
		must(t, s.Flush(ctx))
		q := c.queries()
		if len(q) != 2 || !strings.Contains(q[0], "cars") || !strings.Contains(q[1], "lorries") {
			t.Errorf("flush of a tipper with its driver: want INSERT cars then INSERT lorries:\n%s", strings.Join(q, "\n"))
		}
		if tip.Get("kind") != "tipper" || tip.Get("driver_id") != ann.Get("id") || tip.Values()["tilt"] != int64(30) {
			t.Fatalf("tipper after flush: %v", tip.Values())
		}
		c.reset()
		must(t, tip.SetOne("driver", bob))
		must(t, s.Commit(ctx))
		if q := c.queries(); len(q) != 1 || !strings.HasPrefix(strings.ToUpper(q[0]), "UPDATE") || !strings.Contains(q[0], "lorries") {
			t.Errorf("moving the tipper: want 1 UPDATE of lorries:\n%s", strings.Join(q, "\n"))
		}

		s2 := db.Session()
		defer s2.Close(ctx)
		c.reset()
		cars, err := s2.AllObjects(ctx, "Car", stmt.Select(stmt.TableOf(eng.Schema(), "cars")), orm.SelectIn("driver"))
		if err == nil {
			t.Errorf("SelectIn(driver) on the base Car: want an error (Car has no relationship driver), got %d objects", len(cars))
		}
		c.reset()
		ds, err := s2.AllObjects(ctx, "Driver", stmt.Select(stmt.TableOf(eng.Schema(), "drivers")).OrderBy(stmt.TableOf(eng.Schema(), "drivers").C("id").Asc()), orm.SelectIn("lorries"))
		must(t, err)
		if n := len(c.queries()); n != 2 {
			t.Errorf("drivers with their lorries: %d statements, want 2:\n%s", n, strings.Join(c.queries(), "\n"))
		}
		if len(ds) != 2 || len(ds[0].Many("lorries")) != 0 || len(ds[1].Many("lorries")) != 1 {
			t.Fatalf("drivers' lorries: %d drivers", len(ds))
		}
		got := ds[1].Many("lorries")[0]
		if got.Model() != "Tipper" || got.Get("tilt") != int64(30) || got.Get("kind") != "tipper" || got.One("driver") != ds[1] {
			t.Errorf("the tipper: %s %v", got.Model(), got.Values())
		}
		c.reset()
		o, err := s2.GetObject(ctx, "Car", tip.Get("id"))
		must(t, err)
		if o != got || len(c.queries()) != 0 {
			t.Errorf("GetObject of a loaded tipper: %v, %d statements", o.Values(), len(c.queries()))
		}
		// A polymorphic query on the base: one statement, each row an
		// Object of its discriminator's model with its sub-table columns.
		car, err := s2.New("Car")
		must(t, err)
		must(t, s2.Commit(ctx))
		s3 := db.Session()
		defer s3.Close(ctx)
		c.reset()
		cars, err = s3.AllObjects(ctx, "Car", stmt.Select(stmt.TableOf(eng.Schema(), "cars")).OrderBy(stmt.TableOf(eng.Schema(), "cars").C("id").Asc()))
		must(t, err)
		if len(cars) != 2 || len(c.queries()) != 1 || cars[0].Model() != "Tipper" || cars[0].Get("tilt") != int64(30) ||
			cars[0].Get("driver_id") != bob.Get("id") || cars[1].Model() != "Car" || cars[1].Get("id") != car.Get("id") {
			t.Errorf("AllObjects(Car): %d objects, %d statements", len(cars), len(c.queries()))
		}
		// Delete: its association rows (Lorry.routes, keyed by the
		// sub-table's key), the sub-table row, then the root's.
		c.reset()
		must(t, s2.Delete(got))
		must(t, s2.Commit(ctx))
		q = c.queries()
		if len(q) != 3 || !strings.Contains(q[0], "lorry_routes") || !strings.Contains(q[1], "lorries") || !strings.Contains(q[2], "cars") {
			t.Errorf("delete of the tipper: want DELETE lorry_routes, DELETE lorries, DELETE cars:\n%s", strings.Join(q, "\n"))
		}
	})
}
