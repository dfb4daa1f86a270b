package migrate_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dlayer/dlayer/migrate"
)

func TestSplitStatements(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want []string
		err  bool
	}{
		{name: "empty", src: "  \n-- only a comment\n", want: nil},
		{name: "two statements", src: "CREATE TABLE a (id INT);\nDROP TABLE b;", want: []string{"CREATE TABLE a (id INT)", "DROP TABLE b"}},
		{name: "no trailing semicolon", src: "SELECT 1", want: []string{"SELECT 1"}},
		{name: "semicolon in string", src: "INSERT INTO t VALUES ('a;b', 'it''s');SELECT 2;", want: []string{"INSERT INTO t VALUES ('a;b', 'it''s')", "SELECT 2"}},
		{name: "semicolon in identifiers", src: `SELECT "a;b", ` + "`c;d`;", want: []string{`SELECT "a;b", ` + "`c;d`"}},
		{name: "semicolon in comments", src: "SELECT 1 -- x;y\n;/* a;b */SELECT 2;", want: []string{"SELECT 1 -- x;y", "/* a;b */SELECT 2"}},
		{name: "dollar quoting", src: "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;SELECT $1;", want: []string{"CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql", "SELECT $1"}},
		{name: "backslash in MySQL string", src: `SELECT 'a\';b';`, want: []string{`SELECT 'a\';b'`}},
		{name: "unterminated string", src: "SELECT 'abc", err: true},
		{name: "unterminated comment", src: "SELECT 1 /* abc", err: true},
		{name: "unterminated dollar quote", src: "SELECT $x$ abc", err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := migrate.SplitStatements(tc.src)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	text := "-- dlayer migration: add users\n-- +dlayer dialect: postgres\n-- +dlayer destructive: drop column users.age\n\n" +
		"-- +dlayer Up\nALTER TABLE users DROP COLUMN age;\r\nCREATE INDEX ix ON users (name);\n\n-- +dlayer Down\nDROP INDEX ix;\n"
	m, err := migrate.Parse("20261125120000_add_users.sql", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != "20261125120000" || m.Name != "add_users" || m.Dialect != "postgres" ||
		!slices.Equal(m.Destructive, []string{"drop column users.age"}) || len(m.Up) != 2 || len(m.Down) != 1 {
		t.Errorf("parsed %+v", m)
	}
	if m.Checksum != migrate.Checksum([]byte(strings.ReplaceAll(text, "\r\n", "\n"))) {
		t.Error("checksum depends on line endings")
	}
	if s, err := m.Schema(); s != nil || err != nil {
		t.Errorf("hand-written migration has a schema: %v %v", s, err)
	}
	for _, tc := range []struct{ name, file, text string }{
		{"bad name", "add_users.sql", "-- +dlayer Up\n"},
		{"no up section", "1_x.sql", "CREATE TABLE a (id INT);"},
		{"two up sections", "1_x.sql", "-- +dlayer Up\n-- +dlayer Up\n"},
		{"unknown directive", "1_x.sql", "-- +dlayer Sideways\n-- +dlayer Up\n"},
		{"unterminated quote", "1_x.sql", "-- +dlayer Up\nSELECT 'x;\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := migrate.Parse(tc.file, []byte(tc.text)); !errors.Is(err, migrate.ErrBadMigration) {
				t.Errorf("err = %v, want ErrBadMigration", err)
			}
		})
	}
}

func TestReadDir(t *testing.T) {
	dir := fstest.MapFS{
		"10_ten.sql":  {Data: []byte("-- +dlayer Up\nSELECT 10;")},
		"9_nine.sql":  {Data: []byte("-- +dlayer Up\nSELECT 9;")},
		"README.md":   {Data: []byte("not a migration")},
		"sub/1_x.sql": {Data: []byte("-- +dlayer Up\n")},
	}
	ms, err := migrate.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != "9" || ms[1].Version != "10" {
		t.Errorf("order: %+v", ms)
	}
	if _, err := migrate.ReadDir(fstest.MapFS{"9_a.sql": dir["9_nine.sql"], "09_b.sql": dir["9_nine.sql"]}); err == nil {
		t.Error("duplicate versions accepted")
	}
}

// TestSnapshotRoundTrip renders a migration with its schema snapshot and
// reads the snapshot back: it diffs empty against the schema it came from.
func TestSnapshotRoundTrip(t *testing.T) {
	s := load(t, bigSchema)
	text, err := migrate.Render("all", "sqlite", nil, []string{"SELECT 1"}, nil, s)
	if err != nil {
		t.Fatal(err)
	}
	m, err := migrate.Parse("1_all.sql", text)
	if err != nil {
		t.Fatal(err)
	}
	back, err := m.Schema()
	if err != nil || back == nil {
		t.Fatalf("snapshot: %v", err)
	}
	plan, err := migrate.Diff(back, s, migrate.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range plan.Up {
		t.Errorf("snapshot differs: %s", migrate.Describe(c))
	}
}

// FuzzParse feeds arbitrary text to the migration parser: it returns a
// migration or an error, never panics or hangs.
func FuzzParse(f *testing.F) {
	f.Add([]byte("-- +dlayer Up\nCREATE TABLE a (id INT);\n-- +dlayer Down\nDROP TABLE a;\n"))
	f.Add([]byte("-- +dlayer Up\nSELECT $a$ ; $a$, 'x''y', \"q\", `b`; /* c */ -- d\n-- +dlayer Schema\n-- {\"tables\": []}\n"))
	f.Add([]byte("-- +dlayer Up\n-- +dlayer Schema\n-- {\"tables\": [{\"name\":\"t\",\"columns\":[{\"name\":\"c\",\"type\":\"integer\"}],\"primary_key\":[\"x\"]}]}\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		m, err := migrate.Parse("1_fuzz.sql", text)
		if err != nil {
			return
		}
		_, _ = m.Schema()
	})
}
