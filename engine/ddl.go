package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// CreateAll creates every table of the engine's schema (see CreateTables).
func (e *Engine) CreateAll(ctx context.Context) error {
	if e == nil {
		return errNilEngine
	}
	return e.CreateTables(ctx, e.schema)
}

// DropAll drops every table of the engine's schema (see DropTables).
func (e *Engine) DropAll(ctx context.Context) error {
	if e == nil {
		return errNilEngine
	}
	return e.DropTables(ctx, e.schema)
}

// CreateTables creates the tables of s with their constraints, indexes and
// dialect-side types, in foreign-key dependency order. Where the dialect
// has transactional DDL it runs in one transaction, so a failure leaves
// nothing behind.
func (e *Engine) CreateTables(ctx context.Context, s *spec.Schema) error {
	if err := e.usable(ctx); err != nil {
		return err
	}
	if s == nil {
		return errors.New("create tables: no schema (open the engine with one)")
	}
	sqls, err := dialects.CreateAllSQL(e.d, s)
	if err != nil {
		return fmt.Errorf("create tables: %w", err)
	}
	return e.runDDL(ctx, "create tables", sqls)
}

// DropTables drops the tables of s, dependents first.
func (e *Engine) DropTables(ctx context.Context, s *spec.Schema) error {
	if err := e.usable(ctx); err != nil {
		return err
	}
	if s == nil {
		return errors.New("drop tables: no schema (open the engine with one)")
	}
	sqls, err := dialects.DropAllSQL(e.d, s)
	if err != nil {
		return fmt.Errorf("drop tables: %w", err)
	}
	return e.runDDL(ctx, "drop tables", sqls)
}

func (e *Engine) runDDL(ctx context.Context, what string, sqls []string) error {
	if err := e.usable(ctx); err != nil {
		return err
	}
	defer e.InvalidateStatements()
	if e.d.Features().Has(dialects.TransactionalDDL) {
		return e.Tx(ctx, func(tx *Tx) error {
			for _, q := range sqls {
				if err := tx.execSQL(ctx, q); err != nil {
					return fmt.Errorf("%s: %w", what, err)
				}
			}
			return nil
		})
	}
	for _, q := range sqls {
		if _, err := e.execSQL(ctx, e.pool, q, nil); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// InvalidateStatements makes every connection of the engine's pool drop
// the statements it keeps prepared (SQLite and MySQL/MariaDB pools opened
// by URL; PostgreSQL's pgx handles its own), so that the next run of each
// prepares it again against the current schema. The engine calls it after
// CreateAll, DropAll, CreateTables, DropTables and raw DDL text it runs
// (CREATE, ALTER, DROP, RENAME, TRUNCATE), and migrate after each
// migration; call it after changing the schema by other means.
func (e *Engine) InvalidateStatements() {
	if e == nil {
		return
	}
	if inv, ok := e.pool.(dialects.StatementInvalidator); ok {
		inv.InvalidateStatements()
	}
}

// isDDL reports whether sql starts with a schema-changing keyword
// (comments and space before it skipped).
func isDDL(sql string) bool {
	for {
		sql = strings.TrimLeft(sql, " \t\r\n(")
		switch {
		case strings.HasPrefix(sql, "--"):
			_, sql, _ = strings.Cut(sql, "\n")
			continue
		case strings.HasPrefix(sql, "/*"):
			_, sql, _ = strings.Cut(sql, "*/")
			continue
		}
		break
	}
	end := 0
	for end < len(sql) && end < 9 && (sql[end]|0x20 >= 'a' && sql[end]|0x20 <= 'z') {
		end++
	}
	switch strings.ToUpper(sql[:end]) {
	case "CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE":
		return true
	}
	return false
}
