package loader

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dlayer/dlayer/spec"
)

func (s *state) modelNames() []string {
	return s.cached("models", func() []string {
		out := make([]string, len(s.modelList))
		for i, m := range s.modelList {
			out[i] = m.name
		}
		return out
	})
}

// stringList reads a string or a list of strings.
func stringList(n *node) []*node {
	switch {
	case n == nil:
		return nil
	case n.kind == scalarNode:
		if _, ok := n.str(); ok {
			return []*node{n}
		}
	case n.kind == seqNode:
		var out []*node
		for _, it := range n.items {
			if _, ok := it.str(); ok {
				out = append(out, it)
			}
		}
		return out
	}
	return nil
}

// resolveRel infers a relationship's direction and join columns from the
// foreign keys, the way SQLAlchemy does.
func (s *state) resolveRel(rd *relDef) {
	m := rd.model
	r := &spec.Relationship{Name: rd.name, Model: m.model, Range: rd.key.rng(),
		Cascade: spec.CascadeDefault, Lazy: spec.LazySelect}
	rd.rel = r
	m.model.Relationships = append(m.model.Relationships, r)
	v := rd.val
	if v.kind != mapNode {
		return
	}
	s.checkKeys(v, relKeys, "a relationship")
	r.BackPopulates, _ = v.get("back_populates").str()
	r.PassiveDeletes, _ = v.get("passive_deletes").boolean()
	if lz, ok := v.get("lazy").str(); ok {
		if st, ok := spec.LookupStrategy(lz); ok {
			r.Lazy = st
		}
	}
	cascadeNode := v.get("cascade")
	if cascadeNode != nil {
		r.Cascade = s.cascade(cascadeNode)
	}
	tn := v.get("target")
	target, ok := tn.str()
	if !ok {
		return
	}
	tm := s.models[target]
	if tm == nil {
		s.ds.report(tn, ruleUnknownModel, s.suggest(target, s.modelNames()), "relationship %s.%s targets unknown model %q", m.name, rd.name, target)
		return
	}
	r.Target = tm.model
	a, b := m.model.Table, tm.model.Table
	if a == nil || b == nil {
		return
	}
	// A joined-table sub-model with no foreign key of its own table to
	// the owner's is reached through its ancestors' tables (its root's).
	anyFK := func(*spec.ForeignKey) bool { return true }
	for x := tm.model; x.Inherits != nil && x.Inherits.Table != nil && v.get("secondary") == nil &&
		len(fksBetween(a, b, anyFK))+len(fksBetween(b, a, anyFK)) == 0; x = x.Inherits {
		b = x.Inherits.Table
	}
	var secondary *spec.Table
	secNode := v.get("secondary")
	if sn, ok := secNode.str(); ok {
		secondary = s.schema.Table(sn)
		if secondary == nil {
			s.ds.report(secNode, ruleSecondaryInvalid, s.suggest(sn, s.tableNames()), "secondary table %q does not exist", sn)
			return
		}
	}
	// foreign_keys: columns named as table.column, or bare names looked up
	// in the owner's table, then the target's, then the secondary.
	hint := map[*spec.Column]bool{}
	for _, it := range stringList(v.get("foreign_keys")) {
		c := s.columnRef(it, a, b, secondary)
		if c != nil {
			hint[c] = true
			r.ForeignKeys = append(r.ForeignKeys, c)
		}
	}
	if len(stringList(v.get("foreign_keys"))) != len(r.ForeignKeys) {
		return // an unknown column was reported
	}
	for _, it := range stringList(v.get("remote_side")) {
		if c := s.columnRef(it, b); c != nil {
			r.RemoteSide = append(r.RemoteSide, c)
		}
	}
	matches := func(fk *spec.ForeignKey) bool {
		if len(hint) == 0 {
			return true
		}
		for _, c := range fk.Columns {
			if !hint[c] {
				return false
			}
		}
		return true
	}
	var ok2 bool
	if secondary != nil {
		ok2 = s.manyToMany(rd, r, a, b, secondary, secNode, hint, matches)
	} else {
		ok2 = s.direct(rd, r, a, b, matches)
	}
	if !ok2 {
		r.Kind = spec.RelInvalid
		return
	}
	s.applyUselistAndKind(rd, r)
	for _, it := range stringList(v.get("order_by")) {
		text, _ := it.str()
		fields := strings.Fields(text)
		desc := false
		name := ""
		switch {
		case len(fields) == 1 && strings.HasPrefix(fields[0], "-"):
			name, desc = fields[0][1:], true
		case len(fields) == 1:
			name = fields[0]
		case len(fields) == 2 && (strings.EqualFold(fields[1], "desc") || strings.EqualFold(fields[1], "asc")):
			name, desc = fields[0], strings.EqualFold(fields[1], "desc")
		default:
			s.ds.report(it, ruleInvalidValue, "write a column name, optionally followed by asc or desc", "order_by term %q is not a column", text)
			continue
		}
		c := b.Column(name)
		if c == nil {
			s.ds.report(it, ruleUnknownColumn, s.suggest(name, columnNames(b)), "order_by names unknown column %q of table %q", name, b.Name)
			continue
		}
		r.OrderBy = append(r.OrderBy, spec.OrderTerm{Column: c, Desc: desc})
	}
	if r.Lazy == spec.LazyWriteOnly && !r.UseList {
		s.ds.report(v.get("lazy"), ruleLazyInvalid, "", "lazy: write_only applies to collections; %s.%s is %s", m.name, rd.name, r.Kind)
	}
	if r.Cascade.Has(spec.CascadeDeleteOrphan) && (r.Kind == spec.ManyToOne || r.Kind == spec.ManyToMany || r.Kind == spec.OneToOne && r.FKOnOwner) {
		s.ds.report(cascadeNode, ruleDeleteOrphan, "put delete-orphan on the one-to-many side (the parent's collection)",
			"delete-orphan cannot apply to %s relationship %s.%s: a child here can have several parents", r.Kind, m.name, rd.name)
	}
}

