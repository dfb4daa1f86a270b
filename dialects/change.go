package dialects

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dlayer/dlayer/spec"
)

// ChangeKind is the kind of one schema change of a migration.
type ChangeKind int

// The change kinds. Their order is not the order changes are applied in;
// package migrate orders a plan.
const (
	ChangeInvalid ChangeKind = iota
	CreateTable
	DropTable
	RenameTable
	AddColumn
	DropColumn
	AlterColumn
	RenameColumn
	AddIndex
	DropIndex
	AddForeignKey
	DropForeignKey
	AddUnique
	DropUnique
	AddCheck
	DropCheck
)

var changeNames = [...]string{"invalid", "create table", "drop table", "rename table",
	"add column", "drop column", "alter column", "rename column", "add index", "drop index",
	"add foreign key", "drop foreign key", "add unique", "drop unique", "add check", "drop check"}

// String returns a short human name of the kind ("add column").
func (k ChangeKind) String() string {
	if k < 0 || int(k) >= len(changeNames) {
		return "invalid"
	}
	return changeNames[k]
}

// MarshalText encodes the kind as its name.
func (k ChangeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Change is one step that turns a database schema (the "old" state) into
// another (the "new" state). Table is the affected table as it is in the new
// state and Old as it was in the old state: a change to a table carries both
// whole tables, so a dialect that cannot alter in place (SQLite) can rebuild
// it. CreateTable has no Old, DropTable no Table.
type Change struct {
	Kind  ChangeKind  `json:"kind"`
	Table *spec.Table `json:"-"`
	Old   *spec.Table `json:"-"`
	// Column is the new column (AddColumn, AlterColumn, RenameColumn) and
	// OldColumn the old one (DropColumn, AlterColumn, RenameColumn).
	Column    *spec.Column `json:"-"`
	OldColumn *spec.Column `json:"-"`
	// Exactly one of these is set for the index and constraint kinds.
	Index      *spec.Index      `json:"-"`
	ForeignKey *spec.ForeignKey `json:"-"`
	Unique     *spec.Unique     `json:"-"`
	Check      *spec.Check      `json:"-"`
	// Destructive marks a change that can lose data: dropping a table or a
	// column, or narrowing a column's type.
	Destructive bool `json:"destructive,omitempty"`
	// Detail says what changed, for messages ("type varchar(50) -> varchar(20)").
	Detail string `json:"detail,omitempty"`
}

// TableName returns the name of the table the change affects in the new
// state (the old state for DropTable).
func (c Change) TableName() string {
	if c.Table != nil {
		return c.Table.Name
	}
	if c.Old != nil {
		return c.Old.Name
	}
	return ""
}

// Migrator is implemented by dialects that can write schema migrations.
type Migrator interface {
	// MigrateSQL returns the statements that apply changes, in order.
	MigrateSQL(changes []Change) ([]string, error)
	// SameType reports whether columns a and b have the same type in the
	// database (so that inspected and declared columns compare equal when
	// the dialect maps several kinds to one database type).
	SameType(a, b *spec.Column) bool
}

// Inspector is implemented by dialects that can read a live database's
// schema into the neutral model.
type Inspector interface {
	// Inspect reads the tables of the current database (PostgreSQL: the
	// current schema) except those named in skip.
	Inspect(ctx context.Context, q Queryer, skip ...string) (*spec.Schema, error)
}

// MigrationLocker is implemented by dialects with a database-wide named lock
// (PostgreSQL advisory locks, MySQL GET_LOCK). Package migrate falls back to
// a lock table for dialects without one.
type MigrationLocker interface {
	// LockMigrations takes the lock called name, waiting at most timeout,
	// and returns the function that releases it. It returns an error
	// wrapping ErrLockTimeout when the lock is still held by another after
	// timeout.
	LockMigrations(ctx context.Context, p Pool, name string, timeout time.Duration) (unlock func(context.Context) error, err error)
}

// MigrationLockChooser is implemented by pools whose URL chose how the
// migration lock is taken (?migrate_lock=table or advisory; a PostgreSQL
// URL with ?pooler=transaction chooses table). MigrationLock returns
// "table", "advisory" or "" (not chosen).
type MigrationLockChooser interface {
	MigrationLock() string
}

// MigrationRunner is implemented by dialects that run one migration in a
// transaction of their own making rather than Pool.Begin (SQLite turns
// foreign-key enforcement off around it, so that tables can be rebuilt,
// and checks the keys before committing). fn runs the migration's
// statements and records it in the history on q; an error from fn rolls
// the transaction back.
type MigrationRunner interface {
	RunMigration(ctx context.Context, p Pool, fn func(q Queryer) error) error
}

// ColumnDef returns the definition of column c as CREATE TABLE writes it
// for dialect d ("name TYPE NOT NULL DEFAULT …"), for ALTER TABLE … ADD
// COLUMN, and the statements CREATE TABLE writes after the table for the
// column (comments). Key flags (primary key, unique, index) are left out.
func ColumnDef(d Dialect, table string, c *spec.Column) (def string, after []string, err error) {
	if d == nil || c == nil {
		return "", nil, errors.New("column definition: nil dialect or column")
	}
	cc := *c
	cc.PrimaryKey, cc.Unique, cc.Index, cc.ForeignKey = false, false, false, nil
	t := &spec.Table{Name: table, Columns: []*spec.Column{&cc}}
	cc.Table = t
	if cc.Autoincrement {
		// Dialects that autoincrement only a sole primary key need it stated.
		t.PrimaryKey = []*spec.Column{&cc}
	}
	stmts, err := d.CreateTable(t)
	if err != nil {
		return "", nil, err
	}
	for i, s := range stmts {
		open := strings.Index(s, " (\n  ")
		if !strings.HasPrefix(s, "CREATE TABLE ") || open < 0 {
			continue
		}
		body := s[open+len(" (\n  "):]
		end := strings.LastIndex(body, "\n)")
		if end < 0 {
			return "", nil, fmt.Errorf("column %s: unexpected CREATE TABLE text", c.Name)
		}
		body = body[:end]
		if cc.Autoincrement {
			body, _, _ = strings.Cut(body, ",\n  PRIMARY KEY ")
		}
		return body, stmts[i+1:], nil
	}
	return "", nil, fmt.Errorf("column %s: no CREATE TABLE statement", c.Name)
}
