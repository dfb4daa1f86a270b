package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/internal/rowutil"
	"github.com/dlayer/dlayer/internal/sqldb"
	"github.com/dlayer/dlayer/spec"
)

var (
	_ dialects.Migrator        = (*Dialect)(nil)
	_ dialects.Inspector       = (*Dialect)(nil)
	_ dialects.MigrationRunner = (*Dialect)(nil)
)

// Inspect reads the database (see the package function Inspect).
func (d *Dialect) Inspect(ctx context.Context, q dialects.Queryer, skip ...string) (*spec.Schema, error) {
	return Inspect(ctx, q, skip...)
}

// SameType reports whether a and b have the same SQLite column type (enum
// values included, as they live in a CHECK constraint).
func (d *Dialect) SameType(a, b *spec.Column) bool {
	x, err1 := d.TypeSQL(a)
	y, err2 := d.TypeSQL(b)
	// INT and INTEGER are one type; which one a key is declared with says
	// whether it autoincrements, which the diff reports as such.
	if strings.EqualFold(x, "INT") {
		x = "INTEGER"
	}
	if strings.EqualFold(y, "INT") {
		y = "INTEGER"
	}
	if err1 != nil || err2 != nil || !strings.EqualFold(x, y) {
		return false
	}
	ea, eb := a.Type.Kind == spec.TypeEnum, b.Type.Kind == spec.TypeEnum
	return ea == eb && (!ea || slices.Equal(a.Type.Values, b.Type.Values))
}

// RunMigration runs fn in a BEGIN IMMEDIATE transaction on one connection
// with foreign-key enforcement off, as SQLite's table-rebuild procedure
// requires (dropping a parent table would otherwise cascade to its
// children), and runs PRAGMA foreign_key_check before committing: a
// migration that leaves a dangling reference is rolled back.
func (d *Dialect) RunMigration(ctx context.Context, p dialects.Pool, fn func(q dialects.Queryer) error) (err error) {
	u, ok := p.(dialects.Unwrapper)
	if !ok {
		return errors.New("sqlite migration: the pool does not expose its *sql.DB")
	}
	db, ok := u.Unwrap().(*sql.DB)
	if !ok {
		return fmt.Errorf("sqlite migration: the pool wraps %T, not *sql.DB", u.Unwrap())
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite migration: %w", err)
	}
	defer conn.Close()
	bg := context.WithoutCancel(ctx)
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return fmt.Errorf("sqlite migration: %w", err)
	}
	defer func() {
		if _, ferr := conn.ExecContext(bg, "PRAGMA foreign_keys = ON"); ferr != nil {
			// Never hand a connection without enforcement back to the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			if err == nil {
				err = ferr
			}
		}
	}()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("sqlite migration: begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_, _ = conn.ExecContext(bg, "ROLLBACK")
		}
	}()
	q := connQueryer{conn}
	if err := fn(q); err != nil {
		return err
	}
	if err := foreignKeyCheck(ctx, q); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("sqlite migration: commit: %w", err)
	}
	done = true
	return nil
}

