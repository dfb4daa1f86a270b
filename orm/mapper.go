package orm

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/conv"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// mapper binds one model to a Go struct type (or to dynamic Objects). All
// reflection happens when the mapper is built; per-object work goes through
// precomputed field offsets and accessors.
type mapper struct {
	model *spec.Model
	table *spec.Table
	tref  *stmt.Table
	// typ is the bound struct type; nil for the dynamic Object mapper.
	typ reflect.Type
	// cols has one accessor per table column, by ordinal.
	cols []colField
	// pk lists the primary-key ordinals.
	pk []int
	// autoPK is the ordinal of a database-generated primary key, or -1.
	autoPK int
	// version is the ordinal of the version column, or -1.
	version int
	// softDel is the ordinal of the soft-delete column, or -1.
	softDel int
	rels    []*relField
	relIdx  map[string]*relField
	hooks   hookSet
	// rank is the position in the DB's dependency order.
	rank int
	// allRels has a bit set for every relationship (see state.loaded).
	allRels uint64
	// decimals are the ordinals of decimal columns of a dynamic mapper,
	// whose scanned values canonical rewrites.
	decimals []int
	// poly is set for a model of an inheritance hierarchy (inherit.go).
	poly *polyInfo
	// joined is set for a model whose table is not its root's
	// (inherit_joined.go).
	joined *joinedInfo
	// exprs are the model's SQL-expression attributes (exprattr.go); nil
	// for a model without any.
	exprs []exprField
}

// colField reads and writes one column's value in an object.
type colField struct {
	col *spec.Column
	// ptr returns a typed pointer to the field, for Scan.
	ptr func(obj unsafe.Pointer) any
	// get returns the value to bind (nil for a nil pointer).
	get func(obj unsafe.Pointer) any
	// set assigns a value read from the database (a generated key, a
	// foreign key copied from a parent).
	set func(obj unsafe.Pointer, v any) error
	// eq compares the field of two objects of the mapper's type.
	eq func(a, b unsafe.Pointer) bool
	// zero reports whether the field holds its zero value.
	zero func(obj unsafe.Pointer) bool
	// setInt stores an integer (a generated key) without boxing it, for
	// int and int64 fields; nil for other types (use set).
	setInt func(obj unsafe.Pointer, v int64)
	// key returns the field's value as a key (ok false for NULL), without
	// boxing for integer and string fields.
	key func(obj unsafe.Pointer) (keyVal, bool)
	// deepCopy copies reference-typed values (byte slices) into a snapshot.
	deepCopy func(dst, src unsafe.Pointer)
	// copyFrom copies the field of src into dst.
	copyFrom func(dst, src unsafe.Pointer)
	// argOf is get with the value boxed in an argArena (args.go), for
	// field types whose boxing allocates; nil otherwise (use arg).
	argOf   func(obj unsafe.Pointer, a *argArena) any
	argKind uint8
	name    string // Go field name, for messages
}

// relField reads and writes one relationship's value in an object.
type relField struct {
	rel    *spec.Relationship
	target *mapper
	many   bool
	// elemType is the element type of the collection ([]*T → *T) or the
	// pointer type of a scalar relationship.
	elemType reflect.Type
	// getMany/setMany and getOne/setOne move relationship values as
	// object pointers.
	getMany func(obj unsafe.Pointer) []unsafe.Pointer
	setMany func(obj unsafe.Pointer, vals []unsafe.Pointer)
	getOne  func(obj unsafe.Pointer) unsafe.Pointer
	setOne  func(obj unsafe.Pointer, v unsafe.Pointer)
	// iface returns the field's value as the app sees it.
	iface func(obj unsafe.Pointer) any
	name  string
	// perKey is how many targets a key brought in the last select-in of
	// this relationship, ×16 (0: none yet), so the next one makes room
	// for its targets up front. Shared by every session of the DB.
	perKey atomic.Int64
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	valuerType  = reflect.TypeFor[driver.Valuer]()
	rawJSONType = reflect.TypeFor[json.RawMessage]()
)

