package stmt

import (
	"slices"

	"github.com/dlayer/dlayer/spec"
)

// NamedValue is one value of a Text statement's :name parameter.
type NamedValue struct {
	Name  string
	Value any
}

// TextParts are the parts of a raw-text statement, for compilers.
type TextParts struct {
	// SQL is the text as written, with :name parameters.
	SQL string
	// Values are bound with Bind, later ones winning.
	Values []NamedValue
	// Map holds values given with Params (consulted after Values).
	Map map[string]any
}

// Lookup returns the value of parameter name.
func (p TextParts) Lookup(name string) (any, bool) {
	for i := len(p.Values) - 1; i >= 0; i-- {
		if p.Values[i].Name == name {
			return p.Values[i].Value, true
		}
	}
	v, ok := p.Map[name]
	return v, ok
}

// TextStmt is raw SQL text, the one entry point for SQL written by hand.
// Parameters are written :name (letters, digits, underscore); each becomes a
// bound parameter in the dialect's form. "::" (a PostgreSQL cast), text in
// quotes, quoted identifiers, comments and dollar-quoted strings are left
// alone, and "\:" writes a literal colon. A parameter without a value is an
// error at compile time. A value has no column type, so it is bound as its
// Go type suggests; bind a *Value with a Type (Typed) to have it bound as a
// column of that type would be (on SQLite a date is then "2006-01-02", the
// form a date column stores).
type TextStmt struct{ p TextParts }

func (*TextStmt) statement() {}

// Text makes a raw SQL statement.
func Text(sql string) *TextStmt { return &TextStmt{p: TextParts{SQL: sql}} }

// Parts returns the statement's parts.
func (s *TextStmt) Parts() TextParts { return s.p }

// Bind returns s with parameter name set to v.
func (s *TextStmt) Bind(name string, v any) *TextStmt {
	c := *s
	c.p.Values = append(slices.Clip(c.p.Values), NamedValue{Name: name, Value: v})
	return &c
}

// Params returns s taking parameter values from m (after any set with
// Bind). The map is kept, not copied: do not modify it afterwards.
func (s *TextStmt) Params(m map[string]any) *TextStmt {
	c := *s
	c.p.Map = m
	return &c
}

// Typed makes v a bound value of type t, for a Text parameter that must be
// bound as a column of that type would be.
func Typed(v any, t *spec.Type) *Value { return &Value{V: v, Type: t} }
