package orm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

type Author struct {
	ID        int64
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt *time.Time
	Articles  []*Article
	Notes     []*Note
}

type Article struct {
	ID        int64
	Slug      string
	Rank      int64
	CreatedAt time.Time
	UpdatedAt time.Time
	AuthorID  int64
	RemovedAt *time.Time
	Author    *Author
	Remarks   []*Remark
}

type Remark struct {
	ID        int64
	ArticleID int64
	Body      string
	DeletedAt *time.Time
}

type Note struct {
	ID       int64
	WriterID int64
	Body     string
}

// setupTraits opens a fresh database of the named kind with the traits
// schema (orm/testdata/traits), every model bound.
func setupTraits(t testing.TB, name string, opts ...orm.Option) *env {
	t.Helper()
	ctx := context.Background()
	u := fresh.URL(t, name, "dl_orm_tr")
	c := &counter{}
	eng, err := dlayer.Open(ctx, "testdata/traits", u, engine.WithTracer(engine.TracerFunc(c.trace)))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { eng.Close() })
	if err := eng.CreateAll(ctx); err != nil {
		t.Fatalf("create all: %v", err)
	}
	opts = append([]orm.Option{orm.Bind[Author]("Author"), orm.Bind[Article]("Article"), orm.Bind[Remark]("Remark"), orm.Bind[Note]("Note"),
		orm.Bind[Shelf]("Shelf"), orm.Bind[Book]("Book")}, opts...)
	db, err := orm.New(eng, opts...)
	if err != nil {
		t.Fatalf("orm.New: %v", err)
	}
	c.reset()
	return &env{name: name, url: u, eng: eng, db: db, n: c}
}

// rawCount counts the rows of table with Core (no soft-delete filter).
func rawCount(t *testing.T, e *env, table string, where ...stmt.Expr) int64 {
	t.Helper()
	q := stmtCount(e, table).Where(where...)
	n, err := engine.Scalar[int64](context.Background(), e.eng, q)
	must(t, err)
	return n
}

// seedWriters adds writers w0…w(n-1), each with k articles (ranks 0…k-1),
// and commits.
func seedWriters(t testing.TB, e *env, n, k int) []*Author {
	t.Helper()
	ctx := context.Background()
	s := e.db.Session()
	defer s.Close(ctx)
	var out []*Author
	for i := range n {
		w := &Author{Name: fmt.Sprintf("w%d", i)}
		for j := range k {
			w.Articles = append(w.Articles, &Article{Slug: fmt.Sprintf("a%d-%d", i, j), Rank: int64((j * 7) % k)})
		}
		out = append(out, w)
		must(t, s.Add(w))
	}
	must(t, s.Commit(ctx))
	e.n.reset()
	return out
}

func verbs(qs []string) string {
	var out []string
	for _, q := range qs {
		f := strings.Fields(q)
		if len(f) > 0 {
			out = append(out, strings.ToUpper(f[0]))
		}
	}
	return strings.Join(out, ",")
}

// TestTimestampsTrait checks that the unit of work sets created_at and
// updated_at on insert and updated_at on update.
func TestTimestampsTrait(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		e := setupTraits(t, name)
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		before := time.Now().UTC().Add(-time.Second)
		w := &Author{Name: "ada"}
		must(t, s.Add(w))
		must(t, s.Commit(ctx))
		if w.CreatedAt.Before(before) || w.UpdatedAt.Before(w.CreatedAt) || w.UpdatedAt.Sub(w.CreatedAt) > time.Second {
			t.Fatalf("after insert created=%v updated=%v", w.CreatedAt, w.UpdatedAt)
		}
		created := w.CreatedAt
		time.Sleep(5 * time.Millisecond)
		w.Name = "ada l."
		must(t, s.Commit(ctx))
		got, err := orm.Get[Author](ctx, e.db.Session(), w.ID)
		must(t, err)
		if !got.UpdatedAt.After(created) || !got.CreatedAt.Equal(created) {
			t.Errorf("after update created=%v updated=%v (created was %v)", got.CreatedAt, got.UpdatedAt, created)
		}
	})
}

