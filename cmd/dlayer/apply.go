package main

import (
	"context"
	"flag"

	"github.com/dlayer/dlayer/migrate"
	"github.com/dlayer/dlayer/migrate/cli"
)

func init() {
	register(&command{
		name:    "apply",
		summary: "make a development database match the YAML, without migration files",
		help: `apply reads the database's schema, compares the YAML models with it (the
planner of migrate diff --from-db) and runs the statements that make the
database match: Prisma's db push, Atlas's schema apply. It writes no
migration file and leaves the migration history alone, so it is for
development databases; production databases take versioned migrations
(dlayer migrate diff, then migrate up).

Changes that drop data (a dropped table or column, a narrowed type) are
refused unless --allow-destructive is given; --dry-run prints the
statements and changes nothing. Where the database has transactional DDL
(PostgreSQL, SQLite) the statements run in one transaction.

The URL comes from --url, else the environment chosen with --env or
DLAYER_ENV, else DLAYER_DATABASE_URL, else the project file's default
environment; the models directory from --models, else dlayer.yaml.

Exit status: 0 the database matches the YAML (or would, with --dry-run),
1 a destructive change was refused, the schema is invalid or a statement
failed, 2 bad usage or a connection error.`,
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			var o cli.Options
			fs.StringVar(&o.URL, "url", "", "database `URL` (default $DLAYER_DATABASE_URL or the project environment's)")
			fs.StringVar(&o.Models, "models", "models", "YAML schema `directory`")
			fs.StringVar(&o.Table, "table", migrate.DefaultTable, "history `table` to leave alone")
			fs.StringVar(&o.Format, "format", "text", "output `format`: text or json")
			fs.BoolVar(&o.DryRun, "dry-run", false, "print the statements instead of running them")
			fs.BoolVar(&o.AllowDestructive, "allow-destructive", false, "let apply drop tables and columns and narrow types")
			return func(ctx context.Context, e *env, args []string) int {
				o.Stdout, o.Stderr = e.stdout, e.stderr
				return cli.Apply(ctx, o, args)
			}
		},
	})
}
