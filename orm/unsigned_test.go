package orm_test

import (
	"context"
	"math"
	"testing"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
)

type Counter struct {
	ID    uint32
	Hits  uint64
	Small uint16
}

// TestUnsignedColumns stores and reads back, through the ORM, values of
// MySQL UNSIGNED columns above the signed types' maximum (the largest
// BIGINT UNSIGNED, INT UNSIGNED and SMALLINT UNSIGNED values).
func TestUnsignedColumns(t *testing.T) {
	ctx := context.Background()
	eng, err := dlayer.Open(ctx, "testdata/unsigned", fresh.URL(t, testdb.MySQL, "dl_orm_uns"))
	must(t, err)
	t.Cleanup(func() { eng.Close() })
	must(t, eng.CreateAll(ctx))
	db, err := orm.New(eng, orm.Bind[Counter]("Counter"))
	must(t, err)
	s := db.Session()
	defer s.Close(ctx)
	c := &Counter{ID: math.MaxUint32, Hits: math.MaxUint64, Small: math.MaxUint16}
	must(t, s.Add(c))
	must(t, s.Commit(ctx))
	s2 := db.Session()
	defer s2.Close(ctx)
	got, err := orm.Get[Counter](ctx, s2, uint32(math.MaxUint32))
	must(t, err)
	if *got != *c {
		t.Errorf("read back %+v, want %+v", *got, *c)
	}
}
