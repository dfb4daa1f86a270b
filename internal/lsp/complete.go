package lsp

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dlayer/dlayer/spec"
)

// complete returns the completions at p of the document f.
func (s *Server) complete(snap *snapshot, t *text, p position) []completionItem {
	ctx := analyze(t, p)
	if ctx.mode == modeNone {
		return nil
	}
	c := &completer{snap: snap, ctx: ctx, seen: map[string]bool{}, end: p}
	c.start = ctx.start
	c.start.Line = p.Line
	// A completion replaces the whole word the cursor is in ("Us|er").
	line := t.line(p.Line)
	i := utf16ToByte(line, p.Character)
	j := i
	for j < len(line) && isNameByte(line[j]) {
		j++
	}
	c.end.Character += byteToUTF16(line[i:j])
	// "target:|" needs a blank before the value to be YAML.
	if k := utf16ToByte(line, c.start.Character); k > 0 && k <= len(line) && line[k-1] == ':' {
		c.space = " "
	}
	switch ctx.mode {
	case modeKey:
		c.keys(ctx.container)
	case modeValue:
		vp := append(append([]string(nil), ctx.container...), ctx.key)
		c.semantic(ctx.container, ctx.key, vp)
		c.enums(vp, true)
	case modeItem:
		vp := append(append([]string(nil), ctx.container...), "[]")
		c.semanticItem(ctx.container)
		c.enums(vp, false)
		if ctx.alsoKeys {
			c.keys(vp)
		}
	}
	return c.items
}

type completer struct {
	snap  *snapshot
	ctx   cursorCtx
	start position
	end   position // of the word being completed
	space string   // written before each insertion
	items []completionItem
	seen  map[string]bool
}

func (c *completer) add(label string, kind int, detail, doc, insert string) {
	if c.seen[label] || !strings.HasPrefix(strings.ToLower(label), strings.ToLower(c.ctx.prefix)) {
		return
	}
	c.seen[label] = true
	if insert == "" {
		insert = label
	}
	it := completionItem{Label: label, Kind: kind, Detail: detail, FilterText: label,
		SortText: fmt.Sprintf("%04d", len(c.items)),
		TextEdit: &textEdit{Range: lspRange{Start: c.start, End: c.end}, NewText: c.space + insert}}
	if doc != "" {
		it.Documentation = &markupContent{Kind: "markdown", Value: doc}
	}
	c.items = append(c.items, it)
}

func (c *completer) keys(container []string) {
	for _, pd := range properties(schemaAt(container)) {
		if _, dup := c.ctx.siblings[pd.name]; dup {
			continue
		}
		c.add(pd.name, kindProperty, "", pd.doc, pd.name+": ")
	}
}

func (c *completer) enums(vp []string, withItems bool) {
	for _, v := range enumValues(schemaAt(vp), withItems) {
		c.add(v.value, kindEnumMember, "", v.doc, "")
	}
}

// isColumn reports whether path is a column definition: a model's or
// table's column, or a type alias.
func isNameByte(c byte) bool {
	return c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isColumn(path []string) bool {
	switch {
	case len(path) == 4 && (path[0] == "models" || path[0] == "tables" || path[0] == "traits") && path[2] == "columns":
		return true
	case len(path) == 2 && path[0] == "types":
		return true
	}
	return false
}

func isRelationship(path []string) bool {
	return len(path) == 4 && (path[0] == "models" || path[0] == "traits") && path[2] == "relationships"
}

// semantic adds the names that fit the value of key in the map at container.
func (c *completer) semantic(container []string, key string, vp []string) {
	n := len(container)
	switch {
	case isColumn(vp):
		c.types(vp, vp)
	case isColumn(container) && key == "type":
		c.types(container, vp)
	case isColumn(container) && key == "items":
		c.builtins(vp)
	case isColumn(container) && key == "foreign_key":
		c.fkTargets()
	case n > 0 && isColumn(container[:n-1]) && container[n-1] == "foreign_key" && key == "table",
		n > 0 && container[n-1] == "references" && key == "table":
		c.tables()
	case n > 0 && isColumn(container[:n-1]) && container[n-1] == "foreign_key" && key == "column":
		c.columns(c.ctx.siblings["table"], true)
	case isRelationship(container) && key == "target":
		c.models()
	case isRelationship(container) && key == "back_populates":
		for _, m := range c.ownModels(container) {
			c.backPopulates(m, c.ctx.siblings["target"])
		}
	case isRelationship(container) && key == "secondary":
		c.tables()
	case isRelationship(container) && (key == "order_by" || key == "remote_side"):
		c.columns(c.modelTable(c.ctx.siblings["target"]), false)
	case isRelationship(container) && key == "foreign_keys":
		c.ownColumns(container)
		c.columns(c.modelTable(c.ctx.siblings["target"]), false)
	case n == 2 && (container[0] == "models" || container[0] == "tables") && key == "version_column":
		c.columns(c.ownTable(container), false)
	}
}

// ownModels returns the model whose part the cursor is in, or for a
// trait's part the models using the trait.
func (c *completer) ownModels(container []string) []string {
	if container[0] != "traits" {
		return []string{container[1]}
	}
	var out []string
	for _, m := range c.snap.sch.Models {
		if slices.Contains(m.Traits, container[1]) {
			out = append(out, m.Name)
		}
	}
	return out
}

// ownColumns adds the columns of the model or table whose part the cursor
// is in; in a trait, the columns the trait adds (its own and its traits').
func (c *completer) ownColumns(container []string) {
	if container[0] != "traits" {
		c.columns(c.ownTable(container), false)
		return
	}
	declared := declaredTraits(c.snap)
	seen := map[string]bool{}
	var walk func(name string)
	walk = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		switch name {
		case "timestamps":
			c.add("created_at", kindField, "timestamp (trait timestamps)", "", "")
			c.add("updated_at", kindField, "timestamp (trait timestamps)", "", "")
			return
		case "soft_delete":
			c.add("deleted_at", kindField, "timestamp (trait soft_delete)", "", "")
			return
		}
		td := declared[name]
		if td == nil {
			return
		}
		for _, col := range td.columns {
			c.add(col, kindField, "column of trait "+name, "", "")
		}
		for _, u := range td.uses {
			walk(u)
		}
	}
	walk(container[1])
}

