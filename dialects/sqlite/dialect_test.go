package sqlite_test

import (
	"flag"
	"testing"

	"github.com/dlayer/dlayer/dialects/internal/dialecttest"
	"github.com/dlayer/dlayer/dialects/sqlite"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestCompileGolden(t *testing.T) { dialecttest.CompileGolden(t, sqlite.New(), *update) }

func TestDDLGolden(t *testing.T) { dialecttest.DDLGolden(t, sqlite.New(), *update) }

func TestInjection(t *testing.T) { dialecttest.Injection(t, sqlite.New()) }

func TestHostileIdentifiers(t *testing.T) { dialecttest.HostileIdentifiers(t, sqlite.New()) }
