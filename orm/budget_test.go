package orm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/orm/ormtest"
)

// TestQueryBudget checks WithQueryBudget on the three databases: an N+1
// loop of lazy loads is refused at the first repeat over the limit with
// a message naming the relationship and the eager load; the same data
// eager-loaded stays in budget; a total budget refuses the statement over
// it; Get in a loop is named; development mode logs once and runs.
func TestQueryBudget(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		e := setupTraits(t, name)
		ctx := context.Background()
		seedWriters(t, e, 20, 2)
		t.Run("n+1 lazy loads", func(t *testing.T) {
			s := e.db.Session(orm.WithQueryBudget(orm.Budget{MaxRepeats: 5}))
			defer s.Close(ctx)
			authors, err := orm.All[Author](ctx, s, orm.Select[Author](e.db))
			must(t, err)
			var failed error
			loaded := 0
			for _, a := range authors {
				if err := s.Load(ctx, a, "articles"); err != nil {
					failed = err
					break
				}
				loaded++
			}
			if !errors.Is(failed, orm.ErrQueryBudget) || loaded != 5 {
				t.Fatalf("after %d loads: %v, want ErrQueryBudget at the 6th", loaded, failed)
			}
			for _, want := range []string{"N+1", "Author.articles", `orm.SelectIn("articles")`, "ran 6 times"} {
				if !strings.Contains(failed.Error(), want) {
					t.Errorf("message lacks %q: %v", want, failed)
				}
			}
			if !errors.Is(s.BudgetErr(), orm.ErrQueryBudget) || s.Statements() != 7 {
				t.Errorf("BudgetErr %v, Statements %d (want 7: the query, 5 loads, the refused one)", s.BudgetErr(), s.Statements())
			}
		})
		t.Run("eager load in budget", func(t *testing.T) {
			n := ormtest.AssertMaxQueries(t, e.db, 2, func(ctx context.Context, s *orm.Session) error {
				as, err := orm.All[Author](ctx, s, orm.Select[Author](e.db), orm.SelectIn("articles"))
				if err == nil && len(as) != 20 {
					err = fmt.Errorf("%d authors", len(as))
				}
				return err
			})
			if n != 2 {
				t.Errorf("%d statements, want 2", n)
			}
		})
		t.Run("total", func(t *testing.T) {
			s := e.db.Session(orm.WithQueryBudget(orm.Budget{MaxStatements: 2}))
			defer s.Close(ctx)
			_, err1 := orm.All[Author](ctx, s, orm.Select[Author](e.db), orm.SelectIn("articles"))
			_, err2 := orm.All[Note](ctx, s, orm.Select[Note](e.db))
			if err1 != nil || !errors.Is(err2, orm.ErrQueryBudget) || !strings.Contains(err2.Error(), "statement 3, over the budget of 2") {
				t.Errorf("in budget: %v; over: %v", err1, err2)
			}
		})
		t.Run("writes counted, batched or not", func(t *testing.T) {
			s := e.db.Session(orm.WithQueryBudget(orm.Budget{MaxStatements: 3}))
			defer s.Close(ctx)
			as, err := orm.All[Author](ctx, s, orm.Select[Author](e.db).Limit(3))
			must(t, err)
			for _, a := range as {
				a.Name += "!"
			}
			// 1 query + 3 UPDATEs (pipelined in one round trip on
			// PostgreSQL, or sent one by one) is over 3.
			if err := s.Commit(ctx); !errors.Is(err, orm.ErrQueryBudget) {
				t.Errorf("commit of 3 updates over a budget of 3 statements: %v", err)
			}
		})
		t.Run("get in a loop", func(t *testing.T) {
			s := e.db.Session(orm.WithQueryBudget(orm.Budget{MaxRepeats: 3}))
			defer s.Close(ctx)
			var err error
			for id := int64(1); id <= 5 && err == nil; id++ {
				_, err = orm.Get[Article](ctx, s, id)
			}
			if !errors.Is(err, orm.ErrQueryBudget) || !strings.Contains(err.Error(), "Get of Article") {
				t.Errorf("Get loop: %v", err)
			}
		})
		t.Run("development mode logs", func(t *testing.T) {
			var buf bytes.Buffer
			s := e.db.Session(orm.WithQueryBudget(orm.Budget{MaxRepeats: 2, MaxStatements: 4, Log: slog.New(slog.NewTextHandler(&buf, nil))}))
			defer s.Close(ctx)
			authors, err := orm.All[Author](ctx, s, orm.Select[Author](e.db))
			must(t, err)
			for _, a := range authors {
				must(t, s.Load(ctx, a, "articles"))
			}
			if s.BudgetErr() != nil || s.Statements() != 21 {
				t.Errorf("BudgetErr %v, Statements %d", s.BudgetErr(), s.Statements())
			}
			if got := strings.Count(buf.String(), "N+1"); got != 1 {
				t.Errorf("logged the N+1 %d times, want once:\n%s", got, buf.String())
			}
			if !strings.Contains(buf.String(), "over the budget of 4") {
				t.Errorf("total not logged:\n%s", buf.String())
			}
		})
	})
}