// newStructMapper binds struct type t to model m. Every column needs a
// field (by `db:"name"` tag or snake_case name); relationship fields are
// optional and must be *T (to-one) or []*T (collections) of a bound type;
// any other exported field must be tagged `db:"-"`.
func newStructMapper(t reflect.Type, m *spec.Model) (*mapper, []pendingRel, error) {
	if t.Kind() != reflect.Struct {
		return nil, nil, fmt.Errorf("bind %s to model %s: want a struct type", t, m.Name)
	}
	if usesJoinedTables(m) {
		return newJoinedStructMapper(t, m)
	}
	mp := baseMapper(m)
	mp.typ = t
	byCol := map[string]reflect.StructField{}
	var byExpr map[string]reflect.StructField
	var rels []pendingRel
	var problems []string
	structFields(t, func(name string, sf reflect.StructField) {
		if c := m.Table.Column(name); c != nil && m.Owns(c) {
			problems = addColField(byCol, name, sf, problems)
			return
		}
		if r := m.Relationship(name); r != nil {
			rels = append(rels, pendingRel{rel: r, field: sf})
			return
		}
		if m.Expression(name) != nil {
			if byExpr == nil {
				byExpr = map[string]reflect.StructField{}
			}
			byExpr[name] = sf
			return
		}
		problems = append(problems, fmt.Sprintf("field %s matches no column or relationship of model %s (tag it `db:\"-\"` to leave it unmapped)", sf.Name, m.Name))
	})
	for _, c := range m.Table.Columns {
		cf, problem := bindColumn(m, c, byCol)
		if problem != "" {
			problems = append(problems, problem)
			continue
		}
		mp.cols[c.Ordinal] = cf
	}
	if len(m.Expressions) > 0 {
		mp.exprs, problems = structExprFields(m, byExpr, problems)
	}
	if len(problems) > 0 {
		return nil, nil, fmt.Errorf("bind %s to model %s: %s", t, m.Name, strings.Join(problems, "; "))
	}
	mp.hooks = hooksOf(t)
	return mp, rels, nil
}

// pendingRel is a relationship field found while binding, resolved once
// every type is bound.
type pendingRel struct {
	rel   *spec.Relationship
	field reflect.StructField
}

func baseMapper(m *spec.Model) *mapper {
	mp := &mapper{
		model:   m,
		table:   m.Table,
		tref:    stmt.Ref(m.Table),
		cols:    make([]colField, len(m.Table.Columns)),
		autoPK:  -1,
		version: -1,
		softDel: -1,
		relIdx:  map[string]*relField{},
	}
	for _, c := range m.Table.PrimaryKey {
		mp.pk = append(mp.pk, c.Ordinal)
	}
	if len(m.Table.PrimaryKey) == 1 {
		c := m.Table.PrimaryKey[0]
		if c.Type.Kind.IsInteger() && (c.Autoincrement || (c.InsertDefault == nil && c.Default == nil && c.ServerDefault == nil)) && c.ForeignKey == nil {
			mp.autoPK = c.Ordinal
		}
	}
	if m.VersionColumn != nil {
		mp.version = m.VersionColumn.Ordinal
	}
	if m.SoftDelete != nil && m.SoftDelete.Table == m.Table {
		mp.softDel = m.SoftDelete.Ordinal
	}
	return mp
}

// alive returns the soft-delete filter on t (an alias of m's table): the
// soft-delete column IS NULL; nil when m has no soft delete.
func (m *mapper) alive(t *stmt.Table) stmt.Expr {
	if m.softDel < 0 {
		return nil
	}
	return t.Col(m.cols[m.softDel].col).IsNull()
}

func goName(col string) string {
	var b strings.Builder
	up := true
	for _, r := range col {
		if r == '_' {
			up = true
			continue
		}
		if up && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		up = false
		b.WriteRune(r)
	}
	return b.String()
}

// structColField builds the accessors of one struct field bound to column c.
// addColField records sf as the field of column name, or a problem when
// another field binds the column already.
func addColField(byCol map[string]reflect.StructField, name string, sf reflect.StructField, problems []string) []string {
	if _, dup := byCol[name]; dup {
		return append(problems, fmt.Sprintf("two fields bind column %q", name))
	}
	byCol[name] = sf
	return problems
}

