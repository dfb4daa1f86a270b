// Package loader reads dlayer schema files (YAML) and returns the resolved
// schema with every problem found, each located at file:line:col.
//
// Loading runs one pipeline per call: read every *.yaml and *.yml file
// (recursively, in sorted order), parse it into YAML nodes under node,
// depth and size budgets, check it against the JSON Schema of package
// schemas, decode it, link it in two passes (declare every type, model and
// table of every file, then resolve references across files) and run the
// semantic checks. Loading does not stop at the first problem: it returns
// as much of the schema as could be built together with all diagnostics,
// sorted and de-duplicated. Callers must not use a schema whose diagnostics
// hold an error.
//
// FormatText, FormatJSON and FormatGitHub render diagnostics for people,
// tools and GitHub Actions.
package loader
