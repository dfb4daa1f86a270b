package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// results records what the tour observed, for its tests.
type results struct {
	Dialect string

	CreatedID                 int64
	GotName, GotMissing       string
	UpdatedOK, UpdatedMissing bool

	Posts, PostTags, PostsAfterOrphan int64

	AllUsers, ByName []string
	Search           map[string][]string

	WithAuthor        []string
	WithAuthorQueries int
	PostWithTags      string
	PostTagNames      []string
	PostTagsQueries   int

	Pages [][]string

	Counts []userPostCount

	TxPostID         int64
	TxRolledBack     bool
	HTTPStatus       []int
	HTTPCreated      string
	ScopedSame       bool
	ScopedTasks      []string
	WriteOnlySelects int
	InboxLatest      []string
	InboxCount       int64
	UserPosts        []string

	CustomPosts  int
	CustomEmail  string
	CustomEvents []string

	PlainRead, ForUpdateRead, AfterWriteRead, BoundRead string
	BoundViews                                          int64

	RawCount  int64
	RawTitles []string

	BulkRows       int
	BulkStatements int
	Streamed       int
	StreamKept     bool

	MigrationNoChanges bool
	MigrationFile      string
	MigrationApplied   []string
	MigrationAfter     bool
	MigrationReverted  bool

	// Part two (depth.go).
	Depth depthResults
}

// userPostCount is one row of the aggregation.
type userPostCount struct {
	Name      string
	PostCount int64 `db:"post_count"`
}

// counter is an engine.Tracer that counts the statements the tour runs.
type counter struct {
	mu  sync.Mutex
	sql []string
}

func (c *counter) trace(ctx context.Context, q engine.QueryInfo) (context.Context, func(error)) {
	if q.Operation == "query" || q.Operation == "exec" {
		c.mu.Lock()
		c.sql = append(c.sql, q.SQL)
		c.mu.Unlock()
	}
	return ctx, func(error) {}
}

func (c *counter) reset() {
	c.mu.Lock()
	c.sql = nil
	c.mu.Unlock()
}

// count returns how many statements ran since the last reset, less
// transaction control; with prefix, only those starting with it.
func (c *counter) count(prefix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, s := range c.sql {
		u := strings.ToUpper(strings.TrimSpace(s))
		if isTxControl(u) {
			continue
		}
		if prefix == "" || strings.HasPrefix(u, prefix) {
			n++
		}
	}
	return n
}

func isTxControl(u string) bool {
	for _, p := range []string{"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "START", "SET "} {
		if strings.HasPrefix(u, p) {
			return true
		}
	}
	return false
}

// tour holds what every step shares.
type tour struct {
	ctx context.Context
	w   io.Writer
	cfg config
	eng *engine.Engine
	db  *orm.DB
	n   *counter
	res *results
	// tmp is a temporary directory for SQLite files and migrations.
	tmp string
	// step numbers the sections.
	step int
}

func (t *tour) section(title string) {
	t.step++
	fmt.Fprintf(t.w, "\n== %d. %s\n", t.step, title)
}

func (t *tour) printf(format string, args ...any) {
	fmt.Fprintf(t.w, "   "+format+"\n", args...)
}

// Tables of the schema, for building statements.
func (t *tour) users() *stmt.Table { return orm.TableOf[User](t.db) }
func (t *tour) posts() *stmt.Table { return orm.TableOf[Post](t.db) }

