package engine_test

import (
	"context"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/stmt"
)

// BenchmarkPGTx: a Core transaction of one INSERT (Engine.Tx), and one of
// two UPDATEs sent as a batch (Tx.ExecBatch), on PostgreSQL: the cost of
// Begin and of the round trips around the statements.
func BenchmarkPGTx(b *testing.B) {
	ctx := context.Background()
	e, err := engine.Open(ctx, testdb.URL(b, testdb.Postgres))
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	for _, sql := range []string{"DROP TABLE IF EXISTS txbench", "CREATE TABLE txbench (id bigserial PRIMARY KEY, v bigint)",
		"INSERT INTO txbench (v) VALUES (1), (2)"} {
		if _, err := e.Exec(ctx, stmt.Text(sql)); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("Insert", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			err := e.Tx(ctx, func(tx *engine.Tx) error {
				_, err := tx.Exec(ctx, stmt.Text("INSERT INTO txbench (v) VALUES (:v)").Bind("v", i))
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Batch2", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			err := e.Tx(ctx, func(tx *engine.Tx) error {
				_, err := tx.ExecBatch(ctx, []stmt.Statement{
					stmt.Text("UPDATE txbench SET v = :v WHERE id = 1").Bind("v", i),
					stmt.Text("UPDATE txbench SET v = :v WHERE id = 2").Bind("v", i),
				})
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
