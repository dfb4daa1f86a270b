package lsp

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	editdist "github.com/dlayer/dlayer/internal/suggest"
	"github.com/dlayer/dlayer/spec"
)

// symbolAt returns the symbol at p: the occurrence there, or else the
// model, alias or table named by the word there (for a file that does not
// parse at the moment).
func symbolAt(snap *snapshot, f *fileIndex, p position) (symbol, lspRange, bool) {
	if o, ok := f.at(p); ok {
		return o.sym, o.rng, true
	}
	word, wr := wordAt(f.text, p)
	if word == "" {
		return symbol{}, lspRange{}, false
	}
	for _, sch := range []*spec.Schema{snap.sch, snap.good} {
		if sch == nil {
			continue
		}
		if sch.Model(word) != nil {
			return symbol{symModel, word}, wr, true
		}
		for _, a := range sch.Types {
			if a.Name == word {
				return symbol{symAlias, word}, wr, true
			}
		}
		if sch.Table(word) != nil {
			return symbol{symTable, word}, wr, true
		}
	}
	if declaredTraits(snap)[word] != nil {
		return symbol{symTrait, word}, wr, true
	}
	return symbol{}, lspRange{}, false
}

type found struct {
	file string
	occ  occurrence
}

// occurrencesOf lists every place sym is written, in file and position order.
func occurrencesOf(snap *snapshot, sym symbol) []found {
	var out []found
	for _, name := range snap.names {
		f := snap.files[name]
		for _, o := range f.occs {
			if o.sym == sym {
				out = append(out, found{name, o})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].file != out[j].file {
			return out[i].file < out[j].file
		}
		return before(out[i].occ.rng.Start, out[j].occ.rng.Start)
	})
	return out
}

func (s *Server) definition(snap *snapshot, f *fileIndex, p position) []location {
	sym, _, ok := symbolAt(snap, f, p)
	if !ok {
		return []location{}
	}
	out := []location{}
	for _, o := range occurrencesOf(snap, sym) {
		if o.occ.def {
			out = append(out, location{URI: s.uriFor(snap.abs(o.file)), Range: o.occ.rng})
		}
	}
	return out
}

