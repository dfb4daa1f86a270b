// Package testdb hands tests the URLs of real database servers. SQLite is
// always available; PostgreSQL and MySQL/MariaDB come from the environment
// (DLAYER_TEST_POSTGRES_URL, DLAYER_TEST_MYSQL_URL, set by `source
// .dbs/env` after scripts/dbs.sh). A missing server skips the test with a
// loud message, except under CI=true, where it fails: a skipped database
// suite is a failure in CI.
package testdb
