package lint

import (
	"fmt"
	"strings"
)

type kind int

const (
	word    kind = iota // keyword or bare identifier
	ident               // quoted identifier: "x", `x`
	str                 // string literal: 'x', E'x', $tag$x$tag$
	number              // numeric literal
	punct               // one punctuation character
	comment             // -- or /* */ comment
)

// token is one lexical token of a migration file, located by 1-based line
// and column (in bytes).
type token struct {
	kind      kind
	text      string
	line, col int
}

// up reports whether t is the keyword w (case-insensitive).
func (t token) is(w string) bool { return t.kind == word && strings.EqualFold(t.text, w) }

// name returns the identifier t names: a bare word lower-cased (as the
// databases fold it), a quoted one unquoted.
func (t token) name() string {
	switch t.kind {
	case ident:
		q := t.text[:1]
		s := t.text[1 : len(t.text)-1]
		return strings.ReplaceAll(s, q+q, q)
	case word:
		return strings.ToLower(t.text)
	}
	return t.text
}

// tokenize splits src into tokens. backslash says whether a backslash
// escapes the next character in '…' strings (MySQL, MariaDB).
func tokenize(src string, backslash bool) ([]token, error) {
	var out []token
	line, col := 1, 1
	i := 0
	advance := func(n int) {
		for _, c := range src[i : i+n] {
			if c == '\n' {
				line++
				col = 1
			} else {
				col++
			}
		}
		i += n
	}
	emit := func(k kind, n int) {
		out = append(out, token{kind: k, text: src[i : i+n], line: line, col: col})
		advance(n)
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			advance(1)
		case c == '-' && strings.HasPrefix(src[i:], "--"), c == '#' && backslash:
			n := strings.IndexByte(src[i:], '\n')
			if n < 0 {
				n = len(src) - i
			}
			emit(comment, n)
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			n := strings.Index(src[i+2:], "*/")
			if n < 0 {
				return nil, fmt.Errorf("%d:%d: unterminated /* comment", line, col)
			}
			emit(comment, n+4)
		case c == '\'' || (c == 'E' || c == 'e') && i+1 < len(src) && src[i+1] == '\'':
			start := i
			if c != '\'' {
				start++
			}
			esc := backslash || start != i
			j := start + 1
			for ; j < len(src); j++ {
				if esc && src[j] == '\\' {
					j++
					continue
				}
				if src[j] == '\'' {
					if j+1 < len(src) && src[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			if j >= len(src) {
				return nil, fmt.Errorf("%d:%d: unterminated string", line, col)
			}
			emit(str, j+1-i)
		case c == '"' || c == '`':
			j := i + 1
			for ; j < len(src); j++ {
				if src[j] == c {
					if j+1 < len(src) && src[j+1] == c {
						j++
						continue
					}
					break
				}
			}
			if j >= len(src) {
				return nil, fmt.Errorf("%d:%d: unterminated %c quote", line, col, c)
			}
			emit(ident, j+1-i)
		case c == '$':
			j := i + 1
			for j < len(src) && isWord(src[j]) {
				j++
			}
			if j < len(src) && src[j] == '$' && (j == i+1 || !isDigit(src[i+1])) {
				tag := src[i : j+1]
				k := strings.Index(src[j+1:], tag)
				if k < 0 {
					return nil, fmt.Errorf("%d:%d: unterminated %s quote", line, col, tag)
				}
				emit(str, j+1+k+len(tag)-i)
				continue
			}
			emit(punct, 1)
		case isDigit(c):
			j := i
			for j < len(src) && (isDigit(src[j]) || src[j] == '.') {
				j++
			}
			emit(number, j-i)
		case isWord(c):
			j := i
			for j < len(src) && (isWord(src[j]) || src[j] == '$') {
				j++
			}
			emit(word, j-i)
		default:
			emit(punct, 1)
		}
	}
	return out, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWord(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c >= 0x80
}
