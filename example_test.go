package dlayer_test

import (
	"context"
	"fmt"
	"log"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

func ExampleOpen() {
	ctx := context.Background()
	// A directory of YAML models (or an fs.FS such as an embed.FS) and a URL.
	e, err := dlayer.Open(ctx, "examples/blog/models", "sqlite::memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	if err := e.CreateAll(ctx); err != nil {
		log.Fatal(err)
	}
	users := stmt.TableOf(e.Schema(), "User")
	_, err = e.Exec(ctx, stmt.Insert(users).Columns("name", "email").Values("Ann", "ann@example.com"))
	if err != nil {
		log.Fatal(err)
	}
	type User struct {
		ID    int64
		Name  string
		Email string
	}
	u, err := engine.One[User](ctx, e, stmt.Select(users).Where(users.C("email").Eq("ann@example.com")))
	fmt.Println(u, err)
	// Output: {1 Ann ann@example.com} <nil>
}
