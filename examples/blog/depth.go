package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/orm"
)

// Note is part two's model (tourmodels/depth.yaml): its author_id comes
// from the trait "authored", its times from the builtin traits timestamps
// and soft_delete.
type Note struct {
	ID        int64
	Slug      string
	Body      string
	AuthorID  int64
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt *time.Time // soft_delete: NULL for a live note
}

// depthResults records what part two observed.
type depthResults struct {
	NoteTimes        bool
	SoftDeleteSQL    string
	NotesLive        int
	NotesAll         int
	SlugReused       bool
	LatestPosts      map[string][]string
	LatestStatements int
}

// depth is part two: traits with soft delete, and a limit-per-parent load.
func (t *tour) depth() error {
	fmt.Fprintf(t.w, "\n-- Part two: beyond the seed (traits, soft delete, limit per parent) --\n")
	t.section("Traits: timestamps and soft_delete on Note (use: [authored, timestamps, soft_delete])")
	r := &t.res.Depth
	s := t.db.Session()
	defer s.Close(t.ctx)
	intro := &Note{Slug: "intro", Body: "first draft", AuthorID: 1}
	if err := s.AddAll(intro, &Note{Slug: "plans", Body: "later", AuthorID: 1}); err != nil {
		return err
	}
	if err := s.Commit(t.ctx); err != nil {
		return err
	}
	r.NoteTimes = !intro.CreatedAt.IsZero() && !intro.UpdatedAt.IsZero() && intro.DeletedAt == nil
	t.printf("added 2 notes: created_at and updated_at set by the unit of work: %v", r.NoteTimes)
	if err := s.Delete(intro); err != nil {
		return err
	}
	t.n.reset()
	if err := s.Commit(t.ctx); err != nil {
		return err
	}
	r.SoftDeleteSQL = fmt.Sprintf("%d UPDATE, %d DELETE", t.n.count("UPDATE"), t.n.count("DELETE"))
	t.printf("s.Delete(intro) + Commit: %s; intro.DeletedAt set: %v", r.SoftDeleteSQL, intro.DeletedAt != nil)
	live, err := orm.All[Note](t.ctx, t.db.Session(), orm.Select[Note](t.db))
	if err != nil {
		return err
	}
	all, err := orm.All[Note](t.ctx, t.db.Session(), orm.Select[Note](t.db), orm.WithDeleted())
	if err != nil {
		return err
	}
	r.NotesLive, r.NotesAll = len(live), len(all)
	t.printf("select(Note): %d note(s); with orm.WithDeleted(): %d", r.NotesLive, r.NotesAll)
	s2 := t.db.Session()
	defer s2.Close(t.ctx)
	if err := s2.Add(&Note{Slug: "intro", Body: "second draft", AuthorID: 1}); err != nil {
		return err
	}
	err = s2.Commit(t.ctx)
	var ce *engine.ConstraintError
	switch {
	case err == nil:
		r.SlugReused = true
		t.printf("a new note with the deleted one's slug: saved (the unique index is partial: WHERE deleted_at IS NULL)")
	case errors.As(err, &ce):
		t.printf("a new note with the deleted one's slug: refused: %s has no partial index (docs/yaml.md shows the generated-column answer)", t.res.Dialect)
	default:
		return err
	}

	t.section("Limit per parent: each user's 2 latest posts in one query (ROW_NUMBER() OVER (PARTITION BY …))")
	t.n.reset()
	users, err := orm.All[User](t.ctx, t.db.Session(), orm.Select[User](t.db).Where(t.users().C("id").Le(4)).OrderBy(t.users().C("id").Asc()),
		orm.SelectIn("posts", orm.OrderBy("created desc", "id desc"), orm.Limit(2)))
	if err != nil {
		return err
	}
	r.LatestStatements = t.n.count("")
	r.LatestPosts = map[string][]string{}
	for _, u := range users {
		var titles []string
		for _, p := range u.Posts {
			titles = append(titles, p.Title)
		}
		r.LatestPosts[u.Name] = titles
		t.printf("%-6s %q", u.Name, titles)
	}
	t.printf("%d users with their 2 latest posts: %d statements", len(users), r.LatestStatements)
	return nil
}
