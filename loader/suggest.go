package loader

import editdist "github.com/dlayer/dlayer/internal/suggest"

// suggest returns a "did you mean" detail naming the candidate closest to
// name, or "" when none is close enough.
func suggest(name string, candidates []string) string {
	return editdist.DidYouMean(name, candidates)
}

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
