// Package orm is dlayer's object-relational layer: Sessions with an
// identity map and a unit of work over the application's own Go structs (or
// dynamic Objects), bound at run time to the models of a loaded YAML schema.
// No code is generated.
//
// A DB binds struct types to models once (checked at bind time) and hands
// out Sessions. A Session is not safe for concurrent use: open one per
// request or goroutine. The DB is safe for concurrent use. A Session used
// by two goroutines at once notices (one atomic compare-and-swap per call):
// the second call fails with ErrConcurrentUse and the session refuses to
// commit until Rollback or Close.
//
// No function or method panics on a nil, zero, closed or cancelled
// argument: each returns an error, or does the no-op its comment states.
//
//	db, err := orm.New(eng, orm.Bind[User]("User"), orm.Bind[Post]("Post"))
//	s := db.Session()
//	defer s.Close(ctx)
//	u := &User{Name: "ada"}
//	s.Add(u)
//	err = s.Commit(ctx) // flushes: INSERT … RETURNING id; u.ID is set
//
// The ORM never writes SQL text: it builds stmt statements and runs
// them through package engine, as SQLAlchemy's ORM builds on its Core.
package orm
