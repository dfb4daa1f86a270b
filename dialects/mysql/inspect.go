package mysql

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/internal/rowutil"
	"github.com/dlayer/dlayer/spec"
)

// Inspect reads the tables of the connection's current database, except
// those named in skip, into the neutral model: columns with types,
// nullability, defaults and auto_increment, primary keys, foreign keys with
// their actions, unique keys, indexes and check constraints. Indexes the
// server created for a foreign key (named after it) are left out, and so
// are MariaDB's json_valid checks, which mark a JSON column.
func Inspect(ctx context.Context, q dialects.Queryer, skip ...string) (*spec.Schema, error) {
	if ctx == nil {
		return nil, dialects.ErrNilContext
	}
	if q == nil {
		return nil, dialects.ErrNilQueryer
	}
	in := &inspector{q: q, tables: map[string]*spec.Table{}}
	if err := in.run(ctx, skip); err != nil {
		return nil, fmt.Errorf("inspect mysql database: %w", err)
	}
	return in.s, nil
}

type inspector struct {
	q      dialects.Queryer
	s      *spec.Schema
	tables map[string]*spec.Table
}

func (in *inspector) run(ctx context.Context, skip []string) error {
	in.s = &spec.Schema{}
	err := rowutil.Each(ctx, in.q, `SELECT TABLE_NAME, TABLE_COMMENT, TABLE_TYPE FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ('BASE TABLE', 'VIEW') ORDER BY TABLE_NAME`, 3, func(v []any) error {
		name := rowutil.Str(v[0])
		if slices.Contains(skip, name) {
			return nil
		}
		t := &spec.Table{Name: name, Comment: rowutil.Str(v[1])}
		if rowutil.Str(v[2]) == "VIEW" {
			t.View, t.Comment = &spec.View{}, ""
		}
		in.tables[name] = t
		in.s.Tables = append(in.s.Tables, t)
		return nil
	})
	if err != nil {
		return fmt.Errorf("tables: %w", err)
	}
	// Checks first: MariaDB marks JSON columns with a json_valid check.
	jsonCols := map[string]bool{}
	checks := map[string][]*spec.Check{}
	err = rowutil.Each(ctx, in.q, `SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME`, 3, func(v []any) error {
		tbl, name, clause := rowutil.Str(v[0]), rowutil.Str(v[1]), rowutil.Str(v[2])
		if clause == "json_valid(`"+name+"`)" {
			jsonCols[tbl+"."+name] = true
			return nil
		}
		checks[tbl] = append(checks[tbl], &spec.Check{Name: name, Expr: clause})
		return nil
	})
	if err != nil {
		// MySQL 8 has no TABLE_NAME in CHECK_CONSTRAINTS.
		err = rowutil.Each(ctx, in.q, `SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS cc JOIN information_schema.TABLE_CONSTRAINTS tc
  ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
WHERE cc.CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1, 2`, 3, func(v []any) error {
			checks[rowutil.Str(v[0])] = append(checks[rowutil.Str(v[0])], &spec.Check{Name: rowutil.Str(v[1]), Expr: rowutil.Str(v[2])})
			return nil
		})
		if err != nil {
			return fmt.Errorf("checks: %w", err)
		}
	}
	err = rowutil.Each(ctx, in.q, `SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,
  COLUMN_COMMENT, COALESCE(CHARACTER_MAXIMUM_LENGTH, 0), COALESCE(NUMERIC_PRECISION, 0), COALESCE(NUMERIC_SCALE, 0),
  COALESCE(DATETIME_PRECISION, 0), COLUMN_DEFAULT IS NULL, COALESCE(GENERATION_EXPRESSION, '')
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`, 14, func(v []any) error {
		t := in.tables[rowutil.Str(v[0])]
		if t == nil {
			return nil
		}
		c := &spec.Column{Name: rowutil.Str(v[1]), Table: t, Nullable: rowutil.Str(v[4]) == "YES", Comment: rowutil.Str(v[7])}
		typ, err := parseType(strings.ToLower(rowutil.Str(v[2])), rowutil.Str(v[3]), int(rowutil.Int(v[8])),
			int(rowutil.Int(v[9])), int(rowutil.Int(v[10])), int(rowutil.Int(v[11])))
		if err != nil {
			typ = nativeType(rowutil.Str(v[3])) // YEAR, SET, GEOMETRY, …: kept as written
		}
		if jsonCols[t.Name+"."+c.Name] {
			typ = spec.Type{Kind: spec.TypeJSON}
		}
		c.Type = typ
		extra := strings.ToLower(rowutil.Str(v[6]))
		c.Autoincrement = strings.Contains(extra, "auto_increment")
		if rowutil.Int(v[12]) == 0 {
			c.ServerDefault = parseDefault(rowutil.Str(v[5]), extra, c.Type)
			nativeDefault(c, rowutil.Str(v[5]))
		}
		if strings.Contains(extra, "on update current_timestamp") {
			c.ServerOnUpdate = &spec.Default{Kind: spec.DefaultNow}
		}
		if expr := rowutil.Str(v[13]); expr != "" && strings.Contains(extra, "generated") && !strings.Contains(extra, "default_generated") {
			c.Computed = &spec.Computed{SQL: expr, Stored: strings.Contains(extra, "stored")}
			c.ServerDefault = nil
		}
		t.Columns = append(t.Columns, c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("columns: %w", err)
	}
	in.s.Index()
	for name, cs := range checks {
		if t := in.tables[name]; t != nil {
			t.Checks = cs
		}
	}
	if err := in.keys(ctx); err != nil {
		return err
	}
	return in.others(ctx)
}

func (in *inspector) keys(ctx context.Context) error {
	type fkRow struct {
		t             *spec.Table
		name, ref     string
		cols, refCols []string
		upd, del      string
	}
	var fks []*fkRow
	fkByName := map[string]*fkRow{}
	err := rowutil.Each(ctx, in.q, `SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME,
  r.UPDATE_RULE, r.DELETE_RULE
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA
  AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`, 7, func(v []any) error {
		t := in.tables[rowutil.Str(v[0])]
		if t == nil {
			return nil
		}
		key := t.Name + "." + rowutil.Str(v[1])
		f := fkByName[key]
		if f == nil {
			f = &fkRow{t: t, name: rowutil.Str(v[1]), ref: rowutil.Str(v[3]), upd: rowutil.Str(v[5]), del: rowutil.Str(v[6])}
			fkByName[key] = f
			fks = append(fks, f)
		}
		f.cols = append(f.cols, rowutil.Str(v[2]))
		f.refCols = append(f.refCols, rowutil.Str(v[4]))
		return nil
	})
	if err != nil {
		return fmt.Errorf("foreign keys: %w", err)
	}
	cols := func(t *spec.Table, names []string) ([]*spec.Column, error) {
		out := make([]*spec.Column, len(names))
		for i, n := range names {
			if out[i] = t.Column(n); out[i] == nil {
				return nil, fmt.Errorf("table %s has no column %q", t.Name, n)
			}
		}
		return out, nil
	}
	for _, f := range fks {
		ref := in.tables[f.ref]
		if ref == nil || ref.View != nil {
			in.note("foreign key", f.t.Name+"."+f.name, spec.NoteSkipped, "references %q, which is not an inspected table", f.ref)
			continue
		}
		fk := &spec.ForeignKey{Name: f.name, Table: f.t, RefTable: ref, OnDelete: fkAction(f.del), OnUpdate: fkAction(f.upd)}
		if fk.Columns, err = cols(f.t, f.cols); err != nil {
			return err
		}
		if fk.RefColumns, err = cols(ref, f.refCols); err != nil {
			return err
		}
		if len(fk.Columns) == 1 {
			fk.Columns[0].ForeignKey = fk
		}
		f.t.ForeignKeys = append(f.t.ForeignKeys, fk)
	}
	type ixRow struct {
		name   string
		unique bool
		kind   spec.IndexKind
		cols   []string
	}
	idx := map[string][]*ixRow{}
	err = rowutil.Each(ctx, in.q, `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, INDEX_TYPE FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, 5, func(v []any) error {
		tbl, name := rowutil.Str(v[0]), rowutil.Str(v[1])
		list := idx[tbl]
		if len(list) == 0 || list[len(list)-1].name != name {
			r := &ixRow{name: name, unique: rowutil.Int(v[2]) == 0}
			if strings.EqualFold(rowutil.Str(v[4]), "FULLTEXT") {
				r.kind = spec.IndexFulltext
			}
			list = append(list, r)
			idx[tbl] = list
		}
		last := list[len(list)-1]
		last.cols = append(last.cols, rowutil.Str(v[3]))
		return nil
	})
	if err != nil {
		return fmt.Errorf("indexes: %w", err)
	}
	for _, t := range in.s.Tables {
	next:
		for _, ix := range idx[t.Name] {
			cs, err := cols(t, ix.cols)
			if err != nil {
				in.note("index", t.Name+"."+ix.name, spec.NoteSkipped, "indexes on expressions have no dlayer form")
				continue
			}
			switch {
			case ix.name == "PRIMARY":
				t.PrimaryKey = cs
				for _, c := range cs {
					c.PrimaryKey = true
				}
				continue
			case ix.unique:
				t.Uniques = append(t.Uniques, &spec.Unique{Name: ix.name, Columns: cs})
				continue
			}
			for _, fk := range t.ForeignKeys {
				if fk.Name == ix.name && slices.Equal(ix.cols, rowutil.ColumnNames(fk.Columns)) {
					continue next // created by the server for the foreign key
				}
			}
			t.Indexes = append(t.Indexes, &spec.Index{Name: ix.name, Columns: cs, Kind: ix.kind})
		}
	}
	return nil
}

// fkAction maps a referential rule of information_schema to an action.
// MySQL and MariaDB report RESTRICT both for an explicit RESTRICT and for a
// foreign key that states no action (and InnoDB treats both, and NO
// ACTION, alike), so RESTRICT reads as "no action stated": the DDL made
// from it states none, and reads back the same.
func fkAction(rule string) spec.Action {
	if a := rowutil.Action(rule); a != spec.ActionRestrict {
		return a
	}
	return spec.ActionNone
}

// parseType maps information_schema type columns to a neutral type.
// columnType is COLUMN_TYPE as the server gives it (enum values keep their
// case).
func parseType(dataType, columnType string, length, precision, scale, dtPrecision int) (spec.Type, error) {
	t, err := parseType1(dataType, strings.ToLower(columnType), length, precision, scale, dtPrecision)
	if err != nil {
		return t, err
	}
	switch {
	case t.Kind == spec.TypeEnum:
		t.Values = enumValues(columnType)
	case t.Kind.IsNumeric() && strings.Contains(strings.ToLower(columnType), " unsigned"):
		t.Unsigned = true
	case t.Kind == spec.TypeTime || t.Kind == spec.TypeTimestamp:
		// dlayer's default is microseconds; whole seconds must be said.
		switch t.Precision {
		case 6:
			t.Precision = 0
		case 0:
			t.ZeroPrecision = true
		}
	}
	return t, nil
}

// enumValues reads the members of enum('a','b”c',…) byte for byte: quotes
// doubled and backslashes escaped as the server writes them.
func enumValues(columnType string) []string {
	open := strings.IndexByte(columnType, '(')
	if open < 0 {
		return nil
	}
	var vals []string
	var b strings.Builder
	in := false
	s := columnType[open+1:]
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case !in && ch == '\'':
			in = true
			b.Reset()
		case !in:
			// separators, the closing parenthesis
		case ch == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case ch == '\'':
			in = false
			vals = append(vals, b.String())
		case ch == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		default:
			b.WriteByte(ch)
		}
	}
	return vals
}

func parseType1(dataType, columnType string, length, precision, scale, dtPrecision int) (spec.Type, error) {
	switch dataType {
	case "int", "mediumint":
		return spec.Type{Kind: spec.TypeInteger}, nil
	case "bigint":
		return spec.Type{Kind: spec.TypeBigInt}, nil
	case "smallint":
		return spec.Type{Kind: spec.TypeSmallInt}, nil
	case "tinyint":
		if strings.HasPrefix(columnType, "tinyint(1)") {
			return spec.Type{Kind: spec.TypeBoolean}, nil
		}
		return spec.Type{Kind: spec.TypeSmallInt}, nil
	case "bool", "boolean":
		return spec.Type{Kind: spec.TypeBoolean}, nil
	case "varchar":
		return spec.Type{Kind: spec.TypeString, Length: length}, nil
	case "char":
		if length == 36 {
			return spec.Type{Kind: spec.TypeUUID}, nil
		}
		return spec.Type{Kind: spec.TypeString, Length: length, Fixed: true}, nil
	case "text", "mediumtext", "longtext", "tinytext":
		return spec.Type{Kind: spec.TypeText}, nil
	case "float":
		return spec.Type{Kind: spec.TypeFloat}, nil
	case "double", "real":
		return spec.Type{Kind: spec.TypeDouble}, nil
	case "decimal", "numeric":
		return spec.Type{Kind: spec.TypeDecimal, Precision: precision, Scale: scale}, nil
	case "date":
		return spec.Type{Kind: spec.TypeDate}, nil
	case "time":
		return spec.Type{Kind: spec.TypeTime, Precision: dtPrecision}, nil
	case "datetime":
		return spec.Type{Kind: spec.TypeTimestamp, Precision: dtPrecision}, nil
	case "timestamp":
		return spec.Type{Kind: spec.TypeTimestamp, Precision: dtPrecision, Timezone: true}, nil
	case "json":
		return spec.Type{Kind: spec.TypeJSON}, nil
	case "uuid":
		return spec.Type{Kind: spec.TypeUUID}, nil
	case "binary":
		if length == 16 {
			return spec.Type{Kind: spec.TypeUUID}, nil
		}
		return spec.Type{Kind: spec.TypeBytes, Length: length}, nil
	case "varbinary":
		return spec.Type{Kind: spec.TypeBytes, Length: length}, nil
	case "blob", "mediumblob", "longblob", "tinyblob":
		return spec.Type{Kind: spec.TypeBytes}, nil
	case "enum":
		return spec.Type{Kind: spec.TypeEnum}, nil
	}
	return spec.Type{}, fmt.Errorf("type %q has no dlayer equivalent", columnType)
}

// parseDefault maps COLUMN_DEFAULT (MariaDB quotes string literals, MySQL
// marks expressions DEFAULT_GENERATED) to a neutral default.
func parseDefault(def, extra string, t spec.Type) *spec.Default {
	lower := strings.ToLower(strings.TrimSpace(def))
	switch {
	case lower == "null":
		return nil
	case strings.HasPrefix(lower, "current_timestamp") || lower == "now()" || strings.HasPrefix(lower, "curdate(") ||
		strings.HasPrefix(lower, "curtime(") || strings.HasPrefix(lower, "current_date") || strings.HasPrefix(lower, "current_time"):
		return &spec.Default{Kind: spec.DefaultNow}
	case lower == "uuid()":
		return &spec.Default{Kind: spec.DefaultUUID}
	}
	lit := def
	if len(def) >= 2 && def[0] == '\'' && def[len(def)-1] == '\'' {
		lit = strings.ReplaceAll(strings.ReplaceAll(def[1:len(def)-1], "''", "'"), `\\`, `\`)
	} else if strings.Contains(extra, "default_generated") || !isNumber(def) && t.Kind != spec.TypeEnum && !t.Kind.IsTextual() && t.Kind != spec.TypeDate && !t.Kind.IsTemporal() {
		return &spec.Default{Kind: spec.DefaultSQL, SQL: def}
	}
	switch {
	case t.Kind == spec.TypeBoolean:
		switch lit {
		case "1":
			return &spec.Default{Kind: spec.DefaultLiteral, Value: true}
		case "0":
			return &spec.Default{Kind: spec.DefaultLiteral, Value: false}
		}
	case t.Kind.IsInteger():
		if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
			return &spec.Default{Kind: spec.DefaultLiteral, Value: n}
		}
	case t.Kind == spec.TypeFloat || t.Kind == spec.TypeDouble:
		if f, err := strconv.ParseFloat(lit, 64); err == nil {
			return &spec.Default{Kind: spec.DefaultLiteral, Value: f}
		}
	}
	return &spec.Default{Kind: spec.DefaultLiteral, Value: lit}
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}
