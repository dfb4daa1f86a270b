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
		args:    "[URL]",
		summary: "write YAML models for an existing database",
		help: `inspect reads a live database's tables, columns, keys, indexes and checks and
writes them as dlayer YAML models: one model per table with a primary key,
relationships inferred from foreign keys, association tables as plain tables
with many-to-many relationships. Without -o the YAML goes to standard output.
The URL is the argument, else --url, else DLAYER_DATABASE_URL or the
environment of the project file (dlayer.yaml).

Inspect never stops at one object it cannot represent. It writes what it
can and reports every object it skipped (triggers, functions, materialized
views, expression indexes, …) or approximated (a type with no dlayer
equivalent kept as a native pass-through, …), located as table.column or
table.name: on standard output with -o, else on standard error; --format
json prints the report as JSON. See docs/inspect.md.

The YAML's first line is a yaml-language-server modeline for editors. It
names --schema by a path relative to the YAML (write the file with dlayer
schema --write PATH), or a dlayer.schema.json found in the -o directory or
a directory above it, or in .dlayer/schemas/ there (dlayer init writes it
there), up to the project root, so the editor needs no network; otherwise
the schema's published URL.

Exit status: 0 written, nothing skipped or approximated; 3 written, but the
report lists objects skipped or approximated; 1 the YAML could not be
written; 2 bad usage or a connection error.`,
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			var o cli.InspectOptions
			// Filled from --env, DLAYER_DATABASE_URL or dlayer.yaml when not given.
			fs.StringVar(&o.URL, "url", "", "database `URL`, instead of the argument (default: $DLAYER_DATABASE_URL or the project environment's)")
			fs.StringVar(&o.Out, "o", "", "write `DIR`/models.yaml instead of printing")
			fs.StringVar(&o.Table, "table", migrate.DefaultTable, "history `table` to leave out")
			fs.StringVar(&o.Format, "format", "text", "report `format`: text or json")
			fs.StringVar(&o.Schema, "schema", "", "name this JSON Schema `file` (dlayer schema --write) in the modeline, by a relative path; "+
				"default: a dlayer.schema.json in the -o directory or above it, else the published URL")
			return func(ctx context.Context, e *env, args []string) int {
				if len(args) > 1 || len(args) == 0 && o.URL == "" {
					fmt.Fprintf(e.stderr, "usage: dlayer inspect URL [-o DIR] (or --url, DLAYER_DATABASE_URL, an environment of dlayer.yaml)\n")
					return exitUsage
				}
				if len(args) == 1 {
					o.URL = args[0]
				}
				o.Stdout, o.Stderr = e.stdout, e.stderr
				return cli.Inspect(ctx, o)
			}
		},
	})
}
