package conv

import (
	"database/sql"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

type status string

func TestAssign(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 600000000, time.UTC)
	tests := []struct {
		name    string
		dest    any // pointer to a zero value
		src     any
		want    any
		wantErr string
	}{
		{name: "int64", dest: new(int64), src: int64(math.MinInt64), want: int64(math.MinInt64)},
		{name: "int from bytes", dest: new(int64), src: []byte("42"), want: int64(42)},
		{name: "int32 overflow", dest: new(int32), src: int64(math.MaxInt32 + 1), wantErr: "out of range"},
		{name: "uint64 too big", dest: new(int64), src: uint64(math.MaxUint64), wantErr: "out of range"},
		{name: "fractional float to int", dest: new(int64), src: 1.5, wantErr: "cannot store float"},
		{name: "bool from int", dest: new(bool), src: int64(1), want: true},
		{name: "bool from text", dest: new(bool), src: []byte("0"), want: false},
		{name: "bool from junk", dest: new(bool), src: "maybe", wantErr: "cannot convert"},
		{name: "string from bytes", dest: new(string), src: []byte("héllo"), want: "héllo"},
		{name: "decimal string from float", dest: new(string), src: 0.1, want: "0.1"},
		{name: "float from decimal bytes", dest: new(float64), src: []byte("1.25"), want: 1.25},
		{name: "time from sqlite text", dest: new(time.Time), src: "2024-01-02 03:04:05.600000000Z", want: ts},
		{name: "time from current_timestamp", dest: new(time.Time), src: "2024-01-02 03:04:05", want: ts.Truncate(time.Second)},
		{name: "date", dest: new(time.Time), src: "2024-01-02", want: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)},
		{name: "bad time", dest: new(time.Time), src: "yesterday", wantErr: "cannot parse"},
		{name: "uuid", dest: new([16]byte), src: "0190a6f8-7c4e-7abc-8def-0123456789ab",
			want: [16]byte{0x01, 0x90, 0xa6, 0xf8, 0x7c, 0x4e, 0x7a, 0xbc, 0x8d, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab}},
		{name: "bad uuid", dest: new([16]byte), src: "nope", wantErr: "UUID"},
		{name: "bytes copied", dest: new([]byte), src: []byte{1, 2}, want: []byte{1, 2}},
		{name: "raw json", dest: new(json.RawMessage), src: `{"a":1}`, want: json.RawMessage(`{"a":1}`)},
		{name: "json into map", dest: new(map[string]int), src: []byte(`{"a":1}`), want: map[string]int{"a": 1}},
		{name: "named string", dest: new(status), src: []byte("draft"), want: status("draft")},
		{name: "pointer set", dest: new(*int64), src: int64(7), want: ptr(int64(7))},
		{name: "pointer to named", dest: new(*status), src: "x", want: ptr(status("x"))},
		{name: "null into pointer", dest: ptr(ptr("old")), src: nil, want: (*string)(nil)},
		{name: "null into value", dest: new(int64), src: nil, wantErr: "NULL"},
		{name: "null into map", dest: &map[string]any{"x": 1}, src: nil, want: map[string]any(nil)},
		{name: "null into scanner", dest: new(sql.NullString), src: nil, want: sql.NullString{}},
		{name: "scanner", dest: new(sql.NullInt64), src: int64(3), want: sql.NullInt64{Int64: 3, Valid: true}},
		{name: "any keeps value", dest: new(any), src: int64(3), want: any(int64(3))},
		{name: "unsupported", dest: new(struct{ X chan int }), src: int64(1), wantErr: "cannot store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Assign(tt.dest, tt.src)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := reflect.ValueOf(tt.dest).Elem().Interface()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestTimeLayoutSortsAsTime(t *testing.T) {
	a := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	b := a.Add(500 * time.Millisecond)
	c := a.Add(time.Second)
	fa, fb, fc := a.Format(TimeLayout), b.Format(TimeLayout), c.Format(TimeLayout)
	if !(fa < fb && fb < fc) {
		t.Errorf("text order %q %q %q is not time order", fa, fb, fc)
	}
	for _, s := range []string{fa, fb, fc} {
		if _, err := ParseTime(s); err != nil {
			t.Error(err)
		}
	}
}

func TestUUIDRoundTrip(t *testing.T) {
	s := "0190a6f8-7c4e-7abc-8def-0123456789ab"
	u, err := ToUUID(s)
	if err != nil || FormatUUID(u) != s {
		t.Errorf("round trip: %s, %v", FormatUUID(u), err)
	}
}

// TestAssignUnsigned reads values of unsigned columns above the signed
// maximum (MySQL BIGINT UNSIGNED sends them as text) and refuses negative
// ones.
func TestAssignUnsigned(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  any
		want uint64
		err  bool
	}{
		{name: "text above int64", src: []byte("18446744073709551615"), want: 18446744073709551615},
		{name: "string above int64", src: "9223372036854775808", want: 9223372036854775808},
		{name: "uint64", src: uint64(18446744073709551615), want: 18446744073709551615},
		{name: "int64", src: int64(7), want: 7},
		{name: "negative int64", src: int64(-1), err: true},
		{name: "negative text", src: []byte("-1"), err: true},
		{name: "not a number", src: "x", err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got uint64
			err := Assign(&got, tc.src)
			if (err != nil) != tc.err || got != tc.want {
				t.Errorf("Assign(%v) = %d, %v; want %d, error %t", tc.src, got, err, tc.want, tc.err)
			}
		})
	}
	var small uint16
	if err := Assign(&small, []byte("65536")); err == nil {
		t.Errorf("65536 fits a uint16: %d", small)
	}
}
