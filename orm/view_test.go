package orm_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

const viewModels = `models:
  Writer:
    table: writers
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 40}
      active: {type: boolean}
  ActiveWriter:
    table: active_writers
    columns:
      writer_id: {type: integer, primary_key: true}
      name: {type: string, length: 40}
    view:
      sql: SELECT id AS writer_id, name FROM writers WHERE active = TRUE
`

type Writer struct {
	ID     int64
	Name   string
	Active bool
}

type ActiveWriter struct {
	WriterID int64
	Name     string
}

// TestViewModel: a model with view: is created by CreateAll (CREATE VIEW
// after its table), queried through the ORM and Core like a table, and
// refused for writes with ErrReadOnly, on every database.
func TestViewModel(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(viewModels), 0o644))
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			eng, err := dlayer.Open(ctx, dir, fresh.URL(t, name, "dl_view"))
			must(t, err)
			t.Cleanup(func() { eng.Close() })
			must(t, eng.CreateAll(ctx))
			db, err := orm.New(eng, orm.Bind[Writer]("Writer"), orm.Bind[ActiveWriter]("ActiveWriter"))
			must(t, err)
			s := db.Session()
			defer s.Close(ctx)
			must(t, s.AddAll(&Writer{ID: 1, Name: "ann", Active: true}, &Writer{ID: 2, Name: "bob"}, &Writer{ID: 3, Name: "cy", Active: true}))
			must(t, s.Commit(ctx))

			got, err := orm.All[ActiveWriter](ctx, s, orm.Select[ActiveWriter](db).OrderBy(orm.TableOf[ActiveWriter](db).C("writer_id").Desc()))
			must(t, err)
			var names []string
			for _, w := range got {
				names = append(names, w.Name)
			}
			if !slices.Equal(names, []string{"cy", "ann"}) {
				t.Fatalf("ORM query of the view: %v", names)
			}
			one, err := orm.Get[ActiveWriter](ctx, s, 1)
			must(t, err)
			if one.Name != "ann" {
				t.Fatalf("Get from the view: %+v", one)
			}
			v := db.Table("active_writers")
			n, err := engine.Scalar[int64](ctx, eng, stmt.Select(stmt.CountAll()).From(v).Where(v.C("name").Eq("cy")))
			must(t, err)
			if n != 1 {
				t.Fatalf("Core count on the view: %d", n)
			}

			if err := s.Add(&ActiveWriter{WriterID: 9, Name: "zed"}); !errors.Is(err, orm.ErrReadOnly) {
				t.Fatalf("Add to a view: %v, want ErrReadOnly", err)
			}
			if err := s.Delete(one); !errors.Is(err, orm.ErrReadOnly) {
				t.Fatalf("Delete from a view: %v, want ErrReadOnly", err)
			}
			one.Name = "renamed"
			if err := s.Flush(ctx); !errors.Is(err, orm.ErrReadOnly) {
				t.Fatalf("Flush of a changed view object: %v, want ErrReadOnly", err)
			}
		})
	}
}
