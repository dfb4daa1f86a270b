// Package stmt is dlayer's Core statement tree: immutable SELECT, INSERT
// (with upserts), UPDATE, DELETE and raw-text statements built from a loaded
// spec.Schema, with expressions and bound parameters. Dialects compile it to
// SQL text (dialects.Dialect.Compile); nothing here writes SQL.
//
// Tables and columns are resolved by name from the schema (TableOf, C) or
// taken as spec pointers already in hand (Ref, Col). A name that does not
// resolve never panics: the node carries an error wrapping ErrUnknown, which
// compiling the statement returns.
//
// Every builder method returns a new value and leaves its receiver as it
// was, so statements can be shared between goroutines and extended freely.
// Plain Go values given to comparisons, inserts and updates become bound
// parameters typed by the column they meet; identifiers come only from the
// schema (or aliases and labels written in code) and are quoted by the
// dialect. Text is the one entry point for SQL written by hand, with :name
// parameters that are bound too.
package stmt
