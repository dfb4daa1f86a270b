package conv

import (
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// TimeLayout is the text form dlayer writes times in where the database has
// no native time type (SQLite): UTC, fixed width, so text order is time order.
const TimeLayout = "2006-01-02 15:04:05.000000000Z07:00"

var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
	"15:04:05.999999999",
}

// ParseTime parses the text forms of dates, times and timestamps written by
// dlayer, SQLite's own functions and MySQL. Values without an offset are
// taken as UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse %q as a time", s)
}

// Assign stores src, a value returned by a database/sql driver, into dest,
// a pointer. A NULL src sets pointer-to-pointer destinations to nil and is
// an error for other destinations.
func Assign(dest, src any) error {
	if src == nil {
		return assignNull(dest)
	}
	switch d := dest.(type) {
	case *any:
		if b, ok := src.([]byte); ok {
			src = append([]byte(nil), b...)
		}
		*d = src
		return nil
	case *int64:
		v, err := toInt(src, 64)
		*d = v
		return err
	case *int:
		v, err := toInt(src, strconv.IntSize)
		*d = int(v)
		return err
	case *int32:
		v, err := toInt(src, 32)
		*d = int32(v)
		return err
	case *int16:
		v, err := toInt(src, 16)
		*d = int16(v)
		return err
	case *float64:
		v, err := toFloat(src)
		*d = v
		return err
	case *float32:
		v, err := toFloat(src)
		*d = float32(v)
		return err
	case *string:
		v, err := toString(src)
		*d = v
		return err
	case *[]byte:
		v, err := toBytes(src)
		*d = v
		return err
	case *json.RawMessage:
		v, err := toBytes(src)
		*d = v
		return err
	case *bool:
		v, err := toBool(src)
		*d = v
		return err
	case *time.Time:
		v, err := toTime(src)
		*d = v
		return err
	case *[16]byte:
		v, err := ToUUID(src)
		*d = v
		return err
	case sql.Scanner:
		if b, ok := src.([]byte); ok {
			src = append([]byte(nil), b...)
		}
		return d.Scan(src)
	case **int64:
		return assignPtr(d, src)
	case **string:
		return assignPtr(d, src)
	case **float64:
		return assignPtr(d, src)
	case **bool:
		return assignPtr(d, src)
	case **time.Time:
		return assignPtr(d, src)
	}
	return assignReflect(dest, src)
}

func assignPtr[T any](d **T, src any) error {
	v := new(T)
	if err := Assign(v, src); err != nil {
		return err
	}
	*d = v
	return nil
}

func assignNull(dest any) error {
	switch d := dest.(type) {
	case *any:
		*d = nil
		return nil
	case *[]byte:
		*d = nil
		return nil
	case *json.RawMessage:
		*d = nil
		return nil
	case sql.Scanner:
		return d.Scan(nil)
	case **int64:
		*d = nil
		return nil
	case **string:
		*d = nil
		return nil
	}
	rv := reflect.ValueOf(dest)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		switch rv.Elem().Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
			// Types with a nil value take NULL as nil.
			rv.Elem().SetZero()
			return nil
		}
	}
	return fmt.Errorf("cannot store NULL in %T (use a pointer or an sql.Null type for a nullable column)", dest)
}

func assignReflect(dest, src any) error {
	rv := reflect.ValueOf(dest)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("scan destination %T is not a non-nil pointer", dest)
	}
	ev := rv.Elem()
	if ev.Kind() == reflect.Pointer {
		nv := reflect.New(ev.Type().Elem())
		if err := Assign(nv.Interface(), src); err != nil {
			return err
		}
		ev.Set(nv)
		return nil
	}
	switch ev.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v, err := toInt(src, ev.Type().Bits())
		if err == nil {
			ev.SetInt(v)
		}
		return err
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v, err := toUint(src)
		if err == nil {
			if ev.OverflowUint(v) {
				return fmt.Errorf("value %d out of range for %s", v, ev.Type())
			}
			ev.SetUint(v)
		}
		return err
	case reflect.Float32, reflect.Float64:
		v, err := toFloat(src)
		if err == nil {
			ev.SetFloat(v)
		}
		return err
	case reflect.String:
		v, err := toString(src)
		if err == nil {
			ev.SetString(v)
		}
		return err
	case reflect.Bool:
		v, err := toBool(src)
		if err == nil {
			ev.SetBool(v)
		}
		return err
	case reflect.Slice:
		if ev.Type().Elem().Kind() == reflect.Uint8 {
			v, err := toBytes(src)
			if err == nil {
				ev.SetBytes(v)
			}
			return err
		}
	case reflect.Array:
		if ev.Type().Elem().Kind() == reflect.Uint8 && ev.Len() == 16 {
			v, err := ToUUID(src)
			if err == nil {
				reflect.Copy(ev, reflect.ValueOf(v[:]))
			}
			return err
		}
	}
	// JSON documents into structs, maps and slices.
	if b, ok := jsonBytes(src); ok {
		switch ev.Kind() {
		case reflect.Struct, reflect.Map, reflect.Slice, reflect.Interface:
			if err := json.Unmarshal(b, dest); err != nil {
				return fmt.Errorf("decode JSON into %T: %w", dest, err)
			}
			return nil
		}
	}
	return fmt.Errorf("cannot store %T value in %T", src, dest)
}

func jsonBytes(src any) ([]byte, bool) {
	switch s := src.(type) {
	case []byte:
		return s, true
	case string:
		return []byte(s), true
	}
	return nil, false
}

