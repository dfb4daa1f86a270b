package schemas

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCompiledProject(t *testing.T) {
	s, err := CompiledProject()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		doc   string
		valid bool
	}{
		{name: "empty", doc: `{}`, valid: true},
		{name: "full", doc: `{"models": "models", "migrations": "db/migrations", "dialect": "postgres", "env": "dev",
			"environments": {"dev": {"url": "sqlite:dev.db", "dialect": "sqlite"}, "ci": {"url": "${DATABASE_URL}"}}}`, valid: true},
		{name: "unknown key", doc: `{"model": "models"}`, valid: false},
		{name: "unknown dialect", doc: `{"dialect": "oracle"}`, valid: false},
		{name: "empty models", doc: `{"models": ""}`, valid: false},
		{name: "environment not a map", doc: `{"environments": {"dev": "sqlite:dev.db"}}`, valid: false},
		{name: "unknown environment key", doc: `{"environments": {"dev": {"uri": "x"}}}`, valid: false},
		{name: "bad environment name", doc: `{"environments": {"1dev": {"url": "x"}}}`, valid: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any
			if err := json.NewDecoder(strings.NewReader(tt.doc)).Decode(&v); err != nil {
				t.Fatal(err)
			}
			err := s.Validate(v)
			if (err == nil) != tt.valid {
				t.Fatalf("valid = %v, want %v (%v)", err == nil, tt.valid, err)
			}
		})
	}
}
