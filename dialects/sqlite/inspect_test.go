package sqlite_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/spec"
)

// TestInspectHandWritten inspects tables written by hand: rowid keys,
// declared types, defaults, named and unnamed checks, an enum check,
// foreign keys with actions, constraint names from the CREATE TABLE text.
func TestInspectHandWritten(t *testing.T) {
	ctx := context.Background()
	p, err := sqlite.OpenPool(ctx, "sqlite:"+filepath.Join(t.TempDir(), "i.db"), dialects.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, s := range []string{
		`CREATE TABLE authors (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(80) NOT NULL CHECK (length(name) > 0), bio TEXT,
		  rating NUMERIC(3,1) DEFAULT 0.5, active BOOLEAN NOT NULL DEFAULT 1, created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
		  feeling TEXT DEFAULT 'ok' CHECK ("feeling" IN ('sad', 'ok', 'it''s')),
		  CONSTRAINT name_short CHECK (length(name) < 80))`,
		`CREATE TABLE books (id INTEGER NOT NULL, author_id INTEGER, isbn VARCHAR(13), title VARCHAR(200) NOT NULL DEFAULT 'it''s',
		  n SMALLINT DEFAULT -1, PRIMARY KEY (id),
		  CONSTRAINT uq_isbn UNIQUE (isbn),
		  CONSTRAINT fk_books_author FOREIGN KEY (author_id) REFERENCES authors (id) ON DELETE CASCADE ON UPDATE SET NULL)`,
		`CREATE INDEX books_title_idx ON books (title, isbn)`,
		`CREATE INDEX books_lower ON books (lower(title))`,
		`CREATE TABLE pairs (a INTEGER NOT NULL REFERENCES authors, b INTEGER NOT NULL REFERENCES books (id), PRIMARY KEY (a, b))`,
	} {
		if _, err := p.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	s, err := sqlite.Inspect(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	a, b, pr := s.Table("authors"), s.Table("books"), s.Table("pairs")
	if a == nil || b == nil || pr == nil || len(s.Tables) != 3 {
		t.Fatalf("tables: %+v", s.Tables)
	}
	for _, tc := range []struct {
		name string
		got  any
		want any
	}{
		{"rowid autoincrement", a.Column("id").Autoincrement, true},
		{"table-level integer primary key autoincrement", b.Column("id").Autoincrement, true},
		{"composite key", len(pr.PrimaryKey) == 2 && pr.Column("a").Autoincrement == false, true},
		{"varchar", a.Column("name").Type, spec.Type{Kind: spec.TypeString, Length: 80}},
		{"numeric", a.Column("rating").Type, spec.Type{Kind: spec.TypeDecimal, Precision: 3, Scale: 1}},
		{"numeric default", a.Column("rating").ServerDefault.Value, "0.5"},
		{"boolean default", a.Column("active").ServerDefault.Value, true},
		{"now default", a.Column("created").ServerDefault.Kind, spec.DefaultNow},
		{"enum from check", a.Column("feeling").Type, spec.Type{Kind: spec.TypeEnum, Values: []string{"sad", "ok", "it's"}}},
		{"checks", len(a.Checks), 2},
		{"named check", a.Checks[1].Name, "name_short"},
		{"fk name from text", b.Column("author_id").ForeignKey.Name, "fk_books_author"},
		{"fk on delete", b.Column("author_id").ForeignKey.OnDelete, spec.ActionCascade},
		{"fk on update", b.Column("author_id").ForeignKey.OnUpdate, spec.ActionSetNull},
		{"fk to implicit primary key", pr.Column("a").ForeignKey.RefColumns[0].Name, "id"},
		{"unique name from text", len(b.Uniques) == 1 && b.Uniques[0].Name == "uq_isbn", true},
		{"string default with quote", b.Column("title").ServerDefault.Value, "it's"},
		{"negative default", b.Column("n").ServerDefault.Value, int64(-1)},
		{"column index only", len(b.Indexes) == 1 && b.Indexes[0].Name == "books_title_idx", true},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
}
