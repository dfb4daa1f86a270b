package engine

import (
	"context"
	"errors"
	"fmt"

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
