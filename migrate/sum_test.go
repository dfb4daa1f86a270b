package migrate_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/migrate"
)

// withSum returns dir with its sum file written.
func withSum(t *testing.T, dir fstest.MapFS) fstest.MapFS {
	t.Helper()
	delete(dir, migrate.SumFile)
	migs, err := migrate.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	dir[migrate.SumFile] = &fstest.MapFile{Data: migrate.SumText(migs)}
	return dir
}

func parented(parent, up string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("-- dlayer migration: x\n-- +dlayer parent: " + parent + "\n\n-- +dlayer Up\n" + up + "\n-- +dlayer Down\n")}
}

func problems(t *testing.T, dir fstest.MapFS) []migrate.Problem {
	t.Helper()
	migs, err := migrate.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	err = migrate.CheckDir(dir, migs)
	if err == nil {
		return nil
	}
	var ie *migrate.IntegrityError
	if !errors.As(err, &ie) || !errors.Is(err, migrate.ErrIntegrity) {
		t.Fatalf("CheckDir: %v is not an *IntegrityError", err)
	}
	return ie.Problems
}

// TestCheckDir: every way a directory can disagree with its sum file, and
// two migrations created on the same parent, is reported with the files
// and the fix.
func TestCheckDir(t *testing.T) {
	tests := []struct {
		name   string
		change func(fstest.MapFS)
		kind   string
		files  []string
		fix    string
	}{
		{"clean", func(fstest.MapFS) {}, "", nil, ""},
		{"edited", func(d fstest.MapFS) { d["002_two.sql"] = parented("001", "SELECT 22;") }, "edited", []string{"002_two.sql"}, "dlayer migrate rehash"},
		{"edited line endings only", func(d fstest.MapFS) {
			d["002_two.sql"] = &fstest.MapFile{Data: []byte(strings.ReplaceAll(string(d["002_two.sql"].Data), "\n", "\r\n"))}
		}, "", nil, ""},
		{"removed", func(d fstest.MapFS) { delete(d, "003_three.sql") }, "removed", []string{"003_three.sql"}, "restore it"},
		{"added by hand", func(d fstest.MapFS) { d["004_four.sql"] = file("SELECT 4;", "") }, "added", []string{"004_four.sql"}, "dlayer migrate rebase 004"},
		{"renamed", func(d fstest.MapFS) { d["009_two.sql"] = d["002_two.sql"]; delete(d, "002_two.sql") }, "renamed",
			[]string{"002_two.sql", "009_two.sql"}, "rename it back"},
		{"sum edited", func(d fstest.MapFS) {
			d[migrate.SumFile] = &fstest.MapFile{Data: []byte(strings.Replace(string(d[migrate.SumFile].Data), "001_one", "001_uno", 1))}
		}, "corrupt", []string{migrate.SumFile}, "dlayer migrate rehash"},
		{"sum with conflict markers", func(d fstest.MapFS) {
			d[migrate.SumFile] = &fstest.MapFile{Data: append(d[migrate.SumFile].Data, "<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> b\n"...)}
		}, "corrupt", []string{migrate.SumFile}, "rebase"},
		{"two branches", func(d fstest.MapFS) {
			d["004_four.sql"] = parented("003", "SELECT 4;")
			d["005_five.sql"] = parented("003", "SELECT 5;")
			withSum(t, d)
		}, "branches", []string{"004_four.sql", "005_five.sql"}, "dlayer migrate rebase 005"},
		{"parent missing", func(d fstest.MapFS) {
			d["004_four.sql"] = parented("0999", "SELECT 4;")
			withSum(t, d)
		}, "branches", []string{"004_four.sql"}, "dlayer migrate rebase 004"},
		{"no sum file", func(d fstest.MapFS) { delete(d, migrate.SumFile); d["004_four.sql"] = file("SELECT 4;", "") }, "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := withSum(t, fstest.MapFS{
				"001_one.sql":   parented("none", "SELECT 1;"),
				"002_two.sql":   parented("001", "SELECT 2;"),
				"003_three.sql": parented("002", "SELECT 3;"),
			})
			tt.change(dir)
			ps := problems(t, dir)
			if tt.kind == "" {
				if ps != nil {
					t.Fatalf("problems = %+v", ps)
				}
				return
			}
			// A rename that reorders also breaks the parents that follow.
			if len(ps) != 1 && (tt.kind != "renamed" || len(ps) == 0) {
				t.Fatalf("problems = %+v, want one %s", ps, tt.kind)
			}
			p := ps[0]
			if p.Kind != tt.kind || !slices.Equal(p.Files, tt.files) || !strings.Contains(p.Fix, tt.fix) {
				t.Errorf("problem = %+v, want kind %s files %v fix containing %q", p, tt.kind, tt.files, tt.fix)
			}
		})
	}
}

