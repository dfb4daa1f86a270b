package lint_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/migrate/lint"
)

// TestBadInput feeds the linter empty, truncated and garbled files: each
// returns findings or an error, never a panic.
func TestBadInput(t *testing.T) {
	inputs := []string{"", "-- +dlayer Up\n", "-- +dlayer Up\nALTER", "-- +dlayer Up\nALTER TABLE", "-- +dlayer Up\nALTER TABLE t ADD",
		"-- +dlayer Up\nALTER TABLE t ADD COLUMN", "-- +dlayer Up\nALTER TABLE t DROP", "-- +dlayer Up\nALTER TABLE t ALTER COLUMN c",
		"-- +dlayer Up\nCREATE INDEX ON", "-- +dlayer Up\nCREATE UNIQUE INDEX", "-- +dlayer Up\nDROP TABLE", "-- +dlayer Up\nRENAME TABLE",
		"-- +dlayer Up\nALTER TABLE t CHANGE", "-- +dlayer Up\nALTER TABLE t RENAME", "-- +dlayer Up\nALTER TABLE t ADD c INT DEFAULT",
		"-- +dlayer Up\nALTER TABLE t ) ( , ;;;", "-- +dlayer Up\n/* open", "-- +dlayer Up\n$a$ open", "-- +dlayer Up\n\"open",
		"-- +dlayer destructive: drop column\n-- +dlayer destructive: alter column\n-- +dlayer Up\n", "\x00\xff-- +dlayer Up\n\x00;",
		"-- +dlayer Up\n" + strings.Repeat("(", 10000)}
	for _, in := range inputs {
		for _, d := range []string{"", "postgres", "mysql", "sqlite"} {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("File(%q, %s) panicked: %v", in, d, r)
					}
				}()
				_, _ = lint.File("x.sql", []byte(in), lint.Options{Dialect: d})
			}()
		}
	}
	if err := lint.Write(&bytes.Buffer{}, "json", nil, 0); err != nil {
		t.Error(err)
	}
	if _, ok := lint.RuleByCode(""); ok {
		t.Error("RuleByCode(\"\") found a rule")
	}
}
