package sqlgen_test

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/internal/dialecttest"
	"github.com/dlayer/dlayer/dialects/sqlgen"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// withCache returns a compiler for d's configuration with its own cache of
// size n (negative: no cache).
func withCache(d dialects.Dialect, n int) *sqlgen.Base {
	cfg := d.(interface{ Config() sqlgen.Config }).Config()
	cfg.CompiledCache = n
	return sqlgen.New(cfg)
}

// sameCompiled fails unless got (from a cached compiler) equals want (from
// a compiler without cache) in everything a caller reads.
func sameCompiled(t *testing.T, what string, got, want *dialects.Compiled) {
	t.Helper()
	switch {
	case got.SQL != want.SQL:
		t.Fatalf("%s: SQL\n got %s\nwant %s", what, got.SQL, want.SQL)
	case !reflect.DeepEqual(got.Args, want.Args):
		t.Fatalf("%s: args %#v, want %#v", what, got.Args, want.Args)
	case !reflect.DeepEqual(got.ArgTypes, want.ArgTypes):
		t.Fatalf("%s: arg types differ", what)
	case !reflect.DeepEqual(got.ParamNames, want.ParamNames):
		t.Fatalf("%s: param names %v, want %v", what, got.ParamNames, want.ParamNames)
	case got.MultiStatement != want.MultiStatement:
		t.Fatalf("%s: multi-statement differs", what)
	case got.SingleRow != want.SingleRow:
		t.Fatalf("%s: single-row differs", what)
	case len(got.Columns) != len(want.Columns):
		t.Fatalf("%s: %d result columns, want %d", what, len(got.Columns), len(want.Columns))
	}
	for i := range got.Columns {
		g, w := got.Columns[i], want.Columns[i]
		if g.Name != w.Name || g.Column != w.Column || !reflect.DeepEqual(g.Type, w.Type) {
			t.Fatalf("%s: result column %d: %+v, want %+v", what, i, g, w)
		}
	}
}

