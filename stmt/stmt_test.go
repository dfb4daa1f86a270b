package stmt_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

func schema() *spec.Schema {
	id := &spec.Column{Name: "id", Type: spec.Type{Kind: spec.TypeBigInt}, PrimaryKey: true}
	name := &spec.Column{Name: "name", Type: spec.Type{Kind: spec.TypeString}}
	boss := &spec.Column{Name: "boss_id", Type: spec.Type{Kind: spec.TypeBigInt}, Nullable: true}
	users := &spec.Table{Name: "users", Columns: []*spec.Column{id, name, boss}, PrimaryKey: []*spec.Column{id}}
	m := &spec.Model{Name: "User", Table: users}
	users.Model = m
	m.Relationships = []*spec.Relationship{{Name: "boss", Model: m, Target: m, Kind: spec.ManyToOne,
		Pairs: []spec.ColumnPair{{Local: boss, Remote: id}}}}
	s := &spec.Schema{Models: []*spec.Model{m}, Tables: []*spec.Table{users}}
	s.Index()
	return s
}

func sql(t *testing.T, s stmt.Statement) string {
	t.Helper()
	c, err := postgres.Default().Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	return c.SQL
}

func TestImmutable(t *testing.T) {
	u := stmt.TableOf(schema(), "User")
	base := stmt.Select(u.C("id")).Where(u.C("id").Gt(1))
	before := sql(t, base)
	a := base.Where(u.C("name").Eq("a")).OrderBy(u.C("id").Asc()).Limit(1)
	b := base.Where(u.C("name").Eq("b")).GroupBy(u.C("name")).Distinct()
	_ = base.Columns(u.C("name")).Join(u.As("x"), u.C("id").Eq(1)).ForUpdate().Offset(3)
	if got := sql(t, base); got != before {
		t.Errorf("base changed: %s", got)
	}
	sa, sb := sql(t, a), sql(t, b)
	if sa == sb || sa == before {
		t.Errorf("derived statements share state:\n%s\n%s", sa, sb)
	}
	ins := stmt.Insert(u).Columns("name")
	one := ins.Values("a")
	two := one.Values("b")
	if sql(t, one) == sql(t, two) {
		t.Error("Values modified the statement it was called on")
	}
	upd := stmt.Update(u).Set("name", "a")
	_ = upd.Set("boss_id", 1).Where(u.C("id").Eq(1))
	if got := sql(t, upd); got != `UPDATE "users" SET "name" = $1` {
		t.Errorf("update changed: %s", got)
	}
}

func TestBuildErrors(t *testing.T) {
	s := schema()
	u := stmt.TableOf(s, "User")
	tests := []struct {
		name    string
		st      stmt.Statement
		unknown bool
	}{
		{"unknown model", stmt.Select(stmt.TableOf(s, "Nope")), true},
		{"unknown column", stmt.Select(u.C("nope")), true},
		{"unknown column in where", stmt.Select(u).Where(u.C("nope").Eq(1)), true},
		{"unknown relationship", stmt.Select(u).JoinRel(u, "nope", nil), true},
		{"unknown insert column", stmt.Insert(u).Columns("nope"), true},
		{"unknown update column", stmt.Update(u).Set("nope", 1), true},
		{"unknown conflict column", stmt.Insert(u).Columns("name").Values("a").OnConflictDoNothing("nope"), true},
		{"nil schema", stmt.Select(stmt.TableOf(nil, "User")), false},
		{"nil table", stmt.Insert(nil), false},
		{"aliased update", stmt.Update(u.As("x")).Set("name", 1), false},
		{"relationship to the wrong table", stmt.Select(u).JoinRel(u, "boss", stmt.Ref(&spec.Table{Name: "other"})), false},
		{"column of another table", stmt.Select(u.Col(&spec.Column{Name: "x"})), false},
		{"table as value", stmt.Select(u).Where(u.C("id").Eq(u)), false},
		{"subquery among IN values", stmt.Select(u).Where(u.C("id").In(1, stmt.Select(u.C("id")))), false},
		{"negative offset", stmt.Select(u).Offset(-2), false},
		{"nil select item", stmt.Select(nil), false},
		{"empty select", stmt.Select(), false},
		{"join without on", stmt.Select(u).Join(u.As("b"), nil), false},
		{"zero table", stmt.Select(&stmt.Table{}), false},
		{"zero table column", stmt.Select((&stmt.Table{}).C("id")), false},
		{"zero table insert", stmt.Insert(&stmt.Table{}).Columns("id").Values(1), false},
		{"nil table column", stmt.Select((*stmt.Table)(nil).C("id")), false},
		{"nil table update", stmt.Update(nil).Set("id", 1), false},
		{"nil table delete", stmt.Delete(nil), false},
		{"nil join target", stmt.Select(u).Join(nil, u.C("id").Eq(1)), false},
		{"zero left of relationship", stmt.Select(u).JoinRel(&stmt.Table{}, "boss", nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := postgres.Default().Compile(tt.st)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.unknown && !errors.Is(err, stmt.ErrUnknown) {
				t.Errorf("error %v does not match ErrUnknown", err)
			}
		})
	}
}

