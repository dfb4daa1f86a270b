package loader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"go.yaml.in/yaml/v3"
)

// yamlNodes counts the nodes yaml.v3 builds for src (aliases once), or -1
// when src is not well-formed YAML.
func yamlNodes(src []byte) int {
	var count func(n *yaml.Node) int
	count = func(n *yaml.Node) int {
		c := 1
		for _, k := range n.Content {
			c += count(k)
		}
		return c
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	total := 0
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return total
		}
		if err != nil {
			return -1
		}
		total += count(&doc)
	}
}

// yamlCorpus returns every YAML file of the repository's fixtures and
// examples, plus hand-written dense and tricky inputs.
func yamlCorpus(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{
		"flow seq":         []byte("x: [" + strings.Repeat("0,", 999) + "0]\n"),
		"flow map keys":    []byte("x: {" + strings.Repeat("a,", 999) + "a}\n"),
		"flow pairs":       []byte("x: [" + strings.Repeat("a: ,", 999) + "a: ]\n"),
		"block seq nulls":  []byte("x:\n" + strings.Repeat("-\n", 1000)),
		"block map nulls":  []byte(strings.Repeat("k:\n", 1) + strings.Repeat("  a:\n", 1)),
		"nested seqs":      []byte(strings.Repeat("- ", 60) + "x\n"),
		"nested flow":      []byte(strings.Repeat("[", 60) + strings.Repeat("]", 60) + "\n"),
		"aliases":          []byte("a: &a [1, 2]\nb: [" + strings.Repeat("*a, ", 500) + "*a]\n"),
		"documents":        []byte(strings.Repeat("---\na: 1\n", 300)),
		"block scalar":     []byte("a:\n  b: |\n    x: [1, 2, 3]\n    - y\n  c: >-\n    z: {a, b}\n\n  d: 1\n- e\n"),
		"quoted":           []byte("a: 'it''s: [1, 2]'\nb: \"x\\\" [1, 2]\"\nc: [\"a,b\", 'c,d']\n"),
		"comments":         []byte("# a: [1, 2, 3]\na: 1 # b: {x, y}\n"),
		"explicit keys":    []byte("? a\n: b\n? [c, d]\n: e\n"),
		"seq under key":    []byte("a:\n- 1\n- 2\nb:\n  - {x: 1}\n"),
		"multiline plain":  []byte("a: one\n  two\n  three\nb: 2\n"),
		"tags and anchors": []byte("a: !!str &x 1\nb: *x\nc: !custom [1, 2]\n"),
	}
	files, _ := filepath.Glob("testdata/*/*/*.yaml")
	more, _ := filepath.Glob("testdata/valid/*.yaml")
	ex, _ := filepath.Glob("../examples/*/models/*.yaml")
	for _, name := range append(append(files, more...), ex...) {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = src
	}
	return out
}

func TestEstimateNodes(t *testing.T) {
	for name, src := range yamlCorpus(t) {
		actual := yamlNodes(src)
		if actual < 0 {
			continue
		}
		est, over := estimateNodes(src, 1<<30)
		t.Logf("%-60s actual %6d estimate %6d ratio %.2f", name, actual, est, float64(est)/float64(max(actual, 1)))
		if over >= 0 {
			t.Errorf("%s: over at %d", name, over)
		}
		// Within a few nodes (a document's root) below and half again
		// above: the loader refuses at 1.5x the budget before parsing
		// and checks the exact count while building its tree.
		if float64(est) < 0.9*float64(actual)-3 || float64(est) > 1.5*float64(actual)+3 {
			t.Errorf("%s: estimate %d for %d nodes", name, est, actual)
		}
		if _, over := estimateNodes(src, est-1); est > 0 && over < 0 {
			t.Errorf("%s: limit %d not reported", name, est-1)
		}
	}
}

