package orm

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/dlayer/dlayer/internal/conv"
	"github.com/dlayer/dlayer/internal/suggest"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// SQL-expression attributes (a model's `expressions:`): each is read with
// the object as a correlated scalar subquery placed right after the
// table's columns in the SELECT, and is never written. A mapper of a model
// without expressions has no exprs and none of this runs.

// exprField reads and writes one expression attribute's value in an
// object: a struct field bound to it, or a dynamic Object's slot.
type exprField struct {
	e     *spec.Expression
	label string
	// ptr returns the scan destination; nil when a bound struct has no
	// field for the attribute (its value is then scanned and dropped).
	ptr      func(obj unsafe.Pointer) any
	copyFrom func(dst, src unsafe.Pointer)
	// fix, if set, rewrites the scanned value in the expression's type
	// (drivers disagree: MySQL sums integers as DECIMAL text, SQLite sums
	// decimals as REAL).
	fix func(obj unsafe.Pointer)
}

// exprColumn is a stand-in column with the expression's result type, to
// check and build a struct field's accessors like a column's.
func exprColumn(e *spec.Expression) *spec.Column {
	nullable := e.Func != spec.AggCount && e.Func != spec.AggSum
	return &spec.Column{Name: e.Name, Type: e.Type, Nullable: nullable}
}

// structExprFields builds the accessors of the struct fields bound to m's
// expressions (fields are optional).
func structExprFields(m *spec.Model, byName map[string]reflect.StructField, problems []string) ([]exprField, []string) {
	out := make([]exprField, len(m.Expressions))
	for i, e := range m.Expressions {
		out[i] = exprField{e: e, label: exprLabel(e)}
		sf, ok := byName[e.Name]
		if !ok {
			continue
		}
		cf, err := structColField(exprColumn(e), sf)
		if err != nil {
			problems = append(problems, "expression attribute "+err.Error())
			continue
		}
		out[i].ptr, out[i].copyFrom = cf.ptr, cf.copyFrom
		if t := e.Type; t.Kind == spec.TypeDecimal && sf.Type.Kind() == reflect.String {
			off := sf.Offset
			out[i].fix = func(obj unsafe.Pointer) {
				p := (*string)(unsafe.Add(obj, off))
				if d, err := conv.Decimal(*p, &t); err == nil {
					*p = d
				}
			}
		}
	}
	return out, problems
}

// dynamicExprFields keeps expression values in an Object's vals after the
// columns.
func dynamicExprFields(mp *mapper) {
	n := len(mp.cols)
	mp.exprs = make([]exprField, len(mp.model.Expressions))
	for k, e := range mp.model.Expressions {
		i := n + k
		mp.exprs[k] = exprField{
			e: e, label: exprLabel(e),
			ptr:      func(o unsafe.Pointer) any { return &(*Object)(o).vals[i] },
			copyFrom: func(dst, src unsafe.Pointer) { (*Object)(dst).vals[i] = (*Object)(src).vals[i] },
			fix:      func(o unsafe.Pointer) { canonicalExpr(&(*Object)(o).vals[i], &e.Type) },
		}
	}
}

func exprLabel(e *spec.Expression) string { return "dlx_" + e.Name }

