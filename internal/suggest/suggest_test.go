package suggest

import "testing"

func TestClosest(t *testing.T) {
	cands := []string{"Author", "Publisher", "books", "bookmarks"}
	for _, tc := range []struct {
		name, in, want string
	}{
		{"one substitution", "Auther", "Author"},
		{"case ignored", "author", "Author"},
		{"one extra letter", "bookz", "books"},
		{"an exact match is not suggested", "books", ""},
		{"too far", "Zebra", ""},
		{"empty", "", ""},
		{"short names allow one edit", "Bk", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Closest(tc.in, cands); got != tc.want {
				t.Fatalf("Closest(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if got := DidYouMean("Auther", cands); got != `did you mean "Author"?` {
		t.Fatalf("DidYouMean = %q", got)
	}
}

func TestClosestDeterministic(t *testing.T) {
	// "cat" is one edit from both; the lexically smallest wins whatever
	// the candidates' order.
	a := Closest("cab", []string{"cat", "car"})
	b := Closest("cab", []string{"car", "cat"})
	if a != "car" || b != "car" {
		t.Fatalf("ties: %q %q", a, b)
	}
}

func TestList(t *testing.T) {
	if got := List([]string{"b", "a", "c"}, 0); got != "a, b, c" {
		t.Fatalf("List = %q", got)
	}
	if got := List([]string{"d", "b", "a", "c"}, 2); got != "a, b, … and 2 more" {
		t.Fatalf("List limited = %q", got)
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"ABC", "abc", 0},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