// hostileLoads are multi-file inputs built to exhaust the loader: each
// file is within the per-file caps, together they are not. Each is loaded
// in a child process (see TestMain) so its peak memory can be measured on
// a clean heap.
var hostileLoads = []struct {
	name string
	fsys func() fstest.MapFS
	// want: the rule and file of the diagnostic that stops the load.
	rule, file string
}{
	{
		name: "twelve 990,001-item sequences",
		fsys: func() fstest.MapFS { return files(12, "x: ["+strings.Repeat("0,", 990_000)+"0]\n") },
		rule: ruleFileTooLarge, file: "f00.yaml",
	},
	{
		name: "one 2M-node file",
		fsys: func() fstest.MapFS { return files(1, "x: ["+strings.Repeat("0,", 1_999_999)+"0]\n") },
		rule: ruleFileTooLarge, file: "f00.yaml",
	},
	{
		name: "twelve files under the estimate, over the exact budget",
		fsys: func() fstest.MapFS { return files(12, "x: ["+strings.Repeat("0,", 19_999)+"0]\n") },
		rule: ruleFileTooLarge, file: "f09.yaml",
	},
	{
		name: "twelve 1 MiB files of comments",
		fsys: func() fstest.MapFS { return files(12, strings.Repeat("# "+strings.Repeat("x", 60)+"\n", 1<<20/63)) },
		rule: ruleFileTooLarge, file: "f08.yaml",
	},
	{
		name: "twelve files of aliases expanding to 90,000 nodes each",
		fsys: func() fstest.MapFS {
			return files(12, "a: &a ["+strings.Repeat("0, ", 299)+"0]\nb: ["+strings.Repeat("*a, ", 299)+"*a]\n")
		},
		rule: ruleAliasBudget, file: "f01.yaml",
	},
	{
		name: "190,000 wrong values in one list",
		fsys: func() fstest.MapFS {
			return files(1, "tables:\n  t:\n    columns: {id: integer}\n    checks: ["+strings.Repeat("0,", 189_999)+"0]\n")
		},
		rule: ruleTooManyProblems, file: "f00.yaml",
	},
	{
		name: "twelve files of 4,000 models with unknown keys",
		fsys: func() fstest.MapFS {
			fsys := fstest.MapFS{}
			for f := range 12 {
				var b strings.Builder
				b.WriteString("models:\n")
				for i := range 4000 {
					fmt.Fprintf(&b, "  M%d_%d: {x: 1}\n", f, i)
				}
				fsys[fmt.Sprintf("f%02d.yaml", f)] = &fstest.MapFile{Data: []byte(b.String())}
			}
			return fsys
		},
		rule: ruleTooManyProblems, file: "f00.yaml",
	},
}

// files returns n files f00.yaml … holding the same text.
func files(n int, text string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for i := range n {
		fsys[fmt.Sprintf("f%02d.yaml", i)] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

// childResult is what a child process reports about one hostile load.
type childResult struct {
	Diagnostics []childDiag
	Count       int
	PeakHeap    uint64 // the highest heap in use seen while loading, in bytes
	Seconds     float64
}

type childDiag struct {
	Rule, File string
	Line, Col  int
}

const childEnv = "DLAYER_LOADER_BUDGET_CHILD"

func TestMain(m *testing.M) {
	if name := os.Getenv(childEnv); name != "" {
		os.Exit(budgetChild(name))
	}
	os.Exit(m.Run())
}

// budgetChild loads the named hostile input, sampling the heap, and prints
// a childResult as JSON.
func budgetChild(name string) int {
	for _, h := range hostileLoads {
		if h.name != name {
			continue
		}
		fsys := h.fsys()
		runtime.GC()
		var peak atomic.Uint64
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
		done := make(chan struct{})
		go func() {
			for {
				metrics.Read(sample)
				if v := sample[0].Value.Uint64() + sample[1].Value.Uint64(); v > peak.Load() {
					peak.Store(v)
				}
				select {
				case <-done:
					return
				case <-time.After(time.Millisecond):
				}
			}
		}()
		start := time.Now()
		_, ds := Load(fsys)
		secs := time.Since(start).Seconds()
		close(done)
		res := childResult{Count: len(ds), PeakHeap: peak.Load(), Seconds: secs}
		for i, d := range ds {
			if i < 3 || i == len(ds)-1 {
				res.Diagnostics = append(res.Diagnostics, childDiag{d.Rule, d.Subject.File, d.Subject.Start.Line, d.Subject.Start.Column})
			}
		}
		if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
			return 2
		}
		return 0
	}
	fmt.Fprintf(os.Stderr, "no hostile load %q\n", name)
	return 2
}

// TestHostileMultiFileLoads loads each hostile input in a child process and
// checks that the load stops with a located diagnostic of the expected rule
// in the expected file, reports at most maxDiagnostics+1 problems, and keeps
// the heap under 230 MiB (the whole process stays under about 256 MiB).
func TestHostileMultiFileLoads(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hostileLoads {
		t.Run(h.name, func(t *testing.T) {
			cmd := exec.Command(exe)
			cmd.Env = append(os.Environ(), childEnv+"="+h.name)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, stderr.String())
			}
			var res childResult
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("child output %q: %v", out, err)
			}
			t.Logf("%d diagnostics, peak heap %d MiB, %.2fs", res.Count, res.PeakHeap>>20, res.Seconds)
			found := false
			for _, d := range res.Diagnostics {
				if d.Rule == h.rule && d.File == h.file && d.Line >= 1 && d.Col >= 1 {
					found = true
				}
			}
			if !found {
				t.Errorf("want a located %s diagnostic in %s, got %v", h.rule, h.file, res.Diagnostics)
			}
			if res.Count > maxDiagnostics+1 {
				t.Errorf("%d diagnostics, want at most %d", res.Count, maxDiagnostics+1)
			}
			if res.PeakHeap > 230<<20 {
				t.Errorf("peak heap %d MiB, want under 230 MiB", res.PeakHeap>>20)
			}
		})
	}
}
