package lsp

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/dlayer/dlayer/spec"
	"go.yaml.in/yaml/v3"
)

// symKind is what a name in a schema file stands for.
type symKind int

const (
	symModel symKind = iota + 1
	symAlias
	symTable
	symColumn       // name is "table.column"
	symRelationship // name is "Model.relationship"
	symTrait        // a trait, declared under traits: or builtin
)

func (k symKind) String() string {
	switch k {
	case symModel:
		return "model"
	case symAlias:
		return "type alias"
	case symTable:
		return "table"
	case symColumn:
		return "column"
	case symRelationship:
		return "relationship"
	case symTrait:
		return "trait"
	}
	return "name"
}

type symbol struct {
	kind symKind
	name string
}

// occurrence is one place a symbol is written: its definition (a model,
// alias, table, column or relationship key, or a model's table: value) or
// a reference to it (target:, type:, foreign_key:, columns: lists, …).
type occurrence struct {
	sym  symbol
	rng  lspRange
	def  bool
	text string // the name as written at rng (the last part of table.column)
}

// fileIndex is one file's text and the symbol occurrences found in it.
type fileIndex struct {
	name  string
	text  *text
	occs  []occurrence
	valid bool // the file parsed as YAML
	// traits are the traits declared in the file (under traits:).
	traits []*traitDef
}

// traitDef is what a trait declared under traits: adds, as written.
type traitDef struct {
	name          string
	comment       string
	uses          []string
	columns       []string
	relationships [][2]string // name, target
	indexes       [][]string  // the columns of each index
	uniques       [][]string
	checks        int
	foreignKeys   int
}

// at returns the innermost occurrence at p, if any.
func (f *fileIndex) at(p position) (occurrence, bool) {
	var best occurrence
	found := false
	for _, o := range f.occs {
		if o.rng.contains(p) && (!found || before(best.rng.Start, o.rng.Start)) {
			best, found = o, true
		}
	}
	return best, found
}

// indexFile parses one file's YAML and records where each model, alias,
// table, column and relationship is defined and referred to. sch resolves
// what the text alone cannot (a relationship target's table). Aliases
// (*anchor) are not followed, so the walk is linear in the text.
func indexFile(name, src string, sch *spec.Schema) *fileIndex {
	fi := &fileIndex{name: name, text: newText(src), valid: true}
	ix := &indexer{fi: fi, sch: sch, seen: map[occurrence]bool{}, users: map[string][]*spec.Model{}}
	for _, m := range sch.Models {
		for _, tr := range m.Traits {
			ix.users[tr] = append(ix.users[tr], m)
		}
	}
	dec := yaml.NewDecoder(strings.NewReader(src))
	for {
		var doc yaml.Node
		err := decodeNode(dec, &doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fi.valid = false
			break
		}
		if len(doc.Content) > 0 {
			ix.file(doc.Content[0])
		}
	}
	return fi
}

func decodeNode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return dec.Decode(n)
}

type indexer struct {
	fi   *fileIndex
	sch  *spec.Schema
	seen map[occurrence]bool
	// users lists the models that use each trait (directly or through
	// another trait), as the loader expanded them.
	users map[string][]*spec.Model
}

// pairs returns the key/value pairs of a mapping node.
func pairs(n *yaml.Node) [][2]*yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([][2]*yaml.Node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	return out
}

