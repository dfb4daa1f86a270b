package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/perf/benchfmt"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestTable(t *testing.T) {
	tb := newTable()
	if err := tb.readFile(filepath.Join("testdata", "raw.txt")); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	tb.write(&got)
	golden := filepath.Join("testdata", "raw.golden")
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("table differs from %s (run with -update):\n%s", golden, got.String())
	}
}

func TestParseName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want key
		ok   bool
	}{
		{name: "full", in: "PG/ReadSlice/lib=pgx-2", want: key{"PG", "ReadSlice", "pgx"}, ok: true},
		{name: "no gomaxprocs", in: "SQLite/Read/lib=dlayer", want: key{"SQLite", "Read", "dlayer"}, ok: true},
		{name: "dash in lib", in: "PGORM/Flush10k/lib=pgx-copy-8", want: key{"PGORM", "Flush10k", "pgx-copy"}, ok: true},
		{name: "no lib", in: "PG/Read-2", want: key{"PG", "Read", ""}, ok: false},
		{name: "no case", in: "Plain-2", want: key{"Plain", "", ""}, ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseName(benchfmt.Name(tt.in))
			if got != tt.want || ok != tt.ok {
				t.Errorf("parseName(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
		err  bool
	}{
		{name: "odd", in: []float64{3, 1, 2}, want: 2},
		{name: "even", in: []float64{4, 1, 3, 2}, want: 2.5},
		{name: "one", in: []float64{7}, want: 7},
		{name: "empty", in: nil, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := median(tt.in)
			if (err != nil) != tt.err || got != tt.want {
				t.Errorf("median(%v) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}
