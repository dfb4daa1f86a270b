package dialecttest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// ValueStatements returns statements that carry v as a value in every place
// a value can go, over Schema().
func ValueStatements(s *spec.Schema, v string) map[string]stmt.Statement {
	u := stmt.TableOf(s, "User")
	tg := stmt.TableOf(s, "Tag")
	return map[string]stmt.Statement{
		"eq":          stmt.Select(u).Where(u.C("name").Eq(v)),
		"compare":     stmt.Select(u.C("id")).Where(u.C("email").Ne(v), u.C("motto").Gt(v)),
		"in":          stmt.Select(u.C("id")).Where(u.C("name").In(v, v+"2"), u.C("email").NotIn([]string{v})),
		"between":     stmt.Select(u.C("id")).Where(u.C("name").Between(v, v)),
		"like":        stmt.Select(u.C("id")).Where(u.C("name").Like(v), u.C("bio").ILike(v)),
		"contains":    stmt.Select(u.C("id")).Where(u.C("name").Contains(v), stmt.StartsWith(u.C("email"), v), stmt.ContainsFold(u.C("bio"), v)),
		"coalesce":    stmt.Select(stmt.Coalesce(u.C("bio"), v).Label("b")),
		"having":      stmt.Select(u.C("name")).GroupBy(u.C("name")).Having(stmt.Eq(stmt.Max(u.C("email")), v)),
		"subquery":    stmt.Select(u.C("id")).Where(stmt.Exists(stmt.Select(tg.C("id")).Where(tg.C("name").Eq(v)))),
		"insert":      stmt.Insert(u).Columns("email", "name", "bio").Values(v, v, v),
		"insert_rows": stmt.Insert(tg).Columns("id", "name").Rows([]any{1, v}, []any{2, v}),
		"upsert":      stmt.Insert(tg).Columns("id", "name").Values(1, v).OnConflictDoUpdateSet([]string{"id"}, stmt.Assign(tg.C("name"), v)),
		"update":      stmt.Update(u).Set("name", v).Set("bio", stmt.Coalesce(u.C("bio"), v)).Where(u.C("email").Eq(v)),
		"delete":      stmt.Delete(u).Where(u.C("name").Eq(v), u.C("motto").Like(v)),
		"text":        stmt.Text("SELECT id FROM users WHERE name = :v AND bio LIKE :v").Bind("v", v),
	}
}

// Injection checks that values never reach the SQL text: each statement
// compiled with a payload gives exactly the SQL it gives with a harmless
// value, with the payload among the arguments.
func Injection(t *testing.T, d dialects.Dialect) {
	s := Schema()
	safe := ValueStatements(s, "harmless")
	for _, p := range Payloads {
		for name, st := range ValueStatements(s, p) {
			t.Run(fmt.Sprintf("%s/%q", name, p), func(t *testing.T) {
				got, err := d.Compile(st)
				if errors.Is(err, dialects.ErrUnsupported) {
					return
				}
				if err != nil {
					t.Fatalf("compile: %v", err)
				}
				want, err := d.Compile(safe[name])
				if err != nil {
					t.Fatalf("compile harmless: %v", err)
				}
				if got.SQL != want.SQL {
					t.Errorf("the value changed the SQL text:\n%s\nvs\n%s", got.SQL, want.SQL)
				}
				if len(p) > 3 && strings.Contains(got.SQL, p) {
					t.Errorf("SQL contains the payload: %s", got.SQL)
				}
				found := false
				for _, a := range got.Args {
					if s, ok := a.(string); ok && (strings.Contains(s, p) || strings.Contains(s, stmt.EscapeLike(p))) {
						found = true
					}
				}
				if !found {
					t.Errorf("payload not among the arguments %#v", got.Args)
				}
				CheckCompiled(t, d, got)
			})
		}
	}
	t.Run("minus_minus", func(t *testing.T) {
		// An inlined negative number after a minus would start a comment.
		u := stmt.TableOf(s, "User")
		c, err := d.Compile(stmt.Select(stmt.Label(stmt.Sub(u.C("logins"), -1), "x")).Where(stmt.Gt(stmt.Sub(u.C("score"), -1.5), stmt.Sub(u.C("level"), int64(-9)))))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(c.SQL, "--") || strings.Contains(c.SQL, "-1") {
			t.Errorf("a negative value reached the SQL: %s", c.SQL)
		}
	})
	t.Run("limit", func(t *testing.T) {
		u := stmt.TableOf(s, "User")
		c, err := d.Compile(stmt.Select(u.C("id")).Limit(1 << 40).Offset(3))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(c.SQL, " LIMIT 1099511627776 OFFSET 3") {
			t.Errorf("limit not rendered from the Go integer: %s", c.SQL)
		}
	})
}

