package postgres

import (
	"errors"
	"testing"
)

func TestCheckPooled(t *testing.T) {
	tests := []struct {
		name, sql string
		inTx, bad bool
	}{
		{name: "select", sql: "SELECT 1"},
		{name: "insert returning", sql: `INSERT INTO "t" ("a") VALUES ($1) RETURNING "id"`},
		{name: "set", sql: "SET search_path = x", bad: true},
		{name: "set in tx", sql: "set statement_timeout = 1", inTx: true, bad: true},
		{name: "set local", sql: "SET LOCAL statement_timeout = 1", inTx: true},
		{name: "set transaction", sql: "SET TRANSACTION READ ONLY", inTx: true},
		{name: "set constraints", sql: "SET CONSTRAINTS ALL DEFERRED", inTx: true},
		{name: "comment then set", sql: "-- x\n/* y */ SET x = 1", bad: true},
		{name: "reset", sql: "RESET ALL", bad: true},
		{name: "listen", sql: "LISTEN ch", bad: true},
		{name: "unlisten", sql: "UNLISTEN *;", bad: true},
		{name: "prepare", sql: "PREPARE p AS SELECT 1", bad: true},
		{name: "deallocate", sql: "DEALLOCATE ALL", bad: true},
		{name: "cursor with hold", sql: "DECLARE c CURSOR WITH HOLD FOR SELECT 1", inTx: true, bad: true},
		{name: "cursor", sql: "DECLARE c CURSOR FOR SELECT 1", inTx: true},
		{name: "temp table", sql: "CREATE TEMP TABLE x (a int)", bad: true},
		{name: "global temporary", sql: "CREATE GLOBAL TEMPORARY TABLE x (a int)", bad: true},
		{name: "temp on commit drop in tx", sql: "CREATE TEMP TABLE x (a int) ON COMMIT DROP", inTx: true},
		{name: "temp on commit drop outside", sql: "CREATE TEMP TABLE x (a int) ON COMMIT DROP", bad: true},
		{name: "create table", sql: "CREATE TABLE temp (a int)"},
		{name: "advisory lock", sql: "SELECT pg_advisory_lock($1)", bad: true},
		{name: "advisory lock shared", sql: "select PG_ADVISORY_LOCK_SHARED(1)", bad: true},
		{name: "advisory lock in tx", sql: "SELECT pg_try_advisory_lock($1)", inTx: true},
		{name: "xact advisory lock", sql: "SELECT pg_advisory_xact_lock(1)"},
		{name: "empty", sql: ""},
		{name: "unterminated comment", sql: "/* SET x = 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkPooled(tt.sql, tt.inTx)
			if bad := err != nil; bad != tt.bad {
				t.Fatalf("checkPooled(%q, %v) = %v, want refused=%v", tt.sql, tt.inTx, err, tt.bad)
			}
			if err != nil && !errors.Is(err, ErrSessionState) {
				t.Fatalf("error %v does not match ErrSessionState", err)
			}
		})
	}
}

// BenchmarkCheckPooled is the per-statement cost ?pooler=transaction adds
// on top of its execution mode.
func BenchmarkCheckPooled(b *testing.B) {
	sql := `SELECT "id", "name", "title", "fax", "web", "age", "right", "counter" FROM "models" WHERE "id" = $1`
	b.ReportAllocs()
	for b.Loop() {
		if err := checkPooled(sql, false); err != nil {
			b.Fatal(err)
		}
	}
}
