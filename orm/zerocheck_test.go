package orm

import (
	"math"
	"reflect"
	"testing"
	"time"
	"unsafe"
)

// TestZeroCheckMatchesReflect: the direct zero tests answer as
// reflect.Value.IsZero for every kind they cover, on zero, non-zero and
// edge values (-0.0, NaN, an empty but non-nil slice, a zero time with a
// location).
func TestZeroCheckMatchesReflect(t *testing.T) {
	type myString string
	type row struct {
		S   string
		MS  myString
		B   bool
		I8  int8
		U8  uint8
		I16 int16
		U16 uint16
		I32 int32
		U32 uint32
		F32 float32
		I64 int64
		U64 uint64
		F64 float64
		I   int
		U   uint
		P   *int
		M   map[string]int
		Sl  []byte
		T   time.Time
		A   [2]int
		Any any
	}
	one := 1
	values := []row{
		{},
		{S: "x", MS: "y", B: true, I8: -1, U8: 1, I16: -1, U16: 1, I32: -1, U32: 1, F32: 1, I64: -1, U64: 1, F64: 1, I: -1, U: 1,
			P: &one, M: map[string]int{}, Sl: []byte{}, T: time.Unix(0, 0), A: [2]int{0, 1}, Any: 0},
		{F32: float32(math.Copysign(0, -1)), F64: math.Copysign(0, -1), T: time.Time{}.In(time.UTC)},
		{F32: float32(math.NaN()), F64: math.NaN(), Sl: make([]byte, 0, 4), T: time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))},
	}
	rt := reflect.TypeFor[row]()
	for vi := range values {
		p := unsafe.Pointer(&values[vi])
		for i := 0; i < rt.NumField(); i++ {
			f := rt.Field(i)
			want := reflect.ValueOf(values[vi]).Field(i).IsZero()
			if got := zeroCheck(f.Type, f.Offset)(p); got != want {
				t.Errorf("value %d field %s (%s): zero %v, reflect says %v", vi, f.Name, f.Type, got, want)
			}
		}
	}
}
