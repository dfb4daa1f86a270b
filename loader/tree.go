package loader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dlayer/dlayer/spec"
	"go.yaml.in/yaml/v3"
)

// srcFile is one schema file being loaded.
type srcFile struct {
	name       string
	src        []byte
	lineStarts []int
	ascii      bool         // every byte < 0x80: columns are byte offsets
	ydocs      []*yaml.Node // parsed documents, until convFile builds docs
	docs       []*node
}

func newSrcFile(name string, src []byte) *srcFile {
	f := &srcFile{name: name, src: src, lineStarts: []int{0}, ascii: true}
	for i, b := range src {
		if b == '\n' {
			f.lineStarts = append(f.lineStarts, i+1)
		}
		if b >= 0x80 {
			f.ascii = false
		}
	}
	return f
}

// pos converts a 1-based line and column (in characters) to a spec.Pos.
func (f *srcFile) pos(line, col int) spec.Pos {
	p := spec.Pos{Line: line, Column: col}
	if line < 1 || line > len(f.lineStarts) {
		return p
	}
	off := f.lineStarts[line-1]
	if f.ascii {
		end := len(f.src)
		if line < len(f.lineStarts) {
			end = f.lineStarts[line] - 1
		}
		p.Byte = min(off+max(col-1, 0), end)
		return p
	}
	for c := 1; c < col && off < len(f.src) && f.src[off] != '\n'; c++ {
		_, size := utf8.DecodeRune(f.src[off:])
		off += size
	}
	p.Byte = off
	return p
}

// line returns the text of a 1-based line, without its line break.
func (f *srcFile) line(n int) (string, bool) {
	if n < 1 || n > len(f.lineStarts) {
		return "", false
	}
	end := len(f.src)
	if n < len(f.lineStarts) {
		end = f.lineStarts[n] - 1
	}
	return strings.TrimSuffix(string(f.src[f.lineStarts[n-1]:end]), "\r"), true
}

type nodeKind uint8

const (
	scalarNode nodeKind = iota + 1
	mapNode
	seqNode
)

// node is the loader's own YAML tree: aliases and merge keys expanded under
// a budget, duplicate keys dropped, every node knowing its parent so its
// JSON pointer and position can be reported.
type node struct {
	kind   nodeKind
	tag    string // short tag of a scalar: !!str, !!int, !!float, !!bool, !!null, …
	value  string
	quoted bool
	keys   []*node // map keys (scalars), parallel to vals
	vals   []*node
	index  map[string]int // key → position, for maps larger than smallMap
	items  []*node
	parent *node
	seg    string // member name within a map parent
	idx    int    // index within a seq parent, -1 otherwise
	isKey  bool
	line   int
	col    int
	file   *srcFile
}

func (n *node) isNull() bool { return n == nil || (n.kind == scalarNode && n.tag == "!!null") }

// str returns the value of a string scalar.
func (n *node) str() (string, bool) {
	if n == nil || n.kind != scalarNode || n.tag != "!!str" {
		return "", false
	}
	return n.value, true
}

// text returns the text of any non-null scalar.
func (n *node) text() (string, bool) {
	if n == nil || n.kind != scalarNode || n.tag == "!!null" {
		return "", false
	}
	return n.value, true
}

func (n *node) boolean() (bool, bool) {
	if n == nil || n.kind != scalarNode || n.tag != "!!bool" {
		return false, false
	}
	b, err := strconv.ParseBool(strings.ToLower(n.value))
	return b, err == nil
}

func (n *node) integer() (int64, bool) {
	if n == nil || n.kind != scalarNode || n.tag != "!!int" {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(n.value, "_", ""), 0, 64)
	return v, err == nil
}

func (n *node) float() (float64, bool) {
	if n == nil || n.kind != scalarNode || (n.tag != "!!float" && n.tag != "!!int") {
		return 0, false
	}
	if i, ok := n.integer(); ok {
		return float64(i), true
	}
	switch strings.ToLower(n.value) {
	case ".inf", "+.inf", "-.inf", ".nan":
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(n.value, "_", ""), 64)
	return v, err == nil && !math.IsInf(v, 0) && !math.IsNaN(v)
}

// get returns the value of key k in a map node, or nil.
func (n *node) get(k string) *node {
	if n == nil || n.kind != mapNode {
		return nil
	}
	if n.index != nil {
		if i, ok := n.index[k]; ok {
			return n.vals[i]
		}
		return nil
	}
	for i, key := range n.keys {
		if key.value == k {
			return n.vals[i]
		}
	}
	return nil
}

