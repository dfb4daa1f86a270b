package mysql_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/mysql"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/internal/testdb/roundtrip"
	"github.com/dlayer/dlayer/spec"
)

func freshPool(t *testing.T, prefix string) dialects.Pool {
	t.Helper()
	p, err := mysql.OpenPool(context.Background(), fresh.URL(t, testdb.MySQL, prefix), dialects.PoolOptions{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestRoundTripIssue8 inspects what MySQL/MariaDB schemas that dlayer did
// not write hold — a composite primary key in another order than its
// columns, enum values in upper case and with quotes, commas, blanks,
// backslashes and non-ASCII, UNSIGNED, ON UPDATE CURRENT_TIMESTAMP,
// TIMESTAMP against DATETIME at precisions 0, 3 and 6, CHAR(n), generated
// columns (stored and virtual), FULLTEXT indexes, foreign keys without
// actions and with RESTRICT — checks each is read as written, and that
// inspect → YAML → DDL → inspect gives the same YAML byte for byte and
// migrate check reports nothing.
func TestRoundTripIssue8(t *testing.T) {
	s, y := roundtrip.Run(t, mysql.New(), freshPool(t, "dl_rt_src"), freshPool(t, "dl_rt_dst"), []string{
		`CREATE TABLE film (film_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
		  rating ENUM('G','PG','PG-13','R','NC-17') DEFAULT 'G',
		  mood ENUM('it''s fine','a,b','x y','Über','back\\slash') NOT NULL DEFAULT 'Über',
		  kind ENUM('', 'a value that is rather longer than sixty-three characters, as MySQL allows up to 255 of them') NOT NULL DEFAULT '',
		  code CHAR(3) NOT NULL, title VARCHAR(100) NOT NULL, body TEXT,
		  qty SMALLINT UNSIGNED NOT NULL DEFAULT 1, big BIGINT UNSIGNED, price DECIMAL(8,2) UNSIGNED NOT NULL,
		  total DECIMAL(12,2) AS (price * qty) STORED,
		  label VARCHAR(110) GENERATED ALWAYS AS (CONCAT(code, ': ', title)) VIRTUAL,
		  created DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, created_ms DATETIME(3), created_us DATETIME(6),
		  last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
		  touched TIMESTAMP(6) NULL DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP(6),
		  FULLTEXT KEY ft_film (title, body)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
		`CREATE TABLE payment (id BIGINT NOT NULL, paid_at DATETIME NOT NULL, film_id SMALLINT UNSIGNED NOT NULL,
		  other_id SMALLINT UNSIGNED, third_id SMALLINT UNSIGNED, PRIMARY KEY (paid_at, id),
		  CONSTRAINT fk_plain FOREIGN KEY (film_id) REFERENCES film (film_id),
		  CONSTRAINT fk_restrict FOREIGN KEY (other_id) REFERENCES film (film_id) ON DELETE RESTRICT ON UPDATE NO ACTION,
		  CONSTRAINT fk_cascade FOREIGN KEY (third_id) REFERENCES film (film_id) ON DELETE CASCADE) ENGINE=InnoDB`,
	})
	f, p := s.Table("film"), s.Table("payment")
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"primary key order", []string{p.PrimaryKey[0].Name, p.PrimaryKey[1].Name}, []string{"paid_at", "id"}},
		{"enum upper case", f.Column("rating").Type.Values, []string{"G", "PG", "PG-13", "R", "NC-17"}},
		{"enum default", f.Column("rating").ServerDefault.Value, "G"},
		{"enum values byte for byte", f.Column("mood").Type.Values, []string{"it's fine", "a,b", "x y", "Über", `back\slash`}},
		{"enum non-ASCII default", f.Column("mood").ServerDefault.Value, "Über"},
		{"empty and long enum values", f.Column("kind").Type.Values, []string{"", "a value that is rather longer than sixty-three characters, as MySQL allows up to 255 of them"}},
		{"empty enum default", f.Column("kind").ServerDefault.Value, ""},
		{"char(n) is fixed", f.Column("code").Type, spec.Type{Kind: spec.TypeString, Length: 3, Fixed: true}},
		{"smallint unsigned", f.Column("qty").Type, spec.Type{Kind: spec.TypeSmallInt, Unsigned: true}},
		{"bigint unsigned", f.Column("big").Type, spec.Type{Kind: spec.TypeBigInt, Unsigned: true}},
		{"decimal unsigned", f.Column("price").Type, spec.Type{Kind: spec.TypeDecimal, Precision: 8, Scale: 2, Unsigned: true}},
		{"stored generated", *f.Column("total").Computed, spec.Computed{SQL: "`price` * `qty`", Stored: true}},
		{"generated has no default", f.Column("total").ServerDefault, (*spec.Default)(nil)},
		{"virtual generated", f.Column("label").Computed.Stored, false},
		{"datetime (whole seconds)", f.Column("created").Type, spec.Type{Kind: spec.TypeTimestamp, ZeroPrecision: true}},
		{"datetime(3)", f.Column("created_ms").Type, spec.Type{Kind: spec.TypeTimestamp, Precision: 3}},
		{"datetime(6) is the default precision", f.Column("created_us").Type, spec.Type{Kind: spec.TypeTimestamp}},
		{"timestamp keeps its time zone flag", f.Column("last_update").Type, spec.Type{Kind: spec.TypeTimestamp, Timezone: true, ZeroPrecision: true}},
		{"on update current_timestamp", f.Column("last_update").ServerOnUpdate.Kind, spec.DefaultNow},
		{"on update current_timestamp(6)", f.Column("touched").ServerOnUpdate != nil, true},
		{"no on update elsewhere", f.Column("created").ServerOnUpdate, (*spec.Default)(nil)},
		{"fulltext index", len(f.Indexes) == 1 && f.Indexes[0].Kind == spec.IndexFulltext && f.Indexes[0].Name == "ft_film", true},
		{"fk without actions", p.Column("film_id").ForeignKey.OnDelete, spec.ActionNone},
		{"fk restrict reads as no action stated", p.Column("other_id").ForeignKey.OnDelete, spec.ActionNone},
		{"fk cascade", p.Column("third_id").ForeignKey.OnDelete, spec.ActionCascade},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
	if t.Failed() {
		t.Logf("YAML:\n%s", y)
	}
}

// TestDDLIssue8 checks the DDL of the new column options, without a
// server.
func TestDDLIssue8(t *testing.T) {
	d := mysql.New()
	tbl := &spec.Table{Name: "t"}
	col := func(name string, typ spec.Type) *spec.Column {
		c := &spec.Column{Name: name, Type: typ, Table: tbl}
		tbl.Columns = append(tbl.Columns, c)
		return c
	}
	id := col("id", spec.Type{Kind: spec.TypeInteger, Unsigned: true})
	at := col("at", spec.Type{Kind: spec.TypeTimestamp})
	at.PrimaryKey = true
	id.PrimaryKey = true
	tbl.PrimaryKey = []*spec.Column{at, id}
	col("code", spec.Type{Kind: spec.TypeString, Length: 2, Fixed: true})
	ts := col("ts", spec.Type{Kind: spec.TypeTimestamp, Timezone: true, ZeroPrecision: true})
	ts.ServerDefault = &spec.Default{Kind: spec.DefaultNow}
	ts.ServerOnUpdate = &spec.Default{Kind: spec.DefaultNow}
	g := col("g", spec.Type{Kind: spec.TypeInteger})
	g.Computed = &spec.Computed{SQL: "id * 2"}
	tbl.Indexes = []*spec.Index{{Name: "ft", Kind: spec.IndexFulltext, Columns: []*spec.Column{tbl.Columns[2]}}}
	got, err := d.CreateTable(tbl)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"CREATE TABLE `t` (\n" +
		"  `id` INT UNSIGNED NOT NULL,\n" +
		"  `at` DATETIME(6) NOT NULL,\n" +
		"  `code` CHAR(2) NOT NULL,\n" +
		"  `ts` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP(0) ON UPDATE CURRENT_TIMESTAMP(0),\n" +
		"  `g` INT GENERATED ALWAYS AS (id * 2) VIRTUAL,\n" +
		"  PRIMARY KEY (`at`, `id`)\n" +
		") " + mysql.TableOptions,
		"CREATE FULLTEXT INDEX `ft` ON `t` (`code`)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// TestCheckIssue8 checks what validate --dialect mysql reports of the new
// options.
func TestCheckIssue8(t *testing.T) {
	tbl := &spec.Table{Name: "t"}
	for _, c := range []*spec.Column{
		{Name: "g", Type: spec.Type{Kind: spec.TypeInteger}, Computed: &spec.Computed{SQL: "1"}},
		{Name: "gn", Type: spec.Type{Kind: spec.TypeInteger}, Nullable: true, Computed: &spec.Computed{SQL: "1"}},
		{Name: "c", Type: spec.Type{Kind: spec.TypeString, Length: 300, Fixed: true}},
		{Name: "ok", Type: spec.Type{Kind: spec.TypeString, Length: 255, Fixed: true}},
	} {
		c.Table = tbl
		tbl.Columns = append(tbl.Columns, c)
	}
	s := &spec.Schema{Tables: []*spec.Table{tbl}}
	s.Index()
	got := map[string]spec.Severity{}
	for _, d := range dialects.CheckSchema(mysql.New(), s) {
		got[d.Rule] = d.Severity
	}
	want := map[string]spec.Severity{"dialect-computed-not-null": spec.SeverityWarning, "dialect-fixed-length": spec.SeverityError}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
