package faulttest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
)

// TestConcurrentMigratorProcessesTableLock starts eight `dlayer migrate up`
// processes at once with the table lock: on PostgreSQL and MariaDB directly
// (?migrate_lock=table), and through pgbouncer in transaction mode with
// four server connections (?pooler=transaction, where each process's pool
// has four connections of its own). All must succeed and each migration
// must run exactly once. (A SIGKILLed holder of the table lock is
// migrate's TestTableLockHolderKilled.)
func TestConcurrentMigratorProcessesTableLock(t *testing.T) {
	variants := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"postgres", func(t *testing.T) string { return withQuery(urlFor(t, testdb.Postgres), "migrate_lock=table") }},
		{"mysql", func(t *testing.T) string { return withQuery(urlFor(t, testdb.MySQL), "migrate_lock=table") }},
		{"pgbouncer", func(t *testing.T) string { return fresh.PooledURL(t, "dlayer_fault", "pooler=transaction") }},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			url := v.url(t)
			dir := writeMigrations(t)
			var wg sync.WaitGroup
			codes := make([]int, 8)
			outs := make([]string, 8)
			for i := range codes {
				wg.Go(func() { codes[i], outs[i] = runDlayer(t, url, dir, "up") })
			}
			waitOrFail(t, &wg, 120*time.Second, "concurrent migrators")
			for i, c := range codes {
				if c != 0 {
					t.Errorf("migrator %d: exit %d\n%s", i, c, outs[i])
				}
			}
			if applied, dirty := checkState(t, url); applied != migrations || dirty != nil {
				t.Fatalf("%d applied, dirty %v", applied, dirty)
			}
		})
	}
}

func withQuery(u, q string) string {
	if strings.Contains(u, "?") {
		return u + "&" + q
	}
	return u + "?" + q
}
