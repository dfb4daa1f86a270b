package migrate_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/migrate"
	"github.com/dlayer/dlayer/spec"
)

// call runs fn, turning a panic into a test failure and a call that takes
// more than 10s into a hang, and returns its error.
func call(t *testing.T, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("panicked: %v", r)
			}
		}()
		done <- fn()
	}()
	select {
	case err := <-done:
		if err != nil && strings.HasPrefix(err.Error(), "panicked") {
			t.Error(err)
		}
		return err
	case <-time.After(10 * time.Second):
		t.Error("hang: no return within 10s")
		return fmt.Errorf("hang")
	}
}

// TestBadInput calls every exported entry point of package migrate with
// nil, empty, closed and cancelled arguments: each must return an error
// (or, where the input is legal, a result), never panic.
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	d, p, err := dialects.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "bad.db"), dialects.PoolOptions{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	dClosed, pClosed, err := dialects.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "closed.db"), dialects.PoolOptions{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	pClosed.Close()
	defer p.Close()
	dir := fstest.MapFS{"1_a.sql": {Data: []byte("-- +dlayer Up\nCREATE TABLE a (id INTEGER);\n-- +dlayer Down\nDROP TABLE a;\n")}}
	commentOnly := fstest.MapFS{"1_a.sql": {Data: []byte("-- +dlayer Up\n/* note */;\n")}}
	runner := func(cfg migrate.Config) *migrate.Runner {
		r, err := migrate.New(cfg)
		if err != nil {
			t.Fatalf("New(%+v): %v", cfg, err)
		}
		return r
	}
	wantErr := []struct {
		name string
		fn   func() error
	}{
		{"New without a dialect", func() error { _, err := migrate.New(migrate.Config{}); return err }},
		{"Run nil dialect", func() error { _, err := migrate.Run(ctx, nil, p, dir); return err }},
		{"Run nil pool", func() error { _, err := migrate.Run(ctx, d, nil, dir); return err }},
		{"Run nil dir", func() error { _, err := migrate.Run(ctx, d, p, nil); return err }},
		{"Run cancelled", func() error { _, err := migrate.Run(cancelled, d, p, dir); return err }},
		{"Run closed pool", func() error { _, err := migrate.Run(ctx, dClosed, pClosed, dir); return err }},
		{"Up without a pool", func() error { _, err := runner(migrate.Config{Dialect: d, Dir: dir}).Up(ctx, 0); return err }},
		{"Down without a pool", func() error { _, err := runner(migrate.Config{Dialect: d, Dir: dir}).Down(ctx, 1); return err }},
		{"History without a pool", func() error { _, err := runner(migrate.Config{Dialect: d}).History(ctx); return err }},
		{"Status without a pool", func() error { _, err := runner(migrate.Config{Dialect: d}).Status(ctx); return err }},
		{"Inspect without a pool", func() error { _, err := runner(migrate.Config{Dialect: d}).Inspect(ctx); return err }},
		{"Unlock without a pool", func() error { return runner(migrate.Config{Dialect: d}).Unlock(ctx) }},
		{"Resolve without a pool", func() error {
			return runner(migrate.Config{Dialect: d}).Resolve(ctx, "1", migrate.ResolveRolledBack)
		}},
		{"Up cancelled", func() error {
			_, err := runner(migrate.Config{Dialect: d, Pool: p, Dir: dir}).Up(cancelled, 0)
			return err
		}},
		{"Down cancelled", func() error {
			_, err := runner(migrate.Config{Dialect: d, Pool: p, Dir: dir}).Down(cancelled, 1)
			return err
		}},
		{"Status closed pool", func() error {
			_, err := runner(migrate.Config{Dialect: dClosed, Pool: pClosed}).Status(ctx)
			return err
		}},
		{"Inspect closed pool", func() error {
			_, err := runner(migrate.Config{Dialect: dClosed, Pool: pClosed}).Inspect(ctx)
			return err
		}},
		{"Resolve empty version", func() error {
			return runner(migrate.Config{Dialect: d, Pool: p, Dir: dir}).Resolve(ctx, "", migrate.ResolveApplied)
		}},
		{"Resolve bad resolution", func() error {
			return runner(migrate.Config{Dialect: d, Pool: p, Dir: dir}).Resolve(ctx, "1", migrate.Resolution(99))
		}},
		{"nil Runner Up", func() error { _, err := (*migrate.Runner)(nil).Up(ctx, 0); return err }},
		{"nil Runner Status", func() error { _, err := (*migrate.Runner)(nil).Status(ctx); return err }},
		{"nil Runner Generate", func() error {
			_, err := (*migrate.Runner)(nil).Generate(nil, nil, migrate.GenerateOptions{})
			return err
		}},
		{"Generate nil schemas", func() error {
			_, err := runner(migrate.Config{Dialect: d}).Generate(nil, nil, migrate.GenerateOptions{})
			return err
		}},
		{"nil Runner State", func() error { _, err := (*migrate.Runner)(nil).State(); return err }},
		{"nil Runner Diff", func() error { _, err := (*migrate.Runner)(nil).Diff(nil, nil); return err }},
		{"nil Runner Inspect", func() error { _, err := (*migrate.Runner)(nil).Inspect(ctx); return err }},
		{"nil Runner History", func() error { _, err := (*migrate.Runner)(nil).History(ctx); return err }},
		{"nil Runner Down", func() error { _, err := (*migrate.Runner)(nil).Down(ctx, 1); return err }},
		{"nil Runner Unlock", func() error { return (*migrate.Runner)(nil).Unlock(ctx) }},
		{"nil Runner Resolve", func() error { return (*migrate.Runner)(nil).Resolve(ctx, "1", migrate.ResolveApplied) }},
		{"ReadDir nil", func() error { _, err := migrate.ReadDir(nil); return err }},
		{"Parse empty", func() error { _, err := migrate.Parse("", nil); return err }},
		{"nil Migration Schema", func() error { _, err := (*migrate.Migration)(nil).Schema(); return err }},
		{"ModelsYAML nil", func() error { _, err := migrate.ModelsYAML(nil); return err }},
		{"CheckDir nil", func() error { return migrate.CheckDir(nil, nil) }},
		{"Rebase nil", func() error { _, err := migrate.Rebase(nil, "1", time.Time{}); return err }},
		{"Rebase unknown version", func() error { _, err := migrate.Rebase(dir, "", time.Time{}); return err }},
		{"nil Runner UpTo", func() error { _, err := (*migrate.Runner)(nil).UpTo(ctx, "1"); return err }},
		{"nil Runner DownTo", func() error { _, err := (*migrate.Runner)(nil).DownTo(ctx, "1"); return err }},
		{"nil Runner Integrity", func() error { return (*migrate.Runner)(nil).Integrity() }},
		{"UpTo without a pool", func() error { _, err := runner(migrate.Config{Dialect: d, Dir: dir}).UpTo(ctx, "1"); return err }},
		{"DownTo without a pool", func() error { _, err := runner(migrate.Config{Dialect: d, Dir: dir}).DownTo(ctx, "0"); return err }},
		{"UpTo empty version", func() error {
			_, err := runner(migrate.Config{Dialect: d, Pool: p, Dir: dir}).UpTo(ctx, "")
			return err
		}},
		{"DownTo empty version", func() error {
			_, err := runner(migrate.Config{Dialect: d, Pool: p, Dir: dir}).DownTo(ctx, "")
			return err
		}},
		{"UpTo cancelled", func() error {
			_, err := runner(migrate.Config{Dialect: d, Pool: p, Dir: dir}).UpTo(cancelled, "1")
			return err
		}},
	}
	for _, tt := range wantErr {
		t.Run(tt.name, func(t *testing.T) {
			if err := call(t, tt.fn); err == nil {
				t.Error("no error")
			}
		})
	}
	// Legal but empty inputs: a result, no panic.
	mayPass := []struct {
		name string
		fn   func() error
	}{
		{"Diff nil schemas", func() error { _, err := migrate.Diff(nil, nil, migrate.DiffOptions{}); return err }},
		{"Diff empty schemas", func() error {
			_, err := migrate.Diff(&spec.Schema{}, &spec.Schema{}, migrate.DiffOptions{})
			return err
		}},
		{"nil Plan", func() error { var pl *migrate.Plan; _ = pl.Empty(); _ = pl.Destructive(); return nil }},
		{"SplitStatements empty", func() error { _, err := migrate.SplitStatements(""); return err }},
		{"Checksum nil", func() error { _ = migrate.Checksum(nil); return nil }},
		{"Slug empty", func() error { _ = migrate.Slug(""); _ = migrate.FileName(time.Time{}, ""); return nil }},
		{"Describe zero change", func() error { _ = migrate.Describe(dialects.Change{}); return nil }},
		{"TypeString zero", func() error { _ = migrate.TypeString(spec.Type{}); return nil }},
		{"DefaultKey nil", func() error { _ = migrate.DefaultKey(nil); return nil }},
		{"nil Runner Migrations", func() error {
			_ = (*migrate.Runner)(nil).Migrations()
			_ = (*migrate.Runner)(nil).DiffOptions()
			return nil
		}},
		{"DirtyError zero", func() error { _ = (&migrate.DirtyError{}).Error(); return nil }},
		{"Render nil plan", func() error { _, err := migrate.Render("", "", nil, nil, nil, nil); return err }},
		{"Up and Down with n < 0 (all, one)", func() error {
			r := runner(migrate.Config{Dialect: d, Pool: p, Dir: dir})
			if _, err := r.Up(ctx, -1); err != nil {
				return err
			}
			_, err := r.Down(ctx, -1)
			return err
		}},
		{"Runner.Diff and State with nil schemas", func() error {
			r := runner(migrate.Config{Dialect: d})
			if _, err := r.State(); err != nil {
				return err
			}
			_, err := r.Diff(nil, nil)
			return err
		}},
		{"SumText and Blank empty", func() error {
			_ = migrate.SumText(nil)
			_, _, _ = migrate.Blank(nil, "", "", time.Time{})
			_ = (&migrate.IntegrityError{}).Error()
			return nil
		}},
		{"Render empty", func() error { _, err := migrate.Render("", "", &migrate.Plan{}, nil, nil, nil); return err }},
	}
	// A migration whose Up is only comments runs nothing (it used to reach
	// the driver as an empty statement and crash on SQLite).
	t.Run("comment-only Up", func(t *testing.T) {
		m, err := migrate.Parse("1_a.sql", []byte("-- +dlayer Up\n/* note */;\n-- more\n"))
		if err != nil || len(m.Up) != 0 {
			t.Fatalf("Parse: %q, %v", m.Up, err)
		}
		_, p2, err := dialects.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "c.db"), dialects.PoolOptions{MaxOpenConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer p2.Close()
		if err := call(t, func() error { _, err := migrate.Run(ctx, d, p2, commentOnly); return err }); err != nil {
			t.Fatal(err)
		}
	})
	for _, tt := range mayPass {
		t.Run(tt.name, func(t *testing.T) {
			if err := call(t, tt.fn); err != nil && strings.Contains(err.Error(), "panicked") {
				t.Error(err)
			}
		})
	}
}

