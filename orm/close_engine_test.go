package orm_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
)

// TestEngineCloseWithSessionLeftOpen is issue 9 item 1 through the ORM: a
// session that flushed and was never committed nor closed holds an open
// transaction; Engine.Close rolls it back and says so, promptly, on every
// database (PostgreSQL used to hang forever), and nothing is saved.
func TestEngineCloseWithSessionLeftOpen(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		url := fresh.URL(t, name, "dl_orm_close")
		eng, err := dlayer.Open(ctx, "testdata", url)
		must(t, err)
		t.Cleanup(func() { eng.Close() })
		must(t, eng.CreateAll(ctx))
		db, err := orm.New(eng, orm.Bind[UserOnly]("User"))
		must(t, err)
		s := db.Session()
		must(t, s.Add(&UserOnly{Name: "left open", Email: "open@x.org"}))
		must(t, s.Flush(ctx))

		done := make(chan error, 1)
		go func() { done <- eng.Close() }()
		select {
		case err = <-done:
		case <-time.After(15 * time.Second):
			t.Fatal("Engine.Close hung with a session's transaction open")
		}
		if !errors.Is(err, engine.ErrTxAbandoned) || !strings.Contains(err.Error(), "rolled back") {
			t.Errorf("Close = %v, want an error matching engine.ErrTxAbandoned", err)
		}
		if err := s.Commit(ctx); err == nil {
			t.Error("Commit after Engine.Close succeeded")
		}
		_ = s.Close(ctx)

		check, err := dlayer.Open(ctx, "testdata", url)
		must(t, err)
		defer check.Close()
		db2, err := orm.New(check, orm.Bind[UserOnly]("User"))
		must(t, err)
		s2 := db2.Session()
		defer s2.Close(ctx)
		users, err := orm.All[UserOnly](ctx, s2, orm.Select[UserOnly](db2))
		must(t, err)
		if len(users) != 0 {
			t.Errorf("the session's flushed row was saved: %+v", users)
		}
	})
}

// TestSessionOutlivesFlushContext is issue 9 item 7 through the ORM: a
// session flushed under a context that is then cancelled still commits with
// another context, on every database (MariaDB used to report "transaction
// has already been committed or rolled back" and save nothing).
func TestSessionOutlivesFlushContext(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		eng, err := dlayer.Open(ctx, "testdata", fresh.URL(t, name, "dl_orm_txctx"))
		must(t, err)
		t.Cleanup(func() { eng.Close() })
		must(t, eng.CreateAll(ctx))
		db, err := orm.New(eng, orm.Bind[UserOnly]("User"))
		must(t, err)
		s := db.Session()
		defer s.Close(ctx)
		must(t, s.Add(&UserOnly{Name: "flushed", Email: "flushed@x.org"}))
		short, cancel := context.WithTimeout(ctx, 30*time.Second)
		must(t, s.Flush(short))
		cancel()
		time.Sleep(50 * time.Millisecond)
		must(t, s.Add(&UserOnly{Name: "later", Email: "later@x.org"}))
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("commit after the flush's context was cancelled: %v", err)
		}
		s2 := db.Session()
		defer s2.Close(ctx)
		users, err := orm.All[UserOnly](ctx, s2, orm.Select[UserOnly](db))
		must(t, err)
		if len(users) != 2 {
			t.Errorf("saved %d users, want 2", len(users))
		}
	})
}
