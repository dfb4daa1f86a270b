// Package galeratest runs dlayer against a real 3-node MariaDB Galera
// cluster (multi-primary, synchronous replication): the ORM writing through
// two nodes at once, with certification conflicts retried by
// Session.Transaction, and migrators spread over the nodes under the table
// lock. The cluster comes from scripts/galera.sh (DLAYER_TEST_GALERA_URLS);
// without it the tests skip loudly, or fail under CI=true.
package galeratest
