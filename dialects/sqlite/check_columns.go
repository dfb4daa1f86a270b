package sqlite

import (
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// columnChecks reports fulltext indexes (refused), unsigned bigint columns and server_onupdate (approximated).
func columnChecks(s *spec.Schema) spec.Diagnostics {
	return dialects.RunChecks(s, dialects.NoPostgresCasts("sqlite"),
		dialects.NoUnsigned("sqlite", true), dialects.NoServerOnUpdate("sqlite"), dialects.NoFulltext("sqlite"))
}
