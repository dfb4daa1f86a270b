package loader

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dlayer/dlayer/spec"
)

// Allowed keys per map kind. The decoder reports any other key as
// unknown-key; TestSchemaKeysMatchDecoder keeps these lists and the JSON
// Schema in step.
var (
	topKeys    = []string{"types", "models", "tables", "traits"}
	columnKeys = []string{"type", "length", "precision", "scale", "timezone", "values", "enum_name",
		"primary_key", "autoincrement", "nullable", "unique", "index", "default", "insert_default",
		"onupdate", "server_default", "foreign_key", "comment", "renamed_from",
		"computed", "unsigned", "fixed", "server_onupdate", "items", "native", "domain"}
	modelKeys = []string{"table", "columns", "relationships", "indexes", "unique", "checks",
		"foreign_keys", "version_column", "renamed_from", "comment", "primary_key", "view", "partition", "use",
		"inherits", "polymorphic_on", "polymorphic_identity", "expressions"}
	tableKeys = []string{"columns", "indexes", "unique", "checks", "foreign_keys", "renamed_from", "comment", "primary_key", "view", "partition"}
	relKeys   = []string{"target", "back_populates", "secondary", "cascade", "lazy", "order_by",
		"foreign_keys", "remote_side", "uselist", "passive_deletes", "kind", "comment"}
	fkKeys          = []string{"table", "column", "on_delete", "on_update", "name"}
	indexKeys       = []string{"columns", "unique", "name", "kind"}
	uniqueKeys      = []string{"columns", "name"}
	checkKeys       = []string{"expr", "name"}
	tableFKKeys     = []string{"columns", "references", "on_delete", "on_update", "name"}
	referencesKeys  = []string{"table", "columns"}
	serverSQLKeys   = []string{"sql"}
	computedKeys    = []string{"sql", "stored"}
	allowedKeyLists = map[string][]string{
		"top": topKeys, "column": columnKeys, "model": modelKeys, "table": tableKeys,
		"relationship": relKeys, "foreignKey": fkKeys, "index": indexKeys, "unique": uniqueKeys,
		"check": checkKeys, "tableForeignKey": tableFKKeys, "references": referencesKeys,
		"serverDefault": serverSQLKeys, "computed": computedKeys, "trait": traitKeys,
	}
)

var identRE = regexp.MustCompile(identPattern)

// checkKeys reports keys of map n not in allowed, with a suggestion.
func (s *state) checkKeys(n *node, allowed []string, what string) {
	if n == nil || n.kind != mapNode {
		return
	}
	for _, k := range n.keys {
		found := false
		for _, a := range allowed {
			if k.value == a {
				found = true
				break
			}
		}
		if !found {
			s.ds.report(k, ruleUnknownKey, suggest(k.value, allowed), "unknown key %q in %s", k.value, what)
		}
	}
}

type aliasDef struct {
	name     string
	key, val *node
	state    uint8 // 0 new, 1 resolving, 2 done
	res      *resolved
	ta       *spec.TypeAlias
}

// resolved is a column definition with its alias chain flattened: the
// builtin kind, and the maps that set keys, most specific first.
type resolved struct {
	kind     spec.TypeKind
	typeNode *node
	chain    []*node
	owners   []string // alias owning chain[i], "" for the column's own map
	alias    string   // the alias the definition names, if any
}

// lookup returns the most specific node setting key k, and its owner.
func (r *resolved) lookup(k string) (*node, string) {
	for i, m := range r.chain {
		if v := m.get(k); v != nil {
			return v, r.owners[i]
		}
	}
	return nil, ""
}

type modelDef struct {
	name     string
	key, val *node
	table    *tableDef
	rels     []*relDef
	model    *spec.Model
	soft     *softDel // the soft_delete trait, if used
}

type tableDef struct {
	name     string
	nameNode *node // where the table name is written
	val      *node // the map holding columns, indexes, …
	model    *modelDef
	table    *spec.Table
	fks      []*fkDef
	broken   bool // a column failed to resolve (its error is reported)
}

type fkDef struct {
	fk       *spec.ForeignKey
	node     *node  // the foreign_key / foreign_keys item node
	refTable string // as written
	refNode  *node  // node naming the table
	refCols  []string
	refNodes []*node // nodes naming referenced columns
}

type relDef struct {
	name     string
	key, val *node
	model    *modelDef
	rel      *spec.Relationship
}

