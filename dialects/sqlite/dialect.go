package sqlite

import (
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/sqlgen"
)

// Features are SQLite's capabilities (3.35 or later, as bundled by
// modernc.org/sqlite): RETURNING, ON CONFLICT upserts and NULLS FIRST/LAST,
// but no ILIKE (emulated with FoldFunc, a Unicode-aware LOWER), no
// SELECT … FOR UPDATE (a write transaction locks the whole database, so the
// clause is dropped) and no ALTER TABLE … ADD CONSTRAINT (SQLite does not
// check foreign keys at CREATE time, so every key is written inline).
const Features = dialects.Returning | dialects.UpsertOnConflict | dialects.Savepoints |
	dialects.WindowFunctions | dialects.TransactionalDDL | dialects.NullsOrdering |
	dialects.LastInsertID | dialects.MultiRowInsert | dialects.IfNotExists | dialects.PartialIndex

// MaxParams is SQLITE_MAX_VARIABLE_NUMBER of SQLite 3.32 and later.
const MaxParams = 32766

// Dialect is SQLite's SQL flavour. It is safe for concurrent use.
type Dialect struct {
	*sqlgen.Base
}

var (
	_ dialects.Dialect       = (*Dialect)(nil)
	_ dialects.SchemaDDL     = (*Dialect)(nil)
	_ dialects.ColumnDefiner = (*Dialect)(nil)
)

var std = New()

// New returns the SQLite dialect.
func New() *Dialect {
	return &Dialect{Base: sqlgen.New(sqlgen.Config{
		Name:                "sqlite",
		Quote:               '"',
		Placeholders:        sqlgen.Question,
		Features:            Features,
		MaxParams:           MaxParams,
		OffsetOnlyLimit:     "-1",
		DefaultValuesInsert: "DEFAULT VALUES",
		FoldFunc:            FoldFunc,
		DDL:                 ddlConfig(),
	})}
}

// Default returns a shared SQLite dialect value.
func Default() *Dialect { return std }

// TranslateError maps a driver error to dlayer's normalised errors (see the
// package function TranslateError).
func (d *Dialect) TranslateError(err error) error { return TranslateError(err) }
