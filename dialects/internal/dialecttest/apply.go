package dialecttest

import (
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/loader"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// Apply runs the DDL of Schema() and HostileSchema() on a real database
// through exec, has the database prepare every statement of Cases (those
// the dialect supports) through prepare, and drops everything again: the
// generated SQL must be accepted, not just look right.
//
// Between creating and dropping it fills the departments ⇄ employees cycle
// with rows that reference each other, so DropAll must break the cycle.
func Apply(t *testing.T, d dialects.Dialect, exec func(sql string, args ...any) error, prepare func(name, sql string) error) {
	s := Schema()
	run := func(what string, stmts []string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for _, q := range stmts {
			if err := exec(q); err != nil {
				t.Fatalf("%s: %v\n%s", what, err, q)
			}
		}
	}
	create, err := dialects.CreateAllSQL(d, s)
	run("create all", create, err)
	dept, emp := stmt.TableOf(s, "Department"), stmt.TableOf(s, "Employee")
	for _, st := range []stmt.Statement{
		stmt.Insert(dept).Columns("id", "name").Values(1, "R&D"),
		stmt.Insert(emp).Columns("id", "department_id", "badge").Values(1, 1, "b-1"),
		stmt.Update(dept).Set("head_id", 1).Where(dept.C("id").Eq(1)),
	} {
		c, err := d.Compile(st)
		if err != nil {
			t.Fatal(err)
		}
		if err := exec(c.SQL, c.Args...); err != nil {
			t.Fatalf("%v\n%s", err, c.SQL)
		}
	}
	for _, c := range Cases(s) {
		if strings.HasPrefix(c.Name, "err_") || strings.HasPrefix(c.Name, "text_") {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			comp, err := d.Compile(c.Stmt)
			if errors.Is(err, dialects.ErrUnsupported) {
				t.Skipf("%s: %v", d.Name(), err)
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := prepare(c.Name, comp.SQL); err != nil {
				t.Errorf("%v\n%s", err, comp.SQL)
			}
		})
	}
	drop, err := dialects.DropAllSQL(d, s)
	run("drop all", drop, err)

	h := HostileSchema()
	create, err = dialects.CreateAllSQL(d, h)
	run("create all (hostile)", create, err)
	drop, err = dialects.DropAllSQL(d, h)
	run("drop all (hostile)", drop, err)
}

// BlogSchema loads the models of examples/blog (the project's own example,
// whose DDL must apply cleanly to every database).
func BlogSchema(t *testing.T) *spec.Schema {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "examples", "blog", "models")
	s, diags := loader.LoadDir(dir)
	if diags.HasErrors() {
		t.Fatalf("load %s: %v", dir, diags)
	}
	return s
}

// ApplySchema creates s with CreateAllSQL and drops it with DropAllSQL
// through exec.
func ApplySchema(t *testing.T, d dialects.Dialect, s *spec.Schema, exec func(sql string, args ...any) error) {
	t.Helper()
	for _, f := range []func(dialects.Dialect, *spec.Schema) ([]string, error){dialects.CreateAllSQL, dialects.DropAllSQL} {
		stmts, err := f(d, s)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range stmts {
			if err := exec(q); err != nil {
				t.Fatalf("%v\n%s", err, q)
			}
		}
	}
}
