package loader

import (
	"slices"
	"strings"

	"github.com/dlayer/dlayer/spec"
)

// Traits: reusable groups of columns, indexes, constraints and
// relationships (the mixin base class of a SQLAlchemy model). A model
// lists them under use:, and the loader adds their parts to the model
// before building it, so everything after (DDL, migrate, the ORM) sees an
// ordinary model. Diagnostics about a part point into the trait that
// declares it; a builtin trait's parts point at the use: entry.

var (
	traitKeys      = []string{"columns", "indexes", "unique", "checks", "foreign_keys", "relationships", "use", "comment"}
	timestampsKeys = []string{"created", "updated", "set_by", "timezone"}
	softDeleteKeys = []string{"column", "timezone", "partial_unique"}
	// builtinTraits are the traits every schema has.
	builtinTraits = []string{"soft_delete", "timestamps"}
	// traitParts are the model keys a trait contributes to.
	traitParts = []string{"columns", "indexes", "unique", "checks", "foreign_keys", "relationships"}
)

type traitDef struct {
	name     string
	key, val *node
}

// softDel records a model's soft_delete trait until its table is built.
type softDel struct {
	column  string
	at      *node
	partial bool
}

// traitPart is one contributed entry: a map pair (columns, relationships)
// or a list item (indexes, unique, checks, foreign_keys).
type traitPart struct {
	key, val *node
	trait    string
	at       *node // the use: entry that brought it in
}

// expansion collects what a model's use: list contributes.
type expansion struct {
	parts map[string][]traitPart
	used  []string
	seen  map[string]bool
	soft  *softDel
}

// declareTraits registers the traits of one document.
func (s *state) declareTraits(doc *node) {
	for _, p := range pairs(doc.get("traits")) {
		k, v := p[0], p[1]
		if slices.Contains(builtinTraits, k.value) {
			s.ds.report(k, ruleDuplicateTrait, "builtin traits are configured where they are used: use: [{"+k.value+": {…}}]",
				"trait %q shadows the builtin trait of that name", k.value)
			continue
		}
		if prev := s.traits[k.value]; prev != nil {
			s.ds.report(k, ruleDuplicateTrait, "", "trait %q is already defined at %s", k.value, prev.key.rng())
			continue
		}
		if v.kind == mapNode {
			s.checkKeys(v, traitKeys, "a trait")
		}
		s.traits[k.value] = &traitDef{name: k.value, key: k, val: v}
		s.traitNames = append(s.traitNames, k.value)
	}
}

// expandTraits adds the parts of every model's traits to the model.
func (s *state) expandTraits() {
	for _, m := range s.modelList {
		un := m.val.get("use")
		if un == nil || m.val.kind != mapNode {
			continue
		}
		ex := &expansion{parts: map[string][]traitPart{}, seen: map[string]bool{}}
		s.expandUse(ex, un, nil)
		m.model.Traits = ex.used
		m.soft = ex.soft
		if len(ex.parts) == 0 {
			continue
		}
		merged := s.mergeModel(m, ex)
		m.val = merged
		if m.table != nil {
			m.table.val = merged
		}
		for _, p := range ex.parts["relationships"] {
			m.rels = append(m.rels, &relDef{name: p.key.value, key: p.key, val: p.val, model: m})
		}
	}
}

// expandUse walks a use: list, depth first, each trait once (a trait used
// twice, directly or through another trait, adds its parts once).
func (s *state) expandUse(ex *expansion, un *node, stack []string) {
	for _, it := range items(un) {
		name, opts := "", (*node)(nil)
		switch it.kind {
		case scalarNode:
			name, _ = it.str()
		case mapNode:
			if len(it.keys) != 1 {
				s.ds.report(it, ruleInvalidTrait, "write the trait's name, or {name: {options}} for a builtin trait",
					"a use: entry with options names exactly one trait, not %d", len(it.keys))
				continue
			}
			name, opts = it.keys[0].value, it.vals[0]
		}
		if name == "" {
			continue // the JSON Schema check reported it
		}
		if slices.Contains(stack, name) {
			s.ds.report(it, ruleTraitCycle, "", "trait cycle: %s -> %s", strings.Join(stack, " -> "), name)
			continue
		}
		if ex.seen[name] {
			continue
		}
		switch name {
		case "timestamps":
			ex.seen[name] = true
			ex.used = append(ex.used, name)
			s.timestamps(ex, it, opts)
			continue
		case "soft_delete":
			ex.seen[name] = true
			ex.used = append(ex.used, name)
			s.softDelete(ex, it, opts)
			continue
		}
		td := s.traits[name]
		if td == nil {
			at := it
			if it.kind == mapNode {
				at = it.keys[0]
			}
			s.ds.report(at, ruleUnknownTrait, s.suggest(name, append(slices.Clone(builtinTraits), s.traitNames...)), "unknown trait %q", name)
			continue
		}
		if opts != nil && !opts.isNull() {
			s.ds.report(it.keys[0], ruleInvalidTrait, "only the builtin traits timestamps and soft_delete take options",
				"trait %q takes no options", name)
		}
		ex.seen[name] = true
		if td.val.kind != mapNode {
			continue
		}
		s.expandUse(ex, td.val.get("use"), append(stack, name))
		ex.used = append(ex.used, name)
		for _, part := range traitParts {
			v := td.val.get(part)
			switch {
			case v == nil:
			case v.kind == mapNode:
				for _, p := range pairs(v) {
					ex.parts[part] = append(ex.parts[part], traitPart{key: p[0], val: p[1], trait: name, at: it})
				}
			case v.kind == seqNode:
				for _, x := range v.items {
					ex.parts[part] = append(ex.parts[part], traitPart{val: x, trait: name, at: it})
				}
			}
		}
	}
}