// TestSoftDelete checks Delete on a soft-delete model: an UPDATE setting
// the column, the row kept, and every ORM read leaving it out unless
// WithDeleted: All, Get, select-in, joined and lazy relationship loads.
func TestSoftDelete(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		e := setupTraits(t, name)
		ctx := context.Background()
		ws := seedWriters(t, e, 2, 3)
		s := e.db.Session()
		defer s.Close(ctx)
		a, err := orm.Get[Article](ctx, s, ws[0].Articles[1].ID)
		must(t, err)
		must(t, s.Delete(a))
		e.n.reset()
		must(t, s.Commit(ctx))
		// The remarks are loaded to cascade the (soft) delete to them.
		if got := verbs(e.n.queries()); got != "SELECT,UPDATE" {
			t.Fatalf("soft delete ran %s: %v", got, e.n.queries())
		}
		if a.RemovedAt == nil {
			t.Error("RemovedAt not set on the object")
		}
		at := e.db.Table("Article")
		if n := rawCount(t, e, "articles"); n != 6 {
			t.Errorf("rows = %d, want 6 (the row is kept)", n)
		}
		if n := rawCount(t, e, "articles", at.C("removed_at").IsNotNull()); n != 1 {
			t.Errorf("rows with removed_at = %d, want 1", n)
		}
		s2 := e.db.Session()
		defer s2.Close(ctx)
		all, err := orm.All[Article](ctx, s2, orm.Select[Article](e.db))
		must(t, err)
		if len(all) != 5 {
			t.Errorf("All = %d articles, want 5", len(all))
		}
		withDel, err := orm.All[Article](ctx, e.db.Session(), orm.Select[Article](e.db), orm.WithDeleted())
		must(t, err)
		if len(withDel) != 6 {
			t.Errorf("All WithDeleted = %d articles, want 6", len(withDel))
		}
		if _, err := orm.Get[Article](ctx, s2, a.ID); !errors.Is(err, orm.ErrNotFound) {
			t.Errorf("Get of a soft-deleted row: %v, want ErrNotFound", err)
		}
		wt := e.db.Table("Author")
		for _, tc := range []struct {
			name string
			load []orm.Load
			want string // articles of w0
			n    int    // statements
		}{
			{name: "select-in", load: []orm.Load{orm.SelectIn("articles")}, want: "a0-0,a0-2", n: 2},
			{name: "joined", load: []orm.Load{orm.Joined("articles")}, want: "a0-0,a0-2", n: 1},
			{name: "select-in with deleted", load: []orm.Load{orm.SelectIn("articles"), orm.WithDeleted()}, want: "a0-0,a0-1,a0-2", n: 2},
			{name: "joined with deleted", load: []orm.Load{orm.Joined("articles"), orm.WithDeleted()}, want: "a0-0,a0-1,a0-2", n: 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := e.db.Session()
				defer s.Close(ctx)
				e.n.reset()
				got, err := orm.All[Author](ctx, s, orm.Select[Author](e.db).Where(wt.C("name").Eq("w0")), tc.load...)
				must(t, err)
				if len(e.n.queries()) != tc.n {
					t.Errorf("%d statements, want %d: %v", len(e.n.queries()), tc.n, e.n.queries())
				}
				if len(got) != 1 || slugs(got[0].Articles) != tc.want {
					t.Fatalf("articles = %v, want %s", got, tc.want)
				}
			})
		}
		// Stream and RelatedQuery leave it out too.
		streamed := 0
		for _, err := range orm.Stream[Article](ctx, e.db.Session(), orm.Select[Article](e.db), false) {
			must(t, err)
			streamed++
		}
		if streamed != 5 {
			t.Errorf("Stream = %d articles, want 5", streamed)
		}
		sr := e.db.Session()
		defer sr.Close(ctx)
		w0, err := orm.Get[Author](ctx, sr, ws[0].ID)
		must(t, err)
		rq, err := sr.RelatedQuery(w0, "articles")
		must(t, err)
		viaRQ, err := orm.All[Article](ctx, sr, rq)
		must(t, err)
		if slugs(viaRQ) != "a0-0,a0-2" {
			t.Errorf("RelatedQuery = %s", slugs(viaRQ))
		}
		// Lazy: Session.Load.
		s3 := e.db.Session()
		defer s3.Close(ctx)
		w, err := orm.Get[Author](ctx, s3, ws[0].ID)
		must(t, err)
		must(t, s3.Load(ctx, w, "articles"))
		if slugs(w.Articles) != "a0-0,a0-2" {
			t.Errorf("lazy load = %s", slugs(w.Articles))
		}
		// The many-to-one side leaves a deleted writer out too.
		s4 := e.db.Session()
		defer s4.Close(ctx)
		w1, err := orm.Get[Author](ctx, s4, ws[1].ID)
		must(t, err)
		must(t, s4.Delete(w1))
		must(t, s4.Commit(ctx))
		arts, err := orm.All[Article](ctx, e.db.Session(), orm.Select[Article](e.db).Where(at.C("author_id").Eq(ws[1].ID)).OrderBy(at.C("id").Asc()), orm.WithDeleted(), orm.SelectIn("author"))
		must(t, err)
		if len(arts) != 3 || arts[0].Author == nil {
			t.Fatalf("WithDeleted articles of a deleted writer = %d, author %v", len(arts), arts)
		}
		arts, err = orm.All[Article](ctx, e.db.Session(), orm.Select[Article](e.db).Where(at.C("author_id").Eq(ws[1].ID)))
		must(t, err)
		if len(arts) != 0 {
			t.Errorf("articles of a soft-deleted writer (cascade) = %d, want 0", len(arts))
		}
	})
}

