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
