package sqlgen_test

import (
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/mysql"
	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// TestWindowAndDerived compiles ROW_NUMBER() OVER (…) in a derived table
// filtered by its label, the statement the ORM's limit per parent runs,
// and the errors of bad derived tables and labels.
func TestWindowAndDerived(t *testing.T) {
	posts := &spec.Table{Name: "posts", Columns: []*spec.Column{
		{Name: "id", Type: spec.Type{Kind: spec.TypeInteger}, PrimaryKey: true},
		{Name: "author_id", Type: spec.Type{Kind: spec.TypeInteger}},
		{Name: "rank", Type: spec.Type{Kind: spec.TypeInteger}},
	}}
	sch := &spec.Schema{Tables: []*spec.Table{posts}}
	sch.Index()
	p := stmt.Ref(posts)
	rn := stmt.RowNumber([]stmt.Expr{p.C("author_id")}, p.C("rank").Desc(), p.C("id").Asc())
	inner := stmt.Select(p, rn.Label("rn")).Where(p.C("author_id").In(1, 2))
	d := inner.Derived("w")
	q := stmt.Select(d).From(d).Where(d.Label("rn").Le(3)).OrderBy(d.C("author_id").Asc())
	want := `SELECT "w"."id", "w"."author_id", "w"."rank" FROM (SELECT "posts"."id", "posts"."author_id", "posts"."rank", ` +
		`ROW_NUMBER() OVER (PARTITION BY "posts"."author_id" ORDER BY "posts"."rank" DESC, "posts"."id") AS "rn" ` +
		`FROM "posts" WHERE "posts"."author_id" IN ($1, $2)) AS "w" WHERE "w"."rn" <= $3 ORDER BY "w"."author_id"`
	for _, tc := range []struct {
		name string
		d    dialects.Dialect
		want string
	}{
		{"postgres", postgres.New(), want},
		{"sqlite", sqlite.New(), strings.NewReplacer("$1", "?", "$2", "?", "$3", "?").Replace(want)},
		{"mysql", mysql.New(), strings.NewReplacer(`"`, "`", "$1", "?", "$2", "?", "$3", "?").Replace(want)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.d.Compile(q)
			if err != nil {
				t.Fatal(err)
			}
			if c.SQL != tc.want {
				t.Errorf("got  %s\nwant %s", c.SQL, tc.want)
			}
			if len(c.Args) != 3 {
				t.Errorf("args = %v", c.Args)
			}
		})
	}
	noPartition := stmt.Select(p, stmt.RowNumber(nil, p.C("id").Asc()).Label("n"))
	if c, err := postgres.New().Compile(noPartition); err != nil || !strings.Contains(c.SQL, "ROW_NUMBER() OVER (ORDER BY \"posts\".\"id\") AS \"n\"") {
		t.Errorf("no partition: %v %s", err, c.SQL)
	}
	bad := []struct {
		name string
		q    *stmt.SelectStmt
		err  string
	}{
		{"no alias", stmt.Select(inner.Derived("")), "needs an alias"},
		{"derived of an expression", stmt.Select(stmt.Select(stmt.Val(1)).Derived("x")), "select a schema table first"},
		{"unknown label", stmt.Select(d).From(d).Where(d.Label("nope").Eq(1)), "no item labelled"},
		{"label of a plain table", stmt.Select(p).Where(p.Label("rn").Eq(1)), "not a derived table"},
		{"nil partition term", stmt.Select(p, stmt.RowNumber([]stmt.Expr{nil}).Label("n")), "PARTITION BY nil"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := postgres.New().Compile(tc.q)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error = %v, want %q", err, tc.err)
			}
		})
	}
}

// TestDerivedNotCached checks that statements over derived tables whose
// subqueries differ never share a cached compilation (the subquery is not
// part of the compiled-statement cache key, so they are not cached).
func TestDerivedNotCached(t *testing.T) {
	posts := &spec.Table{Name: "posts", Columns: []*spec.Column{
		{Name: "id", Type: spec.Type{Kind: spec.TypeInteger}, PrimaryKey: true},
		{Name: "author_id", Type: spec.Type{Kind: spec.TypeInteger}},
	}}
	(&spec.Schema{Tables: []*spec.Table{posts}}).Index()
	p := stmt.Ref(posts)
	rn := stmt.RowNumber([]stmt.Expr{p.C("author_id")}, p.C("id").Asc())
	// One label column for every statement: the outer statements then
	// differ only inside their derived tables' subqueries.
	label := stmt.Select(p, rn.Label("rn")).Derived("w").Label("rn")
	build := func(where stmt.Expr) *stmt.SelectStmt {
		d := stmt.Select(p, rn.Label("rn")).Where(where).Derived("w")
		return stmt.Select(d).From(d).Where(label.Le(2))
	}
	for _, d := range []dialects.Dialect{postgres.New(), sqlite.New(), mysql.New()} {
		for i := 0; i < 3; i++ { // again and again: a cache would answer the later ones
			a, err := d.Compile(build(p.C("author_id").In(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			b, err := d.Compile(build(p.C("author_id").In(1, 2, 3)))
			if err != nil {
				t.Fatal(err)
			}
			c, err := d.Compile(build(p.C("author_id").IsNull()))
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Args) != 3 || len(b.Args) != 4 || len(c.Args) != 1 || a.SQL == b.SQL || b.SQL == c.SQL || !strings.Contains(c.SQL, "IS NULL") {
				t.Fatalf("%s: shared compilations:\n%s %v\n%s %v\n%s %v", d.Name(), a.SQL, a.Args, b.SQL, b.Args, c.SQL, c.Args)
			}
		}
	}
}
