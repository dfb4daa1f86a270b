package orm_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/orm"
)

// exampleTraitsDB opens a new SQLite file with the traits schema
// (testdata/traits: Author and Article use timestamps and soft_delete)
// and adds three authors with four articles each.
func exampleTraitsDB(ctx context.Context) (*orm.DB, func(), error) {
	dir, err := os.MkdirTemp("", "dlayer-orm-example-")
	if err != nil {
		return nil, nil, err
	}
	eng, err := dlayer.Open(ctx, "testdata/traits", "sqlite:"+filepath.Join(dir, "example.db"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	done := func() { eng.Close(); os.RemoveAll(dir) }
	db, err := orm.New(eng, orm.Bind[Author]("Author"), orm.Bind[Article]("Article"), orm.Bind[Remark]("Remark"), orm.Bind[Note]("Note"))
	if err == nil {
		err = eng.CreateAll(ctx)
	}
	if err == nil {
		s := db.Session()
		for i := range 3 {
			a := &Author{Name: fmt.Sprintf("author%d", i)}
			for j := range 4 {
				a.Articles = append(a.Articles, &Article{Slug: fmt.Sprintf("a%d-%d", i, j), Rank: int64(j)})
			}
			err = errors.Join(err, s.Add(a))
		}
		err = errors.Join(err, s.Commit(ctx), s.Close(ctx))
	}
	if err != nil {
		done()
		return nil, nil, err
	}
	return db, done, nil
}

// The soft_delete trait: Delete sets the deletion time; queries and loads
// leave the row out unless WithDeleted; HardDelete deletes for real.
func ExampleWithDeleted() {
	ctx := context.Background()
	db, done, err := exampleTraitsDB(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	s := db.Session()
	defer s.Close(ctx)
	a, _ := orm.Get[Article](ctx, s, int64(1))
	_ = s.Delete(a) // an UPDATE … SET removed_at = now at the next flush
	_ = s.Commit(ctx)
	fmt.Println("removed_at set:", a.RemovedAt != nil)

	live, _ := orm.All[Article](ctx, db.Session(), orm.Select[Article](db))
	all, _ := orm.All[Article](ctx, db.Session(), orm.Select[Article](db), orm.WithDeleted())
	fmt.Println("live:", len(live), "with deleted:", len(all))
	_, err = orm.Get[Article](ctx, db.Session(), int64(1))
	fmt.Println("get:", errors.Is(err, orm.ErrNotFound))
	// Output:
	// removed_at set: true
	// live: 11 with deleted: 12
	// get: true
}

// The first two articles of each author by rank, highest first, in one
// query for all the authors (ROW_NUMBER() OVER (PARTITION BY author_id …)).
func ExampleLimit() {
	ctx := context.Background()
	db, done, err := exampleTraitsDB(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	s := db.Session()
	defer s.Close(ctx)
	authors, err := orm.All[Author](ctx, s, orm.Select[Author](db),
		orm.SelectIn("articles", orm.OrderBy("rank desc"), orm.Limit(2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range authors {
		fmt.Println(a.Name, slugs(a.Articles))
	}
	// Output:
	// author0 a0-3,a0-2
	// author1 a1-3,a1-2
	// author2 a2-3,a2-2
}

// A query budget refuses the N+1 loop and names the eager load to use.
func ExampleWithQueryBudget() {
	ctx := context.Background()
	db, done, err := exampleTraitsDB(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	s := db.Session(orm.WithQueryBudget(orm.Budget{MaxRepeats: 2}))
	defer s.Close(ctx)
	authors, _ := orm.All[Author](ctx, s, orm.Select[Author](db))
	for _, a := range authors {
		if err := s.Load(ctx, a, "articles"); err != nil {
			fmt.Println(errors.Is(err, orm.ErrQueryBudget))
			msg, _, _ := strings.Cut(err.Error(), "; query:")
			fmt.Println(msg)
			break
		}
	}
	// Output:
	// true
	// load Author.articles: orm: query budget exceeded: N+1: the same query ran 3 times (the budget allows 2): loading Author.articles one Author at a time: eager-load it on the query that loads the Author objects: orm.SelectIn("articles") (or orm.Joined)
}
