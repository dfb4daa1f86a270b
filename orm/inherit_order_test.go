package orm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/orm"
)

// A Contractor whose boss is a Manager added in the same flush (Contractor
// comes before Manager in model order): Manager.reports fills boss_id from
// the manager's generated key.
func TestInheritFlushAcrossSubModels(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		_, db, c := setupInherit(t, name, inheritBinds()...)
		s := db.Session()
		defer s.Close(ctx)
		boss := &Manager{Employee: Employee{Name: "Zed"}}
		con := &Contractor{Engineer: Engineer{Employee: Employee{Name: "Amy"}}, Agency: strp("Acme")}
		boss.Reports = []*Engineer{&con.Engineer}
		must(t, s.AddAll(boss, con))
		must(t, s.Commit(ctx))
		if q := c.queries(); len(q) != 2 || strings.Count(strings.Join(q, "\n"), "INSERT") != 2 {
			t.Errorf("flush: %d statements, want 2 INSERTs:\n%s", len(q), strings.Join(q, "\n"))
		}
		s2 := db.Session()
		defer s2.Close(ctx)
		got, err := orm.Get[Contractor](ctx, s2, con.ID)
		must(t, err)
		if got.BossID == nil || *got.BossID != boss.ID {
			t.Fatalf("stored boss_id = %v, want %d", got.BossID, boss.ID)
		}
	})
}