type state struct {
	cfg    *config
	ds     *diags
	files  []*srcFile
	schema *spec.Schema

	aliases    map[string]*aliasDef
	aliasList  []*aliasDef
	models     map[string]*modelDef
	modelList  []*modelDef
	tables     map[string]*tableDef
	tablesFold map[string]*tableDef
	tableList  []*tableDef
	stack      []*aliasDef
	// nodeOf maps built spec values (columns, indexes, constraints) to the
	// node they were declared at, for diagnostics.
	nodeOf map[any]*node
	// suggestWork counts candidates compared for "did you mean" details.
	suggestWork int
	names       map[string][]string // see cached
	// brokenFK holds tables with a foreign key that failed to resolve (and
	// was reported), so relationships over them stay quiet.
	brokenFK map[*spec.Table]bool
	// traits declared under traits:, and their names in order.
	traits     map[string]*traitDef
	traitNames []string
}

func newState(cfg *config, ds *diags) *state {
	return &state{
		cfg: cfg, ds: ds, schema: &spec.Schema{},
		aliases: map[string]*aliasDef{}, models: map[string]*modelDef{},
		tables: map[string]*tableDef{}, tablesFold: map[string]*tableDef{},
		nodeOf: map[any]*node{}, brokenFK: map[*spec.Table]bool{},
		traits: map[string]*traitDef{},
	}
}

// run links all parsed files: declare, then resolve, then check.
func (s *state) run() {
	for _, f := range s.files {
		for _, doc := range f.docs {
			s.declare(doc)
		}
	}
	s.expandTraits()
	for _, a := range s.aliasList {
		s.buildAlias(a)
	}
	for _, t := range s.tableList {
		s.buildTable(t)
	}
	s.buildInheritance()
	for _, m := range s.modelList {
		s.schema.Models = append(s.schema.Models, m.model)
	}
	s.schema.Index()
	for _, t := range s.tableList {
		for _, fk := range t.fks {
			s.resolveFK(t, fk)
		}
	}
	for _, m := range s.modelList {
		s.checkModel(m)
	}
	for _, m := range s.modelList {
		for _, r := range m.rels {
			s.resolveRel(r)
		}
	}
	for _, m := range s.modelList {
		for _, r := range m.rels {
			s.linkBack(r)
		}
	}
	s.applySoftDelete()
	s.inheritRelationships()
	s.inheritSoftDelete()
	s.buildExpressions()
	s.checkNames()
}

// declare registers the types, models and tables of one document.
func (s *state) declare(doc *node) {
	if doc.kind != mapNode {
		return // the JSON Schema check reported it
	}
	s.checkKeys(doc, topKeys, "a schema file (expected types, models, tables, traits)")
	s.declareTraits(doc)
	for _, p := range pairs(doc.get("types")) {
		k, v := p[0], p[1]
		if _, ok := spec.LookupType(k.value); ok {
			s.ds.report(k, ruleDuplicateType, "", "type alias %q shadows the builtin type of that name", k.value)
			continue
		}
		if prev := s.aliases[k.value]; prev != nil {
			s.ds.report(k, ruleDuplicateType, "", "type alias %q is already defined at %s", k.value, prev.key.rng())
			continue
		}
		a := &aliasDef{name: k.value, key: k, val: v}
		s.aliases[k.value] = a
		s.aliasList = append(s.aliasList, a)
	}
	for _, p := range pairs(doc.get("models")) {
		k, v := p[0], p[1]
		if prev := s.models[k.value]; prev != nil {
			s.ds.report(k, ruleDuplicateModel, "", "model %q is already defined at %s", k.value, prev.key.rng())
			continue
		}
		m := &modelDef{name: k.value, key: k, val: v}
		m.model = &spec.Model{Name: k.value, Range: k.rng()}
		s.models[k.value] = m
		s.modelList = append(s.modelList, m)
		if v.kind != mapNode {
			continue
		}
		s.checkKeys(v, modelKeys, "a model")
		tn := v.get("table")
		name, ok := tn.str()
		if !ok {
			name = "" // missing-key or wrong-type already reported
		}
		t := s.declareTable(name, tn, v)
		if t != nil {
			t.model = m
			m.table = t
		}
		for _, rp := range pairs(v.get("relationships")) {
			rd := &relDef{name: rp[0].value, key: rp[0], val: rp[1], model: m}
			m.rels = append(m.rels, rd)
		}
	}
	for _, p := range pairs(doc.get("tables")) {
		k, v := p[0], p[1]
		if v.kind == mapNode {
			s.checkKeys(v, tableKeys, "a table")
		}
		s.declareTable(k.value, k, v)
	}
}

