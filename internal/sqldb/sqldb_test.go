package sqldb

import "testing"

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		want int
	}{
		{"VARCHAR", kindText}, {"CHAR", kindText}, {"LONGTEXT", kindText}, {"text", kindText},
		{"ENUM", kindText}, {"DECIMAL", kindText}, {"NUMERIC", kindText}, {"TIME", kindText},
		{"JSON", kindJSON},
		{"BIGINT", kindPlain}, {"BLOB", kindPlain}, {"VARBINARY", kindPlain}, {"DATETIME", kindPlain},
		{"TIMESTAMP", kindPlain}, {"BOOLEAN", kindPlain}, {"", kindPlain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.name); got != tt.want {
				t.Errorf("classify(%q) = %d, want %d", tt.name, got, tt.want)
			}
		})
	}
}
