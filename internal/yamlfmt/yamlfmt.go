// Package yamlfmt writes dlayer schema files in one canonical layout, the
// layout `dlayer fmt` gives them:
//
//   - keys of the format's fixed maps (a file, a model, a column, a
//     relationship, …) in the order docs/yaml.md lists them; user-named
//     entries (models, columns, relationships, aliases) keep their order,
//     which is meaningful (columns are in DDL order);
//   - a file, its models and tables, and the name maps (types, columns,
//     relationships) in block style, one entry per line; every other map or
//     list in flow style ({type: integer, primary_key: true}) when it fits
//     in the line width and holds no comment or block scalar, else in block
//     style with the same rule one level down;
//   - the values of consecutive one-line entries of a name map aligned, and
//     their trailing comments aligned;
//   - two-space indentation, a blank line between top-level sections and
//     between multi-line models and tables.
//
// Every comment is kept (head, line and foot comments, and the
// yaml-language-server modeline on the first line) and so is every value:
// scalars keep their quoting, tags, anchors and aliases are written back,
// and a document that uses aliases keeps its key order, so an alias never
// comes before its anchor. Format is idempotent: Format(Format(x)) ==
// Format(x).
package yamlfmt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Width is the line width within which maps and lists are written in flow
// style.
const Width = 100

// Format returns src in the canonical layout. It fails only when src is
// not well-formed YAML; it does not check that src is a valid schema.
//
// The result is a fixed point: formatting it again changes nothing. A
// comment in an unusual place (after an anchor on a document's root, say)
// can move on the first pass and settle on the next, so Format reformats
// its own output until it stops changing (a few passes at most).
func Format(src []byte) ([]byte, error) {
	out, err := formatOnce(src)
	for pass := 0; err == nil; pass++ {
		again, err2 := formatOnce(out)
		if err2 != nil {
			return nil, err2
		}
		if bytes.Equal(again, out) {
			return out, nil
		}
		if pass == 3 {
			return nil, ErrUnstable
		}
		out = again
	}
	return nil, err
}

// ErrUnstable is returned when the layout does not settle: a bug in this
// package, reported rather than written.
var ErrUnstable = errors.New("yamlfmt: the layout does not settle (please report the input)")

// formatOnce is one formatting pass.
func formatOnce(src []byte) ([]byte, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var docs []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("yamlfmt: %w", err)
		}
		docs = append(docs, &doc)
	}
	if len(docs) == 0 {
		// Only comments (or nothing): keep the comments.
		return commentsOnly(src), nil
	}
	for _, doc := range docs {
		if tooDeep(doc, 0) {
			return nil, ErrTooDeep
		}
	}
	var p printer
	for i, doc := range docs {
		if i > 0 {
			p.line(0, "---")
		}
		p.document(doc)
	}
	out := p.buf.Bytes()
	// A guard against a bug in this package: the formatted file must hold
	// the same data.
	before, err := decodeAll(src)
	if err != nil {
		return nil, fmt.Errorf("yamlfmt: %w", err)
	}
	after, err := decodeAll(out)
	if err != nil || !reflect.DeepEqual(before, after) {
		return nil, ErrChanged
	}
	return out, nil
}

// MaxDepth is the deepest nesting Format takes, the loader's default
// (schema files nest about eight levels).
const MaxDepth = 64

// ErrTooDeep is returned for a file nested deeper than MaxDepth.
var ErrTooDeep = fmt.Errorf("yamlfmt: nesting deeper than %d levels", MaxDepth)

func tooDeep(n *yaml.Node, depth int) bool {
	if depth > MaxDepth {
		return true
	}
	for _, c := range n.Content {
		if tooDeep(c, depth+1) {
			return true
		}
	}
	return false
}

// ErrChanged is returned when formatting would change what a file says (a
// bug in this package: please report the file); the file is left alone.
var ErrChanged = errors.New("yamlfmt: internal error: the formatted text would not hold the same data; file left unchanged")

func decodeAll(src []byte) ([]any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var vs []any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return vs, nil
		}
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
}