// keyNode returns the key node for the value n, or n itself.
func (n *node) keyNode() *node {
	if n == nil || n.parent == nil || n.parent.kind != mapNode || n.isKey {
		return n
	}
	if k := n.parent.lookupKey(n.seg); k != nil {
		return k
	}
	return n
}

// pointer returns the JSON pointer of n within its document.
func (n *node) pointer() string {
	var segs []string
	for c := n; c != nil && c.parent != nil; c = c.parent {
		if c.idx >= 0 {
			segs = append(segs, strconv.Itoa(c.idx))
		} else {
			segs = append(segs, strings.ReplaceAll(strings.ReplaceAll(c.seg, "~", "~0"), "/", "~1"))
		}
	}
	if len(segs) == 0 {
		return ""
	}
	var b strings.Builder
	for i := len(segs) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(segs[i])
	}
	return b.String()
}

// rng returns the source range of n.
func (n *node) rng() spec.Range {
	if n == nil || n.file == nil {
		return spec.Range{}
	}
	r := spec.Range{File: n.file.name, Start: n.file.pos(n.line, n.col)}
	width := 1
	if n.kind == scalarNode && !strings.Contains(n.value, "\n") {
		width = utf8.RuneCountInString(n.value)
		if n.quoted {
			width += 2
		}
		if width == 0 {
			width = 1
		}
	}
	r.End = n.file.pos(n.line, n.col+width)
	return r
}

