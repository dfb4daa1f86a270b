// Package erd draws entity-relationship diagrams of a loaded schema: a
// Mermaid erDiagram (for READMEs and anything that renders Mermaid) and a
// Graphviz DOT graph (HTML-like table labels, crow's-foot edges), which
// `dlayer erd --format svg` renders with Graphviz's dot.
//
// Entities are tables (a model's table carries the model's name); each
// lists its columns with type, keys (PK, FK, UK) and nullability. Edges are
// foreign keys, drawn with their cardinality: one-to-many, one-to-one (a
// unique or primary-key foreign key), optional on the parent side when the
// key is nullable, self-references as loops; a many-to-many relationship is
// drawn through its association table, and also as a dashed edge between
// the two models. Edges carry the names of the ORM relationships that use
// them, or the foreign-key columns.
package erd

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dlayer/dlayer/spec"
)

// Diagram is what both outputs draw: the chosen tables and their edges.
type Diagram struct {
	Tables []*spec.Table
	Edges  []Edge
	// ManyToMany lists the many-to-many relationships between the tables
	// drawn, one per pair of back-populating relationships.
	ManyToMany []M2M
}

// Edge is one foreign key between two drawn tables.
type Edge struct {
	FK *spec.ForeignKey
	// Child holds the key; Parent is referenced.
	Child, Parent *spec.Table
	// ParentOptional: a nullable key, a child may have no parent.
	ParentOptional bool
	// OneToOne: the key is unique, a parent has at most one child.
	OneToOne bool
	// Label names the relationships using the key, or its columns.
	Label string
}

// M2M is a many-to-many relationship drawn between its two tables.
type M2M struct {
	A, B      *spec.Table
	Secondary *spec.Table
	Label     string
}

// New builds the diagram of sch, limited to the given models when models
// is not empty: their tables, and the association tables of
// many-to-many relationships between them. An unknown model name is an
// error that lists the known ones.
func New(sch *spec.Schema, models []string) (*Diagram, error) {
	if sch == nil {
		return nil, fmt.Errorf("erd: nil schema")
	}
	chosen := map[*spec.Table]bool{}
	if len(models) == 0 {
		for _, t := range sch.Tables {
			chosen[t] = true
		}
	} else {
		for _, name := range models {
			m := sch.Model(name)
			if m == nil {
				if t := sch.Table(name); t != nil {
					chosen[t] = true
					continue
				}
				names := make([]string, 0, len(sch.Models))
				for _, m := range sch.Models {
					names = append(names, m.Name)
				}
				return nil, fmt.Errorf("erd: no model or table %q (models: %s)", name, strings.Join(names, ", "))
			}
			chosen[m.Table] = true
		}
		for _, m := range sch.Models {
			if !chosen[m.Table] {
				continue
			}
			for _, r := range m.Relationships {
				if r.Kind == spec.ManyToMany && r.Secondary != nil && r.Target != nil && chosen[r.Target.Table] {
					chosen[r.Secondary] = true
				}
			}
		}
	}
	d := &Diagram{}
	for _, t := range sch.Tables {
		if chosen[t] {
			d.Tables = append(d.Tables, t)
		}
	}
	sort.SliceStable(d.Tables, func(i, j int) bool { return tableRank(d.Tables[i]) < tableRank(d.Tables[j]) })
	for _, t := range d.Tables {
		for _, fk := range t.ForeignKeys {
			if fk.RefTable == nil || !chosen[fk.RefTable] {
				continue
			}
			d.Edges = append(d.Edges, Edge{
				FK: fk, Child: t, Parent: fk.RefTable,
				ParentOptional: anyNullable(fk.Columns),
				OneToOne:       uniqueColumns(t, fk.Columns),
				Label:          edgeLabel(sch, fk),
			})
		}
	}
	seen := map[*spec.Relationship]bool{}
	for _, m := range sch.Models {
		for _, r := range m.Relationships {
			if r.Kind != spec.ManyToMany || seen[r] || r.Target == nil || r.Secondary == nil ||
				!chosen[m.Table] || !chosen[r.Target.Table] {
				continue
			}
			seen[r] = true
			label := r.Name
			if r.Back != nil {
				seen[r.Back] = true
				label += " / " + r.Back.Name
			}
			d.ManyToMany = append(d.ManyToMany, M2M{A: m.Table, B: r.Target.Table, Secondary: r.Secondary, Label: label})
		}
	}
	return d, nil
}

// tableRank puts model tables before plain tables, keeping name order.
func tableRank(t *spec.Table) int {
	if t.Model != nil {
		return 0
	}
	return 1
}

