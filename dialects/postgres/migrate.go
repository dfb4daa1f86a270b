package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/sqlgen"
	"github.com/dlayer/dlayer/spec"
)

var (
	_ dialects.Migrator        = (*Dialect)(nil)
	_ dialects.Inspector       = (*Dialect)(nil)
	_ dialects.MigrationLocker = (*Dialect)(nil)
)

// Inspect reads the current schema (see the package function Inspect).
func (d *Dialect) Inspect(ctx context.Context, q dialects.Queryer, skip ...string) (*spec.Schema, error) {
	return Inspect(ctx, q, skip...)
}

// SameType reports whether a and b have the same PostgreSQL type.
func (d *Dialect) SameType(a, b *spec.Column) bool {
	x, err1 := d.TypeSQL(a)
	y, err2 := d.TypeSQL(b)
	if err1 != nil || err2 != nil {
		return false
	}
	if a.Type.Kind == spec.TypeEnum && b.Type.Kind == spec.TypeEnum {
		return x == y && strings.Join(a.Type.Values, "\x00") == strings.Join(b.Type.Values, "\x00")
	}
	return strings.EqualFold(x, y)
}

// LockMigrations takes a session-level advisory lock keyed by name on a
// dedicated connection, polling until timeout.
func (d *Dialect) LockMigrations(ctx context.Context, p dialects.Pool, name string, timeout time.Duration) (func(context.Context) error, error) {
	if ctx == nil {
		return nil, dialects.ErrNilContext
	}
	if p == nil {
		return nil, dialects.ErrNilQueryer
	}
	h := fnv.New64a()
	h.Write([]byte("dlayer-migrate:" + name))
	key := int64(h.Sum64() >> 1)
	// The lock lives as long as this connection's session: begin without
	// ctx's cancellation, which would hand the connection back to the
	// pool still holding the lock.
	tx, err := p.Begin(context.WithoutCancel(ctx), dialects.TxOptions{})
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	deadline := time.Now().Add(timeout)
	wait := 10 * time.Millisecond
	for {
		ok, err := tryLock(ctx, tx, key)
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			return nil, fmt.Errorf("migration lock (advisory lock %d): %w after %s: another migrator holds it",
				key, dialects.ErrLockTimeout, timeout)
		}
		select {
		case <-ctx.Done():
			_ = tx.Rollback(context.WithoutCancel(ctx))
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		if wait < 200*time.Millisecond {
			wait *= 2
		}
	}
	return func(ctx context.Context) error {
		_, err := tx.Exec(ctx, "SELECT pg_advisory_unlock($1)", key)
		if rerr := tx.Rollback(ctx); err == nil {
			err = rerr
		}
		return err
	}, nil
}

func tryLock(ctx context.Context, q dialects.Queryer, key int64) (bool, error) {
	rows, err := q.Query(ctx, "SELECT pg_try_advisory_lock($1)", key)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	var ok bool
	if rows.Next() {
		if err := rows.Scan(&ok); err != nil {
			return false, err
		}
	}
	return ok, rows.Err()
}

