package enginetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

// typesRow binds every column of the types table; nullable columns are
// pointers.
type typesRow struct {
	ID   int64            `db:"id"`
	I    *int32           `db:"i"`
	BI   *int64           `db:"bi"`
	SI   *int16           `db:"si"`
	S    *string          `db:"s"`
	Tx   *string          `db:"tx"`
	B    *bool            `db:"b"`
	F    *float32         `db:"f"`
	D    *float64         `db:"d"`
	Dec  *string          `db:"dec"`
	Dt   *time.Time       `db:"dt"`
	Tm   *string          `db:"tm"`
	Ts   *time.Time       `db:"ts"`
	Tstz *time.Time       `db:"tstz"`
	U    *string          `db:"u"`
	J    *json.RawMessage `db:"j"`
	By   []byte           `db:"by"`
	En   *string          `db:"en"`
}

func ptr[T any](v T) *T { return &v }

var typeCols = []string{"id", "i", "bi", "si", "s", "tx", "b", "f", "d", "dec", "dt", "tm", "ts", "tstz", "u", "j", "by", "en"}

func testTypesRoundTrip(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	big := make([]byte, 1<<20)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	plus5 := time.FixedZone("UTC+5", 5*3600)
	minus8 := time.FixedZone("UTC-8", -8*3600)
	tsIn := time.Date(2024, 2, 29, 23, 59, 58, 123456000, plus5)
	jsonDoc := `{"a": [1, 2.5, {"b": null, "c": [true, false]}], "é": "😀 \"q\"", "n": {"m": {"o": "deep"}}}`
	uuid := [16]byte{0x01, 0x90, 0xa6, 0xf8, 0x7c, 0x4e, 0x7a, 0xbc, 0x8d, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab}

	rows := [][]any{
		{int64(1), int64(math.MinInt32), int64(math.MinInt64), int64(math.MinInt16),
			"héllo 👋 'quote' \"dq\" -- ; \\ %_", strings.Repeat("ü", 5000) + "😀",
			true, float32(1.5), -1e300, "1234567890123456789012345678.0123456789",
			time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), "23:59:59.999999", tsIn, tsIn,
			"0190a6f8-7c4e-7abc-8def-0123456789ab", json.RawMessage(jsonDoc), big, "ünïcode ✓"},
		{int64(2), int64(math.MaxInt32), int64(math.MaxInt64), int64(math.MaxInt16),
			"", "", false, float32(-0.25), 0.1, "-0.0000000001",
			time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), "00:00:00", time.Date(1999, 12, 31, 16, 0, 0, 1000, minus8),
			time.Date(1999, 12, 31, 16, 0, 0, 1000, minus8),
			uuid, map[string]any{"k": []any{"v", 1.0}}, []byte{0, 1, 2, 0xff}, "draft"},
		{int64(3), nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil},
	}
	for _, r := range rows {
		mustExec(t, e, stmt.Insert(f.T).Columns(typeCols...).Values(r...))
	}
	got, err := engine.All[typesRow](ctx, e, stmt.Select(f.T).OrderBy(f.T.C("id").Asc()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d rows, want 3", len(got))
	}

	t.Run("integers", func(t *testing.T) {
		checkEq(t, "i min", deref(got[0].I), int32(math.MinInt32))
		checkEq(t, "bi min", deref(got[0].BI), int64(math.MinInt64))
		checkEq(t, "si min", deref(got[0].SI), int16(math.MinInt16))
		checkEq(t, "i max", deref(got[1].I), int32(math.MaxInt32))
		checkEq(t, "bi max", deref(got[1].BI), int64(math.MaxInt64))
		checkEq(t, "si max", deref(got[1].SI), int16(math.MaxInt16))
	})
	t.Run("text", func(t *testing.T) {
		checkEq(t, "s", deref(got[0].S), rows[0][4].(string))
		checkEq(t, "tx", deref(got[0].Tx), rows[0][5].(string))
		if got[1].S == nil || *got[1].S != "" {
			t.Errorf("empty string came back as %v, want \"\" (not NULL)", got[1].S)
		}
		checkEq(t, "enum unicode", deref(got[0].En), "ünïcode ✓")
		checkEq(t, "enum", deref(got[1].En), "draft")
	})
	t.Run("bool and floats", func(t *testing.T) {
		checkEq(t, "b true", deref(got[0].B), true)
		checkEq(t, "b false", deref(got[1].B), false)
		checkEq(t, "f", deref(got[0].F), float32(1.5))
		checkEq(t, "f neg", deref(got[1].F), float32(-0.25))
		checkEq(t, "d", deref(got[0].D), -1e300)
		checkEq(t, "d 0.1", deref(got[1].D), 0.1)
	})
	t.Run("decimal", func(t *testing.T) {
		// Where the database keeps fewer digits, the value is rounded to
		// them, as documented (SQLite: 15 significant digits).
		wantBig := "1234567890123456789012345678.0123456789"
		if cfg.DecimalDigits == 15 {
			wantBig = "1234567890123460000000000000.0000000000"
		}
		checkEq(t, "dec big", deref(got[0].Dec), wantBig)
		checkEq(t, "dec tiny", deref(got[1].Dec), "-0.0000000001")
	})
	t.Run("times", func(t *testing.T) {
		checkTime(t, "date", got[0].Dt, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC))
		checkTime(t, "date epoch", got[1].Dt, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC))
		checkClock(t, "time", got[0].Tm, "23:59:59.999999")
		checkClock(t, "time midnight", got[1].Tm, "00:00:00")
		// Without time zone the wall clock is kept.
		checkTime(t, "timestamp wall clock", got[0].Ts, time.Date(2024, 2, 29, 23, 59, 58, 123456000, time.UTC))
		checkTime(t, "timestamp wall clock 2", got[1].Ts, time.Date(1999, 12, 31, 16, 0, 0, 1000, time.UTC))
		// With time zone the instant is kept.
		checkTime(t, "timestamptz instant", got[0].Tstz, tsIn)
		checkTime(t, "timestamptz instant 2", got[1].Tstz, time.Date(1999, 12, 31, 16, 0, 0, 1000, minus8))
	})
	t.Run("uuid", func(t *testing.T) {
		checkEq(t, "uuid text", deref(got[0].U), "0190a6f8-7c4e-7abc-8def-0123456789ab")
		checkEq(t, "uuid from [16]byte", deref(got[1].U), "0190a6f8-7c4e-7abc-8def-0123456789ab")
	})
	t.Run("json", func(t *testing.T) {
		checkJSON(t, "nested", got[0].J, jsonDoc)
		checkJSON(t, "marshalled map", got[1].J, `{"k":["v",1]}`)
	})
	t.Run("bytes", func(t *testing.T) {
		if !bytes.Equal(got[0].By, big) {
			t.Errorf("1 MiB value: got %d bytes, equal=%v", len(got[0].By), bytes.Equal(got[0].By, big))
		}
		checkEq(t, "small bytes", string(got[1].By), string([]byte{0, 1, 2, 0xff}))
	})
	t.Run("other Go types", func(t *testing.T) {
		type alt struct {
			ID  int64
			U   *[16]byte      `db:"u"`
			J   map[string]any `db:"j"`
			Dec *float64       `db:"dec"`
			En  *string        `db:"en"`
		}
		got, err := engine.All[alt](ctx, e, stmt.Select(f.T.C("id"), f.T.C("u"), f.T.C("j"), f.T.C("dec"), f.T.C("en")).
			OrderBy(f.T.C("id").Asc()))
		if err != nil {
			t.Fatal(err)
		}
		if got[0].U == nil || *got[0].U != uuid {
			t.Errorf("uuid into [16]byte = %v", got[0].U)
		}
		if n, ok := got[0].J["n"].(map[string]any); !ok || n["m"].(map[string]any)["o"] != "deep" {
			t.Errorf("json into map = %v", got[0].J)
		}
		if got[2].J != nil || got[2].U != nil {
			t.Errorf("NULL json/uuid = %v %v", got[2].J, got[2].U)
		}
		if got[0].Dec == nil || *got[0].Dec != 1234567890123456789012345678.0123456789 {
			t.Errorf("decimal into float64 = %v", deref(got[0].Dec))
		}
	})
	t.Run("nulls", func(t *testing.T) {
		n := got[2]
		if n.I != nil || n.BI != nil || n.SI != nil || n.S != nil || n.Tx != nil || n.B != nil || n.F != nil ||
			n.D != nil || n.Dec != nil || n.Dt != nil || n.Tm != nil || n.Ts != nil || n.Tstz != nil ||
			n.U != nil || n.J != nil || n.By != nil || n.En != nil {
			t.Errorf("NULL row came back with values: %+v", n)
		}
	})
	t.Run("values as parameters", func(t *testing.T) {
		// Edge values also work in WHERE clauses.
		for _, c := range []struct {
			col string
			v   any
		}{{"bi", int64(math.MinInt64)}, {"s", rows[0][4]}, {"dec", "1234567890123456789012345678.0123456789"},
			{"u", "0190a6f8-7c4e-7abc-8def-0123456789ab"}, {"en", "ünïcode ✓"}, {"tstz", tsIn}, {"b", true}} {
			id, err := engine.Scalar[int64](ctx, e, stmt.Select(f.T.C("id")).Where(f.T.C(c.col).Eq(c.v)))
			if err != nil || id != 1 {
				t.Errorf("WHERE %s = %v: id %d, err %v", c.col, c.v, id, err)
			}
		}
	})
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func checkEq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %#v, want %#v", what, got, want)
	}
}

func checkTime(t *testing.T, what string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got NULL, want %v", what, want)
		return
	}
	if !got.Equal(want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func checkClock(t *testing.T, what string, got *string, want string) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got NULL, want %s", what, want)
		return
	}
	g, err1 := time.Parse("15:04:05.999999999", *got)
	w, _ := time.Parse("15:04:05.999999999", want)
	if err1 != nil || !g.Equal(w) {
		t.Errorf("%s: got %q, want %q", what, *got, want)
	}
}

func checkJSON(t *testing.T, what string, got *json.RawMessage, want string) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got NULL", what)
		return
	}
	var g, w any
	if err := json.Unmarshal(*got, &g); err != nil {
		t.Errorf("%s: got invalid JSON %q: %v", what, *got, err)
		return
	}
	_ = json.Unmarshal([]byte(want), &w)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s: got %s, want %s", what, *got, want)
	}
}
