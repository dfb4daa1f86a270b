package loader

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestSingleTableInheritance(t *testing.T) {
	s := mustLoad(t, "../orm/inheritdata/single")
	emp, eng, mgr, dir, con := s.Model("Employee"), s.Model("Engineer"), s.Model("Manager"), s.Model("Director"), s.Model("Contractor")
	tbl := s.Table("employees")
	if eng.Table != tbl || dir.Table != tbl || tbl.Model != emp {
		t.Fatal("sub-models must share the root's table")
	}
	if got := strings.Join(names(tbl.Columns), ","); got != "id,name,kind,department_id,language,boss_id,budget,office,agency" {
		t.Errorf("columns = %s", got)
	}
	for _, c := range []string{"language", "budget", "office", "agency", "boss_id"} {
		if !tbl.Column(c).Nullable || tbl.Column(c).SubModel == nil {
			t.Errorf("column %s: nullable %v, owned by %v", c, tbl.Column(c).Nullable, tbl.Column(c).SubModel)
		}
	}
	if dir.Inherits != mgr || mgr.Inherits != emp || dir.Root() != emp || emp.PolymorphicOn != tbl.Column("kind") || dir.PolymorphicOn != emp.PolymorphicOn {
		t.Error("hierarchy links wrong")
	}
	if got := strings.Join(emp.Identities(), ","); got != "employee,engineer,contractor,manager,director" {
		t.Errorf("identities = %s", got)
	}
	if got := strings.Join(mgr.Identities(), ","); got != "manager,director" {
		t.Errorf("manager identities = %s", got)
	}
	if !dir.Owns(tbl.Column("budget")) || dir.Owns(tbl.Column("language")) || emp.Owns(tbl.Column("office")) || !con.Owns(tbl.Column("language")) {
		t.Error("Owns wrong")
	}
	// Relationships: inherited first, then the sub-model's own.
	var rels []string
	for _, r := range dir.Relationships {
		rels = append(rels, r.Name)
	}
	if got := strings.Join(rels, ","); got != "department,reports" {
		t.Errorf("Director relationships = %s", got)
	}
	if r := s.Model("Department").Relationship("managers"); r == nil || r.Target != mgr || len(r.Pairs) != 1 {
		t.Errorf("Department.managers = %+v", r)
	}
	if fk := tbl.Column("boss_id").ForeignKey; fk == nil || fk.RefTable != tbl {
		t.Error("sub-model column foreign key not resolved")
	}
}

func TestInheritVersionColumn(t *testing.T) {
	src := `
models:
  Doc:
    table: docs
    polymorphic_on: kind
    polymorphic_identity: doc
    version_column: version
    columns:
      id: {type: integer, primary_key: true}
      kind: {type: string}
      version: {type: integer}
  Memo:
    inherits: Doc
    polymorphic_identity: memo
    columns:
      body: {type: text}
`
	s, ds := Load(fstest.MapFS{"a.yaml": {Data: []byte(src)}})
	if len(ds) > 0 {
		t.Fatal(ds.Error())
	}
	if s.Model("Memo").VersionColumn != s.Table("docs").Column("version") {
		t.Error("a sub-model must use its root's version_column")
	}
}

// A single-table sub-model shares its root's rows, so it shares the root's
// soft-delete column too (the ORM filters sub-model queries by it).
func TestInheritSoftDelete(t *testing.T) {
	s, diags := loadString(t, `
models:
  Employee:
    table: employees
    use: [soft_delete]
    polymorphic_on: kind
    polymorphic_identity: employee
    columns:
      id: {type: integer, primary_key: true}
      kind: {type: string, length: 20}
  Manager:
    inherits: Employee
    polymorphic_identity: manager
    columns:
      budget: {type: integer}
`)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	emp, mgr := s.Model("Employee"), s.Model("Manager")
	if emp.SoftDelete == nil || mgr.SoftDelete != emp.SoftDelete {
		t.Fatalf("soft delete: root %v, sub-model %v", emp.SoftDelete, mgr.SoftDelete)
	}
}