// commentsOnly formats a file without any YAML node: its comment lines.
func commentsOnly(src []byte) []byte {
	var b bytes.Buffer
	for _, l := range strings.Split(string(src), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "#") {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// ctx is where a map or list sits in a schema file; it decides key order
// and style.
type ctx int

const (
	ctxOther          ctx = iota
	ctxFile               // the top-level map
	ctxModels             // models: name → model
	ctxTables             // tables: name → table
	ctxModel              // a model or plain table
	ctxColumns            // types: or columns: name → column
	ctxColumn             // a column or type alias
	ctxRels               // relationships: name → relationship
	ctxRel                // a relationship
	ctxFK                 // a column's foreign_key map
	ctxIndexList          // indexes:
	ctxIndex              // an index
	ctxUniqueList         // unique:
	ctxUnique             // a unique constraint map
	ctxCheckList          // checks:
	ctxCheck              // a check map
	ctxTableFKList        // foreign_keys: on a model or table
	ctxTableFK            // a table foreign key
	ctxRef                // a table foreign key's references
	ctxComputed           // computed:
	ctxView               // view:
	ctxPartition          // partition:
	ctxPartitionList      // partition: partitions:
	ctxPartitionBound     // one partition
	ctxNative             // native:
	ctxDomain             // domain:
	ctxArrayItems         // items:
	ctxServerDefault      // server_default: {sql}
)

var keyOrder = map[ctx][]string{
	ctxFile: {"types", "traits", "models", "tables"},
	ctxModel: {"table", "columns", "inherits", "polymorphic_on", "polymorphic_identity", "relationships", "indexes", "unique", "checks",
		"foreign_keys", "version_column", "primary_key", "renamed_from", "comment", "use", "view", "partition"},
	ctxColumn: {"type", "length", "precision", "scale", "timezone", "values", "enum_name", "unsigned", "fixed", "items", "native",
		"primary_key", "autoincrement", "nullable", "unique", "index", "default", "insert_default", "onupdate", "server_default",
		"server_onupdate", "computed", "foreign_key", "comment", "renamed_from", "domain"},
	ctxRel:            {"target", "secondary", "back_populates", "kind", "uselist", "cascade", "lazy", "order_by", "foreign_keys", "remote_side", "passive_deletes", "comment"},
	ctxFK:             {"table", "column", "on_delete", "on_update", "name"},
	ctxIndex:          {"columns", "unique", "kind", "name"},
	ctxUnique:         {"columns", "name"},
	ctxCheck:          {"expr", "name"},
	ctxTableFK:        {"columns", "references", "on_delete", "on_update", "name"},
	ctxRef:            {"table", "columns"},
	ctxComputed:       {"sql", "stored"},
	ctxView:           {"sql", "materialized"},
	ctxPartition:      {"by", "partitions"},
	ctxPartitionBound: {"name", "bound"},
	ctxNative:         {"postgres", "mysql", "sqlite"},
	ctxDomain:         {"checks"},
	ctxArrayItems:     {"type", "length", "precision", "scale", "timezone"},
	ctxServerDefault:  {"sql"},
}

// child is the context of the value of key k in a map of context c (or of
// an item of a list of context c, with k "").
func child(c ctx, k string) ctx {
	switch c {
	case ctxFile:
		switch k {
		case "types":
			return ctxColumns
		case "models", "traits":
			return ctxModels
		case "tables":
			return ctxTables
		}
	case ctxModels, ctxTables:
		return ctxModel
	case ctxModel:
		switch k {
		case "columns":
			return ctxColumns
		case "relationships":
			return ctxRels
		case "indexes":
			return ctxIndexList
		case "unique":
			return ctxUniqueList
		case "checks":
			return ctxCheckList
		case "foreign_keys":
			return ctxTableFKList
		case "view":
			return ctxView
		case "partition":
			return ctxPartition
		}
	case ctxColumns:
		return ctxColumn
	case ctxColumn:
		switch k {
		case "foreign_key":
			return ctxFK
		case "computed":
			return ctxComputed
		case "native":
			return ctxNative
		case "domain":
			return ctxDomain
		case "items":
			return ctxArrayItems
		case "server_default":
			return ctxServerDefault
		}
	case ctxRels:
		return ctxRel
	case ctxIndexList:
		return ctxIndex
	case ctxUniqueList:
		return ctxUnique
	case ctxCheckList:
		return ctxCheck
	case ctxTableFKList:
		return ctxTableFK
	case ctxTableFK:
		if k == "references" {
			return ctxRef
		}
	case ctxPartition:
		if k == "partitions" {
			return ctxPartitionList
		}
	case ctxPartitionList:
		return ctxPartitionBound
	case ctxDomain:
		if k == "checks" {
			return ctxCheckList
		}
	}
	return ctxOther
}

// alwaysBlock reports whether maps of context c are always written in
// block style.
func alwaysBlock(c ctx) bool {
	switch c {
	case ctxFile, ctxModels, ctxTables, ctxModel, ctxColumns, ctxRels:
		return true
	}
	return false
}

// blockItems reports whether lists of context c are written one item per
// line whatever their width.
func blockItems(c ctx) bool {
	switch c {
	case ctxIndexList, ctxUniqueList, ctxCheckList, ctxTableFKList, ctxPartitionList:
		return true
	}
	return false
}

// aligned reports whether the one-line entries of maps of context c are
// aligned.
func aligned(c ctx) bool { return c == ctxColumns || c == ctxRels }

type printer struct {
	buf     bytes.Buffer
	reorder bool // false in a document with aliases: keep the written order
}

func (p *printer) line(indent int, s string) {
	p.buf.WriteString(strings.Repeat(" ", indent))
	p.buf.WriteString(s)
	p.buf.WriteByte('\n')
}

func (p *printer) blank() {
	b := p.buf.Bytes()
	if len(b) == 0 || bytes.HasSuffix(b, []byte("\n\n")) {
		return
	}
	p.buf.WriteByte('\n')
}

func (p *printer) comments(indent int, text string) {
	if text == "" {
		return
	}
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			p.blank()
			continue
		}
		p.line(indent, l)
	}
}

