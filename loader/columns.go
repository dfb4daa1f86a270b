package loader

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dlayer/dlayer/spec"
)

// buildColumn builds a column (or an alias's settings, when td is nil) from
// its flattened definition, checking type options and defaults.
func (s *state) buildColumn(name string, key *node, r *resolved, td *tableDef) *spec.Column {
	c := &spec.Column{Name: name, Range: key.rng(), Type: spec.Type{Kind: r.kind}}
	c.Alias = r.alias
	k := r.kind
	if n, _ := r.lookup("length"); n != nil {
		if v, ok := n.integer(); ok {
			if k != spec.TypeString && k != spec.TypeBytes {
				s.ds.report(n, ruleInvalidLength, "", "length applies to string and bytes, not %s", k)
			} else {
				c.Type.Length = int(v)
			}
		}
	}
	pn, _ := r.lookup("precision")
	sn, _ := r.lookup("scale")
	if pn != nil {
		if v, ok := pn.integer(); ok {
			switch {
			case k == spec.TypeDecimal:
				c.Type.Precision = int(v)
				if v < 1 {
					s.ds.report(pn, ruleInvalidPrecision, "", "decimal precision must be at least 1")
				}
			case k == spec.TypeTime || k == spec.TypeTimestamp:
				c.Type.Precision = int(v)
				c.Type.ZeroPrecision = v == 0
				if v > 6 {
					s.ds.report(pn, ruleInvalidPrecision, "", "fractional-second precision of %s is at most 6", k)
				}
			default:
				s.ds.report(pn, ruleInvalidPrecision, "", "precision applies to decimal, time and timestamp, not %s", k)
			}
		}
	}
	if sn != nil {
		if v, ok := sn.integer(); ok {
			switch {
			case k != spec.TypeDecimal:
				s.ds.report(sn, ruleInvalidPrecision, "", "scale applies to decimal, not %s", k)
			case pn == nil:
				s.ds.report(sn, ruleInvalidPrecision, "", "scale needs a precision")
			case int(v) > c.Type.Precision:
				s.ds.report(sn, ruleInvalidPrecision, "", "scale %d exceeds precision %d", v, c.Type.Precision)
			default:
				c.Type.Scale = int(v)
			}
		}
	}
	if n, _ := r.lookup("timezone"); n != nil {
		if v, ok := n.boolean(); ok {
			if k != spec.TypeTimestamp && k != spec.TypeTime {
				s.ds.report(n, ruleInvalidTypeOption, "", "timezone applies to timestamp and time, not %s", k)
			} else {
				c.Type.Timezone = v
			}
		}
	}
	vn, owner := r.lookup("values")
	en, _ := r.lookup("enum_name")
	switch {
	case k == spec.TypeEnum && vn == nil:
		s.ds.report(r.typeNode, ruleInvalidEnum, "add values: [a, b, …]", "enum column %q has no values", name)
	case k == spec.TypeEnum:
		seen := map[string]bool{}
		for _, it := range items(vn) {
			v, ok := it.str()
			if !ok {
				continue // the JSON Schema check reported it
			}
			if seen[v] {
				s.ds.report(it, ruleInvalidEnum, "", "enum value %q is listed twice", v)
				continue
			}
			seen[v] = true
			c.Type.Values = append(c.Type.Values, v)
		}
		switch {
		case en != nil:
			c.Type.EnumName, _ = en.str()
		case owner != "":
			c.Type.EnumName = truncateName(owner)
		case td != nil:
			c.Type.EnumName = truncateName(td.name + "_" + name)
		default:
			c.Type.EnumName = truncateName(name)
		}
	case vn != nil:
		s.ds.report(vn, ruleInvalidTypeOption, "", "values applies to enum, not %s", k)
	case en != nil:
		s.ds.report(en, ruleInvalidTypeOption, "", "enum_name applies to enum, not %s", k)
	}
	if n, _ := r.lookup("unsigned"); n != nil {
		if v, ok := n.boolean(); ok {
			if !k.IsNumeric() {
				s.ds.report(n, ruleInvalidTypeOption, "", "unsigned applies to integer, float, double and decimal, not %s", k)
			} else {
				c.Type.Unsigned = v
			}
		}
	}
	if n, _ := r.lookup("fixed"); n != nil {
		if v, ok := n.boolean(); ok {
			switch {
			case k != spec.TypeString:
				s.ds.report(n, ruleInvalidTypeOption, "", "fixed applies to string, not %s", k)
			case v && c.Type.Length == 0:
				s.ds.report(n, ruleInvalidTypeOption, "add length: n", "a fixed string needs a length")
			default:
				c.Type.Fixed = v
			}
		}
	}
	s.nativeType(c, name, r, td)
	c.PrimaryKey = boolKey(r, "primary_key")
	c.Nullable = boolKey(r, "nullable")
	c.Unique = boolKey(r, "unique")
	c.Index = boolKey(r, "index")
	if c.PrimaryKey && c.Nullable {
		n, _ := r.lookup("nullable")
		s.ds.report(n, ruleNullablePrimaryKey, "", "primary key column %q cannot be nullable", name)
		c.Nullable = false
	}
	if n, _ := r.lookup("comment"); n != nil {
		c.Comment, _ = n.str()
	}
	if len(r.chain) > 0 && r.owners[0] == "" {
		c.RenamedFrom, _ = r.chain[0].get("renamed_from").str()
	}
	c.Default = s.literalDefault(c, r, "default", false)
	c.InsertDefault = s.literalDefault(c, r, "insert_default", true)
	c.OnUpdate = s.literalDefault(c, r, "onupdate", true)
	c.ServerDefault = s.serverDefault(c, r)
	c.ServerOnUpdate = s.serverOnUpdate(c, r)
	c.Computed = s.computed(c, r)
	return c
}

