package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestDDLBlog pins `dlayer ddl` for the blog example in every dialect and
// applies the output, then the --drop output, to a fresh real database.
func TestDDLBlog(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "ddl", "--dialect", name, "../../examples/blog/models")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden := filepath.Join("testdata", "ddl-blog-"+name+".sql")
			if *update {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if out != string(want) {
				t.Fatalf("ddl output differs from %s:\n%s", golden, out)
			}
			ctx := context.Background()
			_, pool, err := dialects.Open(ctx, fresh.URL(t, name, "dl_ddl"), dialects.PoolOptions{MaxOpenConns: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			apply := func(script string) {
				for _, st := range strings.Split(script, ";\n") {
					if strings.TrimSpace(st) == "" {
						continue
					}
					if _, err := pool.Exec(ctx, st); err != nil {
						t.Fatalf("apply %q: %v", st, err)
					}
				}
			}
			apply(out)
			if _, err := pool.Exec(ctx, `INSERT INTO users (name, email) VALUES ('a', 'a@x.org')`); err != nil {
				t.Fatalf("insert into the created table: %v", err)
			}
			code, drop, errOut := runCLI(t, "ddl", "--drop", "--dialect", name, "../../examples/blog/models")
			if code != exitOK {
				t.Fatalf("drop exit %d: %s", code, errOut)
			}
			apply(drop)
			if _, err := pool.Exec(ctx, `INSERT INTO users (name, email) VALUES ('a', 'a@x.org')`); err == nil {
				t.Fatal("users still exists after the drop script")
			}
		})
	}
}

func TestDDLUsage(t *testing.T) {
	if code, _, _ := runCLI(t, "ddl", "--dialect", "oracle", "../../examples/blog/models"); code != exitUsage {
		t.Fatalf("unknown dialect: exit %d", code)
	}
	if code, _, _ := runCLI(t, "ddl", "--dialect", "sqlite", "no/such/dir"); code != exitUsage {
		t.Fatalf("missing dir: exit %d", code)
	}
}