func foreignKeyCheck(ctx context.Context, q dialects.Queryer) error {
	var bad []string
	err := rowutil.Each(ctx, q, "PRAGMA foreign_key_check", 4, func(v []any) error {
		if len(bad) < 5 {
			bad = append(bad, fmt.Sprintf("%s row %s -> %s", rowutil.Str(v[0]), rowutil.Str(v[1]), rowutil.Str(v[2])))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite migration: foreign key check: %w", err)
	}
	if len(bad) > 0 {
		return fmt.Errorf("sqlite migration: foreign key check failed: %s", strings.Join(bad, "; "))
	}
	return nil
}

// connQueryer runs statements on one connection.
type connQueryer struct{ c *sql.Conn }

func (q connQueryer) Exec(ctx context.Context, s string, args ...any) (dialects.Result, error) {
	args, err := EncodeArgs(args, nil)
	if err != nil {
		return dialects.Result{}, err
	}
	r, err := q.c.ExecContext(ctx, s, args...)
	if err != nil {
		return dialects.Result{}, TranslateError(err)
	}
	return sqldb.Result(r), nil
}

func (q connQueryer) Query(ctx context.Context, s string, args ...any) (dialects.Rows, error) {
	args, err := EncodeArgs(args, nil)
	if err != nil {
		return nil, err
	}
	r, err := q.c.QueryContext(ctx, s, args...)
	if err != nil {
		return nil, TranslateError(err)
	}
	cols, err := r.Columns()
	if err != nil {
		r.Close()
		return nil, err
	}
	return &connRows{r: r, cols: cols}, nil
}

type connRows struct {
	r    *sql.Rows
	cols []string
}

func (r *connRows) Next() bool             { return r.r.Next() }
func (r *connRows) Scan(dest ...any) error { return r.r.Scan(dest...) }
func (r *connRows) Columns() []string      { return r.cols }
func (r *connRows) Err() error             { return r.r.Err() }
func (r *connRows) Close() error           { return r.r.Close() }

// native reports whether SQLite's ALTER TABLE can make the change; other
// changes rebuild the table.
func native(c dialects.Change) bool {
	switch c.Kind {
	case dialects.CreateTable, dialects.DropTable, dialects.RenameTable, dialects.RenameColumn,
		dialects.AddIndex, dialects.DropIndex:
		return true
	case dialects.AddColumn:
		col := c.Column
		if col.PrimaryKey || col.Unique || col.ForeignKey != nil || col.Autoincrement {
			return false
		}
		if col.Computed != nil {
			// ALTER TABLE ADD COLUMN takes a VIRTUAL generated column,
			// never a STORED one.
			return !col.Computed.Stored
		}
		if d := col.ServerDefault; d != nil {
			// ADD COLUMN takes only constant defaults.
			return d.Kind == spec.DefaultLiteral
		}
		return col.Nullable
	}
	return false
}

// MigrateSQL returns the statements that apply changes, in order. What
// SQLite cannot ALTER (dropping or changing a column, adding or dropping a
// foreign key, unique or check constraint) is done by rebuilding the table:
// create it anew under a temporary name, copy the rows, drop the old table,
// rename the new one and recreate its indexes. The rebuilds come last, once
// every other change is made; RunMigration runs them with foreign-key
// enforcement off and checks the keys before committing.
func (d *Dialect) MigrateSQL(changes []dialects.Change) ([]string, error) {
	rebuild := map[string]*dialects.Change{}
	var order []*spec.Table
	renamed := map[string]map[string]string{} // table -> new column name -> old
	for i, c := range changes {
		if c.Kind == dialects.RenameColumn {
			if renamed[c.Table.Name] == nil {
				renamed[c.Table.Name] = map[string]string{}
			}
			renamed[c.Table.Name][c.Column.Name] = c.OldColumn.Name
		}
		if !native(c) && c.Table != nil && c.Old != nil && rebuild[c.Table.Name] == nil {
			rebuild[c.Table.Name] = &changes[i]
			order = append(order, c.Table)
		}
	}
	q := d.QuoteIdent
	var out []string
	for _, c := range changes {
		perTable := c.Kind != dialects.CreateTable && c.Kind != dialects.DropTable &&
			c.Kind != dialects.RenameTable && c.Kind != dialects.RenameColumn
		if perTable && c.Table != nil && rebuild[c.Table.Name] != nil {
			continue
		}
		var stmts []string
		var err error
		switch c.Kind {
		case dialects.CreateTable:
			stmts, err = d.CreateTable(c.Table)
		case dialects.DropTable:
			stmts, err = d.DropTable(c.Old)
		case dialects.RenameTable:
			stmts = []string{"ALTER TABLE " + q(c.Old.Name) + " RENAME TO " + q(c.Table.Name)}
		case dialects.RenameColumn:
			stmts = []string{"ALTER TABLE " + q(c.Table.Name) + " RENAME COLUMN " + q(c.OldColumn.Name) + " TO " + q(c.Column.Name)}
		case dialects.AddColumn:
			var def string
			var after []string
			def, after, err = dialects.ColumnDef(d, c.Table.Name, c.Column)
			stmts = append([]string{"ALTER TABLE " + q(c.Table.Name) + " ADD COLUMN " + def}, after...)
		case dialects.AddIndex:
			if c.Index.Kind != spec.IndexPlain {
				err = fmt.Errorf("sqlite has no %s index", c.Index.Kind)
				break
			}
			stmts = []string{d.createIndex(c.Table, c.Index)}
		case dialects.DropIndex:
			stmts = []string{"DROP INDEX " + q(indexName(c.Old, c.Index))}
		default:
			err = fmt.Errorf("%s needs a table rebuild but has no table", c.Kind)
		}
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", c.Kind, c.TableName(), err)
		}
		out = append(out, stmts...)
	}
	for _, t := range sortTables(order) {
		c := rebuild[t.Name]
		stmts, err := d.rebuild(c.Old, t, renamed[t.Name])
		if err != nil {
			return nil, fmt.Errorf("rebuild %s: %w", t.Name, err)
		}
		out = append(out, stmts...)
	}
	return out, nil
}

// sortTables orders tables by foreign-key dependencies (referenced first),
// then by name.
func sortTables(ts []*spec.Table) []*spec.Table {
	s := &spec.Schema{Tables: slices.Clone(ts)}
	order, _ := dialects.SortTables(s)
	return order
}

// rebuild returns the table-rebuild statements turning old into t; renames
// maps new column names to old ones for columns already renamed in place.
func (d *Dialect) rebuild(old, t *spec.Table, renames map[string]string) ([]string, error) {
	q := d.QuoteIdent
	create, err := d.CreateTable(t)
	if err != nil {
		return nil, err
	}
	prefix := "CREATE TABLE " + q(t.Name)
	if len(create) == 0 || !strings.HasPrefix(create[0], prefix) {
		return nil, errors.New("unexpected CREATE TABLE text")
	}
	tmp := "_dlayer_new_" + t.Name
	// Columns present now (old ones, under their new names if renamed).
	live := map[string]bool{}
	for _, c := range old.Columns {
		live[c.Name] = true
	}
	for n, o := range renames {
		delete(live, o)
		live[n] = true
	}
	var copied []string
	for _, c := range t.Columns {
		if live[c.Name] && c.Computed == nil { // SQLite computes generated columns itself
			copied = append(copied, q(c.Name))
		}
	}
	out := []string{"CREATE TABLE " + q(tmp) + create[0][len(prefix):]}
	if len(copied) > 0 {
		list := strings.Join(copied, ", ")
		out = append(out, "INSERT INTO "+q(tmp)+" ("+list+") SELECT "+list+" FROM "+q(t.Name))
	}
	out = append(out, "DROP TABLE "+q(t.Name), "ALTER TABLE "+q(tmp)+" RENAME TO "+q(t.Name))
	return append(out, create[1:]...), nil
}

func indexName(t *spec.Table, ix *spec.Index) string {
	if ix.Name != "" {
		return ix.Name
	}
	return "ix_" + t.Name + "_" + strings.Join(rowutil.ColumnNames(ix.Columns), "_")
}

func (d *Dialect) createIndex(t *spec.Table, ix *spec.Index) string {
	s := "CREATE "
	if ix.Unique {
		s += "UNIQUE "
	}
	cols := make([]string, len(ix.Columns))
	for i, c := range ix.Columns {
		cols[i] = d.QuoteIdent(c.Name)
	}
	s += "INDEX " + d.QuoteIdent(indexName(t, ix)) + " ON " + d.QuoteIdent(t.Name) + " (" + strings.Join(cols, ", ") + ")"
	if ix.WhereNull != nil {
		s += " WHERE " + d.QuoteIdent(ix.WhereNull.Name) + " IS NULL"
	}
	return s
}