func (p *printer) document(doc *yaml.Node) {
	p.reorder = !hasAlias(doc)
	if doc.HeadComment != "" {
		p.comments(0, doc.HeadComment)
		p.blank()
	}
	if len(doc.Content) == 1 {
		root := doc.Content[0]
		if root.Kind == yaml.MappingNode && len(root.Content) > 0 && p.reorder {
			// When the first key moves, the modeline above it stays on the
			// first line; its other comments move with it.
			first := root.Content[0]
			if es := p.entries(root, ctxFile); es[0].key != first {
				var keep []string
				for _, l := range strings.Split(first.HeadComment, "\n") {
					if strings.HasPrefix(strings.TrimSpace(l), "# yaml-language-server:") {
						p.line(0, strings.TrimSpace(l))
					} else {
						keep = append(keep, l)
					}
				}
				first.HeadComment = strings.Join(keep, "\n")
			}
		}
		p.value(0, root, ctxFile, "")
	}
	if doc.LineComment != "" {
		p.comments(0, doc.LineComment)
	}
	if doc.FootComment != "" {
		p.blank()
		p.comments(0, doc.FootComment)
	}
}

func hasAlias(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c) {
			return true
		}
	}
	return false
}

// value writes a top-level (document) value.
func (p *printer) value(indent int, n *yaml.Node, c ctx, _ string) {
	switch n.Kind {
	case yaml.MappingNode:
		p.comments(indent, n.HeadComment)
		if len(n.Content) == 0 || !p.blockMap(n, c) {
			s := p.flow(n, c)
			p.line(indent, props(n)+s+lineComment(n.LineComment))
		} else {
			if pr := props(n); pr != "" {
				p.line(indent, strings.TrimSpace(pr)+lineComment(n.LineComment))
			}
			p.mapEntries(indent, n, c)
		}
		p.footComments(indent, n.FootComment)
	case yaml.SequenceNode:
		p.comments(indent, n.HeadComment)
		if len(n.Content) == 0 || !p.blockSeq(n, c, indent) {
			p.line(indent, props(n)+p.flow(n, c)+lineComment(n.LineComment))
		} else {
			p.seqItems(indent, n, c)
		}
		p.footComments(indent, n.FootComment)
	default:
		p.comments(indent, n.HeadComment)
		lines := p.scalarLines(n, indent+2, false)
		if lines[0] == "" && n.Kind == yaml.ScalarNode && props(n) == "" {
			lines[0] = "null" // an empty document would read as no document
		}
		p.line(indent, props(n)+lines[0]+lineComment(n.LineComment))
		for _, l := range lines[1:] {
			p.buf.WriteString(l)
			p.buf.WriteByte('\n')
		}
		p.footComments(indent, n.FootComment)
	}
}

