package orm

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// Joined-table inheritance. A model whose table is not its root's (a
// joined sub-model, or a single-table sub-model of one) has a combined
// column layout: the root table's columns at their ordinals, then the
// non-key columns of each further table of its chain, root first. Its
// mapper's table and tref are the root's, so keys, the identity map,
// the discriminator and soft delete work as for single-table models.
// Loads join the tables (polyInfo.where); the unit of work writes each
// table through a per-table view mapper (joinedInfo.views). Models
// without inheritance never reach this file (mapper.joined is nil).

// joinedInfo is the joined-table part of a mapper.
type joinedInfo struct {
	// views are one mapper per table of the chain, root first; a view's
	// cols are indexed by its table's ordinals and share the combined
	// mapper's accessors (a sub-table's key columns read the root key).
	views []*mapper
	// at maps a column of a non-root table to its combined ordinal.
	at map[*spec.Column]int
	// cols are the combined columns (a non-root table's non-key columns
	// are copies whose Ordinal is the combined position), byName their
	// positions by name.
	cols   []*spec.Column
	byName map[string]int
}

// chainTables returns the distinct tables of m's ancestry, root first.
func chainTables(m *spec.Model) []*spec.Table {
	var models []*spec.Model
	for x := m; x != nil; x = x.Inherits {
		models = append(models, x)
	}
	var out []*spec.Table
	for i := len(models) - 1; i >= 0; i-- {
		if t := models[i].Table; len(out) == 0 || out[len(out)-1] != t {
			out = append(out, t)
		}
	}
	return out
}

// usesJoinedTables reports whether m's table is not its root's.
func usesJoinedTables(m *spec.Model) bool {
	return m.Inherits != nil && m.Table != m.Root().Table
}

// newJoinedStructMapper is newStructMapper for a model whose table is not
// its root's.
func newJoinedStructMapper(t reflect.Type, m *spec.Model) (*mapper, []pendingRel, error) {
	if t.Kind() != reflect.Struct {
		return nil, nil, fmt.Errorf("bind %s to model %s: want a struct type", t, m.Name)
	}
	tables, cols, ji, byName, problems := joinedColumns(m)
	root := tables[0]
	rb := baseMapper(m.Root())
	mp := &mapper{
		model: m, table: root, tref: rb.tref, typ: t,
		cols: make([]colField, len(cols)), pk: rb.pk, autoPK: rb.autoPK,
		version: rb.version, softDel: rb.softDel, relIdx: map[string]*relField{},
		joined: ji,
	}
	byCol := map[string]reflect.StructField{}
	var rels []pendingRel
	structFields(t, func(name string, sf reflect.StructField) {
		if o, ok := byName[name]; ok && m.Owns(cols[o]) {
			problems = addColField(byCol, name, sf, problems)
			return
		}
		if r := m.Relationship(name); r != nil {
			rels = append(rels, pendingRel{rel: r, field: sf})
			return
		}
		problems = append(problems, fmt.Sprintf("field %s matches no column or relationship of model %s (tag it `db:\"-\"` to leave it unmapped)", sf.Name, m.Name))
	})
	for i, c := range cols {
		cf, problem := bindColumn(m, c, byCol)
		if problem != "" {
			problems = append(problems, problem)
			continue
		}
		mp.cols[i] = cf
	}
	if len(problems) > 0 {
		return nil, nil, fmt.Errorf("bind %s to model %s: %s", t, m.Name, strings.Join(problems, "; "))
	}
	mp.hooks = hooksOf(t)
	joinedViews(mp, tables)
	return mp, rels, nil
}

// joinedColumns returns the tables of m's chain, root first, and the
// combined column layout of a joined mapper for m (see joinedInfo).
func joinedColumns(m *spec.Model) ([]*spec.Table, []*spec.Column, *joinedInfo, map[string]int, []string) {
	tables := chainTables(m)
	root := tables[0]
	cols := append([]*spec.Column(nil), root.Columns...)
	ji := &joinedInfo{at: map[*spec.Column]int{}}
	byName := map[string]int{}
	var problems []string
	for i, c := range root.Columns {
		byName[c.Name] = i
	}
	for _, tb := range tables[1:] {
		if len(tb.PrimaryKey) != len(root.PrimaryKey) {
			problems = append(problems, fmt.Sprintf("table %s has %d primary-key columns, its root table %s %d", tb.Name, len(tb.PrimaryKey), root.Name, len(root.PrimaryKey)))
			continue
		}
		for _, c := range tb.Columns {
			if c.PrimaryKey {
				continue
			}
			if _, dup := byName[c.Name]; dup {
				problems = append(problems, fmt.Sprintf("column %q is in table %s and in another table of the hierarchy (joined-table inheritance maps each column name once)", c.Name, tb.Name))
				continue
			}
			cc := *c // keeps Table; Ordinal becomes the combined position
			cc.Ordinal = len(cols)
			ji.at[c] = cc.Ordinal
			byName[c.Name] = cc.Ordinal
			cols = append(cols, &cc)
		}
	}
	ji.cols = cols
	ji.byName = byName
	return tables, cols, ji, byName, problems
}

