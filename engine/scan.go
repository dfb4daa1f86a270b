package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"iter"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unsafe"

	"github.com/dlayer/dlayer/internal/conv"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// All runs s and returns every row as a T. T is a struct (columns bind to
// fields by `db:"name"` tag or by the snake_case field name; embedded
// structs are flattened; `db:"-"` skips a field), a Record, or a single
// scalar type (int64, string, time.Time, …) for one-column results.
//
// The binding of T to a result's columns is checked once per type and
// column list and cached: every result column needs a field (an error names
// the column and the type), and a field's Go type must suit the column's
// schema type where the compiler knows it.
func All[T any](ctx context.Context, q Querier, s stmt.Statement) ([]T, error) {
	if q == nil {
		return nil, errNilQuerier
	}
	var own Rows
	rows, err := queryRows(ctx, q, s, &own)
	if err != nil {
		return nil, err
	}
	return CollectRows[T](rows)
}

// CollectRows reads every remaining row of rows as a T (see All) and closes
// the rows.
func CollectRows[T any](rows *Rows) ([]T, error) {
	if rows == nil || rows.rows == nil {
		return nil, errNilRows
	}
	defer rows.Close()
	sc, err := newScanner[T](rows)
	if err != nil {
		return nil, err
	}
	defer sc.release()
	// Size the slice like the last result read with this binding (capped),
	// so a repeated query does not grow it step by step.
	out := make([]T, 0, sc.plan.sizeHint.Load())
	for rows.Next() {
		out = append(out, *new(T))
		if err := sc.scan(rows, unsafe.Pointer(&out[len(out)-1]), &out[len(out)-1]); err != nil {
			return nil, err
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	sc.plan.sizeHint.Store(int32(min(len(out), sizeHintCap[T]())))
	return out, nil
}

// maxSizeHintBytes caps the memory CollectRows preallocates from what it
// learnt of past results: a result of up to 4 MiB of T is read into a
// slice made once, the size of the last one; a larger one grows from there.
const maxSizeHintBytes = 4 << 20

// sizeHintCap is how many T fit in maxSizeHintBytes (at least 1,024).
func sizeHintCap[T any]() int {
	size := int(unsafe.Sizeof(*new(T)))
	if size == 0 {
		return 1024
	}
	return max(1024, min(maxSizeHintBytes/size, 1<<24))
}

// One runs s and returns its only row: ErrNotFound (which matches
// sql.ErrNoRows) when there is none, ErrTooManyRows when there are more.
func One[T any](ctx context.Context, q Querier, s stmt.Statement) (T, error) {
	return one[T](ctx, q, s, true)
}

// First runs s and returns its first row, or ErrNotFound. Add a limit to
// the statement: the rest of the result is discarded, not fetched.
func First[T any](ctx context.Context, q Querier, s stmt.Statement) (T, error) {
	return one[T](ctx, q, s, false)
}

// Scalar runs s, which must return one column, and returns the value of
// its first row (ErrNotFound when there is none). T is a scalar type such as
// int64, float64, string, bool, time.Time, or a pointer for a NULL-able
// value.
func Scalar[T any](ctx context.Context, q Querier, s stmt.Statement) (T, error) {
	var zero T
	if q == nil {
		return zero, errNilQuerier
	}
	var own Rows
	rows, err := queryRows(ctx, q, s, &own)
	if err != nil {
		return zero, err
	}
	defer rows.Close()
	if n := len(rows.Columns()); n != 1 {
		return zero, rows.prefer(fmt.Errorf("scalar: the query returns %d columns, want 1", n))
	}
	var v T
	if !rows.Next() {
		if err := rows.Close(); err != nil {
			return zero, err
		}
		return zero, fmt.Errorf("scalar: %w", ErrNotFound)
	}
	if err := rows.Scan(&v); err != nil {
		return zero, err
	}
	if t := rows.columnSet().typ(0); t != nil && t.Kind == spec.TypeDecimal {
		decimalText(&v, t)
	}
	return v, rows.Close()
}

// decimalText writes a decimal read into a *string or **string p in its
// one text form (conv.Decimal).
func decimalText(p any, t *spec.Type) {
	var sp *string
	switch x := p.(type) {
	case *string:
		sp = x
	case **string:
		sp = *x
	}
	if sp != nil {
		if d, err := conv.Decimal(*sp, t); err == nil {
			*sp = d
		}
	}
}

func one[T any](ctx context.Context, q Querier, s stmt.Statement, exact bool) (T, error) {
	var zero T
	if q == nil {
		return zero, errNilQuerier
	}
	var own Rows
	rows, err := queryRows(ctx, q, s, &own)
	if err != nil {
		return zero, err
	}
	defer rows.Close()
	sc, err := newScanner[T](rows)
	if err != nil {
		return zero, err
	}
	defer sc.release()
	if !rows.Next() {
		if err := rows.Close(); err != nil {
			return zero, err
		}
		return zero, fmt.Errorf("%s: %w", describe(rows.sql), ErrNotFound)
	}
	var v T
	if err := sc.scan(rows, unsafe.Pointer(&v), &v); err != nil {
		return zero, err
	}
	// A query that cannot return a second row (by primary key, or LIMIT
	// 1) is not stepped again to look for one.
	if exact && !rows.single && rows.Next() {
		return zero, fmt.Errorf("%s: %w", describe(rows.sql), ErrTooManyRows)
	}
	return v, rows.Close()
}

// queryRows runs s on q. On an Engine or a Tx it fills own (which the
// caller keeps on its stack) in place of allocating a Rows.
func queryRows(ctx context.Context, q Querier, s stmt.Statement, own *Rows) (*Rows, error) {
	var err error
	switch q := q.(type) {
	case *Engine:
		if err = q.usable(ctx); err == nil {
			err = q.queryInto(ctx, q.pool, s, own)
		}
	case *Tx:
		err = q.queryInto(ctx, s, own)
	default:
		return q.Query(ctx, s)
	}
	if err != nil {
		return nil, err
	}
	return own, nil
}

// Stream runs s and yields its rows one at a time, holding one row in
// memory. It stops when the consumer breaks (the rows are closed), and when
// ctx is cancelled it yields the context error (errors.Is(err,
// context.Canceled)) and stops. An error is yielded once, with a zero T.
func Stream[T any](ctx context.Context, q Querier, s stmt.Statement) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if q == nil {
			yield(zero, errNilQuerier)
			return
		}
		rows, err := q.Query(ctx, s)
		if err != nil {
			yield(zero, err)
			return
		}
		defer rows.Close()
		sc, err := newScanner[T](rows)
		if err != nil {
			yield(zero, err)
			return
		}
		defer sc.release()
		var v T
		for n := 0; rows.Next(); n++ {
			if n&63 == 63 {
				if cerr := ctx.Err(); cerr != nil {
					rows.close(fmt.Errorf("%s: %w", describe(rows.sql), cerr))
					yield(zero, rows.Err())
					return
				}
			}
			v = zero
			if err := sc.scan(rows, unsafe.Pointer(&v), &v); err != nil {
				yield(zero, err)
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := rows.Close(); err != nil {
			yield(zero, err)
		}
	}
}

// Records runs s and returns every row as a Record.
func Records(ctx context.Context, q Querier, s stmt.Statement) ([]Record, error) {
	return All[Record](ctx, q, s)
}

// scanner reads rows into values of one Go type by its plan (its code does
// not depend on the type, so it is not generic). Scanners are pooled: the
// reader that made one releases it when done.
type scanner struct {
	plan *plan
	dest []any
	buf  [16]any
}

var scanners = sync.Pool{New: func() any { return new(scanner) }}

// release gives the scanner back to the pool, keeping no pointer into what
// it read.
func (s *scanner) release() {
	if len(s.dest) > len(s.buf) {
		return // its own destinations: leave it to the collector
	}
	clear(s.buf[:])
	s.plan, s.dest = nil, nil
	scanners.Put(s)
}

func newScanner[T any](rows *Rows) (*scanner, error) {
	return newScannerOf(rows, reflect.TypeFor[T]())
}

func newScannerOf(rows *Rows, t reflect.Type) (*scanner, error) {
	cs := rows.columnSet()
	p, err := planFor(t, cs)
	if err != nil {
		return nil, rows.prefer(err)
	}
	sc := scanners.Get().(*scanner)
	sc.plan = p
	if n := len(cs.names); n <= len(sc.buf) {
		sc.dest = sc.buf[:n]
	} else {
		sc.dest = make([]any, n)
	}
	return sc, nil
}

// scan reads the current row into the value at p, of the scanner's type;
// boxed is the same pointer as an interface (&v), for a scalar.
func (s *scanner) scan(rows *Rows, p unsafe.Pointer, boxed any) error {
	switch s.plan.mode {
	case modeRecord:
		rec, err := rows.Record()
		if err != nil {
			return err
		}
		*(*Record)(p) = rec
		return nil
	case modeScalar:
		s.dest[0] = boxed
	default:
		for i, f := range s.plan.fields {
			s.dest[i] = f.ptr(unsafe.Add(p, f.offset))
		}
	}
	if err := rows.Scan(s.dest...); err != nil {
		return fmt.Errorf("scan into %s: %w", s.plan.typ, err)
	}
	if s.plan.decimals {
		s.plan.canonical(p)
	}
	return nil
}

// canonical rewrites the decimal text of string fields in its one form
// (conv.Decimal): each driver prints decimals its own way.
func (p *plan) canonical(base unsafe.Pointer) {
	for _, f := range p.fields {
		if f.dec == nil {
			continue
		}
		sp := (*string)(unsafe.Add(base, f.offset))
		if f.ptrField {
			sp = *(**string)(unsafe.Add(base, f.offset))
			if sp == nil {
				continue
			}
		}
		if d, err := conv.Decimal(*sp, f.dec); err == nil {
			*sp = d
		}
	}
}

type planMode int

const (
	modeStruct planMode = iota
	modeScalar
	modeRecord
)

// plan maps result columns to the fields of a struct type.
type plan struct {
	typ    reflect.Type
	mode   planMode
	fields []fieldPlan // one per result column
	// decimals: some string field holds a decimal column (see canonical).
	decimals bool
	// sizeHint is the row count of the last CollectRows with this plan.
	sizeHint atomic.Int32
}

type fieldPlan struct {
	offset uintptr
	ptr    func(unsafe.Pointer) any // makes the typed field pointer
	// dec is the type of a decimal column read into a string (ptrField:
	// a *string) field.
	dec      *spec.Type
	ptrField bool
}

// planKey identifies a binding: the Go type and a hash of the result's
// column names and types. Entries keep the columns to rule out collisions.
type planKey struct {
	typ  reflect.Type
	hash uint64
}

type planEntry struct {
	names []string
	kinds []uint64 // typeSig of each column
	plan  *plan
	err   error
}

// typeSig is what a plan depends on of a column type: the kind, and a
// decimal's precision and scale (see plan.canonical).
func typeSig(t *spec.Type) uint64 {
	if t == nil {
		return uint64(spec.TypeInvalid)
	}
	sig := uint64(t.Kind)
	if t.Kind == spec.TypeDecimal {
		sig |= uint64(uint32(t.Precision))<<8 | uint64(uint32(t.Scale))<<36
	}
	return sig
}

var (
	plans    sync.Map // planKey → []*planEntry
	planSeed = maphash.MakeSeed()
)

func planFor(t reflect.Type, cs *columnSet) (*plan, error) {
	var h maphash.Hash
	h.SetSeed(planSeed)
	for i, n := range cs.names {
		h.WriteString(n)
		h.WriteByte(byte(typeSig(cs.typ(i))))
	}
	key := planKey{typ: t, hash: h.Sum64()}
	if v, ok := plans.Load(key); ok {
		for _, e := range v.([]*planEntry) {
			if e.matches(cs) {
				return e.plan, e.err
			}
		}
	}
	p, err := buildPlan(t, cs)
	e := &planEntry{names: slices.Clone(cs.names), kinds: make([]uint64, len(cs.names)), plan: p, err: err}
	for i := range cs.names {
		e.kinds[i] = typeSig(cs.typ(i))
	}
	for {
		old, loaded := plans.LoadOrStore(key, []*planEntry{e})
		if !loaded {
			break
		}
		entries := old.([]*planEntry)
		if len(entries) >= 8 || plans.CompareAndSwap(key, old, append(slices.Clip(entries), e)) {
			break
		}
	}
	return p, err
}

func (e *planEntry) matches(cs *columnSet) bool {
	if len(e.names) != len(cs.names) {
		return false
	}
	for i, n := range cs.names {
		if e.names[i] != n || e.kinds[i] != typeSig(cs.typ(i)) {
			return false
		}
	}
	return true
}

var (
	recordType  = reflect.TypeFor[Record]()
	timeType    = reflect.TypeFor[time.Time]()
	scannerType = reflect.TypeFor[sql.Scanner]()
	rawJSONType = reflect.TypeFor[json.RawMessage]()
)

func isScalar(t reflect.Type) bool {
	if t == timeType || reflect.PointerTo(t).Implements(scannerType) {
		return true
	}
	switch t.Kind() {
	case reflect.Struct:
		return false
	case reflect.Pointer:
		return t.Elem().Kind() != reflect.Struct || isScalar(t.Elem())
	}
	return true
}

func buildPlan(t reflect.Type, cs *columnSet) (*plan, error) {
	p := &plan{typ: t}
	switch {
	case t == recordType:
		p.mode = modeRecord
		return p, nil
	case isScalar(t):
		if len(cs.names) != 1 {
			return nil, fmt.Errorf("bind %s: the result has %d columns (%s); a scalar type needs exactly one",
				t, len(cs.names), strings.Join(cs.names, ", "))
		}
		if err := compatible(t, cs.typ(0)); err != nil {
			return nil, fmt.Errorf("bind %s to column %q: %w", t, cs.names[0], err)
		}
		p.mode = modeScalar
		if ct := cs.typ(0); ct != nil && ct.Kind == spec.TypeDecimal && (t == reflect.TypeFor[string]() || t == reflect.TypeFor[*string]()) {
			d := *ct
			p.fields, p.decimals = []fieldPlan{{dec: &d, ptrField: t.Kind() == reflect.Pointer}}, true
		}
		return p, nil
	}
	fields := map[string]fieldInfo{}
	collectFields(t, 0, nil, fields)
	p.fields = make([]fieldPlan, len(cs.names))
	seen := make(map[string]bool, len(cs.names))
	for i, col := range cs.names {
		if seen[col] {
			return nil, fmt.Errorf("bind %s: the result has two columns named %q (label one of them)", t, col)
		}
		seen[col] = true
		f, ok := fields[col]
		if !ok {
			return nil, fmt.Errorf("bind %s: result column %q has no field (add a field named %s or tagged `db:%q`)",
				t, col, goName(col), col)
		}
		if err := compatible(f.typ, cs.typ(i)); err != nil {
			return nil, fmt.Errorf("bind %s: field %s for column %q: %w", t, f.name, col, err)
		}
		p.fields[i] = fieldPlan{offset: f.offset, ptr: pointerMaker(f.typ)}
		if ct := cs.typ(i); ct != nil && ct.Kind == spec.TypeDecimal {
			switch f.typ {
			case reflect.TypeFor[string](), reflect.TypeFor[*string]():
				d := *ct
				p.fields[i].dec, p.fields[i].ptrField, p.decimals = &d, f.typ.Kind() == reflect.Pointer, true
			}
		}
	}
	return p, nil
}

type fieldInfo struct {
	name   string
	offset uintptr
	typ    reflect.Type
	depth  int
}

// collectFields records the bindable fields of struct t by column name; a
// shallower field wins over one from an embedded struct.
func collectFields(t reflect.Type, base uintptr, path []string, out map[string]fieldInfo) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, hasTag := sf.Tag.Lookup("db")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if sf.Anonymous && !hasTag && sf.Type.Kind() == reflect.Struct && !isScalar(sf.Type) {
			collectFields(sf.Type, base+sf.Offset, append(path, sf.Name), out)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = SnakeCase(sf.Name)
		}
		fi := fieldInfo{name: strings.Join(append(path, sf.Name), "."), offset: base + sf.Offset, typ: sf.Type, depth: len(path)}
		if old, ok := out[name]; ok && old.depth <= fi.depth {
			continue
		}
		out[name] = fi
	}
}