func (s *state) declareTable(name string, nameNode, val *node) *tableDef {
	if name == "" {
		return nil
	}
	if prev := s.tables[name]; prev != nil {
		s.ds.report(nameNode, ruleDuplicateTable, "", "table %q is already defined at %s", name, prev.nameNode.rng())
		return nil
	}
	if prev := s.tablesFold[strings.ToLower(name)]; prev != nil {
		s.ds.report(nameNode, ruleDuplicateTable, "", "table %q differs only in case from table %q defined at %s; some databases fold case",
			name, prev.name, prev.nameNode.rng())
		return nil
	}
	t := &tableDef{name: name, nameNode: nameNode, val: val}
	t.table = &spec.Table{Name: name, Range: nameNode.rng()}
	s.tables[name] = t
	s.tablesFold[strings.ToLower(name)] = t
	s.tableList = append(s.tableList, t)
	s.schema.Tables = append(s.schema.Tables, t.table)
	return t
}

// typeNames lists builtin and alias names, for suggestions.
func (s *state) typeNames() []string {
	return s.cached("types", func() []string {
		var out []string
		for _, k := range spec.BuiltinTypes() {
			out = append(out, k.String())
		}
		for _, a := range s.aliasList {
			out = append(out, a.name)
		}
		return out
	})
}

// cached returns the name list under key, building it once: the lists of
// types, tables and models do not change after the declare pass.
func (s *state) cached(key string, build func() []string) []string {
	if l, ok := s.names[key]; ok {
		return l
	}
	if s.names == nil {
		s.names = map[string][]string{}
	}
	l := build()
	s.names[key] = l
	return l
}

// resolveSpec flattens a column definition (a type name or a map).
func (s *state) resolveSpec(v *node) *resolved {
	var typeNode *node
	r := &resolved{}
	switch v.kind {
	case scalarNode:
		typeNode = v
	case mapNode:
		s.checkKeys(v, columnKeys, "a column")
		typeNode = v.get("type")
		r.chain = []*node{v}
		r.owners = []string{""}
	default:
		return nil
	}
	name, ok := typeNode.str()
	if !ok || name == "" {
		return nil // reported by the JSON Schema check
	}
	if k, ok := spec.LookupType(name); ok {
		r.kind, r.typeNode = k, typeNode
		return r
	}
	a := s.aliases[name]
	if a == nil {
		s.ds.report(typeNode, ruleUnknownType, s.suggest(name, s.typeNames()), "unknown type %q", name)
		return nil
	}
	ar := s.resolveAlias(a, typeNode)
	if ar == nil {
		return nil
	}
	r.kind, r.typeNode, r.alias = ar.kind, ar.typeNode, name
	r.chain = append(r.chain, ar.chain...)
	r.owners = append(r.owners, ar.owners...)
	return r
}

// resolveAlias resolves an alias, reporting a cycle at ref, the node that
// refers to it.
func (s *state) resolveAlias(a *aliasDef, ref *node) *resolved {
	switch a.state {
	case 2:
		return a.res
	case 1:
		var names []string
		start := 0
		for i, x := range s.stack {
			if x == a {
				start = i
			}
		}
		for _, x := range s.stack[start:] {
			names = append(names, x.name)
		}
		names = append(names, a.name)
		s.ds.report(ref, ruleAliasCycle, "", "type alias cycle: %s", strings.Join(names, " -> "))
		return nil
	}
	a.state = 1
	s.stack = append(s.stack, a)
	r := s.resolveSpec(a.val)
	s.stack = s.stack[:len(s.stack)-1]
	if r != nil {
		for i := range r.owners {
			if r.owners[i] == "" {
				r.owners[i] = a.name
			}
		}
	}
	a.res, a.state = r, 2
	return r
}

