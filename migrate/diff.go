package migrate

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// DiffOptions tunes Diff.
type DiffOptions struct {
	// SameType reports whether two columns have the same database type. Nil
	// compares the neutral types (kind, length, precision, scale, timezone,
	// enum values). Pass a dialect's Migrator.SameType when one side was
	// read from a database.
	SameType func(a, b *spec.Column) bool
	// Skip lists tables that are ignored on both sides (the history table).
	Skip []string
	// NoPartialIndex: the database has no partial indexes (MySQL,
	// MariaDB), so an index's WhereNull is not compared (it creates the
	// index over every row). Runner.DiffOptions sets it from the dialect.
	NoPartialIndex bool
}

// Plan is the difference between two schemas: the changes that turn From
// into To (Up) and back (Down).
type Plan struct {
	Up   []dialects.Change
	Down []dialects.Change
}

// Empty reports whether the schemas are equal.
func (p *Plan) Empty() bool { return p == nil || len(p.Up) == 0 }

// Destructive returns the destructive changes of the up direction.
func (p *Plan) Destructive() []dialects.Change {
	if p == nil {
		return nil
	}
	var out []dialects.Change
	for _, c := range p.Up {
		if c.Destructive {
			out = append(out, c)
		}
	}
	return out
}

// renames maps, for one direction, new table names to old ones and per new
// table new column names to old ones.
type renames struct {
	tables  map[string]string
	columns map[string]map[string]string
}

func (r renames) invert() renames {
	out := renames{tables: map[string]string{}, columns: map[string]map[string]string{}}
	for n, o := range r.tables {
		out.tables[o] = n
	}
	for tbl, cols := range r.columns {
		oldTbl := tbl
		if o, ok := r.tables[tbl]; ok {
			oldTbl = o
		}
		m := map[string]string{}
		for n, o := range cols {
			m[o] = n
		}
		out.columns[oldTbl] = m
	}
	return out
}

// tableRenamedFrom returns the renamed_from of t (table or model level).
func tableRenamedFrom(t *spec.Table) string {
	if t.RenamedFrom != "" {
		return t.RenamedFrom
	}
	if t.Model != nil {
		return t.Model.RenamedFrom
	}
	return ""
}

// Diff compares two schemas and returns the plan that migrates from to to.
// Renames come only from renamed_from keys in to; a table or column that
// is missing on one side is created or dropped, never guessed as renamed.
// Either schema may be nil (empty).
func Diff(from, to *spec.Schema, opts DiffOptions) (*Plan, error) {
	from, to = orEmpty(from), orEmpty(to)
	rn := renames{tables: map[string]string{}, columns: map[string]map[string]string{}}
	skip := map[string]bool{}
	for _, s := range opts.Skip {
		skip[s] = true
	}
	for _, t := range to.Tables {
		if skip[t.Name] {
			continue
		}
		if old := tableRenamedFrom(t); old != "" && from.Table(t.Name) == nil && from.Table(old) != nil {
			rn.tables[t.Name] = old
		}
		oldT := from.Table(t.Name)
		if o, ok := rn.tables[t.Name]; ok {
			oldT = from.Table(o)
		}
		if oldT == nil {
			continue
		}
		for _, c := range t.Columns {
			if c.RenamedFrom != "" && oldT.Column(c.Name) == nil && oldT.Column(c.RenamedFrom) != nil {
				if rn.columns[t.Name] == nil {
					rn.columns[t.Name] = map[string]string{}
				}
				rn.columns[t.Name][c.Name] = c.RenamedFrom
			}
		}
	}
	up, err := diff(from, to, rn, opts, skip)
	if err != nil {
		return nil, err
	}
	down, err := diff(to, from, rn.invert(), opts, skip)
	if err != nil {
		return nil, err
	}
	return &Plan{Up: up, Down: down}, nil
}

func orEmpty(s *spec.Schema) *spec.Schema {
	if s == nil {
		s = &spec.Schema{}
		s.Index()
	}
	return s
}

