package cli_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dlayer/dlayer/dialects"
	_ "github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/migrate/cli"
)

// TestLockFlag: --lock chooses the migration lock. With --lock table on
// PostgreSQL, a crashed migrator's lock row makes `up` fail with the
// resolve hint, and `resolve --unlock` removes it; a bad value is a usage
// error; with the advisory lock, resolve --unlock explains there is
// nothing to remove.
func TestLockFlag(t *testing.T) {
	p := newProject(t)
	p.url = fresh.URL(t, "postgres", "dl_cli_lock")
	p.models(models1)
	table := func(o *cli.Options) { o.Lock = "table" }
	p.want(cli.ExitOK, p.run("diff", nil, func(o *cli.Options) { o.Message = "create users" }), "diff")
	p.want(cli.ExitOK, p.run("resolve", nil, func(o *cli.Options) { table(o); o.Unlock = true }), "resolve --unlock creates the lock table")
	_, pool, err := dialects.Open(context.Background(), p.url, dialects.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(context.Background(), `INSERT INTO dlayer_migrations_lock VALUES (1, 'crashed', $1)`,
		"2999-01-01T00:00:00Z"); err != nil {
		t.Fatal(err)
	}
	p.want(cli.ExitFail, p.run("up", nil, func(o *cli.Options) { table(o); o.LockTimeout = 300 * time.Millisecond }), "up while a lock row is held")
	if !strings.Contains(p.stderr.String(), "resolve --unlock") {
		t.Errorf("the lock timeout does not point to resolve --unlock: %s", p.stderr.String())
	}
	p.want(cli.ExitOK, p.run("resolve", nil, func(o *cli.Options) { table(o); o.Unlock = true }), "resolve --unlock")
	p.want(cli.ExitOK, p.run("up", nil, table), "up after unlock")
	p.want(cli.ExitUsage, p.run("up", nil, func(o *cli.Options) { o.Lock = "rows" }), "--lock rows")
	if !strings.Contains(p.stderr.String(), "unknown Config.Lock") {
		t.Errorf("bad --lock: %s", p.stderr.String())
	}
	p.want(cli.ExitFail, p.run("resolve", nil, func(o *cli.Options) { o.Lock = "advisory"; o.Unlock = true }), "resolve --unlock --lock advisory")
	if !strings.Contains(p.stderr.String(), "nothing to remove") {
		t.Errorf("advisory unlock: %s", p.stderr.String())
	}
}
