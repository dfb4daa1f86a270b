package spec

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Pos is a position in a source file. Line and Column are 1-based; Column
// counts Unicode code points. Byte is the 0-based byte offset.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// Range is a span of a source file: Start is inclusive, End exclusive.
// The zero Range means "no known location".
type Range struct {
	File  string `json:"file"`
	Start Pos    `json:"start"`
	End   Pos    `json:"end"`
}

// IsZero reports whether r carries no location.
func (r Range) IsZero() bool { return r.File == "" && r.Start.Line == 0 }

// String formats r as file:line:col, the form editors and CI annotations read.
func (r Range) String() string {
	switch {
	case r.File == "" && r.Start.Line == 0:
		return "<unknown>"
	case r.Start.Line == 0:
		return r.File
	}
	return fmt.Sprintf("%s:%d:%d", r.File, r.Start.Line, r.Start.Column)
}

// Severity says how serious a diagnostic is.
type Severity int

const (
	// SeverityError makes a schema unusable.
	SeverityError Severity = iota + 1
	// SeverityWarning is reported but does not fail validation unless strict.
	SeverityWarning
)

func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	}
	return "unknown"
}

// MarshalText encodes the severity as its name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Diagnostic is one located problem in a schema.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	// Rule is a stable code such as "unknown-type"; tests and suppressions key on it.
	Rule string `json:"rule"`
	// Summary is a one-line message.
	Summary string `json:"message"`
	// Detail adds explanation or a suggestion ("did you mean …").
	Detail string `json:"detail,omitempty"`
	// Path is the JSON pointer of the offending node within its file.
	Path string `json:"path"`
	// Subject is the exact node the problem is about.
	Subject Range `json:"range"`
	// Context is a wider range (the enclosing model, say); may be zero.
	Context Range `json:"-"`
}

// Error formats the diagnostic as "file:line:col: severity: message [rule]".
func (d Diagnostic) Error() string {
	var b strings.Builder
	b.WriteString(d.Subject.String())
	b.WriteString(": ")
	b.WriteString(d.Severity.String())
	b.WriteString(": ")
	b.WriteString(d.Summary)
	if d.Rule != "" {
		b.WriteString(" [")
		b.WriteString(d.Rule)
		b.WriteString("]")
	}
	if d.Detail != "" {
		b.WriteString(" (")
		b.WriteString(d.Detail)
		b.WriteString(")")
	}
	return b.String()
}

// Diagnostics is a list of diagnostics. A non-empty list that holds an error
// is itself an error.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Errors returns only the error-severity diagnostics.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == SeverityError {
			out = append(out, d)
		}
	}
	return out
}

// Error joins all diagnostics, one per line.
func (ds Diagnostics) Error() string {
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	return b.String()
}

// Err returns ds as an error if it holds at least one error, else nil.
func (ds Diagnostics) Err() error {
	if ds.HasErrors() {
		return ds
	}
	return nil
}

// Sort orders diagnostics by file, position, rule and message, and removes
// exact duplicates, so output is deterministic.
func (ds Diagnostics) Sort() Diagnostics {
	out := slices.Clone(ds)
	slices.SortStableFunc(out, compareDiag)
	return slices.CompactFunc(out, func(a, b Diagnostic) bool { return compareDiag(a, b) == 0 })
}

func compareDiag(a, b Diagnostic) int {
	return cmp.Or(
		cmp.Compare(a.Subject.File, b.Subject.File),
		cmp.Compare(a.Subject.Start.Line, b.Subject.Start.Line),
		cmp.Compare(a.Subject.Start.Column, b.Subject.Start.Column),
		cmp.Compare(a.Severity, b.Severity),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Summary, b.Summary),
		cmp.Compare(a.Detail, b.Detail),
		cmp.Compare(a.Path, b.Path),
	)
}
