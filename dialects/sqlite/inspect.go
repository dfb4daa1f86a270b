package sqlite

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/internal/rowutil"
	"github.com/dlayer/dlayer/spec"
)

// Inspect reads the tables of the main database, except SQLite's own and
// those named in skip, into the neutral model. Types come from the
// declared type names; an INTEGER PRIMARY KEY (the rowid) is
// autoincrement; foreign keys and unique constraints carry the names given
// in the CREATE TABLE text when there are any; check constraints are read
// from that text.
func Inspect(ctx context.Context, q dialects.Queryer, skip ...string) (*spec.Schema, error) {
	if ctx == nil {
		return nil, dialects.ErrNilContext
	}
	if q == nil {
		return nil, dialects.ErrNilQueryer
	}
	s, err := inspect(ctx, q, skip)
	if err != nil {
		return nil, fmt.Errorf("inspect sqlite database: %w", err)
	}
	return s, nil
}

func inspect(ctx context.Context, q dialects.Queryer, skip []string) (*spec.Schema, error) {
	s := &spec.Schema{}
	ddl := map[string]string{}
	err := rowutil.Each(ctx, q, `SELECT name, COALESCE(sql, ''), type FROM sqlite_master
WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite_%' ORDER BY name`, 3,
		func(v []any) error {
			name := rowutil.Str(v[0])
			switch {
			case slices.Contains(skip, name):
			case rowutil.Str(v[2]) == "trigger":
				note(s, "trigger", name, spec.NoteSkipped, "triggers are not kept; recreate it in a migration")
			case rowutil.Str(v[2]) == "view":
				t := &spec.Table{Name: name, View: &spec.View{SQL: viewSQL(rowutil.Str(v[1]))}}
				if t.View.SQL == "" {
					note(s, "view", name, spec.NoteSkipped, "cannot read its query from %q", rowutil.Str(v[1]))
					return nil
				}
				s.Tables = append(s.Tables, t)
			default:
				s.Tables = append(s.Tables, &spec.Table{Name: name})
				ddl[name] = rowutil.Str(v[1])
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("tables: %w", err)
	}
	for _, t := range s.Tables {
		type pkCol struct {
			c   *spec.Column
			pos int64
		}
		var pks []pkCol
		err := rowutil.Each(ctx, q, `SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid`, 6, func(v []any) error {
			hidden := rowutil.Int(v[5])
			if hidden == 1 {
				return nil // a virtual table's hidden column
			}
			c := &spec.Column{Name: rowutil.Str(v[0]), Table: t, Nullable: rowutil.Int(v[2]) == 0}
			if hidden == 2 || hidden == 3 { // generated: 2 virtual, 3 stored
				c.Computed = &spec.Computed{SQL: generatedExpr(c.Name, ddl[t.Name]), Stored: hidden == 3}
			}
			typ, err := parseType(rowutil.Str(v[1]))
			if err != nil {
				typ = spec.Type{Kind: spec.TypeNative, Native: map[string]string{"sqlite": rowutil.Str(v[1])}}
			}
			c.Type = typ
			if v[3] != nil {
				c.ServerDefault = parseDefault(rowutil.Str(v[3]), c.Type)
			}
			if pos := rowutil.Int(v[4]); pos > 0 {
				pks = append(pks, pkCol{c, pos})
			}
			t.Columns = append(t.Columns, c)
			return nil
		}, t.Name)
		if err != nil {
			return nil, fmt.Errorf("columns of %s: %w", t.Name, err)
		}
		slices.SortFunc(pks, func(a, b pkCol) int { return int(a.pos - b.pos) })
		for _, p := range pks {
			p.c.PrimaryKey = true
			p.c.Nullable = false
			t.PrimaryKey = append(t.PrimaryKey, p.c)
		}
		if len(pks) == 1 && strings.EqualFold(declaredType(t.Name, pks[0].c.Name, ddl[t.Name]), "integer") {
			pks[0].c.Autoincrement = true // the rowid alias
		}
	}
	s.Index()
	for _, t := range s.Tables {
		if t.View != nil {
			continue
		}
		if err := foreignKeys(ctx, q, s, t, ddl[t.Name]); err != nil {
			return nil, err
		}
		for _, c := range t.PrimaryKey {
			if c.ForeignKey != nil {
				// dlayer autoincrements no foreign-key column; the rowid
				// alias still exists but carries the parent's key.
				c.Autoincrement = false
			}
		}
		if err := indexes(ctx, q, s, t, ddl[t.Name]); err != nil {
			return nil, err
		}
		t.Checks = tableChecks(t, ddl[t.Name])
	}
	slices.SortStableFunc(s.Notes, func(a, b *spec.InspectNote) int { return strings.Compare(a.Object, b.Object) })
	return s, nil
}

// generatedExpr finds the expression of generated column name in the
// CREATE TABLE text: the parenthesised group after AS.
func generatedExpr(name, ddl string) string {
	for _, def := range splitDefs(ddl) {
		n, rest := firstIdent(def)
		if n != name {
			continue
		}
		for s := rest; s != ""; {
			s = strings.TrimLeft(s, " \t\r\n")
			if s == "" {
				break
			}
			switch s[0] {
			case '\'', '"', '`':
				j := strings.IndexByte(s[1:], s[0])
				if j < 0 {
					return ""
				}
				s = s[j+2:]
				continue
			case '(':
				_, s = balanced(s)
				continue
			}
			w, r := firstIdent(s)
			if w == "" {
				s = s[1:]
				continue
			}
			if strings.EqualFold(w, "AS") {
				expr, _ := balanced(strings.TrimSpace(r))
				return expr
			}
			s = r
		}
	}
	return ""
}

// declaredType finds a column's declared type in pragma output again
// (needed only to tell INTEGER PRIMARY KEY from INT PRIMARY KEY).
func declaredType(table, column, ddl string) string {
	_ = table
	for _, def := range splitDefs(ddl) {
		name, rest := firstIdent(def)
		if name == column {
			f := strings.Fields(rest)
			if len(f) > 0 {
				return f[0]
			}
		}
	}
	return ""
}

func foreignKeys(ctx context.Context, q dialects.Queryer, s *spec.Schema, t *spec.Table, ddl string) error {
	byID := map[int64]*spec.ForeignKey{}
	bad := map[int64]bool{}
	var order []int64
	err := rowutil.Each(ctx, q, `SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, 6,
		func(v []any) error {
			id := rowutil.Int(v[0])
			ref := s.Table(rowutil.Str(v[1]))
			if ref == nil || ref.View != nil {
				if byID[rowutil.Int(v[0])] == nil {
					note(s, "foreign key", t.Name, spec.NoteSkipped, "references %q, which is not an inspected table", rowutil.Str(v[1]))
				}
				byID[rowutil.Int(v[0])] = &spec.ForeignKey{} // noted once
				return nil
			}
			fk := byID[id]
			if fk == nil {
				fk = &spec.ForeignKey{Table: t, RefTable: ref, OnUpdate: rowutil.Action(rowutil.Str(v[4])), OnDelete: rowutil.Action(rowutil.Str(v[5]))}
				byID[id] = fk
				order = append(order, id)
			}
			col := t.Column(rowutil.Str(v[2]))
			if col == nil {
				return nil // SQLite keeps no key on a missing column; nothing to inspect
			}
			fk.Columns = append(fk.Columns, col)
			to := rowutil.Str(v[3])
			if to == "" && len(ref.PrimaryKey) > len(fk.RefColumns) {
				to = ref.PrimaryKey[len(fk.RefColumns)].Name
			}
			rc := ref.Column(to)
			if rc == nil {
				if !bad[id] {
					note(s, "foreign key", t.Name, spec.NoteSkipped, "references missing column %s.%s", ref.Name, to)
				}
				bad[id] = true
				return nil
			}
			fk.RefColumns = append(fk.RefColumns, rc)
			return nil
		}, t.Name)
	if err != nil {
		return fmt.Errorf("foreign keys of %s: %w", t.Name, err)
	}
	names := constraintNames(ddl, "FOREIGN")
	// pragma_foreign_key_list numbers foreign keys from the last declared.
	slices.Reverse(order)
	for _, id := range order {
		fk := byID[id]
		if bad[id] || len(fk.Columns) == 0 || len(fk.Columns) != len(fk.RefColumns) {
			continue
		}
		fk.Name = names[strings.Join(rowutil.ColumnNames(fk.Columns), ",")]
		if len(fk.Columns) == 1 {
			fk.Columns[0].ForeignKey = fk
		}
		t.ForeignKeys = append(t.ForeignKeys, fk)
	}
	return nil
}

func indexes(ctx context.Context, q dialects.Queryer, s *spec.Schema, t *spec.Table, ddl string) error {
	type ix struct {
		name, origin string
		unique       bool
		whereNull    *spec.Column
	}
	var list []ix
	var partial []string
	err := rowutil.Each(ctx, q, `SELECT name, "unique", origin, partial FROM pragma_index_list(?) ORDER BY name`, 4, func(v []any) error {
		if rowutil.Int(v[3]) != 0 {
			partial = append(partial, rowutil.Str(v[0]))
		}
		list = append(list, ix{name: rowutil.Str(v[0]), unique: rowutil.Int(v[1]) != 0, origin: rowutil.Str(v[2])})
		return nil
	}, t.Name)
	if err != nil {
		return fmt.Errorf("indexes of %s: %w", t.Name, err)
	}
	// A partial index WHERE col IS NULL is a soft-delete model's unique
	// key; other partial indexes have no dlayer form.
	for _, name := range partial {
		var sql string
		if err := rowutil.Each(ctx, q, `SELECT COALESCE(sql, '') FROM sqlite_master WHERE type = 'index' AND name = ?`, 1, func(v []any) error {
			sql = rowutil.Str(v[0])
			return nil
		}, name); err != nil {
			return fmt.Errorf("index %s: %w", name, err)
		}
		var wn *spec.Column
		unique := false
		for i := range list {
			if list[i].name == name {
				unique = list[i].unique
			}
		}
		// Only a unique key can be a soft-delete key; a plain partial
		// index WHERE col IS NULL has no dlayer form either.
		if i := strings.LastIndex(strings.ToUpper(sql), " WHERE "); i >= 0 && unique {
			wn = rowutil.WhereNull(t, sql[i+len(" WHERE "):])
		}
		for i := range list {
			if list[i].name == name {
				list[i].whereNull = wn
			}
		}
		if wn != nil {
			note(s, "index", t.Name+"."+name, spec.NoteApproximated, "written as a full unique index: WHERE %s IS NULL is a soft-delete key, which the soft_delete trait declares", wn.Name)
		}
		if wn == nil {
			note(s, "index", t.Name+"."+name, spec.NoteSkipped, "partial indexes have no dlayer form")
			list = slices.DeleteFunc(list, func(x ix) bool { return x.name == name })
		}
	}
	uqNames := constraintNames(ddl, "UNIQUE")
	for _, x := range list {
		if x.origin == "pk" {
			continue
		}
		var cols []*spec.Column
		expr := false
		err := rowutil.Each(ctx, q, `SELECT seqno, name FROM pragma_index_info(?) ORDER BY seqno`, 2, func(v []any) error {
			c := t.Column(rowutil.Str(v[1]))
			if c == nil {
				expr = true
				return nil
			}
			cols = append(cols, c)
			return nil
		}, x.name)
		if err != nil {
			return fmt.Errorf("index %s: %w", x.name, err)
		}
		if expr || len(cols) == 0 {
			note(s, "index", t.Name+"."+x.name, spec.NoteSkipped, "indexes on expressions have no dlayer form")
			continue
		}
		if x.origin == "u" {
			name := uqNames[strings.Join(rowutil.ColumnNames(cols), ",")]
			t.Uniques = append(t.Uniques, &spec.Unique{Name: name, Columns: cols})
			continue
		}
		t.Indexes = append(t.Indexes, &spec.Index{Name: x.name, Columns: cols, Unique: x.unique, WhereNull: x.whereNull})
	}
	return nil
}

var typeRE = regexp.MustCompile(`^([A-Za-z ]+?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$`)

// parseType maps a declared column type to a neutral type. SQLite keeps
// declared types as written, so each dlayer type name reads back as itself;
// other names map by SQLite's affinity rules.
func parseType(decl string) (spec.Type, error) {
	decl = strings.TrimSpace(decl)
	if strings.HasPrefix(strings.ToUpper(decl), "TEXT CHECK") || strings.HasPrefix(strings.ToUpper(decl), "ENUM") {
		return spec.Type{Kind: spec.TypeText}, nil
	}
	m := typeRE.FindStringSubmatch(decl)
	if m == nil {
		return spec.Type{Kind: spec.TypeText}, nil
	}
	n1, _ := strconv.Atoi(m[2])
	n2, _ := strconv.Atoi(m[3])
	name := strings.ToUpper(strings.Join(strings.Fields(m[1]), " "))
	switch name {
	case "INTEGER", "INT", "MEDIUMINT":
		return spec.Type{Kind: spec.TypeInteger}, nil
	case "BIGINT", "INT8":
		return spec.Type{Kind: spec.TypeBigInt}, nil
	case "SMALLINT", "TINYINT", "INT2":
		return spec.Type{Kind: spec.TypeSmallInt}, nil
	case "VARCHAR", "CHARACTER VARYING", "NVARCHAR", "STRING":
		return spec.Type{Kind: spec.TypeString, Length: n1}, nil
	case "CHAR", "CHARACTER", "NCHAR":
		return spec.Type{Kind: spec.TypeString, Length: n1, Fixed: n1 > 0}, nil
	case "TEXT", "CLOB", "":
		return spec.Type{Kind: spec.TypeText}, nil
	case "BOOLEAN", "BOOL":
		return spec.Type{Kind: spec.TypeBoolean}, nil
	case "REAL", "FLOAT":
		return spec.Type{Kind: spec.TypeFloat}, nil
	case "DOUBLE", "DOUBLE PRECISION":
		return spec.Type{Kind: spec.TypeDouble}, nil
	case "NUMERIC", "DECIMAL":
		return spec.Type{Kind: spec.TypeDecimal, Precision: n1, Scale: n2}, nil
	case "DATE":
		return spec.Type{Kind: spec.TypeDate}, nil
	// A declared fractional-second precision is not read: SQLite keeps none
	// and dlayer's DDL writes none, so reading it would not round-trip.
	case "TIME":
		return spec.Type{Kind: spec.TypeTime}, nil
	case "TIMESTAMP", "DATETIME":
		return spec.Type{Kind: spec.TypeTimestamp}, nil
	case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		return spec.Type{Kind: spec.TypeTimestamp, Timezone: true}, nil
	case "TIMETZ", "TIME WITH TIME ZONE":
		return spec.Type{Kind: spec.TypeTime, Timezone: true}, nil
	case "UUID":
		return spec.Type{Kind: spec.TypeUUID}, nil
	case "JSON", "JSONB":
		return spec.Type{Kind: spec.TypeJSON}, nil
	case "BLOB", "BYTEA", "BINARY", "VARBINARY":
		return spec.Type{Kind: spec.TypeBytes, Length: n1}, nil
	}
	// SQLite's affinity rules.
	switch u := strings.ToUpper(decl); {
	case strings.Contains(u, "INT"):
		return spec.Type{Kind: spec.TypeBigInt}, nil
	case strings.Contains(u, "CHAR") || strings.Contains(u, "CLOB") || strings.Contains(u, "TEXT"):
		return spec.Type{Kind: spec.TypeText}, nil
	case strings.Contains(u, "BLOB"):
		return spec.Type{Kind: spec.TypeBytes}, nil
	case strings.Contains(u, "REAL") || strings.Contains(u, "FLOA") || strings.Contains(u, "DOUB"):
		return spec.Type{Kind: spec.TypeDouble}, nil
	}
	return spec.Type{}, fmt.Errorf("type %q has no dlayer equivalent", decl)
}

// parseDefault maps a dflt_value (the default's SQL text) to a neutral default.
func parseDefault(def string, t spec.Type) *spec.Default {
	e := strings.TrimSpace(def)
	for len(e) > 1 && e[0] == '(' && e[len(e)-1] == ')' {
		e = strings.TrimSpace(e[1 : len(e)-1])
	}
	switch strings.ToLower(e) {
	case "null", "":
		return nil
	case "current_timestamp", "current_date", "current_time", "now()":
		return &spec.Default{Kind: spec.DefaultNow}
	case "true":
		return &spec.Default{Kind: spec.DefaultLiteral, Value: true}
	case "false":
		return &spec.Default{Kind: spec.DefaultLiteral, Value: false}
	}
	if strings.Contains(e, "randomblob(") {
		return &spec.Default{Kind: spec.DefaultUUID}
	}
	if len(e) >= 2 && e[0] == '\'' && e[len(e)-1] == '\'' && !strings.Contains(strings.ReplaceAll(e[1:len(e)-1], "''", ""), "'") {
		return &spec.Default{Kind: spec.DefaultLiteral, Value: strings.ReplaceAll(e[1:len(e)-1], "''", "'")}
	}
	if _, err := strconv.ParseFloat(e, 64); err == nil && t.Kind == spec.TypeDecimal {
		return &spec.Default{Kind: spec.DefaultLiteral, Value: e} // decimal defaults are text
	}
	if n, err := strconv.ParseInt(e, 10, 64); err == nil {
		if t.Kind == spec.TypeBoolean && (n == 0 || n == 1) {
			return &spec.Default{Kind: spec.DefaultLiteral, Value: n == 1}
		}
		return &spec.Default{Kind: spec.DefaultLiteral, Value: n}
	}
	if f, err := strconv.ParseFloat(e, 64); err == nil {
		if t.Kind == spec.TypeDecimal {
			return &spec.Default{Kind: spec.DefaultLiteral, Value: e}
		}
		return &spec.Default{Kind: spec.DefaultLiteral, Value: f}
	}
	return &spec.Default{Kind: spec.DefaultSQL, SQL: def}
}

// splitDefs splits the body of a CREATE TABLE statement into its column and
// constraint definitions, at top-level commas outside quotes.
func splitDefs(ddl string) []string {
	open := strings.IndexByte(ddl, '(')
	if open < 0 {
		return nil
	}
	var out []string
	depth := 0
	start := open + 1
	for i := open + 1; i < len(ddl); i++ {
		switch ch := ddl[i]; ch {
		case '\'', '"', '`':
			j := strings.IndexByte(ddl[i+1:], ch)
			if j < 0 {
				return out
			}
			i += j + 1
		case '[':
			j := strings.IndexByte(ddl[i+1:], ']')
			if j < 0 {
				return out
			}
			i += j + 1
		case '(':
			depth++
		case ')':
			if depth == 0 {
				out = append(out, strings.TrimSpace(ddl[start:i]))
				return out
			}
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(ddl[start:i]))
				start = i + 1
			}
		}
	}
	return out
}