// buildAlias resolves an alias and builds its spec.TypeAlias.
func (s *state) buildAlias(a *aliasDef) {
	r := s.resolveAlias(a, a.val)
	base := ""
	if a.val.kind == scalarNode {
		base = a.val.value
	} else if t, ok := a.val.get("type").str(); ok {
		base = t
	}
	ta := &spec.TypeAlias{Name: a.name, Base: base, Range: a.key.rng()}
	if r != nil {
		ta.Column = s.buildColumn(a.name, a.key, r, nil)
	}
	s.aliasDomain(a, ta)
	a.ta = ta
	s.schema.Types = append(s.schema.Types, ta)
}

// buildTable builds the columns and constraints of a table.
func (s *state) buildTable(td *tableDef) {
	t := td.table
	if m := td.model; m != nil {
		m.model.Table = t
		t.Model = m.model
		if r, ok := m.val.get("renamed_from").str(); ok {
			m.model.RenamedFrom, t.RenamedFrom = r, r
		}
		if c, ok := m.val.get("comment").str(); ok {
			m.model.Comment, t.Comment = c, c
		}
	} else {
		if r, ok := td.val.get("renamed_from").str(); ok {
			t.RenamedFrom = r
		}
		if c, ok := td.val.get("comment").str(); ok {
			t.Comment = c
		}
	}
	if td.val.kind != mapNode {
		return
	}
	s.tableExtras(td)
	seen := map[string]*node{}
	colNodes := map[*spec.Column]*resolved{}
	for _, p := range pairs(td.val.get("columns")) {
		k, v := p[0], p[1]
		if prev := seen[strings.ToLower(k.value)]; prev != nil {
			s.ds.report(k, ruleDuplicateColumn, "", "column %q of table %q differs only in case from column %q at %s",
				k.value, t.Name, prev.value, prev.rng())
			continue
		}
		seen[strings.ToLower(k.value)] = k
		r := s.resolveSpec(v)
		if r == nil {
			// Keep a placeholder so later references do not cascade into
			// "unknown column" noise.
			c := &spec.Column{Name: k.value, Range: k.rng(), Table: t}
			c.PrimaryKey, _ = v.get("primary_key").boolean()
			td.broken = true
			s.nodeOf[c] = k
			t.Columns = append(t.Columns, c)
			continue
		}
		c := s.buildColumn(k.value, k, r, td)
		s.nodeOf[c] = k
		t.Columns = append(t.Columns, c)
		colNodes[c] = r
	}
	for i, c := range t.Columns {
		c.Table, c.Ordinal = t, i
		if c.PrimaryKey {
			t.PrimaryKey = append(t.PrimaryKey, c)
		}
	}
	s.indexTable(t)
	s.tablePrimaryKey(td)
	if td.broken {
		s.brokenFK[t] = true // a broken column may have carried a foreign key
	}
	s.autoincrement(td, colNodes)
	// Column-level foreign keys, unique and index flags.
	for _, c := range t.Columns {
		r := colNodes[c]
		if r == nil {
			continue
		}
		if fkn, _ := r.lookup("foreign_key"); fkn != nil {
			s.columnFK(td, c, fkn)
		}
		if c.Unique && !(len(t.PrimaryKey) == 1 && t.PrimaryKey[0] == c) {
			un, _ := r.lookup("unique")
			u := &spec.Unique{Name: constraintName("uq", t.Name, []string{c.Name}, ""), Columns: []*spec.Column{c}, Range: un.rng()}
			s.nodeOf[u] = un
			t.Uniques = append(t.Uniques, u)
		}
		if c.Index {
			in, _ := r.lookup("index")
			ix := &spec.Index{Name: constraintName("ix", t.Name, []string{c.Name}, ""), Columns: []*spec.Column{c}, Range: in.rng()}
			s.nodeOf[ix] = in
			t.Indexes = append(t.Indexes, ix)
		}
	}
	s.tableParts(td)
}

func (s *state) indexTable(t *spec.Table) {
	// Table.Column works before Schema.Index; make sure its index is fresh.
	tmp := &spec.Schema{Tables: []*spec.Table{t}}
	tmp.Index()
}

// autoincrement applies the default (a single integer primary key column
// without a foreign key) and checks explicit settings.
func (s *state) autoincrement(td *tableDef, cols map[*spec.Column]*resolved) {
	t := td.table
	for _, c := range t.Columns {
		r := cols[c]
		if r == nil {
			continue
		}
		n, _ := r.lookup("autoincrement")
		explicit, set := n.boolean()
		switch {
		case set && explicit && (!c.PrimaryKey || !c.Type.Kind.IsInteger()):
			s.ds.report(n, ruleInvalidAutoinc, "", "autoincrement needs an integer primary key column; %s.%s is %s%s",
				t.Name, c.Name, c.Type.Kind, map[bool]string{true: " (primary key)", false: ""}[c.PrimaryKey])
		case set:
			c.Autoincrement = explicit
		default:
			fkn, _ := r.lookup("foreign_key")
			c.Autoincrement = c.PrimaryKey && len(t.PrimaryKey) == 1 && c.Type.Kind.IsInteger() && fkn == nil && t.View == nil
		}
	}
}

