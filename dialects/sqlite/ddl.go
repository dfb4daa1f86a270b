package sqlite

import (
	"fmt"

	"github.com/dlayer/dlayer/dialects/sqlgen"
	"github.com/dlayer/dlayer/spec"
)

// uuidExpr generates a random (version 4) UUID in its text form; SQLite has
// no UUID function.
const uuidExpr = "(lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || " +
	"substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || " +
	"substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))))"

func ddlConfig() sqlgen.DDLConfig {
	return sqlgen.DDLConfig{
		ColumnType: ColumnType,
		EnumCheck:  true,
		// foreign_keys is ignored inside a transaction, where
		// defer_foreign_keys does the work instead; outside one, the
		// statements must run on one connection.
		CycleDropPrefix: []string{"PRAGMA foreign_keys = OFF", "PRAGMA defer_foreign_keys = ON"},
		CycleDropSuffix: []string{"PRAGMA foreign_keys = ON"},
		DecimalText:     true,
		Comments:        sqlgen.NoComments,
		Now: func(c *spec.Column) (string, error) {
			switch c.Type.Kind {
			case spec.TypeTimestamp:
				return "CURRENT_TIMESTAMP", nil
			case spec.TypeDate:
				return "CURRENT_DATE", nil
			case spec.TypeTime:
				return "CURRENT_TIME", nil
			}
			return "", fmt.Errorf("now is not a default for a %s column", c.Type.Kind)
		},
		UUID: func(c *spec.Column) (string, error) {
			if c.Type.Kind != spec.TypeUUID && !c.Type.Kind.IsTextual() {
				return "", fmt.Errorf("uuid is not a default for a %s column", c.Type.Kind)
			}
			return uuidExpr, nil
		},
	}
}
