package main

import (
	"strings"
	"testing"
)

// TestLoadBudgetFromEnvironment: DLAYER_MAX_NODES lowers or raises the
// loader's node budget for every command that loads a schema, and a bad
// value is a usage error that names the variable.
func TestLoadBudgetFromEnvironment(t *testing.T) {
	dir := writeFiles(t, map[string]string{"models.yaml": `
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 50}
`})
	tests := []struct {
		name, value string
		code        int
		want        string
	}{
		{"default budget", "", exitOK, "valid"},
		{"raised", "1000000", exitOK, "valid"},
		{"too small for the schema", "5", exitFail, "DLAYER_MAX_NODES"},
		{"not a number", "lots", exitUsage, `DLAYER_MAX_NODES="lots"`},
		{"zero", "0", exitUsage, "positive whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DLAYER_MAX_NODES", tt.value)
			for _, cmd := range [][]string{{"validate", dir}, {"ddl", "--dialect", "sqlite", dir}} {
				code, out, errOut := runCLI(t, cmd...)
				if code != tt.code {
					t.Fatalf("%v: exit %d, want %d\n%s%s", cmd, code, tt.code, out, errOut)
				}
				if cmd[0] == "validate" && !strings.Contains(out+errOut, tt.want) {
					t.Errorf("%v: output lacks %q:\n%s%s", cmd, tt.want, out, errOut)
				}
			}
		})
	}
}