// runTour performs every pattern of the seed in order.
func runTour(ctx context.Context, w io.Writer, cfg config) (res *results, err error) {
	t := &tour{ctx: ctx, w: w, cfg: cfg, n: &counter{}, res: &results{Search: map[string][]string{}}}
	t.tmp, err = os.MkdirTemp("", "dlayer-blog-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if !cfg.Keep {
			os.RemoveAll(t.tmp)
		}
	}()
	if cfg.Replica != "" && cfg.Replica == cfg.URL {
		return nil, errors.New("-replica must name another database than -db (the routing step tells them apart by their contents)")
	}
	url := cfg.URL
	if url == "" {
		url = "sqlite:" + filepath.Join(t.tmp, "blog.db")
	}
	if err := t.setup(url); err != nil {
		return nil, err
	}
	defer func() {
		if cerr := t.teardown(); err == nil {
			err = cerr
		}
	}()
	steps := []struct {
		name string
		fn   func() error
	}{
		{"crud", t.crud},
		{"relationships", t.relationships},
		{"queries", t.queries},
		{"loading", t.loading},
		{"pagination", t.pagination},
		{"aggregation", t.aggregation},
		{"transaction block", t.transactionBlock},
		{"session per request", t.sessionPerRequest},
		{"scoped session", t.scopedSession},
		{"write-only relationship", t.writeOnly},
		{"custom session", t.customSession},
		{"routing", t.routing},
		{"raw SQL", t.rawSQL},
		{"bulk insert and streaming", t.bulkAndStream},
		{"migrations", t.migrations},
		{"traits and limit per parent", t.depth},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return t.res, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	fmt.Fprintf(w, "\nThe tour is complete: every pattern of the seed ran on %s.\n", t.res.Dialect)
	return t.res, nil
}

// setup opens the engine (the seed's create_async_engine), creates the
// tables and binds the structs (async_sessionmaker(expire_on_commit=False)).
func (t *tour) setup(url string) error {
	eng, err := dlayer.Open(t.ctx, modelFS, url, engine.WithTracer(engine.TracerFunc(t.n.trace)))
	if err != nil {
		return err
	}
	t.section("Quick start: engine, models, session factory")
	t.eng = eng
	t.res.Dialect = eng.Dialect().Name()
	if t.cfg.Reset {
		if err := eng.DropAll(t.ctx); err != nil {
			t.printf("reset: %v (ignored)", err)
		}
	}
	if err := eng.CreateAll(t.ctx); err != nil {
		eng.Close()
		return fmt.Errorf("create tables: %w (if a previous run was interrupted, run again with -reset)", err)
	}
	t.db, err = orm.New(eng, append(binds(), orm.ExpireOnCommit(false))...)
	if err != nil {
		eng.Close()
		return err
	}
	sch := eng.Schema()
	var models []string
	for _, m := range sch.Models {
		models = append(models, m.Name)
	}
	sort.Strings(models)
	t.printf("opened %s with %d models loaded from embedded YAML: %s", t.res.Dialect, len(models), strings.Join(models, ", "))
	t.printf("created %d tables (Engine.CreateAll); structs bound with orm.Bind; sessions with ExpireOnCommit(false)", len(sch.Tables))
	return nil
}

// teardown drops the tables unless asked to keep them.
func (t *tour) teardown() error {
	defer t.eng.Close()
	if t.cfg.Keep {
		where := redact(t.cfg.URL)
		if where == "" {
			where = "sqlite:" + filepath.Join(t.tmp, "blog.db")
		}
		fmt.Fprintf(t.w, "(-keep: tables left in place in %s)\n", where)
		return nil
	}
	if err := t.eng.DropAll(context.WithoutCancel(t.ctx)); err != nil {
		return fmt.Errorf("drop tables: %w", err)
	}
	return nil
}

// ---- Basic CRUD --------------------------------------------------------

// createUser is the seed's create_user: a transaction block, flushed to get
// the generated id.
func (t *tour) createUser(name, email string) (*User, error) {
	s := t.db.Session()
	defer s.Close(t.ctx)
	u := &User{Name: name, Email: email}
	err := s.Transaction(t.ctx, func(s *orm.Session) error {
		if err := s.Add(u); err != nil {
			return err
		}
		return s.Flush(t.ctx) // get the ID
	})
	return u, err
}

// getUser is the seed's get_user: nil when there is no such user.
func (t *tour) getUser(id int64) (*User, error) {
	s := t.db.Session()
	defer s.Close(t.ctx)
	u := t.users()
	user, err := orm.One[User](t.ctx, s, orm.Select[User](t.db).Where(u.C("id").Eq(id)))
	if errors.Is(err, orm.ErrNotFound) {
		return nil, nil // scalar_one_or_none
	}
	return user, err
}