// joinedViews sets the per-table view mappers of a joined mapper whose
// columns are set.
func joinedViews(mp *mapper, tables []*spec.Table) {
	ji, root, m, t := mp.joined, tables[0], mp.model, mp.typ
	// The views: the root table's is a prefix of the combined columns;
	// a sub-table's takes its key from the root key's accessors.
	ji.views = append(ji.views, &mapper{
		model: m, table: root, tref: mp.tref, typ: t, cols: mp.cols[:len(root.Columns)],
		pk: mp.pk, autoPK: mp.autoPK, version: mp.version, softDel: mp.softDel, relIdx: map[string]*relField{},
	})
	for _, tb := range tables[1:] {
		v := &mapper{model: m, table: tb, tref: stmt.Ref(tb), typ: t, cols: make([]colField, len(tb.Columns)),
			autoPK: -1, version: -1, softDel: -1, relIdx: map[string]*relField{}}
		for k, c := range tb.PrimaryKey {
			cf := mp.cols[mp.pk[k]]
			cf.col = c
			v.cols[c.Ordinal] = cf
			v.pk = append(v.pk, c.Ordinal)
		}
		for _, c := range tb.Columns {
			if !c.PrimaryKey {
				cf := mp.cols[ji.at[c]]
				cf.col = c
				v.cols[c.Ordinal] = cf
			}
		}
		ji.views = append(ji.views, v)
	}
}

// newJoinedDynamicMapper is the mapper of a joined sub-model with no
// bound Go type: its Objects hold the combined columns.
func newJoinedDynamicMapper(m *spec.Model) (*mapper, error) {
	tables, cols, ji, _, problems := joinedColumns(m)
	if len(problems) > 0 {
		return nil, fmt.Errorf("model %s: %s", m.Name, strings.Join(problems, "; "))
	}
	rb := baseMapper(m.Root())
	mp := &mapper{
		model: m, table: tables[0], tref: rb.tref,
		cols: make([]colField, len(cols)), pk: rb.pk, autoPK: rb.autoPK,
		version: rb.version, softDel: rb.softDel, relIdx: map[string]*relField{},
		joined: ji,
	}
	newDynamicMapper(mp)
	joinedViews(mp, tables)
	return mp, nil
}

// checkJoined reports what the ORM does not map in joined-table
// hierarchies: a mix of bound and dynamic models in one hierarchy.
func checkJoined(db *DB) []string {
	var problems []string
	for m, mp := range db.byModel {
		if usesJoinedTables(m) && (mp.typ == nil) != (db.byModel[m.Root()].typ == nil) {
			problems = append(problems, fmt.Sprintf("model %s: a joined-table hierarchy maps either Go types for every model (orm.Bind) or none (dynamic Objects); model %s and its root %s differ", m.Name, m.Name, m.Root().Name))
		}
	}
	slices.Sort(problems)
	return problems
}

// ord returns the position in m's columns of column c of one of m's
// tables: its ordinal, except for a column of a joined sub-table (its
// combined ordinal; a sub-table's key column is the root key's).
// Relationship code reads and writes key columns through it.
func (m *mapper) ord(c *spec.Column) int {
	if m.joined == nil || c.Table == m.table {
		return c.Ordinal
	}
	if o, ok := m.joined.at[c]; ok {
		return o
	}
	for k, pc := range c.Table.PrimaryKey {
		if pc == c && k < len(m.pk) {
			return m.pk[k]
		}
	}
	return c.Ordinal
}

// colRef returns column c of one of m's tables in a query whose first
// item is t (m's table or an alias of it): a joined sub-table's key
// column is the root key's, its other columns are qualified by the
// sub-table, which the query joins (joinLayout.apply).
func (m *mapper) colRef(t *stmt.Table, c *spec.Column) *stmt.Column {
	if m.joined == nil || c.Table == m.table {
		return t.Col(c)
	}
	return subTableCol(t, c)
}

// joinLayout is how a query on a model of a hierarchy with joined tables
// reads its rows: the root table's columns, then the non-key columns of
// the joined tables, the queried model's own chain (INNER JOIN) first,
// then its descendants' tables (LEFT JOIN).
type joinLayout struct {
	tables []*stmt.Table
	specs  []*spec.Table
	inner  int
	// cols are the columns selected after the root table's.
	cols  []*stmt.Column
	width int
	// pos gives, per mapper the query can build, the row position of
	// each of its columns.
	pos map[*mapper][]int
}

