package engine_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"

	"github.com/dlayer/dlayer/dialects"
	_ "github.com/dlayer/dlayer/dialects/postgres"
	_ "github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

// exampleSchema builds by hand what package loader would load from YAML.
func exampleSchema() *spec.Schema {
	users := &spec.Table{Name: "users", Columns: []*spec.Column{
		{Name: "id", Type: spec.Type{Kind: spec.TypeInteger}, PrimaryKey: true, Autoincrement: true},
		{Name: "email", Type: spec.Type{Kind: spec.TypeString, Length: 100}, Unique: true},
		{Name: "nickname", Type: spec.Type{Kind: spec.TypeString, Length: 50}, Nullable: true},
	}}
	users.PrimaryKey = users.Columns[:1]
	users.Uniques = []*spec.Unique{{Name: "uq_users_email", Columns: users.Columns[1:2]}}
	s := &spec.Schema{Tables: []*spec.Table{users}}
	s.Index()
	return s
}

// User is the application's own struct: columns bind by snake_case field
// name or a db tag; a nullable column needs a pointer.
type User struct {
	ID       int64
	Email    string
	Nickname *string `db:"nickname"`
}

func ExampleOpen() {
	ctx := context.Background()
	e, err := engine.Open(ctx, "sqlite::memory:", engine.WithSchema(exampleSchema()))
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	if err := e.CreateAll(ctx); err != nil {
		log.Fatal(err)
	}
	users := stmt.TableOf(e.Schema(), "users")
	_, err = e.Exec(ctx, stmt.Insert(users).Columns("email", "nickname").Rows(
		[]any{"ann@example.com", "annie"},
		[]any{"bob@example.com", nil},
	))
	if err != nil {
		log.Fatal(err)
	}
	all, err := engine.All[User](ctx, e, stmt.Select(users).OrderBy(users.C("email").Asc()))
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range all {
		fmt.Println(u.ID, u.Email, u.Nickname != nil)
	}
	// Output:
	// 1 ann@example.com true
	// 2 bob@example.com false
}

func ExampleOne() {
	ctx := context.Background()
	e, _ := engine.Open(ctx, "sqlite::memory:", engine.WithSchema(exampleSchema()))
	defer e.Close()
	_ = e.CreateAll(ctx)
	users := stmt.TableOf(e.Schema(), "users")

	_, err := engine.One[User](ctx, e, stmt.Select(users).Where(users.C("email").Eq("nobody@example.com")))
	fmt.Println(errors.Is(err, engine.ErrNotFound))

	_, _ = e.Exec(ctx, stmt.Insert(users).Columns("email").Values("ann@example.com"))
	_, err = e.Exec(ctx, stmt.Insert(users).Columns("email").Values("ann@example.com"))
	var ce *engine.ConstraintError
	if errors.As(err, &ce) {
		fmt.Println(ce.Kind, ce.Table, ce.Columns)
	}
	// Output:
	// true
	// unique users [email]
}

func ExampleEngine_Tx() {
	ctx := context.Background()
	e, _ := engine.Open(ctx, "sqlite::memory:", engine.WithSchema(exampleSchema()))
	defer e.Close()
	_ = e.CreateAll(ctx)
	users := stmt.TableOf(e.Schema(), "users")

	err := e.Tx(ctx, func(tx *engine.Tx) error {
		if _, err := tx.Exec(ctx, stmt.Insert(users).Columns("email").Values("ann@example.com")); err != nil {
			return err
		}
		// A failure inside Nested rolls back to a savepoint only.
		_ = tx.Nested(ctx, func(tx *engine.Tx) error {
			_, _ = tx.Exec(ctx, stmt.Insert(users).Columns("email").Values("bob@example.com"))
			return errors.New("changed my mind")
		})
		return nil
	})
	n, _ := engine.Scalar[int64](ctx, e, stmt.Select(stmt.CountAll()).From(users))
	fmt.Println(err, n)
	// Output: <nil> 1
}

func ExampleStream() {
	ctx := context.Background()
	e, _ := engine.Open(ctx, "sqlite::memory:", engine.WithSchema(exampleSchema()))
	defer e.Close()
	_ = e.CreateAll(ctx)
	users := stmt.TableOf(e.Schema(), "users")
	_, _ = e.Exec(ctx, stmt.Insert(users).Columns("email").Rows([]any{"a@x"}, []any{"b@x"}, []any{"c@x"}))

	for email, err := range engine.Stream[string](ctx, e, stmt.Select(users.C("email")).OrderBy(users.C("email").Asc())) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(email)
		if email == "b@x" {
			break // the rows are closed
		}
	}
	// Output:
	// a@x
	// b@x
}

func ExampleRecord() {
	ctx := context.Background()
	e, _ := engine.Open(ctx, "sqlite::memory:")
	defer e.Close()
	recs, err := engine.Records(ctx, e, stmt.Text("SELECT :n AS n, 'hello' AS greeting").Bind("n", 42))
	if err != nil {
		log.Fatal(err)
	}
	n, _ := recs[0].Int64("n")
	g, _ := recs[0].String("greeting")
	fmt.Println(recs[0].Columns(), n, g)
	// Output: [n greeting] 42 hello
}

// exampleLog is a logger writing to stdout without the time and duration
// attributes, so that the output is the same on every run.
func exampleLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		}}))
}

func ExampleWithName() {
	ctx := context.Background()
	e, err := engine.Open(ctx, "sqlite::memory:", engine.WithName("replica-1"), engine.WithLogger(exampleLog()))
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	if _, err := engine.Scalar[int64](ctx, e, stmt.Text("SELECT 1")); err != nil {
		log.Fatal(err)
	}
	// Output:
	// level=DEBUG msg="dlayer sql" op=query sql="SELECT 1" server=replica-1 rows=1
}

func ExampleWithRoute() {
	ctx := context.Background()
	e, err := engine.Open(ctx, "sqlite::memory:", engine.WithName("primary"),
		engine.WithTracer(engine.TracerFunc(func(ctx context.Context, q engine.QueryInfo) (context.Context, func(error)) {
			fmt.Printf("%s ran %q (route %q)\n", q.Server, q.SQL, q.Route)
			return ctx, func(error) {}
		})))
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	// A router (orm.Replicas does this) says why a statement went where
	// it did; the engine reports it.
	if _, err := engine.Scalar[int64](engine.WithRoute(ctx, "fallback"), e, stmt.Text("SELECT 1")); err != nil {
		log.Fatal(err)
	}
	// Output:
	// primary ran "SELECT 1" (route "fallback")
}

func ExampleWithLazyConnect() {
	ctx := context.Background()
	// Nothing listens on port 1: without WithLazyConnect, Open fails.
	const down = "postgres://app@127.0.0.1:1/app?connect_timeout=5"
	_, err := engine.Open(ctx, down)
	fmt.Println("open:", dialects.IsConnectionError(nil, err))
	e, err := engine.Open(ctx, down, engine.WithLazyConnect())
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	err = e.Ping(ctx)
	fmt.Println("lazy open: ok; first use:", dialects.IsConnectionError(e.Dialect(), err))
	// Output:
	// open: true
	// lazy open: ok; first use: true
}
