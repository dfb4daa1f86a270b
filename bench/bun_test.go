package bench

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// bunBench is the bun contender, over pgx's stdlib driver in simple-protocol
// mode (bun formats arguments into the SQL text itself, so preparing every
// distinct text would only add round trips). bun's own pgdriver has no
// release matching bun v1.3.0 (its latest is v1.2.18).
type bunBench struct{ db *bun.DB }

func openBun(ctx context.Context, dsn string) (any, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	return &bunBench{db: bun.NewDB(stdlib.OpenDB(*cfg), pgdialect.New())}, nil
}

func (b *bunBench) Close() { b.db.Close() }

func (b *bunBench) Insert(ctx context.Context, m *Model) error {
	_, err := b.db.NewInsert().Model(m).Exec(ctx)
	return err
}

func (b *bunBench) InsertMulti(ctx context.Context, ms []Model) error {
	_, err := b.db.NewInsert().Model(&ms).Exec(ctx)
	return err
}

func (b *bunBench) Update(ctx context.Context, m *Model) error {
	_, err := b.db.NewUpdate().Model(m).WherePK().Exec(ctx)
	return err
}

func (b *bunBench) Read(ctx context.Context, id int64, m *Model) error {
	return b.db.NewSelect().Model(m).Where("id = ?", id).Scan(ctx)
}

func (b *bunBench) ReadSlice(ctx context.Context, after int64, limit int) ([]Model, error) {
	var ms []Model
	err := b.db.NewSelect().Model(&ms).Where("id > ?", after).Order("id").Limit(int64(limit)).Scan(ctx)
	return ms, err
}

func (b *bunBench) Stream(ctx context.Context, limit int, fn func(*Model)) error {
	rows, err := b.db.NewSelect().Model((*Model)(nil)).Limit(int64(limit)).Rows(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var m Model
		if err := b.db.ScanRow(ctx, rows, &m); err != nil {
			return err
		}
		fn(&m)
	}
	return rows.Err()
}

func (b *bunBench) EagerLoad(ctx context.Context, limit int) (loaded, error) {
	var us []User
	err := b.db.NewSelect().Model(&us).
		Relation("Posts", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("id") }).
		Order("id").Limit(int64(limit)).Scan(ctx)
	return summarize(us), err
}

// Flush inserts all rows in one multi-row statement inside a transaction
// (bun formats values into the text, so there is no parameter limit).
func (b *bunBench) Flush(ctx context.Context, ms []Model) error {
	return b.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(&ms).Exec(ctx)
		return err
	})
}
