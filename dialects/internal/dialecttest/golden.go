package dialecttest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// FormatCompiled renders a compilation (or its error) for a golden file.
func FormatCompiled(c *dialects.Compiled, err error) string {
	var b strings.Builder
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
		return b.String()
	}
	b.WriteString(c.SQL)
	b.WriteString("\n")
	if len(c.Args) > 0 {
		b.WriteString("args:")
		for i, a := range c.Args {
			fmt.Fprintf(&b, " %#v", a)
			if c.ParamNames != nil && c.ParamNames[i] != "" {
				fmt.Fprintf(&b, "(:%s)", c.ParamNames[i])
			}
			if t := c.ArgTypes[i]; t != nil {
				fmt.Fprintf(&b, "<%s>", t.Kind)
			}
		}
		b.WriteString("\n")
	}
	if len(c.Columns) > 0 {
		b.WriteString("columns:")
		for _, rc := range c.Columns {
			name := rc.Name
			if name == "" {
				name = "?"
			}
			typ := "-"
			if rc.Type != nil {
				typ = rc.Type.Kind.String()
			}
			fmt.Fprintf(&b, " %s<%s>", name, typ)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Golden compares got with testdata/name, or rewrites the file when update
// is set.
func Golden(t *testing.T, name string, got []byte, update bool) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
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
		t.Errorf("%s differs from the output (go test -update rewrites it):\n%s", path, diff(string(want), string(got)))
	}
}

func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			fmt.Fprintf(&b, "line %d:\n  want: %s\n  got:  %s\n", i+1, a, c)
			if b.Len() > 4000 {
				break
			}
		}
	}
	return b.String()
}

// CompileGolden compiles every case of Cases with d, one subtest each, and
// checks the whole output against testdata/compile.golden.
func CompileGolden(t *testing.T, d dialects.Dialect, update bool) {
	var out bytes.Buffer
	for _, c := range Cases(Schema()) {
		t.Run(c.Name, func(t *testing.T) {
			comp, err := d.Compile(c.Stmt)
			if strings.HasPrefix(c.Name, "err_") != (err != nil) && !errors.Is(err, dialects.ErrUnsupported) {
				t.Errorf("error = %v, want an error: %v", err, strings.HasPrefix(c.Name, "err_"))
			}
			if err == nil {
				CheckCompiled(t, d, comp)
			}
			fmt.Fprintf(&out, "-- %s\n%s\n", c.Name, FormatCompiled(comp, err))
		})
	}
	Golden(t, "compile.golden", out.Bytes(), update)
}

// CheckCompiled asserts the invariants of any compilation: one placeholder
// per argument (counted outside quotes), and ArgTypes as long as Args.
func CheckCompiled(t *testing.T, d dialects.Dialect, c *dialects.Compiled) {
	t.Helper()
	if len(c.ArgTypes) != len(c.Args) {
		t.Errorf("%d arg types for %d args", len(c.ArgTypes), len(c.Args))
	}
	if c.ParamNames != nil && len(c.ParamNames) != len(c.Args) {
		t.Errorf("%d param names for %d args", len(c.ParamNames), len(c.Args))
	}
	if n := CountPlaceholders(d, c.SQL); n != len(c.Args) {
		t.Errorf("%d placeholders for %d args in %s", n, len(c.Args), c.SQL)
	}
}

// CountPlaceholders counts bind markers of d in sql outside quoted text and
// comments.
func CountPlaceholders(d dialects.Dialect, sql string) int {
	dollar := d.Placeholder(1) == "$1"
	n := 0
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; c {
		case '\'', '"', '`':
			j := i + 1
			for j < len(sql) {
				if sql[j] == '\\' && c != '`' && d.QuoteIdent("`") == "````" {
					j += 2
					continue
				}
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			i = j
		case '?':
			if !dollar {
				n++
			}
		case '$':
			if dollar && i+1 < len(sql) && sql[i+1] >= '1' && sql[i+1] <= '9' {
				n++
			}
		}
	}
	return n
}

// DDLGolden writes CreateAllSQL, DropAllSQL and the per-table DDL of
// Schema() and HostileSchema() to testdata/ddl.golden.
func DDLGolden(t *testing.T, d dialects.Dialect, update bool) {
	var out bytes.Buffer
	for _, sc := range []struct {
		name string
		s    *spec.Schema
	}{{"schema", Schema()}, {"hostile", HostileSchema()}} {
		create, err := dialects.CreateAllSQL(d, sc.s)
		if err != nil {
			t.Fatalf("%s: create all: %v", sc.name, err)
		}
		fmt.Fprintf(&out, "-- %s: create all\n", sc.name)
		for _, s := range create {
			fmt.Fprintf(&out, "%s;\n", s)
		}
		drop, err := dialects.DropAllSQL(d, sc.s)
		if err != nil {
			t.Fatalf("%s: drop all: %v", sc.name, err)
		}
		fmt.Fprintf(&out, "\n-- %s: drop all\n", sc.name)
		for _, s := range drop {
			fmt.Fprintf(&out, "%s;\n", s)
		}
		out.WriteString("\n")
	}
	for _, tb := range Schema().Tables {
		sqls, err := d.CreateTable(tb)
		if err != nil {
			t.Fatalf("create table %s: %v", tb.Name, err)
		}
		drops, err := d.DropTable(tb)
		if err != nil {
			t.Fatalf("drop table %s: %v", tb.Name, err)
		}
		fmt.Fprintf(&out, "-- table %s\n", tb.Name)
		for _, s := range append(sqls, drops...) {
			fmt.Fprintf(&out, "%s;\n", s)
		}
	}
	Golden(t, "ddl.golden", out.Bytes(), update)
}
