package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/dlayer/dlayer/migrate"
	"github.com/dlayer/dlayer/migrate/cli"
)

func init() {
	register(&command{
		name:    "inspect",
		args:    "URL",
		summary: "write YAML models for an existing database",
		help: `inspect reads a live database's tables, columns, keys, indexes and checks and
writes them as dlayer YAML models: one model per table with a primary key,
relationships inferred from foreign keys, association tables as plain tables
with many-to-many relationships. Without -o the YAML goes to standard output.

Exit status: 0 ok, 2 bad usage or a connection error.`,
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			var o cli.InspectOptions
			fs.StringVar(&o.Out, "o", "", "write `DIR`/models.yaml instead of printing")
			fs.StringVar(&o.Table, "table", migrate.DefaultTable, "history `table` to leave out")
			return func(ctx context.Context, e *env, args []string) int {
				if len(args) != 1 {
					fmt.Fprintf(e.stderr, "usage: dlayer inspect URL [-o DIR]\n")
					return exitUsage
				}
				o.URL, o.Stdout, o.Stderr = args[0], e.stdout, e.stderr
				return cli.Inspect(ctx, o)
			}
		},
	})
}
