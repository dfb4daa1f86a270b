package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// ---- Context manager pattern -------------------------------------------

// createPost is the seed's create_post: `async with session.begin()` is
// Session.Transaction, which commits when the function returns nil and rolls
// back on an error or a panic.
func (t *tour) createPost(title, content string, authorID int64) (*Post, error) {
	s := t.db.Session()
	defer s.Close(t.ctx)
	post := &Post{Title: title, Content: content, AuthorID: authorID, Created: created0.Add(24 * time.Hour)}
	err := s.Transaction(t.ctx, func(s *orm.Session) error {
		return s.Add(post)
	})
	return post, err
}

var errRefused = errors.New("refused by the application")

func (t *tour) transactionBlock() error {
	t.section("Sessions: the transaction block (async with session.begin())")
	post, err := t.createPost("Transactions", "begin, commit, rollback", t.res.CreatedID)
	if err != nil {
		return err
	}
	t.res.TxPostID = post.ID
	t.printf("create_post(\"Transactions\"): committed as post %d", post.ID)
	before, err := t.countRows("posts")
	if err != nil {
		return err
	}
	s := t.db.Session()
	defer s.Close(t.ctx)
	err = s.Transaction(t.ctx, func(s *orm.Session) error {
		if err := s.Add(&Post{Title: "Never saved", Content: "…", AuthorID: t.res.CreatedID, Created: created0}); err != nil {
			return err
		}
		if err := s.Flush(t.ctx); err != nil { // the INSERT runs …
			return err
		}
		return errRefused // … and is rolled back with the block
	})
	after, cerr := t.countRows("posts")
	if cerr != nil {
		return cerr
	}
	t.res.TxRolledBack = errors.Is(err, errRefused) && after == before
	t.printf("a block returning an error (%v) was rolled back: posts %d before, %d after", err, before, after)
	return nil
}

// ---- Dependency injection: a session per HTTP request ------------------

