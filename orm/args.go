package orm

import (
	"time"
	"unsafe"
)

// Bound values without one allocation each.
//
// A statement's values are []any, and putting a string, an int64 or a
// time.Time into an interface allocates a copy of it on the heap: for a
// 100-row INSERT of 8 columns that is hundreds of tiny allocations, most
// of the flush's. An argArena copies the values of one statement into a
// few slices instead and makes each interface point at its copy, which is
// exactly what the runtime's own conversion builds (an interface holding a
// non-pointer value points at an immutable copy of it): the copies are
// never written again, so the interfaces behave as any others.

// eface is the layout of an interface value without methods.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// typeWord returns the type word of v's dynamic type.
func typeWord(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

var (
	stringWord = typeWord("")
	int64Word  = typeWord(int64(0))
	timeWord   = typeWord(time.Time{})
)

// boxed returns an interface of the type typ whose value is at p, which
// must hold a value of that type and never change again.
func boxed(typ, p unsafe.Pointer) (v any) {
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = typ, p
	return v
}

// argArena holds the copies behind the values of one statement (or of a
// few: it grows in chunks and never moves what it handed out).
type argArena struct {
	strs  []string
	ints  []int64
	times []time.Time
	// nStr, nInt and nTime size the first chunk of each slice.
	nStr, nInt, nTime int
}

// reserve sizes the arena's first chunks for rows more values of column
// field cf.
func (a *argArena) reserve(cf *colField, rows int) {
	switch cf.argKind {
	case argString:
		a.nStr += rows
	case argInt:
		a.nInt += rows
	case argTime:
		a.nTime += rows
	}
}

// arg returns the value of column field cf of obj to bind, boxed in a.
func (cf *colField) arg(obj unsafe.Pointer, a *argArena) any {
	if cf.argOf == nil {
		return cf.get(obj)
	}
	return cf.argOf(obj, a)
}

// Kinds of column field whose values an argArena holds.
const (
	argOther = iota
	argString
	argInt
	argTime
)

func (a *argArena) str(s string) any {
	if len(s) == 0 {
		return s // the runtime boxes the empty string without allocating
	}
	if len(a.strs) == cap(a.strs) {
		a.strs = make([]string, 0, max(a.nStr, 8))
	}
	a.strs = append(a.strs, s)
	return boxed(stringWord, unsafe.Pointer(&a.strs[len(a.strs)-1]))
}

func (a *argArena) int64(n int64) any {
	if n >= 0 && n < 256 {
		return n // small integers are boxed without allocating
	}
	if len(a.ints) == cap(a.ints) {
		a.ints = make([]int64, 0, max(a.nInt, 8))
	}
	a.ints = append(a.ints, n)
	return boxed(int64Word, unsafe.Pointer(&a.ints[len(a.ints)-1]))
}

func (a *argArena) time(t time.Time) any {
	if len(a.times) == cap(a.times) {
		a.times = make([]time.Time, 0, max(a.nTime, 4))
	}
	a.times = append(a.times, t)
	return boxed(timeWord, unsafe.Pointer(&a.times[len(a.times)-1]))
}
