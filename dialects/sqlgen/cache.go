package sqlgen

import (
	"encoding/binary"
	"reflect"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// The compiled-statement cache (SQLAlchemy's compiled cache): Compile
// first writes a key of the statement's shape — its node kinds, tables,
// aliases, columns, operators, labels, limits and flags, everything that
// decides the SQL text, and never a bound value — and collects the bound
// values in the same walk. A statement whose shape was compiled before
// takes the SQL text, result columns and parameter names from the cache
// and only places its own values: no SQL is written and no column is
// resolved. A shape seen for the first time is compiled as usual and, when
// the compiler could say where each placeholder's value came from, cached.
//
// Statements with an error anywhere, raw text (stmt.Text) and shapes the
// walk does not know are never cached; they compile every time.

// DefaultCompiledCache is how many statement shapes a compiler keeps.
const DefaultCompiledCache = 500

// cacheEntry is the compilation of one shape.
type cacheEntry struct {
	sql    string
	cols   []dialects.ResultColumn
	names  []string
	multi  bool
	single bool
	// args maps placeholder i to the walk's value args[i].val (-1: the
	// constant nil of an assignment without value); types[i] is the type
	// bound with it when the walk's value has none.
	args []argSource
	// keep holds the schema objects whose addresses are in the key, so
	// that their memory is never reused for others while the entry lives.
	keep []unsafe.Pointer
}

type argSource struct {
	val int32
	typ *spec.Type
}

// walkVal is one bound value met by the shape walk.
type walkVal struct {
	v   any
	t   *spec.Type
	src uint64
}

// compiledCache is a bounded map from shape key to entry, safe for
// concurrent use. When full, an arbitrary entry makes room.
type compiledCache struct {
	mu   sync.RWMutex
	m    map[string]*cacheEntry
	size int
}

func (c *compiledCache) get(key []byte) *cacheEntry {
	c.mu.RLock()
	e := c.m[string(key)]
	c.mu.RUnlock()
	return e
}

func (c *compiledCache) put(key []byte, e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]*cacheEntry)
	}
	if len(c.m) >= c.size {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[string(key)] = e
}

