package lsp

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// hoverAt returns the hover text at p of file f.
func (s *Server) hoverAt(snap *snapshot, f *fileIndex, p position) *hover {
	if o, ok := f.at(p); ok {
		md := ""
		if o.sym.kind == symTrait {
			md = traitDoc(snap, o.sym.name)
		} else {
			md = s.symbolDoc(snap.sch, o.sym)
		}
		if md != "" {
			r := o.rng
			return &hover{Contents: markupContent{Kind: "markdown", Value: md}, Range: &r}
		}
	}
	word, wr := wordAt(f.text, p)
	if word == "" {
		return nil
	}
	ctx := analyze(f.text, wr.End)
	doc := ""
	switch ctx.mode {
	case modeKey:
		if ctx.prefix == word {
			if doc = docOf(schemaAt(append(append([]string(nil), ctx.container...), word))); doc != "" {
				doc = fmt.Sprintf("**%s**\n\n%s", word, doc)
			}
		}
	case modeValue:
		doc = valueDoc(schemaAt(append(append([]string(nil), ctx.container...), ctx.key)), word)
	case modeItem:
		doc = valueDoc(schemaAt(append(append([]string(nil), ctx.container...), "[]")), word)
	}
	if doc == "" {
		if k, ok := spec.LookupType(word); ok {
			doc = fmt.Sprintf("**%s** — builtin type", k)
		}
	}
	if doc == "" {
		return nil
	}
	return &hover{Contents: markupContent{Kind: "markdown", Value: doc}, Range: &wr}
}

// wordAt returns the identifier-like word around p.
func wordAt(t *text, p position) (string, lspRange) {
	line := t.line(p.Line)
	i := utf16ToByte(line, p.Character)
	isWord := func(c byte) bool {
		return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	s, e := i, i
	for s > 0 && isWord(line[s-1]) {
		s--
	}
	for e < len(line) && isWord(line[e]) {
		e++
	}
	if s == e {
		return "", lspRange{}
	}
	return line[s:e], lspRange{
		Start: position{Line: p.Line, Character: byteToUTF16(line[:s])},
		End:   position{Line: p.Line, Character: byteToUTF16(line[:e])},
	}
}

// symbolDoc describes a symbol as the loader resolved it.
func (s *Server) symbolDoc(sch *spec.Schema, sym symbol) string {
	switch sym.kind {
	case symModel:
		if m := sch.Model(sym.name); m != nil {
			return modelDoc(m)
		}
	case symAlias:
		for _, a := range sch.Types {
			if a.Name == sym.name {
				return aliasDoc(a)
			}
		}
	case symTable:
		if t := sch.Table(sym.name); t != nil {
			return tableDoc(t)
		}
	case symColumn:
		tn, cn, _ := strings.Cut(sym.name, ".")
		if t := sch.Table(tn); t != nil {
			if c := t.Column(cn); c != nil {
				return columnDoc(c, s.opts.Dialects)
			}
		}
	case symRelationship:
		mn, rn, _ := strings.Cut(sym.name, ".")
		if m := sch.Model(mn); m != nil {
			if r := m.Relationship(rn); r != nil {
				return relationshipDoc(r)
			}
		}
	}
	return ""
}

func modelDoc(m *spec.Model) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**model %s** → table `%s`\n", m.Name, tableName(m.Table))
	if m.Comment != "" {
		fmt.Fprintf(&b, "\n%s\n", m.Comment)
	}
	if m.Table != nil {
		b.WriteString("\n" + columnTable(m.Table))
	}
	if len(m.Relationships) > 0 {
		b.WriteString("\nrelationships:\n")
		for _, r := range m.Relationships {
			fmt.Fprintf(&b, "- `%s`: %s → `%s`\n", r.Name, r.Kind, modelName(r.Target))
		}
	}
	return b.String()
}

func modelName(m *spec.Model) string {
	if m == nil {
		return "?"
	}
	return m.Name
}

func tableDoc(t *spec.Table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**table %s**", t.Name)
	switch {
	case t.Model != nil:
		fmt.Fprintf(&b, " (model `%s`)", t.Model.Name)
	case t.View != nil:
		b.WriteString(" (view)")
	default:
		b.WriteString(" (plain table)")
	}
	b.WriteString("\n\n" + columnTable(t))
	for _, fk := range t.ForeignKeys {
		fmt.Fprintf(&b, "\nforeign key `%s`: %s\n", fk.Name, fkText(fk))
	}
	return b.String()
}

