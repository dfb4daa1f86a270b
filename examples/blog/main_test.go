package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/stmt"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestGoldenSQLite compares the tour's output on SQLite (the no-flags run)
// with testdata/tour-sqlite.golden; -update rewrites it.
func TestGoldenSQLite(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, ""); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	// The migration's version is the time it was generated.
	got := regexp.MustCompile(`\b\d{14}_add_comments`).ReplaceAll(out.Bytes(), []byte("VERSION_add_comments"))
	golden := filepath.Join("testdata", "tour-sqlite.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the tour's output differs from %s (go test -update rewrites it):\n%s", golden, got)
	}
}

// TestTour runs the whole tour on every database, with a second database of
// the same kind as the replica, and checks what each step observed.
func TestTour(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := config{URL: fresh.URL(t, name, "dl_blog"), Replica: fresh.URL(t, name, "dl_blog_replica")}
			var out bytes.Buffer
			res, err := runTour(context.Background(), &out, cfg)
			if err != nil {
				t.Fatalf("tour: %v\n%s", err, out.String())
			}
			checkResults(t, res, name)
			if !strings.Contains(out.String(), "The tour is complete: every pattern of the seed ran on "+res.Dialect) {
				t.Fatalf("tour output does not end with the summary:\n%s", out.String())
			}
			// The tour dropped its tables on both databases.
			for _, u := range []string{cfg.URL, cfg.Replica} {
				eng, err := dlayer.Open(context.Background(), modelFS, u)
				if err != nil {
					t.Fatal(err)
				}
				for _, table := range []string{"users", "posts", "page_views", "comments", historyTable} {
					if _, err := eng.Exec(context.Background(), stmt.Text("SELECT 1 FROM "+table)); err == nil {
						t.Errorf("table %s is left after the tour", table)
					}
				}
				eng.Close()
			}
		})
	}
}

// TestDefaultReplica is `-db URL` without -replica: the replica is a
// temporary SQLite file, whatever the primary.
func TestDefaultReplica(t *testing.T) {
	for _, name := range []string{testdb.Postgres, testdb.MySQL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			res, err := runTour(context.Background(), &out, config{URL: fresh.URL(t, name, "dl_blog")})
			if err != nil {
				t.Fatalf("tour: %v\n%s", err, out.String())
			}
			checkResults(t, res, name)
			if !strings.Contains(out.String(), "the replica is a second SQLite file") {
				t.Fatalf("the default replica is not SQLite:\n%s", out.String())
			}
		})
	}
}

// TestSameReplica checks that a replica equal to the primary is refused
// before anything runs.
func TestSameReplica(t *testing.T) {
	var out bytes.Buffer
	u := fresh.URL(t, testdb.SQLite, "dl_blog")
	_, err := runTour(context.Background(), &out, config{URL: u, Replica: u})
	if err == nil || !strings.Contains(err.Error(), "another database") || out.Len() != 0 {
		t.Fatalf("got %v, output %q", err, out.String())
	}
}

// TestRunNoFlags is `go run ./examples/blog` with no flags: a temporary
// SQLite database and a temporary SQLite replica, both removed afterwards.
func TestRunNoFlags(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, ""); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"opened sqlite with 7 models loaded from embedded YAML",
		"get_user(1) = Ann <ann@example.com>; get_user(999) = <nil>",
		"get_posts_with_author(): 6 posts in 2 queries",
		"Get(User 1) outside a transaction: replica answered (email ann@example.org)",
		"SELECT … FOR UPDATE: primary answered",
		"The tour is complete: every pattern of the seed ran on sqlite.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out.String())
	}
}

// TestKeepAndReset runs the tour several times on one SQLite file: -keep
// leaves the tables, a second run then needs -reset, and a run without -keep
// drops its tables so the next one starts clean.
func TestKeepAndReset(t *testing.T) {
	url := fresh.URL(t, testdb.SQLite, "dl_blog")
	ctx := context.Background()
	var out bytes.Buffer
	if _, err := runTour(ctx, &out, config{URL: url, Keep: true}); err != nil {
		t.Fatalf("first run: %v\n%s", err, out.String())
	}
	if _, err := runTour(ctx, &out, config{URL: url}); err == nil || !strings.Contains(err.Error(), "-reset") {
		t.Fatalf("a second run over kept tables should fail and suggest -reset, got %v", err)
	}
	res, err := runTour(ctx, &out, config{URL: url, Reset: true})
	if err != nil {
		t.Fatalf("run with reset: %v\n%s", err, out.String())
	}
	checkResults(t, res, testdb.SQLite)
	// Without -keep the tour dropped its tables: a rerun starts clean.
	if _, err := runTour(ctx, &out, config{URL: url}); err != nil {
		t.Fatalf("rerun: %v", err)
	}
}

