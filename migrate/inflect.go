package migrate

import (
	"strings"
	"unicode"
)

// English inflection for the names inspect writes: model names are the
// singular of table names (statuses → Status, people → Person), collections
// the plural of model names (Album.tracks). Rules first handle the regular
// endings; the tables below hold what the rules get wrong.

// irregular maps singular to plural for words no rule covers.
var irregular = map[string]string{
	"person": "people", "child": "children", "man": "men", "woman": "women", "mouse": "mice",
	"goose": "geese", "foot": "feet", "tooth": "teeth", "ox": "oxen", "louse": "lice",
	"criterion": "criteria", "phenomenon": "phenomena", "datum": "data", "medium": "media",
	"index": "indices", "matrix": "matrices", "vertex": "vertices", "appendix": "appendices",
	"vortex": "vortices", "apex": "apices", "simplex": "simplices", "axis": "axes",
	"quiz": "quizzes", "alias": "aliases", "bias": "biases", "canvas": "canvases", "atlas": "atlases",
	"gas": "gases", "leaf": "leaves", "knife": "knives", "wife": "wives", "life": "lives",
	"half": "halves", "shelf": "shelves", "wolf": "wolves", "thief": "thieves", "calf": "calves",
	"loaf": "loaves", "self": "selves", "elf": "elves", "hero": "heroes", "potato": "potatoes",
	"tomato": "tomatoes", "echo": "echoes", "veto": "vetoes", "cactus": "cacti", "fungus": "fungi",
	"nucleus": "nuclei", "radius": "radii", "stimulus": "stimuli", "corpus": "corpora", "genus": "genera",
	"use": "uses", "abuse": "abuses", "excuse": "excuses", "fuse": "fuses", "muse": "muses",
	"ruse": "ruses", "house": "houses", "warehouse": "warehouses", "cause": "causes",
	"clause": "clauses", "pause": "pauses", "spouse": "spouses", "blouse": "blouses",
	"movie": "movies", "cookie": "cookies", "pie": "pies", "tie": "ties", "lie": "lies",
	"calorie": "calories", "zombie": "zombies", "rookie": "rookies", "selfie": "selfies",
	"brownie": "brownies", "smoothie": "smoothies", "genie": "genies", "prairie": "prairies",
	"hoodie": "hoodies", "goalie": "goalies", "freebie": "freebies", "newbie": "newbies",
	"sortie": "sorties", "auntie": "aunties", "collie": "collies", "birdie": "birdies",
	"shoe": "shoes", "toe": "toes", "canoe": "canoes", "oboe": "oboes", "foe": "foes",
	"cache": "caches", "niche": "niches", "headache": "headaches", "avalanche": "avalanches",
	"crisis": "crises", "thesis": "theses", "analysis": "analyses", "diagnosis": "diagnoses",
	"prognosis": "prognoses", "hypothesis": "hypotheses", "synopsis": "synopses",
	"parenthesis": "parentheses", "oasis": "oases", "emphasis": "emphases", "synthesis": "syntheses",
	"basis": "bases", "ellipsis": "ellipses",
}

// uncountable words are their own singular and plural.
var uncountable = map[string]bool{
	"data": true, "metadata": true, "series": true, "species": true, "news": true, "information": true,
	"equipment": true, "software": true, "hardware": true, "firmware": true, "feedback": true,
	"staff": true, "sheep": true, "fish": true, "deer": true, "aircraft": true, "moose": true,
	"rice": true, "money": true, "music": true, "furniture": true, "luggage": true, "baggage": true,
	"evidence": true, "advice": true, "knowledge": true, "research": true, "traffic": true,
	"weather": true, "police": true, "stuff": true, "audio": true, "chassis": true, "corps": true,
	"means": true, "headquarters": true, "analytics": true, "physics": true, "mathematics": true,
	"economics": true, "politics": true, "statistics": true, "media": true,
}

// singularOf inverts irregular. "bases" is both base and basis; the
// database sense (base) wins.
var singularOf = func() map[string]string {
	m := make(map[string]string, len(irregular))
	for s, p := range irregular {
		m[p] = s
	}
	m["indexes"] = "index"
	m["bases"] = "base"
	m["media"] = "media"
	m["axes"] = "axis"
	return m
}()

