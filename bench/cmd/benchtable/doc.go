// Command benchtable turns the output of the bench suite (go test -bench,
// any number of runs) into the Markdown tables of docs/benchmarks.md: per
// benchmark family (PG, PGORM, SQLite), one row per case and contender with
// the median time, bytes and allocations per operation, the peak heap where
// reported, and each figure's ratio to the family's baseline contender
// (the first one in the output: pgx on PostgreSQL, database/sql on SQLite).
//
// Usage:
//
//	go run ./cmd/benchtable results/<stamp>/raw.txt > table.md
package main
