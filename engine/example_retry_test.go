package engine_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

func ExampleEngine_Transaction() {
	ctx := context.Background()
	e, _ := engine.Open(ctx, "sqlite::memory:", engine.WithSchema(exampleSchema()))
	defer e.Close()
	_ = e.CreateAll(ctx)
	users := stmt.TableOf(e.Schema(), "users")

	// A serializable transaction, run again (whole) after a serialization
	// failure, deadlock or other transient error, at most 5 times.
	err := e.Transaction(ctx, func(tx *engine.Tx) error {
		_, err := tx.Exec(ctx, stmt.Insert(users).Columns("email").Values("ann@example.com"))
		return err
	}, engine.WithIsolation(engine.Serializable), engine.WithRetry(engine.RetryPolicy{MaxAttempts: 5}))
	n, _ := engine.Scalar[int64](ctx, e, stmt.Select(stmt.CountAll()).From(users))
	fmt.Println(err, n)
	// Output: <nil> 1
}

func ExampleWithRetry() {
	ctx := context.Background()
	e, _ := engine.Open(ctx, "sqlite::memory:", engine.WithSchema(exampleSchema()))
	defer e.Close()
	_ = e.CreateAll(ctx)
	users := stmt.TableOf(e.Schema(), "users")

	policy := engine.RetryPolicy{
		MaxAttempts: 3,
		BaseDelay:   5 * time.Millisecond, // then 10ms, 20ms… (with jitter), at most MaxDelay
		MaxDelay:    100 * time.Millisecond,
		OnRetry: func(attempt int, err error, delay time.Duration) {
			fmt.Printf("attempt %d failed (%v); retrying\n", attempt, err)
		},
	}
	attempts := 0
	err := e.Transaction(ctx, func(tx *engine.Tx) error {
		attempts++
		// The function does all its work again on each attempt.
		if _, err := tx.Exec(ctx, stmt.Insert(users).Columns("email").Values("ann@example.com")); err != nil {
			return err
		}
		if attempts == 1 {
			// Stands for a serialization failure from the database.
			return dialects.Retryable(engine.ErrSerialization, errors.New("could not serialize access"))
		}
		return nil
	}, engine.WithRetry(policy))
	n, _ := engine.Scalar[int64](ctx, e, stmt.Select(stmt.CountAll()).From(users))
	fmt.Println(err, attempts, n)

	// Errors that are not transient are returned at once.
	attempts = 0
	err = e.Transaction(ctx, func(tx *engine.Tx) error {
		attempts++
		_, err := tx.Exec(ctx, stmt.Insert(users).Columns("email").Values("ann@example.com"))
		return err
	}, engine.WithRetry(policy))
	fmt.Println(engine.IsUnique(err), attempts)
	// Output:
	// attempt 1 failed (dlayer: serialization failure: could not serialize access); retrying
	// <nil> 2 1
	// true 1
}

func ExampleWithReadOnly() {
	ctx := context.Background()
	e, _ := engine.Open(ctx, "sqlite::memory:", engine.WithSchema(exampleSchema()))
	defer e.Close()
	_ = e.CreateAll(ctx)
	users := stmt.TableOf(e.Schema(), "users")

	err := e.Transaction(ctx, func(tx *engine.Tx) error {
		_, err := tx.Exec(ctx, stmt.Insert(users).Columns("email").Values("ann@example.com"))
		return err
	}, engine.WithReadOnly())
	fmt.Println(err != nil)
	// Output: true
}

func ExampleWithIsolation() {
	ctx := context.Background()
	e, _ := engine.Open(ctx, "sqlite::memory:", engine.WithSchema(exampleSchema()))
	defer e.Close()
	_ = e.CreateAll(ctx)
	users := stmt.TableOf(e.Schema(), "users")

	// PostgreSQL: BEGIN ISOLATION LEVEL REPEATABLE READ; MySQL/MariaDB:
	// SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, START TRANSACTION;
	// SQLite: always serializable.
	err := e.Transaction(ctx, func(tx *engine.Tx) error {
		_, err := engine.Scalar[int64](ctx, tx, stmt.Select(stmt.CountAll()).From(users))
		return err
	}, engine.WithIsolation(engine.RepeatableRead))
	fmt.Println(err)
	// An unknown level is an error.
	err = e.Transaction(ctx, func(tx *engine.Tx) error { return nil }, engine.WithIsolation("snapshot"))
	fmt.Println(err != nil)
	// Output:
	// <nil>
	// true
}

func ExampleWithTxOptions() {
	ctx := context.Background()
	e, _ := engine.Open(ctx, "sqlite::memory:", engine.WithSchema(exampleSchema()))
	defer e.Close()
	_ = e.CreateAll(ctx)
	users := stmt.TableOf(e.Schema(), "users")

	opts := engine.TxOptions{Isolation: engine.Serializable, ReadOnly: true}
	err := e.Transaction(ctx, func(tx *engine.Tx) error {
		n, err := engine.Scalar[int64](ctx, tx, stmt.Select(stmt.CountAll()).From(users))
		fmt.Println("users:", n)
		return err
	}, engine.WithTxOptions(opts))
	fmt.Println(err)
	// Output:
	// users: 0
	// <nil>
}

func ExampleNewTxConfig() {
	cfg := engine.NewTxConfig(engine.WithIsolation(engine.Serializable), engine.WithRetry(engine.RetryPolicy{}))
	fmt.Println(cfg.Isolation, cfg.ReadOnly, cfg.Retry.MaxAttempts, cfg.Retry.BaseDelay, cfg.Retry.MaxDelay)
	// Output: serializable false 10 10ms 1s
}

func ExampleRetry() {
	ctx := context.Background()
	e, _ := engine.Open(ctx, "sqlite::memory:", engine.WithSchema(exampleSchema()))
	defer e.Close()
	_ = e.CreateAll(ctx)

	// Retry runs a whole transaction that the caller manages itself.
	attempts := 0
	err := engine.Retry(ctx, &engine.RetryPolicy{MaxAttempts: 3, BaseDelay: -1}, func(ctx context.Context) error {
		attempts++
		tx, err := e.Begin(ctx, engine.TxOptions{})
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if attempts < 3 {
			return dialects.Retryable(engine.ErrDeadlock, errors.New("deadlock"))
		}
		return tx.Commit(ctx)
	})
	fmt.Println(err, attempts)
	// Output: <nil> 3
}

func ExampleErrCommitOutcomeUnknown() {
	ctx := context.Background()
	e, _ := engine.Open(ctx, "sqlite::memory:", engine.WithSchema(exampleSchema()))
	defer e.Close()

	tx, _ := e.Begin(ctx, engine.TxOptions{})
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	// A context that ended before COMMIT: the transaction is rolled back
	// (ErrRolledBack), not left in doubt.
	err := tx.Commit(cancelled)
	fmt.Println(errors.Is(err, engine.ErrRolledBack), errors.Is(err, engine.ErrCommitOutcomeUnknown))
	// Output: true false
}
