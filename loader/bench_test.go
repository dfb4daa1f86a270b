package loader

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// genSchema builds an in-memory schema of n models, 50 per file, each with
// 10 columns and 2 relationships: model i holds a foreign key to model i-1
// (parent, many-to-one) and is the parent of model i+1 (children,
// one-to-many), wrapping around, so every reference crosses a file
// boundary at the edges.
func genSchema(n int) fstest.MapFS {
	fsys := fstest.MapFS{
		"types.yaml": {Data: []byte(`types:
  intpk: {type: integer, primary_key: true}
  name: {type: string, length: 100}
  money: {type: decimal, precision: 12, scale: 2}
  state: {type: enum, values: [draft, live, archived]}
  created_at: {type: timestamp, timezone: true, insert_default: now}
`)},
	}
	const perFile = 50
	for f := 0; f*perFile < n; f++ {
		var b strings.Builder
		b.WriteString("models:\n")
		for i := f * perFile; i < min(n, (f+1)*perFile); i++ {
			prev, next := (i+n-1)%n, (i+1)%n
			fmt.Fprintf(&b, `  M%d:
    table: t%d
    columns:
      id: intpk
      parent_id: {type: integer, foreign_key: t%d.id, nullable: true, index: true}
      title: name
      body: {type: text, nullable: true}
      price: {type: money, default: "0.00"}
      active: {type: boolean, default: true}
      status: {type: state, default: draft}
      meta: {type: json, nullable: true}
      rank: {type: integer, default: 0}
      created: created_at
    relationships:
      parent: {target: M%d, back_populates: children}
      children: {target: M%d, back_populates: parent, cascade: [all, delete-orphan], order_by: rank}
    indexes:
      - {columns: [status, created]}
`, i, i, prev, prev, next)
		}
		fsys[fmt.Sprintf("models/part%04d.yaml", f)] = &fstest.MapFile{Data: []byte(b.String())}
	}
	return fsys
}

func TestGenSchemaIsValid(t *testing.T) {
	s, ds := Load(genSchema(120))
	if len(ds) > 0 {
		t.Fatal(ds.Error())
	}
	if len(s.Models) != 120 || len(s.Model("M7").Relationships) != 2 || len(s.Table("t7").Columns) != 10 {
		t.Fatalf("generated schema has the wrong shape")
	}
	if r := s.Model("M0").Relationship("parent"); r.Target != s.Model("M119") || r.Back == nil {
		t.Fatalf("wrap-around relationship not linked: %+v", r)
	}
}

// BenchmarkLoad measures Load (parse, JSON Schema check, link, semantic
// checks) on generated schemas of 50, 500 and 5,000 models. Results and
// the command are in docs/benchmarks-loader.md.
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		fsys := genSchema(n)
		var size int
		for _, f := range fsys {
			size += len(f.Data)
		}
		if _, ds := Load(fsys); len(ds) > 0 {
			b.Fatal(ds.Error())
		}
		b.Run(fmt.Sprintf("models=%d", n), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				Load(fsys)
			}
		})
	}
}

// BenchmarkPhases measures the single-threaded cost of each phase on the
// 500-model schema, to show where Load spends its time.
func BenchmarkPhases(b *testing.B) {
	fsys := genSchema(500)
	var files []*srcFile
	for name, f := range fsys {
		files = append(files, newSrcFile(name, f.Data))
	}
	cfg := newConfig(nil)
	parse := func() {
		for _, f := range files {
			f.docs = nil
			decodeFile(f, &diags{})
			convFile(f, cfg, &counts{}, &diags{})
		}
	}
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			parse()
		}
	})
	parse()
	b.Run("jsonschema", func(b *testing.B) {
		for b.Loop() {
			for _, f := range files {
				for _, d := range f.docs {
					checkSchema(d, &diags{})
				}
			}
		}
	})
	b.Run("link", func(b *testing.B) {
		for b.Loop() {
			st := newState(cfg, &diags{})
			st.files = files
			st.run()
		}
	})
}