// traits adds the trait names a use: list may hold: the builtin traits and
// those declared under traits: (a trait does not use itself).
func (c *completer) traits(container []string) {
	self := ""
	if container[0] == "traits" {
		self = container[1]
	}
	for _, name := range builtinTraits {
		c.add(name, kindModule, "builtin trait", docOf(schemaAt([]string{"models", "M", "use", "[]", name})), "")
	}
	declared := declaredTraits(c.snap)
	names := make([]string, 0, len(declared))
	for name := range declared {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if name != self {
			c.add(name, kindModule, "trait", traitDoc(c.snap, name), "")
		}
	}
}

// semanticItem adds the names that fit an item of the list at container.
func (c *completer) semanticItem(container []string) {
	n := len(container)
	if n < 3 || container[0] != "models" && container[0] != "tables" && container[0] != "traits" {
		return
	}
	switch rest := strings.Join(container[2:], "/"); {
	case rest == "use" && container[0] != "tables":
		c.traits(container)
	case rest == "primary_key", rest == "indexes/[]/columns", rest == "unique/[]", rest == "unique/[]/columns", rest == "foreign_keys/[]/columns":
		c.ownColumns(container)
	case rest == "foreign_keys/[]/references/columns":
		c.columns(c.ctx.siblings["table"], false)
	case n == 5 && container[2] == "relationships" && (container[4] == "order_by" || container[4] == "remote_side"):
		c.columns(c.modelTable(c.relTarget(container)), false)
	case n == 5 && container[2] == "relationships" && container[4] == "foreign_keys":
		c.ownColumns(container)
		c.columns(c.modelTable(c.relTarget(container)), false)
	}
}

// relTarget returns the target of the relationship whose list the cursor
// is in, from the loaded schema.
func (c *completer) relTarget(container []string) string {
	if m := c.model(container[1]); m != nil {
		if r := m.Relationship(container[3]); r != nil && r.Target != nil {
			return r.Target.Name
		}
	}
	return c.ctx.siblings["target"]
}

// model returns the named model of the current schema, or of the last
// schema loaded while every file parsed.
func (c *completer) model(name string) *spec.Model {
	if m := c.snap.sch.Model(name); m != nil {
		return m
	}
	if c.snap.good != nil {
		return c.snap.good.Model(name)
	}
	return nil
}

func (c *completer) table(name string) *spec.Table {
	if t := c.snap.sch.Table(name); t != nil {
		return t
	}
	if c.snap.good != nil {
		return c.snap.good.Table(name)
	}
	return nil
}

func (c *completer) modelTable(model string) string {
	if m := c.model(model); m != nil && m.Table != nil {
		return m.Table.Name
	}
	return ""
}

func (c *completer) ownTable(container []string) string {
	if container[0] == "tables" {
		return container[1]
	}
	return c.modelTable(container[1])
}

func (c *completer) schemas() []*spec.Schema {
	out := []*spec.Schema{c.snap.sch}
	if c.snap.good != nil && c.snap.good != c.snap.sch {
		out = append(out, c.snap.good)
	}
	return out
}

