package schemas

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// JSON is the dlayer schema-file JSON Schema (draft-07), as published.
//
//go:embed dlayer.schema.json
var JSON []byte

// URL is the $id of the schema; the compiler registers JSON under it.
const URL = "https://github.com/dlayer/dlayer/schemas/dlayer.schema.json"

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	if err := c.AddResource(URL, bytes.NewReader(JSON)); err != nil {
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
