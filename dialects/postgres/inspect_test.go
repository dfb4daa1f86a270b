package postgres_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/spec"
)

// TestInspectHandWritten inspects tables written by hand (serial and
// identity keys, defaults, checks, an expression index) in a fresh schema.
func TestInspectHandWritten(t *testing.T) {
	ctx := context.Background()
	base := testdb.URL(t, testdb.Postgres)
	admin, err := postgres.OpenPool(ctx, base, postgresPoolOptions)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := "dlayer_insp_" + testdb.Suffix()
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	p, err := postgres.OpenPool(ctx, u.String(), postgresPoolOptions)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, s := range []string{
		`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`,
		`CREATE TABLE authors (id serial PRIMARY KEY, name varchar(80) NOT NULL, bio text,
		  rating numeric(3,1) DEFAULT 0.0, active boolean NOT NULL DEFAULT true,
		  created timestamptz(3) NOT NULL DEFAULT now(), feeling mood DEFAULT 'ok',
		  CONSTRAINT name_len CHECK (char_length(name) > 0))`,
		`CREATE TABLE books (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		  author_id int REFERENCES authors(id) ON DELETE CASCADE ON UPDATE SET NULL,
		  isbn char(13) UNIQUE, title varchar(200) NOT NULL DEFAULT 'it''s', data jsonb, uid uuid, n smallint DEFAULT -1)`,
		`CREATE INDEX books_title_idx ON books (title, isbn)`,
		`CREATE INDEX books_lower_title ON books (lower(title))`,
		`COMMENT ON TABLE books IS 'all the books'`,
	} {
		if _, err := p.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	s, err := postgres.Inspect(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	a, b := s.Table("authors"), s.Table("books")
	if a == nil || b == nil || len(s.Tables) != 2 {
		t.Fatalf("tables: %+v", s.Tables)
	}
	for _, tc := range []struct {
		name string
		got  any
		want any
	}{
		{"serial is autoincrement", a.Column("id").Autoincrement, true},
		{"serial has no default", a.Column("id").ServerDefault == nil, true},
		{"identity is autoincrement", b.Column("id").Autoincrement, true},
		{"varchar length", a.Column("name").Type, spec.Type{Kind: spec.TypeString, Length: 80}},
		{"text nullable", a.Column("bio").Nullable, true},
		{"numeric", a.Column("rating").Type, spec.Type{Kind: spec.TypeDecimal, Precision: 3, Scale: 1}},
		{"numeric default", a.Column("rating").ServerDefault.Value, "0.0"},
		{"boolean default", a.Column("active").ServerDefault.Value, true},
		{"timestamptz", a.Column("created").Type, spec.Type{Kind: spec.TypeTimestamp, Precision: 3, Timezone: true}},
		{"now default", a.Column("created").ServerDefault.Kind, spec.DefaultNow},
		{"enum values", a.Column("feeling").Type.Values, []string{"sad", "ok", "happy"}},
		{"enum default", a.Column("feeling").ServerDefault.Value, "ok"},
		{"check", len(a.Checks) == 1 && a.Checks[0].Name == "name_len", true},
		{"fk target", b.Column("author_id").ForeignKey.RefTable == a, true},
		{"fk on delete", b.Column("author_id").ForeignKey.OnDelete, spec.ActionCascade},
		{"fk on update", b.Column("author_id").ForeignKey.OnUpdate, spec.ActionSetNull},
		{"unique", len(b.Uniques) == 1 && b.Uniques[0].Columns[0].Name == "isbn", true},
		{"string default with quote", b.Column("title").ServerDefault.Value, "it's"},
		{"negative default", b.Column("n").ServerDefault.Value, int64(-1)},
		{"json", b.Column("data").Type.Kind, spec.TypeJSON},
		{"uuid", b.Column("uid").Type.Kind, spec.TypeUUID},
		{"plain index only", len(b.Indexes) == 1 && b.Indexes[0].Name == "books_title_idx" && len(b.Indexes[0].Columns) == 2, true},
		{"comment", b.Comment, "all the books"},
	} {
		if !equal(tc.got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
}
