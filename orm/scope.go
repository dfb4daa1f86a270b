package orm

import (
	"bytes"
	"context"
	"net/http"
)

type ctxKey struct{}

// WithSession returns a context carrying s (the scoped session: code deep in
// a request finds it with FromContext instead of passing it around).
func WithSession(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

// FromContext returns the session carried by ctx, or nil.
func FromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(ctxKey{}).(*Session)
	return s
}

// Scoped returns the session carried by ctx, or a new one from db together
// with a release function that closes it; a carried session's release does
// nothing (its owner closes it).
func (db *DB) Scoped(ctx context.Context) (*Session, context.Context, func()) {
	if s := FromContext(ctx); s != nil && s.db == db {
		return s, ctx, func() {}
	}
	s := db.Session()
	return s, WithSession(ctx, s), func() { _ = s.Close(context.WithoutCancel(ctx)) }
}

// Middleware opens one session per HTTP request and carries it in the
// request's context (FromContext). The handler's response is held back
// until the handler returns; then the session is committed and the response
// sent. If the handler panics, responds with a status of 500 or more, or the
// commit fails, the session is rolled back — and a failed commit replaces
// the response with a 500, so a client never sees success for data that was
// not saved. (Responses are buffered in memory: stream large bodies from
// handlers outside this middleware.) The seed's FastAPI dependency, for
// net/http.
func Middleware(db *DB) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := db.Session()
			ctx := WithSession(r.Context(), s)
			bg := context.WithoutCancel(ctx)
			defer s.Close(bg)
			buf := &bufferedResponse{header: http.Header{}}
			func() {
				defer func() {
					if p := recover(); p != nil {
						_ = s.Rollback(bg)
						panic(p)
					}
				}()
				next.ServeHTTP(buf, r.WithContext(ctx))
			}()
			if buf.status == 0 {
				buf.status = http.StatusOK
			}
			if buf.status >= 500 {
				_ = s.Rollback(bg)
			} else if err := s.Commit(ctx); err != nil {
				_ = s.Rollback(bg)
				http.Error(w, "commit failed: "+err.Error(), http.StatusInternalServerError)
				return
			}
			for k, v := range buf.header {
				w.Header()[k] = v
			}
			w.WriteHeader(buf.status)
			_, _ = w.Write(buf.body.Bytes())
		})
	}
}

// bufferedResponse holds a handler's response until the session commits.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
