package spec

// Single-table inheritance (SQLAlchemy's polymorphic_on / polymorphic_identity):
// a base model names a discriminator column and its identity; sub-models
// declare inherits: Base and their own identity, and share the base's table.
// A sub-model's columns are nullable columns of that table, owned by the
// sub-model (Column.SubModel) and invisible to the base and to siblings.

// Root returns the top model of m's hierarchy (m itself when m inherits
// nothing).
func (m *Model) Root() *Model {
	for m.Inherits != nil {
		m = m.Inherits
	}
	return m
}

// Joined reports whether m is a joined-table sub-model: it inherits a
// model and has a table of its own, whose primary key references the
// parent's.
func (m *Model) Joined() bool {
	return m.Inherits != nil && m.Table != nil && m.Table != m.Inherits.Table
}

// Polymorphic reports whether m is part of an inheritance hierarchy.
func (m *Model) Polymorphic() bool { return m.PolymorphicOn != nil }

// Identities returns the discriminator values of m and its descendants,
// m's first: the rows a query on m returns.
func (m *Model) Identities() []string {
	var out []string
	var walk func(*Model)
	walk = func(x *Model) {
		if x.PolymorphicIdentity != "" {
			out = append(out, x.PolymorphicIdentity)
		}
		for _, s := range x.SubModels {
			walk(s)
		}
	}
	walk(m)
	return out
}

// Owns reports whether column c belongs to m: a column of m's table that
// no sub-model declares, or one m or an ancestor of m declares.
func (m *Model) Owns(c *Column) bool {
	if c.SubModel == nil {
		return true
	}
	for x := m; x != nil; x = x.Inherits {
		if x == c.SubModel {
			return true
		}
	}
	return false
}
