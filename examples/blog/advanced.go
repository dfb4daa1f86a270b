package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/migrate"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// ---- Custom session classes --------------------------------------------

// BlogSession is the seed's AsyncSessionWithDefaults: the Go way to add
// methods to a session is to embed *orm.Session.
type BlogSession struct {
	*orm.Session
}

// ExecuteWithDefaults runs a query for posts with the application's default
// options: authors and tags loaded by select-in, newest first, at most 50.
func (s *BlogSession) ExecuteWithDefaults(ctx context.Context, q *stmt.SelectStmt) ([]*Post, error) {
	p := orm.TableOf[Post](s.DB())
	q = q.OrderBy(p.C("created").Desc(), p.C("id").Desc()).Limit(50)
	return orm.All[Post](ctx, s.Session, q, orm.SelectIn("author"), orm.SelectIn("tags"))
}

// blogSessions is the session factory (async_sessionmaker(class_=…)).
type blogSessions struct{ db *orm.DB }

func (f blogSessions) New() *BlogSession { return &BlogSession{Session: f.db.Session()} }

func (t *tour) customSession() error {
	t.section("Custom session: embedding *orm.Session, session events and model hooks")
	var mu sync.Mutex
	var events []string
	note := func(e string) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}
	db, err := orm.New(t.eng, append(binds(), orm.ExpireOnCommit(false), orm.WithEvents(orm.Events{
		BeforeFlush:   func(ctx context.Context, s *orm.Session) error { note("before_flush"); return nil },
		AfterFlush:    func(ctx context.Context, s *orm.Session) error { note("after_flush"); return nil },
		BeforeCommit:  func(ctx context.Context, s *orm.Session) error { note("before_commit"); return nil },
		AfterCommit:   func(ctx context.Context, s *orm.Session) { note("after_commit") },
		AfterRollback: func(ctx context.Context, s *orm.Session) { note("after_rollback") },
	}))...)
	if err != nil {
		return err
	}
	sessions := blogSessions{db: db}
	s := sessions.New()
	defer s.Close(t.ctx)
	posts, err := s.ExecuteWithDefaults(t.ctx, orm.Select[Post](db))
	if err != nil {
		return err
	}
	t.res.CustomPosts = len(posts)
	t.printf("s.ExecuteWithDefaults(select(Post)): %d posts, newest %q by %s with tags loaded: %v",
		len(posts), posts[0].Title, posts[0].Author.Name, s.IsLoaded(posts[0], "tags"))
	frank := &User{Name: "Frank", Email: "Frank@Example.COM"}
	if err := s.Add(frank); err != nil {
		return err
	}
	if err := s.Commit(t.ctx); err != nil {
		return err
	}
	t.res.CustomEmail = frank.Email
	t.res.CustomEvents = events
	t.printf("User.BeforeInsert (a per-model hook) stored Frank@Example.COM as %s", frank.Email)
	t.printf("session events, in order: %s", strings.Join(events, ", "))
	return nil
}

// ---- Connection routing ------------------------------------------------

