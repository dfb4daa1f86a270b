// Package rowutil holds the small helpers the dialects' introspection code
// shares: running a catalogue query row by row into untyped values, and
// reading those values as strings, integers and booleans whatever type the
// driver returned them in.
package rowutil

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// Each runs query on q and calls fn with each row's n values (reused
// between rows: copy what must outlive the call).
func Each(ctx context.Context, q dialects.Queryer, query string, n int, fn func(v []any) error, args ...any) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	v := make([]any, n)
	p := make([]any, n)
	for i := range v {
		p[i] = &v[i]
	}
	for rows.Next() {
		if err := rows.Scan(p...); err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Str reads v as text ("" for NULL).
func Str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// Int reads v as an integer (0 for NULL or non-numbers).
func Int(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case uint64:
		return int64(x)
	case int32:
		return int64(x)
	case bool:
		if x {
			return 1
		}
		return 0
	}
	n, _ := strconv.ParseInt(Str(v), 10, 64)
	return n
}

// Bool reads v as a boolean: true, a non-zero integer, or "t", "true", "1".
func Bool(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	}
	s := Str(v)
	return s == "t" || s == "true" || s == "1"
}

// ColumnNames returns the names of cs, in order.
func ColumnNames(cs []*spec.Column) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

// Action reads a referential action as catalogues spell it ("CASCADE",
// "SET NULL", …; case-insensitive). NO ACTION and unknown words are the
// database default.
func Action(rule string) spec.Action {
	switch strings.ToUpper(rule) {
	case "CASCADE":
		return spec.ActionCascade
	case "SET NULL":
		return spec.ActionSetNull
	case "SET DEFAULT":
		return spec.ActionSetDefault
	case "RESTRICT":
		return spec.ActionRestrict
	}
	return spec.ActionNone
}

// whereNullRE matches the predicate of a soft-delete partial index as the
// databases print it back: (deleted_at IS NULL), "deleted_at" IS NULL.
var whereNullRE = regexp.MustCompile(`(?i)^\(*\s*["` + "`" + `]?([A-Za-z_][A-Za-z0-9_]*)["` + "`" + `]?\s+IS\s+NULL\s*\)*$`)

// WhereNull returns the column of t that a partial index's predicate pred
// ("col IS NULL", possibly parenthesised and quoted) tests, or nil when
// the predicate has another form (no dlayer form: the index is skipped).
func WhereNull(t *spec.Table, pred string) *spec.Column {
	m := whereNullRE.FindStringSubmatch(strings.TrimSpace(pred))
	if m == nil || t == nil {
		return nil
	}
	return t.Column(m[1])
}
