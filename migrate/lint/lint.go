package lint

import (
	"fmt"
	"slices"
	"strings"
)

// Severities of a finding.
const (
	Error   = "error"
	Warning = "warning"
)

// Rule describes one lint rule.
type Rule struct {
	// Code is the rule's stable code ("DL101"); Name a short slug.
	Code, Name string
	// Severity is Error or Warning.
	Severity string
	// Dialects lists the dialects the rule applies to (nil: all).
	Dialects []string
	// Why explains the risk; Fix is the safe sequence.
	Why, Fix string
}

// Rules lists every rule, by code.
var Rules = []Rule{
	{Code: "DL101", Name: "drop-table", Severity: Error,
		Why: "dropping a table deletes its data, and the release still running during a rolling deploy reads it",
		Fix: "first deploy a release that no longer uses the table; then drop it in a later migration (keep a backup, or rename it aside first)"},
	{Code: "DL102", Name: "drop-column", Severity: Error,
		Why: "dropping a column deletes its data, and the release still running during a rolling deploy selects and inserts it",
		Fix: "first deploy a release that no longer reads or writes the column (remove it from the YAML model's use in code, make it nullable), then drop it in a later migration"},
	{Code: "DL103", Name: "narrowing-type", Severity: Error,
		Why: "the type change narrows the column (shorter, smaller or less precise): values that do not fit fail the migration or are truncated",
		Fix: "add a new column of the narrower type, backfill it with checked values in batches, switch the code to it, then drop the old column"},
	{Code: "DL104", Name: "type-change", Severity: Warning,
		Why: "changing a column's type rewrites the table under an exclusive lock (unless the types are binary-compatible) and may reject values the running release writes",
		Fix: "add a new column of the new type, backfill it in batches, switch the code to it, then drop the old column"},
	{Code: "DL201", Name: "index-not-concurrent", Severity: Warning, Dialects: []string{"postgres"},
		Why: "CREATE INDEX without CONCURRENTLY blocks every write to the table while the index builds",
		Fix: "build it ahead with CREATE INDEX CONCURRENTLY outside a transaction (dlayer runs a PostgreSQL migration in one), and make the migration's statement CREATE INDEX IF NOT EXISTS so it finds the index done"},
	{Code: "DL202", Name: "volatile-default", Severity: Warning, Dialects: []string{"postgres"},
		Why: "adding a column with a volatile default (random(), clock_timestamp(), gen_random_uuid(), nextval(), …) rewrites the whole table under an ACCESS EXCLUSIVE lock",
		Fix: "add the column without a default (or with a constant one), set the default with ALTER COLUMN … SET DEFAULT, then backfill existing rows in batches"},
	{Code: "DL203", Name: "set-not-null", Severity: Warning, Dialects: []string{"postgres"},
		Why: "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock, and fails if any row holds NULL",
		Fix: "backfill the NULLs; ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c (in the same or an earlier migration); then SET NOT NULL uses the check and does not scan; drop the check"},
	{Code: "DL204", Name: "constraint-not-valid", Severity: Warning, Dialects: []string{"postgres"},
		Why: "adding a foreign key or check constraint validates every row while holding a lock that blocks writes",
		Fix: "add it with NOT VALID, then run ALTER TABLE … VALIDATE CONSTRAINT in a later statement (validation takes a weaker lock)"},
	{Code: "DL301", Name: "mysql-table-copy", Severity: Warning, Dialects: []string{"mysql"},
		Why: "MySQL/MariaDB run this ALTER with ALGORITHM=COPY unless the change qualifies for INSTANT or INPLACE (changing a column's type or nullability, the primary key or the character set usually does not): the table is copied and writes block meanwhile",
		Fix: "run it with an online schema change tool (gh-ost, pt-online-schema-change) or in a maintenance window; state ALGORITHM=INPLACE (or INSTANT) in the ALTER to make the server refuse rather than copy"},
	{Code: "DL401", Name: "rename", Severity: Error,
		Why: "renaming a table or column breaks the release still running during a rolling deploy, which uses the old name",
		Fix: "expand and contract: add the new column or table, write both and backfill, switch reads to the new name, then drop the old one in a later release (in the YAML use renamed_from only when no old release runs)"},
	{Code: "DL501", Name: "add-unique", Severity: Warning,
		Why: "adding a unique index, unique constraint or primary key to an existing table fails if the data holds duplicates (and the running release may insert some meanwhile)",
		Fix: "check for duplicates first (SELECT … GROUP BY … HAVING COUNT(*) > 1) and clean them; on PostgreSQL build the index with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … UNIQUE USING INDEX"},
	{Code: "DL502", Name: "not-null-without-default", Severity: Error,
		Why: "adding a NOT NULL column without a default fails on a table that has rows (SQLite refuses it always; MySQL/MariaDB fill it with an implicit zero or empty value), and the running release inserts rows without it",
		Fix: "add the column nullable or with a DEFAULT, backfill it in batches, then make it NOT NULL in a later migration"},
}

