// Package roundtrip is test support: it runs the round trip an existing
// database must survive (inspect → YAML → load → dialect checks → diff
// against the database → DDL on another database → inspect → the same
// YAML) for a dialect's own tests. It sits above migrate and loader, so
// only tests import it.
package roundtrip
