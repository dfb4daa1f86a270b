package orm_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/dlayer/dlayer/stmt"
)

// TestDecimalObjects stores 9.99, 10.00 and 100.50 through the ORM as
// dynamic Objects: total > 50 finds 100.50 alone, ORDER BY total sorts by
// value, and every database hands the values back as the same text, in
// the column's scale.
func TestDecimalObjects(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		e := setupWith(t, name)
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		for _, v := range []any{9.99, "10", "100.5"} {
			inv, err := s.New("Invoice")
			must(t, err)
			must(t, inv.Set("total", v))
		}
		if inv, err := s.New("Invoice"); err != nil || inv.Set("total", "ten") == nil {
			t.Errorf("Set of a non-number on a decimal column: want an error (%v)", err)
		} else {
			s.Expunge(inv)
		}
		must(t, s.Commit(ctx))

		s2 := e.db.Session()
		defer s2.Close(ctx)
		inv := e.db.Table("Invoice")
		totals := func(q *stmt.SelectStmt) []any {
			t.Helper()
			objs, err := s2.AllObjects(ctx, "Invoice", q)
			must(t, err)
			var out []any
			for _, o := range objs {
				out = append(out, o.Get("total"))
			}
			return out
		}
		if got := totals(stmt.Select(inv).Where(inv.C("total").Gt(50))); !reflect.DeepEqual(got, []any{"100.50"}) {
			t.Errorf("total > 50: %#v, want [\"100.50\"]", got)
		}
		if got := totals(stmt.Select(inv).OrderBy(inv.C("total").Asc())); !reflect.DeepEqual(got, []any{"9.99", "10.00", "100.50"}) {
			t.Errorf("ORDER BY total: %#v, want [9.99 10.00 100.50] as strings", got)
		}
	})
}
