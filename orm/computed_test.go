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

type Line struct {
	ID    int64
	Price int64
	Qty   int64
	Total *int64
}

// TestComputedColumns checks that the ORM never writes a computed column
// (the databases refuse it) and reads the computed value back: at once
// through RETURNING where the dialect has it, else on the next Get, and
// after an UPDATE on the next Get.
func TestComputedColumns(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		c := &counter{}
		eng, err := dlayer.Open(ctx, "testdata/computed", fresh.URL(t, name, "dl_orm_gen"), engine.WithTracer(engine.TracerFunc(c.trace)))
		must(t, err)
		t.Cleanup(func() { eng.Close() })
		must(t, eng.CreateAll(ctx))
		db, err := orm.New(eng, orm.Bind[Line]("Line"))
		must(t, err)
		writes := func(verb string) string {
			t.Helper()
			for _, q := range c.queries() {
				if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(q)), verb) {
					return q
				}
			}
			t.Fatalf("no %s among %v", verb, c.queries())
			return ""
		}
		bogus := int64(999)
		s := db.Session()
		defer s.Close(ctx)
		l := &Line{Price: 3, Qty: 4, Total: &bogus}
		must(t, s.Add(l))
		c.reset()
		must(t, s.Flush(ctx))
		ins := writes("INSERT")
		if cols, _, _ := strings.Cut(ins, "VALUES"); strings.Contains(cols, "total") {
			t.Errorf("INSERT writes the computed column: %s", ins)
		}
		if eng.Dialect().Features().InsertReturns() && (l.Total == nil || *l.Total != 12) {
			t.Errorf("total after insert = %v, want 12 (read back by RETURNING)", l.Total)
		}
		got, err := orm.Get[Line](ctx, s, l.ID)
		must(t, err)
		if got.Total == nil || *got.Total != 12 {
			t.Errorf("total on Get after insert = %v, want 12", got.Total)
		}
		must(t, s.Commit(ctx))

		got.Qty = 5
		bogus2 := int64(1)
		got.Total = &bogus2
		c.reset()
		must(t, s.Commit(ctx))
		if upd := writes("UPDATE"); strings.Contains(upd, "total") || !strings.Contains(upd, "qty") {
			t.Errorf("UPDATE writes the computed column: %s", upd)
		}
		again, err := orm.Get[Line](ctx, s, l.ID)
		must(t, err)
		if again.Total == nil || *again.Total != 15 {
			t.Errorf("total on Get after update = %v, want 15", again.Total)
		}
		s2 := db.Session()
		defer s2.Close(ctx)
		fresh, err := orm.Get[Line](ctx, s2, l.ID)
		must(t, err)
		if fresh.Total == nil || *fresh.Total != 15 || fresh.Qty != 5 {
			t.Errorf("read back in a new session: %+v", fresh)
		}
	})
}
