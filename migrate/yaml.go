package migrate

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dlayer/dlayer/spec"
)

// ModelsYAML writes a schema read from a database as a dlayer YAML schema
// file. Every table with a primary key becomes a model (named in CamelCase
// after the singular of its table name) and the others plain tables.
// Association tables (every column in one of exactly two foreign keys to
// model tables) stay plain tables and give both models a many-to-many
// relationship through them. Other foreign keys give a many-to-one
// relationship on the referencing model and a one-to-many on the
// referenced one, with foreign_keys and remote_side where the loader would
// otherwise find them ambiguous.
//
// Names read as a person would write them (docs/migrations.md, "Names"):
// a to-one relationship is named for its foreign-key column without the id
// suffix (support_rep_id, SupportRepId and supportRepId give support_rep),
// a collection is the plural of the referencing model (Album.tracks), two
// keys to the same table name their collections by role (origin_flights,
// destination_flights), and a self-reference names both sides by role
// (manager ↔ reports, parent ↔ children, ReportsTo gives reports_to ↔
// reports).
//
// Views become read-only models (view: {sql}) when their first column is
// id or ends in _id: ModelsYAML marks that column as the view's key in s
// (a view has none in the database); other views stay plain tables.
// Domains the columns use are written as types: aliases with domain: true,
// arrays as type: array and types with no dlayer name as type: native.
func ModelsYAML(s *spec.Schema) ([]byte, error) {
	if s == nil {
		return nil, errors.New("migrate: ModelsYAML of a nil schema")
	}
	w := &yamlWriter{s: s, modelName: map[*spec.Table]string{}, rels: map[*spec.Table]*yaml.Node{},
		relNames: map[*spec.Table]map[string]bool{}}
	return w.write()
}

type yamlWriter struct {
	s         *spec.Schema
	modelName map[*spec.Table]string
	assoc     []*spec.Table
	rels      map[*spec.Table]*yaml.Node
	relNames  map[*spec.Table]map[string]bool
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func scalar(v any) *yaml.Node {
	switch x := v.(type) {
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(x)}
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(x)}
	case int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(x, 10)}
	case float64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(x, 'g', -1, 64)}
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case string:
		return str(x)
	}
	return str(fmt.Sprint(v))
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func flowMap() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle} }

func set(m *yaml.Node, key string, v *yaml.Node) { m.Content = append(m.Content, str(key), v) }

func list(items ...string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, it := range items {
		n.Content = append(n.Content, str(it))
	}
	return n
}

// camel turns a table name into a model name: singular, CamelCase
// (invoice_lines, InvoiceLine and invoiceLines all give InvoiceLine).
func camel(table string) string {
	var b strings.Builder
	for _, part := range singularName(table) {
		b.WriteString(upperFirst(part))
	}
	if b.Len() == 0 || b.String()[0] >= '0' && b.String()[0] <= '9' {
		return "M" + b.String()
	}
	return b.String()
}

// fkRole returns the words naming what a one-column foreign key's column
// points at: the column's name without an id suffix (support_rep_id,
// SupportRepId and supportRepId give support, rep), and whether there was
// such a suffix.
func fkRole(fk *spec.ForeignKey) ([]string, bool) {
	if len(fk.Columns) != 1 {
		return nil, false
	}
	words := splitWords(fk.Columns[0].Name)
	if n := len(words); n > 1 {
		switch strings.ToLower(words[n-1]) {
		case "id", "fk":
			return words[:n-1], true
		}
	}
	return words, false
}

// fkOrdinal is the position of a foreign key's first column.
func fkOrdinal(fk *spec.ForeignKey) int {
	if len(fk.Columns) == 0 || fk.Columns[0].Table == nil {
		return 0
	}
	return slices.Index(fk.Columns[0].Table.Columns, fk.Columns[0])
}

// roleInverse names the collection of a self-reference after its to-one
// role: an employee's manager has reports, a node's parent children.
var roleInverse = map[string]string{
	"parent": "children", "manager": "reports", "boss": "reports", "reports_to": "reports",
	"supervisor": "subordinates", "mentor": "mentees", "reply_to": "replies",
	"in_reply_to": "replies", "predecessor": "successors", "successor": "predecessors",
}

// roleAlias names the to-one side of a self-reference whose column, named
// for the role without an id suffix, takes the role's own name.
var roleAlias = map[string]string{"reports_to": "manager", "managed_by": "manager", "child_of": "parent"}