// options checks a builtin trait's option map and returns it (nil for none).
func (s *state) options(opts *node, allowed []string, what string) *node {
	if opts == nil || opts.isNull() {
		return nil
	}
	if opts.kind != mapNode {
		return nil // the JSON Schema check reported it
	}
	s.checkKeys(opts, allowed, "the options of "+what)
	return opts
}

// optName returns the identifier option k of opts, or def.
func (s *state) optName(opts *node, k, def string) string {
	v := opts.get(k)
	if v == nil {
		return def
	}
	name, ok := v.str()
	if !ok || !identRE.MatchString(name) || len(name) > 63 {
		return def // the JSON Schema check reported it
	}
	return name
}

func (s *state) optBool(opts *node, k string, def bool) bool {
	v := opts.get(k)
	if v == nil {
		return def
	}
	b, ok := v.boolean()
	if !ok {
		return def // the JSON Schema check reported it
	}
	return b
}

// timestamps adds the created and updated columns.
func (s *state) timestamps(ex *expansion, at, opts *node) {
	opts = s.options(opts, timestampsKeys, "timestamps")
	created := s.optName(opts, "created", "created_at")
	updated := s.optName(opts, "updated", "updated_at")
	tz := s.optBool(opts, "timezone", false)
	setBy := "orm"
	if v := opts.get("set_by"); v != nil {
		str, _ := v.str()
		switch str {
		case "orm", "database", "both":
			setBy = str
		} // anything else: the JSON Schema check reported it
	}
	if created == updated {
		s.ds.report(at, ruleInvalidTrait, "", "timestamps: created and updated name the same column %q", created)
		return
	}
	b := synth{at: at}
	col := func(updates bool) *node {
		kv := []string{"type", "timestamp"}
		if tz {
			kv = append(kv, "timezone", "true")
		}
		if setBy != "database" {
			kv = append(kv, "insert_default", "now")
			if updates {
				kv = append(kv, "onupdate", "now")
			}
		}
		if setBy != "orm" {
			kv = append(kv, "server_default", "now")
			if updates {
				kv = append(kv, "server_onupdate", "now")
			}
		}
		return b.mapOf(kv...)
	}
	ex.parts["columns"] = append(ex.parts["columns"],
		traitPart{key: b.key(created), val: col(false), trait: "timestamps", at: at},
		traitPart{key: b.key(updated), val: col(true), trait: "timestamps", at: at})
}

// softDelete adds the deleted_at column and marks the model.
func (s *state) softDelete(ex *expansion, at, opts *node) {
	opts = s.options(opts, softDeleteKeys, "soft_delete")
	name := s.optName(opts, "column", "deleted_at")
	tz := s.optBool(opts, "timezone", false)
	b := synth{at: at}
	kv := []string{"type", "timestamp", "nullable", "true"}
	if tz {
		kv = append(kv, "timezone", "true")
	}
	ex.parts["columns"] = append(ex.parts["columns"], traitPart{key: b.key(name), val: b.mapOf(kv...), trait: "soft_delete", at: at})
	ex.soft = &softDel{column: name, at: at, partial: s.optBool(opts, "partial_unique", true)}
}

// mergeModel returns a copy of the model's map with the traits' parts
// added after the model's own, reporting clashes.
func (s *state) mergeModel(m *modelDef, ex *expansion) *node {
	base := m.val
	out := &node{kind: mapNode, parent: base.parent, seg: base.seg, idx: base.idx, line: base.line, col: base.col, file: base.file}
	put := func(k, v *node) {
		out.keys = append(out.keys, k)
		out.vals = append(out.vals, v)
	}
	done := map[string]bool{}
	for i, k := range base.keys {
		v := base.vals[i]
		if slices.Contains(traitParts, k.value) && len(ex.parts[k.value]) > 0 {
			v = s.mergePart(m, k.value, v, ex.parts[k.value])
			done[k.value] = true
		}
		put(k, v)
	}
	for _, part := range traitParts {
		if done[part] || len(ex.parts[part]) == 0 {
			continue
		}
		k := &node{kind: scalarNode, tag: "!!str", value: part, parent: out, seg: part, idx: -1, isKey: true,
			line: base.line, col: base.col, file: base.file}
		put(k, s.mergePart(m, part, nil, ex.parts[part]))
	}
	if len(out.keys) > smallMap {
		out.index = make(map[string]int, 2*len(out.keys))
		for i, k := range out.keys {
			out.index[k.value] = i
		}
	}
	return out
}

