package loader

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/dlayer/dlayer/schemas"
)

// TestSchemaKeysMatchDecoder keeps the JSON Schema's object properties and
// the decoder's key lists in step: the decoder reports unknown keys itself
// (with suggestions), so a key known to one but not the other would be a
// silent disagreement between the editor and `dlayer validate`.
func TestSchemaKeysMatchDecoder(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(schemas.JSON, &doc); err != nil {
		t.Fatal(err)
	}
	defs := doc["definitions"].(map[string]any)
	props := func(v any) []string {
		var out []string
		for k := range v.(map[string]any)["properties"].(map[string]any) {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	tests := []struct {
		name   string
		schema any
		keys   []string
	}{
		{name: "top", schema: doc, keys: topKeys},
		{name: "column", schema: defs["columnSpec"], keys: columnKeys},
		{name: "model", schema: defs["model"], keys: modelKeys},
		{name: "table", schema: defs["table"], keys: tableKeys},
		{name: "relationship", schema: defs["relationship"], keys: relKeys},
		{name: "foreignKey", schema: defs["foreignKey"], keys: fkKeys},
		{name: "index", schema: defs["index"], keys: indexKeys},
		{name: "unique", schema: defs["unique"], keys: uniqueKeys},
		{name: "check", schema: defs["check"], keys: checkKeys},
		{name: "tableForeignKey", schema: defs["tableForeignKey"], keys: tableFKKeys},
		{name: "references", schema: defs["tableForeignKey"].(map[string]any)["properties"].(map[string]any)["references"], keys: referencesKeys},
		{name: "serverDefault", schema: defs["serverDefault"], keys: serverSQLKeys},
		{name: "computed", schema: defs["columnSpec"].(map[string]any)["properties"].(map[string]any)["computed"], keys: computedKeys},
		{name: "arrayItems", schema: defs["arrayItems"], keys: itemsKeys},
		{name: "native", schema: defs["columnSpec"].(map[string]any)["properties"].(map[string]any)["native"], keys: nativeKeys},
		{name: "domain", schema: defs["columnSpec"].(map[string]any)["properties"].(map[string]any)["domain"], keys: domainKeys},
		{name: "view", schema: defs["model"].(map[string]any)["properties"].(map[string]any)["view"], keys: viewKeys},
		{name: "partition", schema: defs["model"].(map[string]any)["properties"].(map[string]any)["partition"], keys: partitionKeys},
		{name: "partitionBound", schema: defs["partitionBound"], keys: partitionBoundKeys},
		{name: "trait", schema: defs["trait"], keys: traitKeys},
	}
	if len(tests) != len(allowedKeyLists) {
		t.Fatalf("%d key lists tested, %d declared", len(tests), len(allowedKeyLists))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := slices.Sorted(slices.Values(tt.keys))
			if got := props(tt.schema); !slices.Equal(got, want) {
				t.Errorf("schema properties %v, decoder keys %v", got, want)
			}
			if !slices.Equal(tt.keys, allowedKeyLists[tt.name]) {
				t.Errorf("allowedKeyLists[%q] is not the list tested", tt.name)
			}
		})
	}
}

func TestIdentifierPatternInSchema(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(schemas.JSON, &doc); err != nil {
		t.Fatal(err)
	}
	id := doc["definitions"].(map[string]any)["identifier"].(map[string]any)
	if id["pattern"] != identPattern || id["maxLength"] != 63.0 {
		t.Fatalf("identifier definition %v does not match the loader's identPattern %q and 63", id, identPattern)
	}
}
