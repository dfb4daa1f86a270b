package orm

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync/atomic"
)

// ErrConcurrentUse is returned when a Session is used by a second goroutine
// while a call is still running in it. A Session is not safe for concurrent
// use; rather than let two goroutines corrupt its unit of work, each public
// method marks the session in use (one atomic compare-and-swap) and refuses
// a call that meets the mark. The session is then unusable — every
// operation that would write or read through it returns an error matching
// both ErrConcurrentUse and ErrSessionNeedsRollback, and Commit refuses to
// commit — until Rollback or Close: objects the other goroutine meant to add
// may be missing from the unit of work, so committing it could save parents
// without their children.
//
// Detection is best effort: two calls that happen not to overlap pass
// unnoticed (they are then serialised by the mark and do not corrupt
// anything). Calls from the session's own hooks and events (made on the
// goroutine running the flush, load or commit) are allowed.
var ErrConcurrentUse = errors.New("dlayer: session used by two goroutines at once (a Session is not safe for concurrent use: open one per goroutine)")

// errNilSession and errNoDB answer every call on a nil or zero Session.
var (
	errNilSession = errors.New("orm: nil *orm.Session (open one with DB.Session)")
	errNoDB       = errors.New("orm: the Session has no DB (it was not made by DB.Session, or made by a nil *orm.DB)")
	errNilContext = errors.New("orm: nil context.Context (pass context.Background() or a request's context)")
)

// misused is the state of a session whose concurrent use was detected.
type misused struct{}

func (misused) Error() string {
	return "dlayer: session needs rollback: it was used by two goroutines at once (a Session is not safe for concurrent use)"
}

func (misused) Unwrap() []error { return []error{ErrSessionNeedsRollback, ErrConcurrentUse} }

// The guard's states.
const (
	guardFree    uint32 = iota // no call is running
	guardBusy                  // a call is running
	guardCallout               // a call is running the app's code (a hook or an event)
)

// guard detects concurrent use of a Session. Every public method enters it
// (a compare-and-swap from free to busy) and leaves it (a store). While a
// call runs the app's hooks or events, the state is callout and owner holds
// the goroutine running the call, so the hook may call the session again
// (re-entry) while another goroutine may not.
type guard struct {
	state  atomic.Uint32
	owner  atomic.Int64
	misuse atomic.Bool
}

// enter marks the session in use for the call op. nested is true for a
// call made from the session's own hook or event: it must not leave the
// guard (the outer call does). A call that meets another goroutine's call
// marks the session misused and fails with ErrConcurrentUse. A nil or zero
// session fails too.
func (s *Session) enter(op string) (nested bool, err error) {
	if s == nil {
		return false, fmt.Errorf("%s: %w", op, errNilSession)
	}
	if s.db == nil {
		return false, fmt.Errorf("%s: %w", op, errNoDB)
	}
	if s.g.state.CompareAndSwap(guardFree, guardBusy) {
		return false, nil
	}
	if s.g.state.Load() == guardCallout {
		if id := goid(); id > 0 && s.g.owner.Load() == id {
			return true, nil
		}
	}
	s.g.misuse.Store(true)
	return false, fmt.Errorf("%s: %w", op, ErrConcurrentUse)
}

// enterCtx is enter for a call that takes a context: a nil one is an
// error (it would panic deep in a driver).
func (s *Session) enterCtx(ctx context.Context, op string) (bool, error) {
	if ctx == nil {
		return false, fmt.Errorf("%s: %w", op, errNilContext)
	}
	return s.enter(op)
}

// leave ends a call that enter let in.
func (s *Session) leave(nested bool) {
	if nested {
		return
	}
	if s.calledOut {
		s.calledOut = false
		s.g.owner.Store(0)
	}
	s.g.state.Store(guardFree)
}

// calloutBegin opens the session to re-entry from the current goroutine
// while the app's code (a hook or an event) runs; calloutEnd(prev) closes
// it again. The goroutine's id is looked up once per call, and only by
// calls that run app code.
func (s *Session) calloutBegin() uint32 {
	if !s.calledOut {
		s.g.owner.Store(goid())
		s.calledOut = true
	}
	prev := s.g.state.Load()
	s.g.state.Store(guardCallout)
	return prev
}

func (s *Session) calloutEnd(prev uint32) { s.g.state.Store(prev) }

// goid returns the current goroutine's id, read from its stack header
// ("goroutine 18 [running]:"). It costs a few microseconds, so it is used
// only around the app's hooks and events, never on the plain call path.
func goid() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	const prefix = "goroutine "
	if len(b) <= len(prefix) {
		return -1
	}
	var id int64
	for _, c := range b[len(prefix):] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + int64(c-'0')
	}
	return id
}

// isNil reports whether v is nil or a nil pointer, map, slice, func,
// channel or interface held in an interface.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return rv.IsNil()
	}
	return false
}
