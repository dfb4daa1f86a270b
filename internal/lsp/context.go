package lsp

import (
	"strings"
)

// ctxMode says what the cursor is typing.
type ctxMode int

const (
	modeNone  ctxMode = iota
	modeKey           // a key of the map at container
	modeValue         // the value of key in the map at container
	modeItem          // an item of the list at container
)

// cursorCtx is where the cursor is in the YAML structure, worked out from
// the text alone (indentation, keys and flow brackets), so that it holds
// while the document is half typed and does not parse.
type cursorCtx struct {
	mode ctxMode
	// container is the key path from the document root to the map or list
	// the cursor is in; "[]" stands for a list item.
	container []string
	// key is the key whose value is typed (modeValue).
	key string
	// alsoKeys: a block list item ("- na") may be a scalar item or the
	// first key of a map item; both are offered.
	alsoKeys bool
	// prefix is what is typed of the current word, starting at start.
	prefix string
	start  position
	// siblings holds the other keys of the map (with their scalar values),
	// or of the nearest enclosing map for a list item.
	siblings map[string]string
}

// lineInfo is the block structure of one line.
type lineInfo struct {
	blank      bool
	indent     int   // bytes of leading blanks
	dashes     []int // byte columns of block list markers "- "
	contentCol int   // where the content after the markers starts
	key        string
	value      string // the rest after "key:", comment removed, trimmed
	hasKey     bool
}

func parseLine(s string) lineInfo {
	var li lineInfo
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	li.indent = i
	if i == len(s) || s[i] == '#' {
		li.blank = true
		return li
	}
	for i < len(s) && s[i] == '-' && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\t') {
		li.dashes = append(li.dashes, i)
		i++
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	li.contentCol = i
	rest := s[i:]
	if k, v, ok := blockKey(rest); ok {
		li.key, li.value, li.hasKey = k, v, true
	}
	return li
}

// blockKey splits "key: value" (value may be empty); it fails for text
// that is no key (a scalar, a flow collection).
func blockKey(s string) (key, value string, ok bool) {
	if s == "" || s[0] == '{' || s[0] == '[' || s[0] == '#' {
		return "", "", false
	}
	q := byte(0)
	if s[0] == '"' || s[0] == '\'' {
		q = s[0]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if q != 0 {
			if i > 0 && c == q {
				q = 0
			}
			continue
		}
		if c == ':' && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\t') {
			key = strings.Trim(strings.TrimSpace(s[:i]), `"'`)
			return key, stripComment(strings.TrimSpace(s[i+1:])), true
		}
		if c == '#' && i > 0 && s[i-1] == ' ' {
			return "", "", false
		}
	}
	return "", "", false
}

func stripComment(s string) string {
	q := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return strings.TrimSpace(s[:i])
		}
	}
	return s
}

// analyze works out the cursor context at p.
func analyze(t *text, p position) cursorCtx {
	full := t.line(p.Line)
	cb := utf16ToByte(full, p.Character)
	pre := full[:cb]
	li := parseLine(pre)
	if strings.TrimSpace(pre) != "" && li.blank {
		return cursorCtx{} // in a comment
	}
	if strings.HasPrefix(strings.TrimSpace(pre), "#") || inComment(pre[li.contentCol:]) {
		return cursorCtx{}
	}
	// The indentation of the cursor's map or list: the first list marker,
	// else the content; a blank line is as deep as the cursor.
	indent := li.contentCol
	if li.blank {
		indent = len(pre)
		li.contentCol = len(pre)
	}
	if len(li.dashes) > 0 {
		indent = li.dashes[0]
	}
	path := blockPath(t, p.Line, indent)
	for range li.dashes {
		path = append(path, "[]")
	}
	rest := pre[li.contentCol:]
	startAt := func(off int) position {
		return position{Line: p.Line, Character: byteToUTF16(pre[:off])}
	}
	ctx := cursorCtx{}
	switch {
	case strings.HasPrefix(rest, "{") || strings.HasPrefix(rest, "["):
		ctx = flowCtx(rest, li.contentCol, path, "")
		ctx.start = startAt(ctx.start.Character)
		return ctx
	}
	if k, _, ok := blockKey(rest); ok {
		colon := strings.Index(rest, ":")
		for colon >= 0 && !(colon+1 == len(rest) || rest[colon+1] == ' ' || rest[colon+1] == '\t') {
			next := strings.Index(rest[colon+1:], ":")
			if next < 0 {
				colon = -1
				break
			}
			colon += next + 1
		}
		vstart := li.contentCol + colon + 1
		v := pre[vstart:]
		trimmed := strings.TrimLeft(v, " \t")
		vstart += len(v) - len(trimmed)
		if strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[") {
			ctx = flowCtx(trimmed, vstart, path, k)
			ctx.start = startAt(ctx.start.Character)
			return ctx
		}
		ctx = cursorCtx{mode: modeValue, container: path, key: k, prefix: unquote(trimmed), start: startAt(vstart + quoteLen(trimmed))}
		ctx.siblings = blockSiblings(t, p.Line, li.contentCol)
		return ctx
	}
	word := strings.TrimSpace(rest)
	if len(li.dashes) > 0 {
		ctx = cursorCtx{mode: modeItem, container: path[:len(path)-1], alsoKeys: true, prefix: unquote(word), start: startAt(li.contentCol + quoteLen(word))}
	} else {
		ctx = cursorCtx{mode: modeKey, container: path, prefix: word, start: startAt(li.contentCol)}
	}
	ctx.siblings = blockSiblings(t, p.Line, li.contentCol)
	return ctx
}

func inComment(s string) bool {
	q := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return true
		}
	}
	return false
}

func unquote(s string) string { return strings.TrimLeft(s, `"'`) }

