package loader

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dlayer/dlayer/spec"
)

// Single-table inheritance: a model with inherits: Parent and no table of
// its own shares the root model's table. Its columns are added to that
// table as nullable columns owned by the sub-model (spec.Column.SubModel);
// it inherits the parent's relationships. polymorphic_on (on the root)
// names the discriminator column, polymorphic_identity (on every model of
// the hierarchy) its value.

// subModelKeys are the keys a single-table sub-model may hold: its table's
// constraints and indexes belong to the root model.
var subModelKeys = map[string]bool{"inherits": true, "polymorphic_identity": true, "columns": true,
	"relationships": true, "comment": true}

// buildInheritance links inherits:, polymorphic_on and polymorphic_identity
// and adds the sub-models' columns to their root's table. It runs after the
// tables are built and before foreign keys are resolved.
func (s *state) buildInheritance() {
	var subs []*modelDef
	parentOf := map[*modelDef]*modelDef{}
	for _, m := range s.modelList {
		if m.val == nil || m.val.kind != mapNode {
			continue
		}
		in := m.val.get("inherits")
		name, ok := in.str()
		if !ok {
			continue
		}
		p := s.models[name]
		if p == nil {
			s.ds.report(in, ruleUnknownModel, s.suggest(name, s.modelNames()), "model %q inherits unknown model %q", m.name, name)
			continue
		}
		parentOf[m] = p
		subs = append(subs, m)
	}
	// Cycles: follow parents until a model repeats.
	cyclic := map[*modelDef]bool{}
	for _, m := range subs {
		seen := map[*modelDef]bool{m: true}
		path := []string{m.name}
		for p := parentOf[m]; p != nil; p = parentOf[p] {
			path = append(path, p.name)
			if seen[p] {
				cyclic[m] = true
				s.ds.report(m.val.get("inherits"), ruleInvalidInheritance, "", "inheritance cycle: %s", strings.Join(path, " → "))
				break
			}
			seen[p] = true
		}
	}
	for _, m := range subs {
		if !cyclic[m] {
			m.model.Inherits = parentOf[m].model
		}
	}
	// Roots: polymorphic_on on a model that inherits nothing.
	for _, m := range s.modelList {
		if m.val == nil || m.val.kind != mapNode {
			continue
		}
		on := m.val.get("polymorphic_on")
		if on == nil {
			if m.val.get("inherits") == nil {
				if idn := m.val.get("polymorphic_identity"); idn != nil && !s.hasSubs(m, parentOf) {
					s.ds.report(idn, ruleInvalidInheritance, "add polymorphic_on: <column> to the base model",
						"model %q has a polymorphic_identity but is part of no hierarchy with a polymorphic_on", m.name)
				}
			}
			continue
		}
		name, ok := on.str()
		if !ok {
			continue
		}
		if m.val.get("inherits") != nil {
			continue // reported as a key a sub-model may not hold
		}
		t := m.model.Table
		if t == nil {
			continue
		}
		c := t.Column(name)
		switch {
		case c == nil:
			s.ds.report(on, ruleUnknownColumn, s.suggest(name, columnNames(t)), "polymorphic_on names unknown column %q of table %q", name, t.Name)
		case c.Type.Kind != spec.TypeString && c.Type.Kind != spec.TypeText:
			s.ds.report(on, ruleInvalidInheritance, "", "discriminator column %q must be a string column, not %s", name, c.Type.Kind)
		default:
			m.model.PolymorphicOn = c
		}
	}
	// Sub-models in parent-first order share the root's table.
	sort.SliceStable(subs, func(i, j int) bool { return depth(subs[i].model) < depth(subs[j].model) })
	for _, m := range subs {
		if m.model.Inherits == nil {
			continue
		}
		root := m.model.Root()
		if root.Table == nil || root.Inherits != nil {
			continue
		}
		m.model.PolymorphicOn = root.PolymorphicOn
		if root.PolymorphicOn == nil && root.Range != (spec.Range{}) {
			if rd := s.models[root.Name]; rd != nil && rd.val.get("polymorphic_on") == nil {
				s.ds.report(m.val.get("inherits"), ruleInvalidInheritance, "add polymorphic_on: <discriminator column> to model "+root.Name,
					"model %q inherits %q, whose hierarchy has no polymorphic_on", m.name, root.Name)
			}
		}
		if m.val.get("table") != nil {
			continue // joined-table: its own table, checked in checkJoined
		}
		pt := m.model.Inherits.Table // set: parents come first
		if pt == nil {
			continue
		}
		td := s.tables[pt.Name]
		m.table = td
		m.model.Table = pt
		for _, kv := range pairs(m.val) {
			if k := kv[0]; !subModelKeys[k.value] {
				s.ds.report(k, ruleInvalidInheritance, "declare it on model "+pt.Model.Name,
					"%s is not allowed on single-table sub-model %q (it shares table %q)", k.value, m.name, pt.Name)
			}
		}
		s.subColumns(m, td)
	}
	// Identities, unique per hierarchy.
	used := map[*spec.Model]map[string]*node{}
	for _, m := range s.modelList {
		x := m.model
		if x.Inherits != nil {
			x.Inherits.SubModels = append(x.Inherits.SubModels, x)
		}
		if x.PolymorphicOn == nil || m.val == nil {
			continue
		}
		idn := m.val.get("polymorphic_identity")
		id, ok := idn.str()
		if !ok {
			if idn == nil {
				s.ds.report(m.key, ruleInvalidInheritance, "add polymorphic_identity: <value>",
					"model %q of an inheritance hierarchy has no polymorphic_identity", m.name)
			}
			continue
		}
		root := x.Root()
		if used[root] == nil {
			used[root] = map[string]*node{}
		}
		if prev := used[root][id]; prev != nil {
			s.ds.report(idn, ruleInvalidInheritance, "", "polymorphic_identity %q is already used at %s", id, prev.rng())
			continue
		}
		used[root][id] = idn
		x.PolymorphicIdentity = id
	}
	for _, m := range s.modelList {
		sort.Slice(m.model.SubModels, func(i, j int) bool { return m.model.SubModels[i].Name < m.model.SubModels[j].Name })
	}
}

