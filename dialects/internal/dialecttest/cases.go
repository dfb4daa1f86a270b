package dialecttest

import (
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// Case is a statement every dialect compiles in its golden test.
type Case struct {
	Name string
	Stmt stmt.Statement
}

// Cases returns one statement per builder construct, over Schema().
func Cases(s *spec.Schema) []Case {
	u := stmt.TableOf(s, "User")
	p := stmt.TableOf(s, "Post")
	pt := stmt.TableOf(s, "post_tags")
	tg := stmt.TableOf(s, "Tag")
	mgr := u.As("mgr")
	p2 := p.As("p2")

	published := stmt.Select(p.C("author_id")).Where(p.C("status").Eq("published"))
	postCount := stmt.Select(stmt.CountAll()).From(p2).Where(p2.C("author_id").Eq(u.C("id")))

	return []Case{
		{"select_pk", stmt.Select(u).Where(u.C("id").Eq(int64(42)))},
		{"select_columns_label", stmt.Select(u.C("id"), u.C("email").Label("mail"), stmt.Label(stmt.Lower(u.C("name")), "lname"))},
		{"where_comparisons", stmt.Select(u.C("id")).Where(
			u.C("id").Ne(1), u.C("score").Lt(2.5), u.C("logins").Le(3),
			stmt.Or(u.C("level").Gt(4), u.C("level").Ge(5)),
			stmt.Not(u.C("active").Eq(false)),
		)},
		{"where_and_or_nested", stmt.Select(u.C("id")).Where(stmt.Or(
			stmt.And(u.C("name").Eq("a"), u.C("email").Eq("b")),
			stmt.And(u.C("name").Eq("c"), stmt.Or(u.C("logins").Eq(1), u.C("logins").Eq(2))),
		))},
		{"where_empty_and_or", stmt.Select(u.C("id")).Where(&stmt.BoolExpr{}, &stmt.BoolExpr{Or: true})},
		{"in_values", stmt.Select(u.C("id")).Where(u.C("id").In(1, 2, 3), u.C("role").NotIn([]string{"guest", "admin"}))},
		{"in_empty", stmt.Select(u.C("id")).Where(u.C("id").In(), u.C("id").NotIn([]int64{}))},
		{"in_subquery", stmt.Select(u.C("id")).Where(u.C("id").In(published), stmt.NotIn(u.C("manager_id"), published))},
		{"in_tuples", stmt.Select(pt).Where(stmt.InTuples([]stmt.Expr{pt.C("post_id"), pt.C("tag_id")}, [][]any{{1, 2}, {3, 4}}))},
		{"between", stmt.Select(u.C("id")).Where(u.C("score").Between(1, 10), stmt.NotBetween(u.C("logins"), 0, 5))},
		{"like", stmt.Select(u.C("id")).Where(u.C("name").Like("a%"), stmt.NotLike(u.C("email"), "%@x.org"))},
		{"ilike", stmt.Select(u.C("id")).Where(u.C("name").ILike("ÉCOLE%"), stmt.NotILike(u.C("email"), "%@X.ORG"))},
		{"like_escaped_helpers", stmt.Select(u.C("id")).Where(u.C("name").Contains("100%_off!"),
			stmt.StartsWith(u.C("email"), "a_b"), stmt.EndsWith(u.C("email"), "%"), stmt.ContainsFold(u.C("bio"), "Ünï"))},
		{"null_tests", stmt.Select(u.C("id")).Where(u.C("bio").IsNull(), u.C("born").IsNotNull(), u.C("wakes").Eq(nil), u.C("ratio").Ne(nil))},
		{"join_explicit", stmt.Select(p.C("title"), u.C("email")).Join(u, p.C("author_id").Eq(u.C("id"))).Where(u.C("active").Eq(true))},
		{"left_join_explicit", stmt.Select(u.C("id"), p.C("id")).LeftJoin(p, stmt.And(p.C("author_id").Eq(u.C("id")), p.C("status").Eq("draft")))},
		{"join_relationship", stmt.Select(p.C("title")).JoinRel(p, "author", nil).Where(u.C("email").Eq("a@b.c"))},
		{"join_many_to_many", stmt.Select(p.C("title"), tg.C("name")).LeftJoinRel(p, "tags", nil).OrderBy(tg.C("name").Asc())},
		{"self_join_alias", stmt.Select(u.C("name"), mgr.C("name").Label("manager")).LeftJoinRel(u, "manager", mgr).Where(mgr.C("active").Eq(true))},
		{"group_having_aggregates", stmt.Select(
			p.C("author_id"),
			stmt.CountAll().Label("n"),
			stmt.CountDistinct(p.C("status")).Label("statuses"),
			stmt.Sum(p.C("views")).Label("total"),
			stmt.Avg(p.C("views")).Label("mean"),
			stmt.Min(p.C("published_at")).Label("first"),
			stmt.Max(p.C("published_at")).Label("last"),
		).GroupBy(p.C("author_id")).Having(stmt.Gt(stmt.CountAll(), 2)).OrderBy(stmt.Desc(stmt.Label(stmt.CountAll(), "n")))},
		{"order_nulls", stmt.Select(u.C("id")).OrderBy(u.C("born").Asc().NullsFirst(), u.C("seen_at").Desc().NullsLast(), u.C("id").Asc())},
		{"limit_offset", stmt.Select(u).OrderBy(u.C("id").Asc()).Limit(10).Offset(20)},
		{"offset_only", stmt.Select(u.C("id")).Offset(5)},
		{"distinct", stmt.Select(p.C("author_id")).Distinct()},
		{"exists_correlated", stmt.Select(u.C("id")).Where(stmt.Exists(stmt.Select(p.C("id")).Where(p.C("author_id").Eq(u.C("id")))))},
		{"not_exists", stmt.Select(u.C("id")).Where(stmt.NotExists(stmt.Select(pt.C("post_id")).Where(pt.C("tag_id").Eq(7))))},
		{"scalar_subquery", stmt.Select(u.C("id"), stmt.Scalar(postCount).Label("posts"))},
		{"scalar_subquery_compare", stmt.Select(u.C("id")).Where(u.C("logins").Gt(stmt.Select(stmt.Avg(u.As("u2").C("logins"))).From(u.As("u2"))))},
		{"for_update", stmt.Select(u).Where(u.C("id").Eq(1)).ForUpdate()},
		{"for_update_skip_locked", stmt.Select(u.C("id")).Limit(1).ForUpdateSkipLocked()},
		{"for_update_nowait", stmt.Select(u.C("id")).ForUpdateNoWait()},
		{"arithmetic", stmt.Select(u.C("id"), stmt.Label(stmt.Mul(stmt.Add(u.C("logins"), 1), 2), "x")).Where(stmt.Gt(stmt.Sub(u.C("score"), -1), stmt.Div(u.C("logins"), 3)))},
		{"coalesce", stmt.Select(stmt.Coalesce(u.C("bio"), "none").Label("bio"))},
		{"named_params", stmt.Select(u).Where(u.C("id").Eq(stmt.NamedParam("id")), u.C("active").Eq(true))},
		{"insert_one", stmt.Insert(u).Columns("email", "name", "active").Values("a@b.c", "Ann", true)},
		{"insert_multi", stmt.Insert(tg).Columns("id", "name").Rows([]any{1, "go"}, []any{2, "sql"}, []any{3, "orm"})},
		{"insert_returning", stmt.Insert(u).Columns("email", "name").Values("a@b.c", "Ann").Returning(u.C("id"), u.C("created_at"))},
		{"insert_default_values", stmt.Insert(tg)},
		{"insert_expr_value", stmt.Insert(p).Columns("author_id", "title", "status").Values(stmt.Select(stmt.Max(u.C("id"))), "t", "draft")},
		{"upsert_do_update", stmt.Insert(tg).Columns("id", "name").Values(1, "go").OnConflictDoUpdate([]string{"id"}, "name")},
		{"upsert_do_nothing", stmt.Insert(tg).Columns("id", "name").Values(1, "go").OnConflictDoNothing()},
		{"upsert_set_expr", stmt.Insert(u).Columns("email", "name", "logins").Values("a@b.c", "Ann", 1).
			OnConflictDoUpdateSet([]string{"email"}, stmt.Assign(u.C("logins"), u.C("logins").Add(stmt.Excluded(u.C("logins")))), stmt.Assign(u.C("name"), stmt.Excluded(u.C("name"))))},
		{"upsert_returning", stmt.Insert(tg).Columns("id", "name").Values(1, "go").OnConflictDoUpdate(nil, "name").Returning(tg)},
		{"update_where", stmt.Update(u).Set("name", "Bob").Set("logins", u.C("logins").Add(1)).Where(u.C("id").Eq(5))},
		{"update_returning", stmt.Update(u).Set("active", false).Where(u.C("seen_at").Lt("2020-01-01")).Returning(u.C("id"), u.C("email").Label("mail"))},
		{"update_all_rows", stmt.Update(tg).Set("name", nil)},
		{"update_correlated", stmt.Update(u).Set("logins", 0).Where(stmt.NotExists(stmt.Select(p.C("id")).Where(p.C("author_id").Eq(u.C("id")))))},
		{"delete_where", stmt.Delete(p).Where(p.C("status").Eq("draft"), p.C("published_at").IsNull())},
		{"delete_returning", stmt.Delete(p).Where(p.C("id").In(1, 2)).Returning(p.C("id"))},
		{"text_params", stmt.Text("SELECT * FROM users WHERE id = :id AND name = :name OR id = :id").Bind("id", 1).Bind("name", "x")},
		{"text_quoted_and_casts", stmt.Text("SELECT ':nope', \"col:x\", `b:y`, x::text, a\\:b /* :c */ FROM t -- :d\nWHERE y = :y").Params(map[string]any{"y": 2})},
		{"text_dollar_quotes", stmt.Text("SELECT $$ :a $$, $q$ :b $q$, :c").Bind("c", 3).Bind("a", 1).Bind("b", 2)},
		{"text_backslash_string", stmt.Text(`SELECT 'it\'s :a', :b`).Bind("a", 1).Bind("b", 2)},
		{"text_minus_minus", stmt.Text("SELECT 1 --:a\n, 2--:b\n").Bind("a", 1).Bind("b", 2)},
		{"err_unknown_table", stmt.Select(stmt.TableOf(s, "Nope"))},
		{"err_unknown_column", stmt.Select(u.C("nope"))},
		{"err_unknown_relationship", stmt.Select(u).JoinRel(u, "nope", nil)},
		{"err_insert_unknown_column", stmt.Insert(u).Columns("nope").Values(1)},
		{"err_insert_arity", stmt.Insert(u).Columns("email", "name").Values(1)},
		{"err_missing_text_param", stmt.Text("SELECT :a")},
		{"err_excluded_outside_upsert", stmt.Update(u).Set("name", stmt.Excluded(u.C("name")))},
		{"err_update_without_set", stmt.Update(u)},
		{"err_negative_limit", stmt.Select(u).Limit(-1)},
		{"err_nil_statement", nil},
	}
}
