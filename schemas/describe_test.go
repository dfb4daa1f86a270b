package schemas

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// TestEverythingDescribed walks the published schema: every property of
// every object, every definition and every schema with an enum must say
// what it is, and every enum value must have its own description (plain
// and Markdown, as yaml-language-server reads enumDescriptions and
// markdownEnumDescriptions), so an editor never shows a bare key or value.
func TestEverythingDescribed(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(JSON, &doc); err != nil {
		t.Fatal(err)
	}
	var problems []string
	nProps, nEnums := 0, 0
	described := func(s map[string]any) bool {
		d, _ := s["description"].(string)
		return strings.TrimSpace(d) != ""
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if props, ok := x["properties"].(map[string]any); ok {
				for name, p := range props {
					nProps++
					ps, ok := p.(map[string]any)
					if !ok || !described(ps) {
						problems = append(problems, fmt.Sprintf("%s/properties/%s: no description", path, name))
					}
				}
			}
			if enum, ok := x["enum"].([]any); ok {
				nEnums += len(enum)
				for _, key := range []string{"enumDescriptions", "markdownEnumDescriptions"} {
					ds, _ := x[key].([]any)
					if len(ds) != len(enum) {
						problems = append(problems, fmt.Sprintf("%s: %d enum values, %d %s", path, len(enum), len(ds), key))
						continue
					}
					for i, d := range ds {
						if s, _ := d.(string); strings.TrimSpace(s) == "" {
							problems = append(problems, fmt.Sprintf("%s: enum value %v has no %s", path, enum[i], key))
						}
					}
				}
				if !described(x) {
					problems = append(problems, path+": an enum without a description")
				}
			}
			for k, c := range x {
				walk(path+"/"+k, c)
			}
		case []any:
			for i, c := range x {
				walk(fmt.Sprintf("%s/%d", path, i), c)
			}
		}
	}
	walk("#", doc)
	for name, d := range doc["definitions"].(map[string]any) {
		if !described(d.(map[string]any)) {
			problems = append(problems, "#/definitions/"+name+": no description")
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
	if nProps < 100 || nEnums < 30 {
		t.Fatalf("walked only %d properties and %d enum values: the walk is broken", nProps, nEnums)
	}
	t.Logf("%d properties, %d enum values", nProps, nEnums)
}

// TestBuiltinTypesComplete: the type names an editor offers are exactly
// the builtin types, and aliases stay valid.
func TestBuiltinTypesComplete(t *testing.T) {
	var doc struct {
		Definitions map[string]struct {
			AnyOf []struct {
				Enum []string `json:"enum"`
			} `json:"anyOf"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(JSON, &doc); err != nil {
		t.Fatal(err)
	}
	want := "integer bigint smallint string text boolean float double decimal date time timestamp uuid json bytes enum array native"
	for _, def := range []string{"typeName", "columnSpec"} {
		a := doc.Definitions[def].AnyOf
		if len(a) != 2 || strings.Join(a[0].Enum, " ") != want {
			t.Errorf("%s: anyOf %v, want the builtin types then any alias", def, a)
		}
	}
	s, err := Compiled()
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{
		`{"types": {"money": {"type": "decimal"}}, "models": {"A": {"table": "a", "columns": {"id": "integer", "m": "money", "n": {"type": "money"}}}}}`,
	} {
		var v any
		json.Unmarshal([]byte(doc), &v)
		if err := s.Validate(v); err != nil {
			t.Errorf("aliases refused: %v", err)
		}
	}
}
