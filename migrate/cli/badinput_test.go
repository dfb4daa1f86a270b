package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dlayer/dlayer/migrate/cli"
)

// TestBadInput runs every subcommand and Inspect with empty, nil,
// cancelled and closed arguments: each must exit non-zero with a message
// on stderr, promptly, and never panic.
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "x.db")
	// A "closed" database: a path whose directory is gone.
	gone := "sqlite:" + filepath.Join(dir, "gone", "x.db")
	type tc struct {
		name string
		ctx  context.Context
		o    cli.Options
		sub  string
		args []string
	}
	var cases []tc
	for _, sub := range append([]string{"", "bogus"}, cli.Subcommands...) {
		cases = append(cases,
			tc{"empty options " + sub, ctx, cli.Options{}, sub, nil},
			tc{"cancelled " + sub, cancelled, cli.Options{URL: db, Dir: filepath.Join(dir, "none"), Models: filepath.Join(dir, "none")}, sub, nil},
			tc{"unreachable database " + sub, ctx, cli.Options{URL: gone, Dir: filepath.Join(dir, "none")}, sub, nil},
			tc{"bad URL " + sub, ctx, cli.Options{URL: "postgres://u:p@[::1/x"}, sub, []string{""}},
			tc{"bad format " + sub, ctx, cli.Options{URL: db, Format: "xml"}, sub, []string{"-1"}},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			c.o.Stdout, c.o.Stderr = &out, &errb
			if c.o.Dir == "" {
				c.o.Dir = filepath.Join(dir, "none")
			}
			c.o.LockTimeout = time.Second
			code := run(t, func() int { return cli.Migrate(c.ctx, c.o, c.sub, c.args) })
			if code == cli.ExitOK {
				t.Errorf("exit 0\nstdout: %s\nstderr: %s", out.String(), errb.String())
			}
			if errb.Len() == 0 {
				t.Error("nothing on stderr")
			}
		})
	}
	for _, o := range []cli.InspectOptions{{}, {URL: gone}, {URL: "postgres://u:p@[::1/x"}, {URL: db, Out: filepath.Join(dir, "no", "such", "\x00")}} {
		t.Run(fmt.Sprintf("inspect %q", o.URL), func(t *testing.T) {
			var errb bytes.Buffer
			o.Stdout, o.Stderr = &bytes.Buffer{}, &errb
			if code := run(t, func() int { return cli.Inspect(ctx, o) }); code == cli.ExitOK {
				t.Error("exit 0")
			}
		})
	}
	t.Run("inspect cancelled", func(t *testing.T) {
		if code := run(t, func() int {
			return cli.Inspect(cancelled, cli.InspectOptions{URL: db, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
		}); code == cli.ExitOK {
			t.Error("exit 0")
		}
	})
	_ = os.Remove(filepath.Join(dir, "x.db"))
}

// run calls fn, failing on a panic or on no return within 15s.
func run(t *testing.T, fn func() int) int {
	t.Helper()
	done := make(chan int, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("panic: %v", r)
				done <- -1
			}
		}()
		done <- fn()
	}()
	select {
	case code := <-done:
		return code
	case <-time.After(15 * time.Second):
		t.Fatal("hang: no return within 15s")
		return -1
	}
}
