package orm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
)

var errUndo = errors.New("undo the savepoint")

// poolerRound is one worker's round: add and commit a user with a post,
// load users with their posts by select-in, get the user back, and a
// transaction with a savepoint that is rolled back. It returns the
// failures it met.
func poolerRound(ctx context.Context, db *orm.DB, worker, round int) []error {
	var errs []error
	note := func(what string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		}
	}
	s := db.Session()
	defer s.Close(ctx)
	u := &User{Name: fmt.Sprintf("w%d", worker), Email: fmt.Sprintf("w%d-r%d@x.org", worker, round),
		Posts: []*Post{{Title: "p", Content: "c"}}}
	if err := s.Add(u); err != nil {
		return append(errs, err)
	}
	note("add/commit", s.Commit(ctx))
	if u.ID == 0 {
		_ = s.Rollback(ctx)
		return errs
	}
	users, err := orm.All[User](ctx, s, orm.Select[User](db).Where(orm.TableOf[User](db).C("id").Le(u.ID)), orm.SelectIn("posts"))
	note("select-in", err)
	if err == nil && len(users) == 0 {
		note("select-in", errors.New("no users"))
	}
	s2 := db.Session()
	defer s2.Close(ctx)
	got, err := orm.Get[User](ctx, s2, u.ID)
	note("get", err)
	if err == nil && got.Email != u.Email {
		note("get", fmt.Errorf("email %q, want %q", got.Email, u.Email))
	}
	note("transaction", s.Transaction(ctx, func(s *orm.Session) error {
		if err := s.Add(&Post{Title: "kept", Content: "c", AuthorID: u.ID}); err != nil {
			return err
		}
		if err := s.Nested(ctx, func(s *orm.Session) error {
			if err := s.Add(&Post{Title: "undone", Content: "c", AuthorID: u.ID}); err != nil {
				return err
			}
			if err := s.Flush(ctx); err != nil {
				return err
			}
			return errUndo
		}); !errors.Is(err, errUndo) {
			return fmt.Errorf("savepoint: %v", err)
		}
		return nil
	}))
	if s.InTransaction() {
		_ = s.Rollback(ctx)
	}
	return errs
}

// runPooled runs 8 workers × rounds through u and returns the failures
// and the number of operations (four per round).
func runPooled(t *testing.T, u string, rounds int) ([]error, int) {
	t.Helper()
	ctx := context.Background()
	eng, err := dlayer.Open(ctx, "testdata", u)
	must(t, err)
	t.Cleanup(func() { eng.Close() })
	must(t, eng.CreateAll(ctx))
	db, err := orm.New(eng, orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag"))
	must(t, err)
	var mu sync.Mutex
	var all []error
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				errs := poolerRound(ctx, db, w, r)
				mu.Lock()
				all = append(all, errs...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return all, 8 * rounds * 4
}

// TestPoolerTransaction runs the ORM through pgbouncer in transaction mode
// (four server connections, eight client connections): with
// ?pooler=transaction, 8 workers × 20 rounds of add/commit, select-in, get
// and a transaction with a savepoint have no failure, and every committed
// row is there; with pgx's defaults (named prepared statements) the same
// load fails, which shows the setup reproduces the problem.
func TestPoolerTransaction(t *testing.T) {
	const rounds = 20
	t.Run("pooler=transaction", func(t *testing.T) {
		t.Parallel()
		u := fresh.PooledURL(t, "dl_orm_pool", "pooler=transaction&pool_max_conns=8")
		errs, ops := runPooled(t, u, rounds)
		for i, err := range errs {
			if i == 10 {
				t.Errorf("… %d failures in all", len(errs))
				break
			}
			t.Errorf("failure: %v", err)
		}
		// Every committed user and post is there; no undone post is.
		eng, err := dlayer.Open(context.Background(), "testdata", u)
		must(t, err)
		defer eng.Close()
		db, err := orm.New(eng, orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag"))
		must(t, err)
		s := db.Session()
		defer s.Close(context.Background())
		users, err := orm.All[User](context.Background(), s, orm.Select[User](db), orm.SelectIn("posts"))
		must(t, err)
		posts := 0
		for _, u := range users {
			for _, p := range u.Posts {
				if p.Title == "undone" {
					t.Errorf("a post rolled back to its savepoint is in the database")
				}
				posts++
			}
		}
		if len(users) != 8*rounds || posts != 2*8*rounds {
			t.Errorf("%d users and %d posts, want %d and %d", len(users), posts, 8*rounds, 2*8*rounds)
		}
		t.Logf("%d operations, %d failures", ops, len(errs))
	})
	t.Run("pgx defaults", func(t *testing.T) {
		t.Parallel()
		u := fresh.PooledURL(t, "dl_orm_pool", "pool_max_conns=8")
		errs, ops := runPooled(t, u, rounds)
		stmtErrs := 0
		for _, err := range errs {
			if strings.Contains(err.Error(), "prepared statement") {
				stmtErrs++
			}
		}
		if stmtErrs == 0 {
			t.Fatalf("no prepared-statement failure in %d operations with pgx defaults behind a transaction pooler "+
				"(%d other failures): the setup no longer reproduces the problem", ops, len(errs))
		}
		t.Logf("%d operations, %d failures (%d prepared-statement errors), e.g. %v", ops, len(errs), stmtErrs, errs[0])
	})
}