// firstIdent returns the leading identifier of s (unquoted) and the rest.
func firstIdent(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	switch q := s[0]; q {
	case '"', '`', '[':
		end := byte(q)
		if q == '[' {
			end = ']'
		}
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			if s[i] == end {
				if end != ']' && i+1 < len(s) && s[i+1] == end {
					b.WriteByte(end)
					i++
					continue
				}
				return b.String(), s[i+1:]
			}
			b.WriteByte(s[i])
		}
		return b.String(), ""
	}
	i := 0
	for i < len(s) && (s[i] == '_' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
		i++
	}
	return s[:i], s[i:]
}

// constraintNames maps the column list of each named table constraint of
// the given kind ("FOREIGN" or "UNIQUE") to its name.
func constraintNames(ddl, kind string) map[string]string {
	out := map[string]string{}
	for _, def := range splitDefs(ddl) {
		w, rest := firstIdent(def)
		if !strings.EqualFold(w, "CONSTRAINT") {
			continue
		}
		name, rest := firstIdent(rest)
		w, rest = firstIdent(rest)
		if !strings.EqualFold(w, kind) {
			continue
		}
		if kind == "FOREIGN" {
			_, rest = firstIdent(rest) // KEY
		}
		rest = strings.TrimSpace(rest)
		if !strings.HasPrefix(rest, "(") {
			continue
		}
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			continue
		}
		var cols []string
		for _, c := range strings.Split(rest[1:end], ",") {
			n, _ := firstIdent(c)
			cols = append(cols, n)
		}
		out[strings.Join(cols, ",")] = name
	}
	return out
}

