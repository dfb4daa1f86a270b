package loader

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dlayer/dlayer/spec"
)

// FormatText writes diagnostics for people: one "file:line:col: severity:
// message [rule]" line each, then, when sources holds the file, the source
// line with a caret under the node, then the detail.
func FormatText(w io.Writer, ds spec.Diagnostics, sources Sources) error {
	if w == nil {
		return errNilWriter
	}
	bw := bufio.NewWriter(w)
	files := map[string]*srcFile{}
	// The runes of the last line shown: hostile files put thousands of
	// problems on one long line.
	var lastFile string
	var lastLine int
	var lastRunes []rune
	var lastOK bool
	for _, d := range ds {
		fmt.Fprintf(bw, "%s: %s: %s [%s]\n", d.Subject, d.Severity, d.Summary, d.Rule)
		if src, ok := sources[d.Subject.File]; ok && d.Subject.Start.Line > 0 {
			f := files[d.Subject.File]
			if f == nil {
				f = newSrcFile(d.Subject.File, src)
				files[d.Subject.File] = f
			}
			if lastFile != d.Subject.File || lastLine != d.Subject.Start.Line {
				line, ok := f.line(d.Subject.Start.Line)
				lastFile, lastLine, lastRunes, lastOK = d.Subject.File, d.Subject.Start.Line, []rune(line), ok
			}
			if lastOK {
				writeSnippet(bw, lastRunes, d.Subject)
			}
		}
		if d.Detail != "" {
			fmt.Fprintf(bw, "      = %s\n", d.Detail)
		}
	}
	return bw.Flush()
}

var errNilWriter = errors.New("loader: nil io.Writer")

func writeSnippet(w io.Writer, runes []rune, r spec.Range) {
	const maxShown = 200
	start := r.Start.Column - 1
	if start < 0 || start > len(runes) {
		start = 0
	}
	width := 1
	if r.End.Line == r.Start.Line && r.End.Column > r.Start.Column {
		width = r.End.Column - r.Start.Column
	}
	width = min(width, max(1, len(runes)-start))
	if len(runes) > maxShown {
		// Show a window around the caret on very long lines.
		from := max(0, start-maxShown/2)
		to := min(len(runes), from+maxShown)
		runes = runes[from:to]
		start -= from
		width = min(width, max(1, len(runes)-start))
	}
	num := fmt.Sprint(r.Start.Line)
	pad := strings.Repeat(" ", len(num))
	var caret strings.Builder
	for i := 0; i < start && i < len(runes); i++ {
		if runes[i] == '\t' {
			caret.WriteByte('\t')
		} else {
			caret.WriteByte(' ')
		}
	}
	fmt.Fprintf(w, " %s | %s\n %s | %s%s\n", num, sanitize(string(runes)), pad, caret.String(), strings.Repeat("^", width))
}

// sanitize replaces control characters (other than tab) so a hostile file
// cannot drive the terminal.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r >= 0x20 && r != 0x7f && !(r >= 0x80 && r < 0xa0) {
			return r
		}
		return '\uFFFD'
	}, s)
}

// jsonDiag is the JSON form of a diagnostic.
type jsonDiag struct {
	Severity  string `json:"severity"`
	Rule      string `json:"rule"`
	Message   string `json:"message"`
	Detail    string `json:"detail,omitempty"`
	File      string `json:"file,omitempty"`
	Line      int    `json:"line,omitempty"`
	Column    int    `json:"column,omitempty"`
	EndLine   int    `json:"end_line,omitempty"`
	EndColumn int    `json:"end_column,omitempty"`
	Path      string `json:"path,omitempty"`
}

// FormatJSON writes diagnostics as one JSON object:
// {"diagnostics": [...], "errors": n, "warnings": n}. Each diagnostic has
// severity, rule, message, detail, file, line, column, end_line,
// end_column and path (a JSON pointer).
func FormatJSON(w io.Writer, ds spec.Diagnostics) error {
	if w == nil {
		return errNilWriter
	}
	out := struct {
		Diagnostics []jsonDiag `json:"diagnostics"`
		Errors      int        `json:"errors"`
		Warnings    int        `json:"warnings"`
	}{Diagnostics: []jsonDiag{}}
	for _, d := range ds {
		out.Diagnostics = append(out.Diagnostics, jsonDiag{
			Severity: d.Severity.String(), Rule: d.Rule, Message: d.Summary, Detail: d.Detail,
			File: d.Subject.File, Line: d.Subject.Start.Line, Column: d.Subject.Start.Column,
			EndLine: d.Subject.End.Line, EndColumn: d.Subject.End.Column, Path: d.Path,
		})
		if d.Severity == spec.SeverityError {
			out.Errors++
		} else {
			out.Warnings++
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// FormatGitHub writes diagnostics as GitHub Actions workflow commands
// ("::error file=…,line=…,col=…,title=rule::message"), which the runner
// turns into annotations on the pull request.
func FormatGitHub(w io.Writer, ds spec.Diagnostics) error {
	if w == nil {
		return errNilWriter
	}
	bw := bufio.NewWriter(w)
	for _, d := range ds {
		cmd := "error"
		if d.Severity == spec.SeverityWarning {
			cmd = "warning"
		}
		var props []string
		if d.Subject.File != "" {
			props = append(props, "file="+ghProp(d.Subject.File))
		}
		if l := d.Subject.Start.Line; l > 0 {
			props = append(props, fmt.Sprintf("line=%d", l), fmt.Sprintf("col=%d", d.Subject.Start.Column))
			if d.Subject.End.Line == l && d.Subject.End.Column > d.Subject.Start.Column {
				props = append(props, fmt.Sprintf("endColumn=%d", d.Subject.End.Column))
			}
		}
		props = append(props, "title="+ghProp(d.Rule))
		msg := d.Summary
		if d.Detail != "" {
			msg += " (" + d.Detail + ")"
		}
		fmt.Fprintf(bw, "::%s %s::%s\n", cmd, strings.Join(props, ","), ghData(msg))
	}
	return bw.Flush()
}

func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
