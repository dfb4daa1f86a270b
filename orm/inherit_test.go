package orm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// The single-table hierarchy of inheritdata/single: a sub-model's struct
// embeds its parent's struct as its first field.
type Department struct {
	ID        int64
	Name      string
	Employees []*Employee
	Managers  []*Manager
}

type Employee struct {
	ID           int64
	Name         string
	Kind         string
	DepartmentID *int64
	Department   *Department
}

type Engineer struct {
	Employee
	Language *string
	BossID   *int64
}

type Manager struct {
	Employee
	Budget  *int64
	Reports []*Engineer
}

type Director struct {
	Manager
	Office *string
}

type Contractor struct {
	Engineer
	Agency *string
}

func inheritBinds() []orm.Option {
	return []orm.Option{orm.Bind[Department]("Department"), orm.Bind[Employee]("Employee"), orm.Bind[Engineer]("Engineer"),
		orm.Bind[Manager]("Manager"), orm.Bind[Director]("Director"), orm.Bind[Contractor]("Contractor")}
}

func setupInherit(t *testing.T, name string, opts ...orm.Option) (*engine.Engine, *orm.DB, *counter) {
	t.Helper()
	ctx := context.Background()
	c := &counter{}
	eng, err := dlayer.Open(ctx, "inheritdata/single", fresh.URL(t, name, "dl_orm_inh"), engine.WithTracer(engine.TracerFunc(c.trace)))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { eng.Close() })
	must(t, eng.CreateAll(ctx))
	db, err := orm.New(eng, opts...)
	if err != nil {
		t.Fatalf("orm.New: %v", err)
	}
	c.reset()
	return eng, db, c
}

func strp(s string) *string { return &s }
func i64p(i int64) *int64   { return &i }

// seedInherit stores one department with one object of each model; it
// returns their ids in the order employee, engineer, manager, director,
// contractor.
func seedInherit(t *testing.T, db *orm.DB, c *counter) (int64, []int64) {
	t.Helper()
	ctx := context.Background()
	s := db.Session()
	defer s.Close(ctx)
	d := &Department{Name: "R&D"}
	must(t, s.Add(d))
	must(t, s.Flush(ctx))
	boss := &Manager{Employee: Employee{Name: "Mia", DepartmentID: &d.ID}, Budget: i64p(100)}
	must(t, s.Add(boss))
	must(t, s.Flush(ctx))
	c.reset()
	emp := &Employee{Name: "Eve", DepartmentID: &d.ID, Kind: "wrong: the flush sets it"}
	eng := &Engineer{Employee: Employee{Name: "Ed", DepartmentID: &d.ID}, Language: strp("Go"), BossID: &boss.ID}
	dir := &Director{Manager: Manager{Employee: Employee{Name: "Dora", DepartmentID: &d.ID}, Budget: i64p(900)}, Office: strp("7F")}
	con := &Contractor{Engineer: Engineer{Employee: Employee{Name: "Cy"}, Language: strp("Rust"), BossID: &boss.ID}, Agency: strp("Acme")}
	must(t, s.AddAll(emp, eng, dir, con))
	must(t, s.Commit(ctx))
	// One INSERT per model (each a different column set).
	if got := len(c.queries()); got != 4 {
		t.Errorf("flush of 4 objects of 4 sub-models: %d statements, want 4:\n%s", got, strings.Join(c.queries(), "\n"))
	}
	return d.ID, []int64{emp.ID, eng.ID, boss.ID, dir.ID, con.ID}
}