func checkResults(t *testing.T, res *results, name string) {
	t.Helper()
	check := func(what string, got, want any) {
		t.Helper()
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if !bytes.Equal(g, w) {
			t.Errorf("%s: got %s, want %s", what, g, w)
		}
	}
	// CRUD.
	check("created id", res.CreatedID, int64(1))
	check("get_user", res.GotName, "Ann")
	check("get_user(999)", res.GotMissing, "<nil>")
	check("update_user_email rowcount > 0", res.UpdatedOK, true)
	check("update_user_email(999)", res.UpdatedMissing, false)
	// Relationships and cascades.
	check("posts", res.Posts, int64(6))
	check("post_tags rows", res.PostTags, int64(7))
	check("posts after delete-orphan", res.PostsAfterOrphan, int64(6))
	// Queries.
	check("get_all_users", res.AllUsers, []string{"Ann", "Bob", "Carla", "Dan"})
	check("get_users_by_name(AN)", res.ByName, []string{"Ann", "Dan"})
	check("search_users", res.Search, map[string][]string{
		`name="" email=""`:              {"Ann", "Bob", "Carla", "Dan"},
		`name="a" email=""`:             {"Ann", "Carla", "Dan"},
		`name="" email="EXAMPLE.COM"`:   {"Carla"},
		`name="an" email="example.org"`: {"Ann"},
	})
	// Loading: select-in is two queries, joined + select-in two.
	check("posts with author", res.WithAuthor, []string{"Hello, dlayer by Ann", "SQL tips by Bob", "Sessions explained by Ann",
		"First post by Carla", "Go generics by Bob", "The unit of work by Ann"})
	check("select-in queries", res.WithAuthorQueries, 2)
	check("post with tags", res.PostWithTags, "Sessions explained by Ann")
	check("tags", res.PostTagNames, []string{"go", "orm"})
	check("joined + select-in queries", res.PostTagsQueries, 2)
	// Pagination: newest first.
	check("pages", res.Pages, [][]string{{"The unit of work", "Go generics", "First post", "Sessions explained"}, {"SQL tips", "Hello, dlayer"}})
	// Aggregation.
	check("post counts", res.Counts, []userPostCount{{"Ann", 3}, {"Bob", 2}, {"Carla", 1}})
	// Sessions.
	if res.TxPostID < 7 { // 7 on SQLite, which reuses the orphan's id; 8 where ids are never reused
		t.Errorf("create_post id: %d", res.TxPostID)
	}
	check("failed block rolled back", res.TxRolledBack, true)
	check("HTTP statuses", res.HTTPStatus, []int{http.StatusCreated, http.StatusConflict, http.StatusBadRequest})
	check("HTTP created", res.HTTPCreated, `{"id":5,"name":"Eve","email":"eve@example.com"}`)
	check("scoped session shared", res.ScopedSame, true)
	check("scoped tasks", res.ScopedTasks, []string{"task-1", "task-2"})
	// Write-only.
	check("SELECTs to append to a write-only collection", res.WriteOnlySelects, 0)
	check("latest messages", res.InboxLatest, []string{"message 4", "message 3"})
	check("messages", res.InboxCount, int64(4))
	check("get_user_posts", res.UserPosts, []string{"Hello, dlayer", "Sessions explained", "The unit of work", "Transactions"})
	// Custom session.
	check("posts with defaults", res.CustomPosts, 7)
	check("hooked email", res.CustomEmail, "frank@example.com")
	check("events", res.CustomEvents, []string{"before_flush", "after_flush", "before_commit", "after_commit"})
	// Routing: the data tells which database answered.
	check("plain read", res.PlainRead, "replica")
	check("FOR UPDATE read", res.ForUpdateRead, "primary")
	check("read after a write", res.AfterWriteRead, "primary")
	check("bound model read", res.BoundRead, "replica")
	check("bound views", res.BoundViews, int64(200))
	// Raw SQL.
	check("raw count", res.RawCount, int64(6))
	check("raw titles", res.RawTitles, res.UserPosts)
	// Bulk and streaming.
	check("bulk rows", res.BulkRows, 1000)
	if res.BulkStatements < 1 || res.BulkStatements > 10 {
		t.Errorf("AddAll of 1000 users ran %d INSERT statements, want a few multi-row ones", res.BulkStatements)
	}
	check("streamed", res.Streamed, 1006)
	check("stream kept objects", res.StreamKept, false)
	// Migrations.
	check("no changes after CreateAll", res.MigrationNoChanges, true)
	if !strings.HasSuffix(res.MigrationFile, "_add_comments.sql") || !slices.Equal(res.MigrationApplied, []string{strings.TrimSuffix(res.MigrationFile, ".sql")}) {
		t.Errorf("migration generated %q, applied %v", res.MigrationFile, res.MigrationApplied)
	}
	check("database matches v2 after upgrade", res.MigrationAfter, true)
	check("downgrade reverted", res.MigrationReverted, true)
	// Part two: traits, soft delete, limit per parent.
	d := res.Depth
	check("note timestamps", d.NoteTimes, true)
	check("soft delete statements", d.SoftDeleteSQL, "1 UPDATE, 0 DELETE")
	check("notes live, with deleted", []int{d.NotesLive, d.NotesAll}, []int{1, 2})
	check("slug of a deleted note reused (partial unique index)", d.SlugReused, name != "mysql")
	check("latest 2 posts per user", d.LatestPosts, map[string][]string{
		"Ann": {"Transactions", "The unit of work"}, "Bob": {"Go generics", "SQL tips"}, "Carla": {"First post"}, "Dan": nil})
	check("limit per parent statements", d.LatestStatements, 2)
	check("dialect", res.Dialect, name)
}

// TestTourThroughPooler runs the whole tour through pgbouncer in
// transaction mode (four server connections) with ?pooler=transaction,
// migrations included (their lock becomes the table lock).
func TestTourThroughPooler(t *testing.T) {
	cfg := config{URL: fresh.PooledURL(t, "dl_blog_pool", "pooler=transaction"),
		Replica: fresh.PooledURL(t, "dl_blog_pool_replica", "pooler=transaction")}
	var out bytes.Buffer
	res, err := runTour(context.Background(), &out, cfg)
	if err != nil {
		t.Fatalf("tour: %v\n%s", err, out.String())
	}
	checkResults(t, res, testdb.Postgres)
	if !strings.Contains(out.String(), "The tour is complete: every pattern of the seed ran on "+res.Dialect) {
		t.Fatalf("tour output does not end with the summary:\n%s", out.String())
	}
}