// shapes builds, for a value v, statements of many shapes, most pairs
// differing in one thing that changes the SQL (a few compile alike: a
// named parameter and a value, Set twice and SetAll).
func shapes(v any) map[string]stmt.Statement {
	s := shapeSchema()
	u := stmt.TableOf(s, "User")
	ua := u.As("a")
	p := stmt.TableOf(s, "Post").As("p")
	id, name := u.C("id"), u.C("name")
	return map[string]stmt.Statement{
		"eq":             stmt.Select(u).Where(id.Eq(v)),
		"ne":             stmt.Select(u).Where(id.Ne(v)),
		"eq nil":         stmt.Select(u).Where(id.Eq(nil)),
		"other column":   stmt.Select(u).Where(name.Eq(v)),
		"alias":          stmt.Select(ua).Where(ua.C("id").Eq(v)),
		"one column":     stmt.Select(id).Where(id.Eq(v)),
		"label":          stmt.Select(id.Label("x")).Where(id.Eq(v)),
		"label y":        stmt.Select(id.Label("y")).Where(id.Eq(v)),
		"limit 1":        stmt.Select(u).Where(id.Eq(v)).Limit(1),
		"limit 2":        stmt.Select(u).Where(id.Eq(v)).Limit(2),
		"offset 2":       stmt.Select(u).Where(id.Eq(v)).Offset(2),
		"distinct":       stmt.Select(id).Distinct().Where(id.Eq(v)),
		"for update":     stmt.Select(u).Where(id.Eq(v)).ForUpdate(),
		"order asc":      stmt.Select(u).Where(id.Eq(v)).OrderBy(id.Asc()),
		"order desc":     stmt.Select(u).Where(id.Eq(v)).OrderBy(id.Desc()),
		"nulls first":    stmt.Select(u).Where(id.Eq(v)).OrderBy(id.Desc().NullsFirst()),
		"and":            stmt.Select(u).Where(id.Eq(v), name.Eq(v)),
		"or":             stmt.Select(u).Where(stmt.Or(id.Eq(v), name.Eq(v))),
		"in 2":           stmt.Select(u).Where(id.In(v, v)),
		"in 3":           stmt.Select(u).Where(id.In(v, v, v)),
		"in none":        stmt.Select(u).Where(id.In([]int{})),
		"not in":         stmt.Select(u).Where(id.NotIn(v, v)),
		"between":        stmt.Select(u).Where(id.Between(v, v)),
		"like":           stmt.Select(u).Where(name.Like(v)),
		"ilike":          stmt.Select(u).Where(name.ILike(v)),
		"contains":       stmt.Select(u).Where(name.Contains("q")),
		"count":          stmt.Select(stmt.Count(id)).Where(id.Gt(v)),
		"count distinct": stmt.Select(stmt.CountDistinct(id)).Where(id.Gt(v)),
		"join":           stmt.Select(u).Join(p, stmt.Eq(p.C("author_id"), id)).Where(id.Eq(v)),
		"left join":      stmt.Select(u).LeftJoin(p, stmt.Eq(p.C("author_id"), id)).Where(id.Eq(v)),
		"group having":   stmt.Select(id, stmt.CountAll().Label("n")).GroupBy(id).Having(stmt.Gt(stmt.CountAll(), v)),
		"exists":         stmt.Select(u).Where(stmt.Exists(stmt.Select(p.C("id")).Where(stmt.Eq(p.C("author_id"), id), p.C("title").Eq(v)))),
		"in subquery":    stmt.Select(u).Where(id.In(stmt.Select(p.C("author_id")).Where(p.C("title").Eq(v)))),
		"add":            stmt.Select(u).Where(stmt.Gt(stmt.Add(id, v), 3)),
		"named":          stmt.Select(u).Where(id.Eq(stmt.NamedParam("k"))),
		"named other":    stmt.Select(u).Where(id.Eq(stmt.NamedParam("j"))),
		"tuple":          stmt.Select(u).Where(stmt.InTuples([]stmt.Expr{id, name}, [][]any{{v, v}})),
		"update":         stmt.Update(u).Set("name", v).Where(id.Eq(v)),
		"update 2":       stmt.Update(u).Set("name", v).Set("bio", v).Where(id.Eq(v)),
		"update expr":    stmt.Update(u).Set("name", stmt.Lower(name)).Where(id.Eq(v)),
		"update all":     stmt.Update(u).SetAll([]string{"name", "bio"}, v, v).Where(id.Eq(v)),
		"delete":         stmt.Delete(u).Where(id.Eq(v)),
		"delete all":     stmt.Delete(u),
		"insert":         stmt.Insert(u).Columns("name", "email").Values(v, v),
		"insert 2 rows":  stmt.Insert(u).Columns("name", "email").Values(v, v).Values(v, v),
		"insert expr":    stmt.Insert(u).Columns("name", "email").Values(stmt.Val(v), v),
		"insert 20 rows": stmt.Insert(u).Columns("name", "email").Rows(rows(20, v)...),
		"upsert nothing": stmt.Insert(u).Columns("name", "email").Values(v, v).OnConflictDoNothing("email"),
		"upsert update":  stmt.Insert(u).Columns("name", "email").Values(v, v).OnConflictDoUpdate([]string{"email"}, "name"),
		"upsert set":     stmt.Insert(u).Columns("name", "email").Values(v, v).OnConflictDoUpdateSet([]string{"email"}, stmt.Assign(name, v)),
	}
}

var shapeSchema = sync.OnceValue(dialecttest.Schema)

func rows(n int, v any) [][]any {
	out := make([][]any, n)
	for i := range out {
		out[i] = []any{v, v}
	}
	return out
}

// TestCompiledCacheMatchesCompiler compiles every shape with a cached
// compiler, first with one value (a miss) and then with another (a hit),
// on every dialect, and checks each result against a compiler without
// cache: different shapes never share SQL, and values are placed right.
func TestCompiledCacheMatchesCompiler(t *testing.T) {
	for _, d := range all {
		t.Run(d.Name(), func(t *testing.T) {
			cached, plain := withCache(d, 1000), withCache(d, -1)
			sqls := map[string]string{}
			for round, v := range []any{"first", "second", int64(7)} {
				for name, s := range shapes(v) {
					want, wantErr := plain.Compile(s)
					got, gotErr := cached.Compile(s)
					if (wantErr == nil) != (gotErr == nil) {
						t.Fatalf("%s: error %v, want %v", name, gotErr, wantErr)
					}
					if wantErr != nil {
						continue
					}
					sameCompiled(t, fmt.Sprintf("%s (round %d)", name, round), got, want)
					if strings.Contains(got.SQL, "first") || strings.Contains(got.SQL, "second") {
						t.Fatalf("%s: a bound value is in the SQL: %s", name, got.SQL)
					}
					if prev, ok := sqls[name]; ok && prev != got.SQL {
						t.Fatalf("%s: SQL changed with the value: %s / %s", name, prev, got.SQL)
					}
					sqls[name] = got.SQL
				}
			}
			// "update all" (SetAll) builds the very shape of "update 2".
			if n := cached.CompiledCacheLen(); n != len(sqls)-1 {
				t.Errorf("the cache holds %d shapes of %d", n, len(sqls)-1)
			}
		})
	}
}

