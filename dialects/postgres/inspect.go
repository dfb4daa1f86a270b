package postgres

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

// Inspect reads the tables of the connection's current schema (the first
// schema of search_path), except those named in skip, into the neutral
// model: columns with types, nullability, defaults and identity, primary
// keys, foreign keys with their actions, unique constraints, indexes (those
// not backing a constraint, and not on expressions) and check constraints.
func Inspect(ctx context.Context, q dialects.Queryer, skip ...string) (*spec.Schema, error) {
	if ctx == nil {
		return nil, dialects.ErrNilContext
	}
	if q == nil {
		return nil, dialects.ErrNilQueryer
	}
	in := &inspector{q: q, tables: map[string]*spec.Table{}}
	if err := in.run(ctx, skip); err != nil {
		return nil, fmt.Errorf("inspect postgres schema: %w", err)
	}
	return in.s, nil
}

type inspector struct {
	q      dialects.Queryer
	s      *spec.Schema
	tables map[string]*spec.Table
}

// sep separates names in aggregated lists (identifiers cannot hold it).
const sep = "\x1f"

func (in *inspector) run(ctx context.Context, skip []string) error {
	in.s = &spec.Schema{}
	err := rowutil.Each(ctx, in.q, `SELECT c.relname, COALESCE(obj_description(c.oid, 'pg_class'), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname`, 2, func(v []any) error {
		name := rowutil.Str(v[0])
		if slices.Contains(skip, name) {
			return nil
		}
		t := &spec.Table{Name: name, Comment: rowutil.Str(v[1])}
		in.tables[name] = t
		in.s.Tables = append(in.s.Tables, t)
		return nil
	})
	if err != nil {
		return fmt.Errorf("tables: %w", err)
	}
	// Enum types by name; a name in several schemas means the one an
	// unqualified name resolves to (the first on the search path), else
	// the first by schema name.
	enums := map[string][]string{}
	enumNS := map[string]string{}
	err = rowutil.Each(ctx, in.q, `SELECT t.typname, n.nspname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
JOIN pg_namespace n ON n.oid = t.typnamespace
ORDER BY t.typname, array_position(current_schemas(false), n.nspname) NULLS LAST, n.nspname, e.enumsortorder`, 3, func(v []any) error {
		name, ns := rowutil.Str(v[0]), rowutil.Str(v[1])
		if first, ok := enumNS[name]; ok && first != ns {
			return nil
		}
		enumNS[name] = ns
		enums[name] = append(enums[name], rowutil.Str(v[2]))
		return nil
	})
	if err != nil {
		return fmt.Errorf("enum types: %w", err)
	}
	err = rowutil.Each(ctx, in.q, `SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), t.typname, t.typtype::text,
  a.attnotnull, COALESCE(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text, COALESCE(col_description(c.oid, a.attnum), ''),
  a.attgenerated::text
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum`, 10, func(v []any) error {
		t := in.tables[rowutil.Str(v[0])]
		if t == nil {
			return nil
		}
		c := &spec.Column{Name: rowutil.Str(v[1]), Table: t, Nullable: !rowutil.Bool(v[5]), Comment: rowutil.Str(v[8])}
		typ, err := parseType(rowutil.Str(v[2]), rowutil.Str(v[3]), rowutil.Str(v[4]), enums)
		if err != nil {
			return fmt.Errorf("column %s.%s: %w", t.Name, c.Name, err)
		}
		c.Type = typ
		if id := rowutil.Str(v[7]); id == "a" || id == "d" {
			c.Autoincrement = true
		}
		def := rowutil.Str(v[6])
		if g := rowutil.Str(v[9]); g != "" && def != "" {
			// attgenerated 's': the "default" is the generation expression.
			c.Computed = &spec.Computed{SQL: def, Stored: g == "s"}
		} else if strings.HasPrefix(def, "nextval(") {
			c.Autoincrement = true
		} else {
			c.ServerDefault = parseDefault(def, c.Type)
		}
		t.Columns = append(t.Columns, c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("columns: %w", err)
	}
	in.s.Index()
	if err := in.constraints(ctx); err != nil {
		return fmt.Errorf("constraints: %w", err)
	}
	if err := in.indexes(ctx); err != nil {
		return fmt.Errorf("indexes: %w", err)
	}
	return nil
}

func (in *inspector) cols(t *spec.Table, names string) ([]*spec.Column, error) {
	var out []*spec.Column
	for _, n := range strings.Split(names, sep) {
		c := t.Column(n)
		if c == nil {
			return nil, fmt.Errorf("table %s has no column %q", t.Name, n)
		}
		out = append(out, c)
	}
	return out, nil
}

var actions = map[string]spec.Action{"a": spec.ActionNoAction, "r": spec.ActionRestrict, "c": spec.ActionCascade,
	"n": spec.ActionSetNull, "d": spec.ActionSetDefault}

func (in *inspector) constraints(ctx context.Context) error {
	return rowutil.Each(ctx, in.q, `SELECT c.relname, con.conname, con.contype::text,
  (SELECT string_agg(a.attname, chr(31) ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num),
  COALESCE(rc.relname, ''),
  COALESCE((SELECT string_agg(a.attname, chr(31) ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
     JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num), ''),
  con.confdeltype::text, con.confupdtype::text, pg_get_constraintdef(con.oid)
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
WHERE n.nspname = current_schema() AND con.contype IN ('p', 'u', 'f', 'c')
ORDER BY c.relname, con.contype, con.conname`, 9, func(v []any) error {
		t := in.tables[rowutil.Str(v[0])]
		if t == nil {
			return nil
		}
		name, kind := rowutil.Str(v[1]), rowutil.Str(v[2])
		if kind == "c" {
			t.Checks = append(t.Checks, &spec.Check{Name: name, Expr: checkExpr(rowutil.Str(v[8]))})
			return nil
		}
		cols, err := in.cols(t, rowutil.Str(v[3]))
		if err != nil {
			return err
		}
		switch kind {
		case "p":
			t.PrimaryKey = cols
			for _, c := range cols {
				c.PrimaryKey = true
			}
		case "u":
			t.Uniques = append(t.Uniques, &spec.Unique{Name: name, Columns: cols})
		case "f":
			ref := in.tables[rowutil.Str(v[4])]
			if ref == nil {
				return fmt.Errorf("foreign key %s of %s references %q outside the schema", name, t.Name, rowutil.Str(v[4]))
			}
			refCols, err := in.cols(ref, rowutil.Str(v[5]))
			if err != nil {
				return err
			}
			fk := &spec.ForeignKey{Name: name, Table: t, Columns: cols, RefTable: ref, RefColumns: refCols,
				OnDelete: actions[rowutil.Str(v[6])], OnUpdate: actions[rowutil.Str(v[7])]}
			if fk.OnDelete == spec.ActionNoAction {
				fk.OnDelete = spec.ActionNone
			}
			if fk.OnUpdate == spec.ActionNoAction {
				fk.OnUpdate = spec.ActionNone
			}
			if len(cols) == 1 {
				cols[0].ForeignKey = fk
			}
			t.ForeignKeys = append(t.ForeignKeys, fk)
		}
		return nil
	})
}

func (in *inspector) indexes(ctx context.Context) error {
	return rowutil.Each(ctx, in.q, `SELECT c.relname, ic.relname, i.indisunique,
  (SELECT string_agg(COALESCE(a.attname, ''), chr(31) ORDER BY k.ord) FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord)
     LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num),
  (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid)
ORDER BY c.relname, ic.relname`, 5, func(v []any) error {
		t := in.tables[rowutil.Str(v[0])]
		if t == nil || rowutil.Bool(v[4]) {
			return nil // expression and partial indexes have no neutral form
		}
		cols, err := in.cols(t, rowutil.Str(v[3]))
		if err != nil {
			return nil
		}
		t.Indexes = append(t.Indexes, &spec.Index{Name: rowutil.Str(v[1]), Columns: cols, Unique: rowutil.Bool(v[2])})
		return nil
	})
}

// checkExpr strips "CHECK (…)" from pg_get_constraintdef output.
func checkExpr(def string) string {
	def = strings.TrimSpace(def)
	def = strings.TrimSuffix(def, " NOT VALID")
	if s, ok := strings.CutPrefix(def, "CHECK "); ok {
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
			s = s[1 : len(s)-1]
		}
		return s
	}
	return def
}

var typeRE = regexp.MustCompile(`^([a-z ]+?)(?:\((\d+)(?:,(\d+))?\))?( with time zone| without time zone)?(\[\])?$`)

// parseType maps a format_type() string to a neutral type.
func parseType(formatted, typname, typtype string, enums map[string][]string) (spec.Type, error) {
	if typtype == "e" {
		return spec.Type{Kind: spec.TypeEnum, Values: enums[typname], EnumName: typname}, nil
	}
	m := typeRE.FindStringSubmatch(formatted)
	if m == nil || m[5] != "" {
		return spec.Type{}, fmt.Errorf("type %q has no dlayer equivalent", formatted)
	}
	n1, _ := strconv.Atoi(m[2])
	n2, _ := strconv.Atoi(m[3])
	tz := m[4] == " with time zone"
	zero := m[2] == "0" // time(0), timestamp(0): whole seconds
	switch m[1] {
	case "integer":
		return spec.Type{Kind: spec.TypeInteger}, nil
	case "bigint":
		return spec.Type{Kind: spec.TypeBigInt}, nil
	case "smallint":
		return spec.Type{Kind: spec.TypeSmallInt}, nil
	case "character varying":
		return spec.Type{Kind: spec.TypeString, Length: n1}, nil
	case "character":
		return spec.Type{Kind: spec.TypeString, Length: max(n1, 1), Fixed: true}, nil
	case "text":
		return spec.Type{Kind: spec.TypeText}, nil
	case "boolean":
		return spec.Type{Kind: spec.TypeBoolean}, nil
	case "real":
		return spec.Type{Kind: spec.TypeFloat}, nil
	case "double precision":
		return spec.Type{Kind: spec.TypeDouble}, nil
	case "numeric":
		return spec.Type{Kind: spec.TypeDecimal, Precision: n1, Scale: n2}, nil
	case "date":
		return spec.Type{Kind: spec.TypeDate}, nil
	case "time":
		return spec.Type{Kind: spec.TypeTime, Precision: n1, Timezone: tz, ZeroPrecision: zero}, nil
	case "timestamp":
		return spec.Type{Kind: spec.TypeTimestamp, Precision: n1, Timezone: tz, ZeroPrecision: zero}, nil
	case "uuid":
		return spec.Type{Kind: spec.TypeUUID}, nil
	case "json", "jsonb":
		return spec.Type{Kind: spec.TypeJSON}, nil
	case "bytea":
		return spec.Type{Kind: spec.TypeBytes}, nil
	}
	return spec.Type{}, fmt.Errorf("type %q has no dlayer equivalent", formatted)
}

var castRE = regexp.MustCompile(`^(.*)::[a-z][a-z0-9_ ]*(\(\d+(,\d+)?\))?(\[\])?$`)

// parseDefault maps a column default expression to a neutral default.
func parseDefault(expr string, t spec.Type) *spec.Default {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return nil
	}
	e := expr
	for {
		m := castRE.FindStringSubmatch(e)
		if m == nil {
			break
		}
		e = strings.TrimSpace(m[1])
		if strings.HasPrefix(e, "(") && strings.HasSuffix(e, ")") {
			e = strings.TrimSpace(e[1 : len(e)-1])
		}
	}
	lower := strings.ToLower(e)
	switch lower {
	case "null":
		return nil
	case "now()", "current_timestamp", "current_timestamp()", "localtimestamp", "transaction_timestamp()",
		"current_date", "localtime", "current_time":
		return &spec.Default{Kind: spec.DefaultNow}
	case "gen_random_uuid()":
		return &spec.Default{Kind: spec.DefaultUUID}
	case "true":
		return &spec.Default{Kind: spec.DefaultLiteral, Value: true}
	case "false":
		return &spec.Default{Kind: spec.DefaultLiteral, Value: false}
	}
	lit := e
	quoted := false
	if len(e) >= 2 && e[0] == '\'' && e[len(e)-1] == '\'' && !strings.Contains(strings.ReplaceAll(e[1:len(e)-1], "''", ""), "'") {
		lit, quoted = strings.ReplaceAll(e[1:len(e)-1], "''", "'"), true
	}
	switch {
	case t.Kind.IsInteger():
		if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
			return &spec.Default{Kind: spec.DefaultLiteral, Value: n}
		}
	case t.Kind == spec.TypeFloat || t.Kind == spec.TypeDouble:
		if f, err := strconv.ParseFloat(lit, 64); err == nil {
			return &spec.Default{Kind: spec.DefaultLiteral, Value: f}
		}
	case t.Kind == spec.TypeBoolean && quoted:
		if b, err := strconv.ParseBool(lit); err == nil {
			return &spec.Default{Kind: spec.DefaultLiteral, Value: b}
		}
	}
	if quoted {
		return &spec.Default{Kind: spec.DefaultLiteral, Value: lit}
	}
	if _, err := strconv.ParseFloat(e, 64); err == nil {
		return &spec.Default{Kind: spec.DefaultLiteral, Value: e}
	}
	return &spec.Default{Kind: spec.DefaultSQL, SQL: expr}
}
