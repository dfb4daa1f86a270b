package sqlite

import (
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

var _ dialects.SchemaChecker = (*Dialect)(nil)

// schemaChecks are the rules this dialect applies to a schema before it
// creates it (dlayer validate --dialect sqlite, dlayer ddl, CreateAll).
var schemaChecks = []dialects.SchemaCheck{
	columnChecks,
	checkNames,
	checkDecimals,
	checkTypes,
}

// CheckSchema reports what of s this dialect refuses or approximates.
func (d *Dialect) CheckSchema(s *spec.Schema) spec.Diagnostics {
	return dialects.RunChecks(s, schemaChecks...)
}