func columnTable(t *spec.Table) string {
	var b strings.Builder
	b.WriteString("| column | type | |\n| --- | --- | --- |\n")
	for _, c := range t.Columns {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", c.Name, typeString(c.Type), strings.Join(columnFlags(c), ", "))
	}
	return b.String()
}

func columnFlags(c *spec.Column) []string {
	var out []string
	if c.PrimaryKey {
		out = append(out, "primary key")
	}
	if c.Autoincrement {
		out = append(out, "autoincrement")
	}
	if c.Nullable {
		out = append(out, "NULL")
	} else {
		out = append(out, "NOT NULL")
	}
	if c.Unique {
		out = append(out, "unique")
	}
	if c.Index {
		out = append(out, "index")
	}
	if c.ForeignKey != nil {
		out = append(out, "→ "+refText(c.ForeignKey))
	}
	return out
}

func refText(fk *spec.ForeignKey) string {
	cols := make([]string, len(fk.RefColumns))
	for i, c := range fk.RefColumns {
		cols[i] = c.Name
	}
	return tableName(fk.RefTable) + "." + strings.Join(cols, ",")
}

func fkText(fk *spec.ForeignKey) string {
	cols := make([]string, len(fk.Columns))
	for i, c := range fk.Columns {
		cols[i] = c.Name
	}
	s := fmt.Sprintf("(%s) → %s", strings.Join(cols, ", "), refText(fk))
	if fk.OnDelete != "" {
		s += ", on delete " + string(fk.OnDelete)
	}
	if fk.OnUpdate != "" {
		s += ", on update " + string(fk.OnUpdate)
	}
	return s
}

// columnDoc describes a resolved column: its type after aliases,
// nullability, defaults, key and the SQL type of each dialect.
func columnDoc(c *spec.Column, ds []dialects.Dialect) string {
	var b strings.Builder
	if c.Table != nil {
		fmt.Fprintf(&b, "**column %s.%s**", c.Table.Name, c.Name)
	} else {
		fmt.Fprintf(&b, "**column %s**", c.Name)
	}
	fmt.Fprintf(&b, " `%s`", typeString(c.Type))
	if c.Alias != "" {
		fmt.Fprintf(&b, " (alias `%s`)", c.Alias)
	}
	b.WriteString("\n\n" + strings.Join(columnFlags(c), " · ") + "\n")
	for _, d := range []struct {
		name string
		v    *spec.Default
	}{{"default", c.Default}, {"insert_default", c.InsertDefault}, {"onupdate", c.OnUpdate}, {"server_default", c.ServerDefault}, {"server_onupdate", c.ServerOnUpdate}} {
		if d.v != nil {
			fmt.Fprintf(&b, "\n%s: `%s`", d.name, defaultText(d.v))
		}
	}
	if c.Computed != nil {
		kind := "virtual"
		if c.Computed.Stored {
			kind = "stored"
		}
		fmt.Fprintf(&b, "\ncomputed (%s): `%s`", kind, c.Computed.SQL)
	}
	if c.ForeignKey != nil {
		fmt.Fprintf(&b, "\nforeign key `%s`: %s", c.ForeignKey.Name, fkText(c.ForeignKey))
	}
	if c.Comment != "" {
		fmt.Fprintf(&b, "\n\n%s", c.Comment)
	}
	if len(ds) > 0 {
		b.WriteString("\n\n| database | SQL type |\n| --- | --- |\n")
		for _, d := range ds {
			fmt.Fprintf(&b, "| %s | %s |\n", d.Name(), typeSQL(d, c))
		}
	}
	return b.String()
}

// typeSQL is the dialect's DDL type of c, or why there is none.
func typeSQL(d dialects.Dialect, c *spec.Column) (out string) {
	defer func() {
		if r := recover(); r != nil {
			out = fmt.Sprintf("(internal error: %v)", r)
		}
	}()
	s, err := d.TypeSQL(c)
	if err != nil {
		return "(" + strings.ReplaceAll(err.Error(), "|", "\\|") + ")"
	}
	return "`" + s + "`"
}

