package mysql

import (
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// columnChecks reports computed columns declared NOT NULL (approximated:
// MariaDB refuses it) and fixed strings over 255 characters (refused).
func columnChecks(s *spec.Schema) spec.Diagnostics {
	return dialects.RunChecks(s, dialects.NoPostgresCasts("mysql"),
		dialects.ComputedNullable("mysql"), dialects.FixedMaxLength("mysql", 255))
}