// footComments writes the foot comments of a document's root after a
// blank line, where yaml.v3 reads them back as the document's.
func (p *printer) footComments(indent int, text string) {
	if text != "" {
		p.blank()
		p.comments(indent, text)
	}
}

func lineComment(c string) string {
	if c == "" {
		return ""
	}
	return " " + strings.TrimSpace(c)
}

// props is the anchor and explicit tag of n, each followed by a blank.
func props(n *yaml.Node) string {
	var s string
	if n.Anchor != "" {
		s += "&" + n.Anchor + " "
	}
	if n.Style&yaml.TaggedStyle != 0 && n.Tag != "" {
		s += shortTag(n.Tag) + " "
	}
	return s
}

func shortTag(t string) string {
	if rest, ok := strings.CutPrefix(t, "tag:yaml.org,2002:"); ok {
		return "!!" + rest
	}
	return t
}

type entry struct {
	key, val *yaml.Node
}

// entries returns the entries of map n in canonical order for context c.
func (p *printer) entries(n *yaml.Node, c ctx) []entry {
	es := make([]entry, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		es = append(es, entry{n.Content[i], n.Content[i+1]})
	}
	order := keyOrder[c]
	if !p.reorder || order == nil {
		return es
	}
	rank := func(e entry) int {
		if e.key.Kind != yaml.ScalarNode || e.key.Value == "<<" && e.key.Tag == "!!merge" {
			return -1
		}
		for i, k := range order {
			if e.key.Value == k {
				return i
			}
		}
		return len(order)
	}
	// A stable insertion sort: files are small and most maps are ordered.
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && rank(es[j]) < rank(es[j-1]); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
	return es
}

// blockMap reports whether map n of context c is written in block style.
func (p *printer) blockMap(n *yaml.Node, c ctx) bool {
	return alwaysBlock(c) || !p.flowable(n, true)
}

// blockSeq reports whether list n of context c is written in block style.
func (p *printer) blockSeq(n *yaml.Node, c ctx, _ int) bool {
	return blockItems(c) || !p.flowable(n, true)
}

// flowable reports whether n can be written in flow style: no comment
// inside it (its own line comment aside, when top), no block scalar, no
// multi-line scalar, and no map or list that must be block.
func (p *printer) flowable(n *yaml.Node, top bool) bool {
	if !top && (n.HeadComment != "" || n.LineComment != "" || n.FootComment != "") {
		return false
	}
	if top && (n.HeadComment != "" || n.FootComment != "") {
		// Kept by the caller around the entry.
		_ = 0
	}
	switch n.Kind {
	case yaml.ScalarNode:
		// A plain scalar that is not safe in a flow collection is written
		// double-quoted there, which keeps a string a string only.
		plain := n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
		if plain && !flowPlainSafe(n.Value) && n.Tag != "!!str" {
			return false
		}
		return !blockScalar(n)
	case yaml.AliasNode:
		return true
	}
	for _, c := range n.Content {
		if !p.flowable(c, false) {
			return false
		}
	}
	return true
}

