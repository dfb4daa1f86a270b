// Package enginetest is dlayer's shared behaviour suite: the same tests run
// against every database (SQLite, PostgreSQL, MySQL/MariaDB) through a real
// server. Each run creates its own uniquely named tables and drops them, so
// suites of several packages can share one server.
//
//	func TestPostgres(t *testing.T) {
//		enginetest.Run(t, enginetest.Config{Open: …, SlowQuery: "SELECT pg_sleep(10)"})
//	}
package enginetest
