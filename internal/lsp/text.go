package lsp

import (
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/dlayer/dlayer/spec"
)

// text is a document's content with its line starts, to convert between
// byte offsets, the loader's (line, code point) positions and the
// protocol's (line, UTF-16 unit) positions.
type text struct {
	src    string
	starts []int // byte offset of each line
}

func newText(src string) *text {
	t := &text{src: src, starts: []int{0}}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			t.starts = append(t.starts, i+1)
		}
	}
	return t
}

// line returns line i (0-based) without its line break.
func (t *text) line(i int) string {
	if i < 0 || i >= len(t.starts) {
		return ""
	}
	end := len(t.src)
	if i+1 < len(t.starts) {
		end = t.starts[i+1] - 1
	}
	return strings.TrimSuffix(t.src[t.starts[i]:end], "\r")
}

func (t *text) lines() int { return len(t.starts) }

// offset returns the byte offset of p, clamped to the document.
func (t *text) offset(p position) int {
	if p.Line < 0 {
		return 0
	}
	if p.Line >= len(t.starts) {
		return len(t.src)
	}
	return t.starts[p.Line] + utf16ToByte(t.line(p.Line), p.Character)
}

// pos returns the position of byte offset off.
func (t *text) pos(off int) position {
	off = min(max(off, 0), len(t.src))
	i := sort.Search(len(t.starts), func(i int) bool { return t.starts[i] > off }) - 1
	return position{Line: i, Character: byteToUTF16(t.src[t.starts[i]:off])}
}

// specPos converts a loader position (1-based line, 1-based column in code
// points) to a protocol position.
func (t *text) specPos(p spec.Pos) position {
	if p.Line <= 0 {
		return position{}
	}
	line := t.line(p.Line - 1)
	n := 0
	for i := range line {
		if n == p.Column-1 {
			return position{Line: p.Line - 1, Character: byteToUTF16(line[:i])}
		}
		n++
	}
	return position{Line: p.Line - 1, Character: byteToUTF16(line) + max(p.Column-1-n, 0)}
}

// specRange converts a loader range; an empty range covers one character
// so that editors show it.
func (t *text) specRange(r spec.Range) lspRange {
	out := lspRange{Start: t.specPos(r.Start), End: t.specPos(r.End)}
	if r.End.Line == 0 || before(out.End, out.Start) {
		out.End = out.Start
	}
	return out
}

// runeColRange is the range of n code points starting at the 1-based line
// and code-point column of the YAML parser.
func (t *text) runeColRange(line, col, n int) lspRange {
	s := t.specPos(spec.Pos{Line: line, Column: col})
	e := t.specPos(spec.Pos{Line: line, Column: col + n})
	return lspRange{Start: s, End: e}
}

func byteToUTF16(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func utf16ToByte(line string, units int) int {
	n := 0
	for i, r := range line {
		if n >= units {
			return i
		}
		n += utf16.RuneLen(r)
	}
	return len(line)
}

// uriToPath returns the file system path of a file URI.
func uriToPath(uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", fmt.Errorf("bad document URI %q: %v", uri, err)
	}
	if u.Scheme != "file" {
		return "", fmt.Errorf("document URI %q: only file: URIs are served", uri)
	}
	p := u.Path
	if p == "" {
		p = u.Opaque
	}
	return filepath.Clean(filepath.FromSlash(p)), nil
}

// pathToURI returns the file URI of an absolute path.
func pathToURI(p string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
}