// TestErrorsNameTheGoAPI checks that the package's errors tell a Go caller
// what to call, not which CLI flag to pass (migrate/cli adds those).
func TestErrorsNameTheGoAPI(t *testing.T) {
	d, _, err := dialects.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "x.db"), dialects.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := migrate.New(migrate.Config{Dialect: d})
	if err != nil {
		t.Fatal(err)
	}
	from := load(t, "tables:\n  t:\n    columns:\n      id: {type: integer, primary_key: true}\n      age: integer\n")
	to := load(t, "tables:\n  t:\n    columns:\n      id: {type: integer, primary_key: true}\n")
	_, genErr := r.Generate(from, to, migrate.GenerateOptions{Message: "drop age"})
	dirty := &migrate.DirtyError{Record: migrate.Record{Version: "7", Name: "x", Direction: "up", Progress: 1, Total: 3, Error: "boom"}}
	killed := &migrate.DirtyError{Record: migrate.Record{Version: "7", Name: "x", Direction: "down", Progress: 1, Total: 3}}
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"destructive plan", genErr, "GenerateOptions.AllowDestructive"},
		{"failed statement", dirty, `Runner.Resolve(ctx, "7", ResolveApplied)`},
		{"killed migrator", killed, "Runner.Down again"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("no error")
			}
			msg := tt.err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("%q does not name %s", msg, tt.want)
			}
			if strings.Contains(msg, "--") || strings.Contains(msg, "dlayer migrate") {
				t.Errorf("%q names a CLI flag or command", msg)
			}
		})
	}
}
