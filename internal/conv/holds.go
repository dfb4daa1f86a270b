package conv

import (
	"database/sql"
	"encoding/json"
	"reflect"
	"time"

	"github.com/dlayer/dlayer/spec"
)

var (
	timeType    = reflect.TypeFor[time.Time]()
	scannerType = reflect.TypeFor[sql.Scanner]()
	rawJSONType = reflect.TypeFor[json.RawMessage]()
)

// Holds reports whether a Go value of type t can hold values of a column of
// kind k. Pointers are looked through; interfaces and sql.Scanner types
// hold anything. When write is false (reading results) lossless
// conversions are allowed too — an integer into a float or a string field;
// when write is true (fields the ORM also writes back) the Go type must
// match the column's kind.
func Holds(t reflect.Type, k spec.TypeKind, write bool) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Interface || reflect.PointerTo(t).Implements(scannerType) {
		return true
	}
	gk := t.Kind()
	isInt := gk >= reflect.Int && gk <= reflect.Uint64
	isFloat := gk == reflect.Float32 || gk == reflect.Float64
	isBytes := gk == reflect.Slice && t.Elem().Kind() == reflect.Uint8
	isString := gk == reflect.String
	isUUID := gk == reflect.Array && t.Len() == 16 && t.Elem().Kind() == reflect.Uint8
	switch {
	case k.IsInteger():
		return isInt || !write && (isFloat || isString)
	case k == spec.TypeFloat || k == spec.TypeDouble:
		return isFloat || !write && isString
	case k == spec.TypeDecimal:
		return isString || isFloat || !write && isBytes
	case k.IsTextual():
		return isString || !write && isBytes
	case k == spec.TypeBoolean:
		return gk == reflect.Bool
	case k == spec.TypeDate || k == spec.TypeTimestamp:
		return t == timeType
	case k == spec.TypeTime:
		return isString || t == timeType
	case k == spec.TypeUUID:
		return isString || isUUID || !write && isBytes
	case k == spec.TypeBytes:
		return isBytes || !write && (isString || t == rawJSONType)
	}
	return true // json, and kinds added later
}
