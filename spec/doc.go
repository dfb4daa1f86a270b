// Package spec holds the plain data of a loaded dlayer schema — models,
// tables, columns, types, relationships, indexes and constraints — and the
// diagnostic types the loader reports problems with.
//
// spec does no I/O and knows nothing of YAML or SQL. Every node carries the
// source Range it was declared at, so later stages (the engine, migrations,
// the CLI) can point back into the user's files. Values of this package are
// built by package loader and must be treated as read-only once returned.
package spec