// selfCollection names the other side of a self-reference whose to-one
// side has the given role.
func selfCollection(role []string) string {
	r := snake(role)
	if inv, ok := roleInverse[r]; ok {
		return inv
	}
	if n := len(role); n > 1 && strings.EqualFold(role[n-1], "to") {
		return snake(inflectLast(role[:n-1], pluralWord)) // reply_to → replies
	}
	return r + "_of" // manager_of: the rows whose manager this is
}

// isAssociation reports whether t only links two model tables.
func (w *yamlWriter) isAssociation(t *spec.Table) bool {
	if len(t.ForeignKeys) != 2 {
		return false
	}
	in := map[*spec.Column]bool{}
	for _, fk := range t.ForeignKeys {
		if fk.RefTable == t || len(fk.RefTable.PrimaryKey) == 0 {
			return false
		}
		for _, c := range fk.Columns {
			in[c] = true
		}
	}
	for _, c := range t.Columns {
		if !in[c] {
			return false
		}
	}
	return true
}

func (w *yamlWriter) write() ([]byte, error) {
	taken := map[string]bool{}
	for _, t := range w.s.Tables {
		if t.View != nil && len(t.PrimaryKey) == 0 {
			viewKey(t)
		}
		if len(t.PrimaryKey) == 0 || w.isAssociation(t) {
			continue
		}
		n := camel(t.Name)
		if taken[n] {
			n = camel(t.Name + "_")
			for i := 2; taken[n]; i++ {
				n = camel(t.Name) + strconv.Itoa(i)
			}
		}
		taken[n] = true
		w.modelName[t] = n
	}
	for _, t := range w.s.Tables {
		if w.isAssociation(t) && w.modelName[t.ForeignKeys[0].RefTable] != "" && w.modelName[t.ForeignKeys[1].RefTable] != "" {
			w.assoc = append(w.assoc, t)
		}
	}
	w.relationships()
	root := mapping()
	if types := w.typesNode(); types != nil {
		set(root, "types", types)
	}
	models, tables := mapping(), mapping()
	for _, t := range w.s.Tables {
		m := w.tableNode(t)
		if name := w.modelName[t]; name != "" {
			body := mapping()
			set(body, "table", str(t.Name))
			body.Content = append(body.Content, m.Content...)
			if r := w.rels[t]; r != nil && len(r.Content) > 0 {
				set(body, "relationships", r)
			}
			set(models, name, body)
			if t.View != nil && len(t.PrimaryKey) == 1 {
				models.Content[len(models.Content)-2].HeadComment = "A view has no key: inspect took its first column, " + t.PrimaryKey[0].Name +
					", as the ORM's identity.\nCheck that it is unique in the view, or mark the right column(s) primary_key."
			}
			continue
		}
		set(tables, t.Name, m)
	}
	if len(models.Content) > 0 {
		set(root, "models", models)
	}
	if len(tables.Content) > 0 {
		set(root, "tables", tables)
	}
	var b bytes.Buffer
	b.WriteString("# yaml-language-server: $schema=https://raw.githubusercontent.com/dlayer/dlayer/main/schemas/dlayer.schema.json\n")
	b.WriteString("# Written by dlayer inspect from a live database.\n")
	if len(root.Content) == 0 {
		b.WriteString("models: {}\n")
		return b.Bytes(), nil
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, fmt.Errorf("write models: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write models: %w", err)
	}
	return b.Bytes(), nil
}

// loaderAutoincrement is the loader's default for a column's autoincrement.
func loaderAutoincrement(t *spec.Table, c *spec.Column) bool {
	return len(t.PrimaryKey) == 1 && t.PrimaryKey[0] == c && c.Type.Kind.IsInteger() && c.ForeignKey == nil && t.View == nil
}