func anyNullable(cols []*spec.Column) bool {
	for _, c := range cols {
		if c.Nullable {
			return true
		}
	}
	return false
}

// uniqueColumns reports whether cols are unique in t: the primary key, a
// unique column, or a unique constraint or index over exactly them.
func uniqueColumns(t *spec.Table, cols []*spec.Column) bool {
	same := func(a []*spec.Column) bool {
		if len(a) != len(cols) || len(a) == 0 {
			return false
		}
		in := map[*spec.Column]bool{}
		for _, c := range a {
			in[c] = true
		}
		for _, c := range cols {
			if !in[c] {
				return false
			}
		}
		return true
	}
	if len(cols) == 1 && cols[0].Unique || same(t.PrimaryKey) {
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

// edgeLabel names the relationships that join over fk ("posts / author"),
// or, when none does, the key's columns.
func edgeLabel(sch *spec.Schema, fk *spec.ForeignKey) string {
	var parentSide, childSide []string
	for _, m := range sch.Models {
		for _, r := range m.Relationships {
			if r.Kind == spec.ManyToMany || !usesFK(r, fk) {
				continue
			}
			if r.FKOnOwner || r.Kind == spec.ManyToOne {
				childSide = append(childSide, r.Name)
			} else {
				parentSide = append(parentSide, r.Name)
			}
		}
	}
	names := append(parentSide, childSide...)
	if len(names) == 0 {
		cols := make([]string, len(fk.Columns))
		for i, c := range fk.Columns {
			cols[i] = c.Name
		}
		return strings.Join(cols, ", ")
	}
	return strings.Join(names, " / ")
}

// usesFK reports whether relationship r joins over the columns of fk.
func usesFK(r *spec.Relationship, fk *spec.ForeignKey) bool {
	if len(r.Pairs) != len(fk.Columns) || len(fk.Columns) == 0 {
		return false
	}
	for i, c := range fk.Columns {
		ref := fk.RefColumns[i]
		found := false
		for _, p := range r.Pairs {
			if p.Local == c && p.Remote == ref || p.Remote == c && p.Local == ref {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// TypeName is the short type of a column in a diagram: string(50),
// decimal(10,2), timestamptz, enum, an alias's base type.
func TypeName(t spec.Type) string {
	k := t.Kind.String()
	switch t.Kind {
	case spec.TypeString, spec.TypeBytes:
		if t.Length > 0 {
			return fmt.Sprintf("%s(%d)", k, t.Length)
		}
	case spec.TypeDecimal:
		if t.Precision > 0 {
			return fmt.Sprintf("%s(%d,%d)", k, t.Precision, t.Scale)
		}
	case spec.TypeTimestamp, spec.TypeTime:
		if t.Timezone {
			return k + "tz"
		}
	case spec.TypeArray:
		if t.Items != nil {
			return TypeName(*t.Items) + "[]"
		}
	case spec.TypeNative:
		for _, d := range []string{"postgres", "mysql", "sqlite"} {
			if n := t.Native[d]; n != "" {
				return n
			}
		}
	}
	return k
}

// Keys returns the key marks of c: PK, FK, UK, in that order.
func Keys(c *spec.Column) []string {
	var ks []string
	t := c.Table
	if c.PrimaryKey {
		ks = append(ks, "PK")
	}
	if t != nil {
		for _, fk := range t.ForeignKeys {
			if containsCol(fk.Columns, c) {
				ks = append(ks, "FK")
				break
			}
		}
		if !c.PrimaryKey || len(t.PrimaryKey) > 1 {
			if c.Unique && !c.PrimaryKey {
				ks = append(ks, "UK")
			} else {
				for _, u := range t.Uniques {
					if containsCol(u.Columns, c) {
						ks = append(ks, "UK")
						break
					}
				}
			}
		}
	}
	return ks
}

func containsCol(cols []*spec.Column, c *spec.Column) bool {
	for _, x := range cols {
		if x == c {
			return true
		}
	}
	return false
}

// fkTarget is "table.column" of the first reference of c, or "".
func fkTarget(c *spec.Column) string {
	if c.Table == nil {
		return ""
	}
	for _, fk := range c.Table.ForeignKeys {
		for i, x := range fk.Columns {
			if x == c && fk.RefTable != nil && i < len(fk.RefColumns) {
				return fk.RefTable.Name + "." + fk.RefColumns[i].Name
			}
		}
	}
	return ""
}

// title is what an entity is called: the model's name, or the table's.
func title(t *spec.Table) string {
	if t.Model != nil {
		return t.Model.Name
	}
	return t.Name
}
