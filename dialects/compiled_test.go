package dialects_test

import (
	"testing"

	"github.com/dlayer/dlayer/dialects"
)

// TestCompiledRelease: Release takes back only what NewCompiled made, once;
// anything else (a literal, a copy, nil, a second call) is left alone.
func TestCompiledRelease(t *testing.T) {
	var nilC *dialects.Compiled
	nilC.Release()
	lit := &dialects.Compiled{SQL: "SELECT 1", Args: []any{1}}
	lit.Release()
	if lit.SQL != "SELECT 1" || len(lit.Args) != 1 {
		t.Fatalf("a literal Compiled was changed by Release: %+v", lit)
	}

	c := dialects.NewCompiled()
	if len(c.Args) != 0 || cap(c.Args) < 8 || len(c.ArgTypes) != 0 || cap(c.ArgTypes) < 8 {
		t.Fatalf("NewCompiled: args %d/%d, types %d/%d", len(c.Args), cap(c.Args), len(c.ArgTypes), cap(c.ArgTypes))
	}
	c.SQL, c.Args = "SELECT $1", append(c.Args, "secret")
	cp := *c
	cp.Release() // a copy is not the pooled value
	if c.SQL != "SELECT $1" || c.Args[0] != "secret" {
		t.Fatalf("releasing a copy changed the original: %+v", c)
	}
	args := c.Args
	c.Release()
	if c.SQL != "" || args[0] != nil {
		t.Fatalf("after Release the Compiled still holds %q and %v", c.SQL, args[0])
	}
	c.Release() // a second time: nothing
	for i := 0; i < 100; i++ {
		n := dialects.NewCompiled()
		if len(n.Args) != 0 || n.SQL != "" {
			t.Fatalf("a reused Compiled is not empty: %+v", n)
		}
		n.Release()
	}
}

// TestCompiledReserve: Reserve is a hint that never breaks a Compiled; a
// pooled one gets its room from a pool, given back empty by Release.
func TestCompiledReserve(t *testing.T) {
	var nilC *dialects.Compiled
	nilC.Reserve(10)
	for _, n := range []int{-1, 0, 1 << 40} {
		c := dialects.NewCompiled()
		c.Reserve(n)
		if cap(c.Args) != 8 || cap(c.ArgTypes) != 8 {
			t.Fatalf("Reserve(%d) reserved %d/%d", n, cap(c.Args), cap(c.ArgTypes))
		}
		c.Release()
	}
	lit := &dialects.Compiled{Args: []any{1}}
	lit.Reserve(100)
	if len(lit.Args) != 1 || lit.Args[0] != 1 || cap(lit.Args) < 101 || cap(lit.ArgTypes) < 100 {
		t.Fatalf("Reserve on a literal: %v (cap %d, %d)", lit.Args, cap(lit.Args), cap(lit.ArgTypes))
	}

	c := dialects.NewCompiled()
	c.Args = append(c.Args, "first")
	c.ArgTypes = append(c.ArgTypes, nil)
	c.Reserve(700)
	if len(c.Args) != 1 || c.Args[0] != "first" || cap(c.Args) < 701 || cap(c.ArgTypes) < 701 {
		t.Fatalf("Reserve(700): args %v cap %d/%d", c.Args, cap(c.Args), cap(c.ArgTypes))
	}
	before := &c.Args[:cap(c.Args)][700]
	for i := 1; i < 701; i++ {
		c.Args = append(c.Args, i)
		c.ArgTypes = append(c.ArgTypes, nil)
	}
	if &c.Args[700] != before {
		t.Fatal("appending the reserved arguments moved them")
	}
	held := c.Args
	c.Release()
	if held[0] != nil || held[700] != nil {
		t.Fatalf("Release kept the reserved arguments: %v, %v", held[0], held[700])
	}
	// The arrays come back empty.
	for i := 0; i < 20; i++ {
		n := dialects.NewCompiled()
		n.Reserve(600)
		for _, v := range n.Args[:cap(n.Args)] {
			if v != nil {
				t.Fatalf("a reused argument array holds %v", v)
			}
		}
		n.Release()
	}
	if a := testing.AllocsPerRun(100, func() {
		n := dialects.NewCompiled()
		n.Reserve(700)
		n.Release()
	}); a > 0 && !raceEnabled {
		t.Errorf("NewCompiled+Reserve(700)+Release allocates %.1f times once pooled", a)
	}
}
