package mysql_test

import (
	"context"
	"net/url"
	"reflect"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/mysql"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/spec"
)

// TestInspectHandWritten inspects tables written by hand in a fresh
// database: auto_increment, defaults, enums, JSON (MariaDB's json_valid
// check), foreign keys and the index the server makes for one.
func TestInspectHandWritten(t *testing.T) {
	ctx := context.Background()
	base := testdb.URL(t, testdb.MySQL)
	admin, err := mysql.OpenPool(ctx, base, dialects.PoolOptions{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	db := "dlayer_insp_" + testdb.Suffix()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(context.Background(), "DROP DATABASE "+db)
	u, _ := url.Parse(base)
	u.Path = "/" + db
	p, err := mysql.OpenPool(ctx, u.String(), dialects.PoolOptions{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, s := range []string{
		"CREATE TABLE authors (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(80) NOT NULL, bio TEXT," +
			" rating DECIMAL(3,1) DEFAULT 0.0, active TINYINT(1) NOT NULL DEFAULT 1," +
			" created DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), feeling ENUM('sad','ok','happy') DEFAULT 'ok'," +
			" CONSTRAINT name_len CHECK (CHAR_LENGTH(name) > 0)) ENGINE=InnoDB COMMENT='people'",
		"CREATE TABLE books (id BIGINT AUTO_INCREMENT PRIMARY KEY, author_id INT," +
			" isbn CHAR(13) UNIQUE, title VARCHAR(200) NOT NULL DEFAULT 'it''s', data JSON, uid CHAR(36), n SMALLINT DEFAULT -1," +
			" CONSTRAINT fk_books_author FOREIGN KEY (author_id) REFERENCES authors(id) ON DELETE CASCADE ON UPDATE SET NULL," +
			" INDEX books_title_idx (title, isbn)) ENGINE=InnoDB",
	} {
		if _, err := p.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	s, err := mysql.Inspect(ctx, p)
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
		{"auto_increment", a.Column("id").Autoincrement, true},
		{"varchar length", a.Column("name").Type, spec.Type{Kind: spec.TypeString, Length: 80}},
		{"text nullable", a.Column("bio").Nullable, true},
		{"decimal", a.Column("rating").Type, spec.Type{Kind: spec.TypeDecimal, Precision: 3, Scale: 1}},
		{"decimal default", a.Column("rating").ServerDefault.Value, "0.0"},
		{"boolean", a.Column("active").Type.Kind, spec.TypeBoolean},
		{"boolean default", a.Column("active").ServerDefault.Value, true},
		{"datetime", a.Column("created").Type, spec.Type{Kind: spec.TypeTimestamp, Precision: 3}},
		{"now default", a.Column("created").ServerDefault.Kind, spec.DefaultNow},
		{"enum values", a.Column("feeling").Type.Values, []string{"sad", "ok", "happy"}},
		{"enum default", a.Column("feeling").ServerDefault.Value, "ok"},
		{"check", len(a.Checks) == 1 && a.Checks[0].Name == "name_len", true},
		{"comment", a.Comment, "people"},
		{"fk name", b.Column("author_id").ForeignKey.Name, "fk_books_author"},
		{"fk on delete", b.Column("author_id").ForeignKey.OnDelete, spec.ActionCascade},
		{"fk on update", b.Column("author_id").ForeignKey.OnUpdate, spec.ActionSetNull},
		{"unique", len(b.Uniques) == 1 && b.Uniques[0].Columns[0].Name == "isbn", true},
		{"string default with quote", b.Column("title").ServerDefault.Value, "it's"},
		{"negative default", b.Column("n").ServerDefault.Value, int64(-1)},
		{"json (no check reported)", b.Column("data").Type.Kind == spec.TypeJSON && len(b.Checks) == 0, true},
		{"char(36) is uuid", b.Column("uid").Type.Kind, spec.TypeUUID},
		{"declared index only, not the foreign key's", len(b.Indexes) == 1 && b.Indexes[0].Name == "books_title_idx", true},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
}
