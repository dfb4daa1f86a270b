package postgres_test

import (
	"flag"
	"testing"

	"github.com/dlayer/dlayer/dialects/internal/dialecttest"
	"github.com/dlayer/dlayer/dialects/postgres"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestCompileGolden(t *testing.T) { dialecttest.CompileGolden(t, postgres.New(), *update) }

func TestDDLGolden(t *testing.T) { dialecttest.DDLGolden(t, postgres.New(), *update) }

func TestInjection(t *testing.T) { dialecttest.Injection(t, postgres.New()) }

func TestHostileIdentifiers(t *testing.T) { dialecttest.HostileIdentifiers(t, postgres.New()) }
