package sqlgen_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/internal/dialecttest"
	"github.com/dlayer/dlayer/dialects/mysql"
	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

func TestText(t *testing.T) {
	pg, my, lite := postgres.New(), mysql.New(), sqlite.New()
	tests := []struct {
		name    string
		d       dialects.Dialect
		sql     string
		params  map[string]any
		want    string
		args    []any
		wantErr string
	}{
		{"pg numbered", pg, "a = :a AND b = :b OR c = :a", map[string]any{"a": 1, "b": "x"}, "a = $1 AND b = $2 OR c = $3", []any{1, "x", 1}, ""},
		{"question marks", my, "a = :a AND b = :b", map[string]any{"a": 1, "b": 2}, "a = ? AND b = ?", []any{1, 2}, ""},
		{"cast kept", pg, "SELECT :v::int, x::text, y:::z", map[string]any{"v": "1"}, "SELECT $1::int, x::text, y:::z", []any{"1"}, ""},
		{"single quotes", pg, "SELECT ':a', 'it''s :a', :a", map[string]any{"a": 1}, "SELECT ':a', 'it''s :a', $1", []any{1}, ""},
		{"double quotes", lite, `SELECT ":a", "x"":a", :a`, map[string]any{"a": 1}, `SELECT ":a", "x"":a", ?`, []any{1}, ""},
		{"backticks", my, "SELECT `:a`, `x``:a`, :a", map[string]any{"a": 1}, "SELECT `:a`, `x``:a`, ?", []any{1}, ""},
		{"mysql backslash escape", my, `SELECT 'x\':a', :a`, map[string]any{"a": 1}, `SELECT 'x\':a', ?`, []any{1}, ""},
		{"pg backslash is literal", pg, `SELECT 'x\', :a`, map[string]any{"a": 1}, `SELECT 'x\', $1`, []any{1}, ""},
		{"pg E string", pg, `SELECT E'x\':a', :a`, map[string]any{"a": 1}, `SELECT E'x\':a', $1`, []any{1}, ""},
		{"line comment", lite, "SELECT 1 -- :a\n, :b", map[string]any{"b": 2}, "SELECT 1 -- :a\n, ?", []any{2}, ""},
		{"mysql minus minus", my, "SELECT 1--:a\n", map[string]any{"a": 2}, "SELECT 1--?\n", []any{2}, ""},
		{"mysql dash comment", my, "SELECT 1 -- :a\n", nil, "SELECT 1 -- :a\n", nil, ""},
		{"mysql hash comment", my, "SELECT 1 # :a\n", nil, "SELECT 1 # :a\n", nil, ""},
		{"hash is not a comment elsewhere", pg, "SELECT a #- :p", map[string]any{"p": "{x}"}, "SELECT a #- $1", []any{"{x}"}, ""},
		{"block comment", pg, "SELECT /* :a /* :b */ :c */ :d", map[string]any{"d": 4}, "SELECT /* :a /* :b */ :c */ $1", []any{4}, ""},
		{"dollar quotes", pg, "SELECT $$ :a $$, $fn$ ' :b $fn$, :c", map[string]any{"c": 3}, "SELECT $$ :a $$, $fn$ ' :b $fn$, $1", []any{3}, ""},
		{"dollar not quote elsewhere", lite, "SELECT $$ :a $$", map[string]any{"a": 1}, "SELECT $$ ? $$", []any{1}, ""},
		{"escaped colon", lite, `SELECT '1' || \:a`, nil, `SELECT '1' || :a`, nil, ""},
		{"colon alone", lite, "SELECT 1 : 2, :1", nil, "SELECT 1 : 2, :1", nil, ""},
		{"unterminated string", pg, "SELECT ':a", nil, "SELECT ':a", nil, ""},
		{"missing param", pg, "SELECT :a, :b", map[string]any{"a": 1}, "", nil, "no value for parameter :b"},
		{"nil value bound", pg, "SELECT :a", map[string]any{"a": nil}, "SELECT $1", []any{nil}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.d.Compile(stmt.Text(tt.sql).Params(tt.params))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.SQL != tt.want {
				t.Errorf("SQL = %q, want %q", c.SQL, tt.want)
			}
			if len(c.Args) != len(tt.args) || (len(tt.args) > 0 && !reflect.DeepEqual(c.Args, tt.args)) {
				t.Errorf("args = %#v, want %#v", c.Args, tt.args)
			}
		})
	}
}

