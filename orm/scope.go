package orm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

type ctxKey struct{}

// WithSession returns a context carrying s (the scoped session: code deep in
// a request finds it with FromContext instead of passing it around). A nil
// ctx is taken as context.Background(); a nil s hides any session ctx
// carries.
func WithSession(ctx context.Context, s *Session) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithValue(ctx, ctxKey{}, s)
}

// FromContext returns the session carried by ctx, or nil (also for a nil
// ctx).
func FromContext(ctx context.Context) *Session {
	if ctx == nil {
		return nil
	}
	s, _ := ctx.Value(ctxKey{}).(*Session)
	return s
}

// Scoped returns the session carried by ctx, or a new one from db together
// with a release function that closes it; a carried session's release does
// nothing (its owner closes it). A nil ctx is taken as
// context.Background(); the session of a nil db answers every call with an
// error.
func (db *DB) Scoped(ctx context.Context) (*Session, context.Context, func()) {
	if ctx == nil {
		ctx = context.Background()
	}
	if s := FromContext(ctx); s != nil && db != nil && s.db == db {
		return s, ctx, func() {}
	}
	s := db.Session()
	return s, WithSession(ctx, s), func() { _ = s.Close(context.WithoutCancel(ctx)) }
}

// MiddlewareOption configures Middleware.
type MiddlewareOption func(*middlewareConfig)

type middlewareConfig struct {
	log     *slog.Logger
	onError func(r *http.Request, err error)
	// redact removes the values a database quotes in its error messages
	// (MySQL's Duplicate entry '…') from logged text.
	redact func(error) string
	// budget is each request session's query budget (RequestBudget).
	budget *Budget
}

// redactor is the engine's error redaction, when it has one.
type redactor interface{ Redact(err error) string }

// ErrorLog sets where Middleware logs the errors it keeps from the client
// (default slog.Default(); nil logs nothing). Values the database quotes in
// its error messages are redacted from the log as from the engine's own.
func ErrorLog(l *slog.Logger) MiddlewareOption {
	return func(c *middlewareConfig) { c.log = l }
}

// RequestBudget gives each request's session the query budget b (see
// Budget and WithQueryBudget). Without b.Log, a request whose session went
// over the budget is rolled back and answered with a 500 even if its
// handler ignored the ErrQueryBudget error and answered success, and the
// violation goes to the log and OnError; with b.Log (development mode) it
// is only logged.
func RequestBudget(b Budget) MiddlewareOption {
	return func(c *middlewareConfig) { c.budget = &b }
}

// OnError sets a function Middleware calls with every error it keeps from
// the client — a failed commit, a session left needing a rollback, a failed
// rollback or close — together with the request, for the app's own error
// reporting. It is called after the error is logged, before the response is
// sent. The error is the full one (errors.As finds a
// *engine.ConstraintError): its text may quote submitted values.
func OnError(fn func(r *http.Request, err error)) MiddlewareOption {
	return func(c *middlewareConfig) { c.onError = fn }
}

