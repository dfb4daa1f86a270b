package loader

import (
	"os"
	"path/filepath"
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
			if i > 0 {
				p := ds[i-1].Subject
				if p.File > d.Subject.File || p.File == d.Subject.File && p.Start.Line > d.Subject.Start.Line {
					t.Fatalf("diagnostics not sorted: %v before %v", ds[i-1], d)
				}
			}
		}
	})
}
