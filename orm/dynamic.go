package orm

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"unsafe"

	"github.com/dlayer/dlayer/internal/conv"
	"github.com/dlayer/dlayer/internal/suggest"
	"github.com/dlayer/dlayer/spec"
)

// Object is a dynamic instance of a model, for code that has no Go struct
// for it: column values by name, relationships as *Object or []*Object. A
// model with no bound struct type loads as Objects. Objects take part in
// sessions exactly like structs (identity map, dirty tracking, cascades).
type Object struct {
	m    *mapper
	vals []any
	rels map[string]any // *Object or []*Object
}

func newDynamic(m *mapper) *Object {
	return &Object{m: m, vals: make([]any, len(m.cols)+len(m.exprs))}
}

func (o *Object) clone() *Object {
	c := &Object{m: o.m, vals: slices.Clone(o.vals)}
	for i, v := range c.vals {
		if b, ok := v.([]byte); ok {
			c.vals[i] = slices.Clone(b)
		}
	}
	return c
}

// errNoObject answers the methods of a nil or zero Object that return an
// error; the others return their zero value.
var errNoObject = errors.New("orm: nil or uninitialised *orm.Object (make one with Session.New)")

// ok reports whether o was made by the ORM (not nil, not a zero Object).
func (o *Object) ok() bool { return o != nil && o.m != nil }

// Model returns the name of the object's model ("" for a nil Object).
func (o *Object) Model() string {
	if !o.ok() {
		return ""
	}
	return o.m.model.Name
}

// Get returns the value of column col (nil for NULL, unknown columns and a
// nil Object).
func (o *Object) Get(col string) any {
	if !o.ok() {
		return nil
	}
	if c := o.m.table.Column(col); c != nil {
		return o.vals[c.Ordinal]
	}
	if o.m.joined != nil {
		if i, ok := o.m.joined.byName[col]; ok {
			return o.vals[i]
		}
	}
	if len(o.m.exprs) > 0 {
		v, _ := o.exprGet(col)
		return v
	}
	return nil
}

// Set sets column col to v. Values are normalised as a Record's are
// (integers int64, floats float64, text string …); a decimal column takes
// a number or numeric text and holds it as text in the column's scale
// ("100.50"), as it reads back from every database. An unknown column is an
// error naming the closest column.
func (o *Object) Set(col string, v any) error {
	if !o.ok() {
		return errNoObject
	}
	c := o.m.table.Column(col)
	if c == nil && o.m.joined != nil {
		if i, ok := o.m.joined.byName[col]; ok {
			c = o.m.joined.cols[i] // a sub-table column, at its combined position
		}
	}
	if c == nil && o.m.model.Expression(col) != nil {
		return fmt.Errorf("model %s: %q is a SQL-expression attribute: read-only (the database computes it)", o.m.model.Name, col)
	}
	if c == nil {
		cols := o.m.table.Columns
		if o.m.joined != nil {
			cols = o.m.joined.cols
		}
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.Name
		}
		msg := fmt.Sprintf("model %s has no column %q", o.m.model.Name, col)
		if hint := suggest.DidYouMean(col, names); hint != "" {
			msg += "; " + hint
		}
		return errors.New(msg + " (columns: " + suggest.List(names, 30) + ")")
	}
	if c.SubModel != nil && !o.m.model.Owns(c) {
		return fmt.Errorf("model %s has no column %q (it belongs to sub-model %s)", o.m.model.Name, col, c.SubModel.Name)
	}
	if c.Type.Kind == spec.TypeDecimal && v != nil {
		d, err := conv.Decimal(v, &c.Type)
		if err != nil {
			return fmt.Errorf("model %s: column %q: %w", o.m.model.Name, col, err)
		}
		o.vals[c.Ordinal] = d
		return nil
	}
	o.vals[c.Ordinal] = conv.Normalize(v)
	return nil
}

// Values returns the column values by name (nil for a nil Object).
func (o *Object) Values() map[string]any {
	if !o.ok() {
		return nil
	}
	out := make(map[string]any, len(o.vals))
	cols := o.m.table.Columns
	if o.m.joined != nil {
		cols = o.m.joined.cols
	}
	for i, c := range cols {
		out[c.Name] = o.vals[i]
	}
	for k := range o.m.exprs {
		out[o.m.exprs[k].e.Name] = conv.Normalize(o.vals[len(o.m.cols)+k])
	}
	return out
}

// One returns the object of a to-one relationship (nil when unset, and for
// a nil Object).
func (o *Object) One(rel string) *Object {
	if o == nil {
		return nil
	}
	v, _ := o.rels[rel].(*Object)
	return v
}

// Many returns the objects of a collection relationship (nil for a nil
// Object).
func (o *Object) Many(rel string) []*Object {
	if o == nil {
		return nil
	}
	v, _ := o.rels[rel].([]*Object)
	return v
}

// SetOne sets a to-one relationship; nil unsets it. v must be an Object of
// the relationship's target model.
func (o *Object) SetOne(rel string, v *Object) error {
	if err := o.checkRel(rel, false); err != nil {
		return err
	}
	if v != nil {
		if err := o.checkTarget(rel, v); err != nil {
			return err
		}
	}
	o.setRel(rel, v)
	return nil
}