func (w *yamlWriter) tableNode(t *spec.Table) *yaml.Node {
	m := mapping()
	cols := mapping()
	singleUnique := map[*spec.Column]bool{}
	for _, u := range t.Uniques {
		if len(u.Columns) == 1 && u.Name == "uq_"+t.Name+"_"+u.Columns[0].Name {
			singleUnique[u.Columns[0]] = true
		}
	}
	pkList := pkOutOfOrder(t)
	for _, c := range t.Columns {
		cn := flowMap()
		ty := c.Type
		switch {
		case ty.Domain != "" && w.s.Types != nil:
			set(cn, "type", str(ty.Domain))
			ty = spec.Type{}
		case ty.Kind == spec.TypeArray && ty.Items != nil:
			set(cn, "type", str("array"))
			set(cn, "items", itemsNode(*ty.Items))
			ty = spec.Type{}
		case ty.Kind == spec.TypeNative:
			set(cn, "type", str("native"))
			set(cn, "native", nativeNode(ty.Native))
			ty = spec.Type{}
		default:
			set(cn, "type", str(c.Type.Kind.String()))
		}
		if ty.Length > 0 {
			set(cn, "length", scalar(ty.Length))
		}
		if ty.Fixed {
			set(cn, "fixed", scalar(true))
		}
		if ty.Unsigned {
			set(cn, "unsigned", scalar(true))
		}
		if ty.Precision > 0 {
			set(cn, "precision", scalar(ty.Precision))
		} else if ty.ZeroPrecision {
			set(cn, "precision", scalar(0))
		}
		if ty.Scale > 0 {
			set(cn, "scale", scalar(ty.Scale))
		}
		if ty.Timezone {
			set(cn, "timezone", scalar(true))
		}
		if len(ty.Values) > 0 {
			set(cn, "values", list(ty.Values...))
		}
		if ty.EnumName != "" && ty.EnumName != t.Name+"_"+c.Name+"_enum" {
			set(cn, "enum_name", str(ty.EnumName))
		}
		if c.PrimaryKey && len(t.PrimaryKey) > 0 && !pkList {
			set(cn, "primary_key", scalar(true))
		}
		if c.Autoincrement != loaderAutoincrement(t, c) {
			set(cn, "autoincrement", scalar(c.Autoincrement))
		}
		if c.Nullable && !c.PrimaryKey {
			set(cn, "nullable", scalar(true))
		}
		if singleUnique[c] {
			set(cn, "unique", scalar(true))
		}
		if d := c.ServerDefault; d != nil {
			switch d.Kind {
			case spec.DefaultNow:
				set(cn, "server_default", str("now"))
			case spec.DefaultSQL:
				sq := flowMap()
				set(sq, "sql", str(d.SQL))
				set(cn, "server_default", sq)
			case spec.DefaultUUID:
				sq := flowMap()
				set(sq, "sql", str("gen_random_uuid()"))
				set(cn, "server_default", sq)
			default:
				set(cn, "server_default", scalar(d.Value))
			}
		}
		if c.ServerOnUpdate != nil && c.ServerOnUpdate.Kind == spec.DefaultNow {
			set(cn, "server_onupdate", str("now"))
		}
		if cp := c.Computed; cp != nil {
			n := flowMap()
			set(n, "sql", str(cp.SQL))
			set(n, "stored", scalar(cp.Stored))
			set(cn, "computed", n)
		}
		if fk := c.ForeignKey; fk != nil && len(fk.Columns) == 1 {
			set(cn, "foreign_key", fkNode(fk))
		}
		if c.Comment != "" {
			set(cn, "comment", str(c.Comment))
		}
		set(cols, c.Name, cn)
	}
	set(m, "columns", cols)
	if pkList {
		set(m, "primary_key", list(colNames(t.PrimaryKey)...))
	}
	var fks []*yaml.Node
	for _, fk := range t.ForeignKeys {
		if len(fk.Columns) == 1 {
			continue
		}
		n := flowMap()
		set(n, "columns", list(colNames(fk.Columns)...))
		ref := flowMap()
		set(ref, "table", str(fk.RefTable.Name))
		set(ref, "columns", list(colNames(fk.RefColumns)...))
		set(n, "references", ref)
		addActions(n, fk)
		if fk.Name != "" {
			set(n, "name", str(fk.Name))
		}
		fks = append(fks, n)
	}
	if len(fks) > 0 {
		set(m, "foreign_keys", &yaml.Node{Kind: yaml.SequenceNode, Content: fks})
	}
	var uqs []*yaml.Node
	for _, u := range t.Uniques {
		if singleUnique[u.Columns[0]] && len(u.Columns) == 1 {
			continue
		}
		n := flowMap()
		set(n, "columns", list(colNames(u.Columns)...))
		if u.Name != "" {
			set(n, "name", str(u.Name))
		}
		uqs = append(uqs, n)
	}
	if len(uqs) > 0 {
		set(m, "unique", &yaml.Node{Kind: yaml.SequenceNode, Content: uqs})
	}
	var ixs []*yaml.Node
	for _, ix := range t.Indexes {
		n := flowMap()
		set(n, "columns", list(colNames(ix.Columns)...))
		if ix.Unique {
			set(n, "unique", scalar(true))
		}
		if ix.Kind != spec.IndexPlain {
			set(n, "kind", str(string(ix.Kind)))
		}
		if ix.Name != "" {
			set(n, "name", str(ix.Name))
		}
		if ix.WhereNull != nil {
			// YAML states a partial index only through the soft_delete
			// trait: say so rather than drop the WHERE silently.
			n.LineComment = "partial: WHERE " + ix.WhereNull.Name + " IS NULL (a soft-delete key: use: [{soft_delete: {column: " + ix.WhereNull.Name + "}}] and drop the column and this index to recreate it)"
		}
		ixs = append(ixs, n)
	}
	if len(ixs) > 0 {
		set(m, "indexes", &yaml.Node{Kind: yaml.SequenceNode, Content: ixs})
	}
	var cks []*yaml.Node
	for i, ck := range t.Checks {
		n := flowMap()
		set(n, "expr", str(ck.Expr))
		if ck.Name != "" && ck.Name != fmt.Sprintf("ck_%s_%d", t.Name, i+1) { // the loader derives that one
			set(n, "name", str(ck.Name))
		}
		cks = append(cks, n)
	}
	if len(cks) > 0 {
		set(m, "checks", &yaml.Node{Kind: yaml.SequenceNode, Content: cks})
	}
	if t.Comment != "" {
		set(m, "comment", str(t.Comment))
	}
	if t.View != nil {
		v := mapping()
		set(v, "sql", str(t.View.SQL))
		if t.View.Materialized {
			set(v, "materialized", scalar(true))
		}
		set(m, "view", v)
	}
	if p := t.Partition; p != nil {
		pn := mapping()
		set(pn, "by", str(p.By))
		var parts []*yaml.Node
		for _, b := range p.Partitions {
			bn := flowMap()
			set(bn, "name", str(b.Name))
			set(bn, "bound", str(b.Bound))
			parts = append(parts, bn)
		}
		if len(parts) > 0 {
			set(pn, "partitions", &yaml.Node{Kind: yaml.SequenceNode, Content: parts})
		}
		set(m, "partition", pn)
	}
	return m
}

