package conv

import (
	"math"
	"math/big"
	"testing"

	"github.com/dlayer/dlayer/spec"
)

func TestDecimal(t *testing.T) {
	d := func(p, s int) *spec.Type { return &spec.Type{Kind: spec.TypeDecimal, Precision: p, Scale: s} }
	free := &spec.Type{Kind: spec.TypeDecimal}
	tests := []struct {
		name string
		src  any
		t    *spec.Type
		want string
		err  bool
	}{
		{"scale padding", "100.5", d(10, 2), "100.50", false},
		{"sqlite real", 100.5, d(10, 2), "100.50", false},
		{"sqlite integer", int64(10), d(10, 2), "10.00", false},
		{"mysql bytes", []byte("9.99"), d(10, 2), "9.99", false},
		{"float noise is cut", 0.1 + 0.2, d(10, 2), "0.30", false},
		{"float noise unconstrained", 0.1 + 0.2, free, "0.3", false},
		{"fifteen digits exact", 1234567890.12345, d(15, 5), "1234567890.12345", false},
		{"beyond fifteen digits rounds", 1234567890123456789012345678.0123456789, d(38, 10), "1234567890123460000000000000.0000000000", false},
		{"tiny", -1e-10, d(38, 10), "-0.0000000001", false},
		{"round half away from zero", "2.345", d(5, 2), "2.35", false},
		{"round negative", "-2.345", d(5, 2), "-2.35", false},
		{"round carries", "9.995", d(5, 2), "10.00", false},
		{"round down", "40.1633333333333333", d(14, 6), "40.163333", false},
		{"scale zero", "12.5", d(5, 0), "13", false},
		{"negative zero", "-0.00", d(5, 2), "0.00", false},
		{"negative zero float", math.Copysign(0, -1), d(5, 2), "0.00", false},
		{"unconstrained trims", "100.500000000000000000000000000000", free, "100.5", false},
		{"unconstrained whole", "10.000", free, "10", false},
		{"nil type trims", "7.50", nil, "7.5", false},
		{"exponent", "1.5E+3", free, "1500", false},
		{"negative exponent", "15e-4", d(6, 5), "0.00150", false},
		{"leading zeros and plus", "+007.10", free, "7.1", false},
		{"no integer digits", ".5", d(3, 2), "0.50", false},
		{"big integer exact", int64(math.MaxInt64), free, "9223372036854775807", false},
		{"not a number", "NaN", free, "", true},
		{"garbage", "12a", free, "", true},
		{"infinity", math.Inf(1), free, "", true},
		{"empty", "", free, "", true},
		{"bool", true, free, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decimal(tt.src, tt.t)
			if (err != nil) != tt.err || got != tt.want {
				t.Errorf("Decimal(%#v) = %q, %v; want %q (error %v)", tt.src, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestDecimalNumber(t *testing.T) {
	tests := []struct {
		in   string
		want any
		ok   bool
	}{
		{"10.00", int64(10), true},
		{"-42", int64(-42), true},
		{"9223372036854775807", int64(math.MaxInt64), true},
		{"9223372036854775808", 9223372036854775808.0, true},
		{"100.50", 100.5, true},
		{"0.1", 0.1, true},
		{"1e2", int64(100), true},
		{"NaN", nil, false},
		{"Inf", nil, false},
		{"1e999", nil, false},
		{"x", nil, false},
	}
	for _, tt := range tests {
		got, ok := DecimalNumber(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("DecimalNumber(%q) = %#v, %v; want %#v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzDecimal: Decimal never panics, its output is its own canonical form,
// and (without a scale to round to) it keeps the value exactly.
func FuzzDecimal(f *testing.F) {
	for _, s := range []string{"100.50", "-0.00", "1e3", ".5", "+007.10", "NaN", "9.995", "1E-1000", "-"} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, s string, scale int) {
		scale = ((scale % 31) + 31) % 31
		typ := &spec.Type{Kind: spec.TypeDecimal, Precision: 65, Scale: scale}
		got, err := Decimal(s, typ)
		if err != nil {
			return
		}
		again, err := Decimal(got, typ)
		if err != nil || again != got {
			t.Fatalf("Decimal(%q) = %q, but Decimal of that = %q, %v", s, got, again, err)
		}
		free, err := Decimal(s, nil)
		if err != nil {
			t.Fatalf("Decimal(%q) with a scale works but without fails: %v", s, err)
		}
		a, ok1 := new(big.Rat).SetString(s)
		b, ok2 := new(big.Rat).SetString(free)
		if ok1 && ok2 && a.Cmp(b) != 0 {
			t.Fatalf("Decimal(%q, unconstrained) = %q: a different value", s, free)
		}
	})
}
