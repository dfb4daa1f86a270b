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
		{name: "second statement", sql: "SELECT 1; SET x = 1", bad: true},
		{name: "second statement after a parameter", sql: "SELECT $1;\nLISTEN x;", bad: true},
		{name: "semicolon in a string", sql: "SELECT ';SET x = 1'"},
		{name: "doubled quote", sql: "SELECT 'it''s; SET x = 1'"},
		{name: "semicolon in an identifier", sql: `SELECT "a;SET x" FROM t`},
		{name: "semicolon in a line comment", sql: "SELECT 1 -- ; SET x = 1\n"},
		{name: "semicolon in a block comment", sql: "SELECT 1 /* ; SET x = 1 */"},
		{name: "dollar quote", sql: "SELECT $$;SET x = 1$$"},
		{name: "tagged dollar quote", sql: "CREATE FUNCTION f() RETURNS void AS $body$ BEGIN PERFORM 1; SET x = 1; END $body$ LANGUAGE plpgsql"},
		{name: "statements then a bad one", sql: "CREATE TABLE a (x int); INSERT INTO a VALUES (1); CREATE TEMP TABLE b (y int)", bad: true},
		{name: "trailing semicolons", sql: "SELECT 1;;"},
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

// FuzzCheckPooled: any text is checked without a panic, and a statement
// refused on its own is refused after another statement too.
func FuzzCheckPooled(f *testing.F) {
	for _, s := range []string{"SELECT 1; SET x = 1", "SELECT $a$;$a$", "CREATE TEMP TABLE t (a int) ON COMMIT DROP",
		"/* x", "'", "$", "$1$", "--", "SELECT pg_advisory_lock(1)"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, sql string, inTx bool) {
		err := checkPooled(sql, inTx)
		if err != nil && !errors.Is(err, ErrSessionState) {
			t.Fatalf("error %v does not match ErrSessionState", err)
		}
		if err != nil && checkPooled("SELECT 1;\n"+sql, inTx) == nil {
			t.Fatalf("%q refused alone but not after SELECT 1;", sql)
		}
	})
}
