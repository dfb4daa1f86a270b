package sqlgen_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/internal/dialecttest"
	"github.com/dlayer/dlayer/dialects/mysql"
	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

var all = []dialects.Dialect{sqlite.New(), postgres.New(), mysql.New()}

func identSchema(ident string) *spec.Schema {
	id := &spec.Column{Name: "id", Type: spec.Type{Kind: spec.TypeInteger}, PrimaryKey: true}
	c := &spec.Column{Name: ident, Type: spec.Type{Kind: spec.TypeString, Length: 10}}
	t := &spec.Table{Name: ident, Columns: []*spec.Column{id, c}, PrimaryKey: []*spec.Column{id}}
	s := &spec.Schema{Tables: []*spec.Table{t}}
	s.Index()
	return s
}

// FuzzCompile feeds random raw SQL, parameter names, values and identifiers
// to every dialect's compiler. It must never panic, a value must never
// change the SQL text (it travels as an argument), and an identifier must
// come out quoted so that it decodes back to itself.
func FuzzCompile(f *testing.F) {
	f.Add("SELECT * FROM t WHERE a = :a AND b::text = ':a'", "a", "x", "users")
	f.Add("SELECT $$:a$$, $q$ :a $q$, E'\\' :a', `:a` -- :a\n:a", "a", "1 - -1", `we"ird`)
	f.Add("/* :a /* */ :a */ :a # :a\n--:a", "a", "\xbf' OR 1=1 --", "a`b")
	for _, p := range dialecttest.Payloads {
		f.Add("SELECT :v, ':v', \"v\"", "v", p, p)
	}
	f.Fuzz(func(t *testing.T, raw, name, value, ident string) {
		for _, d := range all {
			a, errA := d.Compile(stmt.Text(raw).Bind(name, value))
			b, errB := d.Compile(stmt.Text(raw).Bind(name, "harmless"))
			if (errA == nil) != (errB == nil) {
				t.Fatalf("%s: errors differ with the value: %v / %v", d.Name(), errA, errB)
			}
			if errA == nil {
				if a.SQL != b.SQL || len(a.Args) != len(b.Args) {
					t.Fatalf("%s: the value changed the SQL: %q vs %q", d.Name(), a.SQL, b.SQL)
				}
				for i := range b.Args {
					if b.Args[i] == "harmless" && a.Args[i] != value {
						t.Fatalf("%s: argument %d is %#v, want the value", d.Name(), i, a.Args[i])
					}
				}
			}

			s := identSchema(ident)
			tb := stmt.Ref(s.Tables[0])
			for _, st := range []func(v string) stmt.Statement{
				func(v string) stmt.Statement {
					return stmt.Select(tb).Where(tb.C(ident).Eq(v), tb.C(ident).Contains(v)).OrderBy(tb.C(ident).Asc().NullsFirst())
				},
				func(v string) stmt.Statement {
					return stmt.Insert(tb).Columns("id", ident).Values(1, v).OnConflictDoUpdate(nil, ident)
				},
				func(v string) stmt.Statement { return stmt.Update(tb).Set(ident, v).Where(tb.C("id").In(v, 2)) },
				func(v string) stmt.Statement { return stmt.Delete(tb).Where(tb.C(ident).ILike(v)) },
			} {
				a, errA := d.Compile(st(value))
				b, errB := d.Compile(st("harmless"))
				bad := ident == "" || strings.IndexByte(ident, 0) >= 0
				if bad != (errA != nil) || bad != (errB != nil) {
					t.Fatalf("%s: identifier %q: errors %v / %v", d.Name(), ident, errA, errB)
				}
				if bad {
					continue
				}
				if a.SQL != b.SQL {
					t.Fatalf("%s: the value changed the SQL: %q vs %q", d.Name(), a.SQL, b.SQL)
				}
				ids, rest, err := dialecttest.SplitQuoted(a.SQL, d.QuoteIdent("x")[0])
				if err != nil {
					t.Fatalf("%s: %v in %q", d.Name(), err, a.SQL)
				}
				for _, id := range ids {
					if id != ident && id != "id" {
						t.Fatalf("%s: identifier %q decoded as %q in %q", d.Name(), ident, id, a.SQL)
					}
				}
				if !slices.Contains(ids, ident) {
					t.Fatalf("%s: identifier %q missing from %q", d.Name(), ident, a.SQL)
				}
				if strings.ContainsAny(rest, "\";`") || strings.Contains(rest, "--") {
					t.Fatalf("%s: stray quote or comment outside identifiers in %q", d.Name(), a.SQL)
				}
			}
			if ident != "" && strings.IndexByte(ident, 0) < 0 {
				if _, err := dialects.CreateAllSQL(d, s); err != nil {
					t.Fatalf("%s: DDL for %q: %v", d.Name(), ident, err)
				}
			}
		}
	})
}