var enumCheckRE = regexp.MustCompile(`^(?:"((?:[^"]|"")+)"|(\w+))\s+IN\s*\((.*)\)$`)
var enumValueRE = regexp.MustCompile(`'((?:[^']|'')*)'`)

// tableChecks returns the checks of t, except the column-level
// CHECK (col IN (…)) that dlayer writes for an enum column: that one makes
// the column an enum.
func tableChecks(t *spec.Table, ddl string) []*spec.Check {
	var out []*spec.Check
	for _, def := range splitDefs(ddl) {
		name, _ := firstIdent(def)
		col := t.Column(name)
		for _, ck := range checksIn(def) {
			if col != nil && ck.Name == "" {
				if m := enumCheckRE.FindStringSubmatch(ck.Expr); m != nil &&
					(strings.ReplaceAll(m[1], `""`, `"`) == col.Name || m[2] == col.Name) {
					var vals []string
					for _, v := range enumValueRE.FindAllStringSubmatch(m[3], -1) {
						vals = append(vals, strings.ReplaceAll(v[1], "''", "'"))
					}
					col.Type = spec.Type{Kind: spec.TypeEnum, Values: vals}
					continue
				}
			}
			out = append(out, ck)
		}
	}
	return out
}

// parseChecks finds the CHECK constraints of a CREATE TABLE statement,
// table-level and column-level, with their names when given.
func parseChecks(ddl string) []*spec.Check {
	var out []*spec.Check
	for _, def := range splitDefs(ddl) {
		out = append(out, checksIn(def)...)
	}
	return out
}

