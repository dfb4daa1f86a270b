package mysql

import (
	"fmt"
	"strconv"

	"github.com/dlayer/dlayer/dialects/sqlgen"
	"github.com/dlayer/dlayer/spec"
)

// TableOptions follow every CREATE TABLE: InnoDB (for foreign keys and
// transactions), utf8mb4 (all of Unicode, emoji included) with the binary
// collation, so that equality, uniqueness and ordering of text behave as
// in PostgreSQL and SQLite (case- and accent-sensitive); ILIKE-style
// matching uses LOWER on both sides.
const TableOptions = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"

func fsp(c *spec.Column) string {
	p := c.Type.Precision
	if c.Type.ZeroPrecision {
		return "0"
	}
	if p <= 0 || p > 6 {
		p = 6
	}
	return strconv.Itoa(p)
}

func ddlConfig() sqlgen.DDLConfig {
	return sqlgen.DDLConfig{
		ColumnType:    ColumnType,
		AutoIncrement: "AUTO_INCREMENT",
		Comments:      sqlgen.InlineComment,
		TableOptions:  TableOptions,
		NoSetDefault:  true,
		Fulltext:      "FULLTEXT",
		// MariaDB refuses NOT NULL on a generated column (MySQL takes it).
		ComputedNullable: true,
		OnUpdateNow: func(c *spec.Column) (string, error) {
			if c.Type.Kind != spec.TypeTimestamp {
				return "", fmt.Errorf("on update now needs a timestamp column, not %s", c.Type.Kind)
			}
			return "ON UPDATE CURRENT_TIMESTAMP(" + fsp(c) + ")", nil
		},
		KeyColumn: keyColumn,
		ParenLiteral: func(c *spec.Column) bool {
			k := c.Type.Kind
			return k == spec.TypeText || k == spec.TypeJSON || (k == spec.TypeBytes && c.Type.Length <= 0)
		},
		Now: func(c *spec.Column) (string, error) {
			switch c.Type.Kind {
			case spec.TypeTimestamp:
				// The precision must match the column's.
				return "CURRENT_TIMESTAMP(" + fsp(c) + ")", nil
			case spec.TypeDate:
				return "(CURRENT_DATE)", nil
			case spec.TypeTime:
				return "(CURRENT_TIME(" + fsp(c) + "))", nil
			}
			return "", fmt.Errorf("now is not a default for a %s column", c.Type.Kind)
		},
		UUID: func(c *spec.Column) (string, error) {
			if c.Type.Kind != spec.TypeUUID && c.Type.Kind != spec.TypeString && c.Type.Kind != spec.TypeText {
				return "", fmt.Errorf("uuid is not a default for a %s column", c.Type.Kind)
			}
			return "(UUID())", nil
		},
		DropForeignKey: func(g *sqlgen.Base, fk *spec.ForeignKey) string {
			return "ALTER TABLE " + g.QuoteIdent(fk.Table.Name) + " DROP FOREIGN KEY " + g.QuoteIdent(sqlgen.FKName(fk))
		},
	}
}
