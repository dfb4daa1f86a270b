package loader_test

import (
	"fmt"
	"os"
	"testing/fstest"

	"github.com/dlayer/dlayer/loader"
)

// Load reads a schema from any fs.FS, such as an embed.FS holding an
// application's models.
func ExampleLoad() {
	fsys := fstest.MapFS{
		"models/app.yaml": {Data: []byte(`
types:
  intpk: {type: integer, primary_key: true}
models:
  Author:
    table: authors
    columns:
      id: intpk
      name: {type: string, length: 80}
    relationships:
      books: {target: Book, back_populates: author}
  Book:
    table: books
    columns:
      id: intpk
      author_id: {type: integer, foreign_key: authors.id}
    relationships:
      author: {target: Author, back_populates: books}
`)},
	}
	s, ds := loader.Load(fsys)
	if ds.HasErrors() {
		fmt.Println(ds)
		return
	}
	for _, m := range s.Models {
		for _, r := range m.Relationships {
			fmt.Printf("%s.%s: %s %s (back: %s)\n", m.Name, r.Name, r.Kind, r.Target.Name, r.Back.Name)
		}
	}
	// Output:
	// Author.books: one-to-many Book (back: author)
	// Book.author: many-to-one Author (back: books)
}

// LoadDir loads a directory of schema files; FormatText prints problems
// with the source line and a caret.
func ExampleLoadDir() {
	dir, _ := os.MkdirTemp("", "models")
	defer os.RemoveAll(dir)
	os.WriteFile(dir+"/shop.yaml", []byte(`models:
  Item:
    table: items
    columns:
      id: {type: integer, primary_key: true}
      price: {type: decimel, precision: 10, scale: 2}
`), 0o644)

	sources := loader.Sources{}
	_, ds := loader.LoadDir(dir, loader.CollectSources(sources))
	for i := range ds {
		ds[i].Subject.File = "shop.yaml" // the temporary directory varies
		sources["shop.yaml"] = sources[dir+"/shop.yaml"]
	}
	loader.FormatText(os.Stdout, ds, sources)
	// Output:
	// shop.yaml:6:21: error: unknown type "decimel" [unknown-type]
	//  6 |       price: {type: decimel, precision: 10, scale: 2}
	//    |                     ^^^^^^^
	//       = did you mean "decimal"?
}

// FormatGitHub turns diagnostics into annotations on a pull request when
// printed from a GitHub Actions step.
func ExampleFormatGitHub() {
	_, ds := loader.Load(fstest.MapFS{"m.yaml": {Data: []byte("models:\n  A:\n    table: a\n    columns: {name: text}\n")}})
	loader.FormatGitHub(os.Stdout, ds)
	// Output:
	// ::error file=m.yaml,line=2,col=3,endColumn=4,title=missing-primary-key::model "A" has no primary key (table "a") (add primary_key: true to a column)
}