type userCreate struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type userOut struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// createUserEndpoint is the seed's create_user_endpoint. orm.Middleware
// opened the request's session (the seed's get_db_session dependency) and
// closes it afterwards; the handler finds it in the request context.
func createUserEndpoint(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	s := orm.FromContext(ctx)
	var in userCreate
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Name == "" || in.Email == "" {
		http.Error(w, "want {\"name\": …, \"email\": …}", http.StatusBadRequest)
		return
	}
	user := &User{Name: in.Name, Email: in.Email}
	if err := s.Add(user); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := s.Commit(ctx); err != nil {
		_ = s.Rollback(ctx)
		if engine.IsUnique(err) {
			http.Error(w, "email already registered", http.StatusConflict)
			return
		}
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := s.Refresh(ctx, user); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(userOut{ID: user.ID, Name: user.Name, Email: user.Email})
}

func (t *tour) sessionPerRequest() error {
	t.section("Sessions: one per HTTP request (the FastAPI dependency) with orm.Middleware")
	mux := http.NewServeMux()
	mux.HandleFunc("POST /users", createUserEndpoint)
	srv := httptest.NewServer(orm.Middleware(t.db)(mux))
	defer srv.Close()
	for _, body := range []string{
		`{"name": "Eve", "email": "eve@example.com"}`,
		`{"name": "Eve again", "email": "eve@example.com"}`,
		`{"name": ""}`,
	} {
		req, err := http.NewRequestWithContext(t.ctx, http.MethodPost, srv.URL+"/users", strings.NewReader(body))
		if err != nil {
			return err
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			return err
		}
		out, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		out = bytes.TrimSpace(out)
		t.res.HTTPStatus = append(t.res.HTTPStatus, resp.StatusCode)
		if resp.StatusCode == http.StatusCreated {
			t.res.HTTPCreated = string(out)
		}
		t.printf("POST /users %s -> %d %s", body, resp.StatusCode, out)
	}
	n, err := t.countRows("users")
	if err != nil {
		return err
	}
	t.printf("users now: %d (the 409 and 400 requests wrote nothing)", n)
	return nil
}

// ---- Scoped sessions ---------------------------------------------------

// someFunction is the seed's some_function: it finds the session of the
// current scope in its context instead of receiving it.
func someFunction(ctx context.Context, tagName string) (*orm.Session, error) {
	s := orm.FromContext(ctx)
	if s == nil {
		return nil, errors.New("no session in scope")
	}
	if err := s.Add(&Tag{Name: tagName}); err != nil {
		return nil, err
	}
	return s, s.Commit(ctx)
}

func (t *tour) scopedSession() error {
	t.section("Scoped sessions: orm.WithSession, orm.FromContext, DB.Scoped")
	// One scope: DB.Scoped opens a session and puts it in the context;
	// nested code asking for the scoped session gets the same one.
	s, ctx, release := t.db.Scoped(t.ctx)
	defer release()
	inner, err := someFunction(ctx, "scoped")
	if err != nil {
		return err
	}
	again, _, releaseAgain := t.db.Scoped(ctx)
	releaseAgain() // a no-op: the scope's owner closes the session
	t.res.ScopedSame = inner == s && again == s
	t.printf("some_function() and a second DB.Scoped(ctx) got the scope's session: %v", t.res.ScopedSame)
	// A scope per task (scopefunc=asyncio.current_task): each task's
	// context carries its own session.
	seen := map[*orm.Session]bool{}
	for i := 1; i <= 2; i++ {
		task := t.db.Session()
		tctx := orm.WithSession(t.ctx, task)
		got, err := someFunction(tctx, fmt.Sprintf("task-%d", i))
		task.Close(t.ctx)
		if err != nil {
			return err
		}
		seen[got] = true
		t.res.ScopedTasks = append(t.res.ScopedTasks, fmt.Sprintf("task-%d", i))
	}
	t.printf("two tasks, each with orm.WithSession(ctx, db.Session()): %d distinct sessions", len(seen))
	return nil
}

// ---- Write-only relationships ------------------------------------------

// getUserPosts is the seed's get_user_posts: an explicit select for the
// collection.
func (t *tour) getUserPosts(userID int64) ([]*Post, error) {
	s := t.db.Session()
	defer s.Close(t.ctx)
	user, err := orm.Get[User](t.ctx, s, userID)
	if errors.Is(err, orm.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p := t.posts()
	return orm.All[Post](t.ctx, s, orm.Select[Post](t.db).Where(p.C("author_id").Eq(user.ID)).OrderBy(p.C("id").Asc()))
}

func (t *tour) writeOnly() error {
	t.section("Write-only relationship: Inbox.messages (lazy: write_only)")
	s := t.db.Session()
	defer s.Close(t.ctx)
	inbox := &Inbox{OwnerID: t.res.CreatedID}
	if err := s.Add(inbox); err != nil {
		return err
	}
	for i := 1; i <= 3; i++ {
		m := &Message{Body: fmt.Sprintf("message %d", i), Sent: created0.Add(time.Duration(i) * time.Minute)}
		if err := s.Link(inbox, "messages", m); err != nil {
			return err
		}
	}
	if err := s.Commit(t.ctx); err != nil {
		return err
	}
	// Appending never loads the collection.
	t.n.reset()
	if err := s.Link(inbox, "messages", &Message{Body: "message 4", Sent: created0.Add(4 * time.Minute)}); err != nil {
		return err
	}
	if err := s.Commit(t.ctx); err != nil {
		return err
	}
	t.res.WriteOnlySelects = t.n.count("SELECT")
	t.printf("appended a 4th message with s.Link: %d INSERT, %d SELECT (the collection is never loaded)",
		t.n.count("INSERT"), t.res.WriteOnlySelects)
	if err := s.Load(t.ctx, inbox, "messages"); err != nil {
		t.printf("s.Load(inbox, \"messages\") is refused: %v", err)
	}
	// Reading is an explicit query: RelatedQuery, with Where/OrderBy/Limit.
	q, err := s.RelatedQuery(inbox, "messages")
	if err != nil {
		return err
	}
	msg := orm.TableOf[Message](t.db)
	latest, err := orm.All[Message](t.ctx, s, q.OrderBy(msg.C("sent").Desc()).Limit(2))
	if err != nil {
		return err
	}
	for _, m := range latest {
		t.res.InboxLatest = append(t.res.InboxLatest, m.Body)
	}
	conn, err := s.Conn(t.ctx)
	if err != nil {
		return err
	}
	t.res.InboxCount, err = engine.Scalar[int64](t.ctx, conn,
		stmt.Select(stmt.CountAll()).From(msg).Where(msg.C("inbox_id").Eq(inbox.ID)))
	if err != nil {
		return err
	}
	t.printf("latest 2 of %d messages by an explicit query: %q", t.res.InboxCount, t.res.InboxLatest)
	posts, err := t.getUserPosts(t.res.CreatedID)
	if err != nil {
		return err
	}
	for _, p := range posts {
		t.res.UserPosts = append(t.res.UserPosts, p.Title)
	}
	t.printf("get_user_posts(%d) = %q (select(Post).where(Post.author_id == user_id))", t.res.CreatedID, t.res.UserPosts)
	return nil
}
