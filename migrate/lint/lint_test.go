package lint_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/migrate/lint"
)

// up wraps statements in a migration file's Up section (line 3 onwards).
func up(sql string) string {
	return "-- dlayer migration: test\n\n-- +dlayer Up\n" + sql + "\n-- +dlayer Down\nDROP TABLE everything;\n"
}

func codes(fs []lint.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

// TestRules runs every rule on each dialect, with the statements that must
// fire it and look-alikes that must not (comments, string literals, quoted
// identifiers, tables the migration creates, the Down section).
func TestRules(t *testing.T) {
	all := []string{"postgres", "mysql", "sqlite"}
	tests := []struct {
		name     string
		dialects []string
		sql      string
		want     []string // rule codes, in order
	}{
		// DL101 drop-table
		{"drop table", all, "DROP TABLE users;", []string{"DL101"}},
		{"drop table if exists, two", all, "DROP TABLE IF EXISTS a, \"b\";", []string{"DL101", "DL101"}},
		{"drop table qualified", []string{"postgres"}, "DROP TABLE public.users;", []string{"DL101"}},
		{"drop table in a comment", all, "-- DROP TABLE users;\n/* DROP TABLE users; */ SELECT 1;", nil},
		{"drop table in a string", all, "INSERT INTO log (msg) VALUES ('DROP TABLE users;');", nil},
		{"drop table in dollar quotes", []string{"postgres"}, "DO $$ BEGIN EXECUTE 'x'; END $$;\nSELECT $f$DROP TABLE users;$f$;", nil},
		{"drop of a table created here", all, "CREATE TABLE tmp (id INT);\nDROP TABLE tmp;", nil},
		{"sqlite rebuild", []string{"sqlite"}, `CREATE TABLE "_dlayer_new_users" ("id" INTEGER);
INSERT INTO "_dlayer_new_users" ("id") SELECT "id" FROM "users";
DROP TABLE "users";
ALTER TABLE "_dlayer_new_users" RENAME TO "users";`, nil},
		{"sqlite rebuild adding a required column", []string{"sqlite"}, `CREATE TABLE "_dlayer_new_users" ("id" INTEGER NOT NULL, "org" INTEGER NOT NULL, "n" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ("id"));
INSERT INTO "_dlayer_new_users" ("id") SELECT "id" FROM "users";
DROP TABLE "users";
ALTER TABLE "_dlayer_new_users" RENAME TO "users";`, []string{"DL502"}},
		{"rename before a rebuild", []string{"sqlite"}, `ALTER TABLE "users" RENAME COLUMN "name" TO "full_name";
CREATE TABLE "_dlayer_new_users" ("id" INTEGER);
INSERT INTO "_dlayer_new_users" ("id") SELECT "id" FROM "users";
DROP TABLE "users";
ALTER TABLE "_dlayer_new_users" RENAME TO "users";
CREATE UNIQUE INDEX ux ON users (id);`, []string{"DL401"}},
		{"change after a drop and re-create", all, "DROP TABLE t;\nCREATE TABLE t (id INT);\nALTER TABLE t ADD COLUMN x INT NOT NULL;", []string{"DL101"}},
		{"ignore comment", all, "-- dlayer-lint: ignore DL101\nDROP TABLE users;", nil},
		{"ignore comment for another rule", all, "-- dlayer-lint: ignore DL102\nDROP TABLE users;", []string{"DL101"}},
		// DL102 drop-column
		{"drop column", all, `ALTER TABLE "users" DROP COLUMN "age";`, []string{"DL102"}},
		{"drop column if exists", []string{"postgres", "mysql"}, "ALTER TABLE users DROP COLUMN IF EXISTS age;", []string{"DL102"}},
		{"mysql drop without COLUMN", []string{"mysql"}, "ALTER TABLE `users` DROP `age`;", []string{"DL102"}},
		{"drop constraint is not a column", all, "ALTER TABLE users DROP CONSTRAINT users_age_check;", nil},
		{"drop index is not a column", []string{"mysql"}, "ALTER TABLE users DROP INDEX ix_age, DROP FOREIGN KEY fk_x;", nil},
		{"drop column in a comment", all, "ALTER TABLE users ADD COLUMN note TEXT; -- then DROP COLUMN age\n", nil},
		{"drop column named in a string", all, "UPDATE users SET note = 'ALTER TABLE users DROP COLUMN age';", nil},
		// DL104 / DL301 type changes
		{"pg type change", []string{"postgres"}, `ALTER TABLE "users" ALTER COLUMN "name" TYPE VARCHAR(100);`, []string{"DL104"}},
		{"pg set data type", []string{"postgres"}, "ALTER TABLE users ALTER name SET DATA TYPE text;", []string{"DL104"}},
		{"mysql modify", []string{"mysql"}, "ALTER TABLE `users` MODIFY COLUMN `name` VARCHAR(100) NOT NULL;", []string{"DL301"}},
		{"mysql modify with algorithm", []string{"mysql"}, "ALTER TABLE users MODIFY name VARCHAR(100), ALGORITHM=INPLACE, LOCK=NONE;", nil},
		{"mysql change renames", []string{"mysql"}, "ALTER TABLE users CHANGE name full_name VARCHAR(100);", []string{"DL401", "DL301"}},
		{"mysql primary key", []string{"mysql"}, "ALTER TABLE users DROP PRIMARY KEY, ADD PRIMARY KEY (id, org);", []string{"DL301", "DL501", "DL301"}},
		{"mysql convert charset", []string{"mysql"}, "ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4;", []string{"DL301"}},
		{"mysql add column is instant", []string{"mysql"}, "ALTER TABLE users ADD COLUMN note TEXT NULL;", nil},
		// DL201 index-not-concurrent
		{"pg index", []string{"postgres"}, `CREATE INDEX "ix_users_email" ON "users" ("email");`, []string{"DL201"}},
		{"pg index concurrently", []string{"postgres"}, "CREATE INDEX CONCURRENTLY ix ON users (email);", nil},
		{"pg index if not exists", []string{"postgres"}, "CREATE INDEX IF NOT EXISTS ix ON users (email);", nil},
		{"pg index on new table", []string{"postgres"}, "CREATE TABLE t (id INT);\nCREATE INDEX ix ON t (id);", nil},
		{"mysql index is online", []string{"mysql", "sqlite"}, "CREATE INDEX ix ON users (email);", nil},
		// DL202 volatile-default
		{"pg volatile default", []string{"postgres"}, "ALTER TABLE users ADD COLUMN token UUID DEFAULT gen_random_uuid();", []string{"DL202"}},
		{"pg volatile default clock", []string{"postgres"}, "ALTER TABLE users ADD seen TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp();", []string{"DL202"}},
		{"pg stable default", []string{"postgres"}, "ALTER TABLE users ADD COLUMN created TIMESTAMPTZ NOT NULL DEFAULT now();", nil},
		{"pg default string naming a function", []string{"postgres"}, "ALTER TABLE users ADD COLUMN note TEXT DEFAULT 'random()';", nil},
		{"volatile default is pg only", []string{"mysql"}, "ALTER TABLE users ADD COLUMN r DOUBLE DEFAULT (random());", nil},
		// DL203 set-not-null
		{"pg set not null", []string{"postgres"}, `ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL;`, []string{"DL203"}},
		{"pg set not null after validated check", []string{"postgres"}, `ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT email_nn;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;`, nil},
		{"pg drop not null", []string{"postgres"}, "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;", nil},
		// DL204 constraint-not-valid
		{"pg foreign key", []string{"postgres"}, "ALTER TABLE posts ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);", []string{"DL204"}},
		{"pg check not valid", []string{"postgres"}, "ALTER TABLE posts ADD CONSTRAINT c CHECK (n > 0) NOT VALID;", nil},
		// DL401 rename
		{"rename column", []string{"postgres", "mysql", "sqlite"}, `ALTER TABLE "users" RENAME COLUMN "name" TO "full_name";`, []string{"DL401"}},
		{"rename table", all, "ALTER TABLE users RENAME TO people;", []string{"DL401"}},
		{"mysql rename table", []string{"mysql"}, "RENAME TABLE users TO people;", []string{"DL401"}},
		{"rename index", []string{"postgres", "mysql"}, "ALTER TABLE users RENAME INDEX a TO b;", nil},
		{"rename in a quoted identifier", all, `INSERT INTO "RENAME COLUMN" (x) VALUES (1);`, nil},
		// DL501 add-unique
		{"unique index", []string{"mysql", "sqlite"}, "CREATE UNIQUE INDEX ux ON users (email);", []string{"DL501"}},
		{"unique index pg", []string{"postgres"}, "CREATE UNIQUE INDEX CONCURRENTLY ux ON users (email);", []string{"DL501"}},
		{"unique constraint", []string{"postgres", "mysql"}, "ALTER TABLE users ADD CONSTRAINT ux UNIQUE (email);", []string{"DL501"}},
		{"unique on a new table", all, "CREATE TABLE t (id INT, e TEXT);\nCREATE UNIQUE INDEX ux ON t (e);", nil},
		// DL502 not-null-without-default
		{"not null without default", all, "ALTER TABLE users ADD COLUMN org INTEGER NOT NULL;", []string{"DL502"}},
		{"not null with default", all, "ALTER TABLE users ADD COLUMN org INTEGER NOT NULL DEFAULT 0;", nil},
		{"nullable column", all, "ALTER TABLE users ADD COLUMN org INTEGER;", nil},
		{"not null in a check", []string{"postgres"}, "ALTER TABLE users ADD COLUMN org INTEGER CHECK (org IS NOT NULL);", nil},
		{"generated not null", []string{"postgres", "mysql"}, "ALTER TABLE users ADD COLUMN n INTEGER GENERATED ALWAYS AS (id * 2) STORED NOT NULL;", nil},
		{"serial", []string{"postgres"}, "ALTER TABLE users ADD COLUMN n BIGSERIAL NOT NULL;", nil},
		{"new table not null", all, "CREATE TABLE t (id INT NOT NULL);\nALTER TABLE t ADD COLUMN x INT NOT NULL;", nil},
		// More look-alikes in comments and literals, per dialect.
		{"pg index in a comment and a string", []string{"postgres"}, "/* CREATE INDEX ix ON users (a); */\nCOMMENT ON TABLE users IS 'CREATE INDEX ix ON users (a)';", nil},
		{"pg E string with an escaped quote", []string{"postgres"}, "SELECT E'it\\'s; DROP TABLE users; ALTER TABLE users DROP COLUMN a';", nil},
		{"pg set not null in a comment", []string{"postgres"}, "-- ALTER TABLE users ALTER COLUMN email SET NOT NULL;\nSELECT 1;", nil},
		{"pg volatile default in a function body", []string{"postgres"}, "CREATE FUNCTION f() RETURNS void AS $body$ ALTER TABLE users ADD COLUMN t UUID DEFAULT gen_random_uuid(); $body$ LANGUAGE sql;", nil},
		{"mysql hash comment", []string{"mysql"}, "# ALTER TABLE users MODIFY name TEXT;\nSELECT 1;", nil},
		{"mysql backslash escape", []string{"mysql"}, "INSERT INTO t (s) VALUES ('a\\'; DROP TABLE users; --');", nil},
		{"mysql backquoted keyword names", []string{"mysql"}, "CREATE TABLE `drop` (`rename` INT);\nINSERT INTO `drop` (`rename`) VALUES (1);", nil},
		{"sqlite string with a semicolon", []string{"sqlite"}, "INSERT INTO t (s) VALUES ('x; ALTER TABLE users RENAME TO people');", nil},
		{"keywords as column names", all, "UPDATE users SET \"drop\" = 1, note = 'rename' WHERE \"column\" = 2;", nil},
		// The Down section is not linted.
		{"down section", all, "SELECT 1;\n-- +dlayer Down\nDROP TABLE users;\n-- +dlayer Up2", nil},
	}
	for _, tt := range tests {
		for _, d := range tt.dialects {
			t.Run(tt.name+"/"+d, func(t *testing.T) {
				fs, err := lint.File("m.sql", []byte(up(tt.sql)), lint.Options{Dialect: d})
				if err != nil && tt.name != "down section" {
					t.Fatal(err)
				}
				if got := codes(fs); !slices.Equal(got, tt.want) {
					t.Errorf("rules = %v, want %v\n%v", got, tt.want, fs)
				}
			})
		}
	}
}

// TestLocation checks file:line:col, the explanation and the fix.
func TestLocation(t *testing.T) {
	src := up("SELECT 1;\n  -- a comment; with a semicolon\n  ALTER TABLE users\n    DROP COLUMN age;")
	fs, err := lint.File("migrations/1_x.sql", []byte(src), lint.Options{Dialect: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 {
		t.Fatalf("findings = %v", fs)
	}
	f := fs[0]
	if f.File != "migrations/1_x.sql" || f.Line != 7 || f.Col != 5 || f.Severity != lint.Error {
		t.Errorf("finding at %s:%d:%d %s, want migrations/1_x.sql:7:5 error", f.File, f.Line, f.Col, f.Severity)
	}
	if !strings.Contains(f.Message, "users.age") || !strings.Contains(f.Message, "rolling deploy") || f.Fix == "" {
		t.Errorf("message %q fix %q", f.Message, f.Fix)
	}
	if got := f.String(); !strings.HasPrefix(got, "migrations/1_x.sql:7:5: error: DL102 drop-column: dropping column users.age") {
		t.Errorf("String() = %q", got)
	}
}

// TestNarrowing: a type change the generator marked destructive is DL103 at
// the statement.
func TestNarrowing(t *testing.T) {
	src := "-- dlayer migration: shrink\n-- +dlayer dialect: postgres\n-- +dlayer destructive: alter column users.name (type varchar(100) -> varchar(20))\n\n" +
		"-- +dlayer Up\nALTER TABLE \"users\" ALTER COLUMN \"name\" TYPE VARCHAR(20);\n-- +dlayer Down\n"
	fs, err := lint.File("m.sql", []byte(src), lint.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(fs); !slices.Equal(got, []string{"DL104", "DL103"}) {
		t.Fatalf("rules = %v", got)
	}
	if fs[1].Line != 6 || fs[1].Severity != lint.Error || !strings.Contains(fs[1].Message, "users.name") {
		t.Errorf("DL103 = %+v", fs[1])
	}
}

// TestDialectFromHeader: the file's dialect header picks the dialect rules
// and MySQL's string escapes.
func TestDialectFromHeader(t *testing.T) {
	src := "-- +dlayer dialect: mysql\n-- +dlayer Up\nINSERT INTO t (s) VALUES ('it\\'s; DROP TABLE users;');\nALTER TABLE t MODIFY s TEXT;\n"
	fs, err := lint.File("m.sql", []byte(src), lint.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(fs); !slices.Equal(got, []string{"DL301"}) {
		t.Fatalf("rules = %v (%v)", got, fs)
	}
	if _, err := lint.File("m.sql", []byte(src), lint.Options{Dialect: "oracle"}); err == nil {
		t.Error("unknown dialect accepted")
	}
	if _, err := lint.File("m.sql", []byte("-- +dlayer Up\nSELECT 'x;\n"), lint.Options{}); err == nil {
		t.Error("unterminated string accepted")
	}
}

func TestWrite(t *testing.T) {
	fs, err := lint.File("dir/m,1.sql", []byte(up("DROP TABLE users;\nCREATE INDEX ix ON t (a);")), lint.Options{Dialect: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ format, want string }{
		{"text", "dir/m,1.sql:4:12: error: DL101 drop-table: DROP TABLE users"},
		{"text", "1 file linted: 1 error, 1 warning"},
		{"github", "::error file=dir/m%2C1.sql,line=4,col=12,title=DL101 drop-table::DROP TABLE users"},
		{"github", "::warning file=dir/m%2C1.sql,line=5,col=1,title=DL201 index-not-concurrent::"},
	} {
		var b bytes.Buffer
		if err := lint.Write(&b, tt.format, fs, 1); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tt.want) {
			t.Errorf("%s output lacks %q:\n%s", tt.format, tt.want, b.String())
		}
	}
	var b bytes.Buffer
	if err := lint.Write(&b, "json", fs, 1); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Errors, Warnings int
		Findings         []lint.Finding
	}
	if err := json.Unmarshal(b.Bytes(), &out); err != nil || out.Errors != 1 || out.Warnings != 1 || out.Findings[0].Line != 4 {
		t.Errorf("json = %s (%v)", b.String(), err)
	}
	if err := lint.Write(&b, "xml", fs, 1); err == nil {
		t.Error("unknown format accepted")
	}
}

// TestRulesDocumented: every rule has a code, name, explanation and fix,
// and docs list it.
func TestRulesDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range lint.Rules {
		if r.Code == "" || r.Name == "" || r.Why == "" || r.Fix == "" || seen[r.Code] {
			t.Errorf("rule %+v incomplete or duplicated", r)
		}
		seen[r.Code] = true
	}

}

// TestSQLiteRebuildDrop: a column dropped by SQLite's table rebuild (no
// DROP COLUMN statement) is still DL102, at the rebuild's DROP TABLE,
// from the generator's destructive mark.
func TestSQLiteRebuildDrop(t *testing.T) {
	src := `-- dlayer migration: x
-- +dlayer dialect: sqlite
-- +dlayer destructive: drop column users.legacy

-- +dlayer Up
CREATE TABLE "_dlayer_new_users" ("id" INTEGER);
INSERT INTO "_dlayer_new_users" ("id") SELECT "id" FROM "users";
DROP TABLE "users";
ALTER TABLE "_dlayer_new_users" RENAME TO "users";
-- +dlayer Down
`
	fs, err := lint.File("m.sql", []byte(src), lint.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(fs); !slices.Equal(got, []string{"DL102"}) || fs[0].Line != 8 || !strings.Contains(fs[0].Message, "users.legacy") {
		t.Fatalf("findings = %v", fs)
	}
	// A native DROP COLUMN with the same mark is reported once.
	src2 := src[:strings.Index(src, "CREATE")] + "ALTER TABLE \"users\" DROP COLUMN \"legacy\";\n"
	if fs, _ := lint.File("m.sql", []byte(src2), lint.Options{}); len(fs) != 1 || fs[0].Line != 6 {
		t.Errorf("findings = %v", fs)
	}
}
