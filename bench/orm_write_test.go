package bench

import (
	"context"
	"fmt"
	"slices"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

// The dlayer ORM takes part in BenchmarkPG's write cases (Insert,
// InsertMulti, Update) as lib=dlayer-orm, right after the Core contender,
// so `benchstat -col /lib` prints it beside pgx.
func init() {
	at := 1
	for i, c := range pgContenders {
		if c.name == "dlayer" {
			at = i + 1
		}
	}
	pgContenders = slices.Insert(pgContenders, at, contender{"dlayer-orm", openDlayerORMWrite})
}

// dlayerORMWrite is the ORM write contender: each operation is one unit of
// work in its own transaction — a new session, Add, Commit for inserts; a
// change to a loaded object, Commit for updates — as an application
// writes through the ORM.
type dlayerORMWrite struct {
	e  *engine.Engine
	db *orm.DB
	// loaded holds, for Update, one session per row 1..updateSpan with that
	// row loaded, loaded when the contender is opened (loading is not
	// measured: an update changes an object the session already has).
	loaded []loadedModel
}

type loadedModel struct {
	s *orm.Session
	m *Model
}

func openDlayerORMWrite(ctx context.Context, dsn string) (any, error) {
	s, err := benchSchema()
	if err != nil {
		return nil, err
	}
	e, err := engine.Open(ctx, dsn, engine.WithSchema(s))
	if err != nil {
		return nil, err
	}
	db, err := orm.New(e, orm.Bind[Model]("Model"))
	if err != nil {
		e.Close()
		return nil, err
	}
	d := &dlayerORMWrite{e: e, db: db}
	if err := d.loadAll(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func (d *dlayerORMWrite) Close() {
	for _, l := range d.loaded {
		l.s.Close(context.Background())
	}
	d.e.Close()
}

// Insert adds m to a new session and commits: one INSERT … RETURNING id.
func (d *dlayerORMWrite) Insert(ctx context.Context, m *Model) error {
	s := d.db.Session()
	defer s.Close(ctx)
	if err := s.Add(m); err != nil {
		return err
	}
	return s.Commit(ctx)
}

// InsertMulti adds every row to a new session and commits: one multi-row
// INSERT … RETURNING id that sets every ID.
func (d *dlayerORMWrite) InsertMulti(ctx context.Context, ms []Model) error {
	s := d.db.Session()
	defer s.Close(ctx)
	for i := range ms {
		if err := s.Add(&ms[i]); err != nil {
			return err
		}
	}
	if err := s.Commit(ctx); err != nil {
		return err
	}
	for i := range ms {
		if ms[i].ID == 0 {
			return fmt.Errorf("row %d got no ID", i)
		}
	}
	return nil
}

// Update copies m's columns into the loaded object of row m.ID and commits:
// the unit of work finds the changed columns and sends one UPDATE.
func (d *dlayerORMWrite) Update(ctx context.Context, m *Model) error {
	if m.ID < 1 || int(m.ID) > len(d.loaded) {
		return fmt.Errorf("update id %d: not loaded", m.ID)
	}
	l := d.loaded[m.ID-1]
	o := l.m
	o.Name, o.Title, o.Fax, o.Web, o.Age, o.Right, o.Counter = m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter
	return l.s.Commit(ctx)
}

// loadAll loads rows 1..updateSpan, each into a session of its own that
// keeps it loaded across commits.
func (d *dlayerORMWrite) loadAll(ctx context.Context) error {
	id := orm.TableOf[Model](d.db).C("id")
	d.loaded = make([]loadedModel, 0, updateSpan)
	for i := int64(1); i <= updateSpan; i++ {
		s := d.db.Session(orm.WithExpireOnCommit(false))
		m, err := orm.One[Model](ctx, s, stmt.Select(orm.TableOf[Model](d.db)).Where(id.Eq(i)))
		if err != nil {
			s.Close(ctx)
			return fmt.Errorf("load row %d: %w", i, err)
		}
		// End the read's transaction, if any, so the first measured
		// Commit is like every other.
		if err := s.Commit(ctx); err != nil {
			return err
		}
		d.loaded = append(d.loaded, loadedModel{s: s, m: m})
	}
	return nil
}
