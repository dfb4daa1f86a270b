package orm_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/orm"
	"github.com/dlayer/dlayer/stmt"
)

func ExampleSession_Transaction_retry() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	s := db.Session()
	defer s.Close(ctx)

	attempts := 0
	err = s.Transaction(ctx, func(s *orm.Session) error {
		attempts++
		// Do everything on each attempt: a failed one was rolled back and
		// its objects left the session.
		u := &User{Name: "Ann", Email: "ann@example.com"}
		if err := s.Add(u); err != nil {
			return err
		}
		if err := s.Flush(ctx); err != nil {
			return err
		}
		if attempts == 1 {
			// Stands for a serialization failure or deadlock.
			return dialects.Retryable(engine.ErrSerialization, errors.New("could not serialize access"))
		}
		return nil
	}, engine.WithIsolation(engine.Serializable), engine.WithRetry(engine.RetryPolicy{MaxAttempts: 5}))
	n, _ := engine.Scalar[int64](ctx, db.Engine(), stmt.Select(stmt.CountAll()).From(db.Table("users")))
	fmt.Println(err, attempts, n)
	// Output: <nil> 2 1
}

func ExampleSession_Begin() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	s := db.Session()
	defer s.Close(ctx)

	// A read-only transaction: the session's writes in it fail.
	if err := s.Begin(ctx, engine.WithReadOnly()); err != nil {
		fmt.Println(err)
		return
	}
	_ = s.Add(&User{Name: "Ann", Email: "ann@example.com"})
	fmt.Println("commit failed:", s.Commit(ctx) != nil)
	_ = s.Rollback(ctx)

	// The options last until the transaction ends; the next one is
	// read-write.
	if err := s.Begin(ctx, engine.WithIsolation(engine.Serializable)); err != nil {
		fmt.Println(err)
		return
	}
	_ = s.Add(&User{Name: "Ann", Email: "ann@example.com"})
	fmt.Println("commit:", s.Commit(ctx))
	// Output:
	// commit failed: true
	// commit: <nil>
}

func ExampleDB_SessionIn() {
	db, done, err := exampleDB()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	count := func(q engine.Querier) int64 {
		n, _ := engine.Scalar[int64](ctx, q, stmt.Select(stmt.CountAll()).From(db.Table("users")))
		return n
	}

	// A test fixture: begin, run the code under test, roll everything back.
	tx, err := db.Engine().Begin(ctx, engine.TxOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tx.Rollback(ctx)
	s, err := db.SessionIn(tx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close(ctx)

	// The code under test commits: the session releases its savepoint,
	// leaving the work in tx.
	_ = s.Add(&User{Name: "Ann", Email: "ann@example.com"})
	fmt.Println("commit:", s.Commit(ctx), "- users in tx:", count(tx))
	// Rollback undoes the session's later work only.
	_ = s.Add(&User{Name: "Bob", Email: "bob@example.com"})
	_ = s.Flush(ctx)
	_ = s.Rollback(ctx)
	fmt.Println("after rollback, users in tx:", count(tx))

	_ = s.Close(ctx)
	_ = tx.Rollback(ctx)
	fmt.Println("after the fixture, users:", count(db.Engine()))
	// Output:
	// commit: <nil> - users in tx: 1
	// after rollback, users in tx: 1
	// after the fixture, users: 0
}