// updateUserEmail is the seed's update_user_email: a bulk UPDATE through the
// session, reporting whether a row matched.
func (t *tour) updateUserEmail(id int64, email string) (bool, error) {
	s := t.db.Session()
	defer s.Close(t.ctx)
	u := t.users()
	res, err := s.Execute(t.ctx, stmt.Update(u).Set("email", email).Where(u.C("id").Eq(id)))
	if err != nil {
		return false, err
	}
	if err := s.Commit(t.ctx); err != nil {
		return false, err
	}
	return res.RowsAffected > 0, nil
}

func (t *tour) crud() error {
	t.section("Basic CRUD: create_user, get_user, update_user_email")
	ann, err := t.createUser("Ann", "ann@example.com")
	if err != nil {
		return err
	}
	t.res.CreatedID = ann.ID
	t.printf("create_user(Ann): flush inside session.Transaction set id=%d", ann.ID)
	for _, u := range []struct{ name, email string }{
		{"Bob", "bob@example.org"}, {"Carla", "carla@example.com"}, {"Dan", "dan@example.net"},
	} {
		if _, err := t.createUser(u.name, u.email); err != nil {
			return err
		}
	}
	t.printf("create_user(Bob), (Carla), (Dan)")
	got, err := t.getUser(ann.ID)
	if err != nil {
		return err
	}
	missing, err := t.getUser(999)
	if err != nil {
		return err
	}
	t.res.GotName = got.Name
	t.res.GotMissing = fmt.Sprint(missing)
	t.printf("get_user(%d) = %s <%s>; get_user(999) = %v", ann.ID, got.Name, got.Email, missing)
	ok, err := t.updateUserEmail(ann.ID, "ann@example.org")
	if err != nil {
		return err
	}
	none, err := t.updateUserEmail(999, "nobody@example.org")
	if err != nil {
		return err
	}
	t.res.UpdatedOK, t.res.UpdatedMissing = ok, none
	t.printf("update_user_email(%d, ann@example.org) = %v (rowcount > 0); update_user_email(999, …) = %v", ann.ID, ok, none)
	return nil
}

// ---- Models and relationships ------------------------------------------

var created0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func (t *tour) relationships() error {
	t.section("Relationships: one-to-many with back_populates and cascades, many-to-many tags")
	s := t.db.Session()
	defer s.Close(t.ctx)
	users, err := orm.All[User](t.ctx, s, orm.Select[User](t.db).OrderBy(t.users().C("id").Asc()))
	if err != nil {
		return err
	}
	byName := map[string]*User{}
	for _, u := range users {
		byName[u.Name] = u
	}
	goTag, sqlTag, ormTag := &Tag{Name: "go"}, &Tag{Name: "sql"}, &Tag{Name: "orm"}
	posts := []struct {
		author, title string
		tags          []*Tag
	}{
		{"Ann", "Hello, dlayer", []*Tag{goTag}},
		{"Bob", "SQL tips", []*Tag{sqlTag}},
		{"Ann", "Sessions explained", []*Tag{goTag, ormTag}},
		{"Carla", "First post", nil},
		{"Bob", "Go generics", []*Tag{goTag}},
		{"Ann", "The unit of work", []*Tag{ormTag, sqlTag}},
	}
	var first *Post
	for i, p := range posts {
		post := &Post{Title: p.title, Content: "…", Created: created0.Add(time.Duration(i) * time.Hour), Tags: p.tags}
		// Link appends to user.Posts and sets post.Author at once
		// (back_populates); the post joins the session by cascade.
		if err := s.Link(byName[p.author], "posts", post); err != nil {
			return err
		}
		if first == nil {
			first = post
		}
	}
	t.printf("s.Link(ann, \"posts\", post) set post.Author at once: %v", first.Author == byName["Ann"])
	if err := s.Commit(t.ctx); err != nil {
		return err
	}
	t.printf("commit: flush inserted the posts after their users, author_id=%d from the key, tags and post_tags rows",
		first.AuthorID)
	if t.res.Posts, err = t.countRows("posts"); err != nil {
		return err
	}
	if t.res.PostTags, err = t.countRows("post_tags"); err != nil {
		return err
	}
	t.printf("posts: %d, post_tags rows: %d", t.res.Posts, t.res.PostTags)

	// cascade: delete-orphan — a post removed from its author's collection
	// is deleted.
	draft := &Post{Title: "Draft", Content: "…", Created: created0.Add(-time.Hour)}
	if err := s.Link(byName["Carla"], "posts", draft); err != nil {
		return err
	}
	if err := s.Commit(t.ctx); err != nil {
		return err
	}
	s2 := t.db.Session()
	defer s2.Close(t.ctx)
	carla, err := orm.One[User](t.ctx, s2, orm.Select[User](t.db).Where(t.users().C("id").Eq(byName["Carla"].ID)), orm.SelectIn("posts"))
	if err != nil {
		return err
	}
	var kept []*Post
	for _, p := range carla.Posts {
		if p.Title != "Draft" {
			kept = append(kept, p)
		}
	}
	carla.Posts = kept
	if err := s2.Commit(t.ctx); err != nil {
		return err
	}
	if t.res.PostsAfterOrphan, err = t.countRows("posts"); err != nil {
		return err
	}
	t.printf("delete-orphan: a draft linked to Carla, then unlinked, was deleted: posts back to %d", t.res.PostsAfterOrphan)
	return nil
}