// pkOutOfOrder reports whether t's primary key lists its columns in
// another order than the table does: the YAML then states the key as a
// table-level primary_key list (and no column-level flags), which the
// loader reads back in the same order. Keys in column order keep the
// column-level flags, so the YAML of ordinary tables is unchanged.
func pkOutOfOrder(t *spec.Table) bool {
	last := -1
	for _, c := range t.PrimaryKey {
		i := slices.Index(t.Columns, c)
		if i < last {
			return true
		}
		last = i
	}
	return false
}

// viewKey marks the key of a view read from a database, which has none:
// its first column, when that is named id or ends in _id, so the view can
// be a (read-only) model. Views without such a column stay plain tables.
func viewKey(t *spec.Table) {
	if len(t.Columns) == 0 {
		return
	}
	c := t.Columns[0]
	if c.Name != "id" && !strings.HasSuffix(c.Name, "_id") {
		return
	}
	c.PrimaryKey, c.Nullable = true, false
	t.PrimaryKey = []*spec.Column{c}
}

// typeOptions adds a type's length, precision, scale and timezone to n.
func typeOptions(n *yaml.Node, ty spec.Type) {
	if ty.Length > 0 {
		set(n, "length", scalar(ty.Length))
	}
	if ty.Precision > 0 {
		set(n, "precision", scalar(ty.Precision))
	}
	if ty.Scale > 0 {
		set(n, "scale", scalar(ty.Scale))
	}
	if ty.Timezone {
		set(n, "timezone", scalar(true))
	}
}

// itemsNode writes an array's element type: its name, or a map when it has
// options.
func itemsNode(ty spec.Type) *yaml.Node {
	n := flowMap()
	set(n, "type", str(ty.Kind.String()))
	typeOptions(n, ty)
	if len(n.Content) == 2 {
		return str(ty.Kind.String())
	}
	return n
}

func nativeNode(m map[string]string) *yaml.Node {
	n := flowMap()
	for _, d := range []string{"postgres", "mysql", "sqlite"} {
		if v, ok := m[d]; ok {
			set(n, d, str(v))
		}
	}
	return n
}

