package testdb

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
		Unavailable(t, name, v+" is not set. "+
			"Run scripts/dbs.sh start and `source .dbs/env` to test against a real "+name+" server.")
	default:
		t.Fatalf("testdb: unknown database %q (want one of %v)", name, Names)
	}
	return ""
}

// Unavailable skips t with a loud "!!! WHAT TESTS NOT RUN: why" message that
// also shows in plain `go test ./...` output (see announce), or fails t when
// CI=true, where a suite that cannot run is a failure.
func Unavailable(t testing.TB, what, why string) {
	t.Helper()
	msg := "!!! " + what + " TESTS NOT RUN: " + why
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: a skipped suite is a failure)")
	}
	announce(what, why)
	t.Skip(msg)
}

var announced sync.Map // database name → struct{}

// announce makes a skipped suite visible in plain `go test ./...`
// output, which shows nothing of a passing package but its "ok" line: once
// per test binary and database, it writes one line to the go command's own
// standard error when that is a terminal or a pipe (Linux only; elsewhere,
// and with -v, the skip message itself is what shows).
func announce(what, why string) {
	if _, dup := announced.LoadOrStore(what, struct{}{}); dup {
		return
	}
	ppid := os.Getppid()
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", ppid))
	if err != nil || strings.TrimSpace(string(comm)) != "go" {
		return
	}
	f, err := os.OpenFile(fmt.Sprintf("/proc/%d/fd/2", ppid), os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.Mode()&(os.ModeCharDevice|os.ModeNamedPipe) == 0 {
		return // a regular file: writing through a second descriptor would overwrite go's own output
	}
	pkg := strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
	fmt.Fprintf(f, "!!! %s: %s TESTS NOT RUN: %s\n", pkg, what, why)
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
