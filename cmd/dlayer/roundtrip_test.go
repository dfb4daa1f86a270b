package main

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
)

// The round-trip corpus: every file testdata/roundtrip/<dialect>/<name>.sql
// (dialect is postgres, mysql or sqlite) is a database we did not design.
// TestRoundTrip takes each one through what a user adopting dlayer does:
//
//  1. load the SQL into a fresh database of that dialect;
//  2. `dlayer inspect URL -o DIR` (exit 0, or exit 3 when the file declares
//     expected losses, see below);
//  3. `dlayer validate --dialect <dialect> DIR` passes;
//  4. `dlayer migrate check --from-db` against the source reports no changes;
//  5. `dlayer ddl --dialect <dialect> DIR` applied to a second fresh database;
//  6. inspecting that database gives YAML byte-identical to step 2;
//  7. the same through migrations: `migrate diff` from the empty migration
//     directory, `migrate up` on a third fresh database, inspect: identical.
//
// Directives, as SQL comments anywhere in the .sql file:
//
//	-- expect-report: TEXT   the inspect report (text form) contains TEXT,
//	                         and inspect exits 3 (written with losses);
//	                         without this directive inspect must exit 0
//	-- expect-yaml: TEXT     the inspected YAML contains TEXT
//	-- expect-no-yaml: TEXT  the inspected YAML does not contain TEXT
//
// A sidecar <name>.cross lists, one per line, what the inspected YAML does
// on the other dialects ('#' starts a comment):
//
//	sqlite: ok                          validate --dialect sqlite passes and
//	                                    ddl --dialect sqlite applies to a
//	                                    fresh SQLite database
//	mysql: refused RULE TEXT...         validate --dialect mysql exits 1 with
//	                                    a located diagnostic (models.yaml:L:C)
//	                                    of rule RULE whose line contains TEXT,
//	                                    and ddl --dialect mysql exits 1
//
// Statements in the .sql file end with ';' at the end of a line; a
// statement starting CREATE TRIGGER (SQLite, MySQL) runs to a line ending
// "END;", and PostgreSQL dollar-quoted bodies may hold semicolons.
func TestRoundTrip(t *testing.T) {
	root := filepath.Join("testdata", "roundtrip")
	n := 0
	for _, dialect := range []string{testdb.Postgres, testdb.MySQL, testdb.SQLite} {
		files, err := filepath.Glob(filepath.Join(root, dialect, "*.sql"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(files)
		for _, f := range files {
			n++
			name := strings.TrimSuffix(filepath.Base(f), ".sql")
			t.Run(dialect+"/"+name, func(t *testing.T) {
				runCorpusFile(t, dialect, f)
			})
		}
	}
	if n == 0 {
		t.Fatal("the round-trip corpus is empty")
	}
}

type rtExpect struct {
	report, yaml, noYAML []string
}

func readExpect(t *testing.T, src string) rtExpect {
	var e rtExpect
	sc := bufio.NewScanner(strings.NewReader(src))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		for _, d := range []struct {
			prefix string
			into   *[]string
		}{{"-- expect-report:", &e.report}, {"-- expect-yaml:", &e.yaml}, {"-- expect-no-yaml:", &e.noYAML}} {
			if v, ok := strings.CutPrefix(line, d.prefix); ok {
				*d.into = append(*d.into, strings.TrimSpace(v))
			}
		}
	}
	return e
}

// runCorpusFile takes one corpus file through every step and returns the
// directory holding its first inspection's YAML.
func runCorpusFile(t *testing.T, dialect, file string) string {
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	exp := readExpect(t, string(raw))
	src := fresh.URL(t, dialect, "dl_rt")
	execScript(t, src, string(raw))

	// 2. inspect
	first, report := inspectInto(t, src, len(exp.report) > 0)
	for _, s := range exp.report {
		if !strings.Contains(report, s) {
			t.Errorf("inspect report lacks %q:\n%s", s, report)
		}
	}
	yamlText := readModels(t, first)
	for _, s := range exp.yaml {
		if !strings.Contains(yamlText, s) {
			t.Errorf("inspected YAML lacks %q:\n%s", s, yamlText)
		}
	}
	for _, s := range exp.noYAML {
		if strings.Contains(yamlText, s) {
			t.Errorf("inspected YAML contains %q:\n%s", s, yamlText)
		}
	}

	// 3. validate --dialect
	if code, out, errOut := runCLI(t, "validate", "--dialect", dialect, first); code != exitOK {
		t.Fatalf("validate --dialect %s: exit %d\n%s%s\nYAML:\n%s", dialect, code, out, errOut, yamlText)
	}

	// 4. migrate check --from-db against the source
	if code, out, errOut := runCLI(t, "migrate", "check", "--from-db", "--url", src, "--models", first,
		"--dir", t.TempDir()); code != exitOK {
		t.Fatalf("migrate check --from-db: exit %d\n%s%s\nYAML:\n%s", code, out, errOut, yamlText)
	}

	// 5. ddl applied to a fresh database
	code, ddl, errOut := runCLI(t, "ddl", "--dialect", dialect, first)
	if code != exitOK {
		t.Fatalf("ddl --dialect %s: exit %d\n%s\nYAML:\n%s", dialect, code, errOut, yamlText)
	}
	copyURL := fresh.URL(t, dialect, "dl_rt")
	execScript(t, copyURL, ddl)

	// 6. re-inspect: byte-identical YAML
	// The copy lacks what the first inspection skipped, so its report may
	// be shorter; its YAML may not differ.
	second, _ := inspectInto(t, copyURL, len(exp.report) > 0)
	if again := readModels(t, second); again != yamlText {
		t.Fatalf("re-inspected YAML differs from the first inspection\nfirst:\n%s\nsecond:\n%s\nDDL:\n%s", yamlText, again, ddl)
	}

	// 7. the same through migrations: a baseline written from the empty
	// migration directory, applied by migrate up to a fresh database.
	migrations := t.TempDir()
	if code, out, errOut := runCLI(t, "migrate", "diff", "-m", "baseline", "--dialect", dialect, "--models", first,
		"--dir", migrations); code != exitOK {
		t.Fatalf("migrate diff (baseline): exit %d\n%s%s", code, out, errOut)
	}
	migURL := fresh.URL(t, dialect, "dl_rtm")
	if code, out, errOut := runCLI(t, "migrate", "up", "--url", migURL, "--dir", migrations); code != exitOK {
		t.Fatalf("migrate up (baseline): exit %d\n%s%s", code, out, errOut)
	}
	third, _ := inspectInto(t, migURL, len(exp.report) > 0)
	if again := readModels(t, third); again != yamlText {
		t.Fatalf("YAML inspected after migrate up differs from the first inspection\nfirst:\n%s\nsecond:\n%s\nDDL:\n(migrations)", yamlText, again)
	}

	crossCheck(t, dialect, file, first)
	return first
}

// inspectInto runs dlayer inspect into a new directory and returns it and
// the report (stdout and stderr). lossy says whether exit 3 is expected
// (for a copy, allowed).
func inspectInto(t *testing.T, url string, lossy bool) (string, string) {
	t.Helper()
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "inspect", url, "-o", dir)
	want := exitOK
	if lossy {
		want = exitLossy
	}
	if code != want && !(lossy && code == exitOK) {
		t.Fatalf("inspect: exit %d, want %d\n%s%s", code, want, out, errOut)
	}
	return dir, out + errOut
}

