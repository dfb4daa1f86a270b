package mysql_test

import (
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects/mysql"
)

func TestRedactErrorText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"duplicate", "Error 1062 (23000): Duplicate entry 'TOKEN-x' for key 'uq_users_email'",
			"Error 1062 (23000): Duplicate entry '[redacted]' for key 'uq_users_email'"},
		{"composite duplicate", "Error 1062 (23000): Duplicate entry 'a-b' for key 'users.uq_a_b'",
			"Error 1062 (23000): Duplicate entry '[redacted]' for key 'users.uq_a_b'"},
		{"incorrect integer", "Error 1366 (22007): Incorrect integer value: 'PW1' for column `db`.`t`.`age` at row 1",
			"Error 1366 (22007): Incorrect integer value: '[redacted]' for column `db`.`t`.`age` at row 1"},
		{"incorrect string", `Error 1366 (22007): Incorrect string value: '\xF0\x9F' for column 'c' at row 1`,
			"Error 1366 (22007): Incorrect string value: '[redacted]' for column 'c' at row 1"},
		{"truncated", "Error 1292 (22007): Truncated incorrect DOUBLE value: 'secret'",
			"Error 1292 (22007): Truncated incorrect DOUBLE value: '[redacted]'"},
		{"no value", "Error 1048 (23000): Column 'email' cannot be null", "Error 1048 (23000): Column 'email' cannot be null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mysql.RedactErrorText(tt.in)
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if strings.Contains(got, "secret") || strings.Contains(got, "TOKEN") {
				t.Errorf("a value is left: %q", got)
			}
		})
	}
}
