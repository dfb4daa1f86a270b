package postgres

import (
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// typeChecks refuse native types of other databases.
var typeChecks = []dialects.SchemaCheck{
	dialects.CheckNative("postgres"),
}

// checkTypes runs typeChecks (one entry of schemaChecks).
func checkTypes(s *spec.Schema) spec.Diagnostics { return dialects.RunChecks(s, typeChecks...) }