func defaultText(d *spec.Default) string {
	switch d.Kind {
	case spec.DefaultNow:
		return "now"
	case spec.DefaultUUID:
		return "uuid"
	case spec.DefaultSQL:
		return "sql: " + d.SQL
	}
	if d.Value == nil {
		return "null"
	}
	return fmt.Sprint(d.Value)
}

func aliasDoc(a *spec.TypeAlias) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**type alias %s**", a.Name)
	if a.Column != nil {
		fmt.Fprintf(&b, " `%s`", typeString(a.Column.Type))
		if a.Base != "" && a.Base != a.Column.Type.Kind.String() {
			fmt.Fprintf(&b, " (refines `%s`)", a.Base)
		}
		var flags []string
		if a.Column.PrimaryKey {
			flags = append(flags, "primary key")
		}
		if a.Column.Nullable {
			flags = append(flags, "nullable")
		}
		if a.Column.Unique {
			flags = append(flags, "unique")
		}
		for _, d := range []struct {
			name string
			v    *spec.Default
		}{{"default", a.Column.Default}, {"insert_default", a.Column.InsertDefault}, {"server_default", a.Column.ServerDefault}} {
			if d.v != nil {
				flags = append(flags, d.name+": "+defaultText(d.v))
			}
		}
		if len(flags) > 0 {
			b.WriteString("\n\n" + strings.Join(flags, " · "))
		}
	}
	if a.Domain != nil {
		b.WriteString("\n\nPostgreSQL domain")
	}
	return b.String()
}

// relationshipDoc describes a resolved relationship: direction, the
// columns it joins on (the foreign keys used) and its loading strategy.
func relationshipDoc(r *spec.Relationship) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**relationship %s.%s** — %s → `%s`", modelName(r.Model), r.Name, r.Kind, modelName(r.Target))
	if r.UseList {
		b.WriteString(" (a list)")
	} else {
		b.WriteString(" (one object)")
	}
	b.WriteString("\n")
	pair := func(p spec.ColumnPair) string {
		return fmt.Sprintf("`%s` = `%s`", colRef(p.Local), colRef(p.Remote))
	}
	if r.Secondary != nil {
		fmt.Fprintf(&b, "\nthrough `%s`:", r.Secondary.Name)
		for _, p := range r.Pairs {
			b.WriteString(" " + pair(p))
		}
		for _, p := range r.SecondaryPairs {
			b.WriteString(" " + pair(p))
		}
		b.WriteString("\n")
	} else if len(r.Pairs) > 0 {
		side := "the target's table"
		if r.FKOnOwner {
			side = "this model's table"
		}
		b.WriteString("\njoins on")
		for _, p := range r.Pairs {
			b.WriteString(" " + pair(p))
		}
		fmt.Fprintf(&b, " (foreign key on %s)\n", side)
	}
	for _, fk := range usedForeignKeys(r) {
		fmt.Fprintf(&b, "\nforeign key `%s`: %s.%s\n", fk.Name, tableName(fk.Table), fkText(fk))
	}
	fmt.Fprintf(&b, "\nloading: `lazy: %s`", r.Lazy)
	var cascade []string
	for _, c := range []struct {
		name string
		v    spec.Cascade
	}{{"save-update", spec.CascadeSaveUpdate}, {"merge", spec.CascadeMerge}, {"delete", spec.CascadeDelete}, {"delete-orphan", spec.CascadeDeleteOrphan}} {
		if r.Cascade.Has(c.v) {
			cascade = append(cascade, c.name)
		}
	}
	fmt.Fprintf(&b, " · cascade: %s", strings.Join(cascade, ", "))
	if r.PassiveDeletes {
		b.WriteString(" · passive_deletes")
	}
	if r.Back != nil {
		fmt.Fprintf(&b, "\n\nback_populates: `%s.%s`", modelName(r.Back.Model), r.Back.Name)
	}
	return b.String()
}

