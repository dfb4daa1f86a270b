package engine

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/dlayer/dlayer/dialects"
)

// minScrub is the shortest bound text value scrubbed from logged error
// text by its value: shorter ones would blank out unrelated words (the
// dialect's own redaction covers the places databases quote values).
const minScrub = 4

// Redact returns err's text with the values the database quoted in it
// replaced by "[redacted]", as the engine's log shows failed statements
// when WithLogArgs is off: MySQL/MariaDB's "Duplicate entry '…'" and
// "Incorrect integer value: '…'", PostgreSQL's data exceptions
// (`invalid input syntax for type integer: "…"`), pgx's encoding errors,
// and the column values quoted by scan errors (`cannot convert "…" to an
// integer`). Identifiers (constraint, table and column names) and the
// statement's SQL text, which never holds values, are kept. Use it where an
// error's text leaves the application (an HTTP answer, a shared log); the
// error itself keeps the database's full message for the application.
func (e *Engine) Redact(err error) string {
	if err == nil {
		return ""
	}
	if e == nil {
		return err.Error()
	}
	return e.redact(err.Error(), nil)
}

// redact removes values from error text: the dialect's patterns, the
// values conversion errors quote (a column value that cannot be scanned
// into the destination's type), then any bound text value that still
// appears verbatim or Go-quoted.
func (e *Engine) redact(text string, args []any) string {
	if r, ok := e.d.(dialects.ErrorRedactor); ok {
		text = r.RedactErrorText(text)
	}
	text = dialects.RedactBetween(text, `cannot convert "`, `" to `)
	text = dialects.RedactBetween(text, `cannot parse "`, `" as `)
	text = dialects.RedactBetween(text, `: parsing "`, `": `) // strconv, in driver errors
	for _, a := range args {
		var s string
		switch v := a.(type) {
		case string:
			s = v
		case []byte:
			s = string(v)
		case json.RawMessage:
			s = string(v)
		case *string:
			if v != nil {
				s = *v
			}
		default:
			continue
		}
		if len(s) < minScrub {
			continue
		}
		text = strings.ReplaceAll(text, s, dialects.Redacted)
		if q := strconv.Quote(s); q[1:len(q)-1] != s {
			text = strings.ReplaceAll(text, q[1:len(q)-1], dialects.Redacted)
		}
	}
	return text
}
