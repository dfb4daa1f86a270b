package mysql

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dlayer/dlayer/spec"
)

// DefaultStringLength is the VARCHAR length of a string column declared
// without one: MySQL needs a length, and 255 characters keep a utf8mb4
// column (1,020 bytes) indexable within InnoDB's 3,072-byte key limit.
const DefaultStringLength = 255

// maxKeyChars is how many utf8mb4 characters fit InnoDB's 3,072-byte key.
const maxKeyChars = 768

// indexPrefix is how many leading characters a plain index keeps of a
// column too long to index whole.
const indexPrefix = 255

// ColumnType maps a dlayer type to its MySQL/MariaDB type:
//
//	integer, bigint, smallint  INT, BIGINT, SMALLINT
//	string                     VARCHAR(n), VARCHAR(255) without a length
//	text                       LONGTEXT
//	boolean                    TINYINT(1)
//	float, double              FLOAT, DOUBLE
//	decimal                    DECIMAL(p,s), DECIMAL(65,30) without a precision
//	                           (MySQL's own default, DECIMAL(10,0), would drop fractions)
//	date                       DATE
//	time                       TIME(p), TIME(6) by default
//	timestamp                  DATETIME(p), DATETIME(6) by default; with
//	                           timezone, TIMESTAMP(p): MySQL's UTC-normalised type
//	                           (1970 to 2038; dlayer's session time zone is UTC).
//	                           precision: 0 writes DATETIME / TIMESTAMP (whole seconds)
//	string, fixed              CHAR(n)
//	unsigned (numeric types)   the type followed by UNSIGNED
//	uuid                       CHAR(36), the canonical text form (readable, and the
//	                           same form SQLite stores), with an ASCII binary collation
//	json                       JSON (on MariaDB an alias of LONGTEXT with a JSON_VALID check)
//	bytes                      VARBINARY(n), or LONGBLOB without a length
//	enum                       ENUM('a', …)
func ColumnType(c *spec.Column) (string, error) {
	if c == nil {
		return "", errors.New("column type: nil column")
	}
	s, err := columnType(c)
	if err == nil && c.Type.Unsigned && c.Type.Kind.IsNumeric() {
		s += " UNSIGNED"
	}
	return s, err
}

func columnType(c *spec.Column) (string, error) {
	if c.Type.Kind == spec.TypeNative {
		if n := c.Type.Native["mysql"]; n != "" {
			return n, nil
		}
		return "", fmt.Errorf("mysql: native type has no mysql entry")
	}
	if c.Type.Kind == spec.TypeArray {
		return "", fmt.Errorf("mysql: no array type")
	}
	t := c.Type
	switch t.Kind {
	case spec.TypeInteger:
		return "INT", nil
	case spec.TypeBigInt:
		return "BIGINT", nil
	case spec.TypeSmallInt:
		return "SMALLINT", nil
	case spec.TypeString:
		n := t.Length
		if n <= 0 {
			n = DefaultStringLength
		}
		if n > 16383 {
			return "", fmt.Errorf("mysql: string length %d is over 16383 characters; use text", n)
		}
		if t.Fixed {
			if n > 255 {
				return "", fmt.Errorf("mysql: fixed string length %d is over 255 characters", n)
			}
			return "CHAR(" + strconv.Itoa(n) + ")", nil
		}
		return "VARCHAR(" + strconv.Itoa(n) + ")", nil
	case spec.TypeText:
		return "LONGTEXT", nil
	case spec.TypeBoolean:
		return "TINYINT(1)", nil
	case spec.TypeFloat:
		return "FLOAT", nil
	case spec.TypeDouble:
		return "DOUBLE", nil
	case spec.TypeDecimal:
		p, s := t.Precision, t.Scale
		switch {
		case p == 0 && s == 0:
			return "DECIMAL(65,30)", nil
		case p < 1 || p > 65 || s < 0 || s > 30 || s > p:
			return "", fmt.Errorf("mysql: invalid decimal(%d,%d) (precision 1..65, scale 0..30)", p, s)
		}
		return "DECIMAL(" + strconv.Itoa(p) + "," + strconv.Itoa(s) + ")", nil
	case spec.TypeDate:
		return "DATE", nil
	case spec.TypeTime:
		return fraction("TIME", t)
	case spec.TypeTimestamp:
		if t.Timezone {
			return fraction("TIMESTAMP", t)
		}
		return fraction("DATETIME", t)
	case spec.TypeUUID:
		return "CHAR(36) CHARACTER SET ascii COLLATE ascii_bin", nil
	case spec.TypeJSON:
		return "JSON", nil
	case spec.TypeBytes:
		if t.Length > 0 {
			if t.Length > 65532 {
				return "", fmt.Errorf("mysql: bytes length %d is over 65532", t.Length)
			}
			return "VARBINARY(" + strconv.Itoa(t.Length) + ")", nil
		}
		return "LONGBLOB", nil
	case spec.TypeEnum:
		if len(t.Values) == 0 {
			return "", errors.New("mysql: enum without values")
		}
		var b strings.Builder
		b.WriteString("ENUM(")
		for i, v := range t.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			lit, err := literal(v)
			if err != nil {
				return "", fmt.Errorf("mysql: enum value: %w", err)
			}
			b.WriteString(lit)
		}
		b.WriteString(")")
		return b.String(), nil
	}
	return "", fmt.Errorf("mysql: no type for %s", t.Kind)
}

// fraction writes a temporal type with fractional seconds, microseconds
// unless the column says otherwise (precision: 0 is whole seconds, written
// without a fraction as MySQL reads it back).
func fraction(name string, t spec.Type) (string, error) {
	p := t.Precision
	switch {
	case p < 0 || p > 6:
		return "", fmt.Errorf("mysql: %s precision %d is outside 0..6", name, p)
	case t.ZeroPrecision:
		return name, nil
	case p == 0:
		p = 6
	}
	return name + "(" + strconv.Itoa(p) + ")", nil
}

// keyColumn vets a column used in a key. LONGTEXT, LONGBLOB and over-long
// VARCHAR columns cannot be part of a primary, unique or foreign key in
// InnoDB (an exact key would need the whole value); in a plain index they are
// indexed by prefix. JSON columns cannot be indexed at all.
func keyColumn(c *spec.Column, unique bool) (int, error) {
	t := c.Type
	long := false
	switch t.Kind {
	case spec.TypeJSON:
		return 0, errors.New("mysql cannot index a json column")
	case spec.TypeText:
		long = true
	case spec.TypeBytes:
		long = t.Length <= 0 || t.Length > 3072
	case spec.TypeString:
		long = t.Length > maxKeyChars
	}
	if !long {
		return 0, nil
	}
	if unique {
		return 0, fmt.Errorf("mysql cannot use a %s column without a length of at most %d in a primary, unique or foreign key; declare it as string with a length", t.Kind, maxKeyChars)
	}
	return indexPrefix, nil
}

// literal writes s as a MySQL string literal: quotes and backslashes
// doubled (backslash is an escape character in MySQL's default SQL mode).
func literal(s string) (string, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return "", errors.New("a string literal cannot hold a NUL byte")
	}
	r := strings.NewReplacer(`'`, `''`, `\`, `\\`)
	return "'" + r.Replace(s) + "'", nil
}
