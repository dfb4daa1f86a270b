package testdb

import (
	"os"
	"strings"
	"testing"
)

// GaleraEnv holds the URLs of the nodes of a MariaDB Galera cluster,
// separated by spaces (scripts/galera.sh writes it).
const GaleraEnv = "DLAYER_TEST_GALERA_URLS"

// GaleraURLs returns the URL of every node of the test Galera cluster
// (at least two). When the variable is unset the test is skipped with a
// loud message, or fails when CI=true.
func GaleraURLs(t testing.TB) []string {
	t.Helper()
	urls := strings.Fields(os.Getenv(GaleraEnv))
	if len(urls) >= 2 {
		return urls
	}
	why := GaleraEnv + " is not set"
	if len(urls) == 1 {
		why = GaleraEnv + " names one node, want the cluster's nodes"
	}
	Unavailable(t, "galera", why+". "+
		"Run scripts/galera.sh start and `source .dbs/galera.env` to test against a 3-node Galera cluster.")
	return nil
}