func (s *state) hasSubs(m *modelDef, parentOf map[*modelDef]*modelDef) bool {
	for _, p := range parentOf {
		if p == m {
			return true
		}
	}
	return false
}

func depth(m *spec.Model) int {
	d := 0
	for x := m.Inherits; x != nil && d < 1000; x = x.Inherits {
		d++
	}
	return d
}

// subColumns adds the columns of single-table sub-model m to its root's
// table td: nullable, owned by m, never a primary key, never a name the
// table already has.
func (s *state) subColumns(m *modelDef, td *tableDef) {
	t := td.table
	added := false
	for _, p := range pairs(m.val.get("columns")) {
		k, v := p[0], p[1]
		if prev := t.Column(k.value); prev != nil {
			owner := t.Model
			if prev.SubModel != nil {
				owner = prev.SubModel
			}
			name := ""
			if owner != nil {
				name = owner.Name
			}
			s.ds.report(k, ruleInvalidInheritance, "rename the column, or move it to the root model",
				"column %q of sub-model %q is already a column of table %q (declared by model %q at %s)", k.value, m.name, t.Name, name, prev.Range)
			continue
		}
		r := s.resolveSpec(v)
		if r == nil {
			continue
		}
		c := s.buildColumn(k.value, k, r, td)
		if c.PrimaryKey {
			pk, _ := r.lookup("primary_key")
			s.ds.report(pk, ruleInvalidInheritance, "", "a column of single-table sub-model %q cannot be part of the primary key", m.name)
			c.PrimaryKey = false
		}
		c.Nullable = true
		c.SubModel = m.model
		s.nodeOf[c] = k
		c.Table, c.Ordinal = t, len(t.Columns)
		t.Columns = append(t.Columns, c)
		s.indexTable(t)
		added = true
		if fkn, _ := r.lookup("foreign_key"); fkn != nil {
			s.columnFK(td, c, fkn)
		}
		if c.Unique {
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
	if added {
		s.indexTable(t)
	}
}

// checkJoined checks joined-table sub-models once foreign keys are
// resolved: the primary key references the parent's, column for column,
// and no other column repeats an inherited column's name.
func (s *state) checkJoined() {
	for _, md := range s.modelList {
		m := md.model
		if !m.Joined() || m.Table == nil || m.Inherits.Table == nil {
			continue
		}
		t, pt := m.Table, m.Inherits.Table
		ok := len(t.PrimaryKey) == len(pt.PrimaryKey) && len(t.PrimaryKey) > 0
		if ok {
			ok = false
			for _, fk := range t.ForeignKeys {
				if fk.RefTable == pt && sameCols(fk.Columns, t.PrimaryKey) && sameCols(fk.RefColumns, pt.PrimaryKey) {
					ok = true
				}
			}
		}
		if !ok {
			s.ds.report(md.val.get("table"), ruleInvalidInheritance, "e.g. "+joinedHint(pt),
				"joined-table sub-model %q: the primary key of table %q must be a foreign key to the primary key (%s) of %q's table %q",
				m.Name, t.Name, strings.Join(names(pt.PrimaryKey), ", "), m.Inherits.Name, pt.Name)
		}
		for _, c := range t.Columns {
			if c.PrimaryKey {
				continue
			}
			for x := m.Inherits; x != nil; x = x.Inherits {
				if x.Table == nil {
					break
				}
				if prev := x.Table.Column(c.Name); prev != nil && x.Owns(prev) {
					s.ds.report(s.nodeOf[c], ruleInvalidInheritance, "rename the column",
						"column %q of joined-table sub-model %q redefines column %q it inherits from model %q (table %q)", c.Name, m.Name, c.Name, x.Name, x.Table.Name)
					break
				}
			}
		}
	}
}

func joinedHint(pt *spec.Table) string {
	if len(pt.PrimaryKey) != 1 {
		return "a table-level foreign_keys entry from the primary key to " + pt.Name
	}
	c := pt.PrimaryKey[0]
	return fmt.Sprintf("%s: {type: %s, primary_key: true, foreign_key: %s.%s}", c.Name, c.Type.Kind, pt.Name, c.Name)
}

// inheritRelationships gives every sub-model its ancestors' relationships
// ahead of its own, and the root's version_column, once all relationships
// are linked.
func (s *state) inheritRelationships() {
	s.checkJoined()
	done := map[*spec.Model]bool{}
	var visit func(m *spec.Model)
	visit = func(m *spec.Model) {
		if done[m] || m.Inherits == nil {
			return
		}
		done[m] = true
		visit(m.Inherits)
		if m.VersionColumn == nil && !m.Joined() {
			m.VersionColumn = m.Inherits.VersionColumn // the shared table's
		}
		own := m.Relationships
		var all []*spec.Relationship
		for _, r := range m.Inherits.Relationships {
			if m.Relationship(r.Name) != nil {
				if md := s.models[m.Name]; md != nil {
					for _, rd := range md.rels {
						if rd.name == r.Name {
							s.ds.report(rd.key, ruleInvalidInheritance, "", "relationship %q of sub-model %q redefines the one it inherits from %q", r.Name, m.Name, m.Inherits.Name)
						}
					}
				}
				continue
			}
			all = append(all, r)
		}
		m.Relationships = append(all, own...)
	}
	for _, m := range s.modelList {
		visit(m.model)
	}
}

// inheritSoftDelete gives a single-table sub-model its root's soft-delete
// column: they share the table, so a sub-model's queries and loads must
// leave deleted rows out as the root's do.
func (s *state) inheritSoftDelete() {
	for _, m := range s.modelList {
		sm := m.model
		if sm.Inherits == nil || sm.SoftDelete != nil {
			continue
		}
		if r := sm.Root(); r.SoftDelete != nil && sm.Table == r.Table {
			sm.SoftDelete = r.SoftDelete
		}
	}
}