// countRows counts the rows of a table on the primary.
func (t *tour) countRows(table string) (int64, error) {
	return engine.Scalar[int64](t.ctx, t.eng, stmt.Select(stmt.CountAll()).From(t.db.Table(table)))
}

// ---- Queries -----------------------------------------------------------

func names(us []*User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Name
	}
	return out
}

// getAllUsers is the seed's get_all_users.
func (t *tour) getAllUsers() ([]*User, error) {
	s := t.db.Session()
	defer s.Close(t.ctx)
	return orm.All[User](t.ctx, s, orm.Select[User](t.db).OrderBy(t.users().C("id").Asc()))
}

// getUsersByName is the seed's get_users_by_name: ILIKE '%name%'.
func (t *tour) getUsersByName(name string) ([]*User, error) {
	s := t.db.Session()
	defer s.Close(t.ctx)
	u := t.users()
	return orm.All[User](t.ctx, s, orm.Select[User](t.db).Where(u.C("name").ILike("%"+name+"%")).OrderBy(u.C("id").Asc()))
}

// searchUsers is the seed's search_users: optional conditions joined with
// AND.
func (t *tour) searchUsers(name, email string) ([]*User, error) {
	s := t.db.Session()
	defer s.Close(t.ctx)
	u := t.users()
	var conds []stmt.Expr
	if name != "" {
		conds = append(conds, u.C("name").ILike("%"+name+"%"))
	}
	if email != "" {
		conds = append(conds, u.C("email").ILike("%"+email+"%"))
	}
	q := orm.Select[User](t.db)
	if len(conds) > 0 {
		q = q.Where(stmt.And(conds...))
	}
	return orm.All[User](t.ctx, s, q.OrderBy(u.C("id").Asc()))
}

func (t *tour) queries() error {
	t.section("Queries: get_all_users, get_users_by_name (ilike), search_users (and_)")
	all, err := t.getAllUsers()
	if err != nil {
		return err
	}
	t.res.AllUsers = names(all)
	t.printf("get_all_users() = %v", t.res.AllUsers)
	by, err := t.getUsersByName("AN")
	if err != nil {
		return err
	}
	t.res.ByName = names(by)
	t.printf("get_users_by_name(\"AN\") = %v (case-insensitive on every database)", t.res.ByName)
	for _, c := range []struct{ name, email string }{{"", ""}, {"a", ""}, {"", "EXAMPLE.COM"}, {"an", "example.org"}} {
		got, err := t.searchUsers(c.name, c.email)
		if err != nil {
			return err
		}
		key := fmt.Sprintf("name=%q email=%q", c.name, c.email)
		t.res.Search[key] = names(got)
		t.printf("search_users(%s) = %v", key, names(got))
	}
	return nil
}

// ---- Relationship loading ----------------------------------------------

// getPostsWithAuthor is the seed's get_posts_with_author: selectinload.
func (t *tour) getPostsWithAuthor() ([]*Post, error) {
	s := t.db.Session()
	defer s.Close(t.ctx)
	return orm.All[Post](t.ctx, s, orm.Select[Post](t.db).OrderBy(t.posts().C("id").Asc()), orm.SelectIn("author"))
}