func TestTextBindOverridesParams(t *testing.T) {
	c, err := postgres.New().Compile(stmt.Text("SELECT :a").Params(map[string]any{"a": 1}).Bind("a", 2))
	if err != nil {
		t.Fatal(err)
	}
	if c.Args[0] != 2 {
		t.Errorf("args = %v, want the bound 2", c.Args)
	}
}

func TestQuoteIdentAndLiteral(t *testing.T) {
	tests := []struct {
		name      string
		d         sqlgenDialect
		in        string
		ident     string
		literal   string
		literalOK bool
	}{
		{"pg", pgD, `a"b`, `"a""b"`, `'a"b'`, true},
		{"pg backslash", pgD, `a\'b`, `"a\'b"`, `'a\''b'`, true},
		{"mysql", myD, "a`b", "`a``b`", "'a`b'", true},
		{"mysql backslash", myD, `a\'b`, "`a\\'b`", `'a\\''b'`, true},
		{"sqlite", liteD, `x"y'z`, `"x""y'z"`, `'x"y''z'`, true},
		{"nul", liteD, "a\x00b", "\"a\x00b\"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.QuoteIdent(tt.in); got != tt.ident {
				t.Errorf("QuoteIdent = %s, want %s", got, tt.ident)
			}
			got, err := tt.d.Literal(tt.in)
			if (err == nil) != tt.literalOK {
				t.Fatalf("Literal error = %v", err)
			}
			if got != tt.literal {
				t.Errorf("Literal = %s, want %s", got, tt.literal)
			}
		})
	}
}

type sqlgenDialect interface {
	QuoteIdent(string) string
	Literal(string) (string, error)
}

var (
	pgD   = sqlgenDialect(postgres.New())
	myD   = sqlgenDialect(mysql.New())
	liteD = sqlgenDialect(sqlite.New())
)

func TestEveryTypeMaps(t *testing.T) {
	for _, d := range all {
		for _, k := range spec.BuiltinTypes() {
			t.Run(d.Name()+"/"+k.String(), func(t *testing.T) {
				c := &spec.Column{Name: "c", Type: spec.Type{Kind: k}}
				switch k {
				case spec.TypeEnum:
					c.Type.Values = []string{"a", "b"}
				case spec.TypeNative:
					c.Type.Native = map[string]string{d.Name(): "tsvector"}
				case spec.TypeArray:
					c.Type.Items = &spec.Type{Kind: spec.TypeText}
				}
				got, err := d.TypeSQL(c)
				if k == spec.TypeArray && d.Name() != "postgres" {
					if err == nil {
						t.Fatalf("TypeSQL = %q, want an error: %s has no arrays", got, d.Name())
					}
					return
				}
				if err != nil || got == "" {
					t.Fatalf("TypeSQL = %q, %v", got, err)
				}
			})
		}
	}
}

func oneTable(cols ...*spec.Column) *spec.Table {
	t := &spec.Table{Name: "t", Columns: cols}
	for _, c := range cols {
		c.Table = t
		if c.PrimaryKey {
			t.PrimaryKey = append(t.PrimaryKey, c)
		}
	}
	return t
}