func (t *tour) routing() error {
	t.section("Connection routing: a read replica (orm.Replicas) and a per-model bind (orm.BindModel)")
	url, kind := t.cfg.Replica, "database "+redact(t.cfg.Replica)
	if url == "" {
		url, kind = "sqlite:"+filepath.Join(t.tmp, "replica.db"), "a second SQLite file"
	}
	replica, err := dlayer.Open(t.ctx, modelFS, url)
	if err != nil {
		return fmt.Errorf("open the replica: %w", err)
	}
	defer replica.Close()
	if t.cfg.Reset {
		_ = replica.DropAll(t.ctx) // leftovers of an interrupted run, if any
	}
	if err := replica.CreateAll(t.ctx); err != nil {
		return fmt.Errorf("replica: %w (if a previous run was interrupted, run again with -reset)", err)
	}
	if t.cfg.Replica != "" && !t.cfg.Keep {
		defer replica.DropAll(context.WithoutCancel(t.ctx))
	}
	t.printf("the replica is %s", kind)
	// "Replication": copy the users as they are now …
	users, err := engine.Records(t.ctx, t.eng, stmt.Select(t.users()).OrderBy(t.users().C("id").Asc()))
	if err != nil {
		return err
	}
	var rows [][]any
	for _, r := range users {
		rows = append(rows, r.Values())
	}
	if _, err := replica.BulkInsert(t.ctx, t.users().Spec(), users[0].Columns(), rows); err != nil {
		return err
	}
	// … then a write reaches the primary only: the replica lags.
	const fresh = "ann@primary.example.org"
	if _, err := t.eng.Exec(t.ctx, stmt.Update(t.users()).Set("email", fresh).Where(t.users().C("id").Eq(t.res.CreatedID))); err != nil {
		return err
	}
	// Reporting rows live on the second database only.
	pv := orm.TableOf[PageView](t.db)
	if _, err := replica.Exec(t.ctx, stmt.Insert(pv).Columns("post_id", "views").Values(1, 120).Values(2, 80)); err != nil {
		return err
	}
	db, err := orm.New(t.eng, append(binds(), orm.ExpireOnCommit(false),
		orm.Replicas(replica), orm.BindModel("PageView", replica))...)
	if err != nil {
		return err
	}
	answered := func(u *User) string {
		if u.Email == fresh {
			return "primary"
		}
		return "replica"
	}
	// A plain read: the replica.
	s := db.Session()
	defer s.Close(t.ctx)
	u, err := orm.Get[User](t.ctx, s, t.res.CreatedID)
	if err != nil {
		return err
	}
	t.res.PlainRead = answered(u)
	t.printf("Get(User %d) outside a transaction: %s answered (email %s)", u.ID, t.res.PlainRead, u.Email)
	// SELECT … FOR UPDATE: the primary, in a transaction.
	s2 := db.Session()
	defer s2.Close(t.ctx)
	locked, err := orm.One[User](t.ctx, s2, orm.Select[User](db).Where(t.users().C("id").Eq(t.res.CreatedID)).ForUpdate())
	if err != nil {
		return err
	}
	t.res.ForUpdateRead = answered(locked)
	t.printf("SELECT … FOR UPDATE: %s answered (email %s), in a transaction: %v", t.res.ForUpdateRead, locked.Email, s2.InTransaction())
	if err := s2.Rollback(t.ctx); err != nil {
		return err
	}
	// After a write, the session reads its own writes from the primary.
	s3 := db.Session()
	defer s3.Close(t.ctx)
	if err := s3.Add(&Tag{Name: "routing"}); err != nil {
		return err
	}
	if err := s3.Flush(t.ctx); err != nil {
		return err
	}
	after, err := orm.One[User](t.ctx, s3, orm.Select[User](db).Where(t.users().C("id").Eq(t.res.CreatedID)))
	if err != nil {
		return err
	}
	t.res.AfterWriteRead = answered(after)
	t.printf("a read after a write in the same session: %s answered", t.res.AfterWriteRead)
	if err := s3.Commit(t.ctx); err != nil {
		return err
	}
	// PageView is bound to the second database: even inside a transaction
	// (which sends everything else to the primary) its reads go there.
	s4 := db.Session()
	defer s4.Close(t.ctx)
	err = s4.Transaction(t.ctx, func(s *orm.Session) error {
		views, err := orm.All[PageView](t.ctx, s, orm.Select[PageView](db))
		for _, v := range views {
			t.res.BoundViews += v.Views
		}
		return err
	})
	if err != nil {
		return err
	}
	onPrimary, err := t.countRows("page_views")
	if err != nil {
		return err
	}
	if t.res.BoundViews > 0 && onPrimary == 0 {
		t.res.BoundRead = "replica"
	} else {
		t.res.BoundRead = "primary"
	}
	t.printf("PageView (orm.BindModel) inside a transaction: %d views, answered by the %s (the primary has %d rows)",
		t.res.BoundViews, t.res.BoundRead, onPrimary)
	return nil
}

// redact hides a URL's password.
func redact(u string) string { return dialects.Redact(u) }

// ---- Raw SQL -----------------------------------------------------------

func (t *tour) rawSQL() error {
	t.section("Raw SQL: stmt.Text with bound :name parameters, through the session's connection")
	s := t.db.Session()
	defer s.Close(t.ctx)
	conn, err := s.Conn(t.ctx)
	if err != nil {
		return err
	}
	// run_raw_sql
	t.res.RawCount, err = engine.Scalar[int64](t.ctx, conn, stmt.Text("SELECT COUNT(*) FROM users"))
	if err != nil {
		return err
	}
	t.printf("SELECT COUNT(*) FROM users -> %d", t.res.RawCount)
	// run_parameterized_query: :user_id is a bound parameter, never text.
	rows, err := engine.All[engine.Record](t.ctx, conn,
		stmt.Text("SELECT * FROM posts WHERE author_id = :user_id ORDER BY id").Bind("user_id", t.res.CreatedID))
	if err != nil {
		return err
	}
	for _, r := range rows {
		title, err := r.String("title")
		if err != nil {
			return err
		}
		t.res.RawTitles = append(t.res.RawTitles, title)
	}
	t.printf("SELECT * FROM posts WHERE author_id = :user_id (user_id=%d) -> %d rows of %d columns: %q",
		t.res.CreatedID, len(rows), len(rows[0].Columns()), t.res.RawTitles)
	return nil
}

// ---- Performance tips --------------------------------------------------