func readModels(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "models.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var crossRE = regexp.MustCompile(`^(postgres|mysql|sqlite):\s*(ok|refused\s+(\S+)\s+(.+))$`)

// crossCheck applies the <name>.cross expectations to the inspected YAML.
func crossCheck(t *testing.T, from, file, models string) {
	raw, err := os.ReadFile(strings.TrimSuffix(file, ".sql") + ".cross")
	if os.IsNotExist(err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(raw), "\n") {
		line, _, _ = strings.Cut(line, "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		m := crossRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("%s.cross:%d: cannot read %q (want `DIALECT: ok` or `DIALECT: refused RULE TEXT`)",
				strings.TrimSuffix(file, ".sql"), i+1, line)
		}
		target := m[1]
		if target == from {
			t.Fatalf("%s.cross:%d: names the file's own dialect", file, i+1)
		}
		t.Run("cross-"+target, func(t *testing.T) {
			code, out, errOut := runCLI(t, "validate", "--dialect", target, models)
			if m[2] == "ok" {
				if code != exitOK {
					t.Fatalf("validate --dialect %s: exit %d\n%s%s", target, code, out, errOut)
				}
				code, ddl, errOut := runCLI(t, "ddl", "--dialect", target, models)
				if code != exitOK {
					t.Fatalf("ddl --dialect %s: exit %d\n%s", target, code, errOut)
				}
				execScript(t, fresh.URL(t, target, "dl_rtx"), ddl)
				return
			}
			rule, text := m[3], strings.TrimSpace(m[4])
			if code != exitFail {
				t.Fatalf("validate --dialect %s: exit %d, want 1 (refused)\n%s%s", target, code, out, errOut)
			}
			located := regexp.MustCompile(`models\.yaml:\d+:\d+: error: .*\[` + regexp.QuoteMeta(rule) + `\]`)
			found := false
			for _, l := range strings.Split(out, "\n") {
				if located.MatchString(l) && strings.Contains(l, text) {
					found = true
				}
			}
			if !found {
				t.Fatalf("validate --dialect %s: no located [%s] error containing %q:\n%s", target, rule, text, out)
			}
			if code, _, _ := runCLI(t, "ddl", "--dialect", target, models); code != exitFail {
				t.Fatalf("ddl --dialect %s: exit %d, want 1 (refused)", target, code)
			}
		})
	}
}

