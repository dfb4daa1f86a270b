package orm_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/orm"
)

// gate blocks the statement a test picks, on the goroutine running it,
// until the test opens the gate.
type gate struct {
	match   atomic.Value // string: a prefix of the SQL to block ("" for none)
	entered chan struct{}
	release chan struct{}
}

func newGate() *gate {
	g := &gate{entered: make(chan struct{}, 1), release: make(chan struct{})}
	g.match.Store("")
	return g
}

func (g *gate) trace(ctx context.Context, q engine.QueryInfo) (context.Context, func(error)) {
	if m := g.match.Load().(string); m != "" && strings.HasPrefix(q.SQL, m) {
		g.match.Store("") // once
		g.entered <- struct{}{}
		<-g.release
	}
	return ctx, func(error) {}
}

// TestConcurrentUseDetected: while one goroutine's Commit is inside the
// session (held in the middle of its INSERT, or inside a BeforeFlush
// event), a second goroutine's calls fail with ErrConcurrentUse instead of
// changing the unit of work; the first call's Commit then refuses to commit
// the possibly incomplete unit of work, and Rollback makes the session
// usable again. The second goroutine touches nothing but the session's
// atomic flag, so the race detector stays quiet.
func TestConcurrentUseDetected(t *testing.T) {
	for _, where := range []string{"statement", "event"} {
		t.Run(where, func(t *testing.T) {
			each2(t, func(t *testing.T, name string) {
				ctx := context.Background()
				g := newGate()
				eventEntered, eventRelease := make(chan struct{}, 1), make(chan struct{})
				var blockEvent atomic.Bool
				eng, db := openWith(t, name, []engine.Option{engine.WithTracer(engine.TracerFunc(g.trace))},
					orm.WithEvents(orm.Events{BeforeFlush: func(ctx context.Context, s *orm.Session) error {
						if blockEvent.CompareAndSwap(true, false) {
							eventEntered <- struct{}{}
							<-eventRelease
						}
						return nil
					}}))
				s := db.Session()
				defer s.Close(ctx)
				parent := &User{Name: "parent", Email: "parent@x.org"}
				must(t, s.Add(parent))
				if where == "statement" {
					g.match.Store("INSERT INTO")
				} else {
					blockEvent.Store(true)
				}
				commitErr := make(chan error, 1)
				go func() { commitErr <- s.Commit(ctx) }()
				if where == "statement" {
					<-g.entered
				} else {
					<-eventEntered
				}
				// The second goroutine (this one) calls in.
				child := &Post{Title: "child", Content: "c"}
				calls := []struct {
					name string
					err  error
				}{
					{"Add", s.Add(child)},
					{"Link", s.Link(parent, "posts", child)},
					{"Flush", s.Flush(ctx)},
					{"Commit", s.Commit(ctx)},
					{"Rollback", s.Rollback(ctx)},
					{"Close", s.Close(ctx)},
				}
				for _, c := range calls {
					if !errors.Is(c.err, orm.ErrConcurrentUse) {
						t.Errorf("%s during another goroutine's Commit: %v, want ErrConcurrentUse", c.name, c.err)
					}
				}
				if s.InTransaction() || s.IsLoaded(parent, "posts") {
					t.Error("a bool method answered true during another goroutine's call")
				}
				if where == "statement" {
					close(g.release)
				} else {
					close(eventRelease)
				}
				err := <-commitErr
				if !errors.Is(err, orm.ErrConcurrentUse) || !errors.Is(err, orm.ErrSessionNeedsRollback) {
					t.Fatalf("the first goroutine's Commit: %v, want the concurrent-use refusal", err)
				}
				if n, err := engine.Scalar[int64](ctx, eng, stmtCountOn(db, "users")); err != nil || n != 0 {
					t.Fatalf("users after the refused commit: %d %v", n, err)
				}
				// Until Rollback the session refuses work.
				if err := s.Add(&User{Name: "x", Email: "x@x.org"}); !errors.Is(err, orm.ErrConcurrentUse) {
					t.Fatalf("add after detected concurrent use: %v", err)
				}
				must(t, s.Rollback(ctx))
				// Now whole units commit again: parent and child together.
				parent = &User{Name: "parent", Email: "parent@x.org", Posts: []*Post{{Title: "child", Content: "c"}}}
				must(t, s.Add(parent))
				must(t, s.Commit(ctx))
				for table, want := range map[string]int64{"users": 1, "posts": 1} {
					if n, err := engine.Scalar[int64](ctx, eng, stmtCountOn(db, table)); err != nil || n != want {
						t.Fatalf("%s: %d %v, want %d", table, n, err, want)
					}
				}
			})
		})
	}
}

