// Package sqlgen is the compiler the dialects share: it turns stmt
// statements into SQL text and bound arguments, and spec tables into DDL.
// A dialect package describes its flavour in a Config (quote character,
// placeholder style, feature bits, literal and comment rules, DDL hooks such
// as type names) and embeds the resulting *Base, which implements most of
// dialects.Dialect.
//
// The compiler writes identifiers only from the schema (or aliases and
// labels given in code), always quoted with the quote character doubled, and
// every value as a placeholder with the value in the argument list. The only
// text it copies through is raw SQL from stmt.Text and the schema author's
// check expressions and {sql: …} server defaults.
package sqlgen