// mapEntries writes the entries of block map n at indent.
func (p *printer) mapEntries(indent int, n *yaml.Node, c ctx) {
	es := p.entries(n, c)
	type rendered struct {
		e       entry
		keyText string
		inline  string // the one-line value, when the entry is one line
		one     bool
	}
	rs := make([]rendered, len(es))
	for i, e := range es {
		r := rendered{e: e, keyText: p.keyText(e.key)}
		cc := child(c, scalarValue(e.key))
		r.inline, r.one = p.oneLine(e.val, cc, indent+2, indent+utf8.RuneCountInString(r.keyText)+2)
		rs[i] = r
	}
	sep := c == ctxFile || c == ctxModels || c == ctxTables
	for i := 0; i < len(rs); {
		r := rs[i]
		if sep && i > 0 && (c == ctxFile || !r.one || !rs[i-1].one) {
			p.blank()
		}
		if !r.one || !aligned(c) {
			p.entry(indent, r.e, c, r.keyText, r.inline, r.one, 0, 0)
			i++
			continue
		}
		// A run of one-line entries: align values and trailing comments.
		j := i
		keyW, valW := 0, 0
		for ; j < len(rs) && rs[j].one; j++ {
			if j > i && rs[j].e.key.HeadComment != "" && blankBefore(rs[j].e.key.HeadComment) {
				break
			}
			keyW = max(keyW, utf8.RuneCountInString(rs[j].keyText))
			valW = max(valW, utf8.RuneCountInString(rs[j].inline))
		}
		_ = valW
		for k := i; k < j; {
			if !hasLineComment(rs[k].e) {
				p.entry(indent, rs[k].e, c, rs[k].keyText, rs[k].inline, true, keyW, 0)
				k++
				continue
			}
			// Consecutive entries with trailing comments: align the comments.
			m, w := k, 0
			for ; m < j && hasLineComment(rs[m].e); m++ {
				w = max(w, keyW+2+utf8.RuneCountInString(rs[m].inline))
			}
			for ; k < m; k++ {
				p.entry(indent, rs[k].e, c, rs[k].keyText, rs[k].inline, true, keyW, w)
			}
		}
		i = j
	}
}

func hasLineComment(e entry) bool { return e.key.LineComment != "" || e.val.LineComment != "" }

func blankBefore(head string) bool { return strings.HasPrefix(head, "\n") }

func scalarValue(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}

// keyText is the key of an entry as written, with its anchor and tag.
func (p *printer) keyText(k *yaml.Node) string {
	if k.Kind == yaml.AliasNode {
		return "*" + k.Value + " "
	}
	if k.Kind != yaml.ScalarNode {
		// Complex keys never appear in schema files; write them in flow style.
		return "? " + p.flow(k, ctxOther)
	}
	s := p.scalarLines(k, 0, true)
	if s[0] == "" && props(k) == "" {
		return "null" // an empty key ("? ") is a null key
	}
	return props(k) + s[0]
}

// oneLine returns the one-line form of the value n of an entry whose value
// starts at column col (for the width check), and whether the value is
// written on the key's line.
func (p *printer) oneLine(n *yaml.Node, c ctx, _ int, col int) (string, bool) {
	switch n.Kind {
	case yaml.AliasNode:
		return "*" + n.Value, true
	case yaml.ScalarNode:
		if blockScalar(n) {
			return "", false
		}
		return props(n) + p.scalarLines(n, 0, false)[0], true
	case yaml.MappingNode:
		if len(n.Content) > 0 && p.blockMap(n, c) {
			return "", false
		}
	case yaml.SequenceNode:
		if len(n.Content) > 0 && p.blockSeq(n, c, col) {
			return "", false
		}
	}
	s := props(n) + p.flow(n, c)
	if len(n.Content) > 0 && col+utf8.RuneCountInString(s) > Width {
		return "", false
	}
	return s, true
}

