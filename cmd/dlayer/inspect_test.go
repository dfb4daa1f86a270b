package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
)

// TestInspectReport pins the inspect report: exit 0 and "nothing skipped"
// for a database dlayer represents fully, exit 3 with every skipped object
// located for one it does not, in text (on stdout with -o, on stderr when
// the YAML goes to stdout) and as JSON.
func TestInspectReport(t *testing.T) {
	tests := []struct {
		name    string
		dialect string
		sql     string
		lossy   bool
		text    []string // report lines expected
		json    []string // "kind object" pairs expected in the JSON notes
	}{
		{name: "sqlite clean", dialect: testdb.SQLite, sql: "CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n",
			text: []string{"inspect: nothing skipped or approximated"}},
		{name: "sqlite trigger, expression index, broken references", dialect: testdb.SQLite, lossy: true,
			sql: "CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n NUMBERISH, " +
				"gone INTEGER REFERENCES nowhere (id), bad INTEGER REFERENCES a (nosuch));\nCREATE INDEX a_lower ON a (lower(name));\n" +
				"CREATE TRIGGER a_t AFTER INSERT ON a BEGIN\n  UPDATE a SET name = name WHERE id = NEW.id;\nEND;\n",
			text: []string{"inspect: 4 skipped, 0 approximated", "skipped      index             a.a_lower: indexes on expressions",
				"skipped      trigger           a_t: triggers are not kept", `a: references "nowhere", which is not an inspected table`,
				"a: references missing column a.nosuch"},
			json: []string{"foreign key a", "foreign key a", "index a.a_lower", "trigger a_t"}},
		{name: "postgres", dialect: testdb.Postgres, lossy: true,
			sql: "CREATE TABLE a (id serial PRIMARY KEY, doc tsvector, tags text[], during tsrange, EXCLUDE USING gist (during WITH &&));\n" +
				"CREATE MATERIALIZED VIEW m AS SELECT id FROM a;\nCREATE INDEX a_part ON a (id) WHERE id > 10;\n" +
				"CREATE VIEW v WITH (security_barrier) AS SELECT id FROM a WHERE id > 0 WITH CASCADED CHECK OPTION;\n",
			text: []string{"inspect: 2 skipped, 1 approximated", "a.a_part: expression and partial indexes", "a.a_during_excl: exclusion constraints",
				"approximated view              v: its options (security_barrier=true, check_option=cascaded) are not kept"},
			json: []string{"constraint a.a_during_excl", "index a.a_part", "view v"}},
		{name: "mysql", dialect: testdb.MySQL, lossy: true,
			sql: "CREATE TABLE a (id int PRIMARY KEY, y year, s set('x','Y'));\nCREATE PROCEDURE p() SELECT 1;\n" +
				"CREATE SQL SECURITY INVOKER VIEW v AS SELECT id FROM a WHERE id > 0 WITH CHECK OPTION;\n",
			text: []string{"inspect: 1 skipped, 2 approximated", "skipped      procedure         p: procedures are not kept",
				"v: WITH CASCADED CHECK OPTION is not kept", "v: SQL SECURITY INVOKER is not kept"},
			json: []string{"procedure p", "view v", "view v"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := fresh.URL(t, tt.dialect, "dl_insp")
			execScript(t, url, tt.sql)
			want := exitOK
			if tt.lossy {
				want = exitLossy
			}
			// -o: the report on stdout.
			dir := t.TempDir()
			code, out, errOut := runCLI(t, "inspect", url, "-o", dir)
			if code != want {
				t.Fatalf("exit %d, want %d\n%s%s", code, want, out, errOut)
			}
			if !strings.HasPrefix(out, "wrote "+filepath.Join(dir, "models.yaml")) {
				t.Errorf("stdout does not start with the file written:\n%s", out)
			}
			for _, s := range tt.text {
				if !strings.Contains(out, s) {
					t.Errorf("report lacks %q:\n%s", s, out)
				}
			}
			// No -o: YAML on stdout, the report on stderr.
			code, out, errOut = runCLI(t, "inspect", url)
			if code != want || !strings.HasPrefix(out, "# yaml-language-server") || strings.Contains(out, "inspect:") {
				t.Fatalf("to stdout: exit %d, stdout:\n%s", code, out)
			}
			for _, s := range tt.text {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr report lacks %q:\n%s", s, errOut)
				}
			}
			// JSON.
			code, out, _ = runCLI(t, "inspect", "--format", "json", url, "-o", t.TempDir())
			if code != want {
				t.Fatalf("json: exit %d", code)
			}
			var rep struct {
				File    string `json:"file"`
				Tables  int    `json:"tables"`
				Skipped int    `json:"skipped"`
				Approx  int    `json:"approximated"`
				Notes   []struct {
					Kind, Object, Action, Detail string
				} `json:"notes"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.File == "" || rep.Tables != 1 || rep.Notes == nil {
				t.Fatalf("json report %q: %v", out, err)
			}
			var got []string
			for _, n := range rep.Notes {
				got = append(got, n.Kind+" "+n.Object)
				if n.Action != "skipped" && n.Action != "approximated" || n.Detail == "" {
					t.Errorf("note %+v", n)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.json, ",") || rep.Skipped+rep.Approx != len(tt.json) {
				t.Errorf("json notes %v (skipped %d), want %v", got, rep.Skipped, tt.json)
			}
		})
	}
}

func TestInspectUsage(t *testing.T) {
	if code, _, errOut := runCLI(t, "inspect", "--format", "xml", "sqlite:"+filepath.Join(t.TempDir(), "x.db")); code != exitUsage ||
		!strings.Contains(errOut, "unknown --format") {
		t.Fatalf("bad format: exit %d %s", code, errOut)
	}
	if code, out, _ := runCLI(t, "help", "inspect"); code != exitOK || !strings.Contains(out, "3 written, but the") {
		t.Fatalf("help does not document exit 3:\n%s", out)
	}
}
