package orm

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"unsafe"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// Single-table inheritance. Every model of a hierarchy has its own mapper
// over the shared table; columns a model does not own (a sibling's or a
// descendant's) get a discarding accessor, so the ordinary load, flush and
// dirty-check paths work unchanged. A mapper with sub-models reads each row
// twice from the driver: once for the discriminator, then into an object of
// the sub-model the discriminator names. Models without inheritance never
// reach this file (mapper.poly is nil).

// polyInfo is the inheritance part of a mapper.
type polyInfo struct {
	// disc is the ordinal of the discriminator column.
	disc int
	// ident is the model's polymorphic_identity.
	ident string
	// idents holds the identities of the model and its descendants, for
	// the IN filter of a sub-model's queries.
	idents []any
	// filter is true for a sub-model: its queries keep to its identities.
	filter bool
	// byIdent maps the identities of the model and its descendants to
	// their mappers; nil for a model without sub-models (no dispatch).
	byIdent map[string]*mapper
	// self is the mapper this info belongs to.
	self *mapper
	// layout is set when the model's queries join tables of a
	// joined-table hierarchy (inherit_joined.go).
	layout *joinLayout
}

// discardCol is the accessor of a column the model does not own: reads
// are thrown away, writes are NULL, comparisons equal.
func discardCol(c *spec.Column) colField {
	return colField{
		col:      c,
		name:     c.Name,
		ptr:      func(unsafe.Pointer) any { return new(any) },
		get:      func(unsafe.Pointer) any { return nil },
		set:      func(unsafe.Pointer, any) error { return nil },
		eq:       func(a, b unsafe.Pointer) bool { return true },
		zero:     func(unsafe.Pointer) bool { return true },
		key:      func(unsafe.Pointer) (keyVal, bool) { return keyVal{}, false },
		copyFrom: func(dst, src unsafe.Pointer) {},
	}
}

// linkHierarchies completes the mappers of inheritance hierarchies once all
// mappers and relationship fields exist: discriminator data, sub-model
// dispatch, shared relationship fields (a sub-model's inherited
// relationships are its parent's relField values, at the same positions,
// so loaders work on a mix of sub-model objects), and the struct layout
// rule that makes a *Sub usable as a *Base.
func linkHierarchies(db *DB) []string {
	var hier []*mapper
	for _, mp := range db.byModel {
		if mp.model.Polymorphic() {
			hier = append(hier, mp)
		}
	}
	if len(hier) == 0 {
		return nil
	}
	sort.Slice(hier, func(i, j int) bool {
		di, dj := modelDepth(hier[i].model), modelDepth(hier[j].model)
		if di != dj {
			return di < dj
		}
		return hier[i].model.Name < hier[j].model.Name
	})
	problems := checkJoined(db)
	if len(problems) > 0 {
		return problems
	}
	for _, mp := range hier {
		m := mp.model
		pi := &polyInfo{disc: m.PolymorphicOn.Ordinal, ident: m.PolymorphicIdentity, filter: m.Inherits != nil, self: mp}
		for _, id := range m.Identities() {
			pi.idents = append(pi.idents, id)
		}
		if len(m.SubModels) > 0 {
			pi.byIdent = map[string]*mapper{}
			var walk func(x *spec.Model)
			walk = func(x *spec.Model) {
				if x.PolymorphicIdentity != "" {
					pi.byIdent[x.PolymorphicIdentity] = db.byModel[x]
				}
				for _, s := range x.SubModels {
					walk(s)
				}
			}
			walk(m)
		}
		mp.poly = pi
		if mp.joined != nil {
			mp.joined.views[0].poly = pi // stamps the discriminator
			db.joined = true
		}
		if m.Inherits == nil {
			continue
		}
		parent := db.byModel[m.Inherits]
		if (parent.typ == nil) != (mp.typ == nil) {
			problems = append(problems, fmt.Sprintf("model %s inherits %s: bind both to Go types or neither (one is bound, the other loads as dynamic Objects)", m.Name, m.Inherits.Name))
			continue
		}
		if mp.typ != nil {
			if mp.typ.NumField() == 0 || !mp.typ.Field(0).Anonymous || mp.typ.Field(0).Type != parent.typ || mp.typ.Field(0).Offset != 0 {
				problems = append(problems, fmt.Sprintf("bind %s to model %s: it inherits %s, so its first field must embed %s (type %s struct { %s; … })",
					mp.typ, m.Name, m.Inherits.Name, parent.typ, mp.typ.Name(), parent.typ.Name()))
				continue
			}
		}
		// Inherited relationships: the parent's fields, in the parent's
		// order; then the sub-model's own.
		rels := append([]*relField(nil), parent.rels...)
		for _, rf := range mp.rels {
			if parent.relIdx[rf.rel.Name] != nil {
				continue
			}
			if rf.rel.Model != m {
				problems = append(problems, fmt.Sprintf("bind %s: field %s binds relationship %q, which model %s inherits from %s: declare the field on %s",
					mp.typ, rf.name, rf.rel.Name, m.Name, rf.rel.Model.Name, parent.typ))
				continue
			}
			rels = append(rels, rf)
		}
		mp.rels = rels
		mp.relIdx = make(map[string]*relField, len(rels))
		for _, rf := range rels {
			mp.relIdx[rf.rel.Name] = rf
		}
	}
	if db.joined && len(problems) == 0 {
		for _, mp := range hier {
			mp.poly.layout = newJoinLayout(db, mp)
		}
	}
	return problems
}

