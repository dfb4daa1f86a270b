package engine

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

func TestSnakeCase(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"simple", "Email", "email"},
		{"two words", "FullName", "full_name"},
		{"initialism end", "UserID", "user_id"},
		{"initialism start", "HTTPServer", "http_server"},
		{"digits", "Line2Text", "line2_text"},
		{"single", "ID", "id"},
		{"already", "name", "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SnakeCase(tt.in); got != tt.want {
				t.Errorf("SnakeCase(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

type inner struct {
	ID      int64
	Created time.Time
}

type outer struct {
	inner
	ID    int64 `db:"id"` // shadows inner.ID
	Name  *string
	Skip  string `db:"-"`
	Other string `db:"other_col,omitempty"`
}

func cols(names ...string) *columnSet { return &columnSet{names: names} }

func TestBuildPlan(t *testing.T) {
	typ := reflect.TypeFor[outer]()
	p, err := buildPlan(typ, cols("id", "created", "name", "other_col"))
	if err != nil {
		t.Fatal(err)
	}
	want := []uintptr{typ.Field(1).Offset, typ.Field(0).Offset + reflect.TypeFor[inner]().Field(1).Offset, typ.Field(2).Offset, typ.Field(4).Offset}
	for i, f := range p.fields {
		if f.offset != want[i] {
			t.Errorf("column %d bound at offset %d, want %d", i, f.offset, want[i])
		}
	}
	tests := []struct {
		name    string
		cs      *columnSet
		typ     reflect.Type
		wantErr string
	}{
		{name: "unknown column", cs: cols("id", "skip"), typ: typ, wantErr: `result column "skip" has no field`},
		{name: "duplicate column", cs: cols("id", "name", "id"), typ: typ, wantErr: `two columns named "id"`},
		{name: "scalar with two columns", cs: cols("a", "b"), typ: reflect.TypeFor[int64](), wantErr: "exactly one"},
		{name: "incompatible", cs: &columnSet{names: []string{"name"}, cols: []dialects.ResultColumn{{Type: &spec.Type{Kind: spec.TypeBoolean}}}},
			typ: typ, wantErr: "cannot hold a boolean column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := buildPlan(tt.typ, tt.cs)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestPlanCached(t *testing.T) {
	cs := cols("id", "name")
	p1, err1 := planFor(reflect.TypeFor[outer](), cs)
	p2, err2 := planFor(reflect.TypeFor[outer](), cols("id", "name"))
	if err1 != nil || err2 != nil || p1 != p2 {
		t.Errorf("plan not reused: %p %p %v %v", p1, p2, err1, err2)
	}
	_, e1 := planFor(reflect.TypeFor[outer](), cols("zzz"))
	_, e2 := planFor(reflect.TypeFor[outer](), cols("zzz"))
	if e1 == nil || e1 != e2 {
		t.Errorf("binding error not cached: %v %v", e1, e2)
	}
}

func TestCompatible(t *testing.T) {
	tests := []struct {
		name string
		goT  reflect.Type
		kind spec.TypeKind
		ok   bool
	}{
		{"int to integer", reflect.TypeFor[int32](), spec.TypeInteger, true},
		{"string to decimal", reflect.TypeFor[string](), spec.TypeDecimal, true},
		{"float to decimal", reflect.TypeFor[float64](), spec.TypeDecimal, true},
		{"bool to text", reflect.TypeFor[bool](), spec.TypeText, false},
		{"time to timestamp", reflect.TypeFor[*time.Time](), spec.TypeTimestamp, true},
		{"string to timestamp", reflect.TypeFor[string](), spec.TypeTimestamp, false},
		{"array to uuid", reflect.TypeFor[[16]byte](), spec.TypeUUID, true},
		{"struct to json", reflect.TypeFor[inner](), spec.TypeJSON, true},
		{"int to bytes", reflect.TypeFor[int](), spec.TypeBytes, false},
		{"any to anything", reflect.TypeFor[any](), spec.TypeBoolean, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := compatible(tt.goT, &spec.Type{Kind: tt.kind})
			if (err == nil) != tt.ok {
				t.Errorf("compatible(%s, %s) = %v, want ok=%v", tt.goT, tt.kind, err, tt.ok)
			}
		})
	}
}
