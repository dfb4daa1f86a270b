package orm

import "math"

// intTable maps one model's integer primary keys to states. Keys inside a
// dense window [lo, lo+len(slots)) sit in a slice, the others in a map.
// Serial keys loaded together (a select-in of 100,000 children) then land
// next to each other: a lookup is one memory access with no hashing, and
// the table is about as large as the map would be. The window grows only
// while at least a quarter of it would be used; sparse keys (random or
// snowflake IDs) go to the map. Every key is in exactly one of the two.
type intTable struct {
	lo    int64
	slots []*state
	used  int // non-nil slots
	other map[int64]*state
	// hint is the number of keys reserve announced, for the first window.
	hint int
}

// slot returns k's index in the window, or false when k is outside it.
func (t *intTable) slot(k int64) (int, bool) {
	// k-lo wraps for a k below lo, and the conversion to uint64 then puts
	// it far beyond the window's length.
	i := uint64(k) - uint64(t.lo)
	if i < uint64(len(t.slots)) {
		return int(i), true
	}
	return 0, false
}

func (t *intTable) get(k int64) *state {
	if t == nil {
		return nil
	}
	if i, ok := t.slot(k); ok {
		return t.slots[i]
	}
	return t.other[k]
}

func (t *intTable) put(k int64, st *state) {
	if i, ok := t.slot(k); ok || t.widen(k) {
		if !ok {
			i, _ = t.slot(k)
		}
		if t.slots[i] == nil {
			t.used++
		}
		t.slots[i] = st
		return
	}
	if t.other == nil {
		t.other = map[int64]*state{}
	}
	t.other[k] = st
}

func (t *intTable) del(k int64) {
	if t == nil {
		return
	}
	if i, ok := t.slot(k); ok {
		if t.slots[i] != nil {
			t.used--
			t.slots[i] = nil
		}
		return
	}
	delete(t.other, k)
}

func (t *intTable) len() int {
	if t == nil {
		return 0
	}
	return t.used + len(t.other)
}

// reserve notes that about n more keys are coming: the first window is
// made for them, and the map sized if there is one already.
func (t *intTable) reserve(n int) {
	if len(t.slots) == 0 {
		t.hint = max(t.hint, n)
	}
	if t.other != nil && n > 2*len(t.other) {
		m := make(map[int64]*state, len(t.other)+n)
		for k, v := range t.other {
			m[k] = v
		}
		t.other = m
	}
}

// widen grows the window to hold k, when the grown window would still be
// at least a quarter used (or small); it reports whether it did.
func (t *intTable) widen(k int64) bool {
	const small = 64
	keys := uint64(t.len() + 1)
	var lo, hi int64 // the window needed, [lo, hi]
	if len(t.slots) == 0 {
		lo, hi = k, k
	} else {
		lo, hi = min(t.lo, k), max(t.lo+int64(len(t.slots))-1, k)
	}
	span := uint64(hi) - uint64(lo) + 1 // exact: hi >= lo
	if span == 0 || span > 4*keys+small {
		return false // also a span of 2^64 (wrapped to 0)
	}
	// Room to grow on the side that grew (both for a first window), so a
	// run of increasing or decreasing keys widens the window a logarithmic
	// number of times.
	extra := max(uint64(small), span/2, uint64(t.hint))
	if len(t.slots) == 0 {
		// A first window centred on k: the keys a select-in brings may
		// come in any order around it.
		half := extra / 2
		lo = subClamp(lo, half)
		hi = addClamp(hi, extra-half)
	} else if k < t.lo {
		lo = subClamp(lo, extra)
	} else {
		hi = addClamp(hi, extra)
	}
	n := uint64(hi) - uint64(lo) + 1
	if n == 0 || n > math.MaxInt32 {
		return false
	}
	slots := make([]*state, n)
	if len(t.slots) > 0 {
		copy(slots[uint64(t.lo)-uint64(lo):], t.slots)
	}
	t.lo, t.slots, t.hint = lo, slots, 0
	// Keys of the map that the window now covers move into it.
	for key, st := range t.other {
		if i, ok := t.slot(key); ok {
			t.slots[i] = st
			t.used++
			delete(t.other, key)
		}
	}
	return true
}

// subClamp returns v-d, or math.MinInt64 where that would overflow. The
// distances are computed modulo 2^64, where they are exact.
func subClamp(v int64, d uint64) int64 {
	if d > uint64(v)+1<<63 { // v - MinInt64
		return math.MinInt64
	}
	return int64(uint64(v) - d)
}

// addClamp returns v+d, or math.MaxInt64 where that would overflow.
func addClamp(v int64, d uint64) int64 {
	if d > uint64(math.MaxInt64)-uint64(v) { // MaxInt64 - v
		return math.MaxInt64
	}
	return int64(uint64(v) + d)
}
