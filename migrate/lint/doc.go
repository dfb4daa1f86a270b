// Package lint finds risky statements in migration files before they run:
// destructive changes, changes that lock or rewrite big tables, changes
// that break the release still running during a rolling deploy, and
// changes that fail depending on the data. It reads the SQL with a
// tokenizer (comments, string literals, quoted identifiers and PostgreSQL
// dollar quoting are never mistaken for statements). Rules lists the rules;
// `dlayer migrate lint` runs them.
package lint
