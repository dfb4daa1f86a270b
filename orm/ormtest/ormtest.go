// Package ormtest holds test helpers for code built on package orm: query
// budgets that fail a test on too many statements or on an N+1 loop.
package ormtest

import (
	"context"
	"testing"

	"github.com/dlayer/dlayer/orm"
)

// AssertMaxQueries runs fn with a fresh session of db whose query budget
// is max statements (orm.Budget{MaxStatements: max}), and fails t when fn
// runs more, or runs one query shape more than orm.DefaultMaxRepeats
// times (an N+1 loop: the failure names the relationship to eager-load),
// or returns an error. The session is closed afterwards, rolling back what
// fn did not commit. It returns the number of statements fn ran.
func AssertMaxQueries(t testing.TB, db *orm.DB, max int, fn func(ctx context.Context, s *orm.Session) error) int {
	t.Helper()
	return AssertBudget(t, db, orm.Budget{MaxStatements: max}, fn)
}

// AssertBudget is AssertMaxQueries with a whole orm.Budget (its Log is
// ignored: a test fails on a violation).
func AssertBudget(t testing.TB, db *orm.DB, b orm.Budget, fn func(ctx context.Context, s *orm.Session) error) int {
	t.Helper()
	if db == nil || fn == nil {
		t.Errorf("ormtest: nil *orm.DB or nil function")
		return 0
	}
	b.Log = nil
	ctx := context.Background()
	s := db.Session(orm.WithQueryBudget(b))
	defer s.Close(ctx)
	err := fn(ctx, s)
	n := s.Statements()
	if berr := s.BudgetErr(); berr != nil {
		t.Errorf("query budget: %v (%d statements ran)", berr, n)
		return n
	}
	if err != nil {
		t.Errorf("ormtest: the function failed: %v", err)
	}
	return n
}
