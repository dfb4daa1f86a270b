package sqlite

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/dlayer/dlayer/spec"
)

// ColumnType maps a dlayer type to its SQLite declaration. SQLite stores
// values by type affinity, so the declared names are chosen for the affinity
// they give and for modernc.org/sqlite, which reads DATE, TIME and TIMESTAMP
// columns back as time values:
//
//	integer, bigint, smallint  INTEGER; INT for a sole primary-key column
//	                           without autoincrement (see below)
//	string                     VARCHAR(n), or TEXT without a length; CHAR(n) when fixed
//	                           (SQLite neither pads nor truncates: TEXT affinity)
//	text, json, uuid, enum     TEXT (uuid in its 36-character form; enum with a CHECK)
//	boolean                    BOOLEAN (stored as 0 and 1)
//	float, double              REAL
//	decimal                    DECIMAL(p,s), or DECIMAL without a precision:
//	                           NUMERIC affinity, so values compare, sort and
//	                           add up as numbers (see EncodeArgs for what is
//	                           kept exactly)
//	date, time, timestamp      DATE, TIME, TIMESTAMP
//	bytes                      BLOB
//
// A column declared with exactly the type name INTEGER that is a table's
// only primary-key column is an alias of the rowid, which SQLite fills in
// when an insert leaves it out: dlayer's autoincrement. A sole integer key
// without autoincrement is therefore declared INT, which has the same
// (INTEGER) affinity but is an ordinary column, and Inspect reads exactly
// this distinction back.
func ColumnType(c *spec.Column) (string, error) {
	if c == nil {
		return "", errors.New("column type: nil column")
	}
	if c.Type.Kind == spec.TypeNative {
		if n := c.Type.Native["sqlite"]; n != "" {
			return n, nil
		}
		return "", fmt.Errorf("sqlite: native type has no sqlite entry")
	}
	if c.Type.Kind == spec.TypeArray {
		return "", fmt.Errorf("sqlite: no array type")
	}
	t := c.Type
	switch t.Kind {
	case spec.TypeInteger, spec.TypeBigInt, spec.TypeSmallInt:
		if soleKey(c) && !c.Autoincrement {
			return "INT", nil
		}
		return "INTEGER", nil
	case spec.TypeString:
		if t.Fixed && t.Length > 0 {
			return "CHAR(" + strconv.Itoa(t.Length) + ")", nil
		}
		if t.Length > 0 {
			return "VARCHAR(" + strconv.Itoa(t.Length) + ")", nil
		}
		return "TEXT", nil
	case spec.TypeText, spec.TypeJSON, spec.TypeUUID, spec.TypeEnum:
		return "TEXT", nil
	case spec.TypeDecimal:
		if t.Precision > 0 {
			return "DECIMAL(" + strconv.Itoa(t.Precision) + "," + strconv.Itoa(t.Scale) + ")", nil
		}
		return "DECIMAL", nil
	case spec.TypeBoolean:
		return "BOOLEAN", nil
	case spec.TypeFloat, spec.TypeDouble:
		return "REAL", nil
	case spec.TypeDate:
		return "DATE", nil
	case spec.TypeTime:
		return "TIME", nil
	case spec.TypeTimestamp:
		return "TIMESTAMP", nil
	case spec.TypeBytes:
		return "BLOB", nil
	}
	return "", fmt.Errorf("sqlite: no type for %s", t.Kind)
}

// soleKey reports whether c is its table's only primary-key column.
func soleKey(c *spec.Column) bool {
	if !c.PrimaryKey {
		return false
	}
	if c.Table == nil {
		return true
	}
	return len(c.Table.PrimaryKey) == 1 && c.Table.PrimaryKey[0] == c
}