// entry writes one map entry.
func (p *printer) entry(indent int, e entry, c ctx, keyText, inline string, one bool, keyW, commentCol int) {
	p.comments(indent, e.key.HeadComment)
	p.comments(indent, e.val.HeadComment)
	cc := child(c, scalarValue(e.key))
	lc := strings.TrimSpace(strings.TrimSpace(e.key.LineComment) + " " + strings.TrimSpace(e.val.LineComment))
	if one {
		head := keyText + ":"
		if inline != "" {
			pad := 1
			if keyW > 0 {
				pad = keyW - utf8.RuneCountInString(keyText) + 1
			}
			head += strings.Repeat(" ", pad) + inline
		}
		if lc != "" {
			w := utf8.RuneCountInString(head)
			pad := 1
			if commentCol > 0 && commentCol+1 > w {
				pad = commentCol + 1 - w
			}
			head += strings.Repeat(" ", pad) + lc
		}
		p.line(indent, head)
	} else {
		v := e.val
		head := keyText + ":"
		if v.Kind == yaml.ScalarNode {
			lines := p.scalarLines(v, indent+2, false)
			head += " " + props(v) + lines[0]
			if lc != "" {
				head += " " + lc
			}
			p.line(indent, head)
			for _, l := range lines[1:] {
				if l == "" {
					p.buf.WriteByte('\n')
					continue
				}
				p.buf.WriteString(l)
				p.buf.WriteByte('\n')
			}
		} else {
			if pr := strings.TrimSpace(props(v)); pr != "" {
				head += " " + pr
			}
			if lc != "" {
				head += " " + lc
			}
			p.line(indent, head)
			if v.Kind == yaml.MappingNode {
				p.mapEntries(indent+2, v, cc)
			} else {
				p.seqItems(indent+2, v, cc)
			}
		}
	}
	if indent == 0 {
		// yaml.v3 reads a comment after the last top-level entry back as
		// the document's foot comment, written after a blank line.
		p.footComments(indent, e.val.FootComment)
		p.footComments(indent, e.key.FootComment)
	} else {
		p.comments(indent, e.val.FootComment)
		p.comments(indent, e.key.FootComment)
	}
}

// seqItems writes the items of block list n, "- " at indent.
func (p *printer) seqItems(indent int, n *yaml.Node, c ctx) {
	cc := child(c, "")
	for _, it := range n.Content {
		p.comments(indent, it.HeadComment)
		lc := lineComment(it.LineComment)
		s, one := p.oneLine(it, cc, indent+2, indent+2)
		switch {
		case one:
			p.line(indent, "- "+s+lc)
		case it.Kind == yaml.ScalarNode:
			lines := p.scalarLines(it, indent+2, false)
			p.line(indent, "- "+props(it)+lines[0]+lc)
			for _, l := range lines[1:] {
				if l != "" {
					p.buf.WriteString(l)
				}
				p.buf.WriteByte('\n')
			}
		case it.Kind == yaml.MappingNode:
			// "- " then the first entry on the same line: write the entries
			// at indent+2 and splice the dash in.
			start := p.buf.Len()
			if pr := strings.TrimSpace(props(it)); pr != "" || lc != "" {
				p.line(indent, strings.TrimSpace("- "+pr+lc))
				p.mapEntries(indent+2, it, cc)
			} else {
				p.mapEntries(indent+2, it, cc)
				b := p.buf.Bytes()[start:]
				// The first line written starts with indent+2 blanks unless
				// the first entry had a head comment; either way put the dash
				// on the first line.
				copy(b[indent:indent+2], "- ")
			}
		default:
			if pr := strings.TrimSpace(props(it)); pr != "" || lc != "" {
				p.line(indent, strings.TrimSpace("- "+pr+lc))
			} else {
				p.line(indent, "-")
			}
			p.seqItems(indent+2, it, child(cc, ""))
		}
		p.comments(indent, it.FootComment)
	}
}

