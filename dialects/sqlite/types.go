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
//	integer, bigint, smallint  INTEGER (an INTEGER PRIMARY KEY is the rowid)
//	string                     VARCHAR(n), or TEXT without a length; CHAR(n) when fixed
//	                           (SQLite neither pads nor truncates: TEXT affinity)
//	text, json, uuid, enum     TEXT (uuid in its 36-character form; enum with a CHECK)
//	boolean                    BOOLEAN (stored as 0 and 1)
//	float, double              REAL
//	decimal                    TEXT, so digits beyond float64 precision
//	                           survive (NUMERIC affinity would round them)
//	date, time, timestamp      DATE, TIME, TIMESTAMP
//	bytes                      BLOB
func ColumnType(c *spec.Column) (string, error) {
	if c == nil {
		return "", errors.New("column type: nil column")
	}
	t := c.Type
	switch t.Kind {
	case spec.TypeInteger, spec.TypeBigInt, spec.TypeSmallInt:
		return "INTEGER", nil
	case spec.TypeString:
		if t.Fixed && t.Length > 0 {
			return "CHAR(" + strconv.Itoa(t.Length) + ")", nil
		}
		if t.Length > 0 {
			return "VARCHAR(" + strconv.Itoa(t.Length) + ")", nil
		}
		return "TEXT", nil
	case spec.TypeText, spec.TypeJSON, spec.TypeUUID, spec.TypeEnum, spec.TypeDecimal:
		return "TEXT", nil
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
