package sqlite

import (
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// typeChecks refuse what sqlite cannot hold: native types of other databases,
// arrays and partitioned tables.
var typeChecks = []dialects.SchemaCheck{
	dialects.CheckNative("sqlite"),
	dialects.CheckNoArrays("sqlite"),
	dialects.CheckNoPartitions("sqlite"),
	dialects.CheckNoMaterializedViews("sqlite"),
}

// checkTypes runs typeChecks (one entry of schemaChecks).
func checkTypes(s *spec.Schema) spec.Diagnostics { return dialects.RunChecks(s, typeChecks...) }