func (s *Server) references(snap *snapshot, f *fileIndex, p position, withDecl bool) []location {
	sym, _, ok := symbolAt(snap, f, p)
	if !ok {
		return []location{}
	}
	out := []location{}
	for _, o := range occurrencesOf(snap, sym) {
		if o.occ.def && !withDecl {
			continue
		}
		out = append(out, location{URI: s.uriFor(snap.abs(o.file)), Range: o.occ.rng})
	}
	return out
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// builtinTraits are the traits every schema has (see loader).
var builtinTraits = []string{"timestamps", "soft_delete"}

// declaredTraits returns the traits declared under traits: in the
// workspace's files, by name.
func declaredTraits(snap *snapshot) map[string]*traitDef {
	out := map[string]*traitDef{}
	for _, name := range snap.names {
		for _, td := range snap.files[name].traits {
			if out[td.name] == nil {
				out[td.name] = td
			}
		}
	}
	return out
}

// renameTarget returns the model, alias or trait at p, which rename changes.
func renameTarget(snap *snapshot, f *fileIndex, p position) (symbol, lspRange, error) {
	sym, r, ok := symbolAt(snap, f, p)
	if !ok {
		return symbol{}, lspRange{}, errorf(codeRequestFailed, "no model, type alias or trait here to rename")
	}
	if sym.kind != symModel && sym.kind != symAlias && sym.kind != symTrait {
		return symbol{}, lspRange{}, errorf(codeRequestFailed, "only models, type aliases and traits can be renamed (this is a %s; a table or column rename needs renamed_from for migrations)", sym.kind)
	}
	if sym.kind == symTrait && slices.Contains(builtinTraits, sym.name) {
		return symbol{}, lspRange{}, errorf(codeRequestFailed, "%q is a builtin trait; it cannot be renamed", sym.name)
	}
	return sym, r, nil
}

func (s *Server) rename(snap *snapshot, f *fileIndex, p position, newName string) (*workspaceEdit, error) {
	sym, _, err := renameTarget(snap, f, p)
	if err != nil {
		return nil, err
	}
	for _, name := range snap.names {
		if !snap.files[name].valid {
			// Its references cannot be found: a rename would miss them.
			return nil, errorf(codeRequestFailed, "%s is not valid YAML at the moment; fix it before renaming", name)
		}
	}
	if !identRE.MatchString(newName) || len(newName) > 63 {
		return nil, errorf(codeInvalidParams, "invalid name %q: use letters, digits and _, not starting with a digit, at most 63 bytes", newName)
	}
	switch sym.kind {
	case symModel:
		if newName != sym.name && snap.sch.Model(newName) != nil {
			return nil, errorf(codeRequestFailed, "a model named %q already exists", newName)
		}
	case symAlias:
		if _, builtin := spec.LookupType(newName); builtin {
			return nil, errorf(codeRequestFailed, "%q is a builtin type; an alias may not shadow it", newName)
		}
		for _, a := range snap.sch.Types {
			if a.Name == newName && newName != sym.name {
				return nil, errorf(codeRequestFailed, "a type alias named %q already exists", newName)
			}
		}
	case symTrait:
		if slices.Contains(builtinTraits, newName) {
			return nil, errorf(codeRequestFailed, "%q is a builtin trait; a trait may not shadow it", newName)
		}
		if newName != sym.name && declaredTraits(snap)[newName] != nil {
			return nil, errorf(codeRequestFailed, "a trait named %q already exists", newName)
		}
	}
	edit := &workspaceEdit{Changes: map[string][]textEdit{}}
	for _, o := range occurrencesOf(snap, sym) {
		uri := s.uriFor(snap.abs(o.file))
		edit.Changes[uri] = append(edit.Changes[uri], textEdit{Range: o.occ.rng, NewText: newName})
	}
	return edit, nil
}

var didYouMeanRE = regexp.MustCompile(`did you mean ("(?:[^"\\]|\\.)*")\?`)

// suggestion returns the name a "did you mean" hint proposes, or "".
func suggestion(detail string) string {
	m := didYouMeanRE.FindStringSubmatch(detail)
	if m == nil {
		return ""
	}
	s, err := strconv.Unquote(m[1])
	if err != nil {
		return ""
	}
	return s
}

var wordRE = regexp.MustCompile(`[A-Za-z0-9_-]+`)

// fixSpan returns the part [i, j) of old that the suggestion s replaces: the
// word of old closest to s (the table in "user.id" when s is "users"), or
// all of old.
func fixSpan(old, s string) (int, int) {
	words := wordRE.FindAllStringIndex(old, -1)
	if len(words) == 0 {
		return 0, len(old)
	}
	if len(words) == 1 || strings.ContainsAny(s, ". ") {
		return words[0][0], words[len(words)-1][1]
	}
	best, bestD := words[0], -1
	for _, w := range words {
		word := old[w[0]:w[1]]
		if word == s {
			continue
		}
		if d := editdist.Distance(word, s); bestD < 0 || d < bestD {
			best, bestD = w, d
		}
	}
	return best[0], best[1]
}

// quickFixes returns a code action for each "did you mean" diagnostic of
// the request that lies in the range asked about.
func (s *Server) quickFixes(uri string, t *text, params codeActionParams) []codeAction {
	out := []codeAction{}
	for _, d := range params.Context.Diagnostics {
		sugg := ""
		if d.Data != nil {
			sugg = d.Data.Suggestion
		}
		if sugg == "" {
			sugg = suggestion(d.Message)
		}
		if sugg == "" || before(params.Range.End, d.Range.Start) || before(d.Range.End, params.Range.Start) {
			continue
		}
		so, eo := t.offset(d.Range.Start), t.offset(d.Range.End)
		if eo < so {
			continue
		}
		old := t.src[so:eo]
		i, j := fixSpan(old, sugg)
		r := lspRange{Start: t.pos(so + i), End: t.pos(so + j)}
		out = append(out, codeAction{
			Title:       "Change " + strconv.Quote(old[i:j]) + " to " + strconv.Quote(sugg),
			Kind:        "quickfix",
			Diagnostics: []diagnostic{d},
			IsPreferred: true,
			Edit:        &workspaceEdit{Changes: map[string][]textEdit{uri: {{Range: r, NewText: sugg}}}},
		})
	}
	return out
}
