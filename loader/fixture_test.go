package loader

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

var wantRE = regexp.MustCompile(`#\s*want:\s*(.*)$`)
var wantItemRE = regexp.MustCompile(`^([a-z0-9-]+)\s+(?:@(\d+)|("(?:[^"\\]|\\.)*"))$`)

// wants reads the expectations of a fixture: "# want: RULE "token"" or
// "# want: RULE @col" comments (several separated by ";"), where the token's
// first occurrence on that line gives the column, plus want.txt lines of
// the form "file:line:col rule".
func wants(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		src, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "want.txt" {
			for _, l := range strings.Split(strings.TrimSpace(string(src)), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					out = append(out, l)
				}
			}
			continue
		}
		if !strings.HasSuffix(e.Name(), ".yaml") && !strings.HasSuffix(e.Name(), ".yml") || !utf8.Valid(src) {
			continue
		}
		for i, line := range strings.Split(string(src), "\n") {
			m := wantRE.FindStringSubmatchIndex(line)
			if m == nil {
				continue
			}
			code := line[:m[0]]
			for _, item := range strings.Split(line[m[2]:m[3]], ";") {
				im := wantItemRE.FindStringSubmatch(strings.TrimSpace(item))
				if im == nil {
					t.Fatalf("%s:%d: bad want %q", e.Name(), i+1, item)
				}
				col := 0
				if im[2] != "" {
					col, _ = strconv.Atoi(im[2])
				} else {
					tok, err := strconv.Unquote(im[3])
					if err != nil {
						t.Fatalf("%s:%d: bad token %s", e.Name(), i+1, im[3])
					}
					j := strings.Index(code, tok)
					if j < 0 {
						t.Fatalf("%s:%d: token %q not on the line", e.Name(), i+1, tok)
					}
					col = utf8.RuneCountInString(code[:j]) + 1
				}
				out = append(out, fmt.Sprintf("%s:%d:%d %s", e.Name(), i+1, col, im[1]))
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestFixtures loads every directory under testdata/fixtures and checks
// that it yields exactly the expected rule codes at the expected
// file:line:col, and that the rendered text matches golden.txt.
func TestFixtures(t *testing.T) {
	dirs, err := filepath.Glob("testdata/fixtures/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 30 {
		t.Fatalf("only %d fixtures found", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			src := Sources{}
			_, ds := Load(os.DirFS(dir), CollectSources(src))
			var got []string
			for _, d := range ds {
				got = append(got, fmt.Sprintf("%s:%d:%d %s", d.Subject.File, d.Subject.Start.Line, d.Subject.Start.Column, d.Rule))
			}
			slices.Sort(got)
			want := wants(t, dir)
			if len(want) == 0 {
				t.Fatal("fixture states no expectation")
			}
			if !slices.Equal(got, want) {
				t.Errorf("diagnostics mismatch\ngot:\n  %s\nwant:\n  %s\nfull:\n%s", strings.Join(got, "\n  "), strings.Join(want, "\n  "), ds.Error())
			}
			var buf bytes.Buffer
			if err := FormatText(&buf, ds, src); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join(dir, "golden.txt"), buf.Bytes())
		})
	}
}

// golden compares got with the golden file, rewriting it under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestEveryRuleIsTestedAndDocumented checks that each rule has a broken
// fixture (or, for rules a fixture directory cannot express, a named test)
// and a row in docs/yaml.md.
func TestEveryRuleIsTestedAndDocumented(t *testing.T) {
	covered := map[string]bool{
		ruleIO:           true, // TestLoadPaths/missing_path
		ruleNoFiles:      true, // TestLoadPaths/empty_dir
		ruleFileTooLarge: true, // TestHostileLimits (a 4 MiB fixture is not worth committing)
		ruleInternal:     true, // FuzzLoad fails on it
		// TestHostileMultiFileLoads (a thousand problems are not worth a fixture)
		ruleTooManyProblems: true,
	}
	dirs, _ := filepath.Glob("testdata/fixtures/*")
	for _, dir := range dirs {
		for _, w := range wants(t, dir) {
			covered[w[strings.LastIndexByte(w, ' ')+1:]] = true
		}
	}
	doc, err := os.ReadFile("../docs/yaml.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Rules() {
		if !covered[r.Code] {
			t.Errorf("rule %s has no fixture", r.Code)
		}
		row := fmt.Sprintf("| `%s` | %s | %s |", r.Code, r.Severity, r.Summary)
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/yaml.md lacks the row %s", row)
		}
	}
}
