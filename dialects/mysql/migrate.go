package mysql

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/internal/rowutil"
	"github.com/dlayer/dlayer/dialects/sqlgen"
	"github.com/dlayer/dlayer/spec"
)

var (
	_ dialects.Migrator        = (*Dialect)(nil)
	_ dialects.Inspector       = (*Dialect)(nil)
	_ dialects.MigrationLocker = (*Dialect)(nil)
)

// Inspect reads the current database (see the package function Inspect).
func (d *Dialect) Inspect(ctx context.Context, q dialects.Queryer, skip ...string) (*spec.Schema, error) {
	return Inspect(ctx, q, skip...)
}

// SameType reports whether a and b have the same MySQL type.
func (d *Dialect) SameType(a, b *spec.Column) bool {
	x, err1 := d.TypeSQL(a)
	y, err2 := d.TypeSQL(b)
	return err1 == nil && err2 == nil && strings.EqualFold(x, y)
}

// ErrGaleraAdvisoryLock is returned by LockMigrations on a MariaDB Galera
// node (wsrep_on=ON): GET_LOCK is not replicated, so migrators on two nodes
// would both hold it. Use the table lock there (?migrate_lock=table).
var ErrGaleraAdvisoryLock = errors.New("the server is a Galera cluster node (wsrep_on=ON), where GET_LOCK " +
	"holds on one node only and would let migrators on two nodes run at once: use the table lock " +
	"(URL ?migrate_lock=table, --lock table, or migrate.Config{Lock: migrate.LockTable})")

// LockMigrations takes GET_LOCK(name) on a dedicated connection, polling
// until timeout; the lock is released with RELEASE_LOCK on that connection.
func (d *Dialect) LockMigrations(ctx context.Context, p dialects.Pool, name string, timeout time.Duration) (func(context.Context) error, error) {
	if ctx == nil {
		return nil, dialects.ErrNilContext
	}
	if p == nil {
		return nil, dialects.ErrNilQueryer
	}
	key := "dlayer-migrate:" + name
	if len(key) > 64 {
		key = key[:64]
	}
	// The lock lives as long as this connection's session: begin without
	// ctx's cancellation, which would hand the connection back to the
	// pool still holding the lock.
	tx, err := p.Begin(context.WithoutCancel(ctx), dialects.TxOptions{})
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	// GET_LOCK is local to one server: on a Galera node (wsrep_on=ON) two
	// migrators on two nodes would both get it. MySQL has no wsrep_on
	// (the query fails): the lock is good there.
	if on, err := scalar(ctx, tx, "SELECT @@wsrep_on"); err == nil && on == 1 {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("migration lock (GET_LOCK %q): %w", key, ErrGaleraAdvisoryLock)
	}
	deadline := time.Now().Add(timeout)
	wait := 10 * time.Millisecond
	for {
		got, err := scalar(ctx, tx, "SELECT GET_LOCK(?, 0)", key)
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		if got == 1 {
			break
		}
		if time.Now().After(deadline) {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			return nil, fmt.Errorf("migration lock (GET_LOCK %q): %w after %s: another migrator holds it",
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
		_, err := scalar(ctx, tx, "SELECT RELEASE_LOCK(?)", key)
		if rerr := tx.Rollback(ctx); err == nil {
			err = rerr
		}
		return err
	}, nil
}

func scalar(ctx context.Context, q dialects.Queryer, sql string, args ...any) (int64, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var v any
	if rows.Next() {
		if err := rows.Scan(&v); err != nil {
			return 0, err
		}
	}
	return rowutil.Int(v), rows.Err()
}

// MigrateSQL returns the statements that apply changes, in order. MySQL
// commits each DDL statement implicitly; package migrate records progress
// between them.
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
			stmts = []string{"RENAME TABLE " + q(c.Old.Name) + " TO " + q(c.Table.Name)}
		case dialects.AddColumn:
			var def string
			def, _, err = dialects.ColumnDef(d, c.Table.Name, c.Column)
			stmts = []string{"ALTER TABLE " + q(c.Table.Name) + " ADD COLUMN " + def}
		case dialects.DropColumn:
			stmts = []string{"ALTER TABLE " + q(c.Table.Name) + " DROP COLUMN " + q(c.OldColumn.Name)}
		case dialects.RenameColumn:
			stmts = []string{"ALTER TABLE " + q(c.Table.Name) + " RENAME COLUMN " + q(c.OldColumn.Name) + " TO " + q(c.Column.Name)}
		case dialects.AlterColumn:
			var def string
			def, _, err = dialects.ColumnDef(d, c.Table.Name, c.Column)
			stmts = []string{"ALTER TABLE " + q(c.Table.Name) + " MODIFY COLUMN " + def}
		case dialects.AddIndex:
			if c.Index.Kind != spec.IndexPlain {
				var s string
				s, err = d.CreateIndexSQL(c.Table, indexName(c.Table, c.Index), c.Index)
				stmts = []string{s}
				break
			}
			stmts = []string{d.createIndex(c.Table, indexName(c.Table, c.Index), c.Index.Columns, c.Index.Unique)}
		case dialects.DropIndex:
			stmts = []string{"DROP INDEX " + q(indexName(c.Old, c.Index)) + " ON " + q(c.Old.Name)}
		case dialects.AddForeignKey:
			var s string
			s, err = d.addForeignKey(c.Table, c.ForeignKey)
			stmts = []string{s}
		case dialects.DropForeignKey:
			// The server made an index named after the key unless another
			// index already began with its columns; drop it with the key.
			name := q(sqlgen.FKName(c.ForeignKey))
			stmts = []string{"ALTER TABLE " + q(c.Old.Name) + " DROP FOREIGN KEY " + name}
			if !hasKeyPrefix(c.Old, c.ForeignKey.Columns) {
				stmts = append(stmts, "ALTER TABLE "+q(c.Old.Name)+" DROP INDEX "+name)
			}
		case dialects.AddUnique:
			name := uniqueName(c.Table, c.Unique)
			stmts = []string{d.createIndex(c.Table, name, c.Unique.Columns, true)}
		case dialects.DropUnique:
			stmts = []string{"DROP INDEX " + q(uniqueName(c.Old, c.Unique)) + " ON " + q(c.Old.Name)}
		case dialects.AddCheck:
			stmts = []string{"ALTER TABLE " + q(c.Table.Name) + " ADD CONSTRAINT " + q(checkName(c.Table, c.Check)) +
				" CHECK (" + c.Check.Expr + ")"}
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

// hasKeyPrefix reports whether a primary key, unique key or index of t
// (other than one the server made for a foreign key) starts with cols.
func hasKeyPrefix(t *spec.Table, cols []*spec.Column) bool {
	names := rowutil.ColumnNames(cols)
	starts := func(key []string) bool {
		return len(key) >= len(names) && slices.Equal(key[:len(names)], names)
	}
	if starts(rowutil.ColumnNames(t.PrimaryKey)) {
		return true
	}
	for _, u := range t.Uniques {
		if starts(rowutil.ColumnNames(u.Columns)) {
			return true
		}
	}
	for _, ix := range t.Indexes {
		if starts(rowutil.ColumnNames(ix.Columns)) {
			return true
		}
	}
	for _, c := range t.Columns {
		if (c.Unique || c.Index) && starts([]string{c.Name}) {
			return true
		}
	}
	return false
}

func joinNames(cs []*spec.Column) string {
	return strings.Join(rowutil.ColumnNames(cs), "_")
}

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

// keyCols writes a key's column list, with the prefix lengths MySQL needs
// for long text columns.
func (d *Dialect) keyCols(cs []*spec.Column, unique bool) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = d.QuoteIdent(c.Name)
		if n, err := keyColumn(c, unique); err == nil && n > 0 {
			parts[i] += fmt.Sprintf("(%d)", n)
		}
	}
	return strings.Join(parts, ", ")
}