func modelDepth(m *spec.Model) int {
	d := 0
	for x := m.Inherits; x != nil; x = x.Inherits {
		d++
	}
	return d
}

// where adds a sub-model's discriminator filter to q, whose first item is
// the model's table (possibly aliased).
// For a hierarchy with joined tables it also joins them (joinLayout).
func (pi *polyInfo) where(q *stmt.SelectStmt) *stmt.SelectStmt {
	if !pi.filter && pi.layout == nil {
		return q
	}
	t := pi.self.tref
	if p := q.Parts(); len(p.Items) > 0 {
		if pt, ok := p.Items[0].(*stmt.Table); ok && pt.Spec() == pi.self.table {
			t = pt
		}
	}
	if pi.filter {
		c := t.Col(pi.self.table.Columns[pi.disc])
		if len(pi.idents) == 1 {
			q = q.Where(c.Eq(pi.idents[0]))
		} else {
			q = q.Where(c.In(pi.idents...))
		}
	}
	if pi.layout != nil {
		q = pi.layout.apply(q, t)
	}
	return q
}

// filterInner adds a sub-model's discriminator filter to the inner query
// of a limit-per-parent load (on the root table tt), so that rows of other
// sub-models are left out before the window numbers the rows; where adds
// it again on the outer query, harmlessly.
func (pi *polyInfo) filterInner(q *stmt.SelectStmt, tt *stmt.Table) *stmt.SelectStmt {
	if pi == nil || !pi.filter {
		return q
	}
	c := tt.Col(pi.self.table.Columns[pi.disc])
	if len(pi.idents) == 1 {
		return q.Where(c.Eq(pi.idents[0]))
	}
	return q.Where(c.In(pi.idents...))
}

// stamp sets the discriminator of a new object to its model's identity.
func (pi *polyInfo) stamp(obj unsafe.Pointer) error {
	if pi.ident == "" {
		return fmt.Errorf("insert %s: the model has no polymorphic_identity", pi.self.model.Name)
	}
	return pi.self.cols[pi.disc].set(obj, pi.ident)
}

// cached returns the object of a sub-model with key kv that the identity
// map holds, for Get on a model with sub-models.
func (pi *polyInfo) cached(s *Session, kv keyVal) *state {
	for _, sm := range pi.byIdent {
		if sm == pi.self {
			continue
		}
		if st := s.idmap.get(identity{m: sm, k: kv}); st != nil {
			return st
		}
	}
	return nil
}

// dispatch reads the discriminator of the current row and returns the
// mapper of the object to build, or an error for an unknown identity.
func (pi *polyInfo) dispatch(rows *engine.Rows, dest []any) (*mapper, error) {
	var sink any
	var disc any
	for i := range dest {
		dest[i] = &sink
	}
	dest[pi.disc] = &disc
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	var id string
	switch v := disc.(type) {
	case string:
		id = v
	case []byte:
		id = string(v)
	case nil:
		return nil, fmt.Errorf("load %s: a row has a NULL discriminator %s", pi.self.model.Name, pi.self.table.Columns[pi.disc].Name)
	default:
		id = fmt.Sprint(v)
	}
	sm := pi.byIdent[id]
	if sm == nil {
		return nil, fmt.Errorf("load %s: a row's discriminator %s = %q names no model of the hierarchy (identities: %v)",
			pi.self.model.Name, pi.self.table.Columns[pi.disc].Name, id, pi.idents)
	}
	return sm, nil
}