// RuleByCode returns the rule with the given code.
func RuleByCode(code string) (Rule, bool) {
	for _, r := range Rules {
		if r.Code == code {
			return r, true
		}
	}
	return Rule{}, false
}

// Finding is one problem found in a migration file.
type Finding struct {
	Rule     string `json:"rule"`
	Name     string `json:"name"`
	Severity string `json:"severity"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	// Message says what the statement does and why it is risky.
	Message string `json:"message"`
	// Fix is the suggested safe sequence.
	Fix string `json:"fix"`
}

// String formats f as "file:line:col: severity: RULE name: message".
func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s %s: %s", f.File, f.Line, f.Col, f.Severity, f.Rule, f.Name, f.Message)
}

// Options tune File.
type Options struct {
	// Dialect is "postgres", "mysql" or "sqlite"; empty takes the file's
	// "-- +dlayer dialect:" header, and without one only the rules for
	// every dialect run.
	Dialect string
}

// stmt is one statement of the Up section: its tokens without comments,
// and the rule codes its preceding comments ignore.
type stmt struct {
	toks   []token
	ignore map[string]bool
}

// File lints the Up section of one migration file (path names it in the
// findings). Only statements are examined, never comments or string
// literals. A statement preceded by a comment "-- dlayer-lint: ignore
// DL101 DL102" is not reported for those rules. Findings come in file
// order.
func File(path string, text []byte, opts Options) ([]Finding, error) {
	src := strings.ReplaceAll(string(text), "\r\n", "\n")
	dialect := opts.Dialect
	var destructive []token
	// A first pass reads the header (for the dialect, which changes how
	// strings are read).
	for _, l := range strings.Split(src, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "-- +dlayer dialect:"); ok && dialect == "" {
			dialect = strings.TrimSpace(rest)
		}
	}
	switch dialect {
	case "mariadb":
		dialect = "mysql"
	case "", "postgres", "mysql", "sqlite":
	default:
		return nil, fmt.Errorf("lint %s: unknown dialect %q (want postgres, mysql or sqlite)", path, dialect)
	}
	toks, err := tokenize(src, dialect == "mysql")
	if err != nil {
		return nil, fmt.Errorf("lint %s:%w", path, err)
	}
	var stmts []stmt
	section := ""
	cur := stmt{ignore: map[string]bool{}}
	for _, t := range toks {
		if t.kind == comment {
			c := strings.TrimSpace(t.text)
			if rest, ok := strings.CutPrefix(c, "-- +dlayer"); ok {
				key, val, _ := strings.Cut(strings.TrimSpace(rest), ":")
				switch strings.ToLower(strings.TrimSpace(key)) {
				case "up", "down", "schema":
					section = strings.ToLower(strings.TrimSpace(key))
				case "destructive":
					t.text = strings.TrimSpace(val)
					destructive = append(destructive, t)
				}
				continue
			}
			if rest, ok := strings.CutPrefix(c, "-- dlayer-lint:"); ok {
				if codes, ok := strings.CutPrefix(strings.TrimSpace(rest), "ignore"); ok {
					for _, code := range strings.FieldsFunc(codes, func(r rune) bool { return r == ' ' || r == ',' }) {
						cur.ignore[strings.ToUpper(code)] = true
					}
				}
			}
			continue
		}
		if section != "up" {
			continue
		}
		if t.kind == punct && t.text == ";" {
			if len(cur.toks) > 0 {
				stmts = append(stmts, cur)
			}
			cur = stmt{ignore: map[string]bool{}}
			continue
		}
		cur.toks = append(cur.toks, t)
	}
	if len(cur.toks) > 0 {
		stmts = append(stmts, cur)
	}
	l := &linter{path: path, dialect: dialect, created: map[string]bool{}, renamedTo: map[string]bool{}, validated: map[string]bool{},
		required: map[string][]string{}}
	// Tables renamed into place anywhere in this migration: dropping the
	// table they replace is no loss by itself (SQLite's table rebuild
	// creates a copy, copies the rows, drops the original and renames the
	// copy).
	for _, s := range stmts {
		t := s.toks
		switch {
		case at(t, 0, "ALTER", "TABLE"):
			for _, a := range l.actions(t) {
				if at(a, 0, "RENAME", "TO") || at(a, 0, "RENAME", "AS") {
					if n, _, ok := qname(a, 2); ok {
						l.renamedTo[n] = true
					}
				}
			}
		case at(t, 0, "RENAME", "TABLE"):
			for i := 2; i < len(t); i++ {
				if t[i].is("TO") {
					if n, _, ok := qname(t, i+1); ok {
						l.renamedTo[n] = true
					}
				}
			}
		}
	}
	for _, s := range stmts {
		l.ignore = s.ignore
		l.stmt(s.toks)
		l.track(s.toks)
	}
	l.narrowing(destructive)
	slices.SortStableFunc(l.out, func(a, b Finding) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	return l.out, nil
}

type linter struct {
	path, dialect string
	// created holds the tables this migration created (or renamed into
	// place) so far, renamedTo every table some statement renames into
	// place, validated the tables with a VALIDATE CONSTRAINT so far.
	created, renamedTo, validated map[string]bool
	// required lists, for each table created so far, its NOT NULL columns
	// without a default.
	required map[string][]string
	// typeChanges records the type-change findings by "table.column", for
	// the narrowing rule.
	typeChanges map[string]token
	// drops records every DROP TABLE by table, exempted or not.
	drops  map[string]token
	ignore map[string]bool
	out    []Finding
}

func (l *linter) report(code string, at token, format string, args ...any) {
	r, ok := RuleByCode(code)
	if !ok || l.ignore[code] {
		return
	}
	if r.Dialects != nil && !slices.Contains(r.Dialects, l.dialect) {
		return
	}
	l.out = append(l.out, Finding{Rule: r.Code, Name: r.Name, Severity: r.Severity, File: l.path, Line: at.line, Col: at.col,
		Message: fmt.Sprintf(format, args...) + ": " + r.Why, Fix: r.Fix})
}

// fresh reports whether table t was created by this migration, before the
// current statement.
func (l *linter) fresh(t string) bool { return l.created[t] }

// track records the tables statement t creates, renames and drops.
func (l *linter) track(t []token) {
	switch {
	case at(t, 0, "CREATE", "TABLE"), at(t, 0, "CREATE", "TEMPORARY", "TABLE"), at(t, 0, "CREATE", "TEMP", "TABLE"):
		i := 2
		if !t[1].is("TABLE") {
			i = 3
		}
		i = skipWords(t, i, "IF", "NOT", "EXISTS")
		n, i, ok := qname(t, i)
		if !ok {
			return
		}
		l.created[n] = true
		l.required[n] = requiredColumns(t[i:])
	case at(t, 0, "DROP", "TABLE"):
		i := skipWords(t, 2, "IF", "EXISTS")
		for i < len(t) {
			n, j, ok := qname(t, i)
			if !ok {
				return
			}
			delete(l.created, n)
			i = j
			if i < len(t) && t[i].text == "," {
				i++
			}
		}
	case at(t, 0, "ALTER", "TABLE"):
		i := skipWords(t, 2, "IF", "EXISTS")
		from, _, ok := qname(t, skipWords(t, i, "ONLY"))
		if !ok || !l.created[from] {
			return
		}
		for _, a := range l.actions(t) {
			if at(a, 0, "RENAME", "TO") || at(a, 0, "RENAME", "AS") {
				if n, _, ok := qname(a, 2); ok {
					l.created[n], l.required[n] = true, l.required[from]
					delete(l.created, from)
				}
			}
		}
	}
}

// requiredColumns returns the columns of a CREATE TABLE's definition list
// (t starts at its parenthesis) declared NOT NULL without a default,
// generated value or auto-increment.
func requiredColumns(t []token) []string {
	if len(t) == 0 || t[0].text != "(" {
		return nil
	}
	var out []string
	depth, start := 0, 1
	for j := 0; j < len(t); j++ {
		if t[j].kind != punct {
			continue
		}
		switch t[j].text {
		case "(":
			depth++
		case ")":
			depth--
		}
		if depth == 1 && t[j].text == "," || depth == 0 {
			def := t[start:j]
			start = j + 1
			if len(def) == 0 || isConstraintWord(def[0]) || def[0].is("CONSTRAINT") {
				if depth == 0 {
					break
				}
				continue
			}
			if n, _, ok := qname(def, 0); ok && has(def, "NOT", "NULL") > 0 && has(def, "DEFAULT") < 0 && !generatedColumn(def[1:]) {
				out = append(out, n)
			}
			if depth == 0 {
				break
			}
		}
	}
	return out
}

// generatedColumn reports whether a column definition (after its name)
// gives its value itself.
func generatedColumn(def []token) bool {
	return has(def, "GENERATED") >= 0 || has(def, "AS") >= 0 || has(def, "AUTO_INCREMENT") >= 0 ||
		has(def, "AUTOINCREMENT") >= 0 || has(def, "PRIMARY", "KEY") >= 0 ||
		len(def) > 0 && (def[0].is("SERIAL") || def[0].is("BIGSERIAL") || def[0].is("SMALLSERIAL"))
}

// at reports whether the words ws start at t[i].
func at(t []token, i int, ws ...string) bool {
	if i+len(ws) > len(t) {
		return false
	}
	for k, w := range ws {
		if !t[i+k].is(w) {
			return false
		}
	}
	return true
}

// skipWords skips the words ws at t[i] if they are all there.
func skipWords(t []token, i int, ws ...string) int {
	if at(t, i, ws...) {
		return i + len(ws)
	}
	return i
}

// qname reads a possibly qualified name at t[i]: it returns its last part
// and the index after it.
func qname(t []token, i int) (string, int, bool) {
	if i >= len(t) || t[i].kind != word && t[i].kind != ident {
		return "", i, false
	}
	n := t[i].name()
	i++
	for i+1 < len(t) && t[i].kind == punct && t[i].text == "." && (t[i+1].kind == word || t[i+1].kind == ident) {
		n = t[i+1].name()
		i += 2
	}
	return n, i, true
}

// actions splits the actions of ALTER TABLE name a, b, … at top-level
// commas (t is the whole statement).
func (l *linter) actions(t []token) [][]token {
	i := skipWords(t, 2, "IF", "EXISTS")
	i = skipWords(t, i, "ONLY")
	_, i, ok := qname(t, i)
	if !ok {
		return nil
	}
	if i < len(t) && t[i].text == "*" {
		i++
	}
	var out [][]token
	depth, start := 0, i
	for j := i; j <= len(t); j++ {
		if j == len(t) || depth == 0 && t[j].kind == punct && t[j].text == "," {
			if j > start {
				out = append(out, t[start:j])
			}
			start = j + 1
			continue
		}
		if t[j].kind == punct {
			switch t[j].text {
			case "(":
				depth++
			case ")":
				depth--
			}
		}
	}
	return out
}

// has reports whether word w occurs in t outside parentheses.
func has(t []token, ws ...string) int {
	depth := 0
	for i := range t {
		if t[i].kind == punct {
			switch t[i].text {
			case "(":
				depth++
			case ")":
				depth--
			}
		}
		if depth == 0 && at(t, i, ws...) {
			return i
		}
	}
	return -1
}

var constraintWords = []string{"CONSTRAINT", "INDEX", "KEY", "PRIMARY", "FOREIGN", "UNIQUE", "CHECK", "FULLTEXT", "SPATIAL", "PARTITION", "DEFAULT"}

func isConstraintWord(t token) bool {
	return slices.ContainsFunc(constraintWords, t.is)
}

func (l *linter) stmt(t []token) {
	switch {
	case at(t, 0, "DROP", "TABLE"):
		i := skipWords(t, 2, "IF", "EXISTS")
		for i < len(t) {
			n, j, ok := qname(t, i)
			if !ok {
				break
			}
			if l.drops == nil {
				l.drops = map[string]token{}
			}
			l.drops[n] = t[i]
			if !l.fresh(n) && !l.recreated(n) {
				l.report("DL101", t[i], "DROP TABLE %s", n)
			}
			i = j
			if i < len(t) && t[i].text == "," {
				i++
			}
		}
	case at(t, 0, "INSERT", "INTO"):
		// Copying existing rows into a table this migration created (a
		// table rebuild): a NOT NULL column without a default left out of
		// the column list fails as soon as there is a row.
		n, i, ok := qname(t, 2)
		if !ok || !l.fresh(n) || i >= len(t) || t[i].text != "(" || has(t, "SELECT") < 0 {
			return
		}
		listed := map[string]bool{}
		for j := i + 1; j < len(t) && t[j].text != ")"; j++ {
			if t[j].kind == word || t[j].kind == ident {
				listed[t[j].name()] = true
			}
		}
		for _, c := range l.required[n] {
			if !listed[c] {
				l.report("DL502", t[0], "copying the rows of a rebuilt table into %s without a value for its NOT NULL column %s, which has no DEFAULT", n, c)
			}
		}
	case at(t, 0, "RENAME", "TABLE"):
		if n, _, ok := qname(t, 2); ok && !l.fresh(n) {
			l.report("DL401", t[0], "RENAME TABLE %s", n)
		}
	case at(t, 0, "CREATE", "INDEX"), at(t, 0, "CREATE", "UNIQUE", "INDEX"):
		on := has(t, "ON")
		if on < 0 {
			return
		}
		i := skipWords(t, on+1, "ONLY")
		n, _, ok := qname(t, i)
		if !ok || l.fresh(n) {
			return
		}
		if t[1].is("UNIQUE") {
			l.report("DL501", t[0], "CREATE UNIQUE INDEX on %s", n)
		}
		if has(t[:on], "CONCURRENTLY") < 0 && has(t[:on], "IF", "NOT", "EXISTS") < 0 {
			l.report("DL201", t[0], "CREATE INDEX on %s without CONCURRENTLY", n)
		}
	case at(t, 0, "ALTER", "TABLE"):
		i := skipWords(t, 2, "IF", "EXISTS")
		i = skipWords(t, i, "ONLY")
		table, _, ok := qname(t, i)
		if !ok {
			return
		}
		acts := l.actions(t)
		online := false
		for _, a := range acts {
			if at(a, 0, "ALGORITHM") && len(a) >= 3 && (a[2].is("INSTANT") || a[2].is("INPLACE") || a[2].is("NOCOPY")) {
				online = true
			}
		}
		for _, a := range acts {
			l.alter(table, a, online)
		}
	}
}

// recreated reports whether a table dropped by this migration is replaced
// by one renamed into its place (SQLite's table rebuild).
func (l *linter) recreated(n string) bool { return l.renamedTo[n] }

// alter lints one action of ALTER TABLE table.
func (l *linter) alter(table string, a []token, online bool) {
	fresh := l.fresh(table)
	switch {
	case at(a, 0, "VALIDATE", "CONSTRAINT"):
		l.validated[table] = true
	case at(a, 0, "DROP", "PRIMARY", "KEY"), at(a, 0, "ADD", "PRIMARY", "KEY"),
		at(a, 0, "ADD", "CONSTRAINT") && len(a) > 3 && at(a, 3, "PRIMARY", "KEY"):
		if fresh {
			return
		}
		if a[0].is("ADD") {
			l.report("DL501", a[0], "adding a primary key to %s", table)
		}
		if !online {
			l.report("DL301", a[0], "changing the primary key of %s", table)
		}
	case at(a, 0, "DROP"):
		if len(a) < 2 || isConstraintWord(a[1]) || a[1].is("CONSTRAINT") {
			return
		}
		i := skipWords(a, 1, "COLUMN")
		i = skipWords(a, i, "IF", "EXISTS")
		if i == 1 && l.dialect != "mysql" && l.dialect != "" {
			return // only MySQL allows DROP col without COLUMN
		}
		if n, _, ok := qname(a, i); ok && !fresh {
			l.report("DL102", a[0], "dropping column %s.%s", table, n)
		}
	case at(a, 0, "RENAME"):
		if fresh {
			return
		}
		switch {
		case at(a, 1, "TO"), at(a, 1, "AS"):
			l.report("DL401", a[0], "renaming table %s", table)
		case at(a, 1, "INDEX"), at(a, 1, "KEY"), at(a, 1, "CONSTRAINT"):
		default:
			i := skipWords(a, 1, "COLUMN")
			if n, _, ok := qname(a, i); ok {
				l.report("DL401", a[0], "renaming column %s.%s", table, n)
			}
		}
	case at(a, 0, "CHANGE"):
		// MySQL: CHANGE [COLUMN] old new definition.
		i := skipWords(a, 1, "COLUMN")
		old, j, ok1 := qname(a, i)
		nw, _, ok2 := qname(a, j)
		if !ok1 || !ok2 || fresh {
			return
		}
		if old != nw {
			l.report("DL401", a[0], "renaming column %s.%s to %s", table, old, nw)
		}
		l.typeChange(table, old, a[0], online)
	case at(a, 0, "MODIFY"):
		i := skipWords(a, 1, "COLUMN")
		if n, _, ok := qname(a, i); ok && !fresh {
			l.typeChange(table, n, a[0], online)
		}
	case at(a, 0, "CONVERT", "TO"):
		if !fresh && !online {
			l.report("DL301", a[0], "converting the character set of %s", table)
		}
	case at(a, 0, "ALTER"):
		i := skipWords(a, 1, "COLUMN")
		col, j, ok := qname(a, i)
		if !ok || fresh {
			return
		}
		switch {
		case at(a, j, "TYPE"), at(a, j, "SET", "DATA", "TYPE"):
			l.typeChange(table, col, a[0], online)
		case at(a, j, "SET", "NOT", "NULL"):
			if !l.validated[table] {
				l.report("DL203", a[0], "SET NOT NULL on %s.%s without a validated CHECK (%s IS NOT NULL) before it", table, col, col)
			}
		}
	case at(a, 0, "ADD"):
		if fresh {
			return
		}
		l.add(table, a)
	}
}

// typeChange reports a column type change.
func (l *linter) typeChange(table, col string, t token, online bool) {
	if l.typeChanges == nil {
		l.typeChanges = map[string]token{}
	}
	l.typeChanges[table+"."+col] = t
	if l.dialect == "mysql" {
		if !online {
			l.report("DL301", t, "changing the definition of %s.%s", table, col)
		}
		return
	}
	l.report("DL104", t, "changing the type of %s.%s", table, col)
}

// add lints ALTER TABLE table ADD ….
func (l *linter) add(table string, a []token) {
	i := 1
	if len(a) < 2 {
		return
	}
	switch {
	case a[1].is("UNIQUE"), at(a, 1, "CONSTRAINT") && has(a, "UNIQUE") > 0:
		l.report("DL501", a[0], "adding a unique constraint to %s", table)
		return
	case at(a, 1, "FOREIGN", "KEY"), at(a, 1, "CHECK"), at(a, 1, "CONSTRAINT") && (has(a, "FOREIGN") > 0 || has(a, "CHECK") > 0):
		if has(a, "NOT", "VALID") < 0 {
			l.report("DL204", a[0], "adding a constraint to %s without NOT VALID", table)
		}
		return
	case isConstraintWord(a[1]) || a[1].is("CONSTRAINT"):
		return
	}
	i = skipWords(a, i, "COLUMN")
	i = skipWords(a, i, "IF", "NOT", "EXISTS")
	col, i, ok := qname(a, i)
	if !ok {
		return
	}
	def := a[i:]
	d := has(def, "DEFAULT")
	if has(def, "NOT", "NULL") >= 0 && d < 0 && !generatedColumn(def) {
		l.report("DL502", a[0], "adding column %s.%s NOT NULL without a DEFAULT", table, col)
	}
	if has(def, "UNIQUE") >= 0 || has(def, "PRIMARY", "KEY") >= 0 {
		l.report("DL501", a[0], "adding column %s.%s with a unique constraint", table, col)
	}
	if d >= 0 && d+1 < len(def) && volatile(def[d+1:]) {
		l.report("DL202", a[0], "adding column %s.%s with a volatile default", table, col)
	}
}

// volatileFuncs are PostgreSQL functions whose value differs per row.
var volatileFuncs = []string{"random", "clock_timestamp", "timeofday", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc",
	"uuid_generate_v4", "nextval", "txid_current", "setseed"}

// volatile reports whether the default expression t (up to the next
// top-level keyword) calls a volatile function.
func volatile(t []token) bool {
	depth := 0
	for i, tk := range t {
		if tk.kind == punct {
			switch tk.text {
			case "(":
				depth++
			case ")":
				depth--
			}
		}
		if depth == 0 && i > 0 && tk.kind == word && (tk.is("NOT") || tk.is("NULL") || tk.is("CONSTRAINT") || tk.is("CHECK") ||
			tk.is("REFERENCES") || tk.is("UNIQUE") || tk.is("PRIMARY")) {
			return false
		}
		if tk.kind == word && i+1 < len(t) && t[i+1].text == "(" && slices.Contains(volatileFuncs, strings.ToLower(tk.text)) {
			return true
		}
	}
	return false
}

// narrowing turns the type changes the header marks destructive ("--
// +dlayer destructive: alter column users.name (…)", written by migrate
// diff for a narrowing change) into DL103 errors, and reports the drops it
// marks that no statement showed (a column dropped by SQLite's table
// rebuild) at the rebuild's DROP TABLE, or at the mark.
func (l *linter) narrowing(marks []token) {
	reported := map[string]bool{}
	for _, f := range l.out {
		reported[f.Rule+" "+f.Message[:strings.Index(f.Message+":", ":")]] = true
	}
	for _, m := range marks {
		for _, drop := range []struct{ prefix, code, what string }{{"drop column ", "DL102", "dropping column "}, {"drop table ", "DL101", "DROP TABLE "}} {
			target, ok := strings.CutPrefix(m.text, drop.prefix)
			if !ok || reported[drop.code+" "+drop.what+target] {
				continue
			}
			table, _, _ := strings.Cut(target, ".")
			loc := m
			if t, ok := l.drops[table]; ok {
				loc = t
			}
			l.ignore = nil
			l.report(drop.code, loc, "%s%s", drop.what, target)
		}
		rest, ok := strings.CutPrefix(m.text, "alter column ")
		if !ok {
			continue
		}
		target, _, _ := strings.Cut(rest, " ")
		table, _, _ := strings.Cut(target, ".")
		loc := m
		if t, ok := l.typeChanges[target]; ok {
			loc = t
		} else if t, ok := l.drops[table]; ok {
			loc = t // a table rebuild
		}
		l.ignore = nil
		l.report("DL103", loc, "narrowing %s %s", target, strings.TrimPrefix(rest, target+" "))
	}
}