func TestDDLErrors(t *testing.T) {
	id := func() *spec.Column {
		return &spec.Column{Name: "id", Type: spec.Type{Kind: spec.TypeInteger}, PrimaryKey: true}
	}
	text := func(opt func(*spec.Column)) *spec.Column {
		c := &spec.Column{Name: "x", Type: spec.Type{Kind: spec.TypeText}}
		if opt != nil {
			opt(c)
		}
		return c
	}
	tests := []struct {
		name  string
		d     dialects.Dialect
		table func() *spec.Table
		want  string // "" means no error
	}{
		{"mysql unique text", mysql.New(), func() *spec.Table { return oneTable(id(), text(func(c *spec.Column) { c.Unique = true })) }, "unique"},
		{"mysql index text gets a prefix", mysql.New(), func() *spec.Table { return oneTable(id(), text(func(c *spec.Column) { c.Index = true })) }, ""},
		{"mysql json index", mysql.New(), func() *spec.Table {
			return oneTable(id(), &spec.Column{Name: "j", Type: spec.Type{Kind: spec.TypeJSON}, Index: true})
		}, "json"},
		{"mysql set default", mysql.New(), func() *spec.Table {
			t := oneTable(id(), &spec.Column{Name: "p", Type: spec.Type{Kind: spec.TypeInteger}})
			t.ForeignKeys = []*spec.ForeignKey{{Table: t, Columns: t.Columns[1:], RefTable: t, RefColumns: t.Columns[:1], OnDelete: spec.ActionSetDefault}}
			return t
		}, "SET DEFAULT"},
		{"postgres set default", postgres.New(), func() *spec.Table {
			t := oneTable(id(), &spec.Column{Name: "p", Type: spec.Type{Kind: spec.TypeInteger}})
			t.ForeignKeys = []*spec.ForeignKey{{Table: t, Columns: t.Columns[1:], RefTable: t, RefColumns: t.Columns[:1], OnDelete: spec.ActionSetDefault}}
			return t
		}, ""},
		{"sqlite autoincrement in composite key", sqlite.New(), func() *spec.Table {
			a := id()
			a.Autoincrement = true
			return oneTable(a, &spec.Column{Name: "b", Type: spec.Type{Kind: spec.TypeInteger}, PrimaryKey: true})
		}, "autoincrement"},
		{"autoincrement string", postgres.New(), func() *spec.Table {
			return oneTable(&spec.Column{Name: "s", Type: spec.Type{Kind: spec.TypeString}, PrimaryKey: true, Autoincrement: true})
		}, "integer"},
		{"numeric default not a number", postgres.New(), func() *spec.Table {
			return oneTable(id(), &spec.Column{Name: "n", Type: spec.Type{Kind: spec.TypeInteger}, ServerDefault: &spec.Default{Kind: spec.DefaultLiteral, Value: "1; DROP TABLE t"}})
		}, "not a number"},
		{"NUL in default", sqlite.New(), func() *spec.Table {
			return oneTable(id(), &spec.Column{Name: "n", Type: spec.Type{Kind: spec.TypeText}, ServerDefault: &spec.Default{Kind: spec.DefaultLiteral, Value: "a\x00"}})
		}, "NUL"},
		{"enum default not a member", mysql.New(), func() *spec.Table {
			return oneTable(id(), &spec.Column{Name: "e", Type: spec.Type{Kind: spec.TypeEnum, Values: []string{"a"}}, ServerDefault: &spec.Default{Kind: spec.DefaultLiteral, Value: "b"}})
		}, "enum"},
		{"bad decimal", mysql.New(), func() *spec.Table {
			return oneTable(id(), &spec.Column{Name: "d", Type: spec.Type{Kind: spec.TypeDecimal, Precision: 70, Scale: 2}})
		}, "decimal"},
		{"now on an integer", postgres.New(), func() *spec.Table {
			return oneTable(id(), &spec.Column{Name: "n", Type: spec.Type{Kind: spec.TypeInteger}, ServerDefault: &spec.Default{Kind: spec.DefaultNow}})
		}, "now"},
		{"empty check", sqlite.New(), func() *spec.Table {
			t := oneTable(id())
			t.Checks = []*spec.Check{{Name: "c", Expr: " "}}
			return t
		}, "check"},
		{"no columns", sqlite.New(), func() *spec.Table { return oneTable() }, "no columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.d.CreateTable(tt.table())
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tt.want)) {
				t.Fatalf("error = %v, want one about %q", err, tt.want)
			}
		})
	}
}

