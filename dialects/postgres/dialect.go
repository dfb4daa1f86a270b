package postgres

import (
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/sqlgen"
)

// Features are PostgreSQL's capabilities.
const Features = dialects.Returning | dialects.UpsertOnConflict | dialects.Savepoints |
	dialects.ILike | dialects.WindowFunctions | dialects.TransactionalDDL | dialects.NullsOrdering |
	dialects.MultiRowInsert | dialects.CopyFrom | dialects.ForUpdate | dialects.AlterAddConstraint |
	dialects.NativeEnum | dialects.DropTableCascade | dialects.IfNotExists | dialects.PartialIndex | dialects.ArrayParams

// MaxParams is the most parameters the extended protocol carries (a 16-bit
// count).
const MaxParams = 65535

// Dialect is PostgreSQL's SQL flavour. It is safe for concurrent use.
type Dialect struct {
	*sqlgen.Base
}

var (
	_ dialects.Dialect       = (*Dialect)(nil)
	_ dialects.SchemaDDL     = (*Dialect)(nil)
	_ dialects.ColumnDefiner = (*Dialect)(nil)
)

var std = New()

// New returns the PostgreSQL dialect.
func New() *Dialect {
	return &Dialect{Base: sqlgen.New(sqlgen.Config{
		Name:                "postgres",
		Quote:               '"',
		Placeholders:        sqlgen.Dollar,
		Features:            Features,
		MaxParams:           MaxParams,
		DollarQuotes:        true,
		DefaultValuesInsert: "DEFAULT VALUES",
		DDL:                 ddlConfig(),
	})}
}

// Default returns a shared PostgreSQL dialect value.
func Default() *Dialect { return std }

// TranslateError maps a driver error to dlayer's normalised errors (see the
// package function TranslateError).
func (d *Dialect) TranslateError(err error) error { return TranslateError(err) }
