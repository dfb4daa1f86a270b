package postgres

import (
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// columnChecks reports virtual computed columns, fulltext indexes and enum
// values over 63 bytes (refused), unsigned columns and server_onupdate (approximated).
func columnChecks(s *spec.Schema) spec.Diagnostics {
	return dialects.RunChecks(s,
		dialects.StoredComputedOnly("postgres"), dialects.NoUnsigned("postgres", false),
		dialects.NoServerOnUpdate("postgres"), dialects.NoFulltext("postgres"),
		dialects.EnumLabelBytes("postgres", 63),
		dialects.NoBackquotes("postgres"))
}
