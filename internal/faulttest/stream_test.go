package faulttest

import (
	"context"
	"testing"
	"time"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/stmt"
)

// TestBackendKilledMidStream kills the server backend of a connection that
// is streaming a large result: the stream must end with an error (never a
// silently short result) and nothing may hang. A backend killed mid-flush
// is orm's TestLostConnection. SQLite has no backend to kill; its writers
// are killed as processes in TestSQLiteWritersKilled.
func TestBackendKilledMidStream(t *testing.T) {
	const rows = 3_000_000
	for _, name := range []string{testdb.Postgres, testdb.MySQL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url := fresh.URL(t, name, "dlayer_fault")
			idQuery, kill := "SELECT pg_backend_pid()", "SELECT pg_terminate_backend(:id)"
			query := "SELECT n FROM generate_series(1, :rows) AS g(n)"
			if name == testdb.MySQL {
				idQuery, kill = "SELECT CONNECTION_ID()", "KILL :id"
				query = "SELECT seq AS n FROM seq_1_to_3000000 WHERE seq <= :rows" // MariaDB's Sequence engine
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			e, err := engine.Open(ctx, url, engine.WithMaxOpenConns(4))
			if err != nil {
				t.Fatal(err)
			}
			defer closeOrFail(t, e)
			tx, err := e.Begin(ctx, engine.TxOptions{})
			if err != nil {
				t.Fatal(err)
			}
			id, err := engine.Scalar[int64](ctx, tx, stmt.Text(idQuery))
			if err != nil {
				t.Fatal(err)
			}
			rs, err := tx.Query(ctx, stmt.Text(query).Bind("rows", rows))
			if err != nil {
				t.Fatal(err)
			}
			var got int64
			killed := false
			for rs.Next() {
				var n int64
				if err := rs.Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != got+1 {
					t.Fatalf("row %d after %d: the stream skipped rows", n, got)
				}
				got = n
				if got == 1000 && !killed {
					killed = true
					if _, err := e.Exec(ctx, stmt.Text(kill).Bind("id", id)); err != nil {
						t.Fatalf("kill the backend: %v", err)
					}
				}
			}
			err = rs.Err()
			_ = rs.Close()
			_ = tx.Rollback(ctx)
			if ctx.Err() != nil {
				t.Fatalf("hang: the stream did not end within the deadline (%d rows read)", got)
			}
			switch {
			case err == nil && got != rows:
				t.Fatalf("the stream ended without an error after %d of %d rows", got, rows)
			case err == nil:
				t.Logf("the server had sent all %d rows before the kill took effect", rows)
			default:
				t.Logf("stream ended after %d rows with: %v", got, err)
			}
			// The engine still works: the pool replaced the dead connection.
			if n, err := engine.Scalar[int64](ctx, e, stmt.Text("SELECT 1")); err != nil || n != 1 {
				t.Fatalf("after the kill: %d, %v", n, err)
			}
		})
	}
}
