package schemas

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// ProjectJSON is the JSON Schema (draft-07) of the project file,
// dlayer.yaml: the models and migrations directories, the dialect and the
// named environments with their database URLs.
//
//go:embed project.schema.json
var ProjectJSON []byte

// ProjectURL is the $id of the project-file schema.
const ProjectURL = "https://github.com/dlayer/dlayer/schemas/project.schema.json"

var compiledProject = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	if err := c.AddResource(ProjectURL, bytes.NewReader(ProjectJSON)); err != nil {
		return nil, fmt.Errorf("schemas: add project.schema.json: %w", err)
	}
	s, err := c.Compile(ProjectURL)
	if err != nil {
		return nil, fmt.Errorf("schemas: compile project.schema.json: %w", err)
	}
	return s, nil
})

// CompiledProject returns the compiled project-file schema, compiled once
// on first use and shared (safe for concurrent validation).
func CompiledProject() (*jsonschema.Schema, error) { return compiledProject() }
