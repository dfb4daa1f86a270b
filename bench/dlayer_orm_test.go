package bench

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// ORMUser and ORMPost are User and Post as dlayer's ORM binds them: its
// relationship collections hold pointers ([]*T), the objects of the
// session's identity map.
type ORMUser struct {
	ID    int64
	Name  string
	Email string
	Posts []*ORMPost
}

// ORMPost is a post bound to the Post model.
type ORMPost struct {
	ID     int64
	UserID int64
	Title  string
	Body   string
}

// dlayerORM is the ORM half of the dlayer contender: an orm.DB over the
// contender's engine (for EagerLoad and Flush) and one over a second engine
// whose Tracer counts round trips (for IdentityGet, to prove it sends none;
// kept apart so that no other case pays for the tracer).
type dlayerORM struct {
	db      *orm.DB
	traced  *orm.DB
	queries atomic.Int64
	users   *stmt.Table
	userID  *stmt.Column
}

func newDlayerORM(ctx context.Context, e *engine.Engine, url string) (*dlayerORM, error) {
	o := &dlayerORM{}
	binds := []orm.Option{orm.Bind[Model]("Model"), orm.Bind[ORMUser]("User"), orm.Bind[ORMPost]("Post")}
	var err error
	if o.db, err = orm.New(e, binds...); err != nil {
		return nil, err
	}
	count := engine.TracerFunc(func(ctx context.Context, _ engine.QueryInfo) (context.Context, func(error)) {
		o.queries.Add(1)
		return ctx, func(error) {}
	})
	te, err := engine.Open(ctx, url, engine.WithSchema(e.Schema()), engine.WithTracer(count))
	if err != nil {
		return nil, err
	}
	atExit(func() { te.Close() })
	if o.traced, err = orm.New(te, binds...); err != nil {
		return nil, err
	}
	o.users = orm.TableOf[ORMUser](o.db)
	o.userID = o.users.C("id")
	return o, nil
}

// EagerLoad runs the users query with the posts relationship loaded
// select-in, in a new session (one per request, as an application would).
func (d *dlayerBench) EagerLoad(ctx context.Context, limit int) (loaded, error) {
	s := d.orm.db.Session()
	defer s.Close(ctx)
	q := stmt.Select(d.orm.users).OrderBy(stmt.Asc(d.orm.userID)).Limit(limit)
	us, err := orm.All[ORMUser](ctx, s, q, orm.SelectIn("posts"))
	if err != nil {
		return loaded{}, err
	}
	l := loaded{users: len(us)}
	for _, u := range us {
		for j, p := range u.Posts {
			l.posts++
			if p.UserID != u.ID || (j > 0 && p.ID <= u.Posts[j-1].ID) {
				l.misplaced++
			}
		}
	}
	return l, nil
}

// Flush adds every row to a new session and commits: the unit of work
// inserts them (batched multi-row INSERT … RETURNING) and sets their IDs.
func (d *dlayerBench) Flush(ctx context.Context, ms []Model) error {
	s := d.orm.db.Session(orm.WithExpireOnCommit(false))
	defer s.Close(ctx)
	for i := range ms {
		if err := s.Add(&ms[i]); err != nil {
			return err
		}
	}
	return s.Commit(ctx)
}

// OpenIdentity loads rows 1..n into a new session on the traced engine and
// returns Get on that session.
func (d *dlayerBench) OpenIdentity(ctx context.Context, n int) (identity, error) {
	s := d.orm.traced.Session()
	q := orm.Select[Model](d.orm.traced).Where(d.id.Le(int64(n)))
	ms, err := orm.All[Model](ctx, s, q)
	if err != nil {
		s.Close(ctx)
		return identity{}, err
	}
	if len(ms) != n {
		s.Close(ctx)
		return identity{}, fmt.Errorf("loaded %d rows, want %d", len(ms), n)
	}
	return identity{
		get:     func(ctx context.Context, id int64) (*Model, error) { return orm.Get[Model](ctx, s, id) },
		close:   func() { s.Close(ctx) },
		queries: d.orm.queries.Load,
	}, nil
}