// TestHooksMayUseTheirSession: calls a hook or event makes on its own
// session (on the goroutine running the flush) are not concurrent use; a
// flush from inside a flush is refused, and a query from a flush's hook
// does not autoflush.
func TestHooksMayUseTheirSession(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		var nestedFlush error
		var once atomic.Bool
		_, db := openWith(t, name, nil, orm.WithEvents(orm.Events{
			BeforeFlush: func(ctx context.Context, s *orm.Session) error {
				if !once.CompareAndSwap(false, true) {
					return nil
				}
				// An audit row added from the event joins this flush.
				if err := s.Add(&Account{Owner: "audit", Balance: 1}); err != nil {
					return err
				}
				// A query from the event runs (without autoflushing).
				if _, err := orm.All[User](ctx, s, orm.Select[User](s.DB())); err != nil {
					return err
				}
				nestedFlush = s.Flush(ctx)
				return nil
			},
		}))
		s := db.Session()
		defer s.Close(ctx)
		must(t, s.Add(&User{Name: "u", Email: "u@x.org"}))
		must(t, s.Commit(ctx))
		if nestedFlush == nil || !strings.Contains(nestedFlush.Error(), "already flushing") {
			t.Fatalf("flush from a flush event: %v", nestedFlush)
		}
		accs, err := orm.All[Account](ctx, s, orm.Select[Account](db))
		must(t, err)
		if len(accs) != 1 || accs[0].Owner != "audit" {
			t.Fatalf("the event's audit row: %v", accs)
		}
	})
}

// TestConcurrentSessionStress hammers one session from several goroutines,
// each adding a parent with two children and committing. Calls that meet
// another goroutine's call fail (and the goroutine rolls back); whatever
// was committed is whole: every user has both posts. Run with -race: the
// guard must keep the goroutines' accesses apart.
func TestConcurrentSessionStress(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		eng, db := openWith(t, name, nil)
		s := db.Session()
		defer s.Close(ctx)
		var wg sync.WaitGroup
		var refused atomic.Int64
		var nextID atomic.Int64
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 25; i++ {
					n := nextID.Add(1)
					u := &User{Name: "u", Email: "u" + itoa(n) + "@x.org",
						Posts: []*Post{{Title: "a", Content: "c"}, {Title: "b", Content: "c"}}}
					err := s.Add(u)
					if err == nil {
						err = s.Commit(ctx)
					}
					switch {
					case err == nil:
					case errors.Is(err, orm.ErrConcurrentUse), errors.Is(err, orm.ErrSessionNeedsRollback):
						refused.Add(1)
						_ = s.Rollback(ctx)
					default:
						t.Errorf("unexpected error: %v", err)
						return
					}
				}
			}()
		}
		wg.Wait()
		must(t, s.Rollback(ctx))
		users, err := engine.Scalar[int64](ctx, eng, stmtCountOn(db, "users"))
		must(t, err)
		posts, err := engine.Scalar[int64](ctx, eng, stmtCountOn(db, "posts"))
		must(t, err)
		if posts != 2*users {
			t.Fatalf("%d users but %d posts: a parent was committed without its children", users, posts)
		}
		t.Logf("%d users committed whole; %d calls refused as concurrent", users, refused.Load())
	})
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
