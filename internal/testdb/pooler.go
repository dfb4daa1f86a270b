package testdb

import (
	"os"
	"testing"
)

// PgBouncerEnv holds the URL of a pgbouncer in transaction-pooling mode in
// front of the test PostgreSQL server (scripts/pgbouncer.sh writes it).
const PgBouncerEnv = "DLAYER_TEST_PGBOUNCER_URL"

// PgBouncerURL returns the pgbouncer URL for t. When the variable is unset
// the test is skipped with a loud message, or fails when CI=true.
func PgBouncerURL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(PgBouncerEnv); u != "" {
		return u
	}
	Unavailable(t, "pgbouncer", PgBouncerEnv+" is not set. "+
		"Run scripts/pgbouncer.sh start and `source .dbs/pgbouncer.env` to test through a real pooler.")
	return ""
}
