package postgres_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/spec"
)

var postgresPoolOptions = dialects.PoolOptions{MaxOpenConns: 2}

func equal(a, b any) bool { return reflect.DeepEqual(a, b) }

// TestMigrateSQL checks the ALTER statements of single changes.
func TestMigrateSQL(t *testing.T) {
	d := postgres.New()
	old := &spec.Table{Name: "users"}
	oldName := &spec.Column{Name: "name", Type: spec.Type{Kind: spec.TypeString, Length: 50}}
	old.Columns = []*spec.Column{oldName}
	nu := &spec.Table{Name: "users"}
	newName := &spec.Column{Name: "name", Type: spec.Type{Kind: spec.TypeString, Length: 80}, Nullable: true,
		ServerDefault: &spec.Default{Kind: spec.DefaultLiteral, Value: "x"}}
	nu.Columns = []*spec.Column{newName}
	for _, tc := range []struct {
		name   string
		change dialects.Change
		want   []string
	}{
		{"alter type, null and default", dialects.Change{Kind: dialects.AlterColumn, Table: nu, Old: old, Column: newName, OldColumn: oldName},
			[]string{`ALTER TABLE "users" ALTER COLUMN "name" TYPE VARCHAR(80) USING "name"::VARCHAR(80)`,
				`ALTER TABLE "users" ALTER COLUMN "name" DROP NOT NULL`,
				`ALTER TABLE "users" ALTER COLUMN "name" SET DEFAULT 'x'`}},
		{"add column", dialects.Change{Kind: dialects.AddColumn, Table: nu, Old: old, Column: newName},
			[]string{`ALTER TABLE "users" ADD COLUMN "name" VARCHAR(80) DEFAULT 'x'`}},
		{"rename column", dialects.Change{Kind: dialects.RenameColumn, Table: nu, Old: old, Column: newName, OldColumn: &spec.Column{Name: "nm"}},
			[]string{`ALTER TABLE "users" RENAME COLUMN "nm" TO "name"`}},
		{"drop unique with derived name", dialects.Change{Kind: dialects.DropUnique, Table: nu, Old: old, Unique: &spec.Unique{Columns: []*spec.Column{oldName}}},
			[]string{`ALTER TABLE "users" DROP CONSTRAINT "uq_users_name"`}},
		{"hostile identifier stays quoted", dialects.Change{Kind: dialects.RenameTable, Table: &spec.Table{Name: `x"; DROP TABLE y; --`}, Old: old},
			[]string{`ALTER TABLE "users" RENAME TO "x""; DROP TABLE y; --"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.MigrateSQL([]dialects.Change{tc.change})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