func (d *Dialect) createIndex(t *spec.Table, name string, cs []*spec.Column, unique bool) string {
	s := "CREATE "
	if unique {
		s += "UNIQUE "
	}
	return s + "INDEX " + d.QuoteIdent(name) + " ON " + d.QuoteIdent(t.Name) + " (" + d.keyCols(cs, unique) + ")"
}

var actionSQL = map[spec.Action]string{spec.ActionNoAction: "NO ACTION", spec.ActionRestrict: "RESTRICT",
	spec.ActionCascade: "CASCADE", spec.ActionSetNull: "SET NULL"}

func (d *Dialect) addForeignKey(t *spec.Table, fk *spec.ForeignKey) (string, error) {
	if fk.RefTable == nil {
		return "", fmt.Errorf("foreign key %s has no referenced table", fk.Name)
	}
	if fk.OnDelete == spec.ActionSetDefault || fk.OnUpdate == spec.ActionSetDefault {
		return "", fmt.Errorf("foreign key %s: mysql does not support SET DEFAULT", fk.Name)
	}
	s := "ALTER TABLE " + d.QuoteIdent(t.Name) + " ADD CONSTRAINT " + d.QuoteIdent(sqlgen.FKName(fk)) +
		" FOREIGN KEY (" + d.keyCols(fk.Columns, true) + ") REFERENCES " + d.QuoteIdent(fk.RefTable.Name) +
		" (" + d.keyCols(fk.RefColumns, true) + ")"
	if a, ok := actionSQL[fk.OnDelete]; ok {
		s += " ON DELETE " + a
	}
	if a, ok := actionSQL[fk.OnUpdate]; ok {
		s += " ON UPDATE " + a
	}
	return s, nil
}
