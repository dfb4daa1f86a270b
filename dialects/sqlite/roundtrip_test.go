package sqlite_test

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/internal/testdb/roundtrip"
	"github.com/dlayer/dlayer/spec"
)

func tempPool(t *testing.T, name string) dialects.Pool {
	t.Helper()
	p, err := sqlite.OpenPool(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), name), dialects.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestRoundTripIssue8 inspects what SQLite schemas that dlayer did not
// write hold — a composite primary key in another order than its columns,
// CHAR(n), generated columns (virtual and stored, found through
// table_xinfo), foreign keys without actions and with RESTRICT — checks
// each is read as written, and that inspect → YAML → DDL → inspect gives the
// same YAML byte for byte and migrate check reports nothing.
func TestRoundTripIssue8(t *testing.T) {
	s, y := roundtrip.Run(t, sqlite.New(), tempPool(t, "src.db"), tempPool(t, "dst.db"), []string{
		`CREATE TABLE customer (customer_id INTEGER NOT NULL PRIMARY KEY, country CHAR(2) NOT NULL,
		  first_name VARCHAR(45) NOT NULL, last_name VARCHAR(45) NOT NULL,
		  full_name TEXT GENERATED ALWAYS AS (first_name || ' ' || last_name) VIRTUAL,
		  name_len INTEGER AS (length(first_name) + length("last_name")) STORED NOT NULL,
		  created TIMESTAMP(3))`,
		`CREATE TABLE payment (id INTEGER NOT NULL, paid_at TIMESTAMP NOT NULL, customer_id INTEGER NOT NULL,
		  other_id INTEGER, amount REAL NOT NULL, PRIMARY KEY (paid_at, id),
		  CONSTRAINT fk_plain FOREIGN KEY (customer_id) REFERENCES customer (customer_id),
		  CONSTRAINT fk_restrict FOREIGN KEY (other_id) REFERENCES customer (customer_id) ON DELETE RESTRICT)`,
	})
	c, p := s.Table("customer"), s.Table("payment")
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"primary key order", []string{p.PrimaryKey[0].Name, p.PrimaryKey[1].Name}, []string{"paid_at", "id"}},
		{"char(n) is fixed", c.Column("country").Type, spec.Type{Kind: spec.TypeString, Length: 2, Fixed: true}},
		{"virtual generated column", *c.Column("full_name").Computed, spec.Computed{SQL: "first_name || ' ' || last_name"}},
		{"stored generated column", *c.Column("name_len").Computed, spec.Computed{SQL: `length(first_name) + length("last_name")`, Stored: true}},
		{"stored generated column keeps NOT NULL", c.Column("name_len").Nullable, false},
		{"generated columns keep their place", c.Column("created").Ordinal, 6},
		{"declared precision is not kept", c.Column("created").Type, spec.Type{Kind: spec.TypeTimestamp}},
		{"fk without actions", p.Column("customer_id").ForeignKey.OnDelete, spec.ActionNone},
		{"fk restrict kept", p.Column("other_id").ForeignKey.OnDelete, spec.ActionRestrict},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
	if !strings.Contains(string(y), "primary_key: [paid_at, id]") {
		t.Errorf("YAML lacks the key order:\n%s", y)
	}
}

// TestMigrateComputed adds a stored and a virtual computed column to an
// existing table with rows (SQLite cannot ADD a stored one: the table is
// rebuilt, and the rebuild must not copy into a generated column), then
// changes an expression, and checks the values the database computes.
func TestMigrateComputed(t *testing.T) {
	ctx := context.Background()
	d := sqlite.New()
	p := tempPool(t, "m.db")
	tbl := func(cols ...*spec.Column) *spec.Table {
		t := &spec.Table{Name: "items", Columns: cols}
		for _, c := range cols {
			c.Table = t
		}
		t.PrimaryKey = cols[:1]
		cols[0].PrimaryKey = true
		return t
	}
	id := func() *spec.Column { return &spec.Column{Name: "id", Type: spec.Type{Kind: spec.TypeInteger}} }
	qty := func() *spec.Column { return &spec.Column{Name: "qty", Type: spec.Type{Kind: spec.TypeInteger}} }
	old := tbl(id(), qty())
	stmts, err := d.CreateTable(old)
	if err != nil {
		t.Fatal(err)
	}
	stmts = append(stmts, "INSERT INTO items (id, qty) VALUES (1, 2), (2, 5)")
	for _, s := range stmts {
		if _, err := p.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	run := func(changes []dialects.Change) {
		t.Helper()
		sqls, err := d.MigrateSQL(changes)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.RunMigration(ctx, p, func(q dialects.Queryer) error {
			for _, s := range sqls {
				if _, err := q.Exec(ctx, s); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatalf("%v\n%s", err, strings.Join(sqls, ";\n"))
		}
	}
	double := &spec.Column{Name: "double", Type: spec.Type{Kind: spec.TypeInteger}, Nullable: true, Computed: &spec.Computed{SQL: "qty * 2", Stored: true}}
	triple := &spec.Column{Name: "triple", Type: spec.Type{Kind: spec.TypeInteger}, Nullable: true, Computed: &spec.Computed{SQL: "qty * 3"}}
	nt := tbl(id(), qty(), double, triple)
	run([]dialects.Change{
		{Kind: dialects.AddColumn, Table: nt, Old: old, Column: double},
		{Kind: dialects.AddColumn, Table: nt, Old: old, Column: triple},
	})
	sum := func() (int64, int64) {
		t.Helper()
		r, err := p.Query(ctx, "SELECT SUM(double), SUM(triple) FROM items")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var a, b int64
		if !r.Next() {
			t.Fatal("no row")
		}
		if err := r.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		return a, b
	}
	if a, b := sum(); a != 14 || b != 21 {
		t.Fatalf("computed sums %d, %d; want 14, 21", a, b)
	}
}

// TestCheckIssue8 checks what validate --dialect sqlite reports of the new
// options: a PostgreSQL cast in a computed expression (as PostgreSQL writes
// it back) and a fulltext index are refused, an unsigned bigint and
// server_onupdate are warned about; a :: inside quotes is no cast.
func TestCheckIssue8(t *testing.T) {
	tbl := &spec.Table{Name: "t"}
	for _, c := range []*spec.Column{
		{Name: "n", Type: spec.Type{Kind: spec.TypeInteger, Unsigned: true}},
		{Name: "b", Type: spec.Type{Kind: spec.TypeBigInt, Unsigned: true}},
		{Name: "g", Type: spec.Type{Kind: spec.TypeInteger}, Computed: &spec.Computed{SQL: "((n * (100)::numeric))::integer", Stored: true}},
		{Name: "q", Type: spec.Type{Kind: spec.TypeText}, Computed: &spec.Computed{SQL: "'a::b' || \"x::y\""}},
		{Name: "at", Type: spec.Type{Kind: spec.TypeTimestamp}, ServerOnUpdate: &spec.Default{Kind: spec.DefaultNow}},
	} {
		c.Table = tbl
		tbl.Columns = append(tbl.Columns, c)
	}
	tbl.Indexes = []*spec.Index{{Name: "ft", Kind: spec.IndexFulltext, Columns: tbl.Columns[3:4]}}
	s := &spec.Schema{Tables: []*spec.Table{tbl}}
	s.Index()
	got := map[string]int{}
	for _, d := range dialects.CheckSchema(sqlite.New(), s) {
		got[d.Rule+"/"+d.Severity.String()]++
	}
	want := map[string]int{"dialect-unsigned/warning": 1, "dialect-computed-cast/error": 1,
		"dialect-server-onupdate/warning": 1, "dialect-fulltext/error": 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
