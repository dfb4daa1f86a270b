// Package skipdemo is run by internal/testdb's tests, with no database
// configured, to check that a skipped suite shows in plain go test output.
package skipdemo

import (
	"testing"

	"github.com/dlayer/dlayer/internal/testdb"
)

func TestNeedsPostgres(t *testing.T) { testdb.URL(t, testdb.Postgres) }