// exprSubquery compiles e for rows of outer (the model's table, possibly
// aliased) as a correlated scalar subquery. Soft-deleted related rows are
// left out unless withDeleted.
func exprSubquery(e *spec.Expression, outer *stmt.Table, withDeleted bool) stmt.Expr {
	r := e.Relationship
	if r == nil || r.Target == nil {
		return &stmt.ErrExpr{Err: fmt.Errorf("orm: expression attribute %s has no relationship", e.Name)}
	}
	tt := r.Target.Table
	child := stmt.Ref(tt).As("dlx_" + e.Name)
	var agg stmt.Expr
	var col stmt.Expr
	if e.Column != nil {
		col = child.Col(e.Column)
	}
	switch e.Func {
	case spec.AggCount:
		if col == nil {
			agg = stmt.CountAll()
		} else {
			agg = stmt.Count(col)
		}
	case spec.AggSum:
		agg = stmt.Coalesce(stmt.Sum(col), 0)
	case spec.AggAvg:
		agg = stmt.Avg(col)
	case spec.AggMin:
		agg = stmt.Min(col)
	case spec.AggMax:
		agg = stmt.Max(col)
	default:
		return &stmt.ErrExpr{Err: fmt.Errorf("orm: expression attribute %s: invalid aggregate", e.Name)}
	}
	var conds []stmt.Expr
	q := stmt.Select(agg).From(child)
	if r.Kind == spec.ManyToMany {
		sec := stmt.Ref(r.Secondary).As("dlx_" + e.Name + "_s")
		on := make([]stmt.Expr, len(r.SecondaryPairs))
		for i, p := range r.SecondaryPairs {
			on[i] = stmt.Eq(sec.Col(p.Local), child.Col(p.Remote))
		}
		q = q.Join(sec, stmt.And(on...))
		for _, p := range r.Pairs {
			conds = append(conds, stmt.Eq(sec.Col(p.Remote), outer.Col(p.Local)))
		}
	} else {
		for _, p := range r.Pairs {
			conds = append(conds, stmt.Eq(child.Col(p.Remote), outer.Col(p.Local)))
		}
	}
	for _, w := range e.Where {
		if w.Value == nil {
			conds = append(conds, child.Col(w.Column).IsNull())
		} else {
			conds = append(conds, stmt.Eq(child.Col(w.Column), w.Value))
		}
	}
	if t := r.Target; t.Inherits != nil && t.PolymorphicOn != nil && t.PolymorphicOn.Table == tt {
		// A single-table sub-model: only its rows (and its sub-models').
		var ids []any
		var walk func(m *spec.Model)
		walk = func(m *spec.Model) {
			ids = append(ids, m.PolymorphicIdentity)
			for _, sm := range m.SubModels {
				walk(sm)
			}
		}
		walk(t)
		conds = append(conds, stmt.In(child.Col(t.PolymorphicOn), ids...))
	}
	if sd := r.Target.SoftDelete; sd != nil && sd.Table == tt && !withDeleted {
		conds = append(conds, child.Col(sd).IsNull())
	}
	return stmt.Scalar(q.Where(conds...))
}

// withExprs adds m's expression attributes to q (a SELECT of outer first)
// after its select items: right after the table's columns when q selects
// the table alone, else after the other items (see exprsAt).
func (m *mapper) withExprs(q *stmt.SelectStmt, outer *stmt.Table, withDeleted bool) *stmt.SelectStmt {
	if len(m.exprs) == 0 || m.poly != nil {
		return q
	}
	return q.Columns(m.exprItems(outer, withDeleted)...)
}

// exprItems returns m's expression attributes over outer as select items.
func (m *mapper) exprItems(outer *stmt.Table, withDeleted bool) []stmt.Selectable {
	items := make([]stmt.Selectable, len(m.exprs))
	for i := range m.exprs {
		items[i] = stmt.Label(exprSubquery(m.exprs[i].e, outer, withDeleted), m.exprs[i].label)
	}
	return items
}

// derivedExprs adds to items the expression attributes a derived table d
// carries (limit-per-parent loading), so that they follow d's columns.
func (m *mapper) derivedExprs(items []stmt.Selectable, d *stmt.Table) []stmt.Selectable {
	for i := range m.exprs {
		items = append(items, stmt.Label(d.Label(m.exprs[i].label), m.exprs[i].label))
	}
	return items
}

// exprsIn reports whether q (a SELECT of m's table) carries m's
// expression attributes right after the table's columns (see withExprs).
func (m *mapper) exprsIn(q *stmt.SelectStmt) bool { return m.exprsAt(q, 1) }

// exprsAt reports whether q's select items from i on start with m's
// expression attributes, as withExprs adds them.
func (m *mapper) exprsAt(q *stmt.SelectStmt, i int) bool {
	items := q.Parts().Items
	if i < 1 || len(items) < i+len(m.exprs) {
		return false
	}
	l, ok := items[i].(*stmt.LabelExpr)
	return ok && l != nil && l.Name == m.exprs[0].label
}

// scanExprs points dest (after the table's columns) at obj's expression
// fields; sink takes a value no field is bound to.
func (m *mapper) scanExprs(dest []any, obj unsafe.Pointer, sink *any) {
	m.scanExprsAt(dest, len(m.cols), obj, sink)
}