// usedForeignKeys returns the foreign-key constraints a relationship joins
// through: those whose columns are the key side of its column pairs.
func usedForeignKeys(r *spec.Relationship) []*spec.ForeignKey {
	var out []*spec.ForeignKey
	match := func(pairs []spec.ColumnPair) {
		for _, side := range []func(spec.ColumnPair) *spec.Column{
			func(p spec.ColumnPair) *spec.Column { return p.Local },
			func(p spec.ColumnPair) *spec.Column { return p.Remote },
		} {
			cols := map[*spec.Column]bool{}
			var table *spec.Table
			for _, p := range pairs {
				c := side(p)
				if c == nil {
					return
				}
				cols[c] = true
				table = c.Table
			}
			if table == nil {
				continue
			}
			for _, fk := range table.ForeignKeys {
				if len(fk.Columns) != len(cols) {
					continue
				}
				all := true
				for _, c := range fk.Columns {
					all = all && cols[c]
				}
				if all && !slices.Contains(out, fk) {
					out = append(out, fk)
				}
			}
		}
	}
	match(r.Pairs)
	match(r.SecondaryPairs)
	return out
}

func colRef(c *spec.Column) string {
	if c == nil {
		return "?"
	}
	if c.Table != nil {
		return c.Table.Name + "." + c.Name
	}
	return c.Name
}

// traitDoc describes a trait: what it adds to a model (columns, indexes,
// constraints, relationships), the traits it uses and the models using it.
func traitDoc(snap *snapshot, name string) string {
	var b strings.Builder
	var users []*spec.Model
	for _, m := range snap.sch.Models {
		if slices.Contains(m.Traits, name) {
			users = append(users, m)
		}
	}
	switch name {
	case "timestamps":
		b.WriteString("**trait timestamps** (builtin)\n\nadds two `timestamp` columns, `created_at` and `updated_at` " +
			"(options `created:` and `updated:` rename them); `set_by:` orm (default: the unit of work sets them), database or both\n")
	case "soft_delete":
		b.WriteString("**trait soft_delete** (builtin)\n\nadds a nullable `timestamp` column, `deleted_at` (option `column:` renames it): " +
			"`Session.Delete` sets it instead of deleting, and ORM queries and relationship loads leave deleted rows out unless `orm.WithDeleted()` is given\n")
	default:
		td := declaredTraits(snap)[name]
		if td == nil {
			return ""
		}
		fmt.Fprintf(&b, "**trait %s**\n", name)
		if td.comment != "" {
			fmt.Fprintf(&b, "\n%s\n", td.comment)
		}
		if len(td.uses) > 0 {
			fmt.Fprintf(&b, "\nuses: `%s`\n", strings.Join(td.uses, "`, `"))
		}
		if len(td.columns) > 0 {
			// The types as the loader resolved them, in a model using it.
			var t *spec.Table
			if len(users) > 0 {
				t = users[0].Table
			}
			b.WriteString("\nadds columns:\n\n| column | type | |\n| --- | --- | --- |\n")
			for _, cn := range td.columns {
				typ, flags := "", ""
				if t != nil {
					if c := t.Column(cn); c != nil {
						typ, flags = typeString(c.Type), strings.Join(columnFlags(c), ", ")
					}
				}
				fmt.Fprintf(&b, "| %s | %s | %s |\n", cn, typ, flags)
			}
		}
		for _, ix := range td.indexes {
			fmt.Fprintf(&b, "\nadds an index on (%s)\n", strings.Join(ix, ", "))
		}
		for _, u := range td.uniques {
			fmt.Fprintf(&b, "\nadds a unique key on (%s)\n", strings.Join(u, ", "))
		}
		if td.checks > 0 {
			fmt.Fprintf(&b, "\nadds %d check constraint(s)\n", td.checks)
		}
		if td.foreignKeys > 0 {
			fmt.Fprintf(&b, "\nadds %d table foreign key(s)\n", td.foreignKeys)
		}
		if len(td.relationships) > 0 {
			b.WriteString("\nadds relationships:\n")
			for _, r := range td.relationships {
				fmt.Fprintf(&b, "- `%s` → `%s`\n", r[0], r[1])
			}
		}
	}
	if len(users) > 0 {
		b.WriteString("\nused by:")
		for i, m := range users {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(&b, "%s `%s`", sep, m.Name)
			if name == "soft_delete" && m.SoftDelete != nil {
				fmt.Fprintf(&b, " (`%s.%s`)", tableName(m.Table), m.SoftDelete.Name)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
