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

func TestInlineRefs(t *testing.T) {
	out, err := inlineRefs([]byte(`{"definitions": {"id": {"type": "string"}, "loop": {"items": {"$ref": "#/definitions/loop"}}},
		"properties": {"a": {"$ref": "#/definitions/id"}, "b": {"$ref": "#/definitions/loop"}, "c": {"$ref": "#/definitions/id", "minLength": 1}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	props := v["properties"].(map[string]any)
	if a := props["a"].(map[string]any); a["type"] != "string" || a["$ref"] != nil {
		t.Errorf("a not inlined: %v", a)
	}
	if c := props["c"].(map[string]any); c["$ref"] == nil {
		t.Errorf("a $ref with sibling keywords must stay: %v", c)
	}
	if !strings.Contains(string(out), `"$ref":"#/definitions/loop"`) {
		t.Errorf("a self-referential definition must keep a $ref at the depth cap: %s", out)
	}
}
