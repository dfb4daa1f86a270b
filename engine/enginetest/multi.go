package enginetest

import (
	"context"
	"errors"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

// testSingleStatementText is issue 9 item 9 (second half): raw text may
// run several statements on PostgreSQL and SQLite; WithSingleStatementText
// refuses that on every database.
func testSingleStatementText(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	se := engine.New(e.Dialect(), e.Pool(), f.schema, engine.WithSingleStatementText())
	q := e.Dialect().QuoteIdent
	victim := q(f.nums.Name)
	seedNums(t, e, f, 3)
	count := func(t *testing.T) int64 {
		t.Helper()
		n, err := engine.Scalar[int64](ctx, e, stmt.Select(stmt.CountAll()).From(f.N))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	refused := []struct{ name, sql string }{
		{"two statements", "SELECT 1; DELETE FROM " + victim},
		{"no space", "SELECT 1;DELETE FROM " + victim},
		{"after a comment", "SELECT 1; /* x */ DELETE FROM " + victim},
		{"after a line comment", "SELECT 1; -- x\nDELETE FROM " + victim},
		{"string after", "SELECT 1; SELECT 'x'"},
	}
	for _, tt := range refused {
		t.Run("refused "+tt.name, func(t *testing.T) {
			_, err := se.Exec(ctx, stmt.Text(tt.sql))
			if !errors.Is(err, engine.ErrMultipleStatements) {
				t.Errorf("Exec = %v, want ErrMultipleStatements", err)
			}
			_, err = engine.Records(ctx, se, stmt.Text(tt.sql))
			if !errors.Is(err, engine.ErrMultipleStatements) {
				t.Errorf("Records = %v, want ErrMultipleStatements", err)
			}
			if n := count(t); n != 3 {
				t.Fatalf("the second statement ran: %d rows left", n)
			}
		})
	}
	allowed := []struct {
		name, sql string
		// portable: every database runs it (MySQL/MariaDB reject empty
		// statements after a ";" themselves).
		portable bool
	}{
		{"one", "SELECT n FROM " + victim + " WHERE n = 1", true},
		{"trailing semicolon", "SELECT n FROM " + victim + " WHERE n = 1;", true},
		{"trailing semicolons and comments", "SELECT n FROM " + victim + " WHERE n = 1; -- done\n ; /* end */ ", false},
		{"semicolon in a string", "SELECT n FROM " + victim + " WHERE n = 1 AND 'a;b' <> 'x'", true},
		{"semicolon in a comment", "SELECT n FROM " + victim + " /* a; b */ WHERE n = 1", true},
		{"semicolon in a quoted identifier", "SELECT n AS " + q("a;b") + " FROM " + victim + " WHERE n = 1", true},
	}
	for _, tt := range allowed {
		t.Run("allowed "+tt.name, func(t *testing.T) {
			recs, err := engine.Records(ctx, se, stmt.Text(tt.sql))
			if errors.Is(err, engine.ErrMultipleStatements) {
				t.Fatalf("refused one statement: %v", err)
			}
			if tt.portable && (err != nil || len(recs) != 1) {
				t.Errorf("Records = %v, %v; want one row", recs, err)
			}
		})
	}
	t.Run("without the option", func(t *testing.T) {
		// PostgreSQL and SQLite run both statements, MySQL/MariaDB refuse
		// the text: either way, never only the first silently.
		_, err := e.Exec(ctx, stmt.Text("DELETE FROM "+victim+" WHERE n = 1; DELETE FROM "+victim+" WHERE n = 2"))
		n := count(t)
		t.Logf("without WithSingleStatementText: err %v, rows left %d", err, n)
		if (err == nil) != (n == 1) {
			t.Errorf("err %v with %d rows left: want both statements run (1 left) or an error (3 left)", err, n)
		}
		if err != nil && n != 3 {
			t.Errorf("failed, yet %d rows left", n)
		}
	})
}