// bindColumn returns the accessor of column c in model m's struct, whose
// column fields byCol holds by column name, or what is wrong. A sibling's
// or descendant's column (single-table inheritance) is read and dropped.
func bindColumn(m *spec.Model, c *spec.Column, byCol map[string]reflect.StructField) (colField, string) {
	if c.SubModel != nil && !m.Owns(c) {
		return discardCol(c), ""
	}
	sf, ok := byCol[c.Name]
	if !ok {
		return colField{}, fmt.Sprintf("column %q has no field (add a field %s or tag one `db:%q`)", c.Name, goName(c.Name), c.Name)
	}
	cf, err := structColField(c, sf)
	if err != nil {
		return colField{}, err.Error()
	}
	return cf, ""
}

func structColField(c *spec.Column, sf reflect.StructField) (colField, error) {
	ft := sf.Type
	off := sf.Offset
	if err := checkFieldType(ft, c); err != nil {
		return colField{}, fmt.Errorf("field %s for column %q: %w", sf.Name, c.Name, err)
	}
	cf := colField{col: c, name: sf.Name}
	cf.ptr = func(obj unsafe.Pointer) any { return reflect.NewAt(ft, unsafe.Add(obj, off)).Interface() }
	cf.set = func(obj unsafe.Pointer, v any) error {
		return conv.Assign(reflect.NewAt(ft, unsafe.Add(obj, off)).Interface(), v)
	}
	switch ft {
	case reflect.TypeFor[int64]():
		cf.setInt = func(o unsafe.Pointer, v int64) { *(*int64)(unsafe.Add(o, off)) = v }
		cf.key = func(o unsafe.Pointer) (keyVal, bool) {
			return keyVal{kind: keyInt, i: *(*int64)(unsafe.Add(o, off))}, true
		}
		cf.get = func(o unsafe.Pointer) any { return *(*int64)(unsafe.Add(o, off)) }
		cf.argOf = func(o unsafe.Pointer, a *argArena) any { return a.int64(*(*int64)(unsafe.Add(o, off))) }
		cf.argKind = argInt
		cf.eq = func(a, b unsafe.Pointer) bool { return *(*int64)(unsafe.Add(a, off)) == *(*int64)(unsafe.Add(b, off)) }
		cf.ptr = func(o unsafe.Pointer) any { return (*int64)(unsafe.Add(o, off)) }
	case reflect.TypeFor[int]():
		cf.setInt = func(o unsafe.Pointer, v int64) { *(*int)(unsafe.Add(o, off)) = int(v) }
		cf.key = func(o unsafe.Pointer) (keyVal, bool) {
			return keyVal{kind: keyInt, i: int64(*(*int)(unsafe.Add(o, off)))}, true
		}
		cf.get = func(o unsafe.Pointer) any { return int64(*(*int)(unsafe.Add(o, off))) }
		cf.argOf = func(o unsafe.Pointer, a *argArena) any { return a.int64(int64(*(*int)(unsafe.Add(o, off)))) }
		cf.argKind = argInt
		cf.eq = func(a, b unsafe.Pointer) bool { return *(*int)(unsafe.Add(a, off)) == *(*int)(unsafe.Add(b, off)) }
		cf.ptr = func(o unsafe.Pointer) any { return (*int)(unsafe.Add(o, off)) }
	case reflect.TypeFor[string]():
		cf.key = func(o unsafe.Pointer) (keyVal, bool) {
			return keyVal{kind: keyStr, s: *(*string)(unsafe.Add(o, off))}, true
		}
		cf.get = func(o unsafe.Pointer) any { return *(*string)(unsafe.Add(o, off)) }
		cf.argOf = func(o unsafe.Pointer, a *argArena) any { return a.str(*(*string)(unsafe.Add(o, off))) }
		cf.argKind = argString
		cf.eq = func(a, b unsafe.Pointer) bool {
			return *(*string)(unsafe.Add(a, off)) == *(*string)(unsafe.Add(b, off))
		}
		cf.ptr = func(o unsafe.Pointer) any { return (*string)(unsafe.Add(o, off)) }
	case reflect.TypeFor[bool]():
		cf.get = func(o unsafe.Pointer) any { return *(*bool)(unsafe.Add(o, off)) }
		cf.eq = func(a, b unsafe.Pointer) bool { return *(*bool)(unsafe.Add(a, off)) == *(*bool)(unsafe.Add(b, off)) }
		cf.ptr = func(o unsafe.Pointer) any { return (*bool)(unsafe.Add(o, off)) }
	case reflect.TypeFor[float64]():
		cf.get = func(o unsafe.Pointer) any { return *(*float64)(unsafe.Add(o, off)) }
		cf.eq = func(a, b unsafe.Pointer) bool {
			return *(*float64)(unsafe.Add(a, off)) == *(*float64)(unsafe.Add(b, off))
		}
		cf.ptr = func(o unsafe.Pointer) any { return (*float64)(unsafe.Add(o, off)) }
	case timeType:
		cf.get = func(o unsafe.Pointer) any { return *(*time.Time)(unsafe.Add(o, off)) }
		cf.argOf = func(o unsafe.Pointer, a *argArena) any { return a.time(*(*time.Time)(unsafe.Add(o, off))) }
		cf.argKind = argTime
		cf.eq = func(a, b unsafe.Pointer) bool {
			x, y := (*time.Time)(unsafe.Add(a, off)), (*time.Time)(unsafe.Add(b, off))
			return x.Equal(*y) && x.Location() == y.Location()
		}
		cf.ptr = func(o unsafe.Pointer) any { return (*time.Time)(unsafe.Add(o, off)) }
	default:
		cf.get = func(o unsafe.Pointer) any { return bindValue(reflect.NewAt(ft, unsafe.Add(o, off)).Elem()) }
		cf.eq = func(a, b unsafe.Pointer) bool {
			return equalValues(reflect.NewAt(ft, unsafe.Add(a, off)).Elem(), reflect.NewAt(ft, unsafe.Add(b, off)).Elem())
		}
	}
	if cf.key == nil {
		get := cf.get
		cf.key = func(o unsafe.Pointer) (keyVal, bool) { return keyOf(get(o)) }
	}
	cf.zero = zeroCheck(ft, off)
	cf.copyFrom = func(dst, src unsafe.Pointer) {
		reflect.NewAt(ft, unsafe.Add(dst, off)).Elem().Set(reflect.NewAt(ft, unsafe.Add(src, off)).Elem())
	}
	if needsDeepCopy(ft) {
		cf.deepCopy = func(dst, src unsafe.Pointer) {
			s := reflect.NewAt(ft, unsafe.Add(src, off)).Elem()
			reflect.NewAt(ft, unsafe.Add(dst, off)).Elem().Set(cloneValue(s))
		}
	}
	return cf, nil
}

