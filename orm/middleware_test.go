package orm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
)

// lockedBuf is a log sink the server goroutines write and the test reads.
type lockedBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// hookErrs collects the errors Middleware passes to OnError.
type hookErrs struct {
	mu   sync.Mutex
	errs []error
}

func (h *hookErrs) add(_ *http.Request, err error) {
	h.mu.Lock()
	h.errs = append(h.errs, err)
	h.mu.Unlock()
}

func (h *hookErrs) take() []error {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.errs
	h.errs = nil
	return out
}

type blockKey struct{}

// TestMiddlewareKeepsErrorsFromClients: a failed commit is a bare 500 (the
// SQL, the constraint and the submitted value go to the log and the hook,
// never to the client); a handler's own 4xx/5xx stands and its session is
// rolled back, not committed; success answers are sent only after the
// commit.
func TestMiddlewareKeepsErrorsFromClients(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		// release unblocks a flush the BeforeFlush event holds (the
		// "goroutine" case below).
		entered, release := make(chan struct{}, 1), make(chan struct{})
		var rollbacks sync.WaitGroup
		var trackRollbacks bool
		var rollbackEvents int
		var trackMu sync.Mutex
		e := setup(t, name, orm.WithEvents(orm.Events{
			BeforeFlush: func(ctx context.Context, s *orm.Session) error {
				if ctx.Value(blockKey{}) != nil {
					entered <- struct{}{}
					<-release
				}
				return nil
			},
			AfterRollback: func(ctx context.Context, s *orm.Session) {
				trackMu.Lock()
				defer trackMu.Unlock()
				rollbackEvents++
				if trackRollbacks {
					rollbacks.Done()
				}
			},
		}))
		const secret = "TOKEN-7f3a9c"
		var logs lockedBuf
		hook := &hookErrs{}
		handlerDone := make(chan error, 1)
		mux := http.NewServeMux()
		add := func(r *http.Request, who string) *User {
			u := &User{Name: who, Email: r.URL.Query().Get("email")}
			if err := orm.FromContext(r.Context()).Add(u); err != nil {
				t.Errorf("add: %v", err)
			}
			return u
		}
		mux.HandleFunc("POST /ok", func(w http.ResponseWriter, r *http.Request) {
			add(r, "ok")
			w.Header().Set("Location", "/users/1")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, "created")
		})
		// A duplicate email: the flush inside the commit fails.
		mux.HandleFunc("POST /dup", func(w http.ResponseWriter, r *http.Request) {
			add(r, "dup")
			w.Header().Set("Set-Cookie", "leak=1")
			w.WriteHeader(http.StatusCreated)
		})
		// The handler flushes, sees the failure, answers 409 and does not
		// call Rollback.
		mux.HandleFunc("POST /conflict", func(w http.ResponseWriter, r *http.Request) {
			s := orm.FromContext(r.Context())
			add(r, "conflict")
			if err := s.Flush(r.Context()); engine.IsUnique(err) {
				http.Error(w, "email taken", http.StatusConflict)
				return
			}
			w.WriteHeader(http.StatusCreated)
		})
		// The handler ignores a failed flush and claims success.
		mux.HandleFunc("POST /ignored", func(w http.ResponseWriter, r *http.Request) {
			add(r, "ignored")
			_ = orm.FromContext(r.Context()).Flush(r.Context())
			w.WriteHeader(http.StatusOK)
		})
		// A validation error after an add: nothing may be saved.
		mux.HandleFunc("POST /invalid", func(w http.ResponseWriter, r *http.Request) {
			add(r, "invalid")
			http.Error(w, "bad input", http.StatusUnprocessableEntity)
		})
		// A write the handler commits itself before answering with an
		// error (a failed-login counter) stays.
		mux.HandleFunc("POST /counted", func(w http.ResponseWriter, r *http.Request) {
			add(r, "counted")
			if err := orm.FromContext(r.Context()).Commit(r.Context()); err != nil {
				t.Errorf("commit in handler: %v", err)
			}
			http.Error(w, "wrong password", http.StatusUnauthorized)
		})
		// The handler leaves a goroutine flushing the session behind.
		mux.HandleFunc("POST /goroutine", func(w http.ResponseWriter, r *http.Request) {
			s := orm.FromContext(r.Context())
			add(r, "goroutine")
			bctx := context.WithValue(context.WithoutCancel(r.Context()), blockKey{}, true)
			go func() { handlerDone <- s.Flush(bctx) }()
			<-entered
			w.WriteHeader(http.StatusOK)
		})
		srv := httptest.NewServer(orm.Middleware(e.db,
			orm.ErrorLog(slog.New(slog.NewTextHandler(&logs, nil))), orm.OnError(hook.add))(mux))
		defer srv.Close()
		post := func(path, email string) (int, string, http.Header) {
			t.Helper()
			resp, err := srv.Client().Post(srv.URL+path+"?email="+email, "text/plain", nil)
			must(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			must(t, err)
			return resp.StatusCode, string(body), resp.Header
		}
		users := func() int64 { return count(t, e, "users") }
		const generic = "Internal Server Error\n"

		// Success: committed, then sent with the handler's headers.
		code, body, hdr := post("/ok", secret)
		if code != http.StatusCreated || body != "created" || hdr.Get("Location") != "/users/1" {
			t.Fatalf("ok: %d %q %v", code, body, hdr)
		}
		if n := users(); n != 1 {
			t.Fatalf("users after ok: %d", n)
		}
		trackMu.Lock()
		if rollbackEvents != 0 {
			t.Fatalf("a committed request ran %d AfterRollback events", rollbackEvents)
		}
		trackMu.Unlock()

		// The commit fails: a bare 500, without the handler's headers.
		code, body, hdr = post("/dup", secret)
		if code != http.StatusInternalServerError || body != generic || hdr.Get("Set-Cookie") != "" {
			t.Fatalf("dup: %d %q %v", code, body, hdr)
		}
		for _, leak := range []string{secret, "INSERT", "uq_users_email", "unique", "commit"} {
			if strings.Contains(body, leak) {
				t.Fatalf("the client saw %q: %q", leak, body)
			}
		}
		errs := hook.take()
		var ce *engine.ConstraintError
		if len(errs) != 1 || !errors.As(errs[0], &ce) || ce.Kind != engine.Unique {
			t.Fatalf("hook after dup: %v", errs)
		}
		if l := logs.String(); !strings.Contains(l, "uq_users_email") || !strings.Contains(l, "/dup") {
			t.Fatalf("the log lacks the detail: %s", l)
		}
		if _, redacts := any(e.eng).(interface{ Redact(error) string }); redacts && strings.Contains(logs.String(), secret) {
			t.Fatalf("the log holds the submitted value: %s", logs.String())
		}
		if n := users(); n != 1 {
			t.Fatalf("users after dup: %d", n)
		}

		// The handler's 409 after a failed flush stands; nothing is
		// committed, and nothing is reported (the handler dealt with it).
		code, body, _ = post("/conflict", secret)
		if code != http.StatusConflict || body != "email taken\n" {
			t.Fatalf("conflict: %d %q", code, body)
		}
		if errs := hook.take(); len(errs) != 0 {
			t.Fatalf("hook after conflict: %v", errs)
		}

		// A failed flush the handler ignored: the client must not see
		// success.
		code, body, _ = post("/ignored", secret)
		if code != http.StatusInternalServerError || body != generic {
			t.Fatalf("ignored: %d %q", code, body)
		}
		if errs := hook.take(); len(errs) != 1 || !errors.Is(errs[0], orm.ErrSessionNeedsRollback) {
			t.Fatalf("hook after ignored: %v", errs)
		}

		// A 422 after an add: the answer stands, the add is rolled back.
		code, body, _ = post("/invalid", "fresh@x.org")
		if code != http.StatusUnprocessableEntity || body != "bad input\n" {
			t.Fatalf("invalid: %d %q", code, body)
		}
		if n := users(); n != 1 {
			t.Fatalf("users after invalid: %d (a 4xx answer committed)", n)
		}

		// A write committed by the handler before its 401 stays.
		code, _, _ = post("/counted", "counted@x.org")
		if code != http.StatusUnauthorized {
			t.Fatalf("counted: %d", code)
		}
		if n := users(); n != 2 {
			t.Fatalf("users after counted: %d", n)
		}

		// A goroutine of the handler is still flushing when the handler
		// returns: the commit meets it, the client gets a 500, and the
		// session is rolled back (not committed) once the goroutine is
		// done.
		trackMu.Lock()
		trackRollbacks = true
		rollbacks.Add(1)
		trackMu.Unlock()
		code, body, _ = post("/goroutine", "g@x.org")
		if code != http.StatusInternalServerError || body != generic {
			t.Fatalf("goroutine: %d %q", code, body)
		}
		if errs := hook.take(); len(errs) != 1 || !errors.Is(errs[0], orm.ErrConcurrentUse) {
			t.Fatalf("hook after goroutine: %v", errs)
		}
		close(release)
		if err := <-handlerDone; err != nil {
			t.Fatalf("the goroutine's flush: %v", err)
		}
		done := make(chan struct{})
		go func() { rollbacks.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the abandoned session was not rolled back")
		}
		if n := users(); n != 2 {
			t.Fatalf("users after goroutine: %d", n)
		}
	})
}