// typesNode writes the type aliases of an inspected schema: the
// PostgreSQL domains its columns use.
func (w *yamlWriter) typesNode() *yaml.Node {
	if len(w.s.Types) == 0 {
		return nil
	}
	types := mapping()
	for _, a := range w.s.Types {
		if a.Column == nil {
			continue
		}
		n := mapping()
		ty := a.Column.Type
		switch {
		case ty.Kind == spec.TypeArray && ty.Items != nil:
			set(n, "type", str("array"))
			set(n, "items", itemsNode(*ty.Items))
		case ty.Kind == spec.TypeNative:
			set(n, "type", str("native"))
			set(n, "native", nativeNode(ty.Native))
		default:
			set(n, "type", str(ty.Kind.String()))
			typeOptions(n, ty)
			if len(ty.Values) > 0 {
				set(n, "values", list(ty.Values...))
			}
			if ty.EnumName != "" {
				set(n, "enum_name", str(ty.EnumName))
			}
		}
		if a.Domain != nil {
			if len(a.Domain.Checks) == 0 {
				set(n, "domain", scalar(true))
			} else {
				d := mapping()
				var cks []*yaml.Node
				for _, ck := range a.Domain.Checks {
					cn := flowMap()
					set(cn, "expr", str(ck.Expr))
					if ck.Name != "" {
						set(cn, "name", str(ck.Name))
					}
					cks = append(cks, cn)
				}
				set(d, "checks", &yaml.Node{Kind: yaml.SequenceNode, Content: cks})
				set(n, "domain", d)
			}
		}
		set(types, a.Name, n)
	}
	return types
}

func fkNode(fk *spec.ForeignKey) *yaml.Node {
	n := flowMap()
	set(n, "table", str(fk.RefTable.Name))
	set(n, "column", str(fk.RefColumns[0].Name))
	addActions(n, fk)
	if fk.Name != "" && fk.Name != "fk_"+fk.Table.Name+"_"+fk.Columns[0].Name+"_"+fk.RefTable.Name {
		set(n, "name", str(fk.Name))
	}
	return n
}

func addActions(n *yaml.Node, fk *spec.ForeignKey) {
	if fk.OnDelete != spec.ActionNone && fk.OnDelete != spec.ActionNoAction {
		set(n, "on_delete", str(string(fk.OnDelete)))
	}
	if fk.OnUpdate != spec.ActionNone && fk.OnUpdate != spec.ActionNoAction {
		set(n, "on_update", str(string(fk.OnUpdate)))
	}
}

// relName picks an unused relationship name on t.
func (w *yamlWriter) relName(t *spec.Table, want string) string {
	if w.relNames[t] == nil {
		w.relNames[t] = map[string]bool{}
	}
	used := func(n string) bool { return w.relNames[t][n] || t.Column(n) != nil }
	n := want
	for i := 2; used(n) || n == ""; i++ {
		n = want + "_" + strconv.Itoa(i)
	}
	w.relNames[t][n] = true
	return n
}

// relNameOf picks the first of cands unused on t, or numbers the first.
func (w *yamlWriter) relNameOf(t *spec.Table, cands []string) string {
	for _, c := range cands {
		if c != "" && !w.relNames[t][c] && t.Column(c) == nil {
			return w.relName(t, c)
		}
	}
	return w.relName(t, cands[0])
}

func (w *yamlWriter) addRel(t *spec.Table, name string, body *yaml.Node) {
	if w.rels[t] == nil {
		w.rels[t] = mapping()
	}
	set(w.rels[t], name, body)
}

func qualified(t *spec.Table, cs []*spec.Column) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = t.Name + "." + c.Name
	}
	return out
}