// SetMany sets a collection relationship. Every element must be a non-nil
// Object of the relationship's target model.
func (o *Object) SetMany(rel string, v []*Object) error {
	if err := o.checkRel(rel, true); err != nil {
		return err
	}
	for _, x := range v {
		if err := o.checkTarget(rel, x); err != nil {
			return err
		}
	}
	o.setRel(rel, v)
	return nil
}

// Append adds v to a collection relationship (see SetMany).
func (o *Object) Append(rel string, v ...*Object) error {
	if err := o.checkRel(rel, true); err != nil {
		return err
	}
	for _, x := range v {
		if err := o.checkTarget(rel, x); err != nil {
			return err
		}
	}
	o.setRel(rel, append(o.Many(rel), v...))
	return nil
}

// checkTarget checks that v may be a member of relationship rel.
func (o *Object) checkTarget(rel string, v *Object) error {
	want := o.m.model.Relationship(rel).Target
	if !v.ok() {
		return fmt.Errorf("relationship %s.%s: %w", o.m.model.Name, rel, errNoObject)
	}
	if v.m.model != want && !isA(v.m.model, want) {
		return fmt.Errorf("relationship %s.%s: want an Object of model %s, have one of %s", o.m.model.Name, rel, want.Name, v.m.model.Name)
	}
	return nil
}

func (o *Object) setRel(rel string, v any) {
	if o.rels == nil {
		o.rels = map[string]any{}
	}
	o.rels[rel] = v
}

func (o *Object) checkRel(rel string, many bool) error {
	if !o.ok() {
		return errNoObject
	}
	r := o.m.model.Relationship(rel)
	if r == nil {
		return o.m.unknownRel("relationship", rel)
	}
	if r.UseList != many {
		if many {
			return fmt.Errorf("relationship %s.%s is not a collection", o.m.model.Name, rel)
		}
		return fmt.Errorf("relationship %s.%s is a collection", o.m.model.Name, rel)
	}
	return nil
}

// newDynamicMapper builds the mapper for models with no bound struct type.
func newDynamicMapper(mp *mapper) {
	if len(mp.model.Expressions) > 0 {
		defer dynamicExprFields(mp)
	}
	cols := mp.table.Columns
	if mp.joined != nil {
		cols = mp.joined.cols // the combined layout of a joined sub-model
	}
	for i, c := range cols {
		i := i
		if c.Type.Kind == spec.TypeDecimal {
			mp.decimals = append(mp.decimals, i)
		}
		mp.cols[i] = colField{
			col:  c,
			name: c.Name,
			ptr:  func(o unsafe.Pointer) any { return &(*Object)(o).vals[i] },
			get:  func(o unsafe.Pointer) any { return (*Object)(o).vals[i] },
			set: func(o unsafe.Pointer, v any) error {
				var x any
				if err := conv.Assign(&x, v); err != nil {
					return err
				}
				if c.Type.Kind == spec.TypeDecimal && x != nil {
					if d, err := conv.Decimal(x, &c.Type); err == nil {
						x = d
					}
				}
				(*Object)(o).vals[i] = conv.Normalize(x)
				return nil
			},
			eq: func(a, b unsafe.Pointer) bool {
				return equalAny((*Object)(a).vals[i], (*Object)(b).vals[i])
			},
			copyFrom: func(dst, src unsafe.Pointer) { (*Object)(dst).vals[i] = (*Object)(src).vals[i] },
			key:      func(o unsafe.Pointer) (keyVal, bool) { return keyOf((*Object)(o).vals[i]) },
			zero: func(o unsafe.Pointer) bool {
				v := (*Object)(o).vals[i]
				return v == nil || v == any(int64(0)) || v == any("")
			},
		}
	}
}

// canonical rewrites the decimal values of a freshly scanned dynamic
// object in their one text form (conv.Decimal): drivers return text in
// the database's own form (SQLite a number).
func (m *mapper) canonical(obj unsafe.Pointer) {
	if len(m.decimals) == 0 {
		return
	}
	o := (*Object)(obj)
	for _, i := range m.decimals {
		if v := o.vals[i]; v != nil {
			if d, err := conv.Decimal(v, &m.cols[i].col.Type); err == nil {
				o.vals[i] = d
			}
		}
	}
}

func dynamicRelField(mp *mapper, name string, many bool, target *mapper) *relField {
	rf := &relField{rel: mp.model.Relationship(name), target: target, many: many, name: name}
	if many {
		rf.getMany = func(o unsafe.Pointer) []unsafe.Pointer {
			objs := (*Object)(o).Many(name)
			out := make([]unsafe.Pointer, len(objs))
			for i, x := range objs {
				out[i] = unsafe.Pointer(x)
			}
			return out
		}
		rf.setMany = func(o unsafe.Pointer, vals []unsafe.Pointer) {
			objs := make([]*Object, len(vals))
			for i, x := range vals {
				objs[i] = (*Object)(x)
			}
			(*Object)(o).setRel(name, objs)
		}
		return rf
	}
	rf.getOne = func(o unsafe.Pointer) unsafe.Pointer { return unsafe.Pointer((*Object)(o).One(name)) }
	rf.setOne = func(o unsafe.Pointer, v unsafe.Pointer) { (*Object)(o).setRel(name, (*Object)(v)) }
	return rf
}

func equalAny(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Type() != vb.Type() {
		return false
	}
	return equalValues(va, vb)
}