// MigrateSQL returns the statements that apply changes, in order.
func (d *Dialect) MigrateSQL(changes []dialects.Change) ([]string, error) {
	var out []string
	q := d.QuoteIdent
	for _, c := range changes {
		var stmts []string
		var err error
		switch c.Kind {
		case dialects.CreateTable:
			stmts, err = d.CreateTable(c.Table)
		case dialects.DropTable:
			stmts, err = d.DropTable(c.Old)
		case dialects.RenameTable:
			stmts = []string{"ALTER TABLE " + q(c.Old.Name) + " RENAME TO " + q(c.Table.Name)}
		case dialects.AddColumn:
			stmts, err = d.addColumn(c)
		case dialects.DropColumn:
			stmts = []string{"ALTER TABLE " + q(c.Table.Name) + " DROP COLUMN " + q(c.OldColumn.Name)}
			if c.OldColumn.Type.Kind == spec.TypeEnum && d.enumType(c.OldColumn, c.Table) != "" {
				// The table no longer uses the enum's type. (A type shared
				// with another table makes this fail: edit the migration.)
				stmts = append(stmts, "DROP TYPE IF EXISTS "+q(sqlgen.EnumTypeName(c.OldColumn)))
			}
		case dialects.RenameColumn:
			stmts = []string{"ALTER TABLE " + q(c.Table.Name) + " RENAME COLUMN " + q(c.OldColumn.Name) + " TO " + q(c.Column.Name)}
		case dialects.AlterColumn:
			stmts, err = d.alterColumn(c)
		case dialects.AddIndex:
			if c.Index.Kind != spec.IndexPlain {
				err = fmt.Errorf("postgres has no %s index (see dlayer validate --dialect postgres)", c.Index.Kind)
				break
			}
			stmts = []string{createIndex(d, c.Table, c.Index)}
		case dialects.DropIndex:
			stmts = []string{"DROP INDEX " + q(indexName(c.Old, c.Index))}
		case dialects.AddForeignKey:
			var s string
			s, err = addForeignKey(d, c.Table, c.ForeignKey)
			stmts = []string{s}
		case dialects.DropForeignKey:
			stmts = []string{"ALTER TABLE " + q(c.Old.Name) + " DROP CONSTRAINT " + q(sqlgen.FKName(c.ForeignKey))}
		case dialects.AddUnique:
			stmts = []string{"ALTER TABLE " + q(c.Table.Name) + " ADD CONSTRAINT " + q(uniqueName(c.Table, c.Unique)) +
				" UNIQUE (" + cols(d, c.Unique.Columns) + ")"}
		case dialects.DropUnique:
			stmts = []string{"ALTER TABLE " + q(c.Old.Name) + " DROP CONSTRAINT " + q(uniqueName(c.Old, c.Unique))}
		case dialects.AddCheck:
			stmts = []string{"ALTER TABLE " + q(c.Table.Name) + " ADD " + checkDef(d, c.Table, c.Check)}
		case dialects.DropCheck:
			stmts = []string{"ALTER TABLE " + q(c.Old.Name) + " DROP CONSTRAINT " + q(checkName(c.Old, c.Check))}
		default:
			err = fmt.Errorf("unknown change kind %d", c.Kind)
		}
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", c.Kind, c.TableName(), err)
		}
		out = append(out, stmts...)
	}
	return out, nil
}

func cols(d dialects.Dialect, cs []*spec.Column) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = d.QuoteIdent(c.Name)
	}
	return strings.Join(names, ", ")
}

func joinNames(cs []*spec.Column) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return strings.Join(names, "_")
}

// indexName is the index's name, or the name CREATE TABLE derives for it.
func indexName(t *spec.Table, ix *spec.Index) string {
	if ix.Name != "" {
		return ix.Name
	}
	return "ix_" + t.Name + "_" + joinNames(ix.Columns)
}

func uniqueName(t *spec.Table, u *spec.Unique) string {
	if u.Name != "" {
		return u.Name
	}
	return "uq_" + t.Name + "_" + joinNames(u.Columns)
}

func checkName(t *spec.Table, c *spec.Check) string {
	if c.Name != "" {
		return c.Name
	}
	for i, x := range t.Checks {
		if x == c {
			return fmt.Sprintf("ck_%s_%d", t.Name, i+1)
		}
	}
	return "ck_" + t.Name
}

func checkDef(d dialects.Dialect, t *spec.Table, c *spec.Check) string {
	return "CONSTRAINT " + d.QuoteIdent(checkName(t, c)) + " CHECK (" + c.Expr + ")"
}

func createIndex(d dialects.Dialect, t *spec.Table, ix *spec.Index) string {
	s := "CREATE "
	if ix.Unique {
		s += "UNIQUE "
	}
	s += "INDEX " + d.QuoteIdent(indexName(t, ix)) + " ON " + d.QuoteIdent(t.Name) + " (" + cols(d, ix.Columns) + ")"
	if ix.WhereNull != nil {
		s += " WHERE " + d.QuoteIdent(ix.WhereNull.Name) + " IS NULL"
	}
	return s
}

var actionSQL = map[spec.Action]string{spec.ActionNoAction: "NO ACTION", spec.ActionRestrict: "RESTRICT",
	spec.ActionCascade: "CASCADE", spec.ActionSetNull: "SET NULL", spec.ActionSetDefault: "SET DEFAULT"}

func addForeignKey(d dialects.Dialect, t *spec.Table, fk *spec.ForeignKey) (string, error) {
	if fk.RefTable == nil {
		return "", fmt.Errorf("foreign key %s has no referenced table", fk.Name)
	}
	s := "ALTER TABLE " + d.QuoteIdent(t.Name) + " ADD CONSTRAINT " + d.QuoteIdent(sqlgen.FKName(fk)) +
		" FOREIGN KEY (" + cols(d, fk.Columns) + ") REFERENCES " + d.QuoteIdent(fk.RefTable.Name) +
		" (" + cols(d, fk.RefColumns) + ")"
	if a, ok := actionSQL[fk.OnDelete]; ok {
		s += " ON DELETE " + a
	}
	if a, ok := actionSQL[fk.OnUpdate]; ok {
		s += " ON UPDATE " + a
	}
	return s, nil
}

