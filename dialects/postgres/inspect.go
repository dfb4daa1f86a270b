package postgres

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
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
	// partitions maps a partition's name to its parent table's.
	partitions map[string]string
	// domains maps a domain's name to its definition.
	domains map[string]*domain
}

// domain is a CREATE DOMAIN type: its base type as format_type writes it.
type domain struct {
	base, typname, typtype string
	notNull                bool
	def                    string
	checks                 []*spec.Check
}

// note records an object the inspector skipped or approximated.
func (in *inspector) note(kind, object string, action spec.NoteAction, format string, args ...any) {
	in.s.Notes = append(in.s.Notes, &spec.InspectNote{Kind: kind, Object: object, Action: action, Detail: fmt.Sprintf(format, args...)})
}

// sep separates names in aggregated lists (identifiers cannot hold it).
const sep = "\x1f"

func (in *inspector) run(ctx context.Context, skip []string) error {
	in.s = &spec.Schema{}
	in.partitions = map[string]string{}
	in.domains = map[string]*domain{}
	err := rowutil.Each(ctx, in.q, `SELECT c.relname, COALESCE(obj_description(c.oid, 'pg_class'), ''), c.relkind::text,
  CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) ELSE '' END,
  CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) ELSE '' END,
  COALESCE(array_to_string(c.reloptions, ', '), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
ORDER BY c.relname`, 6, func(v []any) error {
		name := rowutil.Str(v[0])
		if slices.Contains(skip, name) {
			return nil
		}
		t := &spec.Table{Name: name, Comment: rowutil.Str(v[1])}
		switch rowutil.Str(v[2]) {
		case "m":
			t.View = &spec.View{SQL: viewSQL(rowutil.Str(v[3])), Materialized: true}
		case "f":
			in.note("foreign table", name, spec.NoteSkipped, "foreign tables are not dlayer models")
			return nil
		case "v":
			t.View = &spec.View{SQL: viewSQL(rowutil.Str(v[3]))}
			if opts := rowutil.Str(v[5]); opts != "" {
				in.note("view", name, spec.NoteApproximated, "its options (%s) are not kept", opts)
			}
		case "p":
			t.Partition = &spec.Partition{By: rowutil.Str(v[4])}
		}
		in.tables[name] = t
		in.s.Tables = append(in.s.Tables, t)
		return nil
	})
	if err != nil {
		return fmt.Errorf("tables: %w", err)
	}
	if err := in.partitionsOf(ctx); err != nil {
		return fmt.Errorf("partitions: %w", err)
	}
	if err := in.readDomains(ctx); err != nil {
		return fmt.Errorf("domains: %w", err)
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
  COALESCE(et.typname, ''), COALESCE(et.typtype::text, ''), a.attgenerated::text
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum`, 12, func(v []any) error {
		t := in.tables[rowutil.Str(v[0])]
		if t == nil {
			return nil
		}
		c := &spec.Column{Name: rowutil.Str(v[1]), Table: t, Nullable: !rowutil.Bool(v[5]), Comment: rowutil.Str(v[8])}
		if t.View != nil {
			c.Nullable = true // PostgreSQL does not know whether a view's column holds nulls
		}
		formatted, typname, typtype := rowutil.Str(v[2]), rowutil.Str(v[3]), rowutil.Str(v[4])
		if dom := in.domains[typname]; typtype == "d" && dom != nil {
			formatted, typname, typtype = dom.base, dom.typname, dom.typtype
			c.Alias = rowutil.Str(v[3])
		}
		c.Type = in.columnType(formatted, typname, typtype, rowutil.Str(v[9]), rowutil.Str(v[10]), enums)
		c.Type.Domain = c.Alias
		if id := rowutil.Str(v[7]); id == "a" || id == "d" {
			c.Autoincrement = true
		}
		def := rowutil.Str(v[6])
		if g := rowutil.Str(v[11]); g != "" && def != "" {
			// attgenerated 's': the "default" is the generation expression.
			c.Computed = &spec.Computed{SQL: def, Stored: g == "s"}
		} else if strings.HasPrefix(def, "nextval(") {
			c.Autoincrement = true
		} else {
			c.ServerDefault = parseDefault(def, c.Type)
			if k := c.Type.Kind; (k == spec.TypeNative || k == spec.TypeArray) && c.ServerDefault != nil && c.ServerDefault.Kind == spec.DefaultLiteral {
				c.ServerDefault = &spec.Default{Kind: spec.DefaultSQL, SQL: def}
			}
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
	if err := in.others(ctx); err != nil {
		return err
	}
	return nil
}

// columnType maps a column's type, falling back to a native pass-through
// when dlayer has no equivalent: kept exactly on PostgreSQL, refused by the
// other dialects' schema checks, so not a loss.
func (in *inspector) columnType(formatted, typname, typtype, elemName, elemType string, enums map[string][]string) spec.Type {
	if strings.HasSuffix(formatted, "[]") {
		elem := strings.TrimSuffix(formatted, "[]")
		if !strings.HasSuffix(elem, "[]") {
			if et, err := parseType(elem, elemName, elemType, enums); err == nil && et.Kind != spec.TypeEnum {
				return spec.Type{Kind: spec.TypeArray, Items: &et}
			}
		}
	}
	t, err := parseType(formatted, typname, typtype, enums)
	if err == nil {
		return t
	}
	return spec.Type{Kind: spec.TypeNative, Native: map[string]string{"postgres": formatted}}
}

// viewSQL trims pg_get_viewdef's output to the bare query.
func viewSQL(def string) string {
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(def), ";"))
}

// partitionsOf records each partition on its parent's Partition.
func (in *inspector) partitionsOf(ctx context.Context) error {
	return rowutil.Each(ctx, in.q, `SELECT p.relname, c.relname, pg_get_expr(c.relpartbound, c.oid), c.relkind::text
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
JOIN pg_class p ON p.oid = i.inhparent
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relispartition AND c.relkind IN ('r', 'p')
ORDER BY p.relname, c.relname`, 4, func(v []any) error {
		parent, name := rowutil.Str(v[0]), rowutil.Str(v[1])
		in.partitions[name] = parent
		t := in.tables[parent]
		switch {
		case t == nil || t.Partition == nil:
			in.note("partition", name, spec.NoteSkipped, "partition of %s, which is not inspected", parent)
		case rowutil.Str(v[3]) == "p":
			in.note("partition", name, spec.NoteApproximated, "partition of %s is itself partitioned; its sub-partitions are not kept", parent)
			t.Partition.Partitions = append(t.Partition.Partitions, &spec.PartitionBound{Name: name, Bound: rowutil.Str(v[2])})
		default:
			t.Partition.Partitions = append(t.Partition.Partitions, &spec.PartitionBound{Name: name, Bound: rowutil.Str(v[2])})
		}
		return nil
	})
}

// readDomains reads the domains of the schema with their checks.
func (in *inspector) readDomains(ctx context.Context) error {
	err := rowutil.Each(ctx, in.q, `SELECT t.typname, format_type(t.typbasetype, t.typtypmod), b.typname, b.typtype::text,
  t.typnotnull, COALESCE(t.typdefault, '')
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_type b ON b.oid = t.typbasetype
WHERE n.nspname = current_schema() AND t.typtype = 'd' ORDER BY t.typname`, 6, func(v []any) error {
		in.domains[rowutil.Str(v[0])] = &domain{base: rowutil.Str(v[1]), typname: rowutil.Str(v[2]), typtype: rowutil.Str(v[3]),
			notNull: rowutil.Bool(v[4]), def: rowutil.Str(v[5])}
		return nil
	})
	if err != nil {
		return err
	}
	return rowutil.Each(ctx, in.q, `SELECT t.typname, con.conname, pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = current_schema() AND con.contype = 'c' ORDER BY t.typname, con.conname`, 3, func(v []any) error {
		if d := in.domains[rowutil.Str(v[0])]; d != nil {
			d.checks = append(d.checks, &spec.Check{Name: rowutil.Str(v[1]), Expr: checkExpr(rowutil.Str(v[2]))})
		}
		return nil
	})
}

// domainAliases turns the domains columns use into type aliases.
func (in *inspector) domainAliases() {
	used := map[string]bool{}
	for _, t := range in.s.Tables {
		for _, c := range t.Columns {
			if c.Alias != "" {
				used[c.Alias] = true
			}
		}
	}
	for name, d := range in.domains {
		if !used[name] {
			in.note("domain", name, spec.NoteSkipped, "no column of an inspected table uses it")
			continue
		}
		col := &spec.Column{Name: name, Nullable: !d.notNull}
		for _, t := range in.s.Tables {
			for _, c := range t.Columns {
				if c.Alias == name {
					col.Type = c.Type
				}
			}
		}
		if d.notNull {
			in.note("domain", name, spec.NoteApproximated, "NOT NULL of the domain is kept on each column, not on the domain")
		}
		if d.def != "" {
			col.ServerDefault = parseDefault(d.def, col.Type)
			in.note("domain", name, spec.NoteApproximated, "the domain's DEFAULT %s is not kept", d.def)
			col.ServerDefault = nil
		}
		in.s.Types = append(in.s.Types, &spec.TypeAlias{Name: name, Base: col.Type.Kind.String(), Column: col,
			Domain: &spec.Domain{Checks: d.checks}})
	}
}

// others notes the triggers, functions and procedures of the schema, and
// partitions' own constraints, which dlayer does not model.
func (in *inspector) others(ctx context.Context) error {
	err := rowutil.Each(ctx, in.q, `SELECT c.relname, t.tgname FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND NOT t.tgisinternal AND t.tgparentid = 0 ORDER BY c.relname, t.tgname`, 2, func(v []any) error {
		in.note("trigger", rowutil.Str(v[0])+"."+rowutil.Str(v[1]), spec.NoteSkipped, "triggers are not kept; recreate it in a migration")
		return nil
	})
	if err != nil {
		return fmt.Errorf("triggers: %w", err)
	}
	err = rowutil.Each(ctx, in.q, `SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
  CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = current_schema()
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1`, 2, func(v []any) error {
		in.note(rowutil.Str(v[1]), rowutil.Str(v[0]), spec.NoteSkipped, "%ss are not kept; recreate it in a migration", rowutil.Str(v[1]))
		return nil
	})
	if err != nil {
		return fmt.Errorf("functions: %w", err)
	}
	err = rowutil.Each(ctx, in.q, `SELECT c.relname, con.conname, pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relispartition AND con.conparentid = 0 AND con.contype IN ('f', 'u', 'c', 'x')
ORDER BY c.relname, con.conname`, 3, func(v []any) error {
		in.note("constraint", rowutil.Str(v[0])+"."+rowutil.Str(v[1]), spec.NoteSkipped,
			"constraint of partition %s (not of its partitioned table): %s", rowutil.Str(v[0]), rowutil.Str(v[2]))
		return nil
	})
	if err != nil {
		return fmt.Errorf("partition constraints: %w", err)
	}
	in.domainAliases()
	sort.SliceStable(in.s.Notes, func(i, j int) bool {
		a, b := in.s.Notes[i], in.s.Notes[j]
		if a.Object != b.Object {
			return a.Object < b.Object
		}
		return a.Kind < b.Kind
	})
	in.s.Index()
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
WHERE n.nspname = current_schema() AND con.contype IN ('p', 'u', 'f', 'c', 'x')
ORDER BY c.relname, con.contype, con.conname`, 9, func(v []any) error {
		t := in.tables[rowutil.Str(v[0])]
		if t == nil {
			return nil
		}
		name, kind := rowutil.Str(v[1]), rowutil.Str(v[2])
		if kind == "x" {
			in.note("constraint", t.Name+"."+name, spec.NoteSkipped, "exclusion constraints have no dlayer form: %s", rowutil.Str(v[8]))
			return nil
		}
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
			if ref == nil || ref.View != nil {
				in.note("foreign key", t.Name+"."+name, spec.NoteSkipped, "references %q, which is not an inspected table", rowutil.Str(v[4]))
				return nil
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
  (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL), pg_get_indexdef(i.indexrelid),
  EXISTS (SELECT 1 FROM pg_inherits ih WHERE ih.inhrelid = i.indexrelid), am.amname,
  i.indexprs IS NOT NULL, COALESCE(pg_get_expr(i.indpred, i.indrelid), '')
FROM pg_index i
JOIN pg_am am ON am.oid = (SELECT relam FROM pg_class WHERE oid = i.indexrelid)
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid)
ORDER BY c.relname, ic.relname`, 10, func(v []any) error {
		table, name := rowutil.Str(v[0]), rowutil.Str(v[1])
		t := in.tables[table]
		if t == nil {
			if _, ok := in.partitions[table]; ok && !rowutil.Bool(v[6]) {
				in.note("index", table+"."+name, spec.NoteSkipped, "index of partition %s (not of its partitioned table): %s", table, rowutil.Str(v[5]))
			}
			return nil
		}
		// A partial index WHERE col IS NULL is a soft-delete model's unique
		// key; other expression and partial indexes have no dlayer form.
		var whereNull *spec.Column
		if pred := rowutil.Str(v[9]); pred != "" && !rowutil.Bool(v[8]) && rowutil.Bool(v[2]) {
			// Only a unique key can be a soft-delete key.
			whereNull = rowutil.WhereNull(t, pred)
		}
		if whereNull != nil {
			in.note("index", table+"."+name, spec.NoteApproximated, "written as a full unique index: WHERE %s IS NULL is a soft-delete key, which the soft_delete trait declares", whereNull.Name)
		}
		if rowutil.Bool(v[4]) && whereNull == nil {
			in.note("index", table+"."+name, spec.NoteSkipped, "expression and partial indexes have no dlayer form: %s", rowutil.Str(v[5]))
			return nil
		}
		if am := rowutil.Str(v[7]); am != "btree" {
			in.note("index", table+"."+name, spec.NoteApproximated, "written as a plain index; the database uses %s: %s", am, rowutil.Str(v[5]))
		}
		cols, err := in.cols(t, rowutil.Str(v[3]))
		if err != nil {
			in.note("index", table+"."+name, spec.NoteSkipped, "%v", err)
			return nil
		}
		t.Indexes = append(t.Indexes, &spec.Index{Name: rowutil.Str(v[1]), Columns: cols, Unique: rowutil.Bool(v[2]), WhereNull: whereNull})
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
