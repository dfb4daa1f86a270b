package mysql

import (
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/sqlgen"
)

// Features are the capabilities MySQL 8 and MariaDB 10.11 share. There is no
// RETURNING (MariaDB has INSERT … RETURNING, MySQL does not): inserts report
// generated keys through LastInsertID, consecutive for a multi-row INSERT
// (ConsecutiveInsertKeys). A pool opened from a URL gets a dialect for the
// server it reached instead (see ServerFeatures): InsertReturning on
// MariaDB ≥ 10.5, no ConsecutiveInsertKeys where the server's settings do
// not promise them. NULLS FIRST/LAST is emulated by
// ordering on "x IS NULL" first, ILIKE by LOWER(x) LIKE LOWER(pattern), and
// upserts use ON DUPLICATE KEY UPDATE col = VALUES(col), which both servers
// accept (MySQL 8's "AS new" row alias is not in MariaDB).
const Features = dialects.UpsertOnDuplicateKey | dialects.Savepoints | dialects.WindowFunctions |
	dialects.LastInsertID | dialects.MultiRowInsert | dialects.ForUpdate | dialects.AlterAddConstraint |
	dialects.NativeEnum | dialects.IfNotExists | dialects.ConsecutiveInsertKeys

// MaxParams is the most placeholders a prepared statement may hold.
const MaxParams = 65535

// Dialect is the MySQL/MariaDB SQL flavour. It is safe for concurrent use.
type Dialect struct {
	*sqlgen.Base
}

var (
	_ dialects.Dialect       = (*Dialect)(nil)
	_ dialects.SchemaDDL     = (*Dialect)(nil)
	_ dialects.ColumnDefiner = (*Dialect)(nil)
)

var std = New()

// New returns the MySQL/MariaDB dialect.
func New() *Dialect { return newWith(Features) }

// newWith returns the dialect with the given features.
func newWith(features dialects.Feature) *Dialect {
	return &Dialect{Base: sqlgen.New(sqlgen.Config{
		Name:             "mysql",
		Quote:            '`',
		Placeholders:     sqlgen.Question,
		Features:         features,
		MaxParams:        MaxParams,
		BackslashEscapes: true,
		HashComments:     true,
		// The largest LIMIT MySQL accepts stands for "no limit".
		OffsetOnlyLimit:     "18446744073709551615",
		DefaultValuesInsert: "() VALUES ()",
		ExcludedFunc:        true,
		DDL:                 ddlConfig(),
	})}
}

// Default returns a shared MySQL dialect value.
func Default() *Dialect { return std }

// TranslateError maps a driver error to dlayer's normalised errors (see the
// package function TranslateError).
func (d *Dialect) TranslateError(err error) error { return TranslateError(err) }
