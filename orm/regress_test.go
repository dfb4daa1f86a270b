package orm_test

import (
	"context"
	"strings"
	"testing"
)

// Children linked in a later flush are known members of the parent's
// collection: removing one afterwards orphans it.
func TestOrphanAfterSecondFlush(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		for _, viaUnlink := range []bool{true, false} {
			s := e.db.Session()
			u := &User{Name: "c", Email: "c@x.org"}
			must(t, s.Add(u))
			must(t, s.Link(u, "posts", &Post{Title: "p1", Content: "x"}))
			must(t, s.Flush(ctx))
			p2 := &Post{Title: "p2", Content: "x"}
			if viaUnlink {
				must(t, s.Link(u, "posts", p2))
			} else {
				u.Posts = append(u.Posts, p2)
			}
			must(t, s.Flush(ctx))
			if viaUnlink {
				must(t, s.Unlink(u, "posts", p2))
			} else {
				u.Posts = u.Posts[:1]
			}
			must(t, s.Commit(ctx))
			if n := count(t, e, "posts"); n != 1 {
				t.Fatalf("unlink=%v: posts %d, want 1", viaUnlink, n)
			}
			must(t, s.Delete(u))
			must(t, s.Commit(ctx))
			must(t, s.Close(ctx))
		}
	})
}

// Removing a child whose foreign key is NOT NULL from a collection without
// delete-orphan is a clear error, not a NULL write.
func TestRemoveChildWithRequiredKey(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		s := e.db.Session()
		defer s.Close(ctx)
		f := &Feed{Name: "f"}
		must(t, s.Add(f))
		it := &Item{Body: "x"}
		must(t, s.Link(f, "items", it))
		must(t, s.Commit(ctx))
		must(t, s.Unlink(f, "items", it))
		err := s.Commit(ctx)
		if err == nil || !strings.Contains(err.Error(), "NOT NULL") {
			t.Fatalf("removing a required child: %v", err)
		}
	})
}
