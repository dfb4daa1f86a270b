package enginetest

import (
	"context"
	"slices"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

type authorStats struct {
	Email string
	Posts int64
	Total *int64
	Best  *int64
	Worst *int64
	Mean  *float64
}

func testQueryBuilder(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	U, P := f.U, f.P
	ann := addUser(t, e, f, "ann@example.com", "Ann", int64(30))
	bob := addUser(t, e, f, "bob@example.com", "Bob", int64(25))
	cy := addUser(t, e, f, "cy@example.com", nil, nil)
	_ = addUser(t, e, f, "d_100%@example.com", "Dee", int64(60))
	res := mustExec(t, e, stmt.Insert(P).Columns("author_id", "title", "score").Rows(
		[]any{ann, "Go tips", int64(10)},
		[]any{ann, "SQL tricks", int64(30)},
		[]any{ann, "Draft", nil},
		[]any{bob, "Hello", int64(5)},
	))
	if res.RowsAffected != 4 {
		t.Errorf("multi-row insert affected %d rows, want 4", res.RowsAffected)
	}
	emails := func(t *testing.T, s *stmt.SelectStmt) []string {
		t.Helper()
		out, err := engine.All[string](ctx, e, s)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	sel := stmt.Select(U.C("email")).OrderBy(U.C("email").Asc())

	where := []struct {
		name string
		cond stmt.Expr
		want []string
	}{
		{"eq", U.C("name").Eq("Bob"), []string{"bob@example.com"}},
		{"ne", U.C("age").Ne(int64(30)), []string{"bob@example.com", "d_100%@example.com"}},
		{"lt ge", stmt.And(U.C("age").Ge(int64(25)), U.C("age").Lt(int64(60))), []string{"ann@example.com", "bob@example.com"}},
		{"in", U.C("id").In(ann, cy), []string{"ann@example.com", "cy@example.com"}},
		{"not in", U.C("id").NotIn(ann, cy), []string{"bob@example.com", "d_100%@example.com"}},
		{"in subquery", U.C("id").In(stmt.Select(P.C("author_id")).Where(P.C("score").Gt(int64(6)))), []string{"ann@example.com"}},
		{"between", U.C("age").Between(int64(25), int64(30)), []string{"ann@example.com", "bob@example.com"}},
		{"like", U.C("email").Like("b%"), []string{"bob@example.com"}},
		{"like escaped wildcard", U.C("email").Contains("100%"), []string{"d_100%@example.com"}},
		{"ilike", U.C("name").ILike("an%"), []string{"ann@example.com"}},
		{"ilike unicode-free fold", U.C("email").ILike("BOB@%"), []string{"bob@example.com"}},
		{"is null", U.C("name").IsNull(), []string{"cy@example.com"}},
		{"or not", stmt.Or(U.C("name").Eq("Ann"), stmt.Not(U.C("age").IsNotNull())), []string{"ann@example.com", "cy@example.com"}},
		{"exists", stmt.Exists(stmt.Select(P.C("id")).Where(P.C("author_id").Eq(U.C("id")))), []string{"ann@example.com", "bob@example.com"}},
		{"not exists", stmt.NotExists(stmt.Select(P.C("id")).Where(P.C("author_id").Eq(U.C("id")))), []string{"cy@example.com", "d_100%@example.com"}},
	}
	for _, tt := range where {
		t.Run("where "+tt.name, func(t *testing.T) {
			if got := emails(t, sel.Where(tt.cond)); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("join group having aggregates", func(t *testing.T) {
		s := stmt.Select(U.C("email"),
			stmt.Count(P.C("id")).Label("posts"),
			stmt.Sum(P.C("score")).Label("total"),
			stmt.Max(P.C("score")).Label("best"),
			stmt.Min(P.C("score")).Label("worst"),
			stmt.Avg(P.C("score")).Label("mean")).
			Join(P, P.C("author_id").Eq(U.C("id"))).
			GroupBy(U.C("email")).
			Having(stmt.Gt(stmt.Count(P.C("id")), int64(0))).
			OrderBy(U.C("email").Asc())
		got, err := engine.All[authorStats](ctx, e, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("got %+v", got)
		}
		a := got[0]
		if a.Email != "ann@example.com" || a.Posts != 3 || deref(a.Total) != int64(40) || deref(a.Best) != int64(30) ||
			deref(a.Worst) != int64(10) || deref(a.Mean) != float64(20) {
			t.Errorf("ann's stats = %+v (total %v best %v worst %v mean %v)", a, deref(a.Total), deref(a.Best), deref(a.Worst), deref(a.Mean))
		}
	})
	t.Run("left join count distinct", func(t *testing.T) {
		n, err := engine.Scalar[int64](ctx, e, stmt.Select(stmt.CountDistinct(P.C("author_id"))).From(P))
		if err != nil || n != 2 {
			t.Errorf("count distinct = %d, %v", n, err)
		}
		rows, err := engine.Records(ctx, e, stmt.Select(U.C("email"), P.C("title")).
			LeftJoin(P, P.C("author_id").Eq(U.C("id"))).Where(U.C("id").Eq(cy)))
		if err != nil || len(rows) != 1 || !rows[0].IsNull("title") {
			t.Errorf("left join = %v, %v", rows, err)
		}
	})
	t.Run("order nulls limit offset distinct", func(t *testing.T) {
		titles, err := engine.All[*int64](ctx, e, stmt.Select(P.C("score")).OrderBy(P.C("score").Desc().NullsLast()))
		if err != nil {
			t.Fatal(err)
		}
		var got []any
		for _, s := range titles {
			got = append(got, deref(s))
		}
		checkEq(t, "desc nulls last", got, []any{int64(30), int64(10), int64(5), nil})
		titles, err = engine.All[*int64](ctx, e, stmt.Select(P.C("score")).OrderBy(P.C("score").Asc().NullsFirst()).Limit(2).Offset(1))
		if err != nil || len(titles) != 2 || deref(titles[0]) != int64(5) || deref(titles[1]) != int64(10) {
			t.Errorf("nulls first limit 2 offset 1 = %v, %v", titles, err)
		}
		authors, err := engine.All[int64](ctx, e, stmt.Select(P.C("author_id")).Distinct().OrderBy(P.C("author_id").Asc()))
		if err != nil || !slices.Equal(authors, []int64{ann, bob}) {
			t.Errorf("distinct = %v, %v", authors, err)
		}
	})
	t.Run("scalar subquery", func(t *testing.T) {
		type row struct {
			Email string
			N     int64
		}
		sub := stmt.Scalar(stmt.Select(stmt.CountAll()).From(P).Where(P.C("author_id").Eq(U.C("id"))))
		got, err := engine.All[row](ctx, e, stmt.Select(U.C("email"), sub.Label("n")).OrderBy(U.C("email").Asc()))
		if err != nil || len(got) != 4 || got[0].N != 3 || got[1].N != 1 || got[2].N != 0 {
			t.Errorf("scalar subquery = %+v, %v", got, err)
		}
	})
	t.Run("update and delete report rows affected", func(t *testing.T) {
		res, err := e.Exec(ctx, stmt.Update(P).Set("score", stmt.Add(P.C("score"), int64(1))).Where(P.C("author_id").Eq(ann)))
		if err != nil || res.RowsAffected != 3 {
			t.Errorf("update = %+v, %v; want 3 rows", res, err)
		}
		// Setting a value to what it already is still counts the row.
		res, err = e.Exec(ctx, stmt.Update(U).Set("name", "Bob").Where(U.C("id").Eq(bob)))
		if err != nil || res.RowsAffected != 1 {
			t.Errorf("no-op update = %+v, %v; want 1 row", res, err)
		}
		res, err = e.Exec(ctx, stmt.Delete(P).Where(P.C("score").IsNull()))
		if err != nil || res.RowsAffected != 1 {
			t.Errorf("delete = %+v, %v; want 1 row", res, err)
		}
		res, err = e.Exec(ctx, stmt.Delete(P).Where(P.C("id").Eq(int64(-5))))
		if err != nil || res.RowsAffected != 0 {
			t.Errorf("delete nothing = %+v, %v", res, err)
		}
	})
	t.Run("upsert", func(t *testing.T) {
		up := stmt.Insert(U).Columns("email", "name", "active").Values("ann@example.com", "Ann Updated", false).
			OnConflictDoUpdate([]string{"email"}, "name", "active")
		if _, err := e.Exec(ctx, up); err != nil {
			t.Fatal(err)
		}
		got, err := engine.One[userRow](ctx, e, stmt.Select(U).Where(U.C("email").Eq("ann@example.com")))
		if err != nil || got.ID != ann || got.FullName == nil || *got.FullName != "Ann Updated" || got.Active {
			t.Errorf("after upsert = %+v, %v", got, err)
		}
		if _, err := e.Exec(ctx, stmt.Insert(U).Columns("email", "active").Values("ann@example.com", true).OnConflictDoNothing("email")); err != nil {
			t.Errorf("do nothing: %v", err)
		}
		n, _ := engine.Scalar[int64](ctx, e, stmt.Select(stmt.CountAll()).From(U))
		if n != 4 {
			t.Errorf("users after upserts = %d, want 4", n)
		}
	})
	t.Run("insert returning", func(t *testing.T) {
		if !e.Dialect().Features().Has(dialects.Returning) {
			t.Skipf("the %s dialect has no RETURNING", e.Dialect().Name())
		}
		type ret struct {
			ID    int64
			Email string
		}
		got, err := engine.One[ret](ctx, e, stmt.Insert(U).Columns("email", "active").Values("ret@example.com", true).
			Returning(U.C("id"), U.C("email")))
		if err != nil || got.ID <= 0 || got.Email != "ret@example.com" {
			t.Errorf("returning = %+v, %v", got, err)
		}
	})
	t.Run("raw text with named parameters", func(t *testing.T) {
		q := stmt.Text("SELECT email FROM "+e.Dialect().QuoteIdent(f.users.Name)+
			" WHERE age >= :min AND email <> :skip ORDER BY email").Bind("min", int64(25)).Bind("skip", "bob@example.com")
		got, err := engine.All[string](ctx, e, q)
		if err != nil || !slices.Equal(got, []string{"ann@example.com", "d_100%@example.com"}) {
			t.Errorf("raw text = %q, %v", got, err)
		}
	})
}