// TestBlank: migrate new's file parses, has the parent, an empty Up and a
// Down, and is versioned after the newest file.
func TestBlank(t *testing.T) {
	migs, err := migrate.ReadDir(fstest.MapFS{"20991231235959_future.sql": file("SELECT 1;", "")})
	if err != nil {
		t.Fatal(err)
	}
	v, name, text := migrate.Blank(migs, "Backfill user names!", "postgres", time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	if v != "20991231235960" || name != v+"_backfill_user_names.sql" {
		t.Errorf("version %s file %s", v, name)
	}
	m, err := migrate.Parse(name, text)
	if err != nil {
		t.Fatal(err)
	}
	if m.Parent != "20991231235959" || m.Dialect != "postgres" || len(m.Up) != 0 || !m.HasDown {
		t.Errorf("parsed %+v", m)
	}
	v, _, text = migrate.Blank(nil, "", "", time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	if m, err := migrate.Parse(v+"_migration.sql", text); err != nil || m.Parent != "none" || m.Dialect != "" {
		t.Errorf("first blank: %+v %v", m, err)
	}
}

// TestRebase: after two branches each added a migration on the same
// parent, rebasing one moves it after the other, re-parents it and merges
// the schema snapshots table by table; the directory is then consistent.
func TestRebase(t *testing.T) {
	d, err := dialects.Lookup("sqlite:")
	if err != nil {
		t.Fatal(err)
	}
	gen := func(migs fstest.MapFS, yaml, msg string, at time.Time) (string, []byte) {
		t.Helper()
		r, err := migrate.New(migrate.Config{Dialect: d.Dialect(), Dir: migs})
		if err != nil {
			t.Fatal(err)
		}
		from, err := r.State()
		if err != nil {
			t.Fatal(err)
		}
		g, err := r.Generate(from, load(t, yaml), migrate.GenerateOptions{Message: msg, Now: at})
		if err != nil {
			t.Fatal(err)
		}
		return g.File, g.Text
	}
	base := `
models:
  User: {table: users, columns: {id: {type: integer, primary_key: true}}}
`
	withEmail := `
models:
  User: {table: users, columns: {id: {type: integer, primary_key: true}, email: {type: string, length: 80, nullable: true}}}
`
	withPosts := base + `  Post: {table: posts, columns: {id: {type: integer, primary_key: true}}}
`
	merged := withEmail + `  Post: {table: posts, columns: {id: {type: integer, primary_key: true}}}
`
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	dir := fstest.MapFS{}
	f, text := gen(dir, base, "users", t0)
	dir[f] = &fstest.MapFile{Data: text}
	// Branch A adds a column, branch B a table, both on top of "users".
	fa, ta := gen(dir, withEmail, "email", t0.Add(time.Hour))
	fb, tb := gen(dir, withPosts, "posts", t0.Add(2*time.Hour))
	dir[fa] = &fstest.MapFile{Data: ta}
	dir[fb] = &fstest.MapFile{Data: tb}
	withSum(t, dir)
	ps := problems(t, dir)
	if len(ps) != 1 || ps[0].Kind != "branches" {
		t.Fatalf("problems after the merge = %+v", ps)
	}
	// Up refuses to run.
	if _, err := migrate.New(migrate.Config{Dialect: d.Dialect(), Dir: dir}); err != nil {
		t.Fatal(err)
	}
	rb, err := migrate.Rebase(dir, strings.SplitN(fb, "_", 2)[0], t0.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if rb.OldFile != fb || rb.Parent != strings.SplitN(fa, "_", 2)[0] || !strings.HasSuffix(rb.File, "_posts.sql") || rb.File == fb {
		t.Errorf("rebased = %+v", rb)
	}
	delete(dir, fb)
	dir[rb.File] = &fstest.MapFile{Data: rb.Text}
	withSum(t, dir)
	if ps := problems(t, dir); ps != nil {
		t.Fatalf("problems after rebase = %+v", ps)
	}
	// The directory's state is the merged schema: nothing left to diff.
	r, err := migrate.New(migrate.Config{Dialect: d.Dialect(), Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	state, err := r.State()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := r.Diff(state, load(t, merged))
	if err != nil || !plan.Empty() {
		t.Errorf("state after rebase differs from the merged YAML: %v %v", plan, err)
	}
	// Both branches changing one table is refused.
	fc, tc := gen(fstest.MapFS{f: dir[f]}, `
models:
  User: {table: users, columns: {id: {type: integer, primary_key: true}, name: {type: string, length: 80, nullable: true}}}
`, "name", t0.Add(4*time.Hour))
	dir[fc] = &fstest.MapFile{Data: tc}
	if _, err := migrate.Rebase(dir, strings.SplitN(fc, "_", 2)[0], t0.Add(5*time.Hour)); err == nil || !strings.Contains(err.Error(), "both branches changed table users") {
		t.Errorf("conflicting rebase: %v", err)
	}
	if _, err := migrate.Rebase(dir, "123", t0); err == nil {
		t.Error("rebase of an unknown version succeeded")
	}
}

// TestUpDownTo applies and reverts to target versions on every database;
// a directory failing its integrity check runs nothing; progress is
// reported for every statement.
func TestUpDownTo(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := freshDB(t, name)
			ctx := context.Background()
			dir := baseDir()
			var events []migrate.Progress
			r, err := migrate.New(migrate.Config{Dialect: db.dialect, Pool: db.pool, Dir: dir, LockTimeout: 30 * time.Second,
				Progress: func(p migrate.Progress) { events = append(events, p) }})
			if err != nil {
				t.Fatal(err)
			}
			res, err := r.UpTo(ctx, "002")
			if err != nil || len(res.Steps) != 2 {
				t.Fatalf("UpTo 002: %v %v", res, err)
			}
			if tableExists(t, db, "t3") || !tableExists(t, db, "t2") {
				t.Error("UpTo 002 applied the wrong migrations")
			}
			// 001 has 2 statements, 002 one: a call per statement, and one
			// Done per migration.
			var got []string
			for _, e := range events {
				if e.Done {
					got = append(got, e.Version+" done")
				} else {
					got = append(got, e.Version+" "+string(rune('0'+e.Statement))+"/"+string(rune('0'+e.Total)))
				}
			}
			if want := []string{"001 1/2", "001 2/2", "001 done", "002 1/1", "002 done"}; !slices.Equal(got, want) {
				t.Errorf("progress = %v, want %v", got, want)
			}
			if _, err := r.UpTo(ctx, "7"); err == nil || !strings.Contains(err.Error(), `no migration with version "7"`) {
				t.Errorf("UpTo of an unknown version: %v", err)
			}
			if _, err := r.Up(ctx, 0); err != nil {
				t.Fatal(err)
			}
			res, err = r.DownTo(ctx, "1")
			if err != nil || len(res.Steps) != 2 || res.Steps[0].Version != "003" {
				t.Fatalf("DownTo 1: %+v %v", res, err)
			}
			if tableExists(t, db, "t2") || !tableExists(t, db, "t1") {
				t.Error("DownTo 001 reverted the wrong migrations")
			}
			if res, err = r.DownTo(ctx, "0"); err != nil || len(res.Steps) != 1 || tableExists(t, db, "t1") {
				t.Fatalf("DownTo 0: %+v %v", res, err)
			}
			if _, err := r.DownTo(ctx, "x"); err == nil {
				t.Error("DownTo x accepted")
			}
			// An edited file (against the sum) stops Up before anything runs.
			withSum(t, dir)
			dir["002_two.sql"] = file("CREATE TABLE t2 (id INTEGER PRIMARY KEY, note VARCHAR(30));", "DROP TABLE t2;")
			r2, err := migrate.New(migrate.Config{Dialect: db.dialect, Pool: db.pool, Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r2.Up(ctx, 0); !errors.Is(err, migrate.ErrIntegrity) || !strings.Contains(err.Error(), "002_two.sql was edited") {
				t.Fatalf("Up with an edited file: %v", err)
			}
			if _, err := r2.Down(ctx, 1); !errors.Is(err, migrate.ErrIntegrity) {
				t.Fatalf("Down with an edited file: %v", err)
			}
			if tableExists(t, db, "t1") {
				t.Error("Up ran despite the integrity error")
			}
		})
	}
}
