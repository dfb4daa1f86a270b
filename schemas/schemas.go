package schemas

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// JSON is the dlayer schema-file JSON Schema (draft-07), as published.
//
//go:embed dlayer.schema.json
var JSON []byte

// URL is the $id of the schema; the compiler registers JSON under it.
const URL = "https://raw.githubusercontent.com/dlayer/dlayer/main/schemas/dlayer.schema.json"

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	doc, err := inlineRefs(JSON)
	if err != nil {
		return nil, fmt.Errorf("schemas: read dlayer.schema.json: %w", err)
	}
	if err := c.AddResource(URL, bytes.NewReader(doc)); err != nil {
		return nil, fmt.Errorf("schemas: add dlayer.schema.json: %w", err)
	}
	s, err := c.Compile(URL)
	if err != nil {
		return nil, fmt.Errorf("schemas: compile dlayer.schema.json: %w", err)
	}
	return s, nil
})

// Compiled returns the compiled schema. It is compiled once, on first use,
// and shared: a *jsonschema.Schema is safe for concurrent validation.
func Compiled() (*jsonschema.Schema, error) { return compiled() }

// inlineRefs replaces every {"$ref": "#/definitions/x"} (a $ref with at
// most annotations beside it: description, default, examples, …) by a copy
// of definition x, recursively.
// The published file keeps its definitions for readability; validation of
// the inlined copy is the same but skips one level of indirection per
// node, which is most of the validator's per-node cost. Definitions that
// refer to themselves are left alone.
func inlineRefs(src []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	defs, _ := doc["definitions"].(map[string]any)
	var walk func(v any, depth int) any
	walk = func(v any, depth int) any {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok && depth < 32 && onlyAnnotations(x) {
				if name, ok := strings.CutPrefix(ref, "#/definitions/"); ok {
					if def, ok := defs[name]; ok {
						return walk(def, depth+1)
					}
				}
			}
			out := make(map[string]any, len(x))
			for k, e := range x {
				if k == "definitions" {
					out[k] = e
					continue
				}
				out[k] = walk(e, depth)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = walk(e, depth)
			}
			return out
		}
		return v
	}
	return json.Marshal(walk(doc, 0))
}

// annotations are the keywords that do not validate: a $ref with only
// these beside it is inlined (draft-07 ignores siblings of $ref anyway;
// editors show them).
var annotations = map[string]bool{
	"$ref": true, "description": true, "markdownDescription": true, "title": true,
	"default": true, "examples": true, "$comment": true,
}

func onlyAnnotations(x map[string]any) bool {
	for k := range x {
		if !annotations[k] {
			return false
		}
	}
	return true
}