// toUint converts src for an unsigned destination: the whole uint64 range
// (MySQL BIGINT UNSIGNED sends values above the int64 maximum as text or
// uint64), never a negative value.
func toUint(src any) (uint64, error) {
	var text string
	switch s := src.(type) {
	case uint64:
		return s, nil
	case []byte:
		text = string(s)
	case string:
		text = s
	default:
		v, err := toInt(src, 64)
		if err != nil {
			return 0, err
		}
		if v < 0 {
			return 0, fmt.Errorf("value %d out of range for an unsigned integer", v)
		}
		return uint64(v), nil
	}
	n, err := strconv.ParseUint(text, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("cannot convert %q to an unsigned integer", text)
	}
	return n, nil
}

func toInt(src any, bits int) (int64, error) {
	var v int64
	switch s := src.(type) {
	case int64:
		v = s
	case int:
		v = int64(s)
	case int32:
		v = int64(s)
	case uint64:
		if s > math.MaxInt64 {
			return 0, fmt.Errorf("value %d out of range for int64", s)
		}
		v = int64(s)
	case bool:
		if s {
			v = 1
		}
	case float64:
		if s != math.Trunc(s) || s < math.MinInt64 || s >= math.MaxInt64 {
			return 0, fmt.Errorf("cannot store float %v in an integer", s)
		}
		v = int64(s)
	case []byte:
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("cannot convert %q to an integer", s)
		}
		v = n
	case string:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("cannot convert %q to an integer", s)
		}
		v = n
	default:
		return 0, fmt.Errorf("cannot convert %T to an integer", src)
	}
	if bits < 64 && (v < -(1<<(bits-1)) || v >= 1<<(bits-1)) {
		return 0, fmt.Errorf("value %d out of range for int%d", v, bits)
	}
	return v, nil
}

func toFloat(src any) (float64, error) {
	switch s := src.(type) {
	case float64:
		return s, nil
	case float32:
		return float64(s), nil
	case int64:
		return float64(s), nil
	case uint64:
		return float64(s), nil
	case []byte:
		f, err := strconv.ParseFloat(string(s), 64)
		if err != nil {
			return 0, fmt.Errorf("cannot convert %q to a float", s)
		}
		return f, nil
	case string:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, fmt.Errorf("cannot convert %q to a float", s)
		}
		return f, nil
	}
	return 0, fmt.Errorf("cannot convert %T to a float", src)
}

func toString(src any) (string, error) {
	switch s := src.(type) {
	case string:
		return s, nil
	case []byte:
		return string(s), nil
	case int64:
		return strconv.FormatInt(s, 10), nil
	case uint64:
		return strconv.FormatUint(s, 10), nil
	case float64:
		return strconv.FormatFloat(s, 'f', -1, 64), nil
	case float32:
		return strconv.FormatFloat(float64(s), 'f', -1, 32), nil
	case bool:
		return strconv.FormatBool(s), nil
	case time.Time:
		return s.Format(time.RFC3339Nano), nil
	}
	return "", fmt.Errorf("cannot convert %T to a string", src)
}

func toBytes(src any) ([]byte, error) {
	switch s := src.(type) {
	case []byte:
		return append([]byte(nil), s...), nil
	case string:
		return []byte(s), nil
	}
	return nil, fmt.Errorf("cannot convert %T to bytes", src)
}

func toBool(src any) (bool, error) {
	switch s := src.(type) {
	case bool:
		return s, nil
	case int64:
		return s != 0, nil
	case []byte:
		return parseBool(string(s))
	case string:
		return parseBool(s)
	}
	return false, fmt.Errorf("cannot convert %T to a bool", src)
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "t", "true":
		return true, nil
	case "0", "f", "false":
		return false, nil
	}
	return false, fmt.Errorf("cannot convert %q to a bool", s)
}

func toTime(src any) (time.Time, error) {
	switch s := src.(type) {
	case time.Time:
		return s, nil
	case string:
		return ParseTime(s)
	case []byte:
		return ParseTime(string(s))
	}
	return time.Time{}, fmt.Errorf("cannot convert %T to a time", src)
}

// ToUUID converts the 36-character text form (or 32 hex digits, or 16 raw
// bytes) of a UUID to its 16 bytes.
func ToUUID(src any) ([16]byte, error) {
	var u [16]byte
	var s string
	switch v := src.(type) {
	case [16]byte:
		return v, nil
	case []byte:
		if len(v) == 16 {
			copy(u[:], v)
			return u, nil
		}
		s = string(v)
	case string:
		s = v
	default:
		return u, fmt.Errorf("cannot convert %T to a UUID", src)
	}
	h := strings.ReplaceAll(s, "-", "")
	if len(h) != 32 {
		return u, fmt.Errorf("cannot convert %q to a UUID", s)
	}
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return u, fmt.Errorf("cannot convert %q to a UUID", s)
	}
	return u, nil
}

// FormatUUID returns the canonical 36-character text form of u.
func FormatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// ToBool converts an integer, bool or text value to a bool.
func ToBool(src any) (bool, error) { return toBool(src) }

// ToString converts a scalar value to its text form.
func ToString(src any) (string, error) { return toString(src) }

// ToTime converts a time value or its text form to a time.Time.
func ToTime(src any) (time.Time, error) { return toTime(src) }

// Normalize returns v in the normalised form dynamic values take
// everywhere in dlayer: integers as int64, float32 as float64, a 16-byte
// UUID as its text form; anything else unchanged.
func Normalize(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case [16]byte:
		return FormatUUID(x)
	}
	return v
}