func child(n *yaml.Node, key string) *yaml.Node {
	for _, p := range pairs(n) {
		if p[0].Value == key {
			return p[1]
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}

// add records an occurrence of name at the scalar n, starting off code
// points into its value (for the parts of table.column).
func (ix *indexer) add(n *yaml.Node, off int, part string, s symbol, def bool) {
	if n == nil || n.Kind != yaml.ScalarNode || part == "" || strings.ContainsAny(n.Value, "\n") {
		return
	}
	col := n.Column
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		col++
	}
	r := ix.fi.text.runeColRange(n.Line, col+off, utf8.RuneCountInString(part))
	o := occurrence{sym: s, rng: r, def: def, text: part}
	if ix.seen[o] {
		return // a trait's parts are indexed once per model using it
	}
	ix.seen[o] = true
	ix.fi.occs = append(ix.fi.occs, o)
}

func (ix *indexer) file(root *yaml.Node) {
	for _, p := range pairs(root) {
		switch p[0].Value {
		case "types":
			for _, a := range pairs(p[1]) {
				ix.add(a[0], 0, a[0].Value, symbol{symAlias, a[0].Value}, true)
				ix.column(a[1], "")
			}
		case "models":
			for _, m := range pairs(p[1]) {
				model := m[0].Value
				ix.add(m[0], 0, model, symbol{symModel, model}, true)
				tn := child(m[1], "table")
				table := scalar(tn)
				ix.add(tn, 0, table, symbol{symTable, table}, true)
				ix.table(m[1], table)
				for _, r := range pairs(child(m[1], "relationships")) {
					ix.relationship(model, table, r[0], r[1])
				}
				ix.use(child(m[1], "use"))
			}
		case "traits":
			for _, t := range pairs(p[1]) {
				ix.trait(t[0], t[1])
			}
		case "tables":
			for _, t := range pairs(p[1]) {
				ix.add(t[0], 0, t[0].Value, symbol{symTable, t[0].Value}, true)
				ix.table(t[1], t[0].Value)
			}
		}
	}
}

// table indexes the parts a model and a plain table share.
func (ix *indexer) table(n *yaml.Node, table string) {
	col := func(c *yaml.Node) {
		if table != "" {
			ix.add(c, 0, c.Value, symbol{symColumn, table + "." + c.Value}, false)
		}
	}
	cols := func(list *yaml.Node) {
		if list != nil && list.Kind == yaml.SequenceNode {
			for _, c := range list.Content {
				col(c)
			}
		}
	}
	for _, p := range pairs(n) {
		switch p[0].Value {
		case "columns":
			for _, c := range pairs(p[1]) {
				if table != "" {
					ix.add(c[0], 0, c[0].Value, symbol{symColumn, table + "." + c[0].Value}, true)
				}
				ix.column(c[1], table)
			}
		case "primary_key":
			cols(p[1])
		case "version_column":
			col(p[1])
		case "indexes", "unique":
			if p[1].Kind != yaml.SequenceNode {
				continue
			}
			for _, it := range p[1].Content {
				if it.Kind == yaml.SequenceNode {
					cols(it)
				} else {
					cols(child(it, "columns"))
				}
			}
		case "foreign_keys":
			if p[1].Kind != yaml.SequenceNode {
				continue
			}
			for _, it := range p[1].Content {
				cols(child(it, "columns"))
				ref := child(it, "references")
				rt := child(ref, "table")
				ix.add(rt, 0, scalar(rt), symbol{symTable, scalar(rt)}, false)
				if rc := child(ref, "columns"); rc != nil && rc.Kind == yaml.SequenceNode && scalar(rt) != "" {
					for _, c := range rc.Content {
						ix.add(c, 0, c.Value, symbol{symColumn, scalar(rt) + "." + c.Value}, false)
					}
				}
			}
		}
	}
}

// column indexes a column definition (or a type alias's): the alias it
// names and its foreign key.
func (ix *indexer) column(n *yaml.Node, table string) {
	typeRef := func(t *yaml.Node) {
		name := scalar(t)
		if _, builtin := spec.LookupType(name); name != "" && !builtin {
			ix.add(t, 0, name, symbol{symAlias, name}, false)
		}
	}
	if n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode {
		typeRef(n)
		return
	}
	typeRef(child(n, "type"))
	fk := child(n, "foreign_key")
	switch {
	case fk == nil:
	case fk.Kind == yaml.ScalarNode:
		t, c, ok := strings.Cut(fk.Value, ".")
		ix.add(fk, 0, t, symbol{symTable, t}, false)
		if ok {
			ix.add(fk, utf8.RuneCountInString(t)+1, c, symbol{symColumn, t + "." + c}, false)
		}
	case fk.Kind == yaml.MappingNode:
		t := child(fk, "table")
		ix.add(t, 0, scalar(t), symbol{symTable, scalar(t)}, false)
		if c := child(fk, "column"); c != nil && scalar(t) != "" {
			ix.add(c, 0, scalar(c), symbol{symColumn, scalar(t) + "." + scalar(c)}, false)
		}
	}
}

// use indexes the trait names of a use: list and returns them.
func (ix *indexer) use(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	var names []string
	for _, it := range n.Content {
		k := it
		if it.Kind == yaml.MappingNode && len(it.Content) >= 2 {
			k = it.Content[0] // {soft_delete: {options}}
		}
		if name := scalar(k); name != "" {
			ix.add(k, 0, name, symbol{symTrait, name}, false)
			names = append(names, name)
		}
	}
	return names
}

// trait indexes a trait declared under traits:. Its columns and
// relationships are defined, for the index, in every model that uses it:
// a reference to posts.owner_id goes to the owner_id key of the trait.
func (ix *indexer) trait(key, n *yaml.Node) {
	name := key.Value
	ix.add(key, 0, name, symbol{symTrait, name}, true)
	td := &traitDef{name: name, comment: scalar(child(n, "comment")), uses: ix.use(child(n, "use"))}
	for _, c := range pairs(child(n, "columns")) {
		td.columns = append(td.columns, c[0].Value)
	}
	for _, r := range pairs(child(n, "relationships")) {
		td.relationships = append(td.relationships, [2]string{r[0].Value, scalar(child(r[1], "target"))})
	}
	colList := func(it *yaml.Node) []string {
		if it.Kind != yaml.SequenceNode {
			it = child(it, "columns")
		}
		var out []string
		if it != nil && it.Kind == yaml.SequenceNode {
			for _, c := range it.Content {
				out = append(out, scalar(c))
			}
		}
		return out
	}
	if l := child(n, "indexes"); l != nil && l.Kind == yaml.SequenceNode {
		for _, it := range l.Content {
			td.indexes = append(td.indexes, colList(it))
		}
	}
	if l := child(n, "unique"); l != nil && l.Kind == yaml.SequenceNode {
		for _, it := range l.Content {
			td.uniques = append(td.uniques, colList(it))
		}
	}
	if l := child(n, "checks"); l != nil && l.Kind == yaml.SequenceNode {
		td.checks = len(l.Content)
	}
	if l := child(n, "foreign_keys"); l != nil && l.Kind == yaml.SequenceNode {
		td.foreignKeys = len(l.Content)
	}
	ix.fi.traits = append(ix.fi.traits, td)
	users := ix.users[name]
	if len(users) == 0 {
		ix.table(n, "") // the aliases and tables it names
		for _, r := range pairs(child(n, "relationships")) {
			ix.relationship("", "", r[0], r[1])
		}
		return
	}
	for _, m := range users {
		table := ""
		if m.Table != nil {
			table = m.Table.Name
		}
		ix.table(n, table)
		for _, r := range pairs(child(n, "relationships")) {
			ix.relationship(m.Name, table, r[0], r[1])
		}
	}
}

func (ix *indexer) relationship(model, table string, key, n *yaml.Node) {
	if model != "" {
		ix.add(key, 0, key.Value, symbol{symRelationship, model + "." + key.Value}, true)
	}
	tn := child(n, "target")
	target := scalar(tn)
	ix.add(tn, 0, target, symbol{symModel, target}, false)
	if bp := child(n, "back_populates"); target != "" {
		ix.add(bp, 0, scalar(bp), symbol{symRelationship, target + "." + scalar(bp)}, false)
	}
	sec := child(n, "secondary")
	ix.add(sec, 0, scalar(sec), symbol{symTable, scalar(sec)}, false)
	targetTable := ""
	if m := ix.sch.Model(target); m != nil && m.Table != nil {
		targetTable = m.Table.Name
	}
	colsOf := func(v *yaml.Node, resolve func(name string) string) {
		var items []*yaml.Node
		switch {
		case v == nil:
		case v.Kind == yaml.ScalarNode:
			items = []*yaml.Node{v}
		case v.Kind == yaml.SequenceNode:
			items = v.Content
		}
		for _, it := range items {
			word := strings.Fields(scalar(it))
			if len(word) == 0 {
				continue
			}
			if t, c, ok := strings.Cut(word[0], "."); ok {
				ix.add(it, 0, t, symbol{symTable, t}, false)
				ix.add(it, utf8.RuneCountInString(t)+1, c, symbol{symColumn, t + "." + c}, false)
				continue
			}
			if t := resolve(word[0]); t != "" {
				ix.add(it, 0, word[0], symbol{symColumn, t + "." + word[0]}, false)
			}
		}
	}
	onTarget := func(string) string { return targetTable }
	either := func(c string) string {
		if t := ix.sch.Table(table); t != nil && t.Column(c) != nil {
			return table
		}
		if t := ix.sch.Table(targetTable); t != nil && t.Column(c) != nil {
			return targetTable
		}
		return ""
	}
	colsOf(child(n, "order_by"), onTarget)
	colsOf(child(n, "remote_side"), either)
	colsOf(child(n, "foreign_keys"), either)
}
