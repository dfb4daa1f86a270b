// Package schemas holds dlayer's JSON Schema for schema files, embedded with
// go:embed, and its compiled form.
//
// The same file serves editors (VS Code's YAML extension reads it through a
// "# yaml-language-server: $schema=…" modeline), the `dlayer schema`
// command, and package loader, which checks every file against it before
// decoding. It is written against JSON Schema draft-07.
package schemas