// SnakeCase converts a Go field name to the column name it binds to by
// default: "UserID" → "user_id", "HTTPServer" → "http_server".
func SnakeCase(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]) ||
				(i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func goName(col string) string {
	var b strings.Builder
	up := true
	for _, r := range col {
		if r == '_' {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// compatible checks a field type against a column type known from the
// schema (nil: unknown, anything goes).
func compatible(ft reflect.Type, ct *spec.Type) error {
	if ct == nil || conv.Holds(ft, ct.Kind, false) {
		return nil
	}
	for ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	return fmt.Errorf("Go type %s cannot hold a %s column", ft, ct.Kind)
}

// pointerMaker returns a function turning a field address into a typed
// pointer, without reflection for the common types.
func pointerMaker(t reflect.Type) func(unsafe.Pointer) any {
	switch t {
	case reflect.TypeFor[int64]():
		return func(p unsafe.Pointer) any { return (*int64)(p) }
	case reflect.TypeFor[int]():
		return func(p unsafe.Pointer) any { return (*int)(p) }
	case reflect.TypeFor[int32]():
		return func(p unsafe.Pointer) any { return (*int32)(p) }
	case reflect.TypeFor[string]():
		return func(p unsafe.Pointer) any { return (*string)(p) }
	case reflect.TypeFor[float64]():
		return func(p unsafe.Pointer) any { return (*float64)(p) }
	case reflect.TypeFor[bool]():
		return func(p unsafe.Pointer) any { return (*bool)(p) }
	case reflect.TypeFor[[]byte]():
		return func(p unsafe.Pointer) any { return (*[]byte)(p) }
	case timeType:
		return func(p unsafe.Pointer) any { return (*time.Time)(p) }
	case reflect.TypeFor[*int64]():
		return func(p unsafe.Pointer) any { return (**int64)(p) }
	case reflect.TypeFor[*string]():
		return func(p unsafe.Pointer) any { return (**string)(p) }
	case reflect.TypeFor[*float64]():
		return func(p unsafe.Pointer) any { return (**float64)(p) }
	case reflect.TypeFor[*bool]():
		return func(p unsafe.Pointer) any { return (**bool)(p) }
	case reflect.TypeFor[*time.Time]():
		return func(p unsafe.Pointer) any { return (**time.Time)(p) }
	}
	return func(p unsafe.Pointer) any { return reflect.NewAt(t, p).Interface() }
}
