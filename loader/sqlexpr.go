package loader

import (
	"fmt"
	"slices"
	"strings"
)

// sqlExprProblem checks a raw SQL expression from a schema file
// (server_default: {sql: …}, a check) and describes the first thing in it
// that could end the expression and start another statement, or hide the
// rest of the generated DDL: a statement separator, a comment opener, or
// unbalanced parentheses or quotes (outside string literals and quoted
// identifiers). The text is read twice, with and without backslash escapes
// in string literals (MySQL and PostgreSQL disagree), and refused if either
// reading finds a problem. It returns "" when the expression is fine.
func sqlExprProblem(expr string) string {
	if p := scanSQLExpr(expr, false, nil); p != "" {
		return p
	}
	return scanSQLExpr(expr, true, nil)
}

// scanSQLExpr reads expr; backslash says whether a backslash escapes the
// next character in a quoted string. call, if not nil, is called with each
// name followed by "(" outside quotes (a function call or a type).
func scanSQLExpr(expr string, backslash bool, call func(name string)) string {
	depth := 0
	at := func(i int) string { return fmt.Sprintf("at character %d", len([]rune(expr[:i]))+1) }
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == 0:
			return "a NUL byte " + at(i)
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for ; j < len(expr); j++ {
				if backslash && expr[j] == '\\' && c != '`' {
					j++
					continue
				}
				if expr[j] == c {
					if j+1 < len(expr) && expr[j+1] == c { // doubled quote
						j++
						continue
					}
					break
				}
			}
			if j >= len(expr) {
				return fmt.Sprintf("an unterminated %c %s", c, at(i))
			}
			i = j
		case c == ';':
			return `a statement separator ";" ` + at(i)
		case c == '-' && i+1 < len(expr) && expr[i+1] == '-':
			return `a comment "--" ` + at(i)
		case c == '/' && i+1 < len(expr) && expr[i+1] == '*':
			return `a comment "/*" ` + at(i)
		case c == '#':
			return `"#" (a comment in MySQL) ` + at(i)
		case c == '$' && i+1 < len(expr) && (expr[i+1] == '$' || isIdentStart(expr[i+1])) && dollarTag(expr[i:]) != "":
			return "a dollar-quoted string " + at(i) + " (write a '…' literal)"
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return `an unbalanced ")" ` + at(i)
			}
		case isIdentStart(c) && (i == 0 || !isIdentChar(expr[i-1])):
			j := i
			for j < len(expr) && isIdentChar(expr[j]) {
				j++
			}
			k := j
			for k < len(expr) && (expr[k] == ' ' || expr[k] == '\t' || expr[k] == '\n') {
				k++
			}
			if call != nil && k < len(expr) && expr[k] == '(' && (i == 0 || expr[i-1] != '.') {
				call(strings.ToLower(expr[i:j]))
			}
			i = j - 1
		}
	}
	if depth > 0 {
		return fmt.Sprintf("%d unclosed \"(\"", depth)
	}
	return ""
}

// dollarTag returns the $tag$ opening s, or "".
func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		if s[j] == '$' {
			return s[:j+1]
		}
		if !isIdentChar(s[j]) {
			return ""
		}
	}
	return ""
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' }

// reviewedSQLFunctions are the functions (and type names written with a
// length, and keywords followed by a parenthesis) a server_default {sql: …}
// may call without a warning: they compute a value and have no side
// effects on PostgreSQL, MySQL/MariaDB or SQLite.
var reviewedSQLFunctions = []string{
	// keywords that take a parenthesis
	"and", "any", "array", "as", "between", "case", "else", "in", "is", "not", "or", "row", "then", "when",
	// types in casts
	"bit", "char", "character", "dec", "decimal", "float", "numeric", "time", "timestamp", "varbinary", "varchar",
	// values
	"abs", "cast", "ceil", "ceiling", "char_length", "character_length", "coalesce", "concat", "convert",
	"current_date", "current_time", "current_timestamp", "date", "datetime", "floor", "gen_random_uuid",
	"greatest", "hex", "ifnull", "json_array", "json_object", "jsonb_build_array", "jsonb_build_object",
	"julianday", "least", "length", "localtime", "localtimestamp", "lower", "ltrim", "md5", "nextval", "now", "nullif",
	"random", "randomblob", "replace", "round", "rtrim", "strftime", "substr", "substring", "sys_guid",
	"to_char", "trim", "unixepoch", "upper", "utc_timestamp", "unix_timestamp", "uuid", "uuid_generate_v4",
}

// unreviewedCalls returns the functions expr calls that are not in
// reviewedSQLFunctions, sorted and without repeats.
func unreviewedCalls(expr string) []string {
	var out []string
	scanSQLExpr(expr, false, func(name string) {
		if !slices.Contains(reviewedSQLFunctions, name) && !slices.Contains(out, name) {
			out = append(out, name)
		}
	})
	slices.Sort(out)
	return out
}
