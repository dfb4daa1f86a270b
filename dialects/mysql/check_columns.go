package mysql

import (
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// columnChecks reports computed columns declared NOT NULL (approximated: MariaDB refuses it).
func columnChecks(s *spec.Schema) spec.Diagnostics {
	return dialects.RunChecks(s,
		dialects.ComputedNullable("mysql"))
}
