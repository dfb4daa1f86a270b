package loader

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzLoad feeds arbitrary bytes to the loader as one schema file next to
// a valid one. Loading must never panic (the loader turns a panic into an
// internal-error diagnostic, which fails the fuzz run) or hang, and every
// diagnostic must be located in a file.
//
// The seed corpus is every fixture under testdata/ plus
// testdata/fuzz/FuzzLoad. CI runs: go test -run '^$' -fuzz FuzzLoad -fuzztime 20s ./loader
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*/*.yaml")
	more, _ := filepath.Glob("testdata/valid/*.yaml")
	for _, name := range append(files, more...) {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src)
		}
	}
	base, err := os.ReadFile("../examples/blog/models/types.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fsys := fstest.MapFS{
			"a/types.yaml": {Data: base},
			"b/fuzz.yaml":  {Data: src},
		}
		s, ds := Load(fsys, MaxNodes(50_000), MaxAliasNodes(10_000))
		if s == nil {
			t.Fatal("nil schema")
		}
		for i, d := range ds {
			if d.Rule == ruleInternal {
				t.Fatalf("internal error: %v", d)
			}
			if d.Subject.File == "" || d.Rule == "" || d.Summary == "" {
				t.Fatalf("unlocated or empty diagnostic: %#v", d)
			}
			if i > 0 && d.Rule != ruleTooManyProblems {
				p := ds[i-1].Subject
				if p.File > d.Subject.File || p.File == d.Subject.File && p.Start.Line > d.Subject.Start.Line {
					t.Fatalf("diagnostics not sorted: %v before %v", ds[i-1], d)
				}
			}
		}
	})
}

// FuzzLoadFiles cuts arbitrary bytes into three schema files loaded with a
// valid one under small whole-load budgets, so that budgets run out across
// file boundaries, anchors are cut from their aliases and documents are
// split. The checks are FuzzLoad's, plus the cap on listed diagnostics.
//
// CI runs: go test -run '^$' -fuzz FuzzLoadFiles -fuzztime 20s ./loader
func FuzzLoadFiles(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*/*.yaml")
	for i, name := range files {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src, uint16(len(src)/3), uint16(i))
		}
	}
	f.Add([]byte("x: &a ["+strings.Repeat("0, ", 200)+"0]\ny: ["+strings.Repeat("*a, ", 40)+"*a]\n"), uint16(30), uint16(400))
	f.Add([]byte("tables:\n  t:\n    columns: {id: integer}\n    checks: ["+strings.Repeat("0,", 3000)+"0]\n"), uint16(2000), uint16(9))
	base, err := os.ReadFile("../examples/blog/models/types.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte, cut1, cut2 uint16) {
		a, b := min(int(cut1), len(src)), min(int(cut2), len(src))
		if a > b {
			a, b = b, a
		}
		fsys := fstest.MapFS{
			"a/types.yaml": {Data: base},
			"b/1.yaml":     {Data: src[:a]},
			"b/2.yaml":     {Data: src[a:b]},
			"b/3.yaml":     {Data: src[b:]},
		}
		s, ds := Load(fsys, MaxNodes(4000), MaxAliasNodes(1500), MaxTotalSize(48<<10))
		if s == nil {
			t.Fatal("nil schema")
		}
		if len(ds) > maxDiagnostics+1 {
			t.Fatalf("%d diagnostics listed", len(ds))
		}
		for i, d := range ds {
			if d.Rule == ruleInternal {
				t.Fatalf("internal error: %v", d)
			}
			if d.Subject.File == "" || d.Rule == "" || d.Summary == "" {
				t.Fatalf("unlocated or empty diagnostic: %#v", d)
			}
			if i > 0 && d.Rule != ruleTooManyProblems {
				p := ds[i-1].Subject
				if p.File > d.Subject.File || p.File == d.Subject.File && p.Start.Line > d.Subject.Start.Line {
					t.Fatalf("diagnostics not sorted: %v before %v", ds[i-1], d)
				}
			}
		}
	})
}
