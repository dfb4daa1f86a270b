package enginetest

import (
	"context"
	"errors"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

func testBulkInsert(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	const total = 40_000 // over SQLite's parameter limit at 2 columns, and over CopyThreshold
	rows := make([][]any, total)
	for i := range rows {
		rows[i] = []any{int64(i), int64(i % 10)}
	}
	tr := &recordingTracer{}
	te := engine.New(e.Dialect(), e.Pool(), nil, engine.WithTracer(tr))
	n, err := te.BulkInsert(ctx, f.nums, []string{"n", "grp"}, rows)
	if err != nil || n != total {
		t.Fatalf("BulkInsert = %d, %v", n, err)
	}
	wantOps := []string{"exec", "exec", "exec"} // split at the parameter limit
	switch {
	case e.Dialect().Features().Has(dialects.CopyFrom):
		wantOps = []string{"copy"}
	case e.Dialect().MaxParams() >= 2*total:
		wantOps = []string{"exec"}
	case e.Dialect().MaxParams() >= total:
		wantOps = []string{"exec", "exec"}
	}
	checkEq(t, "round trips", tr.ops, wantOps)
	sum, err := engine.Scalar[int64](ctx, e, stmt.Select(stmt.Sum(f.N.C("n"))).From(f.N))
	if err != nil || sum != int64(total)*(total-1)/2 {
		t.Errorf("sum = %d, %v", sum, err)
	}
	// Small batch inside a transaction, rolled back.
	err = e.Tx(ctx, func(tx *engine.Tx) error {
		if n, err := tx.BulkInsert(ctx, f.nums, []string{"n", "grp"}, [][]any{{int64(-1), int64(0)}, {int64(-2), int64(0)}}); err != nil || n != 2 {
			t.Errorf("tx BulkInsert = %d, %v", n, err)
		}
		return errors.New("roll back")
	})
	if err == nil {
		t.Fatal("no error from the rolled back transaction")
	}
	if c, _ := engine.Scalar[int64](ctx, e, stmt.Select(stmt.CountAll()).From(f.N)); c != total {
		t.Errorf("count after rollback = %d", c)
	}
	// Duplicates are a normalised unique violation on every path.
	dup := make([][]any, 600)
	for i := range dup {
		dup[i] = []any{int64(i), int64(0)}
	}
	if _, err := e.BulkInsert(ctx, f.nums, []string{"n", "grp"}, dup); !engine.IsUnique(err) {
		t.Errorf("duplicate keys: %v, want a unique violation", err)
	}
	if _, err := e.BulkInsert(ctx, f.nums, []string{"n", "nope"}, dup); !errors.Is(err, stmt.ErrUnknown) {
		t.Errorf("unknown column: %v", err)
	}
	if _, err := e.BulkInsert(ctx, f.nums, []string{"n", "grp"}, [][]any{{int64(1)}}); err == nil {
		t.Error("short row accepted")
	}
}
