package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	_ "github.com/dlayer/dlayer/dialects/mysql"    // mysql:// and mariadb:// URLs
	_ "github.com/dlayer/dlayer/dialects/postgres" // postgres:// URLs
	_ "github.com/dlayer/dlayer/dialects/sqlite"   // sqlite: URLs
	"github.com/dlayer/dlayer/migrate"
	"github.com/dlayer/dlayer/migrate/cli"
)

func init() {
	register(&command{
		name:    "migrate",
		args:    "diff|new|up|down|status|history|check|lint|rehash|rebase|resolve [ARGS]",
		summary: "generate, apply and inspect schema migrations",
		help: `migrate manages versioned SQL migrations generated from the YAML models.

  diff [-m MSG]      write a migration for the changes between the YAML and the
                     state the migration directory produces (--from-db: the
                     live database); --allow-destructive permits drops and
                     narrowing type changes; --dry-run prints it instead
  new NAME           write an empty migration for hand-written SQL
  up [N|head]        apply pending migrations (all by default; --to VERSION:
                     up to and including VERSION)
  down [N]           revert the last N applied migrations (default 1; --to
                     VERSION: those newer than VERSION, --to 0: all)
  status             list every migration and its state (--exit-code: exit 1
                     when one is pending or the database has drifted)
  history            list the history table
  check              exit 1 when the YAML and the migrations disagree (for CI)
  lint [FILE...]     report risky statements in pending migrations (rule
                     codes; --format text, json or github; --strict)
  rehash             rewrite dlayer.sum after a deliberate edit
  rebase VERSION     move a migration after the newest (after a merge)
  resolve VERSION --applied|--rolled-back
                     settle a migration left dirty by an interrupted run on
                     MySQL/MariaDB, after repairing the database by hand
  resolve --unlock   remove the lock a crashed migrator left (SQLite)

The directory's dlayer.sum records every file's checksum: an edited, removed or
added file, or two migrations created on two branches, stops up, check,
status and lint with the fix to run. "dlayer migrate SUB --help" details one
subcommand. The database URL comes from --url or DLAYER_DATABASE_URL. See
docs/migrations.md.

Exit status: 0 ok, 1 a migration failed or the schema and migrations disagree,
2 bad usage or a connection error.`,
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			var o cli.Options
			// The default is read at run time, not given to the flag: flag
			// prints a default in --help, and the URL holds a password.
			fs.StringVar(&o.URL, "url", "", "database `URL` (default $DLAYER_DATABASE_URL)")
			fs.StringVar(&o.Dialect, "dialect", "", "`dialect` for diff and check without a database: postgres, mysql or sqlite")
			fs.StringVar(&o.Models, "models", "models", "YAML schema `directory`")
			fs.StringVar(&o.Dir, "dir", "migrations", "migration `directory`")
			fs.StringVar(&o.Table, "table", migrate.DefaultTable, "history `table`")
			fs.StringVar(&o.Message, "m", "", "`message` naming the new migration (diff)")
			fs.StringVar(&o.Format, "format", "text", "output `format`: text or json (lint: also github)")
			fs.BoolVar(&o.DryRun, "dry-run", false, "print the SQL instead of running (up, down) or writing (diff) it")
			fs.BoolVar(&o.AllowDestructive, "allow-destructive", false, "let diff drop tables and columns and narrow types")
			fs.BoolVar(&o.FromDB, "from-db", false, "diff and check against the live database instead of the migration directory")
			fs.DurationVar(&o.LockTimeout, "lock-timeout", time.Minute, "how long to wait for another migrator")
			fs.StringVar(&o.Lock, "lock", "", "migration `lock`: advisory or table (default: the URL's migrate_lock, table with pooler=transaction, else advisory where the database has it)")
			fs.BoolVar(&o.Applied, "applied", false, "resolve: mark the migration applied")
			fs.BoolVar(&o.RolledBack, "rolled-back", false, "resolve: remove the migration from the history")
			fs.BoolVar(&o.Unlock, "unlock", false, "resolve: remove the lock row a crashed migrator left (the table lock)")
			fs.StringVar(&o.To, "to", "", "up, down: the target `VERSION` (down --to 0 reverts all)")
			fs.BoolVar(&o.ExitCode, "exit-code", false, "status: exit 1 when a migration is pending or the database has drifted")
			fs.BoolVar(&o.Strict, "strict", false, "lint: exit 1 on warnings too")
			help := fs.Bool("help", false, "show help (after a subcommand: the subcommand's)")
			return func(ctx context.Context, e *env, args []string) int {
				if *help {
					if len(args) > 0 {
						if h := cli.SubcommandHelp(args[0]); h != "" {
							fmt.Fprintln(e.stdout, h)
							return exitOK
						}
					}
					fs2, _ := newFlagSet(commands["migrate"], e.stdout)
					fs2.Usage()
					return exitOK
				}
				if o.URL == "" {
					o.URL = os.Getenv("DLAYER_DATABASE_URL")
				}
				o.Stdout, o.Stderr = e.stdout, e.stderr
				sub := ""
				if len(args) > 0 {
					sub, args = args[0], args[1:]
				}
				return cli.Migrate(ctx, o, sub, args)
			}
		},
	})
}