func checksIn(def string) []*spec.Check {
	var out []*spec.Check
	name := ""
	s := def
	for s != "" {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" {
			break
		}
		if s[0] == '\'' {
			j := strings.IndexByte(s[1:], '\'')
			if j < 0 {
				break
			}
			s = s[j+2:]
			continue
		}
		if s[0] == '(' {
			// Skip a parenthesised group that is not a check.
			_, rest := balanced(s)
			s = rest
			continue
		}
		w, rest := firstIdent(s)
		if w == "" {
			s = s[1:]
			continue
		}
		switch {
		case strings.EqualFold(w, "CONSTRAINT"):
			name, rest = firstIdent(rest)
		case strings.EqualFold(w, "CHECK"):
			expr, r2 := balanced(strings.TrimSpace(rest))
			out = append(out, &spec.Check{Name: name, Expr: expr})
			name, rest = "", r2
		}
		s = rest
	}
	return out
}

// balanced returns the text inside the parenthesised group s starts with,
// and what follows it.
func balanced(s string) (string, string) {
	if !strings.HasPrefix(s, "(") {
		return "", s
	}
	depth := 0
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; ch {
		case '\'', '"', '`':
			j := strings.IndexByte(s[i+1:], ch)
			if j < 0 {
				return s[1:], ""
			}
			i += j + 1
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return strings.TrimSpace(s[1:i]), s[i+1:]
			}
		}
	}
	return s[1:], ""
}