// TestMiddlewarePanicRollsBack: a panicking handler's session is rolled
// back and the panic goes on to net/http.
func TestMiddlewarePanicRollsBack(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		h := orm.Middleware(e.db, orm.ErrorLog(nil))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := orm.FromContext(r.Context())
			must(t, s.Add(&User{Name: "p", Email: "p@x.org"}))
			must(t, s.Flush(r.Context()))
			panic("handler panic")
		}))
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the panic did not reach the server")
				}
			}()
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/", nil))
		}()
		if n := count(t, e, "users"); n != 0 {
			t.Fatalf("users after panic: %d", n)
		}
	})
}

// openWith opens a fresh database with the suite's schema and the given
// engine options, every model bound.
func openWith(t *testing.T, name string, eopts []engine.Option, opts ...orm.Option) (*engine.Engine, *orm.DB) {
	t.Helper()
	ctx := context.Background()
	eng, err := dlayer.Open(ctx, "testdata", fresh.URL(t, name, "dl_orm"), eopts...)
	must(t, err)
	t.Cleanup(func() { eng.Close() })
	must(t, eng.CreateAll(ctx))
	opts = append([]orm.Option{orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag"),
		orm.Bind[Node]("Node"), orm.Bind[Account]("Account"), orm.Bind[Feed]("Feed"), orm.Bind[Item]("Item"),
		orm.Bind[Person]("Person"), orm.Bind[Passport]("Passport"), orm.Bind[Visit]("Visit")}, opts...)
	db, err := orm.New(eng, opts...)
	must(t, err)
	return eng, db
}