// tbRecorder records a testing.TB's failures instead of failing.
type tbRecorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *tbRecorder) Helper() {}
func (r *tbRecorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

// TestAssertMaxQueries checks that the test helper fails a test on an
// N+1 loop and on too many statements, naming the relationship.
func TestAssertMaxQueries(t *testing.T) {
	e := setupTraits(t, "sqlite")
	seedWriters(t, e, 15, 1)
	rec := &tbRecorder{TB: t}
	ormtest.AssertMaxQueries(rec, e.db, 100, func(ctx context.Context, s *orm.Session) error {
		as, err := orm.All[Author](ctx, s, orm.Select[Author](e.db))
		for _, a := range as {
			if err != nil {
				break
			}
			err = s.Load(ctx, a, "articles")
		}
		return err
	})
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "Author.articles") {
		t.Errorf("failures: %q", rec.errs)
	}
	rec.errs = nil
	ormtest.AssertMaxQueries(rec, e.db, 1, func(ctx context.Context, s *orm.Session) error {
		_, err := orm.All[Author](ctx, s, orm.Select[Author](e.db), orm.SelectIn("articles"))
		return err
	})
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "over the budget of 1") {
		t.Errorf("failures: %q", rec.errs)
	}
	rec.errs = nil
	ormtest.AssertMaxQueries(rec, nil, 1, nil)
	if len(rec.errs) != 1 {
		t.Errorf("nil db: %q", rec.errs)
	}
}

// TestMiddlewareRequestBudget checks that Middleware with RequestBudget
// answers 500 (and reports the violation) for a request that went over
// its budget even though its handler ignored the error and answered 200,
// and lets a request within budget through.
func TestMiddlewareRequestBudget(t *testing.T) {
	e := setupTraits(t, "sqlite")
	seedWriters(t, e, 12, 1)
	var reported []error
	h := orm.Middleware(e.db, orm.RequestBudget(orm.Budget{MaxRepeats: 3}), orm.ErrorLog(nil),
		orm.OnError(func(r *http.Request, err error) { reported = append(reported, err) }))
	handler := h(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := orm.FromContext(r.Context())
		var opts []orm.Load
		if r.URL.Query().Get("eager") != "" {
			opts = append(opts, orm.SelectIn("articles"))
		}
		as, _ := orm.All[Author](r.Context(), s, orm.Select[Author](e.db), opts...)
		for _, a := range as {
			if !s.IsLoaded(a, "articles") {
				_ = s.Load(r.Context(), a, "articles") // error ignored
			}
		}
		fmt.Fprintf(w, "%d authors", len(as))
	}))
	for _, tc := range []struct {
		url    string
		status int
		report bool
	}{{"/?eager=1", 200, false}, {"/", 500, true}} {
		reported = nil
		rr := httptest.NewRecorder()
		handler.ServeHTTP(rr, httptest.NewRequest("GET", tc.url, nil))
		if rr.Code != tc.status || (len(reported) > 0) != tc.report {
			t.Errorf("%s: status %d, reported %v", tc.url, rr.Code, reported)
		}
		if tc.report && (len(reported) == 0 || !errors.Is(reported[0], orm.ErrQueryBudget) || !strings.Contains(reported[0].Error(), "Author.articles")) {
			t.Errorf("%s: reported %v", tc.url, reported)
		}
	}
}
