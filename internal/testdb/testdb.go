package testdb

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// The database names, in the order suites run them.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
	MySQL    = "mysql"
)

// Names lists every database a behaviour suite runs against.
var Names = []string{SQLite, Postgres, MySQL}

// EnvVar returns the environment variable holding name's URL ("" for
// SQLite, which needs none).
func EnvVar(name string) string {
	switch name {
	case Postgres:
		return "DLAYER_TEST_POSTGRES_URL"
	case MySQL:
		return "DLAYER_TEST_MYSQL_URL"
	}
	return ""
}

// URL returns the URL of a database of the named kind for t. SQLite gets a
// fresh file under t.TempDir(). For the servers it reads the environment;
// when the variable is unset the test is skipped with a loud message, or
// fails when CI=true.
func URL(t testing.TB, name string) string {
	t.Helper()
	switch name {
	case SQLite:
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	case Postgres, MySQL:
		v := EnvVar(name)
		if u := os.Getenv(v); u != "" {
			return u
		}
		msg := "!!! " + name + " TESTS NOT RUN: " + v + " is not set. " +
			"Run scripts/dbs.sh and `source .dbs/env` to test against a real " + name + " server."
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: a skipped database suite is a failure)")
		}
		t.Skip(msg)
	default:
		t.Fatalf("testdb: unknown database %q (want one of %v)", name, Names)
	}
	return ""
}

// Suffix returns a short random suffix for table and constraint names, so
// tests running in parallel against one server do not collide.
func Suffix() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b[:])
}