// columnFK records a column-level foreign key.
func (s *state) columnFK(td *tableDef, c *spec.Column, n *node) {
	fd := &fkDef{node: n}
	fk := &spec.ForeignKey{Table: td.table, Columns: []*spec.Column{c}, Range: n.rng()}
	switch n.kind {
	case scalarNode:
		v, ok := n.str()
		tbl, col, found := strings.Cut(v, ".")
		if !ok || !found || !identRE.MatchString(tbl) || !identRE.MatchString(col) {
			return // reported by the JSON Schema check
		}
		fd.refTable, fd.refNode = tbl, n
		fd.refCols, fd.refNodes = []string{col}, []*node{n}
	case mapNode:
		s.checkKeys(n, fkKeys, "a foreign key")
		tbl, ok1 := n.get("table").str()
		col, ok2 := n.get("column").str()
		if !ok1 || !ok2 {
			return
		}
		fd.refTable, fd.refNode = tbl, n.get("table")
		fd.refCols, fd.refNodes = []string{col}, []*node{n.get("column")}
		fk.OnDelete = action(n.get("on_delete"))
		fk.OnUpdate = action(n.get("on_update"))
		fk.Name, _ = n.get("name").str()
	default:
		return
	}
	fd.fk = fk
	s.nodeOf[fk] = n
	c.ForeignKey = fk
	td.fks = append(td.fks, fd)
	td.table.ForeignKeys = append(td.table.ForeignKeys, fk)
}

func action(n *node) spec.Action {
	v, _ := n.str()
	switch spec.Action(v) {
	case spec.ActionNoAction, spec.ActionRestrict, spec.ActionCascade, spec.ActionSetNull, spec.ActionSetDefault:
		return spec.Action(v)
	}
	return spec.ActionNone
}

// columnsOf resolves a list of column names of t, reporting unknown ones.
func (s *state) columnsOf(t *spec.Table, list *node, rule, what string) ([]*spec.Column, bool) {
	if list == nil || list.kind != seqNode {
		return nil, false
	}
	var out []*spec.Column
	ok := true
	for _, it := range list.items {
		name, isStr := it.str()
		if !isStr {
			ok = false
			continue
		}
		c := t.Column(name)
		if c == nil {
			s.ds.report(it, rule, s.suggest(name, columnNames(t)), "%s names unknown column %q of table %q", what, name, t.Name)
			ok = false
			continue
		}
		out = append(out, c)
	}
	return out, ok && len(out) > 0
}

func columnNames(t *spec.Table) []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

