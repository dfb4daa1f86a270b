package mysql

import (
	"context"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/testdb"
)

// TestGaleraPoolPreparesNothing: a pool that sends parameters in the query
// text (as Galera nodes get) keeps no statement cache.
func TestGaleraPoolPreparesNothing(t *testing.T) {
	ctx := context.Background()
	p, err := openPool(ctx, testdb.URL(t, testdb.MySQL), dialects.PoolOptions{MaxOpenConns: 1}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for range 3 {
		rows, err := p.Query(ctx, "SELECT ? + 1", 1)
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	if n := p.PreparedStatements(); n != 0 {
		t.Fatalf("text-parameter pool prepared %d statements", n)
	}
	q, err := OpenPool(ctx, testdb.URL(t, testdb.MySQL), dialects.PoolOptions{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	for range 3 {
		rows, err := q.Query(ctx, "SELECT ? + 1", 1)
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	if n := q.PreparedStatements(); n != 1 {
		t.Fatalf("binary-protocol pool prepared %d statements for 3 runs of one, want 1", n)
	}
}