// differ holds the state of one direction of a diff.
type differ struct {
	from, to *spec.Schema
	rn       renames
	opts     DiffOptions
	// phases collect the changes in apply order.
	dropFKs, dropKeys, renTables, renCols, creates, addCols, alters, dropCols, drops, addKeys, addFKs []dialects.Change
	// Views are dropped before and created after every table change, as
	// CreateTable and DropTable changes of their view table.
	dropViews, createViews []dialects.Change
}

func diff(from, to *spec.Schema, rn renames, opts DiffOptions, skip map[string]bool) ([]dialects.Change, error) {
	d := &differ{from: from, to: to, rn: rn, opts: opts}
	matched := map[string]bool{}
	var created []*spec.Table
	for _, t := range to.Tables {
		if skip[t.Name] {
			continue
		}
		if t.View != nil || from.Table(t.Name) != nil && from.Table(t.Name).View != nil {
			d.view(from.Table(t.Name), t)
			matched[t.Name] = true
			continue
		}
		oldName := t.Name
		if o, ok := rn.tables[t.Name]; ok {
			oldName = o
		}
		old := from.Table(oldName)
		if old == nil {
			created = append(created, t)
			continue
		}
		matched[old.Name] = true
		if old.Name != t.Name {
			d.renTables = append(d.renTables, dialects.Change{Kind: dialects.RenameTable, Table: t, Old: old,
				Detail: old.Name + " -> " + t.Name})
		}
		if err := d.table(old, t); err != nil {
			return nil, err
		}
	}
	for _, t := range sortByDeps(created) {
		d.creates = append(d.creates, dialects.Change{Kind: dialects.CreateTable, Table: t})
	}
	var dropped []*spec.Table
	for _, t := range from.Tables {
		if !matched[t.Name] && !skip[t.Name] {
			if t.View != nil {
				d.view(t, nil)
				continue
			}
			dropped = append(dropped, t)
		}
	}
	deps := sortByDeps(dropped)
	slices.Reverse(deps)
	for _, t := range deps {
		d.drops = append(d.drops, dialects.Change{Kind: dialects.DropTable, Old: t, Destructive: true,
			Detail: "drops table " + t.Name + " and its rows"})
	}
	var out []dialects.Change
	for _, phase := range [][]dialects.Change{d.dropViews, d.dropFKs, d.dropKeys, d.renTables, d.renCols, d.creates,
		d.addCols, d.alters, d.dropCols, d.drops, d.addKeys, d.addFKs, d.createViews} {
		out = append(out, phase...)
	}
	return out, nil
}

// view diffs a view (or a table that became one, or the reverse): old or
// t may be nil. A view whose query changed is dropped and created anew.
func (d *differ) view(old, t *spec.Table) {
	if old != nil && t != nil && old.View != nil && t.View != nil && sameViewSQL(old.View.SQL, t.View.SQL) &&
		old.View.Materialized == t.View.Materialized && (!t.View.Materialized || sameViewIndexes(old, t)) {
		return
	}
	if old != nil {
		c := dialects.Change{Kind: dialects.DropTable, Old: old, Detail: "drops view " + old.Name}
		if old.View == nil {
			c.Destructive, c.Detail = true, "drops table "+old.Name+" and its rows"
			d.drops = append(d.drops, c)
		} else {
			d.dropViews = append(d.dropViews, c)
		}
	}
	if t != nil {
		c := dialects.Change{Kind: dialects.CreateTable, Table: t}
		if t.View == nil {
			d.creates = append(d.creates, c)
		} else {
			if old != nil && old.View != nil {
				c.Detail = "query changed"
			}
			d.createViews = append(d.createViews, c)
		}
	}
}