// needsDeepCopy reports whether a snapshot must copy the value rather than
// share it: byte slices and other reference types the app may mutate in place.
func needsDeepCopy(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice, reflect.Map:
		return true
	case reflect.Pointer:
		return t.Elem().Kind() != reflect.Struct || t.Elem() == timeType
	}
	return false
}

func cloneValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		return c
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(cloneValue(v.Elem()))
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		b, err := json.Marshal(v.Interface())
		c := reflect.New(v.Type())
		if err == nil && json.Unmarshal(b, c.Interface()) == nil {
			return c.Elem()
		}
		return v
	}
	return v
}

// bindValue turns a field value into the value bound for it: nil pointers
// become NULL, pointers are dereferenced, named basic types are converted
// to their underlying type, and driver.Valuer and JSON-able values are
// left to the engine's encoder.
func bindValue(v reflect.Value) any {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		if v.Type().Implements(valuerType) {
			return v.Interface()
		}
		v = v.Elem()
	}
	if v.Type().Implements(valuerType) || v.Type() == timeType || v.Type() == rawJSONType {
		return v.Interface()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if v.IsNil() {
				return nil
			}
			return v.Bytes()
		}
	}
	return v.Interface()
}

func equalValues(a, b reflect.Value) bool {
	if a.Type() == timeType {
		x, y := a.Interface().(time.Time), b.Interface().(time.Time)
		return x.Equal(y) && x.Location() == y.Location()
	}
	if a.Kind() == reflect.Slice && a.Type().Elem().Kind() == reflect.Uint8 {
		if a.IsNil() != b.IsNil() {
			return false
		}
		return bytes.Equal(a.Bytes(), b.Bytes())
	}
	if a.Kind() == reflect.Pointer {
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalValues(a.Elem(), b.Elem())
	}
	if a.Comparable() {
		return a.Equal(b)
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// checkFieldType rejects Go types that cannot hold the column's values
// (the ORM writes fields back, so the strict rule applies), and nullable
// columns bound to fields that cannot hold NULL.
func checkFieldType(ft reflect.Type, c *spec.Column) error {
	if !conv.Holds(ft, c.Type.Kind, true) {
		return fmt.Errorf("Go type %s cannot hold a %s column", ft, c.Type.Kind)
	}
	scanner := reflect.PointerTo(ft).Implements(reflect.TypeFor[interface{ Scan(any) error }]())
	// A nil []byte, or a nil slice for an array column, is NULL.
	isBytes := ft.Kind() == reflect.Slice && (ft.Elem().Kind() == reflect.Uint8 || c.Type.Kind == spec.TypeArray)
	if c.Nullable && ft.Kind() != reflect.Pointer && ft.Kind() != reflect.Interface && !isBytes && !scanner {
		return fmt.Errorf("column is nullable: use a pointer (*%s) or an sql.Null type", ft)
	}
	return nil
}

// structRelField builds the accessors of a relationship field once the
// target type's mapper is known.
func structRelField(r *spec.Relationship, sf reflect.StructField, target *mapper) (*relField, error) {
	ft := sf.Type
	off := sf.Offset
	rf := &relField{rel: r, target: target, name: sf.Name}
	rf.iface = func(o unsafe.Pointer) any { return reflect.NewAt(ft, unsafe.Add(o, off)).Elem().Interface() }
	want := reflect.PointerTo(target.typ)
	if r.UseList {
		if ft.Kind() != reflect.Slice || ft.Elem() != want {
			return nil, fmt.Errorf("field %s for relationship %q: want []%s, have %s", sf.Name, r.Name, want, ft)
		}
		rf.many = true
		rf.elemType = want
		rf.getMany = func(o unsafe.Pointer) []unsafe.Pointer {
			s := *(*[]unsafe.Pointer)(unsafe.Add(o, off))
			return s
		}
		rf.setMany = func(o unsafe.Pointer, vals []unsafe.Pointer) {
			*(*[]unsafe.Pointer)(unsafe.Add(o, off)) = vals
		}
		return rf, nil
	}
	if ft != want {
		return nil, fmt.Errorf("field %s for relationship %q: want %s, have %s", sf.Name, r.Name, want, ft)
	}
	rf.elemType = want
	rf.getOne = func(o unsafe.Pointer) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Add(o, off)) }
	rf.setOne = func(o unsafe.Pointer, v unsafe.Pointer) { *(*unsafe.Pointer)(unsafe.Add(o, off)) = v }
	return rf, nil
}