// enumType returns CREATE TYPE for an enum column whose type the old table
// does not already use.
func (d *Dialect) enumType(c *spec.Column, old *spec.Table) string {
	if c.Type.Kind != spec.TypeEnum {
		return ""
	}
	name := sqlgen.EnumTypeName(c)
	if old != nil {
		for _, oc := range old.Columns {
			if oc.Type.Kind == spec.TypeEnum && sqlgen.EnumTypeName(oc) == name {
				return ""
			}
		}
	}
	vals := make([]string, len(c.Type.Values))
	for i, v := range c.Type.Values {
		vals[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	return "CREATE TYPE " + d.QuoteIdent(name) + " AS ENUM (" + strings.Join(vals, ", ") + ")"
}

func (d *Dialect) addColumn(c dialects.Change) ([]string, error) {
	var out []string
	if s := d.enumType(c.Column, c.Old); s != "" {
		out = append(out, s)
	}
	def, after, err := dialects.ColumnDef(d, c.Table.Name, c.Column)
	if err != nil {
		return nil, err
	}
	out = append(out, "ALTER TABLE "+d.QuoteIdent(c.Table.Name)+" ADD COLUMN "+def)
	return append(out, after...), nil
}

// defaultOf returns the DEFAULT expression of a column definition, or "".
func defaultOf(def, typ string) string {
	i := strings.Index(def, typ)
	if i < 0 {
		return ""
	}
	rest := def[i+len(typ):]
	j := strings.Index(rest, " DEFAULT ")
	if j < 0 {
		return ""
	}
	return rest[j+len(" DEFAULT "):]
}

func (d *Dialect) alterColumn(c dialects.Change) ([]string, error) {
	q := d.QuoteIdent
	alter := "ALTER TABLE " + q(c.Table.Name) + " ALTER COLUMN " + q(c.Column.Name) + " "
	var out []string
	newType, err := d.TypeSQL(c.Column)
	if err != nil {
		return nil, err
	}
	def, _, err := dialects.ColumnDef(d, c.Table.Name, c.Column)
	if err != nil {
		return nil, err
	}
	oldDef, _, err := dialects.ColumnDef(d, c.Old.Name, c.OldColumn)
	if err != nil {
		return nil, err
	}
	oldType, _ := d.TypeSQL(c.OldColumn)
	newDefault, oldDefault := defaultOf(def, newType), defaultOf(oldDef, oldType)
	if newDefault != oldDefault || !d.SameType(c.OldColumn, c.Column) {
		if oldDefault != "" {
			out = append(out, alter+"DROP DEFAULT")
		}
	}
	if !d.SameType(c.OldColumn, c.Column) {
		using := q(c.Column.Name) + "::" + newType
		dropOld := ""
		if s := d.enumType(c.Column, c.Old); s != "" {
			out = append(out, s)
		} else if c.Column.Type.Kind == spec.TypeEnum {
			// Same type name, other values: swap in a new type.
			name := sqlgen.EnumTypeName(c.Column)
			old := name + "_old"
			out = append(out, "ALTER TYPE "+q(name)+" RENAME TO "+q(old), d.enumType(c.Column, nil))
			dropOld = "DROP TYPE " + q(old)
		}
		if c.OldColumn.Type.Kind == spec.TypeEnum || c.Column.Type.Kind == spec.TypeEnum {
			using = q(c.Column.Name) + "::text::" + newType
		}
		out = append(out, alter+"TYPE "+newType+" USING "+using)
		if dropOld != "" {
			out = append(out, dropOld)
		}
	}
	if c.OldColumn.Nullable != c.Column.Nullable && !c.Column.PrimaryKey {
		if c.Column.Nullable {
			out = append(out, alter+"DROP NOT NULL")
		} else {
			out = append(out, alter+"SET NOT NULL")
		}
	}
	if newDefault != "" && (newDefault != oldDefault || !d.SameType(c.OldColumn, c.Column)) {
		out = append(out, alter+"SET DEFAULT "+newDefault)
	}
	if c.OldColumn.Autoincrement != c.Column.Autoincrement {
		if c.Column.Autoincrement {
			out = append(out, alter+"ADD GENERATED BY DEFAULT AS IDENTITY")
		} else {
			out = append(out, alter+"DROP IDENTITY IF EXISTS")
		}
	}
	return out, nil
}