// execScript runs a SQL script statement by statement on a new connection
// to url.
func execScript(t *testing.T, url, script string) {
	t.Helper()
	ctx := context.Background()
	_, pool, err := dialects.Open(ctx, url, dialects.PoolOptions{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for _, st := range splitSQL(script) {
		if _, err := pool.Exec(ctx, st); err != nil {
			t.Fatalf("apply %q: %v", st, err)
		}
	}
}

var dollarTagRE = regexp.MustCompile(`^\$[A-Za-z_]*\$`)

// splitSQL splits a script into statements: at a ';' that ends a line,
// outside quotes, dollar-quoted bodies and comments; a CREATE TRIGGER runs
// to a line ending "END;".
func splitSQL(script string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		s := strings.TrimSpace(cur.String())
		cur.Reset()
		if stripComments(s) != "" {
			out = append(out, s)
		}
	}
	i := 0
	for i < len(script) {
		c := script[i]
		switch {
		case c == '-' && strings.HasPrefix(script[i:], "--"):
			j := strings.IndexByte(script[i:], '\n')
			if j < 0 {
				j = len(script) - i
			}
			cur.WriteString(script[i : i+j])
			i += j
			continue
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(script) {
				if script[j] == c {
					if j+1 < len(script) && script[j+1] == c {
						j += 2
						continue
					}
					break
				}
				if script[j] == '\\' && c != '"' {
					j++
				}
				j++
			}
			end := min(j+1, len(script))
			cur.WriteString(script[i:end])
			i = end
			continue
		case c == '$':
			if tag := dollarTagRE.FindString(script[i:]); tag != "" {
				j := strings.Index(script[i+len(tag):], tag)
				end := len(script)
				if j >= 0 {
					end = i + len(tag) + j + len(tag)
				}
				cur.WriteString(script[i:end])
				i = end
				continue
			}
		case c == ';':
			cur.WriteByte(c)
			i++
			rest := script[i:]
			eol := strings.TrimLeft(rest, " \t\r")
			if eol != "" && eol[0] != '\n' && !strings.HasPrefix(eol, "--") {
				continue
			}
			body := strings.ToUpper(stripComments(cur.String()))
			if strings.HasPrefix(body, "CREATE TRIGGER") && strings.Contains(body, " BEGIN") &&
				!strings.HasSuffix(strings.TrimSuffix(body, ";"), "END") {
				continue
			}
			flush()
			continue
		}
		cur.WriteByte(c)
		i++
	}
	flush()
	return out
}

// stripComments drops "--" line comments and surrounding space.
func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "--") {
			continue
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return strings.TrimSpace(b.String())
}

func TestSplitSQL(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{name: "two", in: "CREATE TABLE a (x int);\nCREATE TABLE b (y int);\n",
			want: []string{"CREATE TABLE a (x int);", "CREATE TABLE b (y int);"}},
		{name: "semicolon in string", in: "INSERT INTO a VALUES ('x;\n');\n", want: []string{"INSERT INTO a VALUES ('x;\n');"}},
		{name: "comments only", in: "-- nothing;\n\n", want: nil},
		{name: "dollar body", in: "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1;\n $$ LANGUAGE sql;\nSELECT 1;\n",
			want: []string{"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1;\n $$ LANGUAGE sql;", "SELECT 1;"}},
		{name: "trigger", in: "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE b SET y = 1;\nEND;\nSELECT 2;\n",
			want: []string{"CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE b SET y = 1;\nEND;", "SELECT 2;"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitSQL(tt.in)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