// HostileIdentifiers compiles statements over HostileSchema() and checks
// that every quoted identifier in the SQL decodes to a schema name or alias
// and that nothing outside the quotes is a string, comment or statement
// separator.
func HostileIdentifiers(t *testing.T, d dialects.Dialect) {
	s := HostileSchema()
	tb := s.Tables[0]
	ev := stmt.Ref(tb)
	al := ev.As(`a"l` + "`" + `ias'`)
	c1, c2, c3 := tb.Columns[1].Name, tb.Columns[2].Name, tb.Columns[3].Name
	names := []string{tb.Name, al.Alias(), `la"bel`}
	for _, c := range tb.Columns {
		names = append(names, c.Name)
	}
	cases := map[string]stmt.Statement{
		"select":  stmt.Select(ev, ev.C(c1).Label(`la"bel`)).Where(ev.C(c2).Eq("x"), ev.C(c3).IsNull()).OrderBy(ev.C(c1).Desc().NullsLast()),
		"alias":   stmt.Select(al.C(c1)).Where(al.C("id").In(stmt.Select(ev.C("id")))),
		"insert":  stmt.Insert(ev).Columns(c1, c2).Values("a", "b").OnConflictDoUpdate(nil, c1),
		"update":  stmt.Update(ev).Set(c1, "v").Where(ev.C(c2).Like("x")),
		"delete":  stmt.Delete(ev).Where(ev.C(c3).Eq("it's")),
		"counted": stmt.Select(stmt.CountDistinct(ev.C(c1)).Label(`la"bel`)).GroupBy(ev.C(c2)),
	}
	for name, st := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := d.Compile(st)
			if err != nil {
				t.Fatal(err)
			}
			idents, rest, err := SplitQuoted(c.SQL, d.QuoteIdent("x")[0])
			if err != nil {
				t.Fatalf("%v in %s", err, c.SQL)
			}
			for _, id := range idents {
				if !slices.Contains(names, id) {
					t.Errorf("quoted identifier %q is not a schema name", id)
				}
			}
			for _, bad := range []string{"'", `"`, "`", ";", "--", "/*", "#", "$$"} {
				if strings.Contains(rest, bad) {
					t.Errorf("%q outside identifiers in %s", bad, c.SQL)
				}
			}
		})
	}
	t.Run("nul_identifier", func(t *testing.T) {
		bad := HostileSchema()
		bad.Tables[0].Columns[1].Name = "a\x00b"
		bad.Index()
		_, err := d.Compile(stmt.Select(stmt.Ref(bad.Tables[0])))
		if err == nil {
			t.Error("an identifier with a NUL byte compiled")
		}
		if _, err := d.CreateTable(bad.Tables[0]); err == nil {
			t.Error("DDL for an identifier with a NUL byte was written")
		}
	})
	t.Run("ddl", func(t *testing.T) {
		stmts, err := dialects.CreateAllSQL(d, s)
		if err != nil {
			t.Fatal(err)
		}
		for _, sql := range stmts {
			idents, _, err := SplitQuoted(sql, d.QuoteIdent("x")[0])
			if err != nil {
				t.Fatalf("%v in %s", err, sql)
			}
			for _, id := range idents {
				if !slices.Contains(names, id) && id != tb.Columns[3].Type.EnumName && id != "uq_"+tb.Name+"_"+c1 {
					t.Errorf("quoted identifier %q is not a schema name in %s", id, sql)
				}
			}
		}
	})
}

// SplitQuoted returns the decoded identifiers quoted with q in sql and the
// text outside them, with string literals ('…', quote doubled, backslash
// escapes skipped where q is the backtick) replaced by a single space.
func SplitQuoted(sql string, q byte) (idents []string, rest string, err error) {
	var out strings.Builder
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == q:
			var id strings.Builder
			j := i + 1
			for ; j < len(sql); j++ {
				if sql[j] == q {
					if j+1 < len(sql) && sql[j+1] == q {
						id.WriteByte(q)
						j++
						continue
					}
					break
				}
				id.WriteByte(sql[j])
			}
			if j >= len(sql) {
				return nil, "", errors.New("unterminated identifier")
			}
			idents = append(idents, id.String())
			out.WriteString(" ")
			i = j
		case c == '\'':
			j := i + 1
			for ; j < len(sql); j++ {
				if sql[j] == '\\' && q == '`' {
					j++
					continue
				}
				if sql[j] == '\'' {
					if j+1 < len(sql) && sql[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			if j >= len(sql) {
				return nil, "", errors.New("unterminated string")
			}
			out.WriteString(" ")
			i = j
		default:
			out.WriteByte(c)
		}
	}
	return idents, out.String(), nil
}
