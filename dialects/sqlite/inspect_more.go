package sqlite

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/dlayer/dlayer/spec"
)

// note records an object the inspector skipped or approximated.
func note(s *spec.Schema, kind, object string, action spec.NoteAction, format string, args ...any) {
	s.Notes = append(s.Notes, &spec.InspectNote{Kind: kind, Object: object, Action: action, Detail: fmt.Sprintf(format, args...)})
}

var viewRE = regexp.MustCompile(`(?is)^\s*CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"(?:[^"]|"")*"|\x60[^\x60]*\x60|\[[^\]]*\]|[^\s(]+)\s*(\([^)]*\))?\s*AS\s+(.*)$`)

// viewSQL returns the query of a CREATE VIEW statement as SQLite stored it,
// or "" when the view names its columns (CREATE VIEW v(a, b) AS …), which
// a view: {sql} cannot say.
func viewSQL(ddl string) string {
	m := viewRE.FindStringSubmatch(ddl)
	if m == nil || m[1] != "" {
		return ""
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(m[2]), ";"))
}
