package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"golang.org/x/perf/benchfmt"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchtable FILE...")
		os.Exit(2)
	}
	t := newTable()
	for _, name := range os.Args[1:] {
		if err := t.readFile(name); err != nil {
			fmt.Fprintln(os.Stderr, "benchtable:", err)
			os.Exit(1)
		}
	}
	w := bufio.NewWriter(os.Stdout)
	t.write(w)
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// key names one measured series: BenchmarkFamily/Case/lib=Lib.
type key struct{ family, cas, lib string }

type table struct {
	samples  map[key]map[string][]float64 // unit -> values
	families []string                     // in order of appearance
	cases    map[string][]string          // family -> cases in order
	libs     map[string][]string          // family -> libs in order
}

func newTable() *table {
	return &table{samples: map[key]map[string][]float64{}, cases: map[string][]string{}, libs: map[string][]string{}}
}

func (t *table) readFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return t.read(f, name)
}

func (t *table) read(r io.Reader, name string) error {
	br := benchfmt.NewReader(r, name)
	for br.Scan() {
		res, ok := br.Result().(*benchfmt.Result)
		if !ok {
			continue // unit metadata or a syntax error line
		}
		k, ok := parseName(res.Name)
		if !ok {
			continue
		}
		t.add(k, res.Values)
	}
	return br.Err()
}

// parseName splits Family/Case/lib=Lib (GOMAXPROCS suffix dropped).
func parseName(n benchfmt.Name) (key, bool) {
	base, parts := n.Parts()
	var k key
	k.family = string(base)
	for _, p := range parts {
		s := string(p)
		switch {
		case strings.HasPrefix(s, "/lib="):
			k.lib = strings.TrimPrefix(s, "/lib=")
		case strings.HasPrefix(s, "/") && k.cas == "":
			k.cas = strings.TrimPrefix(s, "/")
		}
	}
	return k, k.cas != "" && k.lib != ""
}

func (t *table) add(k key, vals []benchfmt.Value) {
	if !slices.Contains(t.families, k.family) {
		t.families = append(t.families, k.family)
	}
	if !slices.Contains(t.cases[k.family], k.cas) {
		t.cases[k.family] = append(t.cases[k.family], k.cas)
	}
	if !slices.Contains(t.libs[k.family], k.lib) {
		t.libs[k.family] = append(t.libs[k.family], k.lib)
	}
	m := t.samples[k]
	if m == nil {
		m = map[string][]float64{}
		t.samples[k] = m
	}
	for _, v := range vals {
		m[v.Unit] = append(m[v.Unit], v.Value)
	}
}

func median(xs []float64) (float64, error) {
	if len(xs) == 0 {
		return 0, errors.New("no samples")
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], nil
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, nil
}

func (t *table) med(k key, unit string) (float64, bool) {
	v, err := median(t.samples[k][unit])
	return v, err == nil
}

func (t *table) write(w io.Writer) {
	for _, fam := range t.families {
		libs := t.libs[fam]
		baseLib := libs[0]
		hasHeap := false
		for k, m := range t.samples {
			if k.family == fam && len(m["peak-heap-B"]) > 0 {
				hasHeap = true
			}
		}
		fmt.Fprintf(w, "#### Benchmark%s (baseline: %s)\n\n", fam, baseLib)
		hdr := "| case | contender | time/op | × %s | B/op | allocs/op | allocs × %s |"
		sep := "|---|---|--:|--:|--:|--:|--:|"
		if hasHeap {
			hdr += " peak heap |"
			sep += "--:|"
		}
		fmt.Fprintf(w, hdr+" runs |\n%s--:|\n", baseLib, baseLib, sep)
		for _, cas := range t.cases[fam] {
			base := key{fam, cas, baseLib}
			bt, haveBT := t.med(base, "sec/op")
			ba, haveBA := t.med(base, "allocs/op")
			for _, lib := range libs {
				k := key{fam, cas, lib}
				if _, ok := t.samples[k]; !ok {
					continue
				}
				tm, _ := t.med(k, "sec/op")
				by, _ := t.med(k, "B/op")
				al, _ := t.med(k, "allocs/op")
				row := fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s |", cas, lib,
					fmtTime(tm), ratio(tm, bt, haveBT), fmtBytes(by), fmtCount(al), ratio(al, ba, haveBA))
				if hasHeap {
					if h, ok := t.med(k, "peak-heap-B"); ok {
						row += " " + fmtBytes(h) + " |"
					} else {
						row += " |"
					}
				}
				fmt.Fprintf(w, "%s %d |\n", row, len(t.samples[k]["sec/op"]))
			}
		}
		fmt.Fprintln(w)
	}
}

func ratio(x, base float64, ok bool) string {
	if !ok || base == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f", x/base)
}

func fmtTime(sec float64) string {
	switch {
	case sec >= 1:
		return fmt.Sprintf("%.2f s", sec)
	case sec >= 1e-3:
		return fmt.Sprintf("%.2f ms", sec*1e3)
	case sec >= 1e-6:
		return fmt.Sprintf("%.1f µs", sec*1e6)
	}
	return fmt.Sprintf("%.0f ns", sec*1e9)
}

func fmtBytes(b float64) string {
	switch {
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", b/(1<<10))
	}
	return fmt.Sprintf("%.0f B", b)
}

func fmtCount(n float64) string {
	if n >= 1e6 {
		return fmt.Sprintf("%.2fM", n/1e6)
	}
	return fmt.Sprintf("%.0f", n)
}