func quoteLen(s string) int { return len(s) - len(unquote(s)) }

// blockPath returns the keys of the block maps (and "[]" for list items)
// enclosing a line whose content is indented by indent, walking up.
func blockPath(t *text, line, indent int) []string {
	var rev []string
	for l := line - 1; l >= 0 && indent > 0; l-- {
		s := t.line(l)
		if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
			break
		}
		li := parseLine(s)
		if li.blank {
			continue
		}
		switch {
		case li.contentCol < indent:
			if li.hasKey {
				rev = append(rev, li.key)
			}
			for range li.dashes {
				rev = append(rev, "[]")
			}
			indent = li.indent
			if len(li.dashes) > 0 {
				indent = li.dashes[0]
			}
		case len(li.dashes) > 0 && li.dashes[0] < indent:
			// A sibling key of the list item this line starts.
			for _, d := range li.dashes {
				if d < indent {
					rev = append(rev, "[]")
				}
			}
			indent = li.dashes[0]
		}
	}
	out := make([]string, len(rev))
	for i, s := range rev {
		out[len(rev)-1-i] = s
	}
	return out
}

// blockSiblings returns the keys (and scalar values) of the block map
// whose keys are indented by col, around line.
func blockSiblings(t *text, line, col int) map[string]string {
	out := map[string]string{}
	scan := func(from, step int) {
		for l := from; l >= 0 && l < t.lines(); l += step {
			s := t.line(l)
			if strings.HasPrefix(s, "---") {
				return
			}
			li := parseLine(s)
			if li.blank {
				continue
			}
			if li.contentCol < col || len(li.dashes) > 0 && step > 0 && li.dashes[0] < col {
				if step < 0 && li.contentCol == col && li.hasKey {
					out[li.key] = li.value
				}
				return
			}
			if li.contentCol == col && li.hasKey {
				out[li.key] = li.value
				if step < 0 && len(li.dashes) > 0 {
					return // the first key of this list item
				}
			}
		}
	}
	scan(line-1, -1)
	scan(line+1, 1)
	return out
}

// flowFrame is an open { or [ of a flow collection.
type flowFrame struct {
	isMap      bool
	owner      string // the key whose value the collection is ("[]" in a list)
	cur        strings.Builder
	curStart   int
	curKey     string
	afterColon bool
	keys       map[string]string
}

// flowCtx works out the context inside a flow collection s (which starts
// with { or [) at byte offset base of the line; owner is the block key
// whose value it is ("" for a list item). The returned start holds a byte
// offset in the line, which analyze converts.
func flowCtx(s string, base int, path []string, owner string) cursorCtx {
	var stack []*flowFrame
	push := func(c byte, owner string) {
		stack = append(stack, &flowFrame{isMap: c == '{', owner: owner, keys: map[string]string{}})
	}
	push(s[0], owner)
	settle := func(f *flowFrame) {
		v := strings.TrimSpace(f.cur.String())
		if f.isMap {
			if f.afterColon {
				f.keys[f.curKey] = strings.Trim(v, `"'`)
			} else if v != "" {
				f.keys[strings.Trim(v, `"'`)] = ""
			}
		}
		f.cur.Reset()
		f.curKey, f.afterColon = "", false
	}
	q := byte(0)
	for i := 1; i < len(s); i++ {
		c := s[i]
		if len(stack) == 0 {
			return cursorCtx{}
		}
		top := stack[len(stack)-1]
		if q != 0 {
			top.cur.WriteByte(c)
			if c == q {
				q = 0
			}
			continue
		}
		switch {
		case c == '"' || c == '\'':
			q = c
			if strings.TrimSpace(top.cur.String()) == "" {
				top.cur.Reset()
				top.curStart = i
			}
			top.cur.WriteByte(c)
		case c == '{' || c == '[':
			o := "[]"
			if top.isMap {
				o = top.curKey
				if !top.afterColon {
					o = ""
				}
			}
			push(c, o)
		case c == '}' || c == ']':
			settle(top)
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.cur.Reset()
				p.cur.WriteString("\x00") // a collection: not a scalar being typed
			}
		case c == ',':
			settle(top)
		case c == ':' && top.isMap && !top.afterColon && (i+1 == len(s) || strings.IndexByte(" \t,}", s[i+1]) >= 0):
			top.curKey = strings.Trim(strings.TrimSpace(top.cur.String()), `"'`)
			top.afterColon = true
			top.cur.Reset()
		default:
			if (c == ' ' || c == '\t') && strings.TrimSpace(top.cur.String()) == "" {
				top.cur.Reset()
				continue
			}
			if top.cur.Len() == 0 {
				top.curStart = i
			}
			top.cur.WriteByte(c)
		}
	}
	if len(stack) == 0 {
		return cursorCtx{}
	}
	top := stack[len(stack)-1]
	word := top.cur.String()
	if strings.Contains(word, "\x00") {
		return cursorCtx{}
	}
	start := base + top.curStart
	if word == "" {
		start = base + len(s)
	}
	word = strings.TrimSpace(word)
	container := append([]string(nil), path...)
	if owner != "" {
		container = append(container, owner)
	}
	for _, f := range stack[1:] {
		container = append(container, f.owner)
	}
	ctx := cursorCtx{prefix: unquote(word), start: position{Character: start + quoteLen(word)}}
	switch {
	case top.isMap && top.afterColon:
		ctx.mode, ctx.container, ctx.key, ctx.siblings = modeValue, container, top.curKey, top.keys
	case top.isMap:
		ctx.mode, ctx.container, ctx.siblings = modeKey, container, top.keys
	default:
		ctx.mode, ctx.container = modeItem, container
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].isMap {
				ctx.siblings = stack[i].keys
				break
			}
		}
	}
	return ctx
}
