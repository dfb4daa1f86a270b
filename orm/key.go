package orm

import (
	"strconv"
	"strings"
	"unsafe"

	"github.com/dlayer/dlayer/internal/conv"
)

// keyVal is a key value normalised so that equal keys compare equal
// whatever Go type held them (int vs int64, []byte vs string), without
// boxing integers into interfaces: the identity map and the select-in
// grouping use it as a map key.
type keyVal struct {
	kind uint8 // keyNone, keyInt, keyStr, keyComposite
	i    int64
	s    string
}

const (
	keyNone uint8 = iota
	keyInt
	keyStr
	keyComposite
)

// identity is a key of the identity map: the mapper and the primary key.
type identity struct {
	m *mapper
	k keyVal
}

// keyOf normalises a key value; ok is false for NULL.
func keyOf(v any) (keyVal, bool) {
	switch x := v.(type) {
	case nil:
		return keyVal{}, false
	case int64:
		return keyVal{kind: keyInt, i: x}, true
	case int:
		return keyVal{kind: keyInt, i: int64(x)}, true
	case int32:
		return keyVal{kind: keyInt, i: int64(x)}, true
	case int16:
		return keyVal{kind: keyInt, i: int64(x)}, true
	case int8:
		return keyVal{kind: keyInt, i: int64(x)}, true
	case uint:
		return keyVal{kind: keyInt, i: int64(x)}, true
	case uint64:
		return keyVal{kind: keyInt, i: int64(x)}, true
	case uint32:
		return keyVal{kind: keyInt, i: int64(x)}, true
	case uint16:
		return keyVal{kind: keyInt, i: int64(x)}, true
	case uint8:
		return keyVal{kind: keyInt, i: int64(x)}, true
	case string:
		return keyVal{kind: keyStr, s: x}, true
	case []byte:
		return keyVal{kind: keyStr, s: string(x)}, true
	case [16]byte:
		return keyVal{kind: keyStr, s: conv.FormatUUID(x)}, true
	}
	var n int64
	if conv.Assign(&n, v) == nil {
		return keyVal{kind: keyInt, i: n}, true
	}
	var s string
	if conv.Assign(&s, v) == nil {
		return keyVal{kind: keyStr, s: s}, true
	}
	return keyVal{}, false
}

// compose encodes several key parts as one (length-prefixed, so parts
// cannot run into each other).
func compose(parts []keyVal) keyVal {
	if len(parts) == 1 {
		return parts[0]
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteByte(p.kind)
		if p.kind == keyInt {
			b.WriteString(strconv.FormatInt(p.i, 10))
		} else {
			b.WriteString(strconv.Itoa(len(p.s)))
			b.WriteByte(':')
			b.WriteString(p.s)
		}
		b.WriteByte(0)
	}
	return keyVal{kind: keyComposite, s: b.String()}
}

// keyOfValues normalises a list of key values; ok is false if one is NULL.
func keyOfValues(vals []any) (keyVal, bool) {
	if len(vals) == 1 {
		return keyOf(vals[0])
	}
	parts := make([]keyVal, len(vals))
	for i, v := range vals {
		k, ok := keyOf(v)
		if !ok {
			return keyVal{}, false
		}
		parts[i] = k
	}
	return compose(parts), true
}

// colsKey reads the key of columns ords of obj; ok is false if one is NULL.
func (m *mapper) colsKey(obj unsafe.Pointer, ords []int) (keyVal, bool) {
	if len(ords) == 1 {
		return m.cols[ords[0]].key(obj)
	}
	parts := make([]keyVal, len(ords))
	for i, o := range ords {
		k, ok := m.cols[o].key(obj)
		if !ok {
			return keyVal{}, false
		}
		parts[i] = k
	}
	return compose(parts), true
}

// key returns obj's identity key; ok is false while a primary-key column
// is unset (zero for a generated key, NULL otherwise).
func (m *mapper) key(obj unsafe.Pointer) (identity, bool) {
	if m.autoPK >= 0 && m.cols[m.autoPK].zero(obj) {
		return identity{}, false
	}
	k, ok := m.colsKey(obj, m.pk)
	return identity{m: m, k: k}, ok
}

// identityMap maps primary keys to states. Integer keys (the common case)
// sit in one intTable per mapper: the first mapper's is held inline (most
// sessions read one or two models), the others' by mapper, the last one
// asked for cached inline too (a select-in alternates between two models).
// Other keys go by identity.
type identityMap struct {
	m0   *mapper
	t0   *intTable
	m1   *mapper
	t1   *intTable
	ints map[*mapper]*intTable
	rest map[identity]*state
}

// intsOf returns m's integer-key table, creating it if create is set (nil
// otherwise when m has none).
func (im *identityMap) intsOf(m *mapper, create bool) *intTable {
	if m == im.m0 {
		return im.t0
	}
	if m == im.m1 {
		return im.t1
	}
	if t := im.ints[m]; t != nil || !create {
		if t != nil {
			im.m1, im.t1 = m, t
		}
		return t
	}
	t := &intTable{}
	switch {
	case im.m0 == nil:
		im.m0, im.t0 = m, t
		return t
	case im.ints == nil:
		im.ints = map[*mapper]*intTable{m: t}
	default:
		im.ints[m] = t
	}
	im.m1, im.t1 = m, t
	return t
}

// reserve makes room for n more integer keys of m (a query that knows,
// or has estimated, its row count: the table then does not grow step by
// step).
func (im *identityMap) reserve(m *mapper, n int) {
	if n <= 8 || len(m.pk) != 1 || m.cols[m.pk[0]].setInt == nil {
		return
	}
	im.intsOf(m, true).reserve(n)
}

func (im *identityMap) get(k identity) *state {
	if k.k.kind == keyInt {
		return im.intsOf(k.m, false).get(k.k.i)
	}
	return im.rest[k]
}

func (im *identityMap) put(k identity, st *state) {
	if k.k.kind == keyInt {
		im.intsOf(k.m, true).put(k.k.i, st)
		return
	}
	if im.rest == nil {
		im.rest = map[identity]*state{}
	}
	im.rest[k] = st
}

// del removes k if it maps to st.
func (im *identityMap) del(k identity, st *state) {
	if im.get(k) != st {
		return
	}
	if k.k.kind == keyInt {
		im.intsOf(k.m, false).del(k.k.i)
		return
	}
	delete(im.rest, k)
}

func (im *identityMap) len() int {
	n := len(im.rest) + im.t0.len()
	for _, t := range im.ints {
		n += t.len()
	}
	return n
}

// clear empties the map. The tables are dropped rather than cleared:
// clearing costs time in proportion to their size, and a session emptied
// (or closed) rarely fills them to the same size again.
func (im *identityMap) clear() {
	*im = identityMap{}
}
