// Package stmt is dlayer's Core statement tree: immutable SELECT, INSERT,
// UPDATE, DELETE and raw-text statements built from a loaded spec.Schema,
// with expressions and bound parameters. Dialects compile it to SQL text;
// nothing here writes SQL.
package stmt