// cascade decodes a cascade list or comma-separated string.
func (s *state) cascade(n *node) spec.Cascade {
	var c spec.Cascade
	var parts []*node
	switch n.kind {
	case scalarNode:
		text, ok := n.str()
		if !ok {
			return spec.CascadeDefault
		}
		for _, p := range strings.Split(text, ",") {
			p = strings.TrimSpace(p)
			o, ok := spec.LookupCascade(p)
			if !ok {
				s.ds.report(n, ruleInvalidValue, s.suggest(p, cascadeNames), "unknown cascade option %q", p)
				continue
			}
			c |= o
		}
		return c
	case seqNode:
		parts = n.items
	}
	for _, it := range parts {
		p, _ := it.str()
		if o, ok := spec.LookupCascade(p); ok {
			c |= o
		}
	}
	return c
}

var cascadeNames = []string{"save-update", "merge", "delete", "delete-orphan", "all"}

// columnRef resolves a column reference written as table.column or as a
// bare name looked up in the given tables, in order.
func (s *state) columnRef(it *node, tables ...*spec.Table) *spec.Column {
	text, _ := it.str()
	if tbl, col, ok := strings.Cut(text, "."); ok {
		t := s.schema.Table(tbl)
		if t == nil {
			s.ds.report(it, ruleUnknownColumn, s.suggest(tbl, s.tableNames()), "%q names unknown table %q", text, tbl)
			return nil
		}
		c := t.Column(col)
		if c == nil {
			s.ds.report(it, ruleUnknownColumn, s.suggest(col, columnNames(t)), "%q names unknown column %q of table %q", text, col, tbl)
		}
		return c
	}
	var cands []string
	for _, t := range tables {
		if t == nil {
			continue
		}
		if c := t.Column(text); c != nil {
			return c
		}
		cands = append(cands, columnNames(t)...)
	}
	s.ds.report(it, ruleUnknownColumn, s.suggest(text, cands), "unknown column %q", text)
	return nil
}

func fkString(fk *spec.ForeignKey) string {
	ref := "?"
	if fk.RefTable != nil {
		ref = fk.RefTable.Name + "(" + strings.Join(names(fk.RefColumns), ", ") + ")"
	}
	return fmt.Sprintf("%s(%s) -> %s", fk.Table.Name, strings.Join(names(fk.Columns), ", "), ref)
}

