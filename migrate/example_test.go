package migrate_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing/fstest"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/loader"
	"github.com/dlayer/dlayer/migrate"
)

// ExampleRun applies the migrations an application embeds, at start-up.
func ExampleRun() {
	dir, _ := os.MkdirTemp("", "dlayer-example-")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	d, pool, err := dialects.Open(ctx, "sqlite:"+filepath.Join(dir, "app.db"), dialects.PoolOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()

	// In an application: //go:embed migrations/*.sql, then fs.Sub.
	migrations := fstest.MapFS{
		"20261125120000_create_users.sql": {Data: []byte(
			"-- +dlayer Up\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n" +
				"-- +dlayer Down\nDROP TABLE users;\n")},
	}
	res, err := migrate.Run(ctx, d, pool, migrations)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range res.Steps {
		fmt.Println("applied", s.Version, s.Name)
	}
	// A second start finds nothing to do.
	res, _ = migrate.Run(ctx, d, pool, migrations)
	fmt.Println("second run applied", len(res.Steps))
	// Output:
	// applied 20261125120000 create_users
	// second run applied 0
}

// ExampleDiff compares two versions of a YAML schema.
func ExampleDiff() {
	v1, _ := loader.Load(fstest.MapFS{"m.yaml": {Data: []byte(`
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 50}
      age: {type: integer, nullable: true}
`)}})
	v2, _ := loader.Load(fstest.MapFS{"m.yaml": {Data: []byte(`
models:
  User:
    table: members
    renamed_from: users
    columns:
      id: {type: integer, primary_key: true}
      full_name: {type: string, length: 100, renamed_from: name}
`)}})
	plan, err := migrate.Diff(v1, v2, migrate.DiffOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range plan.Up {
		mark := ""
		if c.Destructive {
			mark = " [destructive]"
		}
		fmt.Println(migrate.Describe(c) + mark)
	}
	// Output:
	// rename table members (users -> members)
	// rename column members.full_name (name -> full_name)
	// alter column members.full_name (type string(50) -> string(100))
	// drop column members.age [destructive]
}

// ExampleLockMode takes the table lock, the one that works through a
// transaction-pooling pooler and replicates across a cluster. A URL can
// choose it too: ?migrate_lock=table (or, on PostgreSQL,
// ?pooler=transaction).
func ExampleLockMode() {
	dir, _ := os.MkdirTemp("", "dlayer-example-")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	d, pool, err := dialects.Open(ctx, "sqlite:"+filepath.Join(dir, "app.db"), dialects.PoolOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	migrations := fstest.MapFS{
		"20261125120000_create_users.sql": {Data: []byte(
			"-- +dlayer Up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n-- +dlayer Down\nDROP TABLE users;\n")},
	}
	r, err := migrate.New(migrate.Config{Dialect: d, Pool: pool, Dir: migrations,
		Lock: migrate.LockTable, LockLease: 30 * time.Second})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("lock:", r.LockMode())
	res, err := r.Up(ctx, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("applied", len(res.Steps))
	// A migrator that crashed while holding the lock leaves its row; it
	// expires after LockLease, or Unlock (dlayer migrate resolve --unlock)
	// removes it at once.
	fmt.Println("unlock:", r.Unlock(ctx))
	// Output:
	// lock: table
	// applied 1
	// unlock: <nil>
}