// getPostWithTags is the seed's get_post_with_tags: joinedload(author),
// selectinload(tags).
func (t *tour) getPostWithTags(id int64) (*Post, error) {
	s := t.db.Session()
	defer s.Close(t.ctx)
	p := t.posts()
	post, err := orm.One[Post](t.ctx, s, orm.Select[Post](t.db).Where(p.C("id").Eq(id)), orm.Joined("author"), orm.SelectIn("tags"))
	if errors.Is(err, orm.ErrNotFound) {
		return nil, nil
	}
	return post, err
}

func (t *tour) loading() error {
	t.section("Relationship loading: selectinload, joinedload")
	t.n.reset()
	posts, err := t.getPostsWithAuthor()
	if err != nil {
		return err
	}
	t.res.WithAuthorQueries = t.n.count("")
	for _, p := range posts {
		t.res.WithAuthor = append(t.res.WithAuthor, p.Title+" by "+p.Author.Name)
	}
	t.printf("get_posts_with_author(): %d posts in %d queries (posts, then authors WHERE id IN …)", len(posts), t.res.WithAuthorQueries)
	for _, s := range t.res.WithAuthor {
		t.printf("  %s", s)
	}
	t.n.reset()
	post, err := t.getPostWithTags(posts[2].ID)
	if err != nil {
		return err
	}
	t.res.PostTagsQueries = t.n.count("")
	for _, tg := range post.Tags {
		t.res.PostTagNames = append(t.res.PostTagNames, tg.Name)
	}
	sort.Strings(t.res.PostTagNames)
	t.res.PostWithTags = post.Title + " by " + post.Author.Name
	t.printf("get_post_with_tags(%d): %q by %s (LEFT OUTER JOIN), tags %v (select-in): %d queries",
		post.ID, post.Title, post.Author.Name, t.res.PostTagNames, t.res.PostTagsQueries)
	return nil
}

// ---- Pagination --------------------------------------------------------

// getPostsPaginated is the seed's get_posts_paginated.
func (t *tour) getPostsPaginated(page, size int) ([]*Post, error) {
	s := t.db.Session()
	defer s.Close(t.ctx)
	offset := (page - 1) * size
	q := orm.Select[Post](t.db).Offset(offset).Limit(size).OrderBy(t.posts().C("created").Desc())
	return orm.All[Post](t.ctx, s, q)
}

func (t *tour) pagination() error {
	t.section("Pagination: offset, limit, order by created desc")
	for page := 1; ; page++ {
		posts, err := t.getPostsPaginated(page, 4)
		if err != nil {
			return err
		}
		if len(posts) == 0 {
			t.printf("get_posts_paginated(%d, 4) = [] (the end)", page)
			return nil
		}
		var titles []string
		for _, p := range posts {
			titles = append(titles, p.Title)
		}
		t.res.Pages = append(t.res.Pages, titles)
		t.printf("get_posts_paginated(%d, 4) = %q", page, titles)
	}
}

// ---- Aggregation -------------------------------------------------------

// getUserPostCount is the seed's get_user_post_count.
func (t *tour) getUserPostCount() ([]userPostCount, error) {
	s := t.db.Session()
	defer s.Close(t.ctx)
	u, p := t.users(), t.posts()
	n := stmt.Count(p.C("id"))
	q := stmt.Select(u.C("name"), n.Label("post_count")).
		JoinRel(u, "posts", nil).
		GroupBy(u.C("id"), u.C("name")).
		OrderBy(stmt.Desc(n))
	conn, err := s.Conn(t.ctx)
	if err != nil {
		return nil, err
	}
	return engine.All[userPostCount](t.ctx, conn, q)
}

func (t *tour) aggregation() error {
	t.section("Aggregation: count(post.id) as post_count, join, group by, order by count desc")
	rows, err := t.getUserPostCount()
	if err != nil {
		return err
	}
	t.res.Counts = rows
	for _, r := range rows {
		t.printf("%-6s post_count=%d", r.Name, r.PostCount)
	}
	t.printf("(Dan has no posts: the inner join leaves him out, as in the seed)")
	return nil
}