// serverOnUpdate decodes server_onupdate: now, the database setting a
// timestamp on every UPDATE (MySQL ON UPDATE CURRENT_TIMESTAMP).
func (s *state) serverOnUpdate(c *spec.Column, r *resolved) *spec.Default {
	n, _ := r.lookup("server_onupdate")
	if n == nil {
		return nil
	}
	if v, ok := n.str(); !ok || v != "now" {
		return nil // the JSON Schema check reported it
	}
	if c.Type.Kind != spec.TypeTimestamp {
		s.ds.report(n, ruleDefaultMismatch, "", "server_onupdate: now needs a timestamp column, not %s", c.Type.Kind)
		return nil
	}
	return &spec.Default{Kind: spec.DefaultNow, Range: n.rng()}
}

// computed decodes computed: {sql: expression, stored: bool}, a column the
// database generates. Such a column has no default of its own and is no
// key the application writes.
func (s *state) computed(c *spec.Column, r *resolved) *spec.Computed {
	n, _ := r.lookup("computed")
	if n == nil || n.kind != mapNode {
		return nil
	}
	s.checkKeys(n, computedKeys, "computed")
	sql, ok := n.get("sql").str()
	if !ok || strings.TrimSpace(sql) == "" || strings.IndexByte(sql, 0) >= 0 {
		s.ds.report(n, ruleInvalidComputed, "add sql: expression", "computed column %q has no expression", c.Name)
		return nil
	}
	cp := &spec.Computed{SQL: sql, Range: n.rng()}
	cp.Stored, _ = n.get("stored").boolean()
	for _, k := range []string{"default", "insert_default", "onupdate", "server_default", "server_onupdate"} {
		if kn, _ := r.lookup(k); kn != nil {
			s.ds.report(kn, ruleInvalidComputed, "", "computed column %q cannot have %s: the database computes its value", c.Name, k)
		}
	}
	if c.PrimaryKey {
		pn, _ := r.lookup("primary_key")
		s.ds.report(pn, ruleInvalidComputed, "", "computed column %q cannot be part of the primary key", c.Name)
	}
	if an, _ := r.lookup("autoincrement"); an != nil {
		if v, _ := an.boolean(); v {
			s.ds.report(an, ruleInvalidComputed, "", "computed column %q cannot autoincrement", c.Name)
		}
	}
	return cp
}

func boolKey(r *resolved, k string) bool {
	n, _ := r.lookup(k)
	v, _ := n.boolean()
	return v
}

// literalDefault decodes default, insert_default or onupdate. Generators
// (now, uuid) are allowed when gen is true.
func (s *state) literalDefault(c *spec.Column, r *resolved, key string, gen bool) *spec.Default {
	n, _ := r.lookup(key)
	if n == nil || n.kind != scalarNode {
		return nil
	}
	d := &spec.Default{Range: n.rng()}
	if gen && n.tag == "!!str" {
		switch n.value {
		case "now":
			if !c.Type.Kind.IsTemporal() {
				s.ds.report(n, ruleDefaultMismatch, "", "%s: now needs a date, time or timestamp column, not %s", key, c.Type.Kind)
				return nil
			}
			d.Kind = spec.DefaultNow
			return d
		case "uuid":
			if c.Type.Kind != spec.TypeUUID && c.Type.Kind != spec.TypeString && c.Type.Kind != spec.TypeText {
				s.ds.report(n, ruleDefaultMismatch, "", "%s: uuid needs a uuid or string column, not %s", key, c.Type.Kind)
				return nil
			}
			if c.Type.Kind == spec.TypeString && c.Type.Length > 0 && c.Type.Length < 36 {
				s.ds.report(n, ruleDefaultMismatch, "", "%s: uuid needs a string of length 36 or more, not %d", key, c.Type.Length)
				return nil
			}
			d.Kind = spec.DefaultUUID
			return d
		}
	}
	v, msg := literal(c, n)
	if msg != "" {
		s.ds.report(n, ruleDefaultMismatch, "", "%s: %s", key, msg)
		return nil
	}
	d.Kind, d.Value = spec.DefaultLiteral, v
	return d
}