func TestInheritSingleTable(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		eng, db, c := setupInherit(t, name, inheritBinds()...)
		dept, ids := seedInherit(t, db, c)
		// The discriminator is set by the unit of work.
		e := db.Table("Employee")
		rows, err := engine.All[struct {
			ID   int64
			Kind string
		}](ctx, eng, stmt.Select(e.C("id"), e.C("kind")).OrderBy(e.C("name").Asc()))
		must(t, err)
		var kinds []string
		for _, r := range rows {
			kinds = append(kinds, r.Kind)
		}
		if got := strings.Join(kinds, ","); got != "contractor,director,engineer,employee,manager" {
			t.Errorf("discriminators = %s", got)
		}

		t.Run("base query returns sub-model objects in one statement", func(t *testing.T) {
			s := db.Session()
			defer s.Close(ctx)
			c.reset()
			all, err := orm.All[Employee](ctx, s, orm.Select[Employee](db).OrderBy(orm.TableOf[Employee](db).C("name").Asc()))
			must(t, err)
			if n := len(c.queries()); n != 1 {
				t.Errorf("%d statements, want 1", n)
			}
			var models []string
			for _, x := range all {
				models = append(models, s.ModelOf(x))
			}
			if got := strings.Join(models, ","); got != "Contractor,Director,Engineer,Employee,Manager" {
				t.Fatalf("models = %s", got)
			}
			en, ok := orm.As[Engineer](s, all[2])
			if !ok || *en.Language != "Go" || en.Name != "Ed" || *en.BossID != ids[2] {
				t.Errorf("engineer = %+v, %v", en, ok)
			}
			d, ok := orm.As[Director](s, all[1])
			if !ok || *d.Office != "7F" || *d.Budget != 900 {
				t.Errorf("director = %+v, %v", d, ok)
			}
			if m, ok := orm.As[Manager](s, all[1]); !ok || m.Name != "Dora" {
				t.Error("a Director is a Manager")
			}
			if _, ok := orm.As[Manager](s, all[2]); ok {
				t.Error("an Engineer is not a Manager")
			}
			if co, ok := orm.As[Engineer](s, all[0]); !ok || *co.Language != "Rust" {
				t.Error("a Contractor is an Engineer")
			}
			if all[3].Kind != "employee" {
				t.Errorf("the flush did not set the base's discriminator: %q", all[3].Kind)
			}
			// Get on the base finds the sub-model object in the identity map.
			c.reset()
			g, err := orm.Get[Employee](ctx, s, ids[1])
			must(t, err)
			if g != all[2] || len(c.queries()) != 0 {
				t.Errorf("Get[Employee] of an engineer: %p vs %p, %d statements", g, all[2], len(c.queries()))
			}
		})

		t.Run("sub-model query filters to its identities", func(t *testing.T) {
			s := db.Session()
			defer s.Close(ctx)
			c.reset()
			ms, err := orm.All[Manager](ctx, s, orm.Select[Manager](db).OrderBy(orm.TableOf[Manager](db).C("id").Asc()))
			must(t, err)
			if len(ms) != 2 || ms[0].Name != "Mia" || ms[1].Name != "Dora" || s.ModelOf(ms[1]) != "Director" {
				t.Fatalf("managers = %d", len(ms))
			}
			if q := c.queries(); len(q) != 1 || !strings.Contains(q[0], "IN") {
				t.Errorf("statements: %q", q)
			}
			engs, err := orm.All[Engineer](ctx, s, orm.Select[Engineer](db))
			must(t, err)
			if len(engs) != 2 {
				t.Errorf("engineers = %d, want 2 (engineer and contractor)", len(engs))
			}
			cons, err := orm.All[Contractor](ctx, s, orm.Select[Contractor](db))
			must(t, err)
			if len(cons) != 1 || *cons[0].Agency != "Acme" {
				t.Errorf("contractors = %d", len(cons))
			}
			if _, err := orm.Get[Manager](ctx, s, ids[1]); !errors.Is(err, orm.ErrNotFound) {
				t.Errorf("Get[Manager] of an engineer: %v, want ErrNotFound", err)
			}
			if _, err := orm.Get[Director](ctx, s, ids[3]); err != nil {
				t.Error(err)
			}
		})

		t.Run("relationships to a base and to a sub-model", func(t *testing.T) {
			s := db.Session()
			defer s.Close(ctx)
			c.reset()
			d, err := orm.One[Department](ctx, s, orm.Select[Department](db), orm.SelectIn("employees"), orm.SelectIn("managers"))
			must(t, err)
			if n := len(c.queries()); n != 3 {
				t.Errorf("department with employees and managers: %d statements, want 3", n)
			}
			if d.ID != dept || len(d.Employees) != 4 || len(d.Managers) != 2 {
				t.Fatalf("employees %d, managers %d", len(d.Employees), len(d.Managers))
			}
			if s.ModelOf(d.Employees[0]) != "Manager" || d.Employees[0] != &d.Managers[0].Employee {
				t.Error("Department.employees and .managers must share the Manager object")
			}
			if d.Employees[1].Department != d {
				t.Error("back-populated department missing")
			}
			// A sub-model's own relationship, loaded lazily.
			boss := d.Managers[0]
			must(t, s.Load(ctx, boss, "reports"))
			if len(boss.Reports) != 2 || *boss.Reports[1].Language != "Rust" || s.ModelOf(boss.Reports[1]) != "Contractor" {
				t.Errorf("reports = %d", len(boss.Reports))
			}
			// A sub-model's relationship eager-loaded for a mix of Managers
			// and Directors, and a nested path through a polymorphic
			// collection.
			s3 := db.Session()
			defer s3.Close(ctx)
			c.reset()
			ms, err := orm.All[Manager](ctx, s3, orm.Select[Manager](db).OrderBy(orm.TableOf[Manager](db).C("id").Asc()), orm.SelectIn("reports"))
			must(t, err)
			if len(ms) != 2 || len(ms[0].Reports) != 2 || len(ms[1].Reports) != 0 || len(c.queries()) != 2 {
				t.Errorf("managers with reports: %d managers, %d statements", len(ms), len(c.queries()))
			}
			s4 := db.Session()
			defer s4.Close(ctx)
			c.reset()
			ds, err := orm.All[Department](ctx, s4, orm.Select[Department](db), orm.SelectIn("employees.department"))
			must(t, err)
			if len(ds) != 1 || len(ds[0].Employees) != 4 || ds[0].Employees[3].Department != ds[0] || len(c.queries()) > 3 {
				t.Errorf("nested path: %d statements", len(c.queries()))
			}
			// Joined loading of a polymorphic target falls back to select-in.
			s2 := db.Session()
			defer s2.Close(ctx)
			c.reset()
			d2, err := orm.One[Department](ctx, s2, orm.Select[Department](db), orm.Joined("employees"))
			must(t, err)
			if len(d2.Employees) != 4 || len(c.queries()) != 2 {
				t.Errorf("joined employees: %d, %d statements", len(d2.Employees), len(c.queries()))
			}
		})

		t.Run("update and delete of sub-model objects", func(t *testing.T) {
			s := db.Session()
			defer s.Close(ctx)
			all, err := orm.All[Employee](ctx, s, orm.Select[Employee](db))
			must(t, err)
			var en *Engineer
			var dir *Director
			for _, x := range all {
				if v, ok := orm.As[Engineer](s, x); ok && s.ModelOf(x) == "Engineer" {
					en = v
				}
				if v, ok := orm.As[Director](s, x); ok {
					dir = v
				}
			}
			en.Language = strp("Zig")
			must(t, s.Delete(dir))
			c.reset()
			must(t, s.Commit(ctx))
			// The director's reports are loaded to clear their boss_id (the
			// relationship has no passive_deletes), then UPDATE and DELETE.
			q := strings.Join(c.queries(), "\n")
			// (PostgreSQL may send the UPDATE and the DELETE as one batch.)
			if len(c.queries()) > 3 || strings.Count(q, "UPDATE") != 1 || strings.Count(q, "DELETE") != 1 {
				t.Errorf("update + delete: %s", q)
			}
			s2 := db.Session()
			defer s2.Close(ctx)
			got, err := orm.Get[Engineer](ctx, s2, en.ID)
			must(t, err)
			if *got.Language != "Zig" {
				t.Errorf("language = %s", *got.Language)
			}
			if _, err := orm.Get[Employee](ctx, s2, dir.ID); !errors.Is(err, orm.ErrNotFound) {
				t.Errorf("deleted director: %v", err)
			}
		})

		t.Run("stream", func(t *testing.T) {
			s := db.Session()
			defer s.Close(ctx)
			for _, err := range orm.Stream[Employee](ctx, s, orm.Select[Employee](db), false) {
				if err == nil || !strings.Contains(err.Error(), "sub-models") {
					t.Errorf("stream of a base: %v", err)
				}
				break
			}
			n := 0
			for c, err := range orm.Stream[Contractor](ctx, s, orm.Select[Contractor](db), false) {
				must(t, err)
				if *c.Agency != "Acme" {
					t.Error("contractor agency")
				}
				n++
			}
			if n != 1 {
				t.Errorf("streamed %d contractors", n)
			}
		})
	})
}

