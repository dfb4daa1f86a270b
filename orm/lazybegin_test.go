package orm_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// TestPipelinedFlushLostConnection: on PostgreSQL a pipelined flush sends
// its BEGIN in the batch with the statements; when the connection is lost
// after the batch and before COMMIT, Commit reports ErrCommitOutcomeUnknown
// (never success) as an unanswered COMMIT always did, and nothing of the
// unit of work is in the database.
func TestPipelinedFlushLostConnection(t *testing.T) {
	ctx := context.Background()
	var armed bool
	var e *env
	e = setup(t, testdb.Postgres, orm.WithEvents(orm.Events{
		BeforeCommit: func(ctx context.Context, s *orm.Session) error {
			if !armed {
				return nil
			}
			armed = false
			conn, err := s.Conn(ctx)
			if err != nil {
				return err
			}
			id, err := engine.Scalar[int64](ctx, conn, stmt.Text("SELECT pg_backend_pid()"))
			if err != nil {
				return err
			}
			_, err = e.eng.Exec(ctx, stmt.Text("SELECT pg_terminate_backend(:id)").Bind("id", id))
			return err
		},
	}))
	s := e.db.Session()
	defer s.Close(ctx)
	var us []*User
	for i := range 3 {
		u := &User{Name: fmt.Sprintf("u%d", i), Email: fmt.Sprintf("u%d@x.org", i)}
		must(t, s.Add(u))
		us = append(us, u)
	}
	must(t, s.Commit(ctx))

	s1 := e.db.Session()
	defer s1.Close(ctx)
	for _, u := range us {
		got, err := orm.Get[User](ctx, s1, u.ID)
		must(t, err)
		got.Name = "changed"
	}
	e.n.reset()
	armed = true
	err := s1.Commit(ctx)
	if !errors.Is(err, orm.ErrCommitOutcomeUnknown) {
		t.Fatalf("commit on a connection lost after the batch: %v", err)
	}
	// The flush was one batch that carried BEGIN (no BEGIN of its own).
	if sent := e.n.sent(); len(sent) == 0 || sent[0] != "UPDATE" {
		t.Fatalf("sent %q, want the batch of UPDATEs first", sent)
	}
	_ = s1.Rollback(ctx)
	n, err := engine.Scalar[int64](ctx, e.eng, stmt.Text("SELECT count(*) FROM users WHERE name = 'changed'"))
	must(t, err)
	if n != 0 {
		t.Fatalf("%d rows changed by a transaction whose connection died before COMMIT", n)
	}
}