// mergePart merges one part (columns, indexes, …) of a model with its
// traits' entries.
func (s *state) mergePart(m *modelDef, part string, own *node, add []traitPart) *node {
	out := &node{idx: -1}
	if own != nil {
		out.parent, out.seg, out.idx, out.line, out.col, out.file = own.parent, own.seg, own.idx, own.line, own.col, own.file
	}
	if part == "columns" || part == "relationships" {
		out.kind = mapNode
		where := map[string]*node{}
		from := map[string]string{}
		for _, p := range pairs(own) {
			out.keys = append(out.keys, p[0])
			out.vals = append(out.vals, p[1])
			where[strings.ToLower(p[0].value)] = p[0]
		}
		for _, p := range add {
			lk := strings.ToLower(p.key.value)
			if prev := where[lk]; prev != nil {
				what := "column"
				if part == "relationships" {
					what = "relationship"
				}
				owner := "the model"
				if t := from[lk]; t != "" {
					owner = "trait " + t
				}
				s.ds.report(p.at, ruleTraitClash, "rename one of them, or drop it from the model",
					"trait %s adds %s %q to model %s, which %s already defines at %s", p.trait, what, p.key.value, m.name, owner, prev.rng())
				continue
			}
			where[lk], from[lk] = p.key, p.trait
			out.keys = append(out.keys, p.key)
			out.vals = append(out.vals, p.val)
		}
		if len(out.keys) > smallMap {
			out.index = make(map[string]int, 2*len(out.keys))
			for i, k := range out.keys {
				out.index[k.value] = i
			}
		}
		return out
	}
	out.kind = seqNode
	out.items = append(out.items, items(own)...)
	for _, p := range add {
		out.items = append(out.items, p.val)
	}
	return out
}

// applySoftDelete records each soft-delete model's column and makes its
// unique keys partial (WHERE deleted_at IS NULL), except a key a foreign
// key references (a foreign key needs a full unique key).
func (s *state) applySoftDelete() {
	for _, m := range s.modelList {
		t := m.model.Table
		if m.soft == nil || t == nil {
			continue
		}
		c := t.Column(m.soft.column)
		if c == nil || c.Type.Kind != spec.TypeTimestamp || !c.Nullable {
			continue // a clash, reported by mergePart
		}
		m.model.SoftDelete = c
		if !m.soft.partial {
			continue
		}
		referenced := func(cols []*spec.Column) bool {
			for _, o := range s.tableList {
				for _, fk := range o.table.ForeignKeys {
					if fk.RefTable == t && sameColumnSet(fk.RefColumns, cols) {
						return true
					}
				}
			}
			return false
		}
		var keep []*spec.Unique
		for _, u := range t.Uniques {
			if referenced(u.Columns) {
				keep = append(keep, u)
				continue
			}
			name := "ux" + strings.TrimPrefix(u.Name, "uq")
			t.Indexes = append(t.Indexes, &spec.Index{Name: name, Columns: u.Columns, Unique: true, WhereNull: c, Range: u.Range})
			for _, uc := range u.Columns {
				if len(u.Columns) == 1 {
					uc.Unique = false
				}
			}
		}
		t.Uniques = keep
		for _, ix := range t.Indexes {
			if ix.Unique && ix.Kind == spec.IndexPlain {
				ix.WhereNull = c
			}
		}
	}
}

func sameColumnSet(a, b []*spec.Column) bool {
	if len(a) != len(b) {
		return false
	}
	for _, c := range a {
		if !slices.Contains(b, c) {
			return false
		}
	}
	return true
}

// synth builds the nodes of a builtin trait's parts, placed at the use:
// entry that asks for it (so diagnostics about them point there).
type synth struct{ at *node }

func (b synth) scalar(v, tag string) *node {
	return &node{kind: scalarNode, tag: tag, value: v, idx: -1, line: b.at.line, col: b.at.col, file: b.at.file}
}

func (b synth) key(name string) *node {
	n := b.scalar(name, "!!str")
	n.isKey = true
	return n
}

// mapOf builds a map of string keys and scalar values ("true" is a bool).
func (b synth) mapOf(kv ...string) *node {
	m := &node{kind: mapNode, idx: -1, line: b.at.line, col: b.at.col, file: b.at.file}
	for i := 0; i+1 < len(kv); i += 2 {
		tag := "!!str"
		if kv[i+1] == "true" {
			tag = "!!bool"
		}
		k := b.key(kv[i])
		k.parent = m
		v := b.scalar(kv[i+1], tag)
		v.parent, v.seg = m, kv[i]
		m.keys = append(m.keys, k)
		m.vals = append(m.vals, v)
	}
	return m
}
