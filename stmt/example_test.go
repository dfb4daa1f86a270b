package stmt_test

import (
	"fmt"

	"github.com/dlayer/dlayer/dialects/mysql"
	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/stmt"
)

func ExampleSelect() {
	u := stmt.TableOf(schema(), "User")
	q := stmt.Select(u.C("id"), u.C("name")).
		Where(u.C("name").ILike("ann%"), u.C("boss_id").IsNotNull()).
		OrderBy(u.C("name").Asc().NullsLast()).
		Limit(10)

	pg, _ := postgres.Default().Compile(q)
	fmt.Println(pg.SQL, pg.Args)
	my, _ := mysql.Default().Compile(q)
	fmt.Println(my.SQL, my.Args)
	// Output:
	// SELECT "users"."id", "users"."name" FROM "users" WHERE "users"."name" ILIKE $1 AND "users"."boss_id" IS NOT NULL ORDER BY "users"."name" NULLS LAST LIMIT 10 [ann%]
	// SELECT `users`.`id`, `users`.`name` FROM `users` WHERE LOWER(`users`.`name`) LIKE LOWER(?) AND `users`.`boss_id` IS NOT NULL ORDER BY `users`.`name` IS NULL, `users`.`name` LIMIT 10 [ann%]
}

func ExampleSelectStmt_JoinRel() {
	u := stmt.TableOf(schema(), "User")
	boss := u.As("boss")
	q := stmt.Select(u.C("name"), boss.C("name").Label("boss")).LeftJoinRel(u, "boss", boss)
	c, _ := postgres.Default().Compile(q)
	fmt.Println(c.SQL)
	// Output:
	// SELECT "users"."name", "boss"."name" AS "boss" FROM "users" LEFT OUTER JOIN "users" AS "boss" ON "users"."boss_id" = "boss"."id"
}

func ExampleInsert() {
	u := stmt.TableOf(schema(), "User")
	q := stmt.Insert(u).Columns("id", "name").
		Values(1, "Ann").
		Values(2, "Bob").
		OnConflictDoUpdate([]string{"id"}, "name").
		Returning(u.C("id"))
	c, _ := postgres.Default().Compile(q)
	fmt.Println(c.SQL, c.Args)
	// Output:
	// INSERT INTO "users" ("id", "name") VALUES ($1, $2), ($3, $4) ON CONFLICT ("id") DO UPDATE SET "name" = excluded."name" RETURNING "id" [1 Ann 2 Bob]
}

func ExampleText() {
	q := stmt.Text("SELECT id FROM users WHERE name = :name AND created_at > :since::date").
		Bind("name", "Ann").Bind("since", "2024-01-01")
	c, _ := postgres.Default().Compile(q)
	fmt.Println(c.SQL, c.Args)
	// Output:
	// SELECT id FROM users WHERE name = $1 AND created_at > $2::date [Ann 2024-01-01]
}

func ExampleContains() {
	u := stmt.TableOf(schema(), "User")
	c, _ := postgres.Default().Compile(stmt.Select(u.C("id")).Where(stmt.Contains(u.C("name"), "100%")))
	fmt.Println(c.SQL, c.Args)
	// Output:
	// SELECT "users"."id" FROM "users" WHERE "users"."name" LIKE $1 ESCAPE '!' [%100!%%]
}

func ExampleNamedParam() {
	u := stmt.TableOf(schema(), "User")
	c, _ := postgres.Default().Compile(stmt.Select(u).Where(u.C("id").Eq(stmt.NamedParam("id"))))
	for _, id := range []int64{1, 2} {
		args, _ := c.Bind(map[string]any{"id": id})
		fmt.Println(args)
	}
	// Output:
	// [1]
	// [2]
}
