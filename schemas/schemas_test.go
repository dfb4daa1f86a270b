package schemas

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCompiled(t *testing.T) {
	s, err := Compiled()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Compiled()
	if err != nil || s2 != s {
		t.Fatalf("Compiled is not cached: %p %p %v", s, s2, err)
	}
	tests := []struct {
		name  string
		doc   string
		valid bool
	}{
		{name: "empty", doc: `{}`, valid: true},
		{name: "model", doc: `{"models": {"User": {"table": "users", "columns": {"id": "integer"}}}}`, valid: true},
		{name: "unknown top-level key", doc: `{"modles": {}}`, valid: false},
		{name: "model without table", doc: `{"models": {"User": {"columns": {"id": "integer"}}}}`, valid: false},
		{name: "bad identifier", doc: `{"models": {"User": {"table": "my table", "columns": {"id": "integer"}}}}`, valid: false},
		{name: "column map needs type", doc: `{"tables": {"t": {"columns": {"id": {"length": 3}}}}}`, valid: false},
		{name: "bad lazy", doc: `{"models": {"A": {"table": "a", "columns": {"id": "integer"}, "relationships": {"b": {"target": "B", "lazy": "eager"}}}}}`, valid: false},
		{name: "fk short form", doc: `{"tables": {"t": {"columns": {"a": {"type": "integer", "foreign_key": "u.id"}}}}}`, valid: true},
		{name: "fk bad short form", doc: `{"tables": {"t": {"columns": {"a": {"type": "integer", "foreign_key": "uid"}}}}}`, valid: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := json.NewDecoder(strings.NewReader(tt.doc))
			d.UseNumber()
			var v any
			if err := d.Decode(&v); err != nil {
				t.Fatal(err)
			}
			err := s.Validate(v)
			if (err == nil) != tt.valid {
				t.Fatalf("valid = %v, want %v (%v)", err == nil, tt.valid, err)
			}
		})
	}
}
