package postgres_test

import (
	"testing"

	"github.com/dlayer/dlayer/dialects/postgres"
)

func TestRedactErrorText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"invalid input", `run INSERT …: ERROR: invalid input syntax for type integer: "PW1" (SQLSTATE 22P02)`,
			`run INSERT …: ERROR: invalid input syntax for type integer: "[redacted]" (SQLSTATE 22P02)`},
		{"quotes inside", `ERROR: invalid input syntax for type uuid: "a" b "c" (SQLSTATE 22P02)`,
			`ERROR: invalid input syntax for type uuid: "[redacted]" (SQLSTATE 22P02)`},
		{"out of range", `ERROR: value "99999999999" is out of range for type integer (SQLSTATE 22003)`,
			`ERROR: value "[redacted]" is out of range for type integer (SQLSTATE 22003)`},
		{"enum", `ERROR: invalid input value for enum status: "secret" (SQLSTATE 22P02)`,
			`ERROR: invalid input value for enum status: "[redacted]" (SQLSTATE 22P02)`},
		{"constraint keeps identifiers", `ERROR: duplicate key value violates unique constraint "uq" (SQLSTATE 23505)`,
			`ERROR: duplicate key value violates unique constraint "uq" (SQLSTATE 23505)`},
		{"pgx encoding", `failed to encode args[0]: unable to encode "secret" into binary format for int8 (OID 20): bad`,
			`failed to encode args[0]: unable to encode [redacted] into binary format for int8 (OID 20): bad`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := postgres.RedactErrorText(tt.in); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