func (c *compiledCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

// CompiledCacheLen returns how many statement shapes the compiler keeps
// compiled.
func (g *Base) CompiledCacheLen() int { return g.cache.len() }

// src identities: a value node's address, or the position of a plain value
// in an INSERT's rows (top bit set: no heap address has it).
func ptrSrc(p unsafe.Pointer) uint64 { return uint64(uintptr(p)) }

func rowSrc(r, c int) uint64 { return 1<<63 | uint64(r)<<24 | uint64(c) }

// keyer is the shape walk of one statement.
type keyer struct {
	buf   []byte
	vals  []walkVal
	ptrs  []unsafe.Pointer
	depth int
	// array: the dialect binds arrays (an InExpr with Array set is one
	// parameter, whatever its number of values).
	array bool
}

func (k *keyer) tag(b byte) { k.buf = append(k.buf, b) }
func (k *keyer) bit(b bool) {
	if b {
		k.buf = append(k.buf, 1)
	} else {
		k.buf = append(k.buf, 0)
	}
}
func (k *keyer) num(n int64) { k.buf = binary.AppendVarint(k.buf, n) }
func (k *keyer) ptr(p unsafe.Pointer) {
	k.ptrs = append(k.ptrs, p)
	k.buf = binary.LittleEndian.AppendUint64(k.buf, uint64(uintptr(p)))
}
func (k *keyer) str(s string) {
	k.num(int64(len(s)))
	k.buf = append(k.buf, s...)
}

// statement writes the key of s; false means s is not to be cached.
func (k *keyer) statement(s stmt.Statement) bool {
	switch x := s.(type) {
	case *stmt.SelectStmt:
		return x != nil && k.selectStmt(x)
	case *stmt.InsertStmt:
		return x != nil && k.insertStmt(x)
	case *stmt.UpdateStmt:
		return x != nil && k.updateStmt(x)
	case *stmt.DeleteStmt:
		return x != nil && k.deleteStmt(x)
	}
	return false
}

func (k *keyer) table(t *stmt.Table) bool {
	if t == nil || t.Err() != nil || t.Sub() != nil {
		// A derived table's subquery is not part of the key: a statement
		// with one is compiled every time.
		return false
	}
	k.ptr(unsafe.Pointer(t.Spec()))
	k.str(t.Alias())
	return true
}

func (k *keyer) selectStmt(s *stmt.SelectStmt) bool {
	p := s.Parts()
	if p.Err != nil {
		return false
	}
	k.tag('S')
	k.bit(p.Distinct)
	k.bit(p.HasLimit)
	k.bit(p.HasOffset)
	k.num(p.Limit)
	k.num(p.Offset)
	k.num(int64(p.Lock))
	if !k.items(p.Items) {
		return false
	}
	k.num(int64(len(p.From)))
	for _, t := range p.From {
		if !k.table(t) {
			return false
		}
	}
	k.num(int64(len(p.Joins)))
	for _, j := range p.Joins {
		k.num(int64(j.Kind))
		if !k.table(j.Table) || !k.optExpr(j.On) {
			return false
		}
	}
	if !k.optExpr(p.Where) {
		return false
	}
	k.num(int64(len(p.GroupBy)))
	for _, e := range p.GroupBy {
		if !k.expr(e) {
			return false
		}
	}
	if !k.optExpr(p.Having) {
		return false
	}
	k.num(int64(len(p.OrderBy)))
	for _, o := range p.OrderBy {
		k.bit(o.Desc)
		k.num(int64(o.Nulls))
		if !k.expr(o.X) {
			return false
		}
	}
	return true
}

func (k *keyer) items(items []stmt.Selectable) bool {
	k.num(int64(len(items)))
	for _, it := range items {
		switch x := it.(type) {
		case *stmt.Table:
			k.tag('T')
			if !k.table(x) {
				return false
			}
		case stmt.Expr:
			if !k.expr(x) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// optExpr writes an expression that may be absent.
func (k *keyer) optExpr(e stmt.Expr) bool {
	if e == nil {
		k.tag('-')
		return true
	}
	return k.expr(e)
}

func (k *keyer) exprs(es []stmt.Expr) bool {
	k.num(int64(len(es)))
	for _, e := range es {
		if !k.expr(e) {
			return false
		}
	}
	return true
}

func (k *keyer) value(x *stmt.Value) {
	k.tag('v')
	k.bit(x.Type != nil)
	k.vals = append(k.vals, walkVal{v: x.V, t: x.Type, src: ptrSrc(unsafe.Pointer(x))})
}

func (k *keyer) expr(e stmt.Expr) bool {
	k.depth++
	defer func() { k.depth-- }()
	if k.depth > maxDepth {
		return false
	}
	switch x := e.(type) {
	case *stmt.Column:
		if x == nil || x.Err != nil || x.Spec == nil {
			return false
		}
		k.tag('c')
		k.ptr(unsafe.Pointer(x.Spec))
		return k.table(x.Table)
	case *stmt.Value:
		if x == nil {
			return false
		}
		k.value(x)
	case *stmt.Param:
		if x == nil || x.Name == "" {
			return false
		}
		k.tag('P')
		k.str(x.Name)
		k.bit(x.Type != nil)
		k.vals = append(k.vals, walkVal{t: x.Type, src: ptrSrc(unsafe.Pointer(x))})
	case *stmt.BinaryExpr:
		if x == nil {
			return false
		}
		k.tag('b')
		k.num(int64(x.Op))
		return k.expr(x.L) && k.expr(x.R)
	case *stmt.BoolExpr:
		if x == nil {
			return false
		}
		k.tag('B')
		k.bit(x.Or)
		return k.exprs(x.Terms)
	case *stmt.NotExpr:
		if x == nil {
			return false
		}
		k.tag('N')
		return k.expr(x.X)
	case *stmt.InExpr:
		if x == nil {
			return false
		}
		k.tag('i')
		k.bit(x.Not)
		if !k.expr(x.X) {
			return false
		}
		if x.Sub != nil {
			k.tag('q')
			return k.selectStmt(x.Sub)
		}
		if x.Array && !x.Not && k.array {
			if arr, ok := arrayArg(x.Values); ok {
				// One shape for any number of values: the array is
				// the statement's one value here.
				k.tag('A')
				k.vals = append(k.vals, walkVal{v: arr, src: ptrSrc(unsafe.Pointer(x))})
				return true
			}
		}
		return k.exprs(x.Values)
	case *stmt.BetweenExpr:
		if x == nil {
			return false
		}
		k.tag('w')
		k.bit(x.Not)
		return k.expr(x.X) && k.expr(x.Lo) && k.expr(x.Hi)
	case *stmt.LikeExpr:
		if x == nil {
			return false
		}
		k.tag('l')
		k.bit(x.Fold)
		k.bit(x.Not)
		k.buf = append(k.buf, x.Escape)
		return k.expr(x.X) && k.expr(x.Pattern)
	case *stmt.NullExpr:
		if x == nil {
			return false
		}
		k.tag('u')
		k.bit(x.Not)
		return k.expr(x.X)
	case *stmt.FuncExpr:
		if x == nil {
			return false
		}
		k.tag('f')
		k.num(int64(x.Fn))
		k.bit(x.Distinct)
		k.bit(x.Star)
		return k.exprs(x.Args)
	case *stmt.LabelExpr:
		if x == nil {
			return false
		}
		k.tag('L')
		k.str(x.Name)
		return k.expr(x.X)
	case *stmt.ExistsExpr:
		if x == nil || x.Sub == nil {
			return false
		}
		k.tag('e')
		k.bit(x.Not)
		return k.selectStmt(x.Sub)
	case *stmt.SubqueryExpr:
		if x == nil || x.Sub == nil {
			return false
		}
		k.tag('q')
		return k.selectStmt(x.Sub)
	case *stmt.TupleExpr:
		if x == nil {
			return false
		}
		k.tag('t')
		return k.exprs(x.Items)
	case *stmt.ExcludedExpr:
		if x == nil || x.Col == nil {
			return false
		}
		k.tag('x')
		k.ptr(unsafe.Pointer(x.Col))
	default:
		// nil, ErrExpr and anything unknown: compiled every time.
		return false
	}
	return true
}

func (k *keyer) columns(cols []*spec.Column) {
	k.num(int64(len(cols)))
	for _, c := range cols {
		k.ptr(unsafe.Pointer(c))
	}
}

// rowValue writes a value of an INSERT row or an assignment: a plain Go
// value, an expression or a subquery.
func (k *keyer) rowValue(v any, src uint64) bool {
	switch v.(type) {
	case nil, string, int64, int, int32, bool, float64, []byte, time.Time:
		// The common plain values, told apart by their type word alone
		// (the switch below asks for an interface: a lookup per value).
		k.tag('p')
		k.vals = append(k.vals, walkVal{v: v, src: src})
		return true
	}
	switch x := v.(type) {
	case stmt.Expr:
		return k.expr(x)
	case *stmt.SelectStmt:
		if x == nil {
			return false
		}
		k.tag('q')
		return k.selectStmt(x)
	}
	k.tag('p')
	k.vals = append(k.vals, walkVal{v: v, src: src})
	return true
}

func (k *keyer) assignments(set []stmt.Assignment) bool {
	k.num(int64(len(set)))
	for _, a := range set {
		k.ptr(unsafe.Pointer(a.Column))
		if a.Value == nil {
			k.tag('-')
			continue
		}
		if !k.expr(a.Value) {
			return false
		}
	}
	return true
}

func (k *keyer) insertStmt(s *stmt.InsertStmt) bool {
	p := s.Parts()
	if p.Err != nil || !k.table(p.Table) {
		return false
	}
	k.tag('I')
	k.columns(p.Columns)
	k.num(int64(len(p.Rows)))
	for r, row := range p.Rows {
		k.num(int64(len(row)))
		if r >= 1<<30 || len(row) >= 1<<24 {
			return false
		}
		for c, v := range row {
			if !k.rowValue(v, rowSrc(r, c)) {
				return false
			}
		}
	}
	if u := p.Upsert; u != nil {
		k.tag('o')
		k.columns(u.Target)
		k.bit(u.DoNothing)
		if !k.assignments(u.Set) {
			return false
		}
	} else {
		k.tag('-')
	}
	return k.items(p.Returning)
}

func (k *keyer) updateStmt(s *stmt.UpdateStmt) bool {
	p := s.Parts()
	if p.Err != nil || !k.table(p.Table) {
		return false
	}
	k.tag('U')
	return k.assignments(p.Set) && k.optExpr(p.Where) && k.items(p.Returning)
}

func (k *keyer) deleteStmt(s *stmt.DeleteStmt) bool {
	p := s.Parts()
	if p.Err != nil || !k.table(p.Table) {
		return false
	}
	k.tag('D')
	return k.optExpr(p.Where) && k.items(p.Returning)
}

// entryFor builds the cache entry of a statement just compiled into c,
// from the sources the compiler recorded (srcs, one per placeholder) and
// the walk's values; nil when a placeholder's value cannot be placed or a
// value node occurs twice (the walk could not tell such shapes apart).
func entryFor(c *dialects.Compiled, srcs []uint64, vals []walkVal, keep []unsafe.Pointer) *cacheEntry {
	if len(srcs) != len(c.Args) {
		return nil
	}
	index := make(map[uint64]int32, len(vals))
	for i, v := range vals {
		if _, dup := index[v.src]; dup {
			return nil
		}
		index[v.src] = int32(i)
	}
	e := &cacheEntry{sql: c.SQL, cols: c.Columns, names: c.ParamNames, multi: c.MultiStatement, single: c.SingleRow,
		args: make([]argSource, len(srcs)), keep: slices.Clone(keep)}
	used := make(map[int32]bool, len(srcs))
	for i, s := range srcs {
		if s == 0 {
			if c.Args[i] != nil {
				return nil
			}
			e.args[i] = argSource{val: -1, typ: c.ArgTypes[i]}
			continue
		}
		j, ok := index[s]
		if !ok || used[j] {
			return nil
		}
		used[j] = true
		w := vals[j]
		if w.t != nil {
			if c.ArgTypes[i] != w.t {
				return nil
			}
			e.args[i] = argSource{val: j}
		} else {
			e.args[i] = argSource{val: j, typ: c.ArgTypes[i]}
		}
	}
	return e
}

// fromCache makes a Compiled of entry e with the walk's values.
func fromCache(e *cacheEntry, vals []walkVal) *dialects.Compiled {
	c := dialects.NewCompiled()
	c.Reserve(len(e.args))
	args, types := c.Args, c.ArgTypes
	for _, a := range e.args {
		if a.val < 0 {
			args = append(args, nil)
			types = append(types, a.typ)
			continue
		}
		w := vals[a.val]
		args = append(args, w.v)
		if w.t != nil {
			types = append(types, w.t)
		} else {
			types = append(types, a.typ)
		}
	}
	c.SQL, c.Args, c.ArgTypes, c.Columns, c.ParamNames = e.sql, args, types, e.cols, e.names
	c.MultiStatement, c.SingleRow = e.multi, e.single
	return c
}

// arrayArg is the one array parameter an InExpr with Array set binds on a
// dialect with dialects.ArrayParams: a typed slice of its values when every
// value is a plain, non-nil value of one scalar Go type (integers, strings,
// booleans, byte arrays such as UUIDs, time.Time); otherwise ok is false
// and the values are bound one by one.
func arrayArg(vals []stmt.Expr) (any, bool) {
	if len(vals) == 0 {
		return nil, false
	}
	first, ok := vals[0].(*stmt.Value)
	if !ok || first == nil || first.V == nil {
		return nil, false
	}
	switch first.V.(type) {
	case int64:
		return typedArray[int64](vals)
	case int32:
		return typedArray[int32](vals)
	case int:
		return typedArray[int](vals)
	case string:
		return typedArray[string](vals)
	}
	t := reflect.TypeOf(first.V)
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.String, reflect.Bool:
	case reflect.Array:
		if t.Elem().Kind() != reflect.Uint8 {
			return nil, false
		}
	case reflect.Struct:
		if t != reflect.TypeFor[time.Time]() {
			return nil, false
		}
	default:
		return nil, false
	}
	out := reflect.MakeSlice(reflect.SliceOf(t), len(vals), len(vals))
	for i, e := range vals {
		v, ok := e.(*stmt.Value)
		if !ok || v == nil || v.V == nil || reflect.TypeOf(v.V) != t {
			return nil, false
		}
		out.Index(i).Set(reflect.ValueOf(v.V))
	}
	return out.Interface(), true
}

func typedArray[T any](vals []stmt.Expr) (any, bool) {
	out := make([]T, len(vals))
	for i, e := range vals {
		v, ok := e.(*stmt.Value)
		if !ok || v == nil {
			return nil, false
		}
		if out[i], ok = v.V.(T); !ok {
			return nil, false
		}
	}
	return out, true
}
