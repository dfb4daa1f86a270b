package sqlgen_test

import (
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/mysql"
	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/stmt"
)

func TestTextMultiStatement(t *testing.T) {
	tests := []struct {
		name, sql string
		multi     bool
	}{
		{"one", "SELECT 1", false},
		{"trailing", "SELECT 1;", false},
		{"trailing space and comments", "SELECT 1; -- x\n/* y */ ; \n", false},
		{"in a string", "SELECT 'a;b'", false},
		{"in a quoted identifier", `SELECT 1 AS "a;b"`, false},
		{"in a comment", "SELECT 1 /* ; DROP */", false},
		{"in a line comment", "SELECT 1 -- ; DROP\n", false},
		{"two", "SELECT 1; DROP TABLE t", true},
		{"two without space", "SELECT 1;DROP TABLE t", true},
		{"after a comment", "SELECT 1; /* c */ DROP TABLE t", true},
		{"a string second", "SELECT 1; 'x'", true},
		{"a parameter second", "SELECT 1; :p", true},
		{"empty then one", "; SELECT 1", true},
	}
	for _, d := range []dialects.Dialect{postgres.Default(), mysql.Default(), sqlite.Default()} {
		for _, tt := range tests {
			t.Run(d.Name()+" "+tt.name, func(t *testing.T) {
				c, err := d.Compile(stmt.Text(tt.sql).Bind("p", 1))
				if err != nil {
					t.Fatal(err)
				}
				if c.MultiStatement != tt.multi {
					t.Errorf("MultiStatement = %v, want %v", c.MultiStatement, tt.multi)
				}
			})
		}
	}
	t.Run("postgres dollar quotes", func(t *testing.T) {
		c, err := postgres.Default().Compile(stmt.Text("SELECT $$a;b$$"))
		if err != nil || c.MultiStatement {
			t.Errorf("got %+v, %v", c, err)
		}
	})
	t.Run("mysql hash comment", func(t *testing.T) {
		c, err := mysql.Default().Compile(stmt.Text("SELECT 1; # done"))
		if err != nil || c.MultiStatement {
			t.Errorf("got %+v, %v", c, err)
		}
	})
}
