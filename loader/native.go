package loader

import (
	"strings"

	"github.com/dlayer/dlayer/spec"
)

// Keys of the maps added for databases dlayer did not design: array items,
// native pass-through types, domains, views and partitions.
var (
	itemsKeys          = []string{"type", "length", "precision", "scale", "timezone"}
	nativeKeys         = []string{"postgres", "mysql", "sqlite"}
	domainKeys         = []string{"checks"}
	viewKeys           = []string{"sql", "materialized"}
	partitionKeys      = []string{"by", "partitions"}
	partitionBoundKeys = []string{"name", "bound"}
)

func init() {
	allowedKeyLists["arrayItems"] = itemsKeys
	allowedKeyLists["native"] = nativeKeys
	allowedKeyLists["domain"] = domainKeys
	allowedKeyLists["view"] = viewKeys
	allowedKeyLists["partition"] = partitionKeys
	allowedKeyLists["partitionBound"] = partitionBoundKeys
}

// nativeType decodes the items (array) and native (pass-through) keys of a
// column, and the domain an alias chain declares.
func (s *state) nativeType(c *spec.Column, name string, r *resolved, td *tableDef) {
	k := c.Type.Kind
	in, _ := r.lookup("items")
	switch {
	case k == spec.TypeArray && in == nil:
		s.ds.report(r.typeNode, ruleInvalidTypeOption, "add items: <type>", "array column %q has no items type", name)
	case k == spec.TypeArray:
		c.Type.Items = s.arrayItems(in)
	case in != nil:
		s.ds.report(in, ruleInvalidTypeOption, "", "items applies to array, not %s", k)
	}
	nn, _ := r.lookup("native")
	switch {
	case k == spec.TypeNative && nn == nil:
		s.ds.report(r.typeNode, ruleInvalidTypeOption, "add native: {postgres: <type>}", "native column %q names no database type", name)
	case k == spec.TypeNative:
		s.checkKeys(nn, nativeKeys, "native (one type per dialect)")
		c.Type.Native = map[string]string{}
		for _, p := range pairs(nn) {
			if v, ok := p[1].str(); ok && strings.TrimSpace(v) != "" && strings.IndexByte(v, 0) < 0 {
				c.Type.Native[p[0].value] = v
			}
		}
	case nn != nil:
		s.ds.report(nn, ruleInvalidTypeOption, "use type: native", "native applies to type native, not %s", k)
	}
	dn, owner := r.lookup("domain")
	if dn == nil {
		return
	}
	if owner == "" && td != nil {
		s.ds.report(dn, ruleInvalidTypeOption, "declare the domain under types: and use it as the column's type",
			"domain applies to a type alias, not to column %q", name)
		return
	}
	if on, ok := dn.boolean(); ok && !on {
		return
	}
	if owner == "" {
		owner = name // the alias being built
	}
	c.Type.Domain = owner
}

// arrayItems decodes an array's element type.
func (s *state) arrayItems(n *node) *spec.Type {
	tn := n
	if n.kind == mapNode {
		s.checkKeys(n, itemsKeys, "items")
		tn = n.get("type")
	}
	name, ok := tn.str()
	if !ok {
		return nil
	}
	k, ok := spec.LookupType(name)
	if !ok || k == spec.TypeArray || k == spec.TypeNative || k == spec.TypeEnum {
		s.ds.report(tn, ruleInvalidTypeOption, "", "array items must be a builtin type other than array, native and enum, not %q", name)
		return nil
	}
	t := &spec.Type{Kind: k}
	if n.kind == mapNode {
		if v, ok := n.get("length").integer(); ok {
			t.Length = int(v)
		}
		if v, ok := n.get("precision").integer(); ok {
			t.Precision = int(v)
		}
		if v, ok := n.get("scale").integer(); ok {
			t.Scale = int(v)
		}
		t.Timezone, _ = n.get("timezone").boolean()
	}
	return t
}

// aliasDomain decodes domain: {checks: […]} of an alias.
func (s *state) aliasDomain(a *aliasDef, ta *spec.TypeAlias) {
	if a.val.kind != mapNode {
		return
	}
	dn := a.val.get("domain")
	if dn == nil {
		return
	}
	if on, ok := dn.boolean(); ok {
		if on {
			ta.Domain = &spec.Domain{}
		}
		return
	}
	if dn.kind != mapNode {
		return
	}
	s.checkKeys(dn, domainKeys, "domain")
	ta.Domain = &spec.Domain{}
	for i, it := range items(dn.get("checks")) {
		ck := &spec.Check{Range: it.rng()}
		switch it.kind {
		case scalarNode:
			ck.Expr, _ = it.str()
		case mapNode:
			s.checkKeys(it, checkKeys, "a check")
			ck.Expr, _ = it.get("expr").str()
			ck.Name, _ = it.get("name").str()
		}
		if strings.TrimSpace(ck.Expr) == "" {
			continue
		}
		if ck.Name == "" {
			ck.Name = truncateName(a.name + "_check" + map[bool]string{true: "", false: "_" + string(rune('1'+i))}[i == 0])
		}
		ta.Domain.Checks = append(ta.Domain.Checks, ck)
	}
}

// tableExtras decodes view: and partition: of a model or table.
func (s *state) tableExtras(td *tableDef) {
	t := td.table
	if vn := td.val.get("view"); vn != nil && vn.kind == mapNode {
		s.checkKeys(vn, viewKeys, "view")
		if sql, ok := vn.get("sql").str(); ok && strings.TrimSpace(sql) != "" {
			t.View = &spec.View{SQL: sql, Range: vn.rng()}
			t.View.Materialized, _ = vn.get("materialized").boolean()
		}
	}
	if pn := td.val.get("partition"); pn != nil && pn.kind == mapNode {
		s.checkKeys(pn, partitionKeys, "partition")
		by, _ := pn.get("by").str()
		p := &spec.Partition{By: by, Range: pn.rng()}
		for _, it := range items(pn.get("partitions")) {
			if it.kind != mapNode {
				continue
			}
			s.checkKeys(it, partitionBoundKeys, "a partition")
			name, _ := it.get("name").str()
			bound, _ := it.get("bound").str()
			if name != "" && bound != "" {
				p.Partitions = append(p.Partitions, &spec.PartitionBound{Name: name, Bound: bound})
			}
		}
		t.Partition = p
		if t.View != nil {
			s.ds.report(pn, ruleInvalidValue, "", "a view cannot be partitioned")
		}
	}
}
