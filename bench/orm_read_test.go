package bench

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// The ORM read path (issue 11): reading by key and reading 100 rows
// through a session (identity map and snapshot included), select-in eager
// loading at three sizes, and joined loading of one parent per child.
//
//	BenchmarkPGORMRead/Read/lib=…          pgx, dlayer (orm.Get), gorm, bun
//	BenchmarkPGORMRead/ReadSlice/lib=…     pgx, dlayer (orm.All), gorm, bun
//	BenchmarkPGORMRead/EagerLoad100/lib=…  pgx (two queries), dlayer, gorm, bun
//	BenchmarkPGORMRead/EagerLoad1k/lib=…   the same, 1,000 parents
//	BenchmarkPGORMRead/EagerLoad10k/lib=…  the same, 10,000 parents
//	BenchmarkPGORMRead/Joined5k/lib=…      pgx (one LEFT JOIN), dlayer (orm.Joined),
//	                                       dlayer-selectin (orm.SelectIn)
//
// Every dlayer operation opens a new session and closes it, as a request
// would, so no case is served from an identity map filled by an earlier
// iteration.

const (
	eagerUsers = 10_000 // parents seeded for EagerLoad10k (10 posts each)
	joinPosts  = 5_000  // Joined5k: children, each with its one parent
)

type (
	// joinLoader loads the first limit posts by id, each with its user,
	// and returns a summary of what it loaded.
	joinLoader interface {
		JoinLoad(ctx context.Context, limit int) (joinLoaded, error)
	}
	// eagerSized is EagerLoad for the sized cases (eagerLoader under
	// another name, so that contenders opt in to the sized cases).
	eagerSized interface {
		EagerLoadN(ctx context.Context, limit int) (loaded, error)
	}
)

// joinLoaded summarises a joined load: posts, distinct users, and posts
// whose user is missing or is not the post's.
type joinLoaded struct{ posts, users, wrong int }

// ormReadContenders take part in BenchmarkPGORMRead, in this column order.
var ormReadContenders = []contender{
	{"pgx", openPgx},
	{"dlayer", openDlayerORMRead},
	{"dlayer-selectin", openDlayerSelectIn},
	{"gorm", openGorm},
	{"bun", openBun},
}

// BenchmarkPGORMRead runs the ORM read cases on PostgreSQL.
func BenchmarkPGORMRead(b *testing.B) {
	e := pgSetup(b)
	e.ensureEager(b)
	runCases(b, []benchCase{
		caseOf("Read", withCPU(benchRead)),
		caseOf("ReadSlice", withCPU(func(b *testing.B, c sliceReader) { benchSlice(b, c, sliceRows, false) })),
		caseOf("EagerLoad100", withCPU(func(b *testing.B, c eagerSized) { benchEagerN(b, c, 100) })),
		caseOf("EagerLoad1k", withCPU(func(b *testing.B, c eagerSized) { benchEagerN(b, c, 1_000) })),
		caseOf("EagerLoad10k", withCPU(func(b *testing.B, c eagerSized) { benchEagerN(b, c, eagerUsers) })),
		caseOf("Joined5k", withCPU(func(b *testing.B, c joinLoader) { benchJoin(b, c, joinPosts) })),
	}, ormReadContenders, &ormReadHandles, e.dsn)
}

// withCPU adds the metric cpu-ns/op: the CPU time (user and system, every
// thread of the process, the garbage collector's included) per operation.
// It leaves out the database server's work and the time spent waiting
// for a core, so on a shared machine it compares the contenders' own cost
// far more steadily than ns/op does.
func withCPU[I any](run func(b *testing.B, c I)) func(b *testing.B, c I) {
	return func(b *testing.B, c I) {
		start := processCPU()
		run(b, c)
		b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
	}
}

// processCPU returns the process's user and system CPU time so far, in
// nanoseconds.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

var (
	ormReadHandles opened
	eagerOnce      sync.Once
	eagerErr       error
)