func TestMySQLTextIndexPrefix(t *testing.T) {
	tb := oneTable(&spec.Column{Name: "id", Type: spec.Type{Kind: spec.TypeInteger}, PrimaryKey: true},
		&spec.Column{Name: "x", Type: spec.Type{Kind: spec.TypeText}, Index: true})
	sqls, err := mysql.New().CreateTable(tb)
	if err != nil {
		t.Fatal(err)
	}
	if got := sqls[len(sqls)-1]; got != "CREATE INDEX `ix_t_x` ON `t` (`x`(255))" {
		t.Errorf("index = %s", got)
	}
}

func TestUnsupportedFeatures(t *testing.T) {
	tb := stmt.Ref(oneTable(&spec.Column{Name: "id", Type: spec.Type{Kind: spec.TypeInteger}, PrimaryKey: true}))
	_, err := mysql.New().Compile(stmt.Delete(tb).Returning(tb))
	if !errors.Is(err, dialects.ErrUnsupported) {
		t.Errorf("mysql RETURNING: error = %v, want ErrUnsupported", err)
	}
	c, err := sqlite.New().Compile(stmt.Select(tb).ForUpdate())
	if err != nil || strings.Contains(c.SQL, "FOR UPDATE") {
		t.Errorf("sqlite FOR UPDATE: %v, %v (want the clause dropped)", c, err)
	}
}

func TestMaxParams(t *testing.T) {
	tb := stmt.Ref(oneTable(&spec.Column{Name: "id", Type: spec.Type{Kind: spec.TypeInteger}, PrimaryKey: true},
		&spec.Column{Name: "v", Type: spec.Type{Kind: spec.TypeInteger}}))
	rows := make([][]any, sqlite.MaxParams/2+1)
	for i := range rows {
		rows[i] = []any{i, i}
	}
	_, err := sqlite.New().Compile(stmt.Insert(tb).Columns("id", "v").Rows(rows...))
	if err == nil || !strings.Contains(err.Error(), "split") {
		t.Errorf("error = %v, want a too-many-parameters error", err)
	}
	vals := make([]any, sqlite.MaxParams+1)
	_, err = sqlite.New().Compile(stmt.Select(tb).Where(tb.C("v").In(vals...)))
	if err == nil {
		t.Error("an IN list over the parameter limit compiled")
	}
	if _, err := postgres.New().Compile(stmt.Insert(tb).Columns("id", "v").Rows(rows...)); err != nil {
		t.Errorf("postgres: %v", err)
	}
}

func TestBindNamedParams(t *testing.T) {
	tb := stmt.Ref(oneTable(&spec.Column{Name: "id", Type: spec.Type{Kind: spec.TypeBigInt}, PrimaryKey: true},
		&spec.Column{Name: "v", Type: spec.Type{Kind: spec.TypeInteger}}))
	c, err := postgres.New().Compile(stmt.Select(tb).Where(tb.C("v").Gt(3), tb.C("id").Eq(stmt.NamedParam("id"))))
	if err != nil {
		t.Fatal(err)
	}
	if c.ArgTypes[1] == nil || c.ArgTypes[1].Kind != spec.TypeBigInt {
		t.Errorf("param type = %v, want bigint", c.ArgTypes[1])
	}
	for _, id := range []int64{7, 8} {
		args, err := c.Bind(map[string]any{"id": id})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(args, []any{3, id}) {
			t.Errorf("args = %#v", args)
		}
	}
	if c.Args[1] != nil {
		t.Error("Bind modified the compiled arguments")
	}
	if _, err := c.Bind(nil); err == nil {
		t.Error("a missing parameter bound")
	}
	plain, _ := postgres.New().Compile(stmt.Select(tb).Where(tb.C("v").Gt(3)))
	if args, err := plain.Bind(nil); err != nil || len(args) != 1 {
		t.Errorf("Bind without params = %v, %v", args, err)
	}
}

