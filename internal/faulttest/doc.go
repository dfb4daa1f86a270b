// Package faulttest holds the fault suite: faults injected from outside the
// process under test, and what a user would check afterwards.
//
//   - a backend killed mid-stream (and mid-flush: orm's TestLostConnection);
//   - servers restarted (PostgreSQL, MariaDB) or writers SIGKILLed (SQLite)
//     under concurrent load, with an audit that every row a client saw
//     committed is there afterwards;
//   - `dlayer migrate up` SIGKILLed part-way, as a separate process, then
//     finished;
//   - several `dlayer migrate up` processes racing on one database;
//   - a PostgreSQL primary crashed and its synchronous standby promoted
//     while 8 writers use a multi-host URL (target_session_attrs=read-write),
//     with the same audit (TestPostgresFailover; the pair is started with
//     scripts/replica.sh on its own ports and directory).
//
// Restarts use private PostgreSQL and MariaDB instances the tests start in
// temporary directories on free ports (never the shared test servers); the
// other tests use fresh databases on the shared servers. Every wait has a
// deadline, so a hang fails the test instead of stalling the suite. With
// CI=true a test that cannot run (no server binaries, no shared servers)
// fails instead of skipping.
//
// The package has no non-test code.
package faulttest
