package dialecttest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/stmt"
)

// Runner runs SQL on a real database for Semantics.
type Runner struct {
	Exec func(sql string, args ...any) error
	// Query returns every row, each value as the driver gives it.
	Query func(sql string, args ...any) ([][]any, error)
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// Semantics runs statements whose meaning differs in SQL text between
// dialects (NULL ordering, ILIKE emulation, LIKE escapes, empty IN, row
// values, upserts, OFFSET without LIMIT, correlated subqueries, RETURNING)
// on a real database and checks the rows they give. unicodeFold says the
// dialect's ILike folds case beyond ASCII.
func Semantics(t *testing.T, d dialects.Dialect, r Runner, unicodeFold bool) {
	s := Schema()
	u, p, tg := stmt.TableOf(s, "User"), stmt.TableOf(s, "Post"), stmt.TableOf(s, "Tag")
	run := func(st stmt.Statement) {
		t.Helper()
		c, err := d.Compile(st)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Exec(c.SQL, c.Args...); err != nil {
			t.Fatalf("%v\n%s", err, c.SQL)
		}
	}
	create, err := dialects.CreateAllSQL(d, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range create {
		if err := r.Exec(q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	defer func() {
		drop, _ := dialects.DropAllSQL(d, s)
		for _, q := range drop {
			if err := r.Exec(q); err != nil {
				t.Errorf("%v\n%s", err, q)
			}
		}
	}()
	run(stmt.Insert(u).Columns("id", "email", "name", "bio", "level", "logins").
		Values(1, "ann@x", "Ann", nil, nil, 1).
		Values(2, "bob@x", "bob", "hello world", 5, 2).
		Values(3, "eco@x", "ÉCOLE", "100% off", nil, 3).
		Values(4, "ab@x", "a_b", "1000 off", 1, 4))
	run(stmt.Insert(p).Columns("id", "author_id", "title", "status").Values(1, 2, "t", "draft"))
	run(stmt.Insert(tg).Columns("id", "name").Values(1, "go"))

	ids := func(conds ...stmt.Expr) *stmt.SelectStmt {
		return stmt.Select(u.C("id")).Where(conds...).OrderBy(u.C("id").Asc())
	}
	level := stmt.Coalesce(u.C("level"), 0).Label("l")
	type check struct {
		name string
		q    stmt.Statement
		want string // rows joined by ";", cells by ","
	}
	checks := []check{
		{"nulls first", stmt.Select(u.C("id")).OrderBy(u.C("level").Asc().NullsFirst(), u.C("id").Asc()), "1;3;4;2"},
		{"nulls last desc", stmt.Select(u.C("id")).OrderBy(u.C("level").Desc().NullsLast(), u.C("id").Asc()), "2;4;1;3"},
		{"nulls last asc", stmt.Select(u.C("id")).OrderBy(u.C("level").Asc().NullsLast(), u.C("id").Asc()), "4;2;1;3"},
		{"ilike ascii", ids(u.C("name").ILike("ANN")), "1"},
		{"ilike pattern", ids(u.C("name").ILike("%O%")), "2;3"},
		{"not ilike", ids(stmt.NotILike(u.C("name"), "%O%")), "1;4"},
		{"contains escapes percent", ids(u.C("bio").Contains("100%")), "3"},
		{"like percent is a wildcard", ids(u.C("bio").Like("100%")), "3;4"},
		{"contains escapes underscore", ids(u.C("name").Contains("_")), "4"},
		{"contains escape char", ids(u.C("bio").Contains("!")), ""},
		{"starts with", ids(stmt.StartsWith(u.C("email"), "a")), "1;4"},
		{"contains fold", ids(stmt.ContainsFold(u.C("bio"), "WORLD")), "2"},
		{"in empty", ids(u.C("id").In()), ""},
		{"not in empty", ids(u.C("id").NotIn()), "1;2;3;4"},
		{"in values", ids(u.C("id").In(4, 2, 9)), "2;4"},
		{"in subquery", ids(u.C("id").In(stmt.Select(p.C("author_id")))), "2"},
		{"tuples", ids(stmt.InTuples([]stmt.Expr{u.C("id"), u.C("logins")}, [][]any{{1, 1}, {2, 3}})), "1"},
		{"between", ids(u.C("logins").Between(2, 3)), "2;3"},
		{"is null", ids(u.C("bio").IsNull()), "1"},
		{"eq nil", ids(u.C("level").Eq(nil)), "1;3"},
		{"exists correlated", ids(stmt.Exists(stmt.Select(p.C("id")).Where(p.C("author_id").Eq(u.C("id"))))), "2"},
		{"scalar subquery", stmt.Select(u.C("id"), stmt.Scalar(stmt.Select(stmt.CountAll()).From(p.As("p2")).Where(p.As("p2").C("author_id").Eq(u.C("id")))).Label("n")).OrderBy(u.C("id").Asc()), "1,0;2,1;3,0;4,0"},
		{"group having", stmt.Select(stmt.Label(stmt.CountAll(), "n")).From(u).GroupBy(u.C("level")).Having(stmt.Gt(stmt.CountAll(), 1)), "2"},
		{"offset only", stmt.Select(u.C("id")).OrderBy(u.C("id").Asc()).Offset(2), "3;4"},
		{"limit offset", stmt.Select(u.C("id")).OrderBy(u.C("id").Desc()).Limit(2).Offset(1), "3;2"},
		{"distinct", stmt.Select(level).Distinct().OrderBy(stmt.Asc(level)), "0;1;5"},
		{"self join", stmt.Select(u.C("id"), u.As("m").C("id").Label("m")).Join(u.As("m"), u.As("m").C("id").Eq(u.C("logins"))).Where(u.C("id").Lt(3)).OrderBy(u.C("id").Asc()), "1,1;2,2"},
	}
	if unicodeFold {
		checks = append(checks, check{"ilike unicode", ids(u.C("name").ILike("école")), "3"})
	}
	// Writes, then what they left.
	checks = append(checks,
		check{"upsert update", stmt.Insert(tg).Columns("id", "name").Values(1, "golang").OnConflictDoUpdate([]string{"id"}, "name"), ""},
		check{"after upsert update", stmt.Select(tg.C("name")).Where(tg.C("id").Eq(1)), "golang"},
		check{"upsert nothing", stmt.Insert(tg).Columns("id", "name").Values(1, "x").OnConflictDoNothing(), ""},
		check{"upsert expression", stmt.Insert(u).Columns("id", "email", "name").Values(9, "ann@x", "Ann2").
			OnConflictDoUpdateSet([]string{"email"}, stmt.Assign(u.C("logins"), u.C("logins").Add(10)), stmt.Assign(u.C("name"), stmt.Excluded(u.C("name")))), ""},
		check{"after upserts", stmt.Select(tg.C("name"), stmt.Scalar(stmt.Select(u.C("logins")).Where(u.C("id").Eq(1))).Label("l"), stmt.Scalar(stmt.Select(u.C("name")).Where(u.C("id").Eq(1))).Label("n")).From(tg), "golang,11,Ann2"},
		check{"update expression", stmt.Update(u).Set("logins", u.C("logins").Add(100)).Where(u.C("id").In(2, 3)), ""},
		check{"after update", stmt.Select(u.C("logins")).OrderBy(u.C("id").Asc()), "11;102;103;4"},
		check{"delete", stmt.Delete(u).Where(u.C("id").Eq(4)), ""},
		check{"after delete", stmt.Select(stmt.CountAll()).From(u), "3"},
	)
	if d.Features().Has(dialects.Returning) {
		checks = append(checks,
			check{"insert returning", stmt.Insert(tg).Columns("id", "name").Values(2, "sql").Returning(tg.C("id"), tg.C("name").Label("n")), "2,sql"},
			check{"update returning", stmt.Update(tg).Set("name", "SQL").Where(tg.C("id").Eq(2)).Returning(tg), "2,SQL"},
			check{"delete returning", stmt.Delete(tg).Where(tg.C("id").Eq(2)).Returning(tg.C("name")), "SQL"},
		)
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			comp, err := d.Compile(c.q)
			if err != nil {
				t.Fatal(err)
			}
			_, isSelect := c.q.(*stmt.SelectStmt)
			if !isSelect && len(comp.Columns) == 0 {
				if err := r.Exec(comp.SQL, comp.Args...); err != nil {
					t.Fatalf("%v\n%s", err, comp.SQL)
				}
				return
			}
			rows, err := r.Query(comp.SQL, comp.Args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, comp.SQL)
			}
			var got []string
			for _, row := range rows {
				cells := make([]string, len(row))
				for i, v := range row {
					cells[i] = cell(v)
				}
				got = append(got, strings.Join(cells, ","))
			}
			if g := strings.Join(got, ";"); g != c.want {
				t.Errorf("got %q, want %q\n%s %v", g, c.want, comp.SQL, comp.Args)
			}
		})
	}
}

// SQLRunner runs SQL through database/sql (a *sql.DB on one connection, or
// a *sql.Tx).
func SQLRunner(ctx context.Context, q interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) Runner {
	return Runner{
		Exec: func(s string, args ...any) error { _, err := q.ExecContext(ctx, s, args...); return err },
		Query: func(s string, args ...any) ([][]any, error) {
			rows, err := q.QueryContext(ctx, s, args...)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			cols, err := rows.Columns()
			if err != nil {
				return nil, err
			}
			var out [][]any
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					return nil, err
				}
				out = append(out, vals)
			}
			return out, rows.Err()
		},
	}
}