func TestInheritDynamicObjects(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		_, db, c := setupInherit(t, name)
		s := db.Session()
		defer s.Close(ctx)
		d, err := s.New("Department")
		must(t, err)
		must(t, d.Set("name", "Ops"))
		mk := func(model, nm string, col string, v any) *orm.Object {
			o, err := s.New(model)
			must(t, err)
			must(t, o.Set("name", nm))
			if col != "" {
				must(t, o.Set(col, v))
			}
			must(t, d.Append("employees", o))
			return o
		}
		mk("Employee", "Al", "", nil)
		mk("Engineer", "Bo", "language", "C")
		m := mk("Manager", "Cat", "budget", int64(5))
		if err := m.Set("language", "Go"); err == nil || !strings.Contains(err.Error(), "Engineer") {
			t.Errorf("setting an Engineer column on a Manager: %v", err)
		}
		must(t, s.Add(d))
		must(t, s.Commit(ctx))
		c.reset()
		s2 := db.Session()
		defer s2.Close(ctx)
		all, err := s2.AllObjects(ctx, "Employee", stmt.Select(db.Table("Employee")).OrderBy(db.Table("Employee").C("id").Asc()))
		must(t, err)
		if len(c.queries()) != 1 {
			t.Errorf("%d statements", len(c.queries()))
		}
		var got []string
		for _, o := range all {
			got = append(got, o.Model()+":"+o.Get("kind").(string))
		}
		if strings.Join(got, ",") != "Employee:employee,Engineer:engineer,Manager:manager" {
			t.Errorf("objects = %v", got)
		}
		if all[1].Get("language") != "C" {
			t.Errorf("language = %v", all[1].Get("language"))
		}
		ms, err := s2.AllObjects(ctx, "Manager", stmt.Select(db.Table("Manager")))
		must(t, err)
		if len(ms) != 1 || ms[0] != all[2] {
			t.Errorf("managers = %d", len(ms))
		}
	})
}

func TestInheritBindErrors(t *testing.T) {
	type Loose struct {
		ID           int64
		Name         string
		Kind         string
		DepartmentID *int64
		Language     *string
		BossID       *int64
	}
	type Wrong struct {
		Employee
		Language *string
		BossID   *int64
		Budget   *int64 // a Manager column
	}
	cases := []struct {
		name string
		opts []orm.Option
		want string
	}{
		{"sub struct does not embed the parent", []orm.Option{orm.Bind[Employee]("Employee"), orm.Bind[Department]("Department"), orm.Bind[Loose]("Engineer")}, "must embed"},
		{"sibling column field", []orm.Option{orm.Bind[Employee]("Employee"), orm.Bind[Department]("Department"), orm.Bind[Wrong]("Engineer")}, "Budget matches no column"},
		{"parent unbound", []orm.Option{orm.Bind[Engineer]("Engineer")}, "bind both"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eng, err := dlayer.Open(context.Background(), "inheritdata/single", "sqlite::memory:")
			must(t, err)
			defer eng.Close()
			_, err = orm.New(eng, tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("orm.New: %v, want %q", err, tc.want)
			}
		})
	}
}
