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

type Vehicle struct {
	ID     int64
	Kind   string
	Wheels *int64
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
	db, err := orm.New(eng, orm.Bind[Vehicle]("Vehicle"), orm.Bind[Truck]("Truck"), orm.Bind[Van]("Van"))
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
	})
}
