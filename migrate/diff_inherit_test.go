package migrate_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/migrate"
)

const inheritBase = `
models:
  Employee:
    table: employees
    polymorphic_on: kind
    polymorphic_identity: employee
    columns:
      id: {type: integer, primary_key: true}
      kind: {type: string, length: 20}
`

// TestDiffSingleTableInheritance checks that a sub-model is a change to
// its root's table: adding one adds its (nullable) columns, removing it
// drops them.
func TestDiffSingleTableInheritance(t *testing.T) {
	withSub := inheritBase + `
  Engineer:
    inherits: Employee
    polymorphic_identity: engineer
    columns:
      language: {type: string, length: 50}
      mentor_id: {type: integer, foreign_key: employees.id}
`
	from, to := load(t, inheritBase), load(t, withSub)
	if c := to.Table("employees").Column("language"); c == nil || !c.Nullable {
		t.Fatal("the sub-model's column must be a nullable column of employees")
	}
	plan, err := migrate.Diff(from, to, migrate.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var up, down []string
	for _, c := range plan.Up {
		up = append(up, migrate.Describe(c))
	}
	for _, c := range plan.Down {
		down = append(down, migrate.Describe(c))
	}
	joined := strings.Join(up, "\n")
	for _, want := range []string{"add column employees.language", "add column employees.mentor_id"} {
		if !slices.Contains(up, want) {
			t.Errorf("up lacks %q:\n%s", want, joined)
		}
	}
	if !strings.Contains(joined, "foreign key") {
		t.Errorf("up lacks the sub-model column's foreign key:\n%s", joined)
	}
	if len(plan.Destructive()) != 0 {
		t.Errorf("adding a sub-model is destructive: %v", plan.Destructive())
	}
	if !slices.Contains(down, "drop column employees.language") {
		t.Errorf("down = %q", down)
	}
	// No change when nothing changed.
	same, err := migrate.Diff(to, load(t, withSub), migrate.DiffOptions{})
	if err != nil || len(same.Up) != 0 {
		t.Errorf("no-op diff: %v, %d changes", err, len(same.Up))
	}
}

// TestDiffJoinedTableInheritance: a joined-table sub-model is a new table
// whose primary key references its parent's.
func TestDiffJoinedTableInheritance(t *testing.T) {
	joined := inheritBase + `
  Engineer:
    inherits: Employee
    polymorphic_identity: engineer
    table: engineers
    columns:
      id: {type: integer, primary_key: true, foreign_key: employees.id}
      language: {type: string, length: 50}
`
	to := load(t, joined)
	if !to.Model("Engineer").Joined() {
		t.Fatal("Engineer must be a joined-table sub-model")
	}
	plan, err := migrate.Diff(load(t, inheritBase), to, migrate.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var up []string
	for _, c := range plan.Up {
		up = append(up, migrate.Describe(c))
	}
	if !slices.Contains(up, "create table engineers") {
		t.Errorf("up = %q", up)
	}
	fk := to.Table("engineers").Column("id").ForeignKey
	if fk == nil || fk.RefTable != to.Table("employees") {
		t.Error("the joined table's key must reference the parent's")
	}
}