// newJoinLayout returns the layout of queries on mp, or nil when no table
// of its hierarchy below its root's is involved.
func newJoinLayout(db *DB, mp *mapper) *joinLayout {
	root := mp.model.Root().Table
	var specs []*spec.Table
	seen := map[*spec.Table]bool{root: true}
	add := func(m *spec.Model) {
		for _, t := range chainTables(m)[1:] {
			if !seen[t] {
				seen[t] = true
				specs = append(specs, t)
			}
		}
	}
	add(mp.model)
	inner := len(specs)
	var walk func(*spec.Model)
	walk = func(x *spec.Model) {
		add(x)
		for _, s := range x.SubModels {
			walk(s)
		}
	}
	walk(mp.model)
	if len(specs) == 0 {
		return nil
	}
	l := &joinLayout{specs: specs, inner: inner, pos: map[*mapper][]int{}}
	at := map[*spec.Column]int{}
	n := len(root.Columns)
	for _, t := range specs {
		ref := stmt.Ref(t)
		l.tables = append(l.tables, ref)
		for _, c := range t.Columns {
			if !c.PrimaryKey {
				at[c] = n
				n++
				l.cols = append(l.cols, ref.Col(c))
			}
		}
	}
	l.width = n
	var place func(x *spec.Model)
	place = func(x *spec.Model) {
		sm := db.byModel[x]
		pos := make([]int, len(sm.cols))
		for i := range sm.cols {
			pos[i] = i
			if sm.joined != nil && i >= len(root.Columns) {
				for c, o := range sm.joined.at {
					if o == i {
						pos[i] = at[c]
					}
				}
			}
		}
		l.pos[sm] = pos
		for _, s := range x.SubModels {
			place(s)
		}
	}
	place(mp.model)
	return l
}

// apply returns q (a SELECT whose first item is base, the root table or
// an alias of it) with the joined tables and their columns.
func (l *joinLayout) apply(q *stmt.SelectStmt, base *stmt.Table) *stmt.SelectStmt {
	p := q.Parts()
	if p.Err != nil || len(p.Items) == 0 {
		return q
	}
	items := make([]stmt.Selectable, 0, len(p.Items)+len(l.cols))
	items = append(items, p.Items[0])
	for _, c := range l.cols {
		items = append(items, c)
	}
	items = append(items, p.Items[1:]...)
	n := stmt.Select(items...)
	if len(p.From) > 0 {
		n = n.From(p.From...)
	}
	rootPK := base.Spec().PrimaryKey
	for i, t := range l.tables {
		on := make([]stmt.Expr, len(rootPK))
		for k, c := range l.specs[i].PrimaryKey {
			on[k] = t.Col(c).Eq(base.Col(rootPK[k]))
		}
		if i < l.inner {
			n = n.Join(t, stmt.And(on...))
		} else {
			n = n.LeftJoin(t, stmt.And(on...))
		}
	}
	for _, j := range p.Joins {
		if j.Kind == stmt.LeftJoin {
			n = n.LeftJoin(j.Table, j.On)
		} else {
			n = n.Join(j.Table, j.On)
		}
	}
	if p.Where != nil {
		n = n.Where(p.Where)
	}
	if len(p.GroupBy) > 0 {
		n = n.GroupBy(p.GroupBy...)
	}
	if p.Having != nil {
		n = n.Having(p.Having)
	}
	if len(p.OrderBy) > 0 {
		n = n.OrderBy(p.OrderBy...)
	}
	if p.HasLimit {
		n = n.Limit(int(p.Limit))
	}
	if p.HasOffset {
		n = n.Offset(int(p.Offset))
	}
	if p.Distinct {
		n = n.Distinct()
	}
	switch p.Lock {
	case stmt.LockForUpdate:
		n = n.ForUpdate()
	case stmt.LockForUpdateNoWait:
		n = n.ForUpdateNoWait()
	case stmt.LockForUpdateSkipLocked:
		n = n.ForUpdateSkipLocked()
	}
	return n
}

// insertJoined inserts pending objects of a joined mapper: the rows of
// each table of its chain, root first (a sub-table's key is the root's
// generated key).
func (s *Session) insertJoined(ctx context.Context, p *flushPlan, m *mapper, sts []*state, done *[]func()) error {
	tx, err := s.writer(ctx, m)
	if err != nil {
		return err
	}
	for _, level := range selfLevels(p, m, sts) {
		if err := s.beforeInsertLevel(ctx, p, m, level); err != nil {
			return err
		}
		for _, v := range m.joined.views {
			if err := s.insertLevel(ctx, tx, p, v, level); err != nil {
				return err
			}
		}
		if m.hooks&hookAfterInsert != 0 {
			for _, st := range level {
				*done = append(*done, func() { _ = s.runHook(ctx, st, hookAfterInsert) })
			}
		}
	}
	return nil
}

