package bench

import (
	"context"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// gormBench is the GORM contender with its recommended fast settings:
// SkipDefaultTransaction (single statements are not wrapped in a
// transaction, as for every other contender) and no logging. GORM's driver
// uses pgx's stdlib driver, whose statement cache prepares each SQL text
// once per connection.
type gormBench struct{ db *gorm.DB }

func openGorm(ctx context.Context, dsn string) (any, error) {
	db, err := gorm.Open(postgres.Open(dsn), &gorm.Config{
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
	})
	if err != nil {
		return nil, err
	}
	return &gormBench{db: db}, nil
}

func (g *gormBench) Close() {
	if db, err := g.db.DB(); err == nil {
		db.Close()
	}
}

func (g *gormBench) Insert(ctx context.Context, m *Model) error {
	return g.db.WithContext(ctx).Create(m).Error
}

func (g *gormBench) InsertMulti(ctx context.Context, ms []Model) error {
	return g.db.WithContext(ctx).Create(&ms).Error
}

func (g *gormBench) Update(ctx context.Context, m *Model) error {
	return g.db.WithContext(ctx).Save(m).Error
}

func (g *gormBench) Read(ctx context.Context, id int64, m *Model) error {
	return g.db.WithContext(ctx).Take(m, id).Error
}

func (g *gormBench) ReadSlice(ctx context.Context, after int64, limit int) ([]Model, error) {
	var ms []Model
	err := g.db.WithContext(ctx).Where("id > ?", after).Order("id").Limit(limit).Find(&ms).Error
	return ms, err
}

func (g *gormBench) Stream(ctx context.Context, limit int, fn func(*Model)) error {
	db := g.db.WithContext(ctx)
	rows, err := db.Model(&Model{}).Limit(limit).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var m Model
		if err := db.ScanRows(rows, &m); err != nil {
			return err
		}
		fn(&m)
	}
	return rows.Err()
}

func (g *gormBench) EagerLoad(ctx context.Context, limit int) (loaded, error) {
	var us []User
	err := g.db.WithContext(ctx).
		Preload("Posts", func(db *gorm.DB) *gorm.DB { return db.Order("id") }).
		Order("id").Limit(limit).Find(&us).Error
	return summarize(us), err
}

// Flush uses CreateInBatches (1,000 rows per statement) inside one
// transaction.
func (g *gormBench) Flush(ctx context.Context, ms []Model) error {
	return g.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.CreateInBatches(&ms, flushChunk).Error
	})
}