func slugs(as []*Article) string {
	var out []string
	for _, a := range as {
		out = append(out, a.Slug)
	}
	return strings.Join(out, ",")
}

// TestSoftDeleteCascade checks that a soft delete cascades along delete
// cascades to soft-delete children only (articles, then their remarks),
// leaves other children (notes) untouched, and that HardDelete deletes
// for real, soft-deleted children included.
func TestSoftDeleteCascade(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		e := setupTraits(t, name)
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		w := &Author{Name: "w", Notes: []*Note{{Body: "n1"}}, Articles: []*Article{
			{Slug: "x", Remarks: []*Remark{{Body: "r1"}, {Body: "r2"}}}, {Slug: "y"}}}
		must(t, s.Add(w))
		must(t, s.Commit(ctx))
		s = e.db.Session()
		defer s.Close(ctx)
		got, err := orm.Get[Author](ctx, s, w.ID)
		must(t, err)
		must(t, s.Delete(got))
		e.n.reset()
		must(t, s.Commit(ctx))
		for _, q := range e.n.queries() {
			if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(q)), "DELETE") {
				t.Errorf("a soft delete ran a DELETE: %s", q)
			}
		}
		for _, tc := range []struct {
			table, col string
			want       int64
		}{{"writers", "deleted_at", 1}, {"articles", "removed_at", 2}, {"remarks", "deleted_at", 2}} {
			if n := rawCount(t, e, tc.table, e.db.Table(tc.table).C(tc.col).IsNotNull()); n != tc.want {
				t.Errorf("%s soft-deleted = %d, want %d", tc.table, n, tc.want)
			}
		}
		if n := rawCount(t, e, "notes"); n != 1 {
			t.Errorf("notes = %d, want 1 (not a soft-delete model: left alone)", n)
		}
		// HardDelete: the writer, its soft-deleted articles and remarks, and its notes go.
		s = e.db.Session()
		defer s.Close(ctx)
		gone, err := orm.All[Author](ctx, s, orm.Select[Author](e.db), orm.WithDeleted())
		must(t, err)
		if len(gone) != 1 {
			t.Fatalf("writers WithDeleted = %d", len(gone))
		}
		must(t, s.HardDelete(gone[0]))
		must(t, s.Commit(ctx))
		for _, table := range []string{"writers", "articles", "remarks", "notes"} {
			if n := rawCount(t, e, table); n != 0 {
				t.Errorf("%s rows after HardDelete = %d, want 0", table, n)
			}
		}
	})
}

// TestSoftDeletePartialUnique checks that a soft-deleted row does not
// block a new one with the same unique key where the database has
// partial indexes (PostgreSQL, SQLite), and does on MySQL/MariaDB (the
// documented limit).
func TestSoftDeletePartialUnique(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		e := setupTraits(t, name)
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		w := &Author{Name: "w", Articles: []*Article{{Slug: "dup"}}}
		must(t, s.Add(w))
		must(t, s.Commit(ctx))
		must(t, s.Delete(w.Articles[0]))
		must(t, s.Commit(ctx))
		s2 := e.db.Session()
		defer s2.Close(ctx)
		must(t, s2.Add(&Article{Slug: "dup", AuthorID: w.ID}))
		err := s2.Commit(ctx)
		partial := name != "mysql"
		if partial && err != nil {
			t.Fatalf("a new row with a soft-deleted row's key: %v", err)
		}
		if !partial {
			var ce *engine.ConstraintError
			if !errors.As(err, &ce) {
				t.Fatalf("MySQL/MariaDB has no partial index: want a constraint error, got %v", err)
			}
		}
		// Two live rows with one key still collide everywhere.
		s3 := e.db.Session()
		defer s3.Close(ctx)
		must(t, s3.Add(&Article{Slug: "live", AuthorID: w.ID}))
		must(t, s3.Commit(ctx))
		must(t, s3.Add(&Article{Slug: "live", AuthorID: w.ID}))
		if err := s3.Commit(ctx); err == nil {
			t.Error("two live rows with one unique key were accepted")
		}
	})
}

type Page struct {
	ID        int64
	Slug      string
	Alive     *bool
	DeletedAt *time.Time
}

