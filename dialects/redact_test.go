package dialects_test

import (
	"testing"

	"github.com/dlayer/dlayer/dialects"
)

func TestRedactBetween(t *testing.T) {
	tests := []struct {
		name, in, open string
		ends           []string
		want           string
	}{
		{"one", "Duplicate entry 'sec' for key 'k'", "entry '", []string{"' for key"}, "Duplicate entry '[redacted]' for key 'k'"},
		{"end inside the value", "entry 'a' for key 'b' for key 'k'", "entry '", []string{"' for key"}, "entry '[redacted]' for key 'k'"},
		{"no end", "entry 'secret", "entry '", []string{"' for key"}, "entry '[redacted]"},
		{"first end found wins", "value: 'sec' for column 'c' at row 1", "value: '", []string{"' for column", "'"}, "value: '[redacted]' for column 'c' at row 1"},
		{"no open", "nothing here", "entry '", []string{"'"}, "nothing here"},
		{"twice", "entry 'a' for key 'k'; entry 'b' for key 'j'", "entry '", []string{"' for key"}, "entry '[redacted]' for key 'j'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dialects.RedactBetween(tt.in, tt.open, tt.ends...); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConstraintErrorSafe(t *testing.T) {
	ce := &dialects.ConstraintError{Kind: dialects.Unique, Constraint: "uq", Table: "t", Columns: []string{"email"},
		Err: errString("Duplicate entry 'secret' for key 'uq'")}
	if got, want := ce.Safe(), `unique constraint violated "uq" on table "t" (columns email)`; got != want {
		t.Errorf("Safe() = %q, want %q", got, want)
	}
	if ce.Err == nil {
		t.Error("Safe changed the error")
	}
}

type errString string

func (e errString) Error() string { return string(e) }
