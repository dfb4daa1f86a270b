package mysql_test

import (
	"flag"
	"testing"

	"github.com/dlayer/dlayer/dialects/internal/dialecttest"
	"github.com/dlayer/dlayer/dialects/mysql"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestCompileGolden(t *testing.T) { dialecttest.CompileGolden(t, mysql.New(), *update) }

func TestDDLGolden(t *testing.T) { dialecttest.DDLGolden(t, mysql.New(), *update) }

func TestInjection(t *testing.T) { dialecttest.Injection(t, mysql.New()) }

func TestHostileIdentifiers(t *testing.T) { dialecttest.HostileIdentifiers(t, mysql.New()) }
