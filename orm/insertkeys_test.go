package orm_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
)

// TestMariaDBInsertKeys checks how the ORM learns the keys MariaDB generates
// for a multi-row insert, for each insert_keys mode and server setting:
// INSERT … RETURNING on MariaDB ≥ 10.5 (right even with
// auto_increment_increment = 3, where LastInsertID + position would be
// wrong), one INSERT per row when forced or when the session's
// auto_increment_increment is not 1, and one multi-row INSERT with
// LastInsertID + position where the settings promise consecutive keys.
// Every object must end up with exactly the key the database gave its row
// (compared with a SELECT), while another connection inserts into the same
// table concurrently.
func TestMariaDBInsertKeys(t *testing.T) {
	const n = 100
	tests := []struct {
		name      string
		query     string
		returning bool // INSERT … RETURNING expected
		inserts   int  // INSERT statements the flush sends
		step      int64
	}{
		{name: "auto", query: "", returning: true, inserts: 1, step: 1},
		{name: "auto with increment 3", query: "auto_increment_increment=3", returning: true, inserts: 1, step: 3},
		{name: "per_row forced", query: "insert_keys=per_row", inserts: n, step: 1},
		{name: "last_insert_id with increment 3", query: "insert_keys=last_insert_id&auto_increment_increment=3", inserts: n, step: 3},
		{name: "last_insert_id consecutive", query: "insert_keys=last_insert_id", inserts: 1, step: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			u := fresh.URL(t, testdb.MySQL, "dl_orm_keys")
			if tc.query != "" {
				sep := "?"
				if strings.Contains(u, "?") {
					sep = "&"
				}
				u += sep + tc.query
			}
			c := &counter{}
			eng, err := dlayer.Open(ctx, "testdata/computed", u, engine.WithTracer(engine.TracerFunc(c.trace)))
			must(t, err)
			t.Cleanup(func() { eng.Close() })
			must(t, eng.CreateAll(ctx))
			f := eng.Dialect().Features()
			if f.Has(dialects.InsertReturning) != tc.returning {
				t.Fatalf("InsertReturning = %v, want %v", f.Has(dialects.InsertReturning), tc.returning)
			}
			db, err := orm.New(eng, orm.Bind[Line]("Line"))
			must(t, err)

			// Another connection inserts rows (qty 0) into the same table
			// for as long as the flush runs.
			_, other, err := dialects.Open(ctx, u, dialects.PoolOptions{MaxOpenConns: 1})
			must(t, err)
			defer other.Close()
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var concurrent atomic.Int64
			started := make(chan struct{})
			var once sync.Once
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer once.Do(func() { close(started) })
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := other.Exec(ctx, "INSERT INTO lines_computed (price, qty) VALUES (?, 0)", 1_000_000+i); err != nil {
						t.Errorf("concurrent insert: %v", err)
						return
					}
					if concurrent.Add(1) == 3 {
						once.Do(func() { close(started) })
					}
				}
			}()
			<-started // the other writer is running before the flush

			s := db.Session()
			defer s.Close(ctx)
			lines := make([]*Line, n)
			for i := range lines {
				lines[i] = &Line{Price: int64(i + 1), Qty: 2}
				must(t, s.Add(lines[i]))
			}
			c.reset()
			must(t, s.Commit(ctx))
			close(stop)
			wg.Wait()
			if concurrent.Load() < 3 {
				t.Fatalf("the concurrent writer inserted %d rows", concurrent.Load())
			}

			var inserts []string
			for _, q := range c.queries() {
				if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(q)), "INSERT") {
					inserts = append(inserts, q)
				}
			}
			if len(inserts) != tc.inserts {
				t.Fatalf("%d INSERT statements, want %d", len(inserts), tc.inserts)
			}
			for _, q := range inserts {
				if strings.Contains(q, "RETURNING") != tc.returning {
					t.Fatalf("INSERT has RETURNING = %v, want %v: %.200s", strings.Contains(q, "RETURNING"), tc.returning, q)
				}
			}

			// The keys the database gave each row, by its unique price.
			rows, err := other.Query(ctx, "SELECT id, price FROM lines_computed WHERE qty = 2")
			must(t, err)
			byPrice := map[int64]int64{}
			for rows.Next() {
				var id, price int64
				must(t, rows.Scan(&id, &price))
				byPrice[price] = id
			}
			must(t, rows.Close())
			if len(byPrice) != n {
				t.Fatalf("%d rows in the table, want %d", len(byPrice), n)
			}
			seen := map[int64]bool{}
			for i, l := range lines {
				if want := byPrice[l.Price]; l.ID != want {
					t.Fatalf("line %d (price %d): ID %d, the database gave it %d", i, l.Price, l.ID, want)
				}
				if seen[l.ID] {
					t.Fatalf("key %d assigned twice", l.ID)
				}
				seen[l.ID] = true
				if i > 0 && (l.ID-lines[i-1].ID)%tc.step != 0 {
					t.Errorf("keys %d, %d are not %d apart (auto_increment_increment not applied?)", lines[i-1].ID, l.ID, tc.step)
				}
				if tc.returning && (l.Total == nil || *l.Total != 2*l.Price) {
					t.Fatalf("line %d: total %v after insert, want %d (read back by RETURNING)", i, l.Total, 2*l.Price)
				}
			}
			// Objects are usable afterwards: Get by the assigned key.
			s2 := db.Session()
			defer s2.Close(ctx)
			got, err := orm.Get[Line](ctx, s2, lines[n-1].ID)
			must(t, err)
			if got.Price != int64(n) {
				t.Errorf("Get(%d).Price = %d, want %d", lines[n-1].ID, got.Price, n)
			}
			t.Logf("%d rows inserted concurrently", concurrent.Load())
		})
	}
}

// BenchmarkMariaDBInsertKeys measures a flush of 100 new objects with a
// generated key on MariaDB under each insert_keys mode (one op = one
// flush and commit):
//
//	go test ./orm/ -run '^$' -bench BenchmarkMariaDBInsertKeys -benchtime 30x -count 5
func BenchmarkMariaDBInsertKeys(b *testing.B) {
	for _, mode := range []string{"auto", "last_insert_id", "per_row"} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			eng, err := dlayer.Open(ctx, "testdata/computed", fresh.URL(b, testdb.MySQL, "dl_orm_kb")+"?insert_keys="+mode)
			must(b, err)
			b.Cleanup(func() { eng.Close() })
			must(b, eng.CreateAll(ctx))
			db, err := orm.New(eng, orm.Bind[Line]("Line"))
			must(b, err)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s := db.Session()
				for j := 0; j < 100; j++ {
					must(b, s.Add(&Line{Price: int64(j), Qty: 1}))
				}
				must(b, s.Commit(ctx))
				must(b, s.Close(ctx))
			}
		})
	}
}
