package engine

import (
	"regexp"
	"time"

	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// A raw-text parameter compared with a column: "day = :d", ":d <= day",
// "day BETWEEN :a AND :b" (the column possibly qualified or quoted).
var (
	colThenParam = regexp.MustCompile("([A-Za-z_][A-Za-z0-9_]*|\"[^\"]+\"|`[^`]+`)\\s*(?:=|==|<>|!=|<=|>=|<|>)\\s*:([A-Za-z_][A-Za-z0-9_]*)")
	paramThenCol = regexp.MustCompile(":([A-Za-z_][A-Za-z0-9_]*)\\s*(?:=|==|<>|!=|<=|>=|<|>)\\s*(?:[A-Za-z_][A-Za-z0-9_]*\\.)?([A-Za-z_][A-Za-z0-9_]*|\"[^\"]+\"|`[^`]+`)")
	colBetween   = regexp.MustCompile("(?i)([A-Za-z_][A-Za-z0-9_]*|\"[^\"]+\"|`[^`]+`)\\s+(?:NOT\\s+)?BETWEEN\\s+:([A-Za-z_][A-Za-z0-9_]*)\\s+AND\\s+:([A-Za-z_][A-Za-z0-9_]*)")
)

// typeTextDates binds a raw-text time parameter that stands for a date as a
// date. A Go time.Time has no date-only form, so "WHERE day = :d" with a
// midnight time would compare a date with a time stamp: PostgreSQL and
// MySQL convert, SQLite compares the stored text "2024-02-29" with a time
// stamp's text and matches nothing. When a parameter holding a time at
// midnight (no clock part) is compared in the text with a column name that,
// in every table of the schema having a column of that name, is a date
// column, it is bound as a date (stmt.Typed), which every database compares
// as the date it is. Anything else is left as written.
func typeTextDates(t *stmt.TextStmt, s *spec.Schema) *stmt.TextStmt {
	if s == nil || len(s.Tables) == 0 {
		return t
	}
	p := t.Parts()
	if !hasMidnight(p) {
		return t
	}
	var dated map[string]bool
	mark := func(col, param string) {
		if isDateColumn(s, unquoteIdent(col)) {
			if dated == nil {
				dated = map[string]bool{}
			}
			dated[param] = true
		}
	}
	for _, m := range colThenParam.FindAllStringSubmatch(p.SQL, -1) {
		mark(m[1], m[2])
	}
	for _, m := range paramThenCol.FindAllStringSubmatch(p.SQL, -1) {
		mark(m[2], m[1])
	}
	for _, m := range colBetween.FindAllStringSubmatch(p.SQL, -1) {
		mark(m[1], m[2])
		mark(m[1], m[3])
	}
	out := t
	dateType := &spec.Type{Kind: spec.TypeDate}
	for name := range dated {
		v, ok := p.Lookup(name)
		if !ok {
			continue
		}
		if tm, ok := midnight(v); ok {
			out = out.Bind(name, stmt.Typed(tm, dateType))
		}
	}
	return out
}

// midnight returns v as a time when it is a time.Time (or a non-nil
// *time.Time) with no clock part.
func midnight(v any) (time.Time, bool) {
	var tm time.Time
	switch x := v.(type) {
	case time.Time:
		tm = x
	case *time.Time:
		if x == nil {
			return tm, false
		}
		tm = *x
	default:
		return tm, false
	}
	h, m, sec := tm.Clock()
	return tm, h == 0 && m == 0 && sec == 0 && tm.Nanosecond() == 0
}

// hasMidnight reports whether any parameter value of p is a midnight time,
// so statements without one skip the look at their text.
func hasMidnight(p stmt.TextParts) bool {
	for _, nv := range p.Values {
		if _, ok := midnight(nv.Value); ok {
			return true
		}
	}
	for _, v := range p.Map {
		if _, ok := midnight(v); ok {
			return true
		}
	}
	return false
}

func unquoteIdent(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '`') {
		return s[1 : len(s)-1]
	}
	return s
}

// isDateColumn reports whether name is a column of at least one table of s
// and a date column in every table that has it.
func isDateColumn(s *spec.Schema, name string) bool {
	found := false
	for _, t := range s.Tables {
		c := t.Column(name)
		if c == nil {
			continue
		}
		if c.Type.Kind != spec.TypeDate {
			return false
		}
		found = true
	}
	return found
}