// sameViewIndexes compares the indexes of two materialized views.
func sameViewIndexes(a, b *spec.Table) bool {
	key := func(t *spec.Table) []string {
		var out []string
		for _, ix := range t.Indexes {
			out = append(out, fmt.Sprint(ix.Name, colNames(ix.Columns), ix.Unique))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

// sameViewSQL compares two view queries, ignoring spacing and a final
// semicolon. A database prints a view's query its own way (PostgreSQL
// qualifies and re-indents it), so a hand-written query compares equal to
// the database's only when written as the database prints it.
func sameViewSQL(a, b string) bool {
	norm := func(s string) string {
		return strings.Join(strings.Fields(strings.TrimSuffix(strings.TrimSpace(s), ";")), " ")
	}
	return norm(a) == norm(b)
}

// sortByDeps orders tables so that referenced tables come before the tables
// referencing them (name order otherwise; cycles are broken by name).
func sortByDeps(ts []*spec.Table) []*spec.Table {
	in := map[string]*spec.Table{}
	for _, t := range ts {
		in[t.Name] = t
	}
	names := make([]string, 0, len(in))
	for n := range in {
		names = append(names, n)
	}
	slices.Sort(names)
	done := map[string]int{} // 1 visiting, 2 done
	var out []*spec.Table
	var visit func(n string)
	visit = func(n string) {
		if done[n] != 0 {
			return
		}
		done[n] = 1
		t := in[n]
		var refs []string
		for _, fk := range t.ForeignKeys {
			if fk.RefTable != nil && fk.RefTable.Name != n && in[fk.RefTable.Name] != nil {
				refs = append(refs, fk.RefTable.Name)
			}
		}
		slices.Sort(refs)
		for _, r := range refs {
			visit(r)
		}
		done[n] = 2
		out = append(out, t)
	}
	for _, n := range names {
		visit(n)
	}
	return out
}

func colNames(cs []*spec.Column) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

// table diffs one matched table.
func (d *differ) table(old, t *spec.Table) error {
	colRn := d.rn.columns[t.Name]
	oldCol := func(c *spec.Column) *spec.Column {
		if o, ok := colRn[c.Name]; ok {
			return old.Column(o)
		}
		return old.Column(c.Name)
	}
	// newName maps an old column name to its name in the new state.
	newName := map[string]string{}
	for n, o := range colRn {
		newName[o] = n
	}
	mapOld := func(name string) string {
		if n, ok := newName[name]; ok {
			return n
		}
		return name
	}
	seen := map[string]bool{}
	for _, c := range t.Columns {
		oc := oldCol(c)
		if oc == nil {
			d.addCols = append(d.addCols, dialects.Change{Kind: dialects.AddColumn, Table: t, Old: old, Column: c})
			continue
		}
		seen[oc.Name] = true
		if ComputedKey(oc.Computed) != ComputedKey(c.Computed) {
			// A generated column's expression cannot be altered in place
			// everywhere: drop the column and add it anew (its values
			// are computed; a plain column's values are lost).
			d.dropKeys = append(d.dropKeys, dialects.Change{Kind: dialects.DropColumn, Table: t, Old: old, OldColumn: oc,
				Destructive: oc.Computed == nil, Detail: "recreates column " + old.Name + "." + oc.Name + ": computed " +
					ComputedKey(oc.Computed) + " -> " + ComputedKey(c.Computed)})
			d.addCols = append(d.addCols, dialects.Change{Kind: dialects.AddColumn, Table: t, Old: old, Column: c})
			continue
		}
		if oc.Name != c.Name {
			d.renCols = append(d.renCols, dialects.Change{Kind: dialects.RenameColumn, Table: t, Old: old,
				Column: c, OldColumn: oc, Detail: oc.Name + " -> " + c.Name})
		}
		if detail, destructive := d.columnChange(oc, c); detail != "" {
			d.alters = append(d.alters, dialects.Change{Kind: dialects.AlterColumn, Table: t, Old: old,
				Column: c, OldColumn: oc, Detail: detail, Destructive: destructive})
		}
	}
	for _, oc := range old.Columns {
		if !seen[oc.Name] {
			d.dropCols = append(d.dropCols, dialects.Change{Kind: dialects.DropColumn, Table: t, Old: old,
				OldColumn: oc, Destructive: true, Detail: "drops column " + old.Name + "." + oc.Name + " and its data"})
		}
	}
	oldPK := make([]string, len(old.PrimaryKey))
	for i, c := range old.PrimaryKey {
		oldPK[i] = mapOld(c.Name)
	}
	if newPK := colNames(t.PrimaryKey); !slices.Equal(oldPK, newPK) {
		hint := "write this migration by hand"
		if len(oldPK) == len(newPK) && slices.Equal(slices.Sorted(slices.Values(oldPK)), slices.Sorted(slices.Values(newPK))) {
			// The same columns in another order: most likely the YAML
			// does not state the key's order.
			hint = "if the key's order is right as it is, state it with primary_key: [" + strings.Join(oldPK, ", ") +
				"] on the model or table; else write this migration by hand"
		}
		return fmt.Errorf("table %s: changing the primary key (%s -> %s) is not supported; %s",
			t.Name, strings.Join(oldPK, ", "), strings.Join(newPK, ", "), hint)
	}

	// Foreign keys, compared by what they do rather than by name.
	oldFK := map[string]*spec.ForeignKey{}
	for _, fk := range old.ForeignKeys {
		oldFK[d.fkKey(fk, mapOld, true)] = fk
	}
	newFK := map[string]*spec.ForeignKey{}
	for _, fk := range t.ForeignKeys {
		newFK[d.fkKey(fk, nil, false)] = fk
	}
	// A key whose name changed (its table or columns were renamed, so the
	// derived name changed too) is dropped and added under the new name, so
	// the database keeps the names the YAML derives.
	for _, k := range sortedKeys(oldFK) {
		if n := newFK[k]; n == nil || renamedKey(oldFK[k].Name, n.Name) {
			d.dropFKs = append(d.dropFKs, dialects.Change{Kind: dialects.DropForeignKey, Table: t, Old: old, ForeignKey: oldFK[k], Detail: k})
		}
	}
	for _, k := range sortedKeys(newFK) {
		if o := oldFK[k]; o == nil || renamedKey(o.Name, newFK[k].Name) {
			d.addFKs = append(d.addFKs, dialects.Change{Kind: dialects.AddForeignKey, Table: t, Old: old, ForeignKey: newFK[k], Detail: k})
		}
	}

	// Unique keys and indexes, compared by their columns.
	ok, nk := keysOf(old, mapOld, d.opts.NoPartialIndex), keysOf(t, nil, d.opts.NoPartialIndex)
	for _, k := range sortedKeys(ok) {
		if n := nk[k]; n == nil || renamedKey(ok[k].name(), n.name()) {
			d.dropKeys = append(d.dropKeys, ok[k].change(true, t, old, k))
		}
	}
	for _, k := range sortedKeys(nk) {
		if o := ok[k]; o == nil || renamedKey(o.name(), nk[k].name()) {
			d.addKeys = append(d.addKeys, nk[k].change(false, t, old, k))
		}
	}

	// Checks, compared by name.
	oc := map[string]*spec.Check{}
	for _, c := range old.Checks {
		oc[c.Name] = c
	}
	nc := map[string]*spec.Check{}
	for _, c := range t.Checks {
		nc[c.Name] = c
	}
	// A database may hold checks without a name (SQLite), which the YAML
	// names ck_<table>_<n>: an unnamed check matches a check of the same
	// expression that has no counterpart by name.
	if un := oc[""]; un != nil {
		for _, c := range old.Checks {
			if c.Name != "" {
				continue
			}
			for _, n := range t.Checks {
				if oc[n.Name] == nil && strings.Join(strings.Fields(n.Expr), " ") == strings.Join(strings.Fields(c.Expr), " ") {
					oc[n.Name] = c
					delete(oc, "")
					break
				}
			}
		}
	}
	for _, k := range sortedKeys(oc) {
		if nc[k] == nil {
			d.dropKeys = append(d.dropKeys, dialects.Change{Kind: dialects.DropCheck, Table: t, Old: old, Check: oc[k], Detail: k})
		}
	}
	for _, k := range sortedKeys(nc) {
		if oc[k] == nil {
			d.addKeys = append(d.addKeys, dialects.Change{Kind: dialects.AddCheck, Table: t, Old: old, Check: nc[k], Detail: k})
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// fkKey is the identity of a foreign key: its columns, the referenced table
// and columns (in new-state names) and its actions.
func (d *differ) fkKey(fk *spec.ForeignKey, mapOld func(string) string, old bool) string {
	cols := colNames(fk.Columns)
	ref := ""
	refCols := colNames(fk.RefColumns)
	if fk.RefTable != nil {
		ref = fk.RefTable.Name
	}
	if old {
		for i := range cols {
			cols[i] = mapOld(cols[i])
		}
		// The referenced table may have been renamed, and its columns too.
		for n, o := range d.rn.tables {
			if o == ref {
				ref = n
				break
			}
		}
		if m := d.rn.columns[ref]; m != nil {
			for n, o := range m {
				for i := range refCols {
					if refCols[i] == o {
						refCols[i] = n
					}
				}
			}
		}
	}
	return fmt.Sprintf("(%s) -> %s(%s) on delete %s on update %s", strings.Join(cols, ", "), ref,
		strings.Join(refCols, ", "), normAction(fk.OnDelete), normAction(fk.OnUpdate))
}

func normAction(a spec.Action) spec.Action {
	if a == spec.ActionNone || a == spec.ActionRestrict {
		// Every supported database treats the default, NO ACTION and
		// RESTRICT alike for non-deferred constraints; they read back as
		// any of the three.
		return spec.ActionNoAction
	}
	return a
}

// key is a unique constraint or index of a table, whatever declared it.
type key struct {
	unique bool
	idx    *spec.Index
	uq     *spec.Unique
}

func (k *key) name() string {
	if k.uq != nil {
		return k.uq.Name
	}
	return k.idx.Name
}

// renamedKey reports whether a key known under both names was renamed.
func renamedKey(old, new string) bool { return old != "" && new != "" && old != new }

func (k *key) change(drop bool, t, old *spec.Table, detail string) dialects.Change {
	c := dialects.Change{Table: t, Old: old, Detail: detail}
	switch {
	case k.uq != nil && drop:
		c.Kind, c.Unique = dialects.DropUnique, k.uq
	case k.uq != nil:
		c.Kind, c.Unique = dialects.AddUnique, k.uq
	case drop:
		c.Kind, c.Index = dialects.DropIndex, k.idx
	default:
		c.Kind, c.Index = dialects.AddIndex, k.idx
	}
	return c
}

// keysOf collects the unique keys and indexes of t by column list. A unique
// constraint, a unique index and a column's unique flag on the same columns
// are the same key; so are an index and a column's index flag. Keys equal
// to the primary key are left out.
func keysOf(t *spec.Table, mapOld func(string) string, noPartial bool) map[string]*key {
	name := func(cs []*spec.Column) string {
		ns := colNames(cs)
		if mapOld != nil {
			for i := range ns {
				ns[i] = mapOld(ns[i])
			}
		}
		return strings.Join(ns, ", ")
	}
	pk := name(t.PrimaryKey)
	out := map[string]*key{}
	add := func(cols []*spec.Column, k *key) {
		n := name(cols)
		if k.unique && n == pk {
			return
		}
		id := "index (" + n + ")"
		if k.unique {
			id = "unique (" + n + ")"
		}
		if k.idx != nil && k.idx.Kind != spec.IndexPlain {
			id = string(k.idx.Kind) + " " + id
		}
		if k.idx != nil && k.idx.WhereNull != nil && !noPartial {
			id += " where " + k.idx.WhereNull.Name + " is null"
		}
		if prev := out[id]; prev != nil && (prev.uq != nil || prev.idx.Name != "") {
			return
		}
		out[id] = k
	}
	for _, u := range t.Uniques {
		add(u.Columns, &key{unique: true, uq: u})
	}
	for _, ix := range t.Indexes {
		add(ix.Columns, &key{unique: ix.Unique, idx: ix})
	}
	for _, c := range t.Columns {
		if c.Unique {
			add([]*spec.Column{c}, &key{unique: true, uq: &spec.Unique{Columns: []*spec.Column{c}}})
		}
		if c.Index {
			add([]*spec.Column{c}, &key{idx: &spec.Index{Columns: []*spec.Column{c}}})
		}
	}
	return out
}

// columnChange describes how c differs from old in the database, and
// whether the change can lose data.
func (d *differ) columnChange(old, c *spec.Column) (detail string, destructive bool) {
	var parts []string
	same := d.opts.SameType
	if same == nil {
		same = func(a, b *spec.Column) bool { return sameNeutralType(a.Type, b.Type) }
	}
	if !same(old, c) {
		parts = append(parts, "type "+TypeString(old.Type)+" -> "+TypeString(c.Type))
		destructive = narrows(old.Type, c.Type)
	}
	if old.Nullable != c.Nullable && !c.PrimaryKey && c.Computed == nil {
		// (A generated column's nullability follows its expression; MariaDB
		// cannot declare one NOT NULL.)
		parts = append(parts, fmt.Sprintf("nullable %t -> %t", old.Nullable, c.Nullable))
	}
	if a, b := DefaultKey(old.ServerDefault), DefaultKey(c.ServerDefault); a != b {
		parts = append(parts, fmt.Sprintf("server default %q -> %q", a, b))
	}
	if a, b := DefaultKey(old.ServerOnUpdate), DefaultKey(c.ServerOnUpdate); a != b {
		parts = append(parts, fmt.Sprintf("server onupdate %q -> %q", a, b))
	}
	if old.Autoincrement != c.Autoincrement && (len(c.Table.PrimaryKey) == 1 && c.PrimaryKey) && c.Type.Kind.IsInteger() {
		parts = append(parts, fmt.Sprintf("autoincrement %t -> %t", old.Autoincrement, c.Autoincrement))
	}
	return strings.Join(parts, "; "), destructive
}

func sameNeutralType(a, b spec.Type) bool {
	return a.Kind == b.Kind && a.Length == b.Length && a.Precision == b.Precision && a.Scale == b.Scale &&
		a.Timezone == b.Timezone && slices.Equal(a.Values, b.Values) && a.Unsigned == b.Unsigned &&
		a.Fixed == b.Fixed && a.ZeroPrecision == b.ZeroPrecision &&
		(a.Items == nil) == (b.Items == nil) && (a.Items == nil || sameNeutralType(*a.Items, *b.Items)) &&
		maps.Equal(a.Native, b.Native) && a.Domain == b.Domain
}

// ComputedKey is the comparable form of a computed column's expression:
// "" for none, else "stored:" or "virtual:" and the expression lower-cased
// without blanks, identifier quotes, parentheses and PostgreSQL ::casts, as
// databases rewrite the text they are given (PostgreSQL adds parentheses
// and casts, MySQL backquotes). Two expressions that differ only in those
// compare equal.
func ComputedKey(c *spec.Computed) string {
	if c == nil {
		return ""
	}
	s := strings.ToLower(c.SQL)
	s = castRE.ReplaceAllString(s, "")
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r', '`', '"', '(', ')':
			return -1
		}
		return r
	}, s)
	if c.Stored {
		return "stored:" + s
	}
	return "virtual:" + s
}

var castRE = regexp.MustCompile(`::[a-z_][a-z0-9_ ]*(\([0-9, ]*\))?(\[\])?`)

// TypeString formats a type as it is written in YAML ("string(50)").
func TypeString(t spec.Type) string {
	switch {
	case t.Domain != "":
		return t.Domain
	case t.Kind == spec.TypeArray && t.Items != nil:
		return TypeString(*t.Items) + "[]"
	case t.Kind == spec.TypeNative:
		var parts []string
		for _, d := range slices.Sorted(maps.Keys(t.Native)) {
			parts = append(parts, d+": "+t.Native[d])
		}
		return "native(" + strings.Join(parts, ", ") + ")"
	}
	s := t.Kind.String()
	switch {
	case t.Kind == spec.TypeDecimal && t.Precision > 0:
		s += "(" + strconv.Itoa(t.Precision) + "," + strconv.Itoa(t.Scale) + ")"
	case t.Length > 0:
		s += "(" + strconv.Itoa(t.Length) + ")"
	case t.Kind.IsTemporal() && (t.Precision > 0 || t.ZeroPrecision):
		s += "(" + strconv.Itoa(t.Precision) + ")"
	case t.Kind == spec.TypeEnum:
		s += "(" + strings.Join(t.Values, ",") + ")"
	}
	if t.Fixed {
		s += " fixed"
	}
	if t.Unsigned {
		s += " unsigned"
	}
	if t.Timezone {
		s += " with time zone"
	}
	return s
}

// rank orders kinds within a family from narrow to wide.
var rank = map[spec.TypeKind]int{
	spec.TypeSmallInt: 1, spec.TypeInteger: 2, spec.TypeBigInt: 3,
	spec.TypeFloat: 1, spec.TypeDouble: 2,
	spec.TypeString: 1, spec.TypeText: 2,
}

// narrows reports whether converting a column from a to b can lose or
// reject existing values.
func narrows(a, b spec.Type) bool {
	switch {
	case a.Kind.IsInteger() && b.Kind.IsInteger():
		return rank[b.Kind] < rank[a.Kind]
	case (a.Kind == spec.TypeFloat || a.Kind == spec.TypeDouble) && (b.Kind == spec.TypeDouble || b.Kind == spec.TypeFloat):
		return rank[b.Kind] < rank[a.Kind]
	case a.Kind.IsInteger() && (b.Kind == spec.TypeBigInt || b.Kind == spec.TypeDecimal && b.Precision-b.Scale >= 19):
		return false
	case (a.Kind == spec.TypeString || a.Kind == spec.TypeText) && (b.Kind == spec.TypeString || b.Kind == spec.TypeText):
		if b.Kind == spec.TypeText {
			return false
		}
		if a.Kind == spec.TypeText {
			return b.Length > 0
		}
		return b.Length > 0 && (a.Length == 0 || b.Length < a.Length)
	case a.Kind == spec.TypeDecimal && b.Kind == spec.TypeDecimal:
		return b.Scale < a.Scale || b.Precision-b.Scale < a.Precision-a.Scale
	case a.Kind == spec.TypeEnum && b.Kind == spec.TypeEnum:
		for _, v := range a.Values {
			if !slices.Contains(b.Values, v) {
				return true
			}
		}
		return false
	case a.Kind == spec.TypeEnum && (b.Kind == spec.TypeText || b.Kind == spec.TypeString && b.Length == 0):
		return false
	case a.Kind == b.Kind:
		return b.Precision < a.Precision || a.Timezone != b.Timezone
	}
	return true
}

// DefaultKey is the comparable form of a server default: literals as their
// text, the current time as "now", SQL expressions lower-cased without
// blanks and outer parentheses. Nil is "".
func DefaultKey(d *spec.Default) string {
	if d == nil {
		return ""
	}
	switch d.Kind {
	case spec.DefaultNow:
		return "now"
	case spec.DefaultUUID:
		return "uuid"
	case spec.DefaultSQL:
		s := strings.ToLower(strings.Join(strings.Fields(d.SQL), ""))
		for len(s) > 1 && s[0] == '(' && s[len(s)-1] == ')' {
			s = s[1 : len(s)-1]
		}
		switch s {
		case "current_timestamp", "current_timestamp()", "now()", "localtimestamp", "localtimestamp()",
			"current_date", "current_time", "localtime", "curdate()":
			return "now"
		case "null":
			return ""
		}
		return "sql:" + s
	}
	switch v := d.Value.(type) {
	case nil:
		return ""
	case bool:
		if v {
			return "1"
		}
		return "0"
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case string:
		switch v {
		case "true":
			return "1"
		case "false":
			return "0"
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil && strings.ContainsAny(v, ".eE") {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
		return v
	}
	return fmt.Sprint(d.Value)
}
