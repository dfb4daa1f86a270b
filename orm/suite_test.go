package orm_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
)

type User struct {
	ID    int64
	Name  string
	Email string
	Posts []*Post
}

type Post struct {
	ID       int64
	Title    string
	Content  string
	AuthorID int64
	Created  time.Time
	Author   *User
	Tags     []*Tag
}

type Tag struct {
	ID    int64
	Name  string
	Posts []*Post
}

type Node struct {
	ID       int64
	Name     string
	ParentID *int64
	Parent   *Node
	Children []*Node
}

type Account struct {
	ID      int64
	Owner   string
	Balance int64
	Version int64
}

type Feed struct {
	ID    int64
	Name  string
	Items []*Item
}

type Item struct {
	ID     int64
	FeedID int64
	Body   string
}

type Person struct {
	ID       int64
	Name     string
	Passport *Passport
	Visits   []*Visit
}

type Passport struct {
	ID       int64
	Number   string
	PersonID int64
	Holder   *Person
}

type Visit struct {
	ID       int64
	Place    string
	PersonID int64
}

// counter records the SQL an engine runs.
type counter struct {
	mu  sync.Mutex
	sql []string
}

func (c *counter) trace(ctx context.Context, q engine.QueryInfo) (context.Context, func(error)) {
	c.mu.Lock()
	c.sql = append(c.sql, q.SQL)
	c.mu.Unlock()
	return ctx, func(error) {}
}

func (c *counter) reset() {
	c.mu.Lock()
	c.sql = nil
	c.mu.Unlock()
}

// queries returns the statements run since the last reset, less
// transaction control.
func (c *counter) queries() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, s := range c.sql {
		u := strings.ToUpper(strings.TrimSpace(s))
		if strings.HasPrefix(u, "BEGIN") || strings.HasPrefix(u, "COMMIT") || strings.HasPrefix(u, "ROLLBACK") ||
			strings.HasPrefix(u, "SAVEPOINT") || strings.HasPrefix(u, "RELEASE") || strings.HasPrefix(u, "START") || strings.HasPrefix(u, "SET ") {
			continue
		}
		out = append(out, s)
	}
	return out
}

type env struct {
	name string
	url  string
	eng  *engine.Engine
	db   *orm.DB
	n    *counter
}

// setup opens a fresh database of the named kind with the suite's schema,
// every model bound to its struct.
func setup(t *testing.T, name string, opts ...orm.Option) *env {
	t.Helper()
	opts = append([]orm.Option{orm.Bind[User]("User"), orm.Bind[Post]("Post"), orm.Bind[Tag]("Tag"),
		orm.Bind[Node]("Node"), orm.Bind[Account]("Account"), orm.Bind[Feed]("Feed"), orm.Bind[Item]("Item"),
		orm.Bind[Person]("Person"), orm.Bind[Passport]("Passport"), orm.Bind[Visit]("Visit")}, opts...)
	return setupWith(t, name, opts...)
}

// setupWith is setup with only the given bindings.
func setupWith(t testing.TB, name string, opts ...orm.Option) *env {
	t.Helper()
	ctx := context.Background()
	u := fresh.URL(t, name, "dl_orm")
	c := &counter{}
	eng, err := dlayer.Open(ctx, "testdata", u, engine.WithTracer(engine.TracerFunc(c.trace)))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { eng.Close() })
	if err := eng.CreateAll(ctx); err != nil {
		t.Fatalf("create all: %v", err)
	}
	db, err := orm.New(eng, opts...)
	if err != nil {
		t.Fatalf("orm.New: %v", err)
	}
	c.reset()
	return &env{name: name, url: u, eng: eng, db: db, n: c}
}

// each runs fn against every database, in parallel.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, setup(t, name))
		})
	}
}

// each2 runs fn for every database name, in parallel.
func each2(t *testing.T, fn func(t *testing.T, name string)) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, name)
		})
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, e *env, table string) int64 {
	t.Helper()
	n, err := engine.Scalar[int64](context.Background(), e.eng, stmtCount(e, table))
	must(t, err)
	return n
}