// serverDefault decodes server_default: a literal, now, or {sql: …}.
func (s *state) serverDefault(c *spec.Column, r *resolved) *spec.Default {
	n, _ := r.lookup("server_default")
	if n == nil {
		return nil
	}
	d := &spec.Default{Range: n.rng()}
	switch {
	case n.kind == mapNode:
		s.checkKeys(n, serverSQLKeys, "server_default")
		sql, ok := n.get("sql").str()
		if !ok || strings.TrimSpace(sql) == "" {
			return nil
		}
		if p := sqlExprProblem(sql); p != "" {
			s.ds.report(n.get("sql"), ruleUnsafeSQL, "server_default sql is one SQL expression, written into DDL as is",
				"server_default sql: %s", p)
			return nil
		}
		if calls := unreviewedCalls(sql); len(calls) > 0 {
			s.ds.report(n.get("sql"), ruleUnreviewedSQL, "schema files are trusted code: the expression runs in every INSERT that omits the column",
				"server_default sql calls %s(), not on the list of reviewed functions; check that it has no side effects",
				strings.Join(calls, "(), "))
		}
		d.Kind, d.SQL = spec.DefaultSQL, sql
		return d
	case n.kind != scalarNode:
		return nil
	case n.tag == "!!str" && n.value == "now":
		if !c.Type.Kind.IsTemporal() {
			s.ds.report(n, ruleDefaultMismatch, "", "server_default: now needs a date, time or timestamp column, not %s", c.Type.Kind)
			return nil
		}
		d.Kind = spec.DefaultNow
		return d
	}
	v, msg := literal(c, n)
	if msg != "" {
		s.ds.report(n, ruleDefaultMismatch, "", "server_default: %s", msg)
		return nil
	}
	d.Kind, d.Value = spec.DefaultLiteral, v
	return d
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// literal checks that scalar n fits c's type and returns its value, or a
// message saying why not.
func literal(c *spec.Column, n *node) (any, string) {
	k := c.Type.Kind
	if n.isNull() {
		if !c.Nullable {
			return nil, "null default on a column that is not nullable"
		}
		return nil, ""
	}
	bad := func() (any, string) {
		v := n.value
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		return nil, "value " + strconv.Quote(v) + " does not fit type " + k.String()
	}
	switch {
	case k == spec.TypeNative || k == spec.TypeArray:
		return nil, "a " + k.String() + " column takes no literal; write server_default: {sql: …}"
	case k.IsInteger():
		v, ok := n.integer()
		if !ok {
			return bad()
		}
		if k == spec.TypeSmallInt && (v < -32768 || v > 32767) || k == spec.TypeInteger && (v < -1<<31 || v > 1<<31-1) {
			return bad()
		}
		return v, ""
	case k == spec.TypeFloat || k == spec.TypeDouble:
		v, ok := n.float()
		if !ok {
			return bad()
		}
		return v, ""
	case k == spec.TypeDecimal:
		v := n.value
		if n.tag != "!!int" && n.tag != "!!float" && n.tag != "!!str" {
			return bad()
		}
		if _, err := strconv.ParseFloat(strings.ReplaceAll(v, "_", ""), 64); err != nil || strings.ContainsAny(v, "xXoOinIN") {
			return bad()
		}
		return strings.ReplaceAll(v, "_", ""), ""
	case k == spec.TypeBoolean:
		v, ok := n.boolean()
		if !ok {
			return bad()
		}
		return v, ""
	case k == spec.TypeString || k == spec.TypeText || k == spec.TypeBytes:
		v, ok := n.str()
		if !ok {
			return nil, "value " + strconv.Quote(n.value) + " is not a string; quote it"
		}
		if c.Type.Length > 0 && utf8.RuneCountInString(v) > c.Type.Length {
			return nil, "value is longer than the column's length " + strconv.Itoa(c.Type.Length)
		}
		return v, ""
	case k == spec.TypeEnum:
		v, _ := n.str()
		for _, m := range c.Type.Values {
			if m == v {
				return v, ""
			}
		}
		return nil, "value " + strconv.Quote(n.value) + " is not one of the enum's values"
	case k == spec.TypeDate:
		if _, err := time.Parse("2006-01-02", n.value); err != nil {
			return bad()
		}
		return n.value, ""
	case k == spec.TypeTime:
		for _, layout := range []string{"15:04:05.999999999", "15:04"} {
			if _, err := time.Parse(layout, n.value); err == nil {
				return n.value, ""
			}
		}
		return bad()
	case k == spec.TypeTimestamp:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999",
			"2006-01-02 15:04:05.999999999Z07:00", "2006-01-02"} {
			if _, err := time.Parse(layout, n.value); err == nil {
				return n.value, ""
			}
		}
		return bad()
	case k == spec.TypeUUID:
		if !uuidRE.MatchString(n.value) {
			return bad()
		}
		return strings.ToLower(n.value), ""
	case k == spec.TypeJSON:
		switch n.tag {
		case "!!bool":
			v, _ := n.boolean()
			return v, ""
		case "!!int":
			if v, ok := n.integer(); ok {
				return v, ""
			}
		case "!!float":
			if v, ok := n.float(); ok {
				return v, ""
			}
		}
		return n.value, ""
	}
	return nil, ""
}
