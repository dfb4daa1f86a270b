// Package lsp is dlayer's language server (`dlayer lsp`): the Language
// Server Protocol over stdio for directories of dlayer schema files.
//
// Diagnostics are the loader's, exactly as `dlayer validate` reports them
// (rule code, location, fix hint), for every file of the schema directory,
// with the editor's open buffers laid over the files on disk and re-checked
// as the user types. Completion, hover, go to definition, find references,
// rename and "did you mean" quick fixes work from the loaded schema and the
// JSON Schema of package schemas (key and enum-value documentation), with
// the cursor's place in the YAML worked out from the text so that they keep
// working while a file is half typed.
//
// The JSON-RPC 2.0 transport (Content-Length framing) is the package's own:
// a few hundred lines, no dependency.
package lsp