// json converts the tree to the values encoding/json would produce, for the
// JSON Schema check. Numbers become json.Number in canonical form.
func (n *node) json() any {
	switch n.kind {
	case mapNode:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			m[k.value] = n.vals[i].json()
		}
		return m
	case seqNode:
		s := make([]any, len(n.items))
		for i, it := range n.items {
			s[i] = it.json()
		}
		return s
	}
	switch n.tag {
	case "!!null":
		return nil
	case "!!bool":
		if b, ok := n.boolean(); ok {
			return b
		}
	case "!!int":
		if i, ok := n.integer(); ok {
			return json.Number(strconv.FormatInt(i, 10))
		}
		if f, ok := n.float(); ok {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
	case "!!float":
		if f, ok := n.float(); ok {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
	}
	return n.value
}

// resolve returns the node at JSON pointer p, or the deepest node on the way.
func (n *node) resolve(p string) *node {
	if p == "" || p == "/" {
		return n
	}
	cur := n
	for _, seg := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
		switch cur.kind {
		case mapNode:
			next := cur.get(seg)
			if next == nil {
				return cur
			}
			cur = next
		case seqNode:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(cur.items) {
				return cur
			}
			cur = cur.items[i]
		default:
			return cur
		}
	}
	return cur
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// decodeFile parses f's documents with the YAML parser into f.ydocs,
// reporting invalid UTF-8 and syntax errors (the documents before a syntax
// error are kept). It runs on a worker goroutine, so it recovers its own
// panics.
func decodeFile(f *srcFile, ds *diags) {
	defer func() {
		if r := recover(); r != nil {
			f.ydocs = nil
			ds.addAt(spec.Range{File: f.name}, "", ruleInternal, "internal error: %v", r)
		}
	}()
	if !utf8.Valid(f.src) {
		off := 0
		for off < len(f.src) {
			r, size := utf8.DecodeRune(f.src[off:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			off += size
		}
		line := bytes.Count(f.src[:off], []byte{'\n'}) + 1
		col := utf8.RuneCount(f.src[f.lineStarts[line-1]:off]) + 1
		ds.addAt(spec.Range{File: f.name, Start: spec.Pos{Line: line, Column: col, Byte: off}}, "",
			ruleInvalidUTF8, "file is not valid UTF-8 (invalid byte 0x%02x)", f.src[off])
		return
	}
	dec := yaml.NewDecoder(bytes.NewReader(f.src))
	for {
		doc := new(yaml.Node)
		err := decodeSafely(dec, doc)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			(&treeBuilder{f: f, ds: ds}).syntaxError(err)
			return
		}
		f.ydocs = append(f.ydocs, doc)
	}
}

// counts are the budgeted quantities of a load so far.
type counts struct {
	nodes, aliasNodes int
}

// convFile builds the loader's tree for f's parsed documents, adding the
// nodes to c and reporting a budget or depth failure. On a failure the
// file's content is dropped: it is unusable. It returns false when a budget
// of the whole load ran out.
func convFile(f *srcFile, cfg *config, c *counts, ds *diags) bool {
	b := &treeBuilder{f: f, cfg: cfg, ds: ds, nodes: c.nodes, aliasNodes: c.aliasNodes}
	for _, y := range f.ydocs {
		n := b.conv(y, nil, "", -1, 0)
		if b.failed {
			break
		}
		if n != nil {
			f.docs = append(f.docs, n)
		}
	}
	f.ydocs = nil
	c.nodes, c.aliasNodes = b.nodes, b.aliasNodes
	if b.failed {
		f.docs = nil
	}
	return !b.overBudget
}

func decodeSafely(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return dec.Decode(n)
}

type treeBuilder struct {
	f          *srcFile
	cfg        *config
	ds         *diags
	nodes      int
	aliasNodes int        // nodes created by expanding aliases
	inAlias    int        // > 0 while expanding an alias
	aliasSite  *yaml.Node // the outermost alias being expanded
	failed     bool
	overBudget bool // failed on a budget of the whole load
}

func (b *treeBuilder) syntaxError(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		msg = strings.TrimSpace(strings.Replace(msg, m[0]+":", "", 1))
		if l, e := strconv.Atoi(m[1]); e == nil && l >= 1 {
			// yaml.v3 prints scanner errors' lines 1-based but parser
			// errors' marks 0-based; the parser's are the "did not find
			// expected <structure>" family.
			if parserProblem(msg) {
				l++
			}
			line = min(l, len(b.f.lineStarts))
		}
	}
	rule := ruleYAMLSyntax
	if strings.Contains(msg, "exceeded max depth") {
		rule = ruleTooDeep
	}
	b.ds.addAt(spec.Range{File: b.f.name, Start: b.f.pos(line, 1)}, "", rule, "YAML syntax error: %s", msg)
}

// site returns the node to blame for a budget failure at y: the outermost
// alias being expanded, if any, since y's own position is the anchor's.
func (b *treeBuilder) site(y *yaml.Node) *yaml.Node {
	if b.inAlias > 0 && b.aliasSite != nil {
		return b.aliasSite
	}
	return y
}

func (b *treeBuilder) at(y *yaml.Node) spec.Range {
	return spec.Range{File: b.f.name, Start: b.f.pos(y.Line, y.Column)}
}

func (b *treeBuilder) conv(y *yaml.Node, parent *node, seg string, idx, depth int) *node {
	if b.failed || y == nil {
		return nil
	}
	b.nodes++
	if b.inAlias > 0 {
		b.aliasNodes++
	}
	switch {
	case b.aliasNodes > b.cfg.maxAliasNodes:
		b.failed, b.overBudget = true, true
		b.ds.addAt(b.at(b.site(y)), "", ruleAliasBudget, "YAML aliases expand to more than %d nodes", b.cfg.maxAliasNodes)
		return nil
	case b.nodes > b.cfg.maxNodes:
		b.failed, b.overBudget = true, true
		b.ds.addAt(b.at(b.site(y)), "", ruleFileTooLarge,
			"the schema files hold more than %d YAML nodes, the budget for the whole load (loader.MaxNodes, or DLAYER_MAX_NODES for the dlayer command)", b.cfg.maxNodes)
		return nil
	}
	if depth > b.cfg.maxDepth {
		b.failed = true
		b.ds.addAt(b.at(b.site(y)), "", ruleTooDeep, "YAML nesting deeper than %d levels", b.cfg.maxDepth)
		return nil
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return nil
		}
		return b.conv(y.Content[0], parent, seg, idx, depth)
	case yaml.AliasNode:
		if b.inAlias == 0 {
			b.aliasSite = y
		}
		b.inAlias++
		n := b.conv(y.Alias, parent, seg, idx, depth+1)
		b.inAlias--
		if n != nil {
			n.line, n.col = y.Line, y.Column
		}
		return n
	}
	n := &node{parent: parent, seg: seg, idx: idx, line: y.Line, col: y.Column, file: b.f}
	switch y.Kind {
	case yaml.ScalarNode:
		n.kind = scalarNode
		n.tag = y.ShortTag()
		n.value = y.Value
		n.quoted = y.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
		switch n.tag {
		case "!!str", "!!int", "!!float", "!!bool", "!!null":
		default:
			n.tag = "!!str" // timestamps, binary and custom tags are read as text
		}
	case yaml.SequenceNode:
		n.kind = seqNode
		n.items = make([]*node, 0, len(y.Content))
		for i, c := range y.Content {
			it := b.conv(c, n, "", i, depth+1)
			if it == nil {
				if b.failed {
					return nil
				}
				continue
			}
			n.items = append(n.items, it)
		}
	case yaml.MappingNode:
		n.kind = mapNode
		var merges []*yaml.Node
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
				merges = append(merges, v)
				continue
			}
			if !b.addPair(n, k, v, depth, true) {
				return nil
			}
		}
		for _, m := range merges {
			if !b.merge(n, m, depth) {
				return nil
			}
		}
	default:
		return nil
	}
	return n
}