// singularWord returns the singular of one lower-case English word.
func singularWord(w string) string {
	if w == "" || uncountable[w] {
		return w
	}
	if s, ok := singularOf[w]; ok {
		return s
	}
	if _, ok := irregular[w]; ok {
		return w // already singular (alias, bias, analysis …)
	}
	switch {
	case len(w) < 3 || !strings.HasSuffix(w, "s"):
		return w
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		return w // class, status, analysis: singular already
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		return w[:len(w)-3] + "y" // categories
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "zzes"),
		strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"):
		return w[:len(w)-2] // addresses, buzzes, boxes, matches, dishes
	case strings.HasSuffix(w, "yses"):
		return w[:len(w)-2] + "is" // analyses, paralyses
	case strings.HasSuffix(w, "uses") && !strings.HasSuffix(w, "ouses") && !strings.HasSuffix(w, "auses"):
		return w[:len(w)-2] // statuses, buses, bonuses
	}
	return w[:len(w)-1] // tracks, invoices, cases, photos
}

// pluralWord returns the plural of one lower-case English word (a word
// that is plural already is returned as it is).
func pluralWord(w string) string {
	if w == "" || uncountable[w] {
		return w
	}
	if p, ok := irregular[w]; ok {
		return p
	}
	if _, ok := singularOf[w]; ok {
		return w // people, children, indices: plural already
	}
	if singularWord(w) != w {
		return w // tracks, reports: plural already
	}
	n := len(w)
	switch {
	case strings.HasSuffix(w, "is") && n > 3:
		return w[:n-2] + "es" // analysis → analyses
	case strings.HasSuffix(w, "s"), strings.HasSuffix(w, "x"), strings.HasSuffix(w, "z"),
		strings.HasSuffix(w, "ch"), strings.HasSuffix(w, "sh"):
		return w + "es" // bus, box, buzz, match, dish
	case strings.HasSuffix(w, "y") && n > 1 && !strings.ContainsRune("aeiou", rune(w[n-2])):
		return w[:n-1] + "ies" // category
	}
	return w + "s"
}

// splitWords splits an identifier into words at underscores, hyphens,
// spaces and case changes: "support_rep_id", "SupportRepId", "supportRepID"
// all give support, rep, id (in their original case).
func splitWords(s string) []string {
	var words []string
	rs := []rune(s)
	start := -1
	flush := func(i int) {
		if start >= 0 && i > start {
			words = append(words, string(rs[start:i]))
		}
		start = -1
	}
	for i, r := range rs {
		if r == '_' || r == '-' || r == ' ' || r == '.' {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := rs[i-1]
		switch {
		case unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)):
			flush(i) // supportRep
			start = i
		case unicode.IsUpper(prev) && unicode.IsUpper(r) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
			flush(i) // HTTPServer → HTTP Server
			start = i
		}
	}
	flush(len(rs))
	return words
}

// inflectLast applies f to the last word, keeping its capitalisation.
func inflectLast(words []string, f func(string) string) []string {
	if len(words) == 0 {
		return words
	}
	out := append([]string(nil), words...)
	last := out[len(out)-1]
	lower := strings.ToLower(last)
	got := f(lower)
	switch {
	case last == lower:
	case last == strings.ToUpper(last) && len([]rune(last)) > 1:
		got = strings.ToUpper(got)
	default:
		got = upperFirst(got)
	}
	out[len(out)-1] = got
	return out
}

func upperFirst(s string) string {
	rs := []rune(s)
	if len(rs) == 0 {
		return s
	}
	rs[0] = unicode.ToUpper(rs[0])
	return string(rs)
}

// snake joins words in lower case with underscores.
func snake(words []string) string {
	lw := make([]string, len(words))
	for i, w := range words {
		lw[i] = strings.ToLower(w)
	}
	return strings.Join(lw, "_")
}

// singularName is the singular of an identifier (its last word).
func singularName(s string) []string { return inflectLast(splitWords(s), singularWord) }

// pluralName is the plural of an identifier (its last word).
func pluralName(s string) []string { return inflectLast(splitWords(s), pluralWord) }