func TestExpressions(t *testing.T) {
	u := stmt.TableOf(schema(), "User")
	tests := []struct {
		name string
		cond stmt.Expr
		want string
	}{
		{"eq nil is null", u.C("boss_id").Eq(nil), `"users"."boss_id" IS NULL`},
		{"ne nil is not null", u.C("boss_id").Ne(nil), `"users"."boss_id" IS NOT NULL`},
		{"in expands a slice", u.C("id").In([]int64{1, 2}), `"users"."id" IN ($1, $2)`},
		{"in keeps bytes whole", u.C("name").In([]byte("ab")), `"users"."name" IN ($1)`},
		{"and skips nil", stmt.And(nil, u.C("id").Eq(1), nil), `"users"."id" = $1`},
		{"or of one", stmt.Or(u.C("id").Eq(1)), `"users"."id" = $1`},
		{"column against column", u.C("id").Eq(u.As("b").C("boss_id")), `"users"."id" = "b"."boss_id"`},
		{"not", stmt.Not(u.C("id").In(1)), `NOT ("users"."id" IN ($1))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := postgres.Default().Compile(stmt.Select(stmt.CountAll()).From(u).Where(tt.cond))
			if err != nil {
				t.Fatal(err)
			}
			want := `SELECT COUNT(*) FROM "users" WHERE ` + tt.want
			if c.SQL != want {
				t.Errorf("got  %s\nwant %s", c.SQL, want)
			}
		})
	}
}

func TestEscapeLike(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"100%", "100!%"},
		{"a_b", "a!_b"},
		{"wow!", "wow!!"},
		{"%_!", "!%!_!!"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := stmt.EscapeLike(tt.in); got != tt.want {
				t.Errorf("EscapeLike(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTypeOf(t *testing.T) {
	u := stmt.TableOf(schema(), "User")
	dec102 := &spec.Type{Kind: spec.TypeDecimal, Precision: 10, Scale: 2}
	if got := stmt.TypeOf(stmt.Avg(stmt.Typed(1.5, dec102))); got == nil || got.Precision != 14 || got.Scale != 6 {
		t.Errorf("TypeOf(AVG(decimal(10,2))) = %+v, want decimal(14,6)", got)
	}
	tests := []struct {
		name string
		e    stmt.Expr
		want spec.TypeKind
	}{
		{"column", u.C("name"), spec.TypeString},
		{"count", stmt.CountAll(), spec.TypeBigInt},
		{"max", stmt.Max(u.C("id")), spec.TypeBigInt},
		{"label", u.C("name").Label("n"), spec.TypeString},
		{"scalar", stmt.Scalar(stmt.Select(u.C("name"))), spec.TypeString},
		{"arithmetic", u.C("id").Add(1), spec.TypeBigInt},
		{"avg unknown", stmt.Avg(u.C("id")), spec.TypeInvalid},
		{"avg of a decimal", stmt.Avg(stmt.Typed(1.5, dec102)), spec.TypeDecimal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := stmt.TypeOf(tt.e)
			if (got == nil) != (tt.want == spec.TypeInvalid) || (got != nil && got.Kind != tt.want) {
				t.Errorf("TypeOf = %v, want %s", got, tt.want)
			}
		})
	}
}

func TestSplit(t *testing.T) {
	u := stmt.TableOf(schema(), "User")
	rows := make([][]any, 10)
	for i := range rows {
		rows[i] = []any{int64(i), "n"}
	}
	ins := stmt.Insert(u).Columns("id", "name").Rows(rows...)
	tests := []struct {
		name  string
		max   int
		sizes []int
	}{
		{"fits", 20, []int{10}},
		{"exact split", 10, []int{5, 5}},
		{"remainder", 6, []int{3, 3, 3, 1}},
		{"one row each", 3, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{"too small to split", 1, []int{10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := ins.Split(tt.max)
			var sizes []int
			next := int64(0)
			for _, p := range parts {
				sizes = append(sizes, len(p.Parts().Rows))
				for _, r := range p.Parts().Rows {
					if r[0] != next {
						t.Fatalf("row order broken: got %v, want %d", r[0], next)
					}
					next++
				}
			}
			if fmt.Sprint(sizes) != fmt.Sprint(tt.sizes) {
				t.Errorf("sizes = %v, want %v", sizes, tt.sizes)
			}
		})
	}
	if len(ins.Parts().Rows) != 10 {
		t.Error("Split changed the statement")
	}
}

func TestInTuplesArity(t *testing.T) {
	u := stmt.TableOf(schema(), "User")
	_, err := postgres.Default().Compile(stmt.Select(u).Where(stmt.InTuples([]stmt.Expr{u.C("id"), u.C("name")}, [][]any{{1}})))
	if err == nil {
		t.Error("a short tuple compiled")
	}
}