func (t *tour) bulkAndStream() error {
	t.section("Performance: AddAll bulk insert, streaming")
	const n = 1000
	s := t.db.Session()
	defer s.Close(t.ctx)
	objs := make([]any, n)
	for i := range objs {
		objs[i] = &User{Name: fmt.Sprintf("reader%04d", i+1), Email: fmt.Sprintf("reader%04d@example.net", i+1)}
	}
	if err := s.AddAll(objs...); err != nil {
		return err
	}
	t.n.reset()
	if err := s.Commit(t.ctx); err != nil {
		return err
	}
	t.res.BulkRows = n
	t.res.BulkStatements = t.n.count("INSERT")
	t.printf("AddAll(%d users) + Commit: %d INSERT statement(s) (multi-row, split under the %s parameter limit); keys set, e.g. reader1000 has id %d",
		n, t.res.BulkStatements, t.res.Dialect, objs[n-1].(*User).ID)
	// process_all_users: one object at a time, not kept by the session.
	s2 := t.db.Session()
	defer s2.Close(t.ctx)
	readers := 0
	for u, err := range orm.Stream[User](t.ctx, s2, orm.Select[User](t.db).OrderBy(t.users().C("id").Asc()), false) {
		if err != nil {
			return err
		}
		t.res.Streamed++
		if strings.HasPrefix(u.Name, "reader") {
			readers++
		}
	}
	// The streamed objects were not kept: a Get queries the database.
	t.n.reset()
	if _, err := orm.Get[User](t.ctx, s2, t.res.CreatedID); err != nil {
		return err
	}
	t.res.StreamKept = t.n.count("SELECT") == 0
	t.printf("orm.Stream over users: %d streamed (%d readers), identity map kept them: %v", t.res.Streamed, readers, t.res.StreamKept)
	return nil
}

// ---- Migrations --------------------------------------------------------

// commentsYAML is the next version of the schema: a comments table.
const commentsYAML = `models:
  Comment:
    table: comments
    columns:
      id: intpk
      post_id: {type: integer, foreign_key: posts.id}
      body: text
`

const historyTable = "blog_tour_migrations"

func (t *tour) migrations() (err error) {
	t.section("Migrations: autogenerate (alembic revision --autogenerate) and apply (alembic upgrade head)")
	dir := filepath.Join(t.tmp, "migrations")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfg := migrate.Config{Dialect: t.eng.Dialect(), Pool: t.eng.Pool(), Dir: os.DirFS(dir), Table: historyTable}
	r, err := migrate.New(cfg)
	if err != nil {
		return err
	}
	defer func() {
		// The history table (and SQLite's lock table) are the tour's own.
		for _, tbl := range []string{historyTable, historyTable + "_lock"} {
			if _, derr := t.eng.Exec(context.WithoutCancel(t.ctx), stmt.Text("DROP TABLE IF EXISTS "+tbl)); derr != nil && err == nil {
				err = derr
			}
		}
	}()
	live, err := r.Inspect(t.ctx)
	if err != nil {
		return err
	}
	plan, err := r.Diff(live, t.eng.Schema())
	if err != nil {
		return err
	}
	t.res.MigrationNoChanges = plan.Empty()
	t.printf("the live database against the YAML models: %d changes (CreateAll made exactly the models)", len(plan.Up))
	// The next version of the models adds a table.
	v2dir := filepath.Join(t.tmp, "models-v2")
	if err := os.CopyFS(v2dir, modelFS); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(v2dir, "models", "comments.yaml"), []byte(commentsYAML), 0o644); err != nil {
		return err
	}
	v2, err := dlayer.LoadSchema(v2dir)
	if err != nil {
		return err
	}
	gen, err := r.Generate(live, v2, migrate.GenerateOptions{Message: "add comments"})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, gen.File), gen.Text, 0o644); err != nil {
		return err
	}
	t.res.MigrationFile = gen.File
	var changes []string
	for _, c := range gen.Plan.Up {
		changes = append(changes, migrate.Describe(c))
	}
	t.printf("generated %s: %s (%d up, %d down statements)", gen.File, strings.Join(changes, "; "), len(gen.Up), len(gen.Down))
	r, err = migrate.New(cfg) // re-read the directory
	if err != nil {
		return err
	}
	res, err := r.Up(t.ctx, 0)
	if err != nil {
		return err
	}
	for _, st := range res.Steps {
		t.res.MigrationApplied = append(t.res.MigrationApplied, st.Version+"_"+st.Name)
	}
	status, err := r.Status(t.ctx)
	if err != nil {
		return err
	}
	for _, st := range status {
		t.printf("upgrade head: %s_%s is %s", st.Version, st.Name, st.State)
	}
	now, err := r.Inspect(t.ctx)
	if err != nil {
		return err
	}
	plan, err = r.Diff(now, v2)
	if err != nil {
		return err
	}
	t.res.MigrationAfter = plan.Empty() && now.Table("comments") != nil
	t.printf("after the upgrade the database matches the new models: %v", t.res.MigrationAfter)
	down, err := r.Down(t.ctx, 1)
	if err != nil {
		return err
	}
	now, err = r.Inspect(t.ctx)
	if err != nil {
		return err
	}
	t.res.MigrationReverted = len(down.Steps) == 1 && now.Table("comments") == nil
	t.printf("downgrade -1: comments dropped again: %v", t.res.MigrationReverted)
	if !t.res.MigrationReverted {
		return errors.New("the migration was not reverted")
	}
	return nil
}