// ensureEager seeds users up to eagerUsers, each new one with postsPer
// posts (interleaved, as seedUsers does), with COPY: about a second.
func (e *pgEnv) ensureEager(b *testing.B) {
	eagerOnce.Do(func() {
		ctx := context.Background()
		var have int
		if eagerErr = e.pool.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&have); eagerErr != nil || have >= eagerUsers {
			return
		}
		first, n := have+1, eagerUsers-have
		u := 0
		_, eagerErr = e.pool.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "name", "email"}, pgx.CopyFromFunc(func() ([]any, error) {
			if u == n {
				return nil, nil
			}
			id := first + u
			u++
			return []any{int64(id), fmt.Sprintf("user %d", id), fmt.Sprintf("user%d@example.com", id)}, nil
		}))
		if eagerErr != nil {
			return
		}
		p := 0
		_, eagerErr = e.pool.CopyFrom(ctx, pgx.Identifier{"posts"}, []string{"user_id", "title", "body"}, pgx.CopyFromFunc(func() ([]any, error) {
			if p == n*postsPer {
				return nil, nil
			}
			uid := int64(first + p%n)
			p++
			return []any{uid, fmt.Sprintf("post of user %d", uid), "Lorem ipsum dolor sit amet, consectetur adipiscing elit."}, nil
		}))
		if eagerErr != nil {
			return
		}
		for _, q := range []string{
			`SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))`,
			"ANALYZE users", "ANALYZE posts",
		} {
			if _, eagerErr = e.pool.Exec(ctx, q); eagerErr != nil {
				return
			}
		}
	})
	if eagerErr != nil {
		b.Fatalf("seed %d users: %v", eagerUsers, eagerErr)
	}
}

func benchEagerN(b *testing.B, c eagerSized, n int) {
	ctx := context.Background()
	want := loaded{users: n, posts: n * postsPer}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := c.EagerLoadN(ctx, n)
		if err != nil {
			b.Fatal(err)
		}
		if got != want {
			b.Fatalf("EagerLoad(%d) loaded %+v, want %+v", n, got, want)
		}
	}
}

func benchJoin(b *testing.B, c joinLoader, n int) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := c.JoinLoad(ctx, n)
		if err != nil {
			b.Fatal(err)
		}
		if got.posts != n || got.wrong != 0 || got.users == 0 {
			b.Fatalf("JoinLoad(%d) loaded %+v", n, got)
		}
	}
}

// The hand-written and other-ORM sides of the sized eager cases are their
// EagerLoad.
func (p *pgxBench) EagerLoadN(ctx context.Context, n int) (loaded, error) { return p.EagerLoad(ctx, n) }
func (g *gormBench) EagerLoadN(ctx context.Context, n int) (loaded, error) {
	return g.EagerLoad(ctx, n)
}
func (b *bunBench) EagerLoadN(ctx context.Context, n int) (loaded, error) { return b.EagerLoad(ctx, n) }

const pgJoinSQL = `SELECT p.id, p.user_id, p.title, p.body, u.id, u.name, u.email
FROM posts p LEFT JOIN users u ON u.id = p.user_id ORDER BY p.id LIMIT $1`

// JoinLoad is the hand-written join: one query, each user built once
// (a map by id) and shared by its posts, as an ORM's identity map does.
func (p *pgxBench) JoinLoad(ctx context.Context, limit int) (joinLoaded, error) {
	rows, err := p.pool.Query(ctx, pgJoinSQL, limit)
	if err != nil {
		return joinLoaded{}, err
	}
	defer rows.Close()
	type post struct {
		Post
		User *User
	}
	var posts []*post
	byID := map[int64]*User{}
	for rows.Next() {
		po := &post{}
		var u User
		var uid *int64
		var name, email *string
		if err := rows.Scan(&po.ID, &po.UserID, &po.Title, &po.Body, &uid, &name, &email); err != nil {
			return joinLoaded{}, err
		}
		if uid != nil {
			if have := byID[*uid]; have != nil {
				po.User = have
			} else {
				u.ID, u.Name, u.Email = *uid, *name, *email
				po.User = &u
				byID[u.ID] = po.User
			}
		}
		posts = append(posts, po)
	}
	if err := rows.Err(); err != nil {
		return joinLoaded{}, err
	}
	l := joinLoaded{posts: len(posts), users: len(byID)}
	for _, po := range posts {
		if po.User == nil || po.User.ID != po.UserID {
			l.wrong++
		}
	}
	return l, nil
}

// ReadUser and ReadPost are the users and posts as the read cases bind
// them, with both sides of the relationship.
type ReadUser struct {
	ID    int64
	Name  string
	Email string
	Posts []*ReadPost
}

// ReadPost is a post with its user.
type ReadPost struct {
	ID     int64
	UserID int64
	Title  string
	Body   string
	User   *ReadUser
}

