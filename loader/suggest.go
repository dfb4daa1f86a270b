package loader

import (
	"fmt"
	"sort"
)

// suggest returns a "did you mean" detail naming the candidate closest to
// name, or "" when none is close enough.
func suggest(name string, candidates []string) string {
	if best := closest(name, candidates); best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return ""
}

func closest(name string, candidates []string) string {
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
		d := levenshtein(name, c)
		if d <= limit && (bestD < 0 || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// levenshtein returns the edit distance of a and b (bytes; names are ASCII).
func levenshtein(a, b string) int {
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

// suggestBudget caps the candidates compared for suggestions in one load,
// so that a hostile schema with many bad references stays linear.
const suggestBudget = 2_000_000

// suggest is suggest under the load's budget.
func (s *state) suggest(name string, candidates []string) string {
	s.suggestWork += len(candidates)
	if s.suggestWork > suggestBudget {
		return ""
	}
	return suggest(name, candidates)
}