// dirty reports whether any column of st differs from its snapshot.
func (m *mapper) dirty(st *state) bool {
	for i := range m.cols {
		if !m.cols[i].eq(st.obj, st.snap) {
			return true
		}
	}
	return false
}

// newObject allocates a zero object of the mapper's type.
func (m *mapper) newObject() unsafe.Pointer {
	if m.typ == nil {
		return unsafe.Pointer(newDynamic(m))
	}
	return reflect.New(m.typ).UnsafePointer()
}

// snapshot copies the column values of obj into a new object of the same
// type, deep-copying reference values.
func (m *mapper) snapshot(obj unsafe.Pointer) unsafe.Pointer {
	if m.typ == nil {
		return unsafe.Pointer((*Object)(obj).clone())
	}
	d := reflect.New(m.typ).UnsafePointer()
	m.copyInto(d, obj)
	return d
}

// copyInto copies the struct at obj into dst, deep-copying reference
// values of columns.
func (m *mapper) copyInto(dst, obj unsafe.Pointer) {
	reflect.NewAt(m.typ, dst).Elem().Set(reflect.NewAt(m.typ, obj).Elem())
	for i := range m.cols {
		if m.cols[i].deepCopy != nil {
			m.cols[i].deepCopy(dst, obj)
		}
	}
}

