package loader

// estimateNodes estimates, from the text alone, how many YAML nodes the
// parser will build for src (aliases counted once, not expanded). It reads
// the text as a YAML scanner would, well enough to skip comments, quoted
// scalars and block scalars, and counts one node per scalar, alias and flow
// collection, plus one for each place where YAML implies a node without
// text: an empty value ("key:" at the end of a line, "{a, b}"), a block
// collection opened on the next lines, an implicit pair in a flow
// sequence. It is close to the real count on dense input (within a few per
// cent) and on ordinary schema files (see TestEstimateNodes).
//
// It stops as soon as the estimate exceeds limit and returns the byte offset
// where it did; otherwise it returns the estimate and -1. It allocates
// nothing, so the loader can refuse a hostile file before the YAML parser
// (which costs a few hundred bytes per node) ever sees it.
func estimateNodes(src []byte, limit int) (n, overAt int) {
	var (
		flow      int    // depth of [ ] and { }
		inMap     uint64 // bit d set: flow level d+1 is a { } map
		lineStart = 0    // offset of the current line
		indent    = 0    // indentation of the current line
		atIndent  = true // only spaces so far on this line
		lastCol   = -1   // column of the last node start on this line
		entry     bool   // the last token on this line was a block entry ("- ", "? ")
	)
	isSpace := func(i int) bool {
		return i >= len(src) || src[i] == ' ' || src[i] == '\t' || src[i] == '\r' || src[i] == '\n'
	}
	isFlowInd := func(i int) bool {
		return i < len(src) && (src[i] == ',' || src[i] == '[' || src[i] == ']' || src[i] == '{' || src[i] == '}')
	}
	// restEmpty reports whether only spaces or a comment follow offset i
	// on its line.
	restEmpty := func(i int) bool {
		for ; i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\r'); i++ {
		}
		return i >= len(src) || src[i] == '\n' || src[i] == '#'
	}
	flowMap := func() bool { return flow > 0 && (flow > 64 || inMap&(1<<(flow-1)) != 0) }
	toEOL := func(i int) int {
		for i < len(src) && src[i] != '\n' {
			i++
		}
		return i
	}
	i := 0
	for i < len(src) {
		if n > limit {
			return n, min(i, len(src))
		}
		c := src[i]
		if c == '\n' {
			i++
			lineStart, indent, atIndent, lastCol, entry = i, 0, true, -1, false
			continue
		}
		if c == ' ' || c == '\t' || c == '\r' {
			if atIndent && c == ' ' {
				indent++
			}
			i++
			continue
		}
		col := i - lineStart
		wasAtIndent := atIndent
		atIndent = false
		wasEntry := entry
		entry = false
		switch {
		case c == '#':
			i = toEOL(i)
		case wasAtIndent && col == 0 && (c == '%'):
			i = toEOL(i)
		case wasAtIndent && col == 0 && i+2 < len(src) && (string(src[i:i+3]) == "---" || string(src[i:i+3]) == "...") && isSpace(i+3):
			n += 2 // the document and its root collection
			i += 3
		case c == '\'':
			n++
			lastCol = col
			for i++; i < len(src); i++ {
				if src[i] == '\'' {
					if i+1 < len(src) && src[i+1] == '\'' {
						i++
						continue
					}
					i++
					break
				}
			}
		case c == '"':
			n++
			lastCol = col
			for i++; i < len(src); i++ {
				if src[i] == '\\' {
					i++
					continue
				}
				if src[i] == '"' {
					i++
					break
				}
			}
		case c == '[' || c == '{':
			n++
			flow++
			if flow <= 64 {
				inMap &^= 1 << (flow - 1)
				if c == '{' {
					inMap |= 1 << (flow - 1)
					n++ // the implied empty value of a last key without one
				}
			}
			i++
		case c == ']' || c == '}':
			flow = max(flow-1, 0)
			i++
		case c == ',':
			if flowMap() {
				n++ // the implied empty value of a key without one
			}
			i++
		case c == '*':
			n++
			for i++; i < len(src) && !isSpace(i) && !isFlowInd(i); i++ {
			}
		case c == '&' || c == '!':
			for i++; i < len(src) && !isSpace(i) && !isFlowInd(i); i++ {
			}
		case (c == '-' || c == '?' || c == ':') && (isSpace(i+1) || flow > 0 && isFlowInd(i+1)):
			switch {
			case flow > 0 && c == ':' && !flowMap():
				n += 2 // an implicit single-pair map in a sequence, and maybe an empty value
			case flow > 0:
			case restEmpty(i + 1):
				n++ // an empty value, or a block collection on the next lines
			case wasEntry:
				n++ // a block collection opened inside an entry: "- - x", "- a: b"
			}
			entry = flow == 0 && c != ':'
			if c != ':' {
				lastCol = col
			}
			i++
			continue
		case (c == '|' || c == '>') && flow == 0:
			// A block scalar: its content is every following line that is
			// blank or indented deeper than the node that owns it.
			n++
			owner := lastCol
			if owner < 0 {
				owner = indent - 1
			}
			i = toEOL(i)
			for i < len(src) {
				j, sp := i+1, 0
				for j < len(src) && src[j] == ' ' {
					j++
					sp++
				}
				if j < len(src) && src[j] != '\n' && src[j] != '\r' && sp <= owner {
					break
				}
				i = toEOL(j)
			}
		default:
			// A plain scalar: up to ": ", " #", the line's end or, in flow
			// context, a flow indicator.
			n++
			lastCol = col
			for i++; i < len(src) && src[i] != '\n'; i++ {
				if src[i] == ':' && (isSpace(i+1) || flow > 0 && isFlowInd(i+1)) {
					break
				}
				if src[i] == '#' && (src[i-1] == ' ' || src[i-1] == '\t') {
					break
				}
				if flow > 0 && isFlowInd(i) {
					break
				}
			}
		}
	}
	if n > limit {
		return n, len(src)
	}
	return n, -1
}
