package conv

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dlayer/dlayer/spec"
)

// FloatDigits is how many significant decimal digits a float64 holds
// exactly: every decimal of at most 15 significant digits survives a trip
// through the nearest float64 (DBL_DIG). SQLite keeps decimals as REAL
// unless they are whole numbers.
const FloatDigits = 15

// Decimal returns src, a decimal value as a driver returns it (text or
// bytes, an integer, or a float), in dlayer's one text form for a decimal
// of type t, the same on every database:
//
//   - with a precision or scale in t, exactly t.Scale digits after the
//     point (none for scale 0), rounded half away from zero, as PostgreSQL
//     and MySQL print a DECIMAL(p,s): "100.50", "10.00", "-0.05";
//   - without (an unconstrained decimal), the shortest form: no trailing
//     fractional zeros, no point for a whole number: "100.5", "10";
//   - no exponent, no leading zeros or plus sign, and no minus sign on zero.
//
// A float64 (SQLite's REAL) is read to FloatDigits significant digits
// first, which gives back exactly the decimal that was stored when it had
// at most that many digits (0.1 reads back "0.1", not
// 0.1000000000000000055…). Text that is not a finite number ("NaN") is an
// error.
func Decimal(src any, t *spec.Type) (string, error) {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case int64:
		s = strconv.FormatInt(v, 10)
	case int:
		s = strconv.Itoa(v)
	case int32:
		s = strconv.FormatInt(int64(v), 10)
	case uint64:
		s = strconv.FormatUint(v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "", fmt.Errorf("decimal: %v is not a finite number", v)
		}
		s = strconv.FormatFloat(v, 'e', FloatDigits-1, 64)
	case float32:
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return "", fmt.Errorf("decimal: %v is not a finite number", v)
		}
		s = strconv.FormatFloat(float64(v), 'g', -1, 32)
	default:
		return "", fmt.Errorf("decimal: cannot convert %T", src)
	}
	neg, intPart, frac, ok := parseDecimal(strings.TrimSpace(s))
	if !ok {
		return "", fmt.Errorf("decimal: %q is not a number", s)
	}
	if t != nil && (t.Precision > 0 || t.Scale > 0) {
		intPart, frac = roundFrac(intPart, frac, max(t.Scale, 0))
	} else {
		frac = strings.TrimRight(frac, "0")
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	var b strings.Builder
	if neg && (intPart != "0" || strings.Trim(frac, "0") != "") {
		b.WriteByte('-')
	}
	b.WriteString(intPart)
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String(), nil
}

// DecimalNumber returns a decimal given as text as the number SQLite
// stores for it: an int64 when it is a whole number within range (kept
// exactly), else the nearest float64. ok is false when s is not a finite
// decimal number.
func DecimalNumber(s string) (any, bool) {
	neg, intPart, frac, ok := parseDecimal(strings.TrimSpace(s))
	if !ok {
		return nil, false
	}
	if strings.Trim(frac, "0") == "" {
		digits := strings.TrimLeft(intPart, "0")
		if digits == "" {
			return int64(0), true
		}
		if neg {
			digits = "-" + digits
		}
		if n, err := strconv.ParseInt(digits, 10, 64); err == nil {
			return n, true
		}
	}
	txt := intPart
	if frac != "" {
		txt += "." + frac
	}
	if neg {
		txt = "-" + txt
	}
	f, err := strconv.ParseFloat(txt, 64)
	if err != nil && !isRange(err) {
		return nil, false
	}
	if math.IsInf(f, 0) {
		return nil, false
	}
	return f, true
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// parseDecimal splits a decimal number ([+-]digits[.digits][e[+-]digits])
// into its sign, integer digits and fractional digits, with the exponent
// applied.
func parseDecimal(s string) (neg bool, intPart, frac string, ok bool) {
	if s == "" {
		return false, "", "", false
	}
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > 1000 || e < -1000 {
			return false, "", "", false
		}
		exp = e
	}
	intPart, frac, _ = strings.Cut(mant, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return false, "", "", false
	}
	switch {
	case exp > 0:
		frac += strings.Repeat("0", max(0, exp-len(frac)))
		intPart, frac = intPart+frac[:exp], frac[exp:]
	case exp < 0:
		intPart = strings.Repeat("0", max(0, -exp-len(intPart))) + intPart
		cut := len(intPart) + exp
		intPart, frac = intPart[:cut], intPart[cut:]+frac
	}
	return neg, intPart, frac, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// roundFrac rounds intPart.frac to scale fractional digits, half away from
// zero, padding with zeros.
func roundFrac(intPart, frac string, scale int) (string, string) {
	if len(frac) <= scale {
		return intPart, frac + strings.Repeat("0", scale-len(frac))
	}
	up := frac[scale] >= '5'
	digits := []byte("0" + intPart + frac[:scale])
	if up {
		for i := len(digits) - 1; i >= 0; i-- {
			if digits[i] < '9' {
				digits[i]++
				break
			}
			digits[i] = '0'
		}
	}
	n := len(digits) - scale
	return string(digits[:n]), string(digits[n:])
}
