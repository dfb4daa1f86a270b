package rowutil

import (
	"testing"

	"github.com/dlayer/dlayer/spec"
)

func TestValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		str  string
		i    int64
		b    bool
	}{
		{"nil", nil, "", 0, false},
		{"string number", "42", "42", 42, false},
		{"bytes", []byte("t"), "t", 0, true},
		{"int64", int64(7), "7", 7, true},
		{"uint64", uint64(9), "9", 9, false},
		{"bool", true, "true", 1, true},
		{"one", "1", "1", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Str(tc.v); got != tc.str {
				t.Errorf("Str = %q, want %q", got, tc.str)
			}
			if got := Int(tc.v); got != tc.i {
				t.Errorf("Int = %d, want %d", got, tc.i)
			}
			if got := Bool(tc.v); got != tc.b {
				t.Errorf("Bool = %v, want %v", got, tc.b)
			}
		})
	}
}

func TestWhereNull(t *testing.T) {
	tbl := &spec.Table{Name: "notes", Columns: []*spec.Column{{Name: "id"}, {Name: "deleted_at"}}}
	tests := []struct {
		pred string
		want string
	}{
		{"(deleted_at IS NULL)", "deleted_at"},
		{`"deleted_at" IS NULL`, "deleted_at"},
		{"`deleted_at` is null", "deleted_at"},
		{"deleted_at IS NOT NULL", ""},
		{"(deleted_at IS NULL) AND (id > 1)", ""},
		{"missing IS NULL", ""},
		{"", ""},
	}
	for _, tc := range tests {
		got := WhereNull(tbl, tc.pred)
		if (got == nil && tc.want != "") || (got != nil && got.Name != tc.want) {
			t.Errorf("WhereNull(%q) = %v, want %q", tc.pred, got, tc.want)
		}
	}
	if WhereNull(nil, "x IS NULL") != nil {
		t.Error("nil table")
	}
}
