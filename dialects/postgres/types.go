package postgres

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dlayer/dlayer/dialects/sqlgen"
	"github.com/dlayer/dlayer/spec"
)

// ColumnType maps a dlayer type to its PostgreSQL type:
//
//	integer, bigint, smallint  INTEGER, BIGINT, SMALLINT
//	string                     VARCHAR(n), or TEXT without a length; CHAR(n) when fixed
//	text                       TEXT
//	boolean                    BOOLEAN
//	float, double              REAL, DOUBLE PRECISION
//	decimal                    NUMERIC(p,s), NUMERIC(p) or NUMERIC
//	date                       DATE
//	time                       TIME or TIME(p)
//	timestamp                  TIMESTAMP / TIMESTAMPTZ (timezone), with (p) when given
//	                           (precision: 0 writes (0))
//	unsigned                   ignored: PostgreSQL has no unsigned types (validate warns)
//	uuid, json, bytes          UUID, JSONB, BYTEA
//	enum                       the type made by CREATE TYPE … AS ENUM (sqlgen.EnumTypeName)
//	array                      the items type followed by []
//	native                     native.postgres, as written
//
// A column declared with a domain alias has the domain's (quoted) name.
func ColumnType(c *spec.Column) (string, error) {
	if c == nil {
		return "", errors.New("column type: nil column")
	}
	t := c.Type
	if t.Domain != "" {
		return `"` + strings.ReplaceAll(t.Domain, `"`, `""`) + `"`, nil
	}
	switch t.Kind {
	case spec.TypeArray:
		if t.Items == nil || t.Items.Kind == spec.TypeArray || t.Items.Kind == spec.TypeNative || t.Items.Kind == spec.TypeEnum {
			return "", fmt.Errorf("postgres: array of %v has no element type", t.Items)
		}
		elem, err := ColumnType(&spec.Column{Name: c.Name, Table: c.Table, Type: *t.Items})
		if err != nil {
			return "", err
		}
		return elem + "[]", nil
	case spec.TypeNative:
		if n := t.Native["postgres"]; n != "" {
			return n, nil
		}
		return "", fmt.Errorf("postgres: native type %v has no postgres entry", t.Native)
	case spec.TypeInteger:
		return "INTEGER", nil
	case spec.TypeBigInt:
		return "BIGINT", nil
	case spec.TypeSmallInt:
		return "SMALLINT", nil
	case spec.TypeString:
		if t.Fixed && t.Length > 0 {
			return "CHAR(" + strconv.Itoa(t.Length) + ")", nil
		}
		if t.Length > 0 {
			return "VARCHAR(" + strconv.Itoa(t.Length) + ")", nil
		}
		return "TEXT", nil
	case spec.TypeText:
		return "TEXT", nil
	case spec.TypeBoolean:
		return "BOOLEAN", nil
	case spec.TypeFloat:
		return "REAL", nil
	case spec.TypeDouble:
		return "DOUBLE PRECISION", nil
	case spec.TypeDecimal:
		switch {
		case t.Precision < 0 || t.Precision > 1000 || t.Scale < 0 || (t.Precision > 0 && t.Scale > t.Precision):
			return "", fmt.Errorf("postgres: invalid decimal(%d,%d)", t.Precision, t.Scale)
		case t.Precision == 0:
			return "NUMERIC", nil
		case t.Scale == 0:
			return "NUMERIC(" + strconv.Itoa(t.Precision) + ")", nil
		}
		return "NUMERIC(" + strconv.Itoa(t.Precision) + "," + strconv.Itoa(t.Scale) + ")", nil
	case spec.TypeDate:
		return "DATE", nil
	case spec.TypeTime:
		if t.Timezone {
			return withPrecision("TIMETZ", t)
		}
		return withPrecision("TIME", t)
	case spec.TypeTimestamp:
		if t.Timezone {
			return withPrecision("TIMESTAMPTZ", t)
		}
		return withPrecision("TIMESTAMP", t)
	case spec.TypeUUID:
		return "UUID", nil
	case spec.TypeJSON:
		return "JSONB", nil
	case spec.TypeBytes:
		return "BYTEA", nil
	case spec.TypeEnum:
		return `"` + strings.ReplaceAll(sqlgen.EnumTypeName(c), `"`, `""`) + `"`, nil
	}
	return "", fmt.Errorf("postgres: no type for %s", t.Kind)
}

func withPrecision(name string, t spec.Type) (string, error) {
	p := t.Precision
	switch {
	case p < 0 || p > 6:
		return "", fmt.Errorf("postgres: %s precision %d is outside 0..6", name, p)
	case t.ZeroPrecision:
		return name + "(0)", nil
	case p == 0:
		return name, nil
	}
	return name + "(" + strconv.Itoa(p) + ")", nil
}