// TestCompiledCacheHit: a repeated shape is served from the cache (one
// allocation: the result; no SQL written), and values of the new
// statement are the ones bound.
func TestCompiledCacheHit(t *testing.T) {
	tb := stmt.Ref(benchTable())
	for _, d := range all {
		t.Run(d.Name(), func(t *testing.T) {
			g := withCache(d, 10)
			first, err := g.Compile(stmt.Select(tb).Where(tb.C("id").Eq(int64(1))))
			if err != nil {
				t.Fatal(err)
			}
			q := stmt.Select(tb).Where(tb.C("id").Eq(int64(2)))
			allocs := testing.AllocsPerRun(100, func() {
				c, err := g.Compile(q)
				if err != nil || c.Args[0] != int64(2) || c.SQL != first.SQL {
					t.Fatalf("hit: %v %v", c, err)
				}
			})
			if allocs > 1 && !raceEnabled {
				t.Errorf("a cache hit made %.0f allocations, want 1", allocs)
			}
			if g.CompiledCacheLen() != 1 {
				t.Errorf("%d shapes cached, want 1", g.CompiledCacheLen())
			}
			if unsafeSame(first.SQL, mustCompile(t, g, q).SQL) == false {
				t.Error("a hit did not reuse the cached SQL string")
			}
		})
	}
}

func mustCompile(t *testing.T, g *sqlgen.Base, s stmt.Statement) *dialects.Compiled {
	t.Helper()
	c, err := g.Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// unsafeSame reports whether two strings share their bytes.
func unsafeSame(a, b string) bool {
	return len(a) == len(b) && len(a) > 0 && stringData(a) == stringData(b)
}

// TestCompiledCacheBounded: the cache never holds more shapes than asked,
// and a negative size turns it off.
func TestCompiledCacheBounded(t *testing.T) {
	tb := stmt.Ref(benchTable())
	for _, tc := range []struct {
		name       string
		size, want int
	}{{"size 3", 3, 3}, {"off", -1, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			g := withCache(all[0], tc.size)
			for i := range 10 {
				mustCompile(t, g, stmt.Select(tb).Where(tb.C("id").Eq(1)).Limit(i+1))
			}
			if n := g.CompiledCacheLen(); n != tc.want {
				t.Fatalf("%d shapes cached, want %d", n, tc.want)
			}
		})
	}
}

// TestCompiledCacheSharedValue: one value node used twice in a statement
// must not teach the cache that both placeholders take the same value.
func TestCompiledCacheSharedValue(t *testing.T) {
	s := dialecttest.Schema()
	u := stmt.TableOf(s, "User")
	id, name := u.C("id"), u.C("name")
	for _, d := range all {
		g, plain := withCache(d, 10), withCache(d, -1)
		shared := stmt.Val("same")
		q1 := stmt.Select(u).Where(stmt.Or(stmt.Eq(name, shared), stmt.Eq(u.C("email"), shared)))
		q2 := stmt.Select(u).Where(stmt.Or(stmt.Eq(name, stmt.Val("a")), stmt.Eq(u.C("email"), stmt.Val("b"))))
		for _, q := range []stmt.Statement{q1, q2, q1, q2} {
			sameCompiled(t, d.Name(), mustCompile(t, g, q), mustCompile(t, plain, q))
		}
		_ = id
	}
}

// TestCompiledCacheTypes: the same shape bound with a typed and an untyped
// value keeps each one's type.
func TestCompiledCacheTypes(t *testing.T) {
	s := dialecttest.Schema()
	u := stmt.TableOf(s, "User")
	date := &spec.Type{Kind: spec.TypeDate}
	for _, d := range all {
		g, plain := withCache(d, 10), withCache(d, -1)
		for _, q := range []stmt.Statement{
			stmt.Update(u).Set("name", stmt.Val("x")).Where(u.C("id").Eq(1)),
			stmt.Update(u).Set("name", stmt.Typed("x", date)).Where(u.C("id").Eq(1)),
			stmt.Update(u).Set("name", stmt.Val("y")).Where(u.C("id").Eq(2)),
			stmt.Update(u).Set("name", stmt.Typed("y", date)).Where(u.C("id").Eq(2)),
		} {
			sameCompiled(t, d.Name(), mustCompile(t, g, q), mustCompile(t, plain, q))
		}
	}
}

