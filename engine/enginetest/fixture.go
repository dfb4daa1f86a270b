package enginetest

import (
	"context"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// Config says how to reach the database under test.
type Config struct {
	// Open returns a ready engine; it registers its own cleanup (t.Cleanup).
	Open func(t *testing.T) *engine.Engine
	// SlowQuery is raw SQL that takes several seconds, preferably without
	// burning CPU (pg_sleep, SLEEP), for the cancellation tests.
	SlowQuery string
	// URL returns a URL of the database Open opens, for tests that open
	// (and close) engines of their own. Each call may return a new
	// database; tests that need two engines on one database call it once.
	URL func(t *testing.T) string
	// DecimalDigits is how many significant digits of a decimal the
	// database keeps exactly (SQLite: 15); 0 means every digit.
	DecimalDigits int
}

// fixture is a schema of uniquely named tables, created for one test.
type fixture struct {
	sfx                       string
	schema                    *spec.Schema
	users, posts, types, nums *spec.Table
	U, P, T, N                *stmt.Table
}

func col(name string, kind spec.TypeKind, mod func(*spec.Column)) *spec.Column {
	c := &spec.Column{Name: name, Type: spec.Type{Kind: kind}}
	if mod != nil {
		mod(c)
	}
	return c
}

func nullable(c *spec.Column) { c.Nullable = true }

func pk(c *spec.Column) { c.PrimaryKey = true; c.Autoincrement = true }

func newFixture() *fixture {
	sfx := testdb.Suffix()
	f := &fixture{sfx: sfx}
	users := &spec.Table{Name: "dl_users_" + sfx, Columns: []*spec.Column{
		col("id", spec.TypeBigInt, pk),
		col("email", spec.TypeString, func(c *spec.Column) { c.Type.Length = 200 }),
		col("name", spec.TypeString, func(c *spec.Column) { c.Type.Length = 100; c.Nullable = true }),
		col("age", spec.TypeInteger, nullable),
		col("active", spec.TypeBoolean, nil),
	}}
	users.PrimaryKey = users.Columns[:1]
	users.Uniques = []*spec.Unique{{Name: "uq_" + sfx + "_email", Columns: []*spec.Column{users.Columns[1]}}}
	users.Checks = []*spec.Check{{Name: "ck_" + sfx + "_age", Expr: "age >= 0"}}

	posts := &spec.Table{Name: "dl_posts_" + sfx, Columns: []*spec.Column{
		col("id", spec.TypeBigInt, pk),
		col("author_id", spec.TypeBigInt, nil),
		col("title", spec.TypeString, func(c *spec.Column) { c.Type.Length = 200 }),
		col("score", spec.TypeInteger, nullable),
	}}
	posts.PrimaryKey = posts.Columns[:1]
	fk := &spec.ForeignKey{Name: "fk_" + sfx + "_author", Table: posts, Columns: []*spec.Column{posts.Columns[1]},
		RefTable: users, RefColumns: []*spec.Column{users.Columns[0]}}
	posts.ForeignKeys = []*spec.ForeignKey{fk}
	posts.Columns[1].ForeignKey = fk

	types := &spec.Table{Name: "dl_types_" + sfx, Columns: []*spec.Column{
		col("id", spec.TypeBigInt, func(c *spec.Column) { c.PrimaryKey = true }),
		col("i", spec.TypeInteger, nullable),
		col("bi", spec.TypeBigInt, nullable),
		col("si", spec.TypeSmallInt, nullable),
		col("s", spec.TypeString, func(c *spec.Column) { c.Type.Length = 255; c.Nullable = true }),
		col("tx", spec.TypeText, nullable),
		col("b", spec.TypeBoolean, nullable),
		col("f", spec.TypeFloat, nullable),
		col("d", spec.TypeDouble, nullable),
		col("dec", spec.TypeDecimal, func(c *spec.Column) { c.Type.Precision = 38; c.Type.Scale = 10; c.Nullable = true }),
		col("dt", spec.TypeDate, nullable),
		col("tm", spec.TypeTime, nullable),
		col("ts", spec.TypeTimestamp, nullable),
		col("tstz", spec.TypeTimestamp, func(c *spec.Column) { c.Type.Timezone = true; c.Nullable = true }),
		col("u", spec.TypeUUID, nullable),
		col("j", spec.TypeJSON, nullable),
		col("by", spec.TypeBytes, nullable),
		col("en", spec.TypeEnum, func(c *spec.Column) {
			c.Type.Values = []string{"draft", "published", "ünïcode ✓"}
			c.Type.EnumName = "dl_status_" + sfx
			c.Nullable = true
		}),
	}}
	types.PrimaryKey = types.Columns[:1]

	nums := &spec.Table{Name: "dl_nums_" + sfx, Columns: []*spec.Column{
		col("n", spec.TypeBigInt, func(c *spec.Column) { c.PrimaryKey = true }),
		col("grp", spec.TypeInteger, nil),
	}}
	nums.PrimaryKey = nums.Columns[:1]

	f.schema = &spec.Schema{Tables: []*spec.Table{users, posts, types, nums}}
	f.schema.Index()
	f.users, f.posts, f.types, f.nums = users, posts, types, nums
	f.U, f.P, f.T, f.N = stmt.Ref(users), stmt.Ref(posts), stmt.Ref(types), stmt.Ref(nums)
	return f
}

// setup opens an engine and creates the fixture's tables, dropping them
// when the test ends.
func setup(t *testing.T, cfg Config) (*engine.Engine, *fixture) {
	t.Helper()
	e := cfg.Open(t)
	f := newFixture()
	ctx := context.Background()
	if err := e.CreateTables(ctx, f.schema); err != nil {
		t.Fatalf("create tables: %v", err)
	}
	t.Cleanup(func() {
		if err := e.DropTables(context.Background(), f.schema); err != nil {
			t.Errorf("drop tables: %v", err)
		}
	})
	return e, f
}

func mustExec(t *testing.T, q engine.Querier, s stmt.Statement) engine.Result {
	t.Helper()
	res, err := q.Exec(context.Background(), s)
	if err != nil {
		t.Fatalf("exec: %v", err)
	}
	return res
}

// seedNums inserts n rows (n, n%10) into the nums table.
func seedNums(t *testing.T, e *engine.Engine, f *fixture, n int) {
	t.Helper()
	rows := make([][]any, 0, 500)
	for i := 0; i < n; i++ {
		rows = append(rows, []any{int64(i), int64(i % 10)})
		if len(rows) == cap(rows) || i == n-1 {
			mustExec(t, e, stmt.Insert(f.N).Columns("n", "grp").Rows(rows...))
			rows = rows[:0]
		}
	}
}

// addUser inserts a user and returns its id.
func addUser(t *testing.T, q engine.Querier, f *fixture, email string, name any, age any) int64 {
	t.Helper()
	ctx := context.Background()
	mustExec(t, q, stmt.Insert(f.U).Columns("email", "name", "age", "active").Values(email, name, age, true))
	id, err := engine.Scalar[int64](ctx, q, stmt.Select(f.U.C("id")).Where(f.U.C("email").Eq(email)))
	if err != nil {
		t.Fatalf("read id of %s: %v", email, err)
	}
	return id
}
