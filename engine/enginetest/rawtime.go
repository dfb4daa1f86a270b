package enginetest

import (
	"context"
	"testing"
	"time"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// testRawTimes: a time.Time bound to raw SQL matches the date, time stamp
// and time stamp with time zone it was stored as, on every database: an
// untyped time in the timestamp form, a date through date(:d) or a typed
// parameter.
func testRawTimes(t *testing.T, cfg Config) {
	ctx := context.Background()
	tbl := &spec.Table{Name: "dl_rawtime_" + testdb.Suffix(), Columns: []*spec.Column{
		{Name: "id", Type: spec.Type{Kind: spec.TypeBigInt}, PrimaryKey: true},
		{Name: "day", Type: spec.Type{Kind: spec.TypeDate}},
		{Name: "ts", Type: spec.Type{Kind: spec.TypeTimestamp}},
		{Name: "tstz", Type: spec.Type{Kind: spec.TypeTimestamp, Timezone: true}},
	}}
	tbl.PrimaryKey = tbl.Columns[:1]
	s := &spec.Schema{Tables: []*spec.Table{tbl}}
	s.Index()
	e, err := engine.Open(ctx, cfg.URL(t), engine.WithSchema(s))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	if err := e.CreateTables(ctx, s); err != nil {
		t.Fatalf("create: %v", err)
	}
	t.Cleanup(func() { _ = e.DropTables(context.Background(), s) })
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	at := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)
	mustExec(t, e, stmt.Insert(stmt.Ref(tbl)).Columns("id", "day", "ts", "tstz").Values(int64(1), day, at, at))
	dateType := &spec.Type{Kind: spec.TypeDate}
	for _, c := range []struct {
		name, where string
		v           any
		want        int64
	}{
		{"timestamp equal", "ts = :v", at, 1},
		{"timestamp with time zone, other zone", "tstz = :v", at.In(time.FixedZone("UTC+1", 3600)), 1},
		{"timestamp range", "ts >= :v AND ts < :v2", day, 1},
		{"timestamp before", "tstz < :v", at, 0},
		{"date through date()", "day = date(:v)", day, 1},
		{"date, typed parameter", "day = :v", stmt.Typed(day, dateType), 1},
		{"date, typed, other day", "day = :v", stmt.Typed(day.AddDate(0, 0, 1), dateType), 0},
		// A midnight time compared with a column that is a date in the
		// engine's schema is bound as a date (engine.typeTextDates).
		{"date, plain midnight time", "day = :v", day, 1},
		{"date, plain midnight time, qualified", tbl.Name + ".day = :v", day, 1},
		{"date, plain midnight time, reversed", ":v = day", day, 1},
		{"date, plain midnight time, range", "day >= :v AND day < :v2", day, 1},
		{"date, plain midnight time, between", "day BETWEEN :v AND :v2", day, 1},
		{"date, plain midnight time, other day", "day = :v", day.AddDate(0, 0, 1), 0},
		{"date, pointer to midnight time", "day = :v", &day, 1},
		{"timestamp, midnight stays a time stamp", "ts >= :v AND ts < :v2", day, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := stmt.Text("SELECT COUNT(*) FROM "+tbl.Name+" WHERE "+c.where).Bind("v", c.v).Bind("v2", day.AddDate(0, 0, 1))
			n, err := engine.Scalar[int64](ctx, e, q)
			if err != nil || n != c.want {
				t.Errorf("WHERE %s: %d rows (%v), want %d", c.where, n, err, c.want)
			}
		})
	}
}
