package orm_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
)

const arrayModels = `models:
  Film:
    table: films
    columns:
      id: {type: integer, primary_key: true}
      features: {type: array, items: text}
      scores: {type: array, items: bigint, nullable: true}
      doc: {type: native, native: {postgres: tsvector}, nullable: true}
`

type Film struct {
	ID       int64
	Features []string
	Scores   []int64
	Doc      pgtype.TSVector
}

// TestArrayColumns: PostgreSQL array columns (type: array) are written and
// read through the ORM as Go slices, and changes to them are flushed; a
// native column (tsvector) binds to the driver's type for it.
func TestArrayColumns(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(arrayModels), 0o644))
	ctx := context.Background()
	eng, err := dlayer.Open(ctx, dir, fresh.URL(t, testdb.Postgres, "dl_array"))
	must(t, err)
	t.Cleanup(func() { eng.Close() })
	must(t, eng.CreateAll(ctx))
	db, err := orm.New(eng, orm.Bind[Film]("Film"))
	must(t, err)
	s := db.Session()
	defer s.Close(ctx)
	doc := pgtype.TSVector{Lexemes: []pgtype.TSVectorLexeme{{Word: "fat"}, {Word: "cat"}}, Valid: true}
	must(t, s.Add(&Film{ID: 1, Features: []string{"Trailers", "Deleted Scenes", `a "quoted", {braced} one`}, Scores: []int64{3, 1, 2}, Doc: doc}))
	must(t, s.Add(&Film{ID: 2, Features: []string{}}))
	must(t, s.Commit(ctx))

	s2 := db.Session()
	defer s2.Close(ctx)
	f, err := orm.Get[Film](ctx, s2, 1)
	must(t, err)
	if !slices.Equal(f.Features, []string{"Trailers", "Deleted Scenes", `a "quoted", {braced} one`}) || !slices.Equal(f.Scores, []int64{3, 1, 2}) {
		t.Fatalf("read back %+v", f)
	}
	if !f.Doc.Valid || len(f.Doc.Lexemes) != 2 || f.Doc.Lexemes[0].Word != "cat" || f.Doc.Lexemes[1].Word != "fat" {
		t.Fatalf("native tsvector column read back as %+v, want lexemes cat, fat", f.Doc)
	}

	e, err := orm.Get[Film](ctx, s2, 2)
	must(t, err)
	if e.Doc.Valid {
		t.Fatalf("NULL tsvector read back as %+v", e.Doc)
	}
	if e.Features == nil || len(e.Features) != 0 || e.Scores != nil {
		t.Fatalf("empty array and NULL read back as %#v, %#v", e.Features, e.Scores)
	}
	f.Features = append(f.Features, "Commentaries")
	must(t, s2.Commit(ctx))

	s3 := db.Session()
	defer s3.Close(ctx)
	f, err = orm.Get[Film](ctx, s3, 1)
	must(t, err)
	if len(f.Features) != 4 || f.Features[3] != "Commentaries" {
		t.Fatalf("updated array read back as %v", f.Features)
	}
}

type Release struct {
	ID       int64
	Year     string
	Features string
}

// TestNativeColumnsMySQL: MySQL YEAR and SET columns kept as native types
// are written and read through the ORM as strings.
func TestNativeColumnsMySQL(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(`models:
  Release:
    table: releases
    columns:
      id: {type: integer, primary_key: true}
      year: {type: native, native: {mysql: year(4)}}
      features: {type: native, native: {mysql: "set('Trailers','Deleted Scenes')"}}
`), 0o644))
	ctx := context.Background()
	eng, err := dlayer.Open(ctx, dir, fresh.URL(t, testdb.MySQL, "dl_native"))
	must(t, err)
	t.Cleanup(func() { eng.Close() })
	must(t, eng.CreateAll(ctx))
	db, err := orm.New(eng, orm.Bind[Release]("Release"))
	must(t, err)
	s := db.Session()
	defer s.Close(ctx)
	must(t, s.Add(&Release{ID: 1, Year: "2006", Features: "Trailers,Deleted Scenes"}))
	must(t, s.Commit(ctx))
	s2 := db.Session()
	defer s2.Close(ctx)
	r, err := orm.Get[Release](ctx, s2, 1)
	must(t, err)
	if r.Year != "2006" || r.Features != "Trailers,Deleted Scenes" {
		t.Fatalf("read back %+v", r)
	}
}