// loadPolyRows is loadRowsOn for a mapper with sub-models: each row builds
// an object of the sub-model its discriminator names.
func (s *Session) loadPolyRows(ctx context.Context, conn engine.Querier, m *mapper, q *stmt.SelectStmt, each func(*state)) (int, error) {
	rows, err := conn.Query(ctx, m.poly.where(q))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	dest := make([]any, len(rows.Columns()))
	n := 0
	for rows.Next() {
		sm := m
		if m.poly.byIdent != nil {
			if sm, err = m.poly.dispatch(rows, dest); err != nil {
				return n, err
			}
		}
		obj := s.newObject(sm)
		var sink any
		for i := range dest {
			dest[i] = &sink
		}
		if l := m.poly.layout; l != nil {
			for i, at := range l.pos[sm] {
				dest[at] = sm.cols[i].ptr(obj)
			}
		} else {
			for i := range sm.cols {
				dest[i] = sm.cols[i].ptr(obj)
			}
		}
		if err := rows.Scan(dest...); err != nil {
			return n, err
		}
		sm.canonical(obj)
		st := s.track(sm, obj)
		if st.m.hooks&hookAfterLoad != 0 {
			if err := s.runHook(ctx, st, hookAfterLoad); err != nil {
				return n, err
			}
		}
		each(st)
		n++
	}
	return n, rows.Close()
}

// selectInPoly is selectInChunk for a polymorphic target: the sub-model
// filter, and dispatch when the target has sub-models.
func (s *Session) selectInPoly(ctx context.Context, conn engine.Querier, tm *mapper, q *stmt.SelectStmt, extra int, each func(st *state, key []any)) (int, error) {
	rows, err := conn.Query(ctx, tm.poly.where(q))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := len(tm.cols)
	l := tm.poly.layout
	if l != nil {
		n = l.width
	}
	dest := make([]any, n+extra)
	keys := make([]any, extra)
	read := 0
	var sink any
	for rows.Next() {
		sm := tm
		if tm.poly.byIdent != nil {
			if sm, err = tm.poly.dispatch(rows, dest); err != nil {
				return read, err
			}
		}
		obj := s.newObject(sm)
		if l != nil {
			for i := 0; i < n; i++ {
				dest[i] = &sink
			}
			for i, at := range l.pos[sm] {
				dest[at] = sm.cols[i].ptr(obj)
			}
		} else {
			for i := range sm.cols {
				dest[i] = sm.cols[i].ptr(obj)
			}
		}
		for j := range keys {
			keys[j] = nil
			dest[n+j] = &keys[j]
		}
		if err := rows.Scan(dest...); err != nil {
			return read, err
		}
		sm.canonical(obj)
		st := s.track(sm, obj)
		if extra > 0 {
			each(st, keys)
		} else {
			each(st, nil)
		}
		read++
	}
	return read, rows.Close()
}

// As returns obj as a *T when the object's model is T's model or one of
// its sub-models: the way to reach a sub-model's fields from a query on
// the base model (All[Employee] returns *Employee values whose objects may
// be Engineers). obj must be a bound object the session holds, or a *T.
func As[T any](s *Session, obj any) (*T, bool) {
	if t, ok := obj.(*T); ok && t != nil {
		return t, true
	}
	if s == nil || s.db == nil || obj == nil {
		return nil, false
	}
	want, err := mapperFor[T](s.db)
	if err != nil {
		return nil, false
	}
	rv := reflect.ValueOf(obj)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil, false
	}
	nested, err := s.enter("as")
	if err != nil {
		return nil, false
	}
	defer s.leave(nested)
	st := s.stateOf(rv.UnsafePointer())
	if st == nil || !isA(st.m.model, want.model) {
		return nil, false
	}
	return (*T)(st.obj), true
}

// ModelOf returns the name of the model of obj, a bound object or *Object,
// as the session knows it: for a *Base loaded from a polymorphic query, the
// sub-model its row named. It returns "" for an object the session does not
// hold.
func (s *Session) ModelOf(obj any) string {
	if s == nil || s.db == nil {
		return ""
	}
	if o, ok := obj.(*Object); ok {
		if o == nil || o.m == nil {
			return ""
		}
		return o.m.model.Name
	}
	rv := reflect.ValueOf(obj)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() {
		return ""
	}
	nested, err := s.enter("model of")
	if err != nil {
		return ""
	}
	defer s.leave(nested)
	if st := s.stateOf(rv.UnsafePointer()); st != nil {
		return st.m.model.Name
	}
	if mp := s.db.byType[rv.Type().Elem()]; mp != nil {
		return mp.model.Name
	}
	return ""
}

// isA reports whether model m is base or inherits from it.
func isA(m, base *spec.Model) bool {
	for x := m; x != nil; x = x.Inherits {
		if x == base {
			return true
		}
	}
	return false
}