// flow writes n in flow style on one line.
func (p *printer) flow(n *yaml.Node, c ctx) string {
	switch n.Kind {
	case yaml.AliasNode:
		return "*" + n.Value
	case yaml.ScalarNode:
		if n.Value == "" && n.Tag == "!!null" && n.Style&^yaml.TaggedStyle == 0 {
			return props(n) + "null" // an empty item of a flow list
		}
		return props(n) + p.scalarLines(n, 0, true)[0]
	case yaml.MappingNode:
		es := p.entries(n, c)
		parts := make([]string, len(es))
		for i, e := range es {
			k := p.flow(e.key, ctxOther)
			if e.key.Kind == yaml.AliasNode {
				k += " "
			}
			v := p.flow(e.val, child(c, scalarValue(e.key)))
			if e.val.Kind == yaml.ScalarNode && e.val.Tag == "!!null" && e.val.Value == "" && e.val.Style == 0 {
				parts[i] = k // {a} is {a: null}
			} else {
				parts[i] = k + ": " + v
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case yaml.SequenceNode:
		cc := child(c, "")
		parts := make([]string, len(n.Content))
		for i, it := range n.Content {
			parts[i] = p.flow(it, cc)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return ""
}

// scalarLines writes scalar n (without its anchor and tag): one line, or,
// for a block scalar, the indicator line followed by the content lines
// indented by indent (absolute). inFlow asks for a form valid inside a
// flow collection.
func (p *printer) scalarLines(n *yaml.Node, indent int, inFlow bool) []string {
	v := n.Value
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return []string{doubleQuote(v)}
	case n.Style&yaml.SingleQuotedStyle != 0:
		if strings.ContainsAny(v, "\n\t") || !utf8.ValidString(v) {
			return []string{doubleQuote(v)}
		}
		return []string{"'" + strings.ReplaceAll(v, "'", "''") + "'"}
	case blockScalar(n):
		if inFlow {
			return []string{doubleQuote(v)}
		}
		return literal(v, indent)
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || strings.Contains(v, "\n"):
		return []string{doubleQuote(v)}
	}
	// Plain: the text as written, which resolves to the same value; inside
	// a flow collection a plain scalar may not hold flow indicators.
	if inFlow && !flowPlainSafe(v) || strings.HasPrefix(v, "---") || strings.HasPrefix(v, "...") {
		// At the start of a line "---" and "..." mark documents.
		return []string{doubleQuote(v)}
	}
	if v == "" && n.Tag != "!!null" && n.Style&yaml.TaggedStyle == 0 {
		return []string{`""`}
	}
	return []string{v}
}

// blockScalar reports whether n is written as a literal block scalar: a
// block scalar whose value a literal block reads back as (others, and
// multi-line values of other styles, are written double-quoted).
func blockScalar(n *yaml.Node) bool {
	return n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 && literalSafe(n.Value)
}

// flowPlainSafe reports whether the plain scalar v reads back the same
// inside a flow collection. yaml.v3 takes fewer characters there than the
// YAML spec allows ("[a?]" is an error to it), so only a conservative set
// is written plain: letters, digits, spaces inside, and "_-./+()=~$^;<>"
// ("" is the empty null or string, written by the caller).
func flowPlainSafe(v string) bool {
	if v == "" {
		return true
	}
	if v[0] == ' ' || v[len(v)-1] == ' ' || v[0] == '>' {
		return false
	}
	for _, r := range v {
		switch {
		case r >= utf8.RuneSelf:
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', strings.ContainsRune("_-./+()=~$^;<> ", r):
		default:
			return false
		}
	}
	return true
}

// literalSafe reports whether v can be written as a literal block scalar
// that reads back as v.
func literalSafe(v string) bool {
	if v == "" || strings.HasPrefix(v, " ") || strings.HasPrefix(v, "\n") || strings.ContainsAny(v, "\t\r") {
		return false
	}
	for _, l := range strings.Split(v, "\n") {
		if strings.HasSuffix(l, " ") {
			return false
		}
	}
	return utf8.ValidString(v)
}

func literal(v string, indent int) []string {
	chomp := "-"
	body := v
	switch {
	case strings.HasSuffix(v, "\n\n"):
		chomp = "+"
		body = strings.TrimSuffix(v, "\n")
	case strings.HasSuffix(v, "\n"):
		chomp = ""
		body = strings.TrimSuffix(v, "\n")
	}
	if chomp == "+" {
		body = v[:len(v)-1]
	}
	out := []string{"|" + chomp}
	pad := strings.Repeat(" ", indent)
	for _, l := range strings.Split(body, "\n") {
		if l == "" {
			out = append(out, "")
		} else {
			out = append(out, pad+l)
		}
	}
	return out
}

// doubleQuote writes v as a YAML double-quoted scalar.
func doubleQuote(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range v {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case 0:
			b.WriteString(`\0`)
		default:
			if r < 0x20 || r == 0x7f || r == utf8.RuneError {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