// dlayerORMRead is the dlayer contender of BenchmarkPGORMRead: the ORM on
// the engine of the dlayer contender, one session per operation.
type dlayerORMRead struct {
	db      *orm.DB
	models  *stmt.Table
	modelID *stmt.Column
	users   *stmt.Table
	userID  *stmt.Column
	posts   *stmt.Table
	postID  *stmt.Column
}

func openDlayerORMRead(ctx context.Context, dsn string) (any, error) {
	h, err := openDlayer(ctx, dsn)
	if err != nil {
		return nil, err
	}
	d := h.(*dlayerBench)
	atExit(d.Close)
	db, err := orm.New(d.e, orm.Bind[Model]("Model"), orm.Bind[ReadUser]("User"), orm.Bind[ReadPost]("Post"))
	if err != nil {
		return nil, err
	}
	r := &dlayerORMRead{db: db, models: orm.TableOf[Model](db), users: orm.TableOf[ReadUser](db), posts: orm.TableOf[ReadPost](db)}
	r.modelID, r.userID, r.postID = r.models.C("id"), r.users.C("id"), r.posts.C("id")
	return r, nil
}

// Read gets the object by primary key in a new session.
func (d *dlayerORMRead) Read(ctx context.Context, id int64, m *Model) error {
	s := d.db.Session()
	defer s.Close(ctx)
	got, err := orm.Get[Model](ctx, s, id)
	if err != nil {
		return err
	}
	*m = *got
	return nil
}

// ReadSlice queries limit objects in a new session.
func (d *dlayerORMRead) ReadSlice(ctx context.Context, after int64, limit int) ([]Model, error) {
	s := d.db.Session()
	defer s.Close(ctx)
	q := stmt.Select(d.models).Where(d.modelID.Gt(after)).OrderBy(stmt.Asc(d.modelID)).Limit(limit)
	ms, err := orm.All[Model](ctx, s, q)
	if err != nil {
		return nil, err
	}
	out := make([]Model, len(ms))
	for i, m := range ms {
		out[i] = *m
	}
	return out, nil
}

// EagerLoadN loads the first n users with their posts select-in.
func (d *dlayerORMRead) EagerLoadN(ctx context.Context, n int) (loaded, error) {
	s := d.db.Session()
	defer s.Close(ctx)
	q := stmt.Select(d.users).OrderBy(stmt.Asc(d.userID)).Limit(n)
	us, err := orm.All[ReadUser](ctx, s, q, orm.SelectIn("posts"))
	if err != nil {
		return loaded{}, err
	}
	l := loaded{users: len(us)}
	for _, u := range us {
		for j, p := range u.Posts {
			l.posts++
			if p.UserID != u.ID || (j > 0 && p.ID <= u.Posts[j-1].ID) || p.User != u {
				l.misplaced++
			}
		}
	}
	return l, nil
}

// JoinLoad loads the first limit posts with their users joined.
func (d *dlayerORMRead) JoinLoad(ctx context.Context, limit int) (joinLoaded, error) {
	return d.postsWithUsers(ctx, limit, orm.Joined("user"))
}

func (d *dlayerORMRead) postsWithUsers(ctx context.Context, limit int, how orm.Load) (joinLoaded, error) {
	s := d.db.Session()
	defer s.Close(ctx)
	q := stmt.Select(d.posts).OrderBy(stmt.Asc(d.postID)).Limit(limit)
	ps, err := orm.All[ReadPost](ctx, s, q, how)
	if err != nil {
		return joinLoaded{}, err
	}
	l := joinLoaded{posts: len(ps)}
	seen := map[*ReadUser]bool{}
	for _, p := range ps {
		if p.User == nil || p.User.ID != p.UserID {
			l.wrong++
			continue
		}
		seen[p.User] = true
	}
	l.users = len(seen)
	return l, nil
}

// dlayerSelectIn is the same ORM loading the posts' users select-in: the
// baseline of the joined case.
type dlayerSelectIn struct{ d *dlayerORMRead }

func openDlayerSelectIn(ctx context.Context, dsn string) (any, error) {
	h, err := openDlayerORMRead(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return &dlayerSelectIn{h.(*dlayerORMRead)}, nil
}

// JoinLoad loads the first limit posts, then their users select-in.
func (d *dlayerSelectIn) JoinLoad(ctx context.Context, limit int) (joinLoaded, error) {
	return d.d.postsWithUsers(ctx, limit, orm.SelectIn("user"))
}