// TestSoftDeleteGeneratedColumnKey checks the documented answer for
// databases without partial indexes, on all three: a generated "alive"
// column in the unique key lets a deleted row's key be reused, and still
// refuses two live rows with one key.
func TestSoftDeleteGeneratedColumnKey(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		ctx := context.Background()
		eng, err := dlayer.Open(ctx, "testdata/softalive", fresh.URL(t, name, "dl_orm_alive"))
		must(t, err)
		t.Cleanup(func() { eng.Close() })
		must(t, eng.CreateAll(ctx))
		db, err := orm.New(eng, orm.Bind[Page]("Page"))
		must(t, err)
		s := db.Session()
		defer s.Close(ctx)
		p := &Page{Slug: "home"}
		must(t, s.Add(p))
		must(t, s.Commit(ctx))
		must(t, s.Delete(p))
		must(t, s.Commit(ctx))
		s2 := db.Session()
		defer s2.Close(ctx)
		must(t, s2.Add(&Page{Slug: "home"}))
		if err := s2.Commit(ctx); err != nil {
			t.Fatalf("reusing a soft-deleted row's key: %v", err)
		}
		s3 := db.Session()
		defer s3.Close(ctx)
		must(t, s3.Add(&Page{Slug: "home"}))
		var ce *engine.ConstraintError
		if err := s3.Commit(ctx); !errors.As(err, &ce) {
			t.Errorf("two live rows with one key: %v, want a constraint error", err)
		}
	})
}

type Shelf struct {
	ID    int64
	Name  string
	Books []*Book
}

type Book struct {
	ID        int64
	ShelfID   int64
	Title     string
	DeletedAt *time.Time
}

// TestHardParentSoftChildren checks that deleting a row of a model
// without soft delete deletes its soft-delete children for real along a
// delete cascade — the live and the already soft-deleted ones — so their
// foreign keys do not block the parent's DELETE.
func TestHardParentSoftChildren(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		e := setupTraits(t, name)
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		sh := &Shelf{Name: "s", Books: []*Book{{Title: "a"}, {Title: "b"}}}
		must(t, s.Add(sh))
		must(t, s.Commit(ctx))
		must(t, s.Delete(sh.Books[0]))
		must(t, s.Commit(ctx))
		if n := rawCount(t, e, "books"); n != 2 {
			t.Fatalf("books after a soft delete = %d, want 2", n)
		}
		s2 := e.db.Session()
		defer s2.Close(ctx)
		got, err := orm.Get[Shelf](ctx, s2, sh.ID)
		must(t, err)
		must(t, s2.Delete(got))
		must(t, s2.Commit(ctx))
		for _, table := range []string{"shelves", "books"} {
			if n := rawCount(t, e, table); n != 0 {
				t.Errorf("%s rows = %d, want 0", table, n)
			}
		}
	})
}

// TestJoinedToOneSoftDeletedTargetHeld: a joined many-to-one load leaves
// out a soft-deleted target even when the session holds it (loaded
// WithDeleted), because the join's condition does; WithDeleted keeps it.
// The parent's foreign key alone would name the held object: the loader
// must not take it from the identity map past the join's filter.
func TestJoinedToOneSoftDeletedTargetHeld(t *testing.T) {
	each2(t, func(t *testing.T, name string) {
		e := setupTraits(t, name)
		ctx := context.Background()
		ws := seedWriters(t, e, 2, 2)
		// Soft-deleted with Core: the ORM's Delete would cascade to the
		// articles.
		wt := e.db.Table("Author")
		_, err := e.eng.Exec(ctx, stmt.Update(wt).Set("deleted_at", time.Now().UTC().Truncate(time.Second)).Where(wt.C("id").Eq(ws[0].ID)))
		must(t, err)

		s := e.db.Session()
		defer s.Close(ctx)
		held, err := orm.All[Author](ctx, s, orm.Select[Author](e.db), orm.WithDeleted())
		must(t, err)
		if len(held) != 2 {
			t.Fatalf("authors WithDeleted: %d, want 2", len(held))
		}
		byID := map[int64]*Author{}
		for _, a := range held {
			byID[a.ID] = a
		}
		at := e.db.Table("Article")
		for _, withDeleted := range []bool{false, true} {
			load := []orm.Load{orm.Joined("author")}
			if withDeleted {
				load = append(load, orm.WithDeleted())
			}
			arts, err := orm.All[Article](ctx, s, orm.Select[Article](e.db).OrderBy(at.C("id").Asc()), load...)
			must(t, err)
			if len(arts) != 4 {
				t.Fatalf("articles: %d, want 4", len(arts))
			}
			for _, a := range arts {
				want := byID[a.AuthorID]
				if a.AuthorID == ws[0].ID && !withDeleted {
					want = nil
				}
				if a.Author != want {
					t.Errorf("withDeleted=%v: article %s (author_id %d): author %p, want %p", withDeleted, a.Slug, a.AuthorID, a.Author, want)
				}
			}
		}
	})
}