// Middleware opens one session per HTTP request and carries it in the
// request's context (FromContext). The handler's response is held back
// until the handler returns; then:
//
//   - a response with a status below 400 commits the session and is sent
//     once the commit has succeeded;
//   - a response with a status of 400 or more (the handler's own error,
//     a 409 after a failed flush, say) rolls the session back and is sent
//     as the handler wrote it: to keep writes made while answering with an
//     error (a failed-login counter), commit them in the handler;
//   - a panic rolls back and panics on (net/http logs it and drops the
//     connection);
//   - if the commit fails — or a success answer (below 400) leaves a
//     session that needs a rollback (the handler ignored a failed flush),
//     or the session was used by two goroutines at once — the session is
//     rolled back and the client gets a plain 500 Internal Server Error
//     instead of the handler's response: it never sees success for data that
//     was not saved.
//
// The client never sees an error's text (it can hold SQL, constraint names
// and submitted values): the error goes to the log (ErrorLog, default
// slog.Default()) and to the OnError hook. Responses are buffered in
// memory: stream large bodies from handlers outside this middleware. A nil
// db answers every request with a 500 and logs why. The seed's FastAPI
// dependency, for net/http.
func Middleware(db *DB, opts ...MiddlewareOption) func(http.Handler) http.Handler {
	cfg := middlewareConfig{log: slog.Default()}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if db != nil {
		if r, ok := any(db.eng).(redactor); ok {
			cfg.redact = r.Redact
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if db == nil || next == nil {
				cfg.fail(w, r, errors.New("orm.Middleware: nil *orm.DB or nil handler"))
				return
			}
			var s *Session
			if cfg.budget != nil {
				s = db.Session(WithQueryBudget(*cfg.budget))
			} else {
				s = db.Session()
			}
			ctx := WithSession(r.Context(), s)
			bg := context.WithoutCancel(ctx)
			buf := &bufferedResponse{header: http.Header{}}
			func() {
				defer func() {
					if p := recover(); p != nil {
						cfg.report(r, rollbackAndClose(bg, s))
						panic(p)
					}
				}()
				next.ServeHTTP(buf, r.WithContext(ctx))
			}()
			status := buf.status
			if status == 0 {
				status = http.StatusOK
			}
			if status < 100 || status > 999 {
				// net/http would panic on it: the handler's bug is a 500.
				cfg.fail(w, r, errors.Join(fmt.Errorf("orm.Middleware: %s %s: the handler wrote the invalid status %d", r.Method, r.URL.Path, status),
					rollbackAndClose(bg, s)))
				return
			}
			if status >= 400 {
				// The handler's own error answer stands; its writes do not.
				cfg.report(r, rollbackAndClose(bg, s))
				buf.send(w, status)
				return
			}
			if err := s.BudgetErr(); err != nil {
				cfg.fail(w, r, errors.Join(fmt.Errorf("orm.Middleware: %s %s answered %d, but went over its query budget: %w", r.Method, r.URL.Path, status, err),
					rollbackAndClose(bg, s)))
				return
			}
			if err := s.Commit(ctx); err != nil && !errors.Is(err, ErrSessionClosed) {
				// (A session the handler closed itself has nothing left to
				// commit: its response stands.)
				cfg.fail(w, r, errors.Join(fmt.Errorf("orm.Middleware: %s %s answered %d, but the session could not be committed: %w", r.Method, r.URL.Path, status, err),
					rollbackAndClose(bg, s)))
				return
			}
			cfg.report(r, closeSession(bg, s, false))
			buf.send(w, status)
		})
	}
}

// rollbackAndClose ends a request's session without committing it.
func rollbackAndClose(ctx context.Context, s *Session) error { return closeSession(ctx, s, true) }

// closeSession closes a request's session, rolling it back first (which
// runs the AfterRollback event) if rollback is set. If a goroutine the
// handler started is still using the session, it is rolled back and closed
// as soon as that goroutine's call returns, so its transaction does not hold
// a connection and locks for ever.
func closeSession(ctx context.Context, s *Session, rollback bool) error {
	var err error
	if rollback {
		err = s.Rollback(ctx)
		if errors.Is(err, ErrSessionClosed) {
			err = nil // the handler closed it
		}
	}
	if !errors.Is(err, ErrConcurrentUse) {
		err = errors.Join(err, s.Close(ctx))
	}
	if errors.Is(err, ErrConcurrentUse) {
		go closeWhenFree(ctx, s)
		return fmt.Errorf("%w (the session is rolled back and closed once that goroutine's call returns)", err)
	}
	return err
}

// closeWhenFree retries the rollback while another goroutine is inside the
// session, for up to a minute, then closes it.
func closeWhenFree(ctx context.Context, s *Session) {
	wait := time.Millisecond
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		time.Sleep(wait)
		if err := s.Rollback(ctx); !errors.Is(err, ErrConcurrentUse) {
			_ = s.Close(ctx)
			return
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// report logs err (if any) and passes it to the OnError hook.
func (c *middlewareConfig) report(r *http.Request, err error) {
	if err == nil {
		return
	}
	if c.log != nil {
		text := err.Error()
		if c.redact != nil {
			text = c.redact(err)
		}
		c.log.ErrorContext(r.Context(), "orm.Middleware", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("error", text))
	}
	if c.onError != nil {
		c.onError(r, err)
	}
}

// fail reports err and answers the request with a bare 500.
func (c *middlewareConfig) fail(w http.ResponseWriter, r *http.Request, err error) {
	c.report(r, err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

// bufferedResponse holds a handler's response until the session commits.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if code >= 100 && code < 200 {
		return // informational (103 Early Hints): not the final status
	}
	if b.status == 0 {
		b.status = code
	}
}

// send writes the held response to w.
func (b *bufferedResponse) send(w http.ResponseWriter, status int) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	_, _ = w.Write(b.body.Bytes())
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