func fkList(fks []*spec.ForeignKey) string {
	var out []string
	for _, fk := range fks {
		out = append(out, fkString(fk))
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// fksBetween returns the resolved foreign keys of from that reference to.
func fksBetween(from, to *spec.Table, keep func(*spec.ForeignKey) bool) []*spec.ForeignKey {
	var out []*spec.ForeignKey
	for _, fk := range from.ForeignKeys {
		if fk.RefTable == to && len(fk.RefColumns) == len(fk.Columns) && keep(fk) {
			out = append(out, fk)
		}
	}
	return out
}

// direct infers a relationship without a secondary table.
func (s *state) direct(rd *relDef, r *spec.Relationship, a, b *spec.Table, keep func(*spec.ForeignKey) bool) bool {
	where := rd.key
	if a == b {
		fks := fksBetween(a, a, keep)
		switch {
		case len(fks) == 0 && s.brokenFK[a]:
			return false
		case len(fks) == 0:
			s.ds.report(where, ruleMissingForeignKey, "add a foreign_key from a column of the table to itself",
				"no foreign key links table %q to itself for self-referential relationship %s.%s", a.Name, rd.model.name, rd.name)
			return false
		case len(fks) > 1:
			s.ds.report(where, ruleAmbiguousFKs, "name the foreign-key columns to join on in foreign_keys",
				"several foreign keys link table %q to itself (%s)", a.Name, fkList(fks))
			return false
		}
		fk := fks[0]
		switch {
		case len(r.RemoteSide) == 0 || subset(r.RemoteSide, fk.Columns):
			setOneToMany(r, fk)
		case subset(r.RemoteSide, fk.RefColumns):
			setManyToOne(r, fk)
		default:
			s.ds.report(rd.val.get("remote_side"), ruleInvalidValue, "",
				"remote_side must name the foreign key's columns (one-to-many) or the columns it references (many-to-one) of %s", fkString(fk))
			return false
		}
		return true
	}
	own := fksBetween(a, b, keep)
	theirs := fksBetween(b, a, keep)
	switch {
	case len(own)+len(theirs) == 0 && (s.brokenFK[a] || s.brokenFK[b]):
		return false // a foreign key between them failed and was reported
	case len(own)+len(theirs) == 0:
		s.ds.report(where, ruleMissingForeignKey, fmt.Sprintf("add a foreign_key on a column of %q referencing %q, or the reverse", b.Name, a.Name),
			"no foreign key links tables %q and %q for relationship %s.%s", a.Name, b.Name, rd.model.name, rd.name)
		return false
	case len(own)+len(theirs) > 1:
		s.ds.report(where, ruleAmbiguousFKs, "name the foreign-key columns to join on in foreign_keys",
			"several foreign keys link tables %q and %q (%s)", a.Name, b.Name, fkList(append(own, theirs...)))
		return false
	case len(own) == 1:
		setManyToOne(r, own[0])
	default:
		setOneToMany(r, theirs[0])
	}
	return true
}

func setManyToOne(r *spec.Relationship, fk *spec.ForeignKey) {
	r.Kind, r.FKOnOwner, r.UseList = spec.ManyToOne, true, false
	r.Pairs = nil
	for i := range fk.Columns {
		r.Pairs = append(r.Pairs, spec.ColumnPair{Local: fk.Columns[i], Remote: fk.RefColumns[i]})
	}
}

func setOneToMany(r *spec.Relationship, fk *spec.ForeignKey) {
	r.Kind, r.FKOnOwner, r.UseList = spec.OneToMany, false, true
	r.Pairs = nil
	for i := range fk.Columns {
		r.Pairs = append(r.Pairs, spec.ColumnPair{Local: fk.RefColumns[i], Remote: fk.Columns[i]})
	}
}

func subset(a, b []*spec.Column) bool {
	for _, c := range a {
		found := false
		for _, d := range b {
			found = found || c == d
		}
		if !found {
			return false
		}
	}
	return true
}

// manyToMany links a relationship through its secondary table.
func (s *state) manyToMany(rd *relDef, r *spec.Relationship, a, b, sec *spec.Table, secNode *node,
	hint map[*spec.Column]bool, keep func(*spec.ForeignKey) bool) bool {
	all := func(*spec.ForeignKey) bool { return true }
	toA := fksBetween(sec, a, all)
	toB := fksBetween(sec, b, all)
	if (len(toA) == 0 || len(toB) == 0) && s.brokenFK[sec] {
		return false
	}
	if len(toA) == 0 || len(toB) == 0 {
		missing := a.Name
		if len(toA) > 0 {
			missing = b.Name
		}
		s.ds.report(secNode, ruleSecondaryInvalid, fmt.Sprintf("add a foreign_key from a column of %q to %q", sec.Name, missing),
			"secondary table %q does not link both sides: it has no foreign key to %q", sec.Name, missing)
		return false
	}
	var local, remote []*spec.ForeignKey
	hinted := func(fks []*spec.ForeignKey) []*spec.ForeignKey {
		var out []*spec.ForeignKey
		for _, fk := range fks {
			if len(hint) > 0 && keep(fk) {
				out = append(out, fk)
			}
		}
		return out
	}
	if a == b {
		switch {
		case len(toA) < 2:
			s.ds.report(secNode, ruleSecondaryInvalid, "",
				"secondary table %q needs two foreign keys to %q for a self-referential many-to-many", sec.Name, a.Name)
			return false
		case len(hint) == 0:
			s.ds.report(rd.key, ruleAmbiguousFKs, "name the secondary's columns that reference the owner in foreign_keys",
				"self-referential many-to-many through %q is ambiguous (%s)", sec.Name, fkList(toA))
			return false
		}
		for _, fk := range toA {
			if keep(fk) {
				local = append(local, fk)
			} else {
				remote = append(remote, fk)
			}
		}
	} else {
		local, remote = toA, toB
		if h := hinted(toA); len(h) > 0 {
			local = h
		}
		if h := hinted(toB); len(h) > 0 {
			remote = h
		}
	}
	switch {
	case len(local) != 1 || len(remote) != 1:
		s.ds.report(rd.key, ruleAmbiguousFKs, "name the secondary's foreign-key columns in foreign_keys",
			"several foreign keys of secondary table %q could join %s.%s (%s)", sec.Name, rd.model.name, rd.name, fkList(append(local, remote...)))
		return false
	}
	r.Kind, r.Secondary, r.UseList = spec.ManyToMany, sec, true
	for i := range local[0].Columns {
		r.Pairs = append(r.Pairs, spec.ColumnPair{Local: local[0].RefColumns[i], Remote: local[0].Columns[i]})
	}
	for i := range remote[0].Columns {
		r.SecondaryPairs = append(r.SecondaryPairs, spec.ColumnPair{Local: remote[0].Columns[i], Remote: remote[0].RefColumns[i]})
	}
	return true
}

// applyUselistAndKind applies uselist and checks a stated kind.
func (s *state) applyUselistAndKind(rd *relDef, r *spec.Relationship) {
	v := rd.val
	un := v.get("uselist")
	if ul, ok := un.boolean(); ok {
		switch {
		case r.Kind == spec.ManyToOne && ul:
			s.ds.report(un, ruleUselistInvalid, "", "uselist: true on many-to-one relationship %s.%s: it refers to one object", rd.model.name, rd.name)
		case r.Kind == spec.ManyToOne && !ul && uniqueSet(r.Pairs[0].Local.Table, localCols(r)):
			r.Kind = spec.OneToOne
		case r.Kind == spec.OneToMany && !ul:
			r.Kind, r.UseList = spec.OneToOne, false
		case r.Kind == spec.ManyToMany:
			r.UseList = ul
		}
	}
	kn := v.get("kind")
	ks, ok := kn.str()
	if !ok {
		return
	}
	stated, ok := spec.LookupRelKind(ks)
	if !ok {
		return
	}
	switch {
	case stated == r.Kind:
	case stated == spec.OneToOne && r.Kind == spec.OneToMany:
		r.Kind, r.UseList = spec.OneToOne, false
	case stated == spec.OneToOne && r.Kind == spec.ManyToOne:
		r.Kind = spec.OneToOne
	case stated == spec.ManyToOne && r.Kind == spec.OneToOne && r.FKOnOwner:
		r.Kind = spec.ManyToOne
	default:
		s.ds.report(kn, ruleKindMismatch, "", "kind %s disagrees with the foreign keys, which make %s.%s %s", stated, rd.model.name, rd.name, describe(r))
	}
}

func localCols(r *spec.Relationship) []*spec.Column {
	out := make([]*spec.Column, len(r.Pairs))
	for i, p := range r.Pairs {
		out[i] = p.Local
	}
	return out
}

func describe(r *spec.Relationship) string {
	if r.Kind == spec.ManyToMany {
		return fmt.Sprintf("many-to-many through %s", r.Secondary.Name)
	}
	if len(r.Pairs) == 0 {
		return r.Kind.String()
	}
	fkSide := localCols(r)
	if !r.FKOnOwner {
		fkSide = nil
		for _, p := range r.Pairs {
			fkSide = append(fkSide, p.Remote)
		}
	}
	return fmt.Sprintf("%s (foreign key on %s.%s)", r.Kind, fkSide[0].Table.Name, strings.Join(names(fkSide), ", "))
}

// fkColumns returns the foreign-key-side columns of a direct relationship.
func fkColumns(r *spec.Relationship) []*spec.Column {
	var out []*spec.Column
	for _, p := range r.Pairs {
		if r.FKOnOwner {
			out = append(out, p.Local)
		} else {
			out = append(out, p.Remote)
		}
	}
	return out
}

// linkBack links back_populates and checks both sides agree.
func (s *state) linkBack(rd *relDef) {
	r := rd.rel
	if r == nil || r.Target == nil {
		return
	}
	bn := rd.val.get("back_populates")
	if r.BackPopulates == "" {
		return
	}
	b := r.Target.Relationship(r.BackPopulates)
	if b == nil {
		var cands []string
		for _, x := range r.Target.Relationships {
			cands = append(cands, x.Name)
		}
		s.ds.report(bn, ruleBackPopulates, s.suggest(r.BackPopulates, cands), "back_populates: model %q has no relationship %q", r.Target.Name, r.BackPopulates)
		return
	}
	if b.Target != r.Model {
		target := "an unknown model"
		if b.Target != nil {
			target = "model " + b.Target.Name
		}
		s.ds.report(bn, ruleBackPopulates, "", "back_populates: %s.%s targets %s, not %s", r.Target.Name, b.Name, target, r.Model.Name)
		return
	}
	if b.BackPopulates != r.Name {
		if b.BackPopulates == "" {
			s.ds.report(bn, ruleBackPopulates, fmt.Sprintf("add back_populates: %s to %s.%s", r.Name, r.Target.Name, b.Name),
				"back_populates: %s.%s does not point back to %s.%s", r.Target.Name, b.Name, r.Model.Name, r.Name)
		} else {
			s.ds.report(bn, ruleBackPopulates, "", "back_populates: %s.%s points back to %q, not %q", r.Target.Name, b.Name, b.BackPopulates, r.Name)
		}
		return
	}
	r.Back = b
	if r.Kind == spec.RelInvalid || b.Kind == spec.RelInvalid {
		return
	}
	// Report disagreement once, from the side that sorts first.
	if r.Model.Name > b.Model.Name || r.Model.Name == b.Model.Name && r.Name > b.Name {
		return
	}
	agree := true
	switch {
	case r.Kind == spec.ManyToMany || b.Kind == spec.ManyToMany:
		agree = r.Kind == b.Kind && r.Secondary == b.Secondary &&
			sameCols(secondaryFKCols(r), fkSideOfSecondary(b)) && sameCols(fkSideOfSecondary(r), secondaryFKCols(b))
	default:
		agree = r.FKOnOwner != b.FKOnOwner && sameCols(fkColumns(r), fkColumns(b))
	}
	if !agree {
		s.ds.report(bn, ruleBackPopulates, "the two sides must join on the same foreign key, in opposite directions",
			"%s.%s is %s but %s.%s is %s", r.Model.Name, r.Name, describe(r), b.Model.Name, b.Name, describe(b))
	}
}

func secondaryFKCols(r *spec.Relationship) []*spec.Column {
	var out []*spec.Column
	for _, p := range r.Pairs {
		out = append(out, p.Remote)
	}
	return out
}

func fkSideOfSecondary(r *spec.Relationship) []*spec.Column {
	var out []*spec.Column
	for _, p := range r.SecondaryPairs {
		out = append(out, p.Local)
	}
	return out
}

func sameCols(a, b []*spec.Column) bool {
	return len(a) == len(b) && subset(a, b)
}