// updateJoined writes the changed columns of a joined object: one UPDATE
// per table with a changed column.
func (s *Session) updateJoined(ctx context.Context, p *flushPlan, st *state, done *[]func()) error {
	m := st.m
	if err := s.runHook(ctx, st, hookBeforeUpdate); err != nil {
		return fmt.Errorf("before update %s: %w", m.model.Name, err)
	}
	p.touch(st)
	if m.version >= 0 {
		// A change of a sub-table only still bumps the version (on the
		// root table): optimistic locking covers the whole object.
		views := m.joined.views
		rootChanged, subChanged := false, false
		for i := range views[0].cols {
			if views[0].cols[i].col.Computed == nil && !views[0].cols[i].eq(st.obj, st.snap) {
				rootChanged = true
			}
		}
		for i := len(views[0].cols); i < len(m.cols); i++ {
			if m.cols[i].col.Computed == nil && !m.cols[i].eq(st.obj, st.snap) {
				subChanged = true
			}
		}
		if subChanged && !rootChanged {
			vf := &m.cols[m.version]
			if err := vf.set(st.obj, toInt64(vf.get(st.snap))+1); err != nil {
				return err
			}
		}
	}
	for _, v := range m.joined.views {
		vst := *st
		vst.m = v
		upd, computed, err := s.updateStmt(p, &vst)
		if err != nil {
			return err
		}
		if upd == nil {
			continue
		}
		tx, err := s.writer(ctx, m)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, upd)
		if err != nil {
			return fmt.Errorf("update %s: %w", m.model.Name, err)
		}
		if err := updated(&vst, res, computed); err != nil {
			return err
		}
		if computed {
			st.expired = true
		}
	}
	if m.hooks&hookAfterUpdate != 0 {
		*done = append(*done, func() { _ = s.runHook(ctx, st, hookAfterUpdate) })
	}
	return nil
}

// deleteJoined deletes joined objects: each table's row, the last table
// of the chain first. A soft delete updates the root row only.
func (s *Session) deleteJoined(ctx context.Context, m *mapper, sts []*state, done *[]func()) error {
	tx, err := s.writer(ctx, m)
	if err != nil {
		return err
	}
	views := m.joined.views
	for _, st := range selfDeleteOrder(m, sts) {
		if err := s.runHook(ctx, st, hookBeforeDelete); err != nil {
			return fmt.Errorf("before delete %s: %w", m.model.Name, err)
		}
		soft := m.softDel >= 0 && !s.hard[st]
		for i := len(views) - 1; i >= 0; i-- {
			if soft && i > 0 {
				continue
			}
			vst := *st
			vst.m = views[i]
			if i == 0 && !soft && m.softDel >= 0 {
				s.hard[&vst] = true
			}
			res, err := tx.Exec(ctx, s.deleteStmt(&vst))
			delete(s.hard, &vst)
			if err != nil {
				return fmt.Errorf("delete %s: %w", m.model.Name, err)
			}
			if err := deleted(&vst, res); err != nil {
				return err
			}
		}
		if m.hooks&hookAfterDelete != 0 {
			*done = append(*done, func() { _ = s.runHook(ctx, st, hookAfterDelete) })
		}
	}
	return nil
}

// planJoined reports whether a flush plan writes a joined object (several
// statements per object: no one-statement or batched flush).
func (p *flushPlan) planJoined() bool {
	for _, mm := range []map[*mapper][]*state{p.inserts, p.persistent, p.deletes} {
		for m := range mm {
			if m.joined != nil {
				return true
			}
		}
	}
	return false
}

// subTableCol returns column c of a joined sub-model's own table in a
// query whose first item is t, the hierarchy's root table (or an alias
// of it): a key column is the root key's, another column is qualified by
// the sub-table, which the query joins (joinLayout.apply).
func subTableCol(t *stmt.Table, c *spec.Column) *stmt.Column {
	if root := t.Spec(); c.PrimaryKey && len(c.Table.PrimaryKey) == len(root.PrimaryKey) {
		for k, pc := range c.Table.PrimaryKey {
			if pc == c {
				return t.Col(root.PrimaryKey[k])
			}
		}
	}
	return stmt.Ref(c.Table).Col(c)
}

// isSubTable reports whether t is a joined sub-model's own table.
func isSubTable(t *spec.Table) bool {
	return t != nil && t.Model != nil && t != t.Model.Root().Table
}

// pairsOnSubTable reports whether a pair's target column is in a joined
// sub-model's own table.
func pairsOnSubTable(pairs []spec.ColumnPair) bool {
	for _, p := range pairs {
		if p.Remote != nil && isSubTable(p.Remote.Table) && !p.Remote.PrimaryKey {
			return true
		}
	}
	return false
}