func (c *completer) models() {
	for _, sch := range c.schemas() {
		for _, m := range sch.Models {
			c.add(m.Name, kindClass, "model → table "+tableName(m.Table), modelDoc(m), "")
		}
	}
}

func (c *completer) tables() {
	for _, sch := range c.schemas() {
		for _, t := range sch.Tables {
			c.add(t.Name, kindStruct(t), tableDetail(t), "", "")
		}
	}
}

func kindStruct(t *spec.Table) int {
	if t.Model != nil {
		return kindClass
	}
	return kindReference
}

func (c *completer) columns(table string, keysOnly bool) {
	t := c.table(table)
	if t == nil {
		return
	}
	for _, col := range t.Columns {
		if keysOnly && !targetable(t, col) {
			continue
		}
		c.add(col.Name, kindField, typeString(col.Type), columnDoc(col, nil), "")
	}
}

// targetable reports whether a foreign key may reference col alone: it is
// the table's only primary-key column or unique.
func targetable(t *spec.Table, col *spec.Column) bool {
	if col.Unique || len(t.PrimaryKey) == 1 && t.PrimaryKey[0] == col {
		return true
	}
	for _, u := range t.Uniques {
		if len(u.Columns) == 1 && u.Columns[0] == col {
			return true
		}
	}
	return false
}

func (c *completer) fkTargets() {
	for _, sch := range c.schemas() {
		for _, t := range sch.Tables {
			for _, col := range t.Columns {
				if targetable(t, col) {
					c.add(t.Name+"."+col.Name, kindReference, typeString(col.Type), columnDoc(col, nil), "")
				}
			}
		}
	}
}

// types adds the type aliases and builtin types; column is the path of the
// column being typed (an alias does not complete to itself).
func (c *completer) types(column, vp []string) {
	self := ""
	if column[0] == "types" {
		self = column[1]
	}
	for _, sch := range c.schemas() {
		for _, a := range sch.Types {
			if a.Name == self {
				continue
			}
			detail := "type alias"
			if a.Column != nil {
				detail = "alias of " + typeString(a.Column.Type)
			}
			c.add(a.Name, kindTypeParam, detail, aliasDoc(a), "")
		}
	}
	c.builtins(append(append([]string(nil), column...), "type"))
}

func (c *completer) builtins(typePath []string) {
	docs := map[string]string{}
	for _, v := range enumValues(schemaAt(typePath), false) {
		docs[v.value] = v.doc
	}
	for _, k := range spec.BuiltinTypes() {
		c.add(k.String(), kindTypeParam, "builtin type", docs[k.String()], "")
	}
}

// backPopulates adds the relationships of target that point back to model.
func (c *completer) backPopulates(model, target string) {
	m := c.model(target)
	if m == nil {
		return
	}
	for _, r := range m.Relationships {
		if r.Target == nil || r.Target.Name != model {
			continue
		}
		c.add(r.Name, kindReference, fmt.Sprintf("%s.%s → %s (%s)", m.Name, r.Name, model, r.Kind), relationshipDoc(r), "")
	}
}

func tableName(t *spec.Table) string {
	if t == nil {
		return "?"
	}
	return t.Name
}

func tableDetail(t *spec.Table) string {
	switch {
	case t.Model != nil:
		return "table of model " + t.Model.Name
	case t.View != nil:
		return "view"
	}
	return "plain table"
}

// typeString writes a resolved type as the YAML would: string(50),
// decimal(10,2), enum(a, b), timestamp with time zone.
func typeString(t spec.Type) string {
	var b strings.Builder
	b.WriteString(t.Kind.String())
	switch {
	case t.Kind == spec.TypeEnum && len(t.Values) > 0:
		vals := t.Values
		more := ""
		if len(vals) > 6 {
			vals, more = vals[:6], ", …"
		}
		fmt.Fprintf(&b, "(%s%s)", strings.Join(vals, ", "), more)
	case t.Kind == spec.TypeDecimal && t.Precision > 0:
		fmt.Fprintf(&b, "(%d,%d)", t.Precision, t.Scale)
	case t.Length > 0:
		fmt.Fprintf(&b, "(%d)", t.Length)
	case t.Kind.IsTemporal() && (t.Precision > 0 || t.ZeroPrecision):
		fmt.Fprintf(&b, "(%d)", t.Precision)
	case t.Kind == spec.TypeArray && t.Items != nil:
		b.WriteString(" of " + typeString(*t.Items))
	}
	if t.Unsigned {
		b.WriteString(" unsigned")
	}
	if t.Fixed {
		b.WriteString(" fixed")
	}
	if t.Timezone {
		b.WriteString(" with time zone")
	}
	if t.Domain != "" {
		b.WriteString(" (domain " + t.Domain + ")")
	}
	return b.String()
}