// scanExprsAt is scanExprs for values from dest[at] on.
func (m *mapper) scanExprsAt(dest []any, at int, obj unsafe.Pointer, sink *any) {
	for k := range m.exprs {
		if p := m.exprs[k].ptr; p != nil {
			dest[at+k] = p(obj)
		} else {
			dest[at+k] = sink
		}
	}
}

// setExprs assigns the expression values vals (scanned apart from the
// object: a joined load's target) to obj's fields, in their types.
func (m *mapper) setExprs(obj unsafe.Pointer, vals []any) error {
	for k := range m.exprs {
		if p := m.exprs[k].ptr; p != nil {
			if err := conv.Assign(p(obj), vals[k]); err != nil {
				return fmt.Errorf("expression attribute %s.%s: %w", m.model.Name, m.exprs[k].e.Name, err)
			}
		}
	}
	m.fixExprs(obj)
	return nil
}

// refreshExprs copies the expression values of a freshly read src into dst.
func (m *mapper) refreshExprs(dst, src unsafe.Pointer) {
	for k := range m.exprs {
		if f := m.exprs[k].copyFrom; f != nil {
			f(dst, src)
		}
	}
}

// Attr returns the SQL-expression attribute name of T's model as an
// expression over the model's table as orm.Select[T] selects it (not
// aliased), for where and order by:
//
//	q := orm.Select[User](db).Where(stmt.Gt(orm.Attr[User](db, "post_count"), 2))
//
// An unknown name yields an expression whose compilation fails, naming the
// closest attribute. Soft-deleted related rows are left out.
func Attr[T any](db *DB, name string) stmt.Expr {
	m, err := mapperFor[T](db)
	if err != nil {
		return &stmt.ErrExpr{Err: fmt.Errorf("orm.Attr %q: %w", name, err)}
	}
	return m.attr(name)
}

// Attr is orm.Attr for a model by name (dynamic Objects).
func (db *DB) Attr(model, name string) stmt.Expr {
	if db == nil {
		return &stmt.ErrExpr{Err: errors.New("orm.Attr: nil *orm.DB")}
	}
	m, err := db.modelMapper(model)
	if err != nil {
		return &stmt.ErrExpr{Err: err}
	}
	return m.attr(name)
}

func (m *mapper) attr(name string) stmt.Expr {
	e := m.model.Expression(name)
	if e == nil {
		names := make([]string, len(m.model.Expressions))
		for i, x := range m.model.Expressions {
			names[i] = x.Name
		}
		msg := fmt.Sprintf("orm.Attr: model %s has no expression attribute %q", m.model.Name, name)
		if hint := suggest.DidYouMean(name, names); hint != "" {
			msg += "; " + hint
		}
		return &stmt.ErrExpr{Err: fmt.Errorf("%w: %s", stmt.ErrUnknown, msg)}
	}
	return exprSubquery(e, m.tref, false)
}

// exprGet returns a dynamic object's expression attribute value.
func (o *Object) exprGet(name string) (any, bool) {
	for k := range o.m.exprs {
		if o.m.exprs[k].e.Name == name {
			return conv.Normalize(o.vals[len(o.m.cols)+k]), true
		}
	}
	return nil, false
}

// fixExprs rewrites obj's freshly scanned expression values in their
// types (see exprField.fix).
func (m *mapper) fixExprs(obj unsafe.Pointer) {
	for k := range m.exprs {
		if f := m.exprs[k].fix; f != nil {
			f(obj)
		}
	}
}

// canonicalExpr rewrites a dynamic object's expression value v in type t.
func canonicalExpr(v *any, t *spec.Type) {
	if *v == nil {
		return
	}
	switch {
	case t.Kind.IsInteger():
		var i int64
		if conv.Assign(&i, *v) == nil {
			*v = i
		}
	case t.Kind == spec.TypeFloat || t.Kind == spec.TypeDouble:
		var f float64
		if conv.Assign(&f, *v) == nil {
			*v = f
		}
	case t.Kind == spec.TypeDecimal:
		if d, err := conv.Decimal(*v, t); err == nil {
			*v = d
		}
	default:
		*v = conv.Normalize(*v)
	}
}
