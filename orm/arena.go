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

// snapSlab hands out zeroed values of one struct type.
type snapSlab struct {
	buf   reflect.Value // a slice of the type
	next  int
	chunk int
}

// snapshot copies obj's columns into storage the session owns (see
// mapper.snapshot for the copy itself).
func (s *Session) snapshot(m *mapper, obj unsafe.Pointer) unsafe.Pointer {
	if m.typ == nil {
		return m.snapshot(obj)
	}
	if s.slabs == nil {
		s.slabs = map[*mapper]*snapSlab{}
	}
	sl := s.slabs[m]
	if sl == nil {
		sl = &snapSlab{}
		s.slabs[m] = sl
	}
	if !sl.buf.IsValid() || sl.next == sl.buf.Len() {
		sl.chunk = nextChunk(sl.chunk)
		sl.buf = reflect.MakeSlice(reflect.SliceOf(m.typ), sl.chunk, sl.chunk)
		sl.next = 0
	}
	dst := sl.buf.Index(sl.next).Addr().UnsafePointer()
	sl.next++
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
	if s.objSlabs == nil {
		s.objSlabs = map[*mapper]*snapSlab{}
	}
	sl := s.objSlabs[m]
	if sl == nil {
		sl = &snapSlab{}
		s.objSlabs[m] = sl
	}
	if !sl.buf.IsValid() || sl.next == sl.buf.Len() {
		sl.chunk = min(nextChunk(sl.chunk), maxObjChunk)
		sl.buf = reflect.MakeSlice(reflect.SliceOf(m.typ), sl.chunk, sl.chunk)
		sl.next = 0
	}
	p := sl.buf.Index(sl.next).Addr().UnsafePointer()
	sl.next++
	return p
}
