package bench

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/loader"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"

	_ "github.com/dlayer/dlayer/dialects/postgres" // registers postgres://
	_ "github.com/dlayer/dlayer/dialects/sqlite"   // registers sqlite:
)

// The dlayer contender sits right after the first column (pgx on
// PostgreSQL, database/sql on SQLite), so benchstat prints it next to its
// baseline.
func init() {
	pgContenders = slices.Insert(pgContenders, 1, contender{"dlayer", openDlayerPG})
	sqliteContenders = append(sqliteContenders, contender{"dlayer", openDlayerSQLite})
}

var (
	schemaOnce sync.Once
	schema     *spec.Schema
	schemaErr  error
)

// benchSchema loads bench/models once: the same tables the hand-written
// contenders create.
func benchSchema() (*spec.Schema, error) {
	schemaOnce.Do(func() {
		var diags spec.Diagnostics
		schema, diags = loader.LoadDir("models")
		if diags.HasErrors() {
			schema, schemaErr = nil, fmt.Errorf("load bench/models: %w", diags)
		}
	})
	return schema, schemaErr
}

// dlayerBench is the dlayer contender: an engine.Engine opened from a URL
// with the schema, statements built with stmt per call (the table
// and column handles are resolved once, as an application keeps them), and
// results mapped by engine.One, engine.All and engine.Stream.
type dlayerBench struct {
	e      *engine.Engine
	orm    *dlayerORM // nil on SQLite
	models *stmt.Table
	id     *stmt.Column
	cols   []string // the non-key columns, in insert order
}

func openDlayerPG(ctx context.Context, dsn string) (any, error) {
	h, err := openDlayer(ctx, dsn)
	if err != nil {
		return nil, err
	}
	d := h.(*dlayerBench)
	if d.orm, err = newDlayerORM(ctx, d.e, dsn); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// openDlayerSQLite turns the hand-written contender's modernc DSN into a
// dlayer URL for the same file; dlayer applies its own (identical) pragmas.
func openDlayerSQLite(ctx context.Context, dsn string) (any, error) {
	return openDlayer(ctx, "sqlite:"+sqliteFix.path)
}

func openDlayer(ctx context.Context, url string) (any, error) {
	s, err := benchSchema()
	if err != nil {
		return nil, err
	}
	e, err := engine.Open(ctx, url, engine.WithSchema(s))
	if err != nil {
		return nil, err
	}
	models := stmt.TableOf(s, "Model")
	return &dlayerBench{
		e:      e,
		models: models,
		id:     models.C("id"),
		cols:   []string{"name", "title", "fax", "web", "age", "right", "counter"},
	}, nil
}

func (d *dlayerBench) Close() { d.e.Close() }

func (d *dlayerBench) Insert(ctx context.Context, m *Model) error {
	q := stmt.Insert(d.models).Columns(d.cols...).
		Values(m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter).
		Returning(d.id)
	id, err := engine.Scalar[int64](ctx, d.e, q)
	m.ID = id
	return err
}

func (d *dlayerBench) InsertMulti(ctx context.Context, ms []Model) error {
	rows := make([][]any, len(ms))
	for i := range ms {
		m := &ms[i]
		rows[i] = []any{m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter}
	}
	q := stmt.Insert(d.models).Columns(d.cols...).Rows(rows...).Returning(d.id)
	ids, err := engine.All[int64](ctx, d.e, q)
	if err != nil {
		return err
	}
	if len(ids) != len(ms) {
		return fmt.Errorf("insert returned %d ids for %d rows", len(ids), len(ms))
	}
	for i, id := range ids {
		ms[i].ID = id
	}
	return nil
}

func (d *dlayerBench) Update(ctx context.Context, m *Model) error {
	q := stmt.Update(d.models).
		SetAll(d.cols, m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter).
		Where(d.id.Eq(m.ID))
	res, err := d.e.Exec(ctx, q)
	if err != nil {
		return err
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("update id %d: %d rows affected", m.ID, res.RowsAffected)
	}
	return nil
}

func (d *dlayerBench) Read(ctx context.Context, id int64, m *Model) (err error) {
	*m, err = engine.One[Model](ctx, d.e, stmt.Select(d.models).Where(d.id.Eq(id)))
	return err
}

func (d *dlayerBench) ReadSlice(ctx context.Context, after int64, limit int) ([]Model, error) {
	q := stmt.Select(d.models).Where(d.id.Gt(after)).OrderBy(stmt.Asc(d.id)).Limit(limit)
	return engine.All[Model](ctx, d.e, q)
}

func (d *dlayerBench) Stream(ctx context.Context, limit int, fn func(*Model)) error {
	for m, err := range engine.Stream[Model](ctx, d.e, stmt.Select(d.models).Limit(limit)) {
		if err != nil {
			return err
		}
		fn(&m)
	}
	return nil
}
