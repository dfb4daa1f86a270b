package sqlgen_test

import (
	"testing"

	"github.com/dlayer/dlayer/dialects/internal/dialecttest"
	"github.com/dlayer/dlayer/stmt"
)

// buildFrom interprets program as a stack machine that builds an expression
// tree (including nil and ill-formed nodes) over the test schema.
func buildFrom(program []byte, v string) (stmt.Expr, []stmt.Order, *stmt.SelectStmt) {
	s := dialecttest.Schema()
	u := stmt.TableOf(s, "User")
	p := stmt.TableOf(s, "Post").As("p")
	cols := []*stmt.Column{u.C("id"), u.C("name"), u.C("bio"), p.C("author_id"), p.C("title"), u.C("nope")}
	var stack []stmt.Expr
	pop := func() stmt.Expr {
		if len(stack) == 0 {
			return nil
		}
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		return e
	}
	sub := stmt.Select(p.C("author_id")).Where(p.C("title").Eq(v))
	var orders []stmt.Order
	for i, op := range program {
		if i > 200 {
			break
		}
		switch op % 24 {
		case 0:
			stack = append(stack, cols[int(op/24)%len(cols)])
		case 1:
			stack = append(stack, stmt.Val(v))
		case 2:
			stack = append(stack, nil)
		case 3:
			r, l := pop(), pop()
			stack = append(stack, stmt.Eq(l, r))
		case 4:
			r, l := pop(), pop()
			stack = append(stack, stmt.Lt(l, r))
		case 5:
			r, l := pop(), pop()
			stack = append(stack, stmt.And(l, r))
		case 6:
			r, l := pop(), pop()
			stack = append(stack, stmt.Or(l, r))
		case 7:
			stack = append(stack, stmt.Not(pop()))
		case 8:
			stack = append(stack, stmt.In(pop(), v, 1, nil))
		case 9:
			stack = append(stack, stmt.NotIn(pop(), sub))
		case 10:
			stack = append(stack, stmt.Between(pop(), v, 2))
		case 11:
			stack = append(stack, stmt.ILike(pop(), v))
		case 12:
			stack = append(stack, stmt.Contains(pop(), v))
		case 13:
			stack = append(stack, stmt.IsNull(pop()))
		case 14:
			stack = append(stack, stmt.Count(pop()))
		case 15:
			stack = append(stack, stmt.Coalesce(pop(), v))
		case 16:
			stack = append(stack, stmt.Label(pop(), v))
		case 17:
			stack = append(stack, stmt.Exists(sub.Where(stmt.Eq(pop(), u.C("id")))))
		case 18:
			stack = append(stack, stmt.Scalar(sub))
		case 19:
			r, l := pop(), pop()
			stack = append(stack, stmt.Add(l, r))
		case 20:
			stack = append(stack, stmt.Tuple(pop(), pop()))
		case 21:
			o := stmt.Desc(pop())
			if op&32 != 0 {
				o = o.NullsFirst()
			}
			orders = append(orders, o)
		case 22:
			stack = append(stack, stmt.NamedParam(v))
		case 23:
			stack = append(stack, stmt.Excluded(cols[int(op/24)%len(cols)]))
		}
	}
	return pop(), orders, sub
}

// FuzzBuild builds random (often ill-formed) expression trees and compiles
// them in SELECT, UPDATE and DELETE statements with every dialect: the
// compiler must return an error or SQL with one placeholder per argument,
// and never panic.
func FuzzBuild(f *testing.F) {
	f.Add([]byte{0, 1, 3, 24, 1, 4, 5, 21}, "x")
	f.Add([]byte{48, 8, 72, 11, 6, 7, 17, 13}, "it's")
	f.Add([]byte{2, 2, 3, 14, 16, 18, 19, 20, 22, 23}, "$1")
	f.Fuzz(func(t *testing.T, program []byte, v string) {
		e, orders, sub := buildFrom(program, v)
		s := dialecttest.Schema()
		u := stmt.TableOf(s, "User")
		stmts := []stmt.Statement{
			stmt.Select(u.C("id")).Where(e).OrderBy(orders...),
			stmt.Select(u.C("id"), stmt.Label(stmt.CountAll(), "n")).GroupBy(u.C("id")).Having(e),
			sub.Where(e),
			stmt.Update(u).Set("name", e).Where(e),
			stmt.Delete(u).Where(e),
			stmt.Insert(u).Columns("name", "email").Values(e, v).OnConflictDoUpdateSet([]string{"email"}, stmt.Assign(u.C("name"), e)),
		}
		if e != nil {
			stmts = append(stmts, stmt.Select(e))
		}
		for _, d := range all {
			for _, st := range stmts {
				c, err := d.Compile(st)
				if err != nil {
					continue
				}
				dialecttest.CheckCompiled(t, d, c)
			}
		}
	})
}
