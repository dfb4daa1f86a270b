package sqlite

import (
	"database/sql/driver"
	"strconv"
	"strings"

	"modernc.org/sqlite"
)

// FoldFunc is the SQL function the dialect folds case with to emulate
// ILIKE: SQLite's own LOWER folds ASCII letters only, so "ÉCOLE" would not
// match "école". The package registers it with modernc.org/sqlite for every
// connection the driver opens; it lowers text with Go's Unicode case
// mapping (as PostgreSQL's ILIKE and MySQL's LOWER do).
const FoldFunc = "dlayer_lower"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(FoldFunc, 1, fold)
}

func fold(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	switch v := args[0].(type) {
	case nil:
		return nil, nil
	case string:
		return strings.ToLower(v), nil
	case []byte:
		return strings.ToLower(string(v)), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	}
	return nil, nil
}