// TestCompiledCacheConcurrent compiles shapes from many goroutines (run
// with -race).
func TestCompiledCacheConcurrent(t *testing.T) {
	for _, d := range all {
		g, plain := withCache(d, 8), withCache(d, -1)
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					for name, q := range shapes(int64(w*1000 + i)) {
						got, err := g.Compile(q)
						want, werr := plain.Compile(q)
						if (err == nil) != (werr == nil) {
							t.Errorf("%s: %v / %v", name, err, werr)
							return
						}
						if err == nil && (got.SQL != want.SQL || !reflect.DeepEqual(got.Args, want.Args)) {
							t.Errorf("%s: %s %v, want %s %v", name, got.SQL, got.Args, want.SQL, want.Args)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
	}
}

// FuzzCompiledCache compiles random expression trees (FuzzBuild's
// machine) with one cached compiler per dialect, shared by every input,
// twice with different values, and checks each result against a compiler
// without cache: a key shared by two shapes shows as a wrong SQL.
func FuzzCompiledCache(f *testing.F) {
	f.Add([]byte{0, 1, 3, 24, 1, 4, 5, 21}, "x")
	f.Add([]byte{48, 8, 72, 11, 6, 7, 17, 13}, "it's")
	f.Add([]byte{2, 2, 3, 14, 16, 18, 19, 20, 22, 23}, "$1")
	f.Add([]byte{0, 1, 3, 0, 1, 3, 5, 1, 16}, "y")
	f.Add([]byte{0, 1, 4, 24, 1, 3, 6, 7, 9}, "z")
	cached := make([]*sqlgen.Base, len(all))
	plain := make([]*sqlgen.Base, len(all))
	for i, d := range all {
		cached[i], plain[i] = withCache(d, 64), withCache(d, -1)
	}
	f.Fuzz(func(t *testing.T, program []byte, v string) {
		for _, val := range []string{v, v + "'2"} {
			e, orders, sub := buildFrom(program, val)
			s := dialecttest.Schema()
			u := stmt.TableOf(s, "User")
			stmts := []stmt.Statement{
				stmt.Select(u.C("id")).Where(e).OrderBy(orders...),
				stmt.Select(u.C("id"), stmt.Label(stmt.CountAll(), "n")).GroupBy(u.C("id")).Having(e),
				sub.Where(e),
				stmt.Update(u).Set("name", e).Where(e),
				stmt.Delete(u).Where(e),
				stmt.Insert(u).Columns("name", "email").Values(e, val).OnConflictDoUpdateSet([]string{"email"}, stmt.Assign(u.C("name"), e)),
			}
			if e != nil {
				stmts = append(stmts, stmt.Select(e))
			}
			for i := range all {
				for _, st := range stmts {
					want, werr := plain[i].Compile(st)
					got, err := cached[i].Compile(st)
					if (err == nil) != (werr == nil) {
						t.Fatalf("%s: error %v, want %v", all[i].Name(), err, werr)
					}
					if err == nil {
						sameCompiled(t, all[i].Name(), got, want)
					}
				}
			}
		}
	})
}

func stringData(s string) *byte { return unsafe.StringData(s) }

// TestSingleRow: a query by the whole primary key, or with LIMIT 1, is
// marked as returning at most one row; anything that may return more is
// not.
func TestSingleRow(t *testing.T) {
	s := shapeSchema()
	u := stmt.TableOf(s, "User")
	p := stmt.TableOf(s, "Post").As("p")
	id := u.C("id")
	tests := []struct {
		name string
		q    stmt.Statement
		want bool
	}{
		{"by primary key", stmt.Select(u).Where(id.Eq(1)), true},
		{"by primary key and more", stmt.Select(u).Where(u.C("name").Eq("x"), id.Eq(1)), true},
		{"by named parameter", stmt.Select(id).Where(id.Eq(stmt.NamedParam("k"))), true},
		{"limit 1", stmt.Select(u).Limit(1), true},
		{"limit 0", stmt.Select(u).Limit(0), true},
		{"limit 2", stmt.Select(u).Limit(2), false},
		{"no where", stmt.Select(u), false},
		{"other column", stmt.Select(u).Where(u.C("name").Eq("x")), false},
		{"key or", stmt.Select(u).Where(stmt.Or(id.Eq(1), id.Eq(2))), false},
		{"key in", stmt.Select(u).Where(id.In(1, 2)), false},
		{"key greater", stmt.Select(u).Where(id.Gt(1)), false},
		{"key = column", stmt.Select(u).Where(stmt.Eq(id, u.C("manager_id"))), false},
		{"join", stmt.Select(u).Join(p, stmt.Eq(p.C("author_id"), id)).Where(id.Eq(1)), false},
		{"group by", stmt.Select(id).Where(id.Eq(1)).GroupBy(u.C("name")), false},
		{"update", stmt.Update(u).Set("name", "x").Where(id.Eq(1)), false},
	}
	for _, d := range all {
		for _, tc := range tests {
			t.Run(d.Name()+"/"+tc.name, func(t *testing.T) {
				g := withCache(d, 16)
				for range 2 { // a miss, then a hit
					if c := mustCompile(t, g, tc.q); c.SingleRow != tc.want {
						t.Fatalf("SingleRow %v, want %v: %s", c.SingleRow, tc.want, c.SQL)
					}
				}
			})
		}
	}
}

// TestInArray: stmt.InArray binds its values as one array parameter on a
// dialect with dialects.ArrayParams (PostgreSQL: x = ANY($1), one cached
// shape for any number of values) and as an IN list elsewhere; mixed
// types and NULLs fall back to the IN list everywhere.
func TestInArray(t *testing.T) {
	tb := stmt.Ref(benchTable())
	for _, d := range all {
		t.Run(d.Name(), func(t *testing.T) {
			array := d.Features().Has(dialects.ArrayParams)
			for _, tc := range []struct {
				name   string
				vals   []any
				asList bool // an IN list even where arrays bind
				want   any  // the array parameter
			}{
				{name: "int64", vals: []any{int64(3), int64(1), int64(2)}, want: []int64{3, 1, 2}},
				{name: "int64 longer", vals: []any{int64(1), int64(2), int64(3), int64(4), int64(5)}, want: []int64{1, 2, 3, 4, 5}},
				{name: "string", vals: []any{"a", "b"}, want: []string{"a", "b"}},
				{name: "uuid bytes", vals: []any{[16]byte{1}, [16]byte{2}}, want: [][16]byte{{1}, {2}}},
				{name: "mixed types", vals: []any{int64(1), "b"}, asList: true},
				{name: "nil value", vals: []any{int64(1), nil}, asList: true},
			} {
				t.Run(tc.name, func(t *testing.T) {
					for _, g := range []*sqlgen.Base{withCache(d, 10), withCache(d, -1)} {
						for round := range 2 { // a miss, then a hit
							c := mustCompile(t, g, stmt.Select(tb).Where(tb.C("id").InArray(tc.vals)))
							if array && !tc.asList {
								if !strings.Contains(c.SQL, "= ANY(") || len(c.Args) != 1 || !reflect.DeepEqual(c.Args[0], tc.want) {
									t.Fatalf("round %d: %s %#v, want one array parameter %#v", round, c.SQL, c.Args, tc.want)
								}
								continue
							}
							if !strings.Contains(c.SQL, " IN (") || len(c.Args) != len(tc.vals) {
								t.Fatalf("round %d: %s %#v, want an IN list of %d", round, c.SQL, c.Args, len(tc.vals))
							}
						}
					}
				})
			}
			// One shape whatever the number of values where arrays bind.
			g := withCache(d, 10)
			for n := 1; n <= 4; n++ {
				vals, ints := make([]any, n), make([]int64, n)
				for i := range vals {
					vals[i], ints[i] = int64(i), int64(i)
				}
				c := mustCompile(t, g, stmt.Select(tb).Where(tb.C("id").InArray(vals)))
				if array && !reflect.DeepEqual(c.Args, []any{ints}) {
					t.Fatalf("%d values: args %#v", n, c.Args)
				}
			}
			want := 4
			if array {
				want = 1
			}
			if g.CompiledCacheLen() != want {
				t.Errorf("%d shapes cached for 1–4 values, want %d", g.CompiledCacheLen(), want)
			}
			// No values match nothing.
			if c := mustCompile(t, g, stmt.Select(tb).Where(tb.C("id").InArray(nil))); !strings.Contains(c.SQL, "1 = 0") {
				t.Errorf("no values: %s", c.SQL)
			}
		})
	}
}
