// Package suggest finds the name a user probably meant ("did you mean …?")
// by edit distance. The loader's YAML diagnostics and the ORM's run-time
// errors share it, so a typo gets the same help in a schema file and in Go.
package suggest

import (
	"fmt"
	"sort"
	"strings"
)

// Closest returns the candidate closest to name by edit distance (letters
// compared without regard to case), or "" when none is close enough: one
// edit for names of up to three bytes, else a third of the name's length
// (at least two, at most eight). Ties go to the lexically smallest
// candidate, so the answer does not depend on the candidates' order.
func Closest(name string, candidates []string) string {
	best, bestD := "", -1
	limit := 1
	if len(name) > 3 {
		limit = max(2, min(len(name), 24)/3)
	}
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	for _, c := range sorted {
		if c == name || len(c) > len(name)+limit+1 || len(name) > len(c)+limit+1 {
			continue
		}
		d := Distance(name, c)
		if d <= limit && (bestD < 0 || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// DidYouMean returns `did you mean "x"?` for the candidate closest to name,
// or "" when none is close enough.
func DidYouMean(name string, candidates []string) string {
	if best := Closest(name, candidates); best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return ""
}

// List returns the candidates sorted and comma-separated, at most limit of
// them (then "… and N more"); limit <= 0 lists all.
func List(candidates []string, limit int) string {
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	if limit > 0 && len(sorted) > limit {
		return strings.Join(sorted[:limit], ", ") + fmt.Sprintf(", … and %d more", len(sorted)-limit)
	}
	return strings.Join(sorted, ", ")
}

// Distance returns the edit distance (Levenshtein) of a and b, counted in
// bytes (names are ASCII), an ASCII letter matching itself in either case.
// Names longer than 64 bytes are not compared: the result is the longer
// length.
func Distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] || a[i-1]^b[j-1] == 0x20 && isLetter(a[i-1]) {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