// merge applies a YAML merge key ("<<: *base"): keys not already present
// are copied from the merged map(s).
func (b *treeBuilder) merge(n *node, m *yaml.Node, depth int) bool {
	for m != nil && m.Kind == yaml.AliasNode {
		if b.inAlias == 0 {
			b.aliasSite = m
		}
		m = m.Alias
		b.inAlias++
		defer func() { b.inAlias-- }()
	}
	if m == nil {
		return true
	}
	switch m.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(m.Content); i += 2 {
			if !b.addPair(n, m.Content[i], m.Content[i+1], depth, false) {
				return false
			}
		}
	case yaml.SequenceNode:
		for _, c := range m.Content {
			b.nodes++
			if b.nodes > b.cfg.maxNodes || b.aliasNodes > b.cfg.maxAliasNodes || depth > b.cfg.maxDepth {
				return b.conv(c, nil, "", -1, depth+1) != nil // reports the budget
			}
			if !b.merge(n, c, depth+1) {
				return false
			}
		}
	default:
		b.ds.addAt(b.at(m), "", ruleWrongType, "a merge key (<<) needs a map or a list of maps")
		return true
	}
	return true
}

// addPair adds one key/value to map n. Explicit duplicates are reported;
// merged ones are silently shadowed, as YAML specifies.
func (b *treeBuilder) addPair(n *node, k, v *yaml.Node, depth int, explicit bool) bool {
	for k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		if explicit {
			b.ds.addAt(b.at(k), "", ruleWrongType, "map keys must be plain scalars")
		}
		return true
	}
	if prev := n.lookupKey(k.Value); prev != nil {
		if explicit {
			dup := &node{kind: scalarNode, tag: "!!str", value: k.Value, parent: n, seg: k.Value, idx: -1, isKey: true,
				line: k.Line, col: k.Column, file: b.f}
			b.ds.report(dup, ruleDuplicateKey, "", "duplicate key %q (first defined at line %d)", k.Value, prev.line)
		}
		return true
	}
	b.nodes++
	key := &node{kind: scalarNode, tag: "!!str", value: k.Value, parent: n, seg: k.Value, idx: -1, isKey: true,
		line: k.Line, col: k.Column, file: b.f, quoted: k.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0}
	val := b.conv(v, n, k.Value, -1, depth+1)
	if val == nil {
		return !b.failed
	}
	n.keys = append(n.keys, key)
	n.vals = append(n.vals, val)
	if n.index != nil {
		n.index[key.value] = len(n.keys) - 1
	} else if len(n.keys) > smallMap {
		n.index = make(map[string]int, 2*len(n.keys))
		for i, k := range n.keys {
			n.index[k.value] = i
		}
	}
	return true
}

// smallMap is the size above which a map node keeps a key index, so that
// lookups stay constant-time on hostile files with huge maps.
const smallMap = 16

// lookupKey returns the key node named k in map n, or nil.
func (n *node) lookupKey(k string) *node {
	if n.index != nil {
		if i, ok := n.index[k]; ok {
			return n.keys[i]
		}
		return nil
	}
	for _, key := range n.keys {
		if key.value == k {
			return key
		}
	}
	return nil
}

// pairs returns the key/value pairs of a map node in document order.
func pairs(n *node) [][2]*node {
	if n == nil || n.kind != mapNode {
		return nil
	}
	out := make([][2]*node, len(n.keys))
	for i := range n.keys {
		out[i] = [2]*node{n.keys[i], n.vals[i]}
	}
	return out
}

func parserProblem(msg string) bool {
	for _, p := range []string{"did not find expected key", "did not find expected ',' or", "did not find expected <document start>",
		"did not find expected node content", "did not find expected '-' indicator"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