func TestConcurrentCompile(t *testing.T) {
	tb := stmt.Ref(oneTable(&spec.Column{Name: "id", Type: spec.Type{Kind: spec.TypeBigInt}, PrimaryKey: true},
		&spec.Column{Name: "v", Type: spec.Type{Kind: spec.TypeInteger}}))
	d := postgres.New()
	q := stmt.Select(tb).Where(tb.C("id").Eq(1))
	want, _ := d.Compile(q)
	done := make(chan string)
	for i := 0; i < 8; i++ {
		go func() {
			var bad string
			for j := 0; j < 200; j++ {
				c, err := d.Compile(q)
				if err != nil || c.SQL != want.SQL {
					bad = "mismatch"
				}
			}
			done <- bad
		}()
	}
	for i := 0; i < 8; i++ {
		if s := <-done; s != "" {
			t.Error(s)
		}
	}
}

func TestDerivedNamesFit(t *testing.T) {
	long := strings.Repeat("très_long_", 8)
	id := &spec.Column{Name: "id", Type: spec.Type{Kind: spec.TypeInteger}, PrimaryKey: true}
	a := &spec.Column{Name: long + "a", Type: spec.Type{Kind: spec.TypeInteger}, Index: true, Unique: true}
	b := &spec.Column{Name: long + "b", Type: spec.Type{Kind: spec.TypeInteger}, Index: true, Unique: true}
	tb := oneTable(id, a, b)
	tb.Name = long
	tb.ForeignKeys = []*spec.ForeignKey{{Table: tb, Columns: []*spec.Column{a}, RefTable: tb, RefColumns: []*spec.Column{id}},
		{Table: tb, Columns: []*spec.Column{b}, RefTable: tb, RefColumns: []*spec.Column{id}}}
	for _, d := range all {
		sqls, err := d.CreateTable(tb)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, q := range sqls {
			ids, _, err := dialecttest.SplitQuoted(q, d.QuoteIdent("x")[0])
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				if id == tb.Name || id == a.Name || id == b.Name || id == "id" {
					continue
				}
				if len(id) > 63 || !utf8.ValidString(id) {
					t.Errorf("%s: derived name %q is %d bytes", d.Name(), id, len(id))
				}
				if seen[id] && !strings.HasPrefix(id, "ix_") {
					t.Errorf("%s: derived name %q used twice", d.Name(), id)
				}
				seen[id] = true
			}
		}
		if len(seen) != 6 {
			t.Errorf("%s: %d distinct derived names, want 6: %v", d.Name(), len(seen), seen)
		}
	}
}

func TestColumnSQL(t *testing.T) {
	id := &spec.Column{Name: "id", Type: spec.Type{Kind: spec.TypeBigInt}, PrimaryKey: true, Autoincrement: true}
	c := &spec.Column{Name: "note", Type: spec.Type{Kind: spec.TypeString, Length: 20}, Nullable: true,
		ServerDefault: &spec.Default{Kind: spec.DefaultLiteral, Value: "it's"}, Comment: "a note"}
	tb := oneTable(id, c)
	tests := []struct {
		d    dialects.Dialect
		col  *spec.Column
		want string
	}{
		{postgres.New(), c, `"note" VARCHAR(20) DEFAULT 'it''s'`},
		{mysql.New(), c, "`note` VARCHAR(20) DEFAULT 'it''s' COMMENT 'a note'"},
		{sqlite.New(), c, `"note" VARCHAR(20) DEFAULT 'it''s'`},
		{postgres.New(), id, `"id" BIGINT GENERATED BY DEFAULT AS IDENTITY NOT NULL`},
	}
	for _, tt := range tests {
		t.Run(tt.d.Name()+"/"+tt.col.Name, func(t *testing.T) {
			got, err := tt.d.(dialects.ColumnDefiner).ColumnSQL(tb, tt.col)
			if err != nil || got != tt.want {
				t.Errorf("ColumnSQL = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}
