package orm

import (
	"reflect"
	"unsafe"
)

// The session allocates its bookkeeping — states and column snapshots —
// in chunks rather than one object at a time: loading or flushing 10,000
// objects then costs a few dozen allocations for bookkeeping instead of
// 20,000. Chunks live as long as the session (or the objects that point
// into them), which is the life of what they hold anyway.

const (
	firstChunk = 2 // a one-object unit of work allocates no room for 15 more
	maxChunk   = 1024
)

func nextChunk(prev int) int {
	if prev == 0 {
		return firstChunk
	}
	return min(prev*2, maxChunk)
}

// newState returns a zeroed state from the session's current chunk.
func (s *Session) newState() *state {
	if len(s.stateBuf) == 0 {
		s.stateChunk = nextChunk(s.stateChunk)
		s.stateBuf = make([]state, s.stateChunk)
	}
	st := &s.stateBuf[0]
	s.stateBuf = s.stateBuf[1:]
	return st
}

// snapSlab hands out zeroed values of one struct type from an array of
// chunk values at base.
type snapSlab struct {
	m     *mapper
	base  unsafe.Pointer
	next  int
	chunk int
}

// take returns the slab's next value, first allocating a new array (of
// chunk values, limit at most) when the current one is used up.
func (sl *snapSlab) take(m *mapper, limit int) unsafe.Pointer {
	if sl.base == nil || sl.next == sl.chunk {
		sl.chunk = min(nextChunk(sl.chunk), limit)
		sl.base = reflect.New(reflect.ArrayOf(sl.chunk, m.typ)).UnsafePointer()
		sl.next = 0
	}
	p := unsafe.Add(sl.base, uintptr(sl.next)*m.typ.Size())
	sl.next++
	return p
}

// slab returns the session's slab for m out of slabs: the first mapper's
// is held inline in first (most sessions read one or two models), the
// others' in the map.
func slab(first *snapSlab, slabs *map[*mapper]*snapSlab, m *mapper) *snapSlab {
	if first.m == m {
		return first
	}
	if first.m == nil {
		first.m = m
		return first
	}
	sl := (*slabs)[m]
	if sl == nil {
		if *slabs == nil {
			*slabs = map[*mapper]*snapSlab{}
		}
		sl = &snapSlab{m: m}
		(*slabs)[m] = sl
	}
	return sl
}

// snapshot copies obj's columns into storage the session owns (see
// mapper.snapshot for the copy itself).
func (s *Session) snapshot(m *mapper, obj unsafe.Pointer) unsafe.Pointer {
	if m.typ == nil {
		return m.snapshot(obj)
	}
	dst := slab(&s.slab0, &s.slabs, m).take(m, maxChunk)
	m.copyInto(dst, obj)
	return dst
}

// maxObjChunk bounds how many loaded objects share one allocation, and so
// how many neighbours one object the app keeps can hold in memory.
const maxObjChunk = 64

// newObject returns a zeroed object of m's type for a loaded row, from a
// chunk of up to maxObjChunk objects.
func (s *Session) newObject(m *mapper) unsafe.Pointer {
	if m.typ == nil {
		return m.newObject()
	}
	return slab(&s.objSlab0, &s.objSlabs, m).take(m, maxObjChunk)
}