func names(cols []*spec.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// tableParts builds indexes, unique constraints, checks and table-level
// foreign keys.
func (s *state) tableParts(td *tableDef) {
	t := td.table
	for _, it := range items(td.val.get("indexes")) {
		if it.kind != mapNode {
			continue
		}
		s.checkKeys(it, indexKeys, "an index")
		cols, ok := s.columnsOf(t, it.get("columns"), ruleIndexUnknownColumn, "index")
		if !ok {
			continue
		}
		name, _ := it.get("name").str()
		uniq, _ := it.get("unique").boolean()
		ix := &spec.Index{Name: constraintName("ix", t.Name, names(cols), name), Columns: cols, Unique: uniq, Range: it.rng()}
		if kn := it.get("kind"); kn != nil {
			k, _ := kn.str()
			switch spec.IndexKind(k) {
			case spec.IndexFulltext:
				ix.Kind = spec.IndexFulltext
				if uniq {
					s.ds.report(kn, ruleInvalidIndex, "", "a fulltext index cannot be unique")
				}
				for _, c := range cols {
					if !c.Type.Kind.IsTextual() || c.Type.Kind == spec.TypeEnum {
						s.ds.report(kn, ruleInvalidIndex, "", "a fulltext index needs string or text columns; %s.%s is %s", t.Name, c.Name, c.Type.Kind)
					}
				}
			case spec.IndexPlain:
			default:
				s.ds.report(kn, ruleInvalidIndex, "", "unknown index kind %q (the kinds: fulltext)", k)
			}
		}
		s.nodeOf[ix] = it
		t.Indexes = append(t.Indexes, ix)
	}
	for _, it := range items(td.val.get("unique")) {
		list, name := it, ""
		if it.kind == mapNode {
			s.checkKeys(it, uniqueKeys, "a unique constraint")
			list = it.get("columns")
			name, _ = it.get("name").str()
		}
		cols, ok := s.columnsOf(t, list, ruleIndexUnknownColumn, "unique constraint")
		if !ok {
			continue
		}
		u := &spec.Unique{Name: constraintName("uq", t.Name, names(cols), name), Columns: cols, Range: it.rng()}
		s.nodeOf[u] = it
		t.Uniques = append(t.Uniques, u)
	}
	for i, it := range items(td.val.get("checks")) {
		expr, name := "", ""
		switch it.kind {
		case scalarNode:
			expr, _ = it.str()
		case mapNode:
			s.checkKeys(it, checkKeys, "a check")
			expr, _ = it.get("expr").str()
			name, _ = it.get("name").str()
		}
		if expr == "" {
			continue
		}
		if p := sqlExprProblem(expr); p != "" {
			at := it
			if it.kind == mapNode {
				at = it.get("expr")
			}
			s.ds.report(at, ruleUnsafeSQL, "a check is one SQL expression, written into DDL as is", "check: %s", p)
			continue
		}
		if name == "" {
			name = truncateName(fmt.Sprintf("ck_%s_%d", t.Name, i+1))
		}
		ck := &spec.Check{Name: name, Expr: expr, Range: it.rng()}
		s.nodeOf[ck] = it
		t.Checks = append(t.Checks, ck)
	}
	for _, it := range items(td.val.get("foreign_keys")) {
		if it.kind != mapNode {
			continue
		}
		s.checkKeys(it, tableFKKeys, "a foreign key")
		ref := it.get("references")
		s.checkKeys(ref, referencesKeys, "references")
		cols, ok := s.columnsOf(t, it.get("columns"), ruleUnknownColumn, "foreign key")
		tbl, ok2 := ref.get("table").str()
		refList := ref.get("columns")
		if !ok || !ok2 || refList == nil || refList.kind != seqNode {
			continue
		}
		fd := &fkDef{node: it, refTable: tbl, refNode: ref.get("table")}
		for _, rc := range refList.items {
			name, _ := rc.str()
			fd.refCols = append(fd.refCols, name)
			fd.refNodes = append(fd.refNodes, rc)
		}
		name, _ := it.get("name").str()
		fd.fk = &spec.ForeignKey{Name: name, Table: t, Columns: cols, OnDelete: action(it.get("on_delete")),
			OnUpdate: action(it.get("on_update")), Range: it.rng()}
		if len(cols) != len(fd.refCols) {
			s.ds.report(refList, ruleFKColumnCount, "", "foreign key has %d columns but references %d", len(cols), len(fd.refCols))
			continue
		}
		td.fks = append(td.fks, fd)
		s.nodeOf[fd.fk] = it
		t.ForeignKeys = append(t.ForeignKeys, fd.fk)
	}
}

func items(n *node) []*node {
	if n == nil || n.kind != seqNode {
		return nil
	}
	return n.items
}

// tableNames lists every table name, for suggestions.
func (s *state) tableNames() []string {
	return s.cached("tables", func() []string {
		out := make([]string, len(s.tableList))
		for i, t := range s.tableList {
			out[i] = t.name
		}
		return out
	})
}

// resolveFK links a foreign key to its target and checks it.
func (s *state) resolveFK(td *tableDef, fd *fkDef) {
	fk := fd.fk
	ref := s.tables[fd.refTable]
	resolved := false
	defer func() {
		if !resolved {
			s.brokenFK[td.table] = true
		}
	}()
	if ref == nil {
		s.ds.report(fd.refNode, ruleFKMissingTarget, s.suggest(fd.refTable, s.tableNames()),
			"foreign key references unknown table %q", fd.refTable)
		return
	}
	fk.RefTable = ref.table
	for i, name := range fd.refCols {
		c := ref.table.Column(name)
		if c == nil {
			s.ds.report(fd.refNodes[i], ruleFKMissingTarget, s.suggest(name, columnNames(ref.table)),
				"foreign key references unknown column %q of table %q", name, ref.name)
			fk.RefColumns = nil
			return
		}
		fk.RefColumns = append(fk.RefColumns, c)
	}
	resolved = true
	if fk.Name == "" {
		fk.Name = truncateName(fmt.Sprintf("fk_%s_%s_%s", td.name, strings.Join(names(fk.Columns), "_"), ref.name))
	}
	for i, c := range fk.Columns {
		rc := fk.RefColumns[i]
		if c.Type.Kind == spec.TypeInvalid || rc.Type.Kind == spec.TypeInvalid {
			continue
		}
		if !c.Type.Compatible(rc.Type) {
			s.ds.report(fd.node, ruleFKTypeMismatch, "", "foreign key column %s.%s is %s but references %s.%s, which is %s",
				td.name, c.Name, c.Type.Kind, ref.name, rc.Name, rc.Type.Kind)
		}
	}
	if !uniqueSet(ref.table, fk.RefColumns) {
		s.ds.report(fd.node, ruleFKTargetNotUnique, "make them the primary key or add a unique constraint",
			"foreign key references %s(%s), which is neither the primary key nor unique",
			ref.name, strings.Join(names(fk.RefColumns), ", "))
	}
	for _, a := range []spec.Action{fk.OnDelete, fk.OnUpdate} {
		if a != spec.ActionSetNull {
			continue
		}
		for _, c := range fk.Columns {
			if !c.Nullable {
				s.ds.report(fd.node, ruleSetNullNotNullable, "add nullable: true to the column",
					"set null needs %s.%s to be nullable", td.name, c.Name)
			}
		}
	}
}

// uniqueSet reports whether cols of t are its primary key or unique.
func uniqueSet(t *spec.Table, cols []*spec.Column) bool {
	same := func(a []*spec.Column) bool {
		if len(a) != len(cols) || len(a) == 0 {
			return false
		}
		for _, c := range a {
			found := false
			for _, d := range cols {
				found = found || c == d
			}
			if !found {
				return false
			}
		}
		return true
	}
	if same(t.PrimaryKey) {
		return true
	}
	if len(cols) == 1 && cols[0].Unique {
		return true
	}
	for _, u := range t.Uniques {
		if same(u.Columns) {
			return true
		}
	}
	for _, ix := range t.Indexes {
		if ix.Unique && same(ix.Columns) {
			return true
		}
	}
	return false
}

// checkModel checks a model's primary key and version column.
func (s *state) checkModel(m *modelDef) {
	t := m.model.Table
	if t == nil {
		return
	}
	if len(t.PrimaryKey) == 0 && len(t.Columns) > 0 && !m.table.broken {
		s.ds.report(m.key, ruleMissingPrimaryKey, "add primary_key: true to a column",
			"model %q has no primary key (table %q)", m.name, t.Name)
	}
	vn := m.val.get("version_column")
	if name, ok := vn.str(); ok {
		c := t.Column(name)
		switch {
		case c == nil:
			s.ds.report(vn, ruleUnknownColumn, s.suggest(name, columnNames(t)), "version_column names unknown column %q of table %q", name, t.Name)
		case !c.Type.Kind.IsInteger():
			s.ds.report(vn, ruleVersionColumnType, "", "version_column %q must be an integer column, not %s", name, c.Type.Kind)
		default:
			m.model.VersionColumn = c
		}
	}
}

// checkNames checks reserved words and name clashes across the schema.
func (s *state) checkNames() {
	for _, td := range s.tableList {
		t := td.table
		if isReserved(t.Name) {
			s.ds.report(td.nameNode, ruleReservedWord, "quoting makes it work, but every hand-written query must quote it too",
				"table name %q is an SQL reserved word", t.Name)
		}
		for _, c := range t.Columns {
			if isReserved(c.Name) {
				s.ds.report(s.nodeOf[c], ruleReservedWord, "quoting makes it work, but every hand-written query must quote it too",
					"column name %q is an SQL reserved word", c.Name)
			}
		}
	}
	type named struct {
		name string
		obj  any
		r    spec.Range
	}
	tables := map[string]spec.Range{}
	for _, td := range s.tableList {
		tables[td.name] = td.table.Range
	}
	s.checkEnumNames(tables)
	// Index and constraint names must differ within a table everywhere.
	// Across tables it depends on the database (PostgreSQL keeps indexes
	// in the schema's namespace, MySQL per table): the dialects check that
	// (dlayer validate --dialect), so a schema inspected from MySQL loads.
	for _, td := range s.tableList {
		t := td.table
		var all []named
		for _, x := range t.Indexes {
			all = append(all, named{x.Name, x, x.Range})
		}
		for _, x := range t.Uniques {
			all = append(all, named{x.Name, x, x.Range})
		}
		for _, x := range t.ForeignKeys {
			if x.Name != "" {
				all = append(all, named{x.Name, x, x.Range})
			}
		}
		for _, x := range t.Checks {
			all = append(all, named{x.Name, x, x.Range})
		}
		seen := map[string]spec.Range{}
		for _, x := range all {
			if prev, ok := seen[x.name]; ok {
				s.ds.report(s.nodeOf[x.obj], ruleDuplicateName, "", "constraint or index name %q is already used in table %q at %s", x.name, t.Name, prev)
				continue
			}
			seen[x.name] = x.r
		}
	}
	for _, m := range s.modelList {
		t := m.model.Table
		if t == nil {
			continue
		}
		for _, r := range m.rels {
			if t.Column(r.name) != nil {
				s.ds.report(r.key, ruleDuplicateName, "", "relationship %q of model %q has the name of a column", r.name, m.name)
			}
		}
	}
}

// checkEnumNames checks that enum type names do not clash with tables or
// with another enum of different values (the same values share one type).
func (s *state) checkEnumNames(tables map[string]spec.Range) {
	first := map[string]*spec.Column{}
	for _, td := range s.tableList {
		for _, c := range td.table.Columns {
			name := c.Type.EnumName
			if c.Type.Kind != spec.TypeEnum || name == "" {
				continue
			}
			if r, ok := tables[name]; ok {
				s.ds.report(s.nodeOf[c], ruleDuplicateName, "set enum_name", "enum type name %q of column %s.%s is the name of the table at %s",
					name, td.name, c.Name, r)
				continue
			}
			prev := first[name]
			if prev == nil {
				first[name] = c
				continue
			}
			if !slices.Equal(prev.Type.Values, c.Type.Values) {
				s.ds.report(s.nodeOf[c], ruleDuplicateName, "set enum_name", "enum type name %q of column %s.%s is used by %s.%s with other values",
					name, td.name, c.Name, prev.Table.Name, prev.Name)
			}
		}
	}
}

// tablePrimaryKey applies a model's or table's primary_key list: the key's
// columns in key order, for a composite key whose order differs from the
// columns' (PRIMARY KEY (paid_at, id)). Columns may also say primary_key:
// true, but then the two must name the same columns.
func (s *state) tablePrimaryKey(td *tableDef) {
	t := td.table
	n := td.val.get("primary_key")
	if n == nil || n.kind != seqNode {
		return // absent, or reported by the JSON Schema check
	}
	var cols []*spec.Column
	seen := map[*spec.Column]bool{}
	for _, it := range n.items {
		name, ok := it.str()
		if !ok {
			continue
		}
		c := t.Column(name)
		switch {
		case c == nil:
			s.ds.report(it, ruleInvalidPrimaryKey, s.suggest(name, columnNames(t)),
				"primary_key names unknown column %q of table %q", name, t.Name)
			continue
		case seen[c]:
			s.ds.report(it, ruleInvalidPrimaryKey, "", "primary_key lists column %q twice", name)
			continue
		case c.Nullable:
			s.ds.report(it, ruleNullablePrimaryKey, "", "primary key column %q cannot be nullable", name)
			c.Nullable = false
		case c.Computed != nil:
			s.ds.report(it, ruleInvalidComputed, "", "computed column %q cannot be part of the primary key", name)
		}
		seen[c] = true
		cols = append(cols, c)
	}
	for _, c := range t.PrimaryKey {
		if !seen[c] {
			s.ds.report(n, ruleInvalidPrimaryKey, "list it, or remove primary_key: true from the column",
				"column %q of table %q says primary_key: true but the table's primary_key list leaves it out", c.Name, t.Name)
		}
	}
	if len(cols) == 0 {
		return
	}
	for _, c := range cols {
		c.PrimaryKey = true
	}
	t.PrimaryKey = cols
	t.PrimaryKeyRange = n.rng()
}