// iface returns obj as the interface value the app holds (*T or *Object).
func (m *mapper) iface(obj unsafe.Pointer) any {
	if m.typ == nil {
		return (*Object)(obj)
	}
	return reflect.NewAt(m.typ, obj).Interface()
}

// setInt64 stores v in the field, without boxing where it can.
func (cf *colField) setInt64(obj unsafe.Pointer, v int64) error {
	if cf.setInt != nil {
		cf.setInt(obj, v)
		return nil
	}
	return cf.set(obj, v)
}

// structFields calls visit with every field of struct type t that can bind
// a column, relationship or expression, and the name it binds: the db tag's
// name, or the field's in snake case. Fields tagged db:"-" and unexported
// fields are left out; embedded structs without a db tag are walked in
// place, so the field passed has its Offset from the start of t and its
// Name as the dotted path from t.
func structFields(t reflect.Type, visit func(name string, sf reflect.StructField)) {
	var walk func(t reflect.Type, base uintptr, prefix string)
	walk = func(t reflect.Type, base uintptr, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag, hasTag := sf.Tag.Lookup("db")
			name, _, _ := strings.Cut(tag, ",")
			if name == "-" {
				continue
			}
			if sf.Anonymous && !hasTag && sf.Type.Kind() == reflect.Struct && sf.Type != timeType {
				walk(sf.Type, base+sf.Offset, prefix+sf.Name+".")
				continue
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = engine.SnakeCase(sf.Name)
			}
			sf.Offset += base
			sf.Name = prefix + sf.Name
			visit(name, sf)
		}
	}
	walk(t, 0, "")
}

// zeroCheck returns a test of whether the field of type ft at offset off
// holds its zero value, as reflect.Value.IsZero answers (-0.0 is zero, a
// NaN is not), reading the memory directly for the common kinds.
func zeroCheck(ft reflect.Type, off uintptr) func(o unsafe.Pointer) bool {
	if ft == timeType {
		return func(o unsafe.Pointer) bool { return *(*time.Time)(unsafe.Add(o, off)) == time.Time{} }
	}
	switch ft.Kind() {
	case reflect.String:
		return func(o unsafe.Pointer) bool { return len(*(*string)(unsafe.Add(o, off))) == 0 }
	case reflect.Bool, reflect.Int8, reflect.Uint8:
		return func(o unsafe.Pointer) bool { return *(*uint8)(unsafe.Add(o, off)) == 0 }
	case reflect.Int16, reflect.Uint16:
		return func(o unsafe.Pointer) bool { return *(*uint16)(unsafe.Add(o, off)) == 0 }
	case reflect.Int32, reflect.Uint32:
		return func(o unsafe.Pointer) bool { return *(*uint32)(unsafe.Add(o, off)) == 0 }
	case reflect.Float32:
		return func(o unsafe.Pointer) bool { return *(*float32)(unsafe.Add(o, off)) == 0 }
	case reflect.Float64:
		return func(o unsafe.Pointer) bool { return *(*float64)(unsafe.Add(o, off)) == 0 }
	case reflect.Int64, reflect.Uint64, reflect.Int, reflect.Uint, reflect.Uintptr:
		if ft.Size() == 8 {
			return func(o unsafe.Pointer) bool { return *(*uint64)(unsafe.Add(o, off)) == 0 }
		}
	case reflect.Pointer, reflect.Map, reflect.UnsafePointer, reflect.Slice:
		// A slice is zero when nil: its data pointer is nil.
		return func(o unsafe.Pointer) bool { return *(*unsafe.Pointer)(unsafe.Add(o, off)) == nil }
	}
	return func(o unsafe.Pointer) bool { return reflect.NewAt(ft, unsafe.Add(o, off)).Elem().IsZero() }
}
