package mysql

import (
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// typeChecks refuse what mysql cannot hold: native types of other databases,
// arrays and partitioned tables.
var typeChecks = []dialects.SchemaCheck{
	dialects.CheckNative("mysql"),
	dialects.CheckNoArrays("mysql"),
	dialects.CheckNoPartitions("mysql"),
	dialects.CheckNoMaterializedViews("mysql"),
}

// checkTypes runs typeChecks (one entry of schemaChecks).
func checkTypes(s *spec.Schema) spec.Diagnostics { return dialects.RunChecks(s, typeChecks...) }
