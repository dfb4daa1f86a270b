package loader

import (
	"github.com/dlayer/dlayer/spec"
)

// Expression attributes (`expressions:` under a model): an aggregate over a
// collection relationship, read with the object as a correlated scalar
// subquery (SQLAlchemy's column_property).
//
//	expressions:
//	  post_count: {count: posts}
//	  total: {sum: {relationship: items, column: price}}
//	  published: {count: {relationship: posts, where: {status: published}}}
var (
	aggKeys      = []string{"count", "sum", "avg", "min", "max"}
	aggOverKeys  = []string{"relationship", "column", "where"}
	ruleExprNote = "an expression attribute is one aggregate over a collection relationship: {count: posts} or {sum: {relationship: items, column: price, where: {…}}}"
)

// buildExpressions decodes every model's expressions once relationships
// are resolved.
func (s *state) buildExpressions() {
	for _, m := range s.modelList {
		if m.val == nil || m.val.kind != mapNode {
			continue
		}
		for _, p := range pairs(m.val.get("expressions")) {
			if m.model.PolymorphicOn != nil || m.model.Inherits != nil {
				s.ds.report(p[0], ruleInvalidExpression, "the ORM does not read expression attributes of polymorphic models yet",
					"expression attribute %q: model %s is part of an inheritance hierarchy", p[0].value, m.name)
				continue
			}
			if e := s.buildExpression(m, p[0], p[1]); e != nil {
				m.model.Expressions = append(m.model.Expressions, e)
			}
		}
	}
}

func (s *state) buildExpression(m *modelDef, k, v *node) *spec.Expression {
	name := k.value
	if !identRE.MatchString(name) || len(name) > maxIdent-6 {
		s.ds.report(k, ruleInvalidIdentifier, "the ORM names its subquery dlx_<name>_s, which must fit in 63 bytes",
			"expression attribute name %q is not an identifier of at most %d bytes", name, maxIdent-6)
		return nil
	}
	if t := m.model.Table; t != nil && t.Column(name) != nil {
		s.ds.report(k, ruleInvalidExpression, "rename the expression attribute (the ORM maps both to one field)",
			"expression attribute %q clashes with column %q of model %s", name, name, m.name)
		return nil
	}
	if m.model.Relationship(name) != nil {
		s.ds.report(k, ruleInvalidExpression, "rename the expression attribute",
			"expression attribute %q clashes with relationship %q of model %s", name, name, m.name)
		return nil
	}
	if v == nil || v.kind != mapNode || len(v.keys) != 1 {
		s.ds.report(orNode(v, k), ruleInvalidExpression, ruleExprNote, "expression attribute %q: want exactly one of count, sum, avg, min, max", name)
		return nil
	}
	fk := v.keys[0]
	fn, ok := spec.LookupAggFunc(fk.value)
	if !ok {
		s.ds.report(fk, ruleInvalidExpression, suggest(fk.value, aggKeys), "expression attribute %q: unknown aggregate %q (want count, sum, avg, min or max)", name, fk.value)
		return nil
	}
	e := &spec.Expression{Name: name, Model: m.model, Func: fn, Range: k.rng()}
	arg := v.get(fk.value)
	var relNode, colNode, whereNode *node
	switch {
	case arg != nil && arg.kind == scalarNode:
		relNode = arg
	case arg != nil && arg.kind == mapNode:
		s.checkKeys(arg, aggOverKeys, "an expression attribute aggregate")
		relNode, colNode, whereNode = arg.get("relationship"), arg.get("column"), arg.get("where")
	}
	relName, ok := relNode.str()
	if !ok || relName == "" {
		s.ds.report(orNode(arg, fk), ruleInvalidExpression, ruleExprNote, "expression attribute %q: %s needs a relationship", name, fn)
		return nil
	}
	r := m.model.Relationship(relName)
	if r == nil {
		var names []string
		for _, x := range m.model.Relationships {
			names = append(names, x.Name)
		}
		s.ds.report(relNode, ruleInvalidExpression, s.suggest(relName, names), "expression attribute %q: model %s has no relationship %q", name, m.name, relName)
		return nil
	}
	if r.Target == nil || r.Target.Table == nil || len(r.Pairs) == 0 {
		return nil // the relationship's own problem was reported
	}
	if r.Kind != spec.OneToMany && r.Kind != spec.ManyToMany {
		s.ds.report(relNode, ruleInvalidExpression, "aggregate over a one-to-many or many-to-many relationship",
			"expression attribute %q: relationship %q is %s, not a collection", name, relName, r.Kind)
		return nil
	}
	e.Relationship = r
	tt := r.Target.Table
	if colNode != nil {
		cn, _ := colNode.str()
		c := tt.Column(cn)
		if c == nil {
			s.ds.report(colNode, ruleUnknownColumn, s.suggest(cn, columnNames(tt)), "expression attribute %q: table %q (the target of %s) has no column %q", name, tt.Name, relName, cn)
			return nil
		}
		e.Column = c
	} else if fn != spec.AggCount {
		s.ds.report(orNode(arg, fk), ruleInvalidExpression, ruleExprNote, "expression attribute %q: %s needs a column of %s", name, fn, tt.Name)
		return nil
	}
	switch fn {
	case spec.AggCount:
		e.Type = spec.Type{Kind: spec.TypeBigInt}
	case spec.AggSum, spec.AggAvg:
		if !e.Column.Type.Kind.IsNumeric() {
			s.ds.report(colNode, ruleInvalidExpression, "sum and avg take a numeric column", "expression attribute %q: %s of column %q, a %s", name, fn, e.Column.Name, e.Column.Type.Kind)
			return nil
		}
		e.Type = e.Column.Type
		if fn == spec.AggAvg {
			e.Type = spec.Type{Kind: spec.TypeDouble}
		} else if e.Type.Kind.IsInteger() {
			e.Type = spec.Type{Kind: spec.TypeBigInt}
		}
	default:
		e.Type = e.Column.Type
	}
	if whereNode != nil {
		if whereNode.kind != mapNode {
			s.ds.report(whereNode, ruleInvalidExpression, "write where: {column: value, …}", "expression attribute %q: where is a map of column to value", name)
			return nil
		}
		for _, p := range pairs(whereNode) {
			c := tt.Column(p[0].value)
			if c == nil {
				s.ds.report(p[0], ruleUnknownColumn, s.suggest(p[0].value, columnNames(tt)), "expression attribute %q: where: table %q has no column %q", name, tt.Name, p[0].value)
				return nil
			}
			val, ok := scalarValue(p[1])
			if !ok {
				s.ds.report(p[1], ruleInvalidExpression, "a where value is a scalar (null for IS NULL)", "expression attribute %q: where %s: want a scalar value", name, c.Name)
				return nil
			}
			e.Where = append(e.Where, spec.ExprCond{Column: c, Value: val})
		}
	}
	return e
}

// scalarValue decodes a scalar YAML value (nil for null).
func scalarValue(n *node) (any, bool) {
	if n == nil || n.kind != scalarNode {
		return nil, false
	}
	if n.isNull() {
		return nil, true
	}
	if b, ok := n.boolean(); ok {
		return b, true
	}
	if i, ok := n.integer(); ok {
		return i, true
	}
	if n.tag == "!!float" {
		if f, ok := n.float(); ok {
			return f, true
		}
	}
	return n.value, true
}

func orNode(a, b *node) *node {
	if a != nil {
		return a
	}
	return b
}
