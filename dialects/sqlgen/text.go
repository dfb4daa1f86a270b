package sqlgen

import (
	"fmt"
	"strings"

	"github.com/dlayer/dlayer/stmt"
)

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// startsComment reports whether a comment starts at src[i], as text reads
// them.
func startsComment(src string, i int, hash bool) bool {
	switch {
	case src[i] == '-' && i+1 < len(src) && src[i+1] == '-':
		return !hash || i+2 >= len(src) || src[i+2] <= ' '
	case src[i] == '#':
		return hash
	case src[i] == '/' && i+1 < len(src) && src[i+1] == '*':
		return true
	}
	return false
}

// text compiles raw SQL: :name becomes a placeholder bound to the named
// value; quoted strings, quoted identifiers, comments and (PostgreSQL)
// dollar-quoted strings are copied untouched; "::" is copied; "\:" writes ":".
func (st *state) text(p stmt.TextParts) error {
	src := p.SQL
	cfg := &st.g.cfg
	if cap(st.buf) < len(src)+16 {
		st.buf = make([]byte, 0, len(src)+16)
	}
	start := 0 // start of the span not yet copied
	flush := func(end int) { st.buf = append(st.buf, src[start:end]...) }
	i := 0
	// ended: a top-level ";" was seen; anything but space and comments
	// after it is a second statement.
	ended := false
	for i < len(src) {
		c := src[i]
		if ended && !st.multi && !isSpace(c) && c != ';' && !startsComment(src, i, cfg.HashComments) {
			st.multi = true
		}
		switch {
		case c == ';':
			ended = true
			i++
		case c == '\'' || c == '"' || c == '`':
			esc := cfg.BackslashEscapes && c != '`'
			if c == '\'' && cfg.DollarQuotes && i > 0 && (src[i-1] == 'E' || src[i-1] == 'e') && (i < 2 || !isIdentChar(src[i-2])) {
				esc = true // PostgreSQL E'…' escape string
			}
			i = skipQuoted(src, i, c, esc)
		case c == '-' && i+1 < len(src) && src[i+1] == '-' &&
			(!cfg.HashComments || i+2 >= len(src) || src[i+2] <= ' '):
			i = skipLine(src, i)
		case c == '#' && cfg.HashComments:
			i = skipLine(src, i)
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			i = skipBlock(src, i, cfg.DollarQuotes)
		case c == '$' && cfg.DollarQuotes:
			i = skipDollar(src, i)
		case c == '\\' && i+1 < len(src) && src[i+1] == ':':
			flush(i)
			start = i + 1 // drop the backslash, keep the colon
			i += 2
		case c == ':':
			if i+1 < len(src) && src[i+1] == ':' {
				i += 2
				for i < len(src) && src[i] == ':' {
					i++
				}
				continue
			}
			if i+1 >= len(src) || !isIdentStart(src[i+1]) {
				i++
				continue
			}
			j := i + 1
			for j < len(src) && isIdentChar(src[j]) {
				j++
			}
			name := src[i+1 : j]
			v, ok := p.Lookup(name)
			if !ok {
				return fmt.Errorf("text: no value for parameter :%s", name)
			}
			flush(i)
			if tv, ok := v.(*stmt.Value); ok && tv != nil {
				// A typed value: bound as a column of that type would be.
				st.addArg(tv.V, tv.Type, "", 0)
			} else {
				st.addArg(v, nil, "", 0)
			}
			start, i = j, j
		default:
			i++
		}
	}
	flush(len(src))
	return nil
}

// skipQuoted returns the index after the quoted run starting at i (quote q,
// doubled to escape; with esc, a backslash escapes the next byte too). An
// unterminated run extends to the end.
func skipQuoted(s string, i int, q byte, esc bool) int {
	i++
	for i < len(s) {
		switch s[i] {
		case '\\':
			if esc {
				i += 2
				continue
			}
		case q:
			if i+1 < len(s) && s[i+1] == q {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return len(s)
}

func skipLine(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(s)
}

func skipBlock(s string, i int, nested bool) int {
	depth := 0
	for i < len(s) {
		switch {
		case s[i] == '/' && i+1 < len(s) && s[i+1] == '*':
			if depth == 0 || nested {
				depth++
			}
			i += 2
		case s[i] == '*' && i+1 < len(s) && s[i+1] == '/':
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return len(s)
}

// skipDollar skips a PostgreSQL dollar-quoted string $tag$…$tag$ starting at
// i, or just the $ when it does not start one ($1 and the like).
func skipDollar(s string, i int) int {
	j := i + 1
	if j < len(s) && isIdentStart(s[j]) {
		for j < len(s) && isIdentChar(s[j]) {
			j++
		}
	}
	if j >= len(s) || s[j] != '$' {
		return i + 1
	}
	if i > 0 && isIdentChar(s[i-1]) {
		return i + 1 // part of an identifier such as a$b
	}
	tag := s[i : j+1]
	if k := strings.Index(s[j+1:], tag); k >= 0 {
		return j + 1 + k + len(tag)
	}
	return len(s)
}
