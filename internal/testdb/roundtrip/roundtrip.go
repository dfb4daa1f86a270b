package roundtrip

import (
	"bytes"
	"context"
	"testing"
	"testing/fstest"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/loader"
	"github.com/dlayer/dlayer/migrate"
	"github.com/dlayer/dlayer/spec"
)

// Run runs, in Go, the round trip an existing database must survive:
// stmts are run on src (an empty database); its inspected schema, written as
// YAML, must load, pass d's schema checks and match src (migrate.Diff with
// the dialect's SameType reports no change); the DDL made from the loaded
// YAML, run on dst (another empty database), must inspect to the same YAML,
// byte for byte. It returns the schema inspected from src and its YAML.
func Run(t *testing.T, d dialects.Dialect, src, dst dialects.Queryer, stmts []string) (*spec.Schema, []byte) {
	t.Helper()
	ctx := context.Background()
	in, ok := d.(dialects.Inspector)
	if !ok {
		t.Fatalf("%s inspects no database", d.Name())
	}
	mig, ok := d.(dialects.Migrator)
	if !ok {
		t.Fatalf("%s has no migrator", d.Name())
	}
	for _, s := range stmts {
		if _, err := src.Exec(ctx, s); err != nil {
			t.Fatalf("source: %s: %v", s, err)
		}
	}
	s1, err := in.Inspect(ctx, src)
	if err != nil {
		t.Fatalf("inspect source: %v", err)
	}
	y1, err := migrate.ModelsYAML(s1)
	if err != nil {
		t.Fatalf("write YAML: %v", err)
	}
	loaded, ds := loader.Load(fstest.MapFS{"models.yaml": {Data: y1}})
	if ds.HasErrors() {
		t.Fatalf("inspected YAML does not load:\n%v\n%s", ds, y1)
	}
	if ds := dialects.CheckSchema(d, loaded); len(ds) > 0 {
		t.Errorf("inspected YAML does not pass the %s checks:\n%v", d.Name(), ds)
	}
	plan, err := migrate.Diff(s1, loaded, migrate.DiffOptions{SameType: mig.SameType})
	if err != nil {
		t.Fatalf("diff source and YAML: %v", err)
	}
	for _, c := range plan.Up {
		t.Errorf("YAML differs from the source database: %s %s: %s", c.Kind, c.TableName(), c.Detail)
	}
	ddl, err := dialects.CreateAllSQL(d, loaded)
	if err != nil {
		t.Fatalf("DDL of the inspected YAML: %v", err)
	}
	for _, s := range ddl {
		if _, err := dst.Exec(ctx, s); err != nil {
			t.Fatalf("apply DDL: %s: %v", s, err)
		}
	}
	s2, err := in.Inspect(ctx, dst)
	if err != nil {
		t.Fatalf("inspect copy: %v", err)
	}
	y2, err := migrate.ModelsYAML(s2)
	if err != nil {
		t.Fatalf("write YAML of the copy: %v", err)
	}
	if !bytes.Equal(y1, y2) {
		t.Errorf("YAML of the copy differs from the source's:\n--- source\n%s\n--- copy\n%s\n--- DDL\n%s", y1, y2, bytes.Join(func() [][]byte {
			out := make([][]byte, len(ddl))
			for i, s := range ddl {
				out[i] = []byte(s)
			}
			return out
		}(), []byte(";\n")))
	}
	return s1, y1
}
