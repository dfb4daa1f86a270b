package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/dlayer/dlayer/dialects"
)

func init() {
	register(&command{
		name:    "ddl",
		args:    "[DIR|FILE...]",
		summary: "print the CREATE (or DROP) statements for a schema",
		help: `ddl loads and validates a schema and prints the statements that create every
table — columns, keys, unique and check constraints, defaults, indexes and
dialect-side types such as PostgreSQL enums — in foreign-key dependency order,
one statement per line group, each ending with a semicolon. With --drop it
prints the statements that drop them, dependents first.

Exit status: 0 ok, 1 invalid schema, 2 bad usage or an I/O error.`,
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			dialect := fs.String("dialect", "sqlite", "target `dialect`: sqlite, postgres or mysql")
			drop := fs.Bool("drop", false, "print DROP statements instead")
			return func(ctx context.Context, e *env, args []string) int {
				drv, err := dialects.Lookup(*dialect + ":")
				if err != nil {
					fmt.Fprintf(e.stderr, "dlayer ddl: unknown dialect %q (want sqlite, postgres or mysql)\n", *dialect)
					return exitUsage
				}
				sch, code := loadSchema(e, args)
				if sch == nil {
					return code
				}
				gen := dialects.CreateAllSQL
				if *drop {
					gen = dialects.DropAllSQL
				}
				stmts, err := gen(drv.Dialect(), sch)
				if err != nil {
					fmt.Fprintf(e.stderr, "dlayer ddl: %v\n", err)
					return exitFail
				}
				for _, s := range stmts {
					fmt.Fprintf(e.stdout, "%s;\n", strings.TrimRight(s, "; \n"))
				}
				return exitOK
			}
		},
	})
}