// relationships infers relationships from foreign keys.
func (w *yamlWriter) relationships() {
	assoc := map[*spec.Table]bool{}
	for _, t := range w.assoc {
		assoc[t] = true
	}
	// Count the foreign keys between each pair of tables, to know when a
	// relationship needs foreign_keys to be unambiguous.
	pairs := map[[2]*spec.Table]int{}
	for _, t := range w.s.Tables {
		for _, fk := range t.ForeignKeys {
			a, b := t, fk.RefTable
			if a.Name > b.Name {
				a, b = b, a
			}
			pairs[[2]*spec.Table{a, b}]++
		}
	}
	// fkCount counts the foreign keys from a table to another, to name
	// the collections of two keys to the same table by their roles.
	fkCount := map[[2]*spec.Table]int{}
	for _, t := range w.s.Tables {
		for _, fk := range t.ForeignKeys {
			fkCount[[2]*spec.Table{t, fk.RefTable}]++
		}
	}
	ambiguous := func(a, b *spec.Table) bool {
		if a.Name > b.Name {
			a, b = b, a
		}
		return pairs[[2]*spec.Table{a, b}] > 1
	}
	for _, t := range w.s.Tables {
		if assoc[t] || w.modelName[t] == "" {
			continue
		}
		// In column order, not declaration order, so that the YAML of a
		// database and of one made from its DDL agree.
		fks := slices.Clone(t.ForeignKeys)
		slices.SortStableFunc(fks, func(a, b *spec.ForeignKey) int { return cmp.Compare(fkOrdinal(a), fkOrdinal(b)) })
		for _, fk := range fks {
			ref := fk.RefTable
			if w.modelName[ref] == "" {
				continue
			}
			self := ref == t
			refWords := singularName(w.modelName[ref])
			role, suffixed := fkRole(fk)
			var cands []string
			if len(role) > 0 {
				// support_rep_id → support_rep; a column without an id
				// suffix (ReportsTo) names the role itself.
				cands = append(cands, snake(role))
				if alias, ok := roleAlias[snake(role)]; ok && self && !suffixed {
					cands = append(cands, alias) // reports_to (a column) → manager
				}
			}
			if !self {
				cands = append(cands, snake(refWords))
			}
			if len(role) > 0 && !suffixed && snake(role) != snake(refWords) {
				cands = append(cands, snake(role)+"_"+snake(refWords)) // reports_to_employee
			}
			cands = append(cands, snake(refWords)+"_ref") // Office.country (a code) → country_ref
			many := w.relNameOf(t, cands)
			childMany := snake(pluralName(w.modelName[t]))
			backBase := childMany // Album.tracks
			switch {
			case self && len(role) > 0:
				backBase = selfCollection(role)
			case self:
				backBase = "children"
			case fkCount[[2]*spec.Table{t, ref}] > 1 && len(role) > 0:
				backBase = snake(role) + "_" + childMany // origin_flights, destination_flights
			}
			one := w.relName(ref, backBase)
			m2o := flowMap()
			set(m2o, "target", str(w.modelName[ref]))
			set(m2o, "back_populates", str(one))
			o2m := flowMap()
			set(o2m, "target", str(w.modelName[t]))
			set(o2m, "back_populates", str(many))
			if self || ambiguous(t, ref) {
				set(m2o, "foreign_keys", list(qualified(t, fk.Columns)...))
				set(o2m, "foreign_keys", list(qualified(t, fk.Columns)...))
			}
			if self {
				set(m2o, "remote_side", list(colNames(fk.RefColumns)...))
				set(o2m, "remote_side", list(colNames(fk.Columns)...))
			}
			w.addRel(t, many, m2o)
			w.addRel(ref, one, o2m)
		}
	}
	for _, a := range w.assoc {
		f1, f2 := a.ForeignKeys[0], a.ForeignKeys[1]
		t1, t2 := f1.RefTable, f2.RefTable
		n1 := w.relName(t1, m2mName(w.modelName[t2], a.Name, t1 == t2, f2))
		n2 := w.relName(t2, m2mName(w.modelName[t1], a.Name, t1 == t2, f1))
		r1 := flowMap()
		set(r1, "target", str(w.modelName[t2]))
		set(r1, "secondary", str(a.Name))
		set(r1, "back_populates", str(n2))
		r2 := flowMap()
		set(r2, "target", str(w.modelName[t1]))
		set(r2, "secondary", str(a.Name))
		set(r2, "back_populates", str(n1))
		if t1 == t2 {
			set(r1, "foreign_keys", list(qualified(a, f1.Columns)...))
			set(r2, "foreign_keys", list(qualified(a, f2.Columns)...))
		}
		w.addRel(t1, n1, r1)
		w.addRel(t2, n2, r2)
	}
}

// m2mName names a many-to-many collection: the plural of the target
// model's name (Playlist.tracks), or for a self-referential link the plural
// of the far column's role (followers).
func m2mName(target, assoc string, self bool, far *spec.ForeignKey) string {
	if !self {
		return snake(pluralName(target))
	}
	if role, ok := fkRole(far); ok && len(role) > 0 {
		return snake(inflectLast(role, pluralWord))
	}
	return assoc
}
