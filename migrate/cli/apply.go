package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/migrate"
)

// Apply runs `dlayer apply`: it makes a development database match the
// YAML models directly, without migration files. It reads the database's
// schema, diffs the YAML against it with the same planner as `migrate
// diff --from-db`, refuses destructive changes unless o.AllowDestructive,
// and runs the statements (in one transaction where the database has
// transactional DDL), or prints them with o.DryRun. The history table is
// neither read nor written. It returns ExitOK when the database matches
// (or would, in a dry run), ExitFail when a destructive change was refused
// or a statement failed, ExitUsage on bad usage or a connection error.
func Apply(ctx context.Context, o Options, args []string) int {
	o.defaults()
	if o.Format != "text" && o.Format != "json" {
		fmt.Fprintf(o.Stderr, "dlayer apply: unknown --format %q (want text or json)\n", o.Format)
		return ExitUsage
	}
	code, err := apply(ctx, o, args)
	if err == nil {
		return code
	}
	var ue usageError
	usage := errors.As(err, &ue)
	h := hint(err)
	err = hideSecrets(err, append([]string{o.URL}, args...)...)
	if h != "" {
		err = fmt.Errorf("%w; %s", err, h)
	}
	fmt.Fprintf(o.Stderr, "dlayer apply: %v\n", err)
	if o.Format == "json" {
		writeJSON(o.Stdout, map[string]any{"error": err.Error()})
	}
	if usage {
		return ExitUsage
	}
	return ExitFail
}

func apply(ctx context.Context, o Options, args []string) (int, error) {
	if len(args) > 0 {
		return 0, usagef("apply takes no arguments")
	}
	if o.URL == "" {
		return 0, usagef("apply needs a database: pass --url, set DLAYER_DATABASE_URL, or choose an environment of dlayer.yaml with --env")
	}
	d, p, err := dialects.Open(ctx, o.URL, dialects.PoolOptions{MaxOpenConns: 2})
	if err != nil {
		return 0, usageError{err}
	}
	defer p.Close()
	if err := p.Ping(ctx); err != nil {
		return 0, usageError{fmt.Errorf("connect to %s: %w", dialects.Redact(o.URL), err)}
	}
	r, err := migrate.New(migrate.Config{Dialect: d, Pool: p, Table: o.Table})
	if err != nil {
		return 0, usageError{err}
	}
	want, err := loadModels(o)
	if err != nil {
		return ExitFail, err
	}
	if n := recordedMigrations(ctx, d, p, o.Table); n > 0 {
		fmt.Fprintf(o.Stderr, "dlayer apply: warning: %s recorded in %s: this database is managed by migrations, "+
			"and apply changes it outside them (migrate check --from-db and migrate diff --from-db will see the difference); "+
			"use migrate diff and migrate up for it\n", nWords(n, "migration is"), o.Table)
	}
	have, err := r.Inspect(ctx)
	if err != nil {
		return 0, usageError{err}
	}
	g, err := r.Generate(have, want, migrate.GenerateOptions{Message: "apply", AllowDestructive: o.AllowDestructive})
	if errors.Is(err, migrate.ErrNoChanges) {
		if o.Format == "json" {
			writeJSON(o.Stdout, map[string]any{"changes": []changeJSON{}, "statements": []string{}, "dry_run": o.DryRun})
		} else {
			fmt.Fprintf(o.Stdout, "no changes: the database matches the YAML in %s\n", o.Models)
		}
		return ExitOK, nil
	}
	if errors.Is(err, migrate.ErrDestructive) {
		var steps []string
		if plan, perr := r.Diff(have, want); perr == nil {
			for _, c := range plan.Destructive() {
				steps = append(steps, migrate.Describe(c))
			}
		}
		return ExitFail, fmt.Errorf("refused: applying the YAML would drop data (%s); nothing was changed; pass --allow-destructive to apply it anyway",
			strings.Join(steps, "; "))
	}
	if err != nil {
		return ExitFail, err
	}
	if !o.DryRun {
		if err := runStatements(ctx, d, p, g.Up); err != nil {
			return ExitFail, err
		}
	}
	if o.Format == "json" {
		writeJSON(o.Stdout, map[string]any{"changes": changesJSON(g.Plan), "statements": g.Up, "dry_run": o.DryRun})
		return ExitOK, nil
	}
	if o.DryRun {
		fmt.Fprintf(o.Stdout, "-- dry run: apply would run %s (%s, %d destructive)\n",
			nWords(len(g.Up), "statement"), nWords(len(g.Plan.Up), "change"), len(g.Plan.Destructive()))
		for _, s := range g.Up {
			fmt.Fprintf(o.Stdout, "%s;\n", strings.TrimRight(s, "; \n"))
		}
		return ExitOK, nil
	}
	fmt.Fprintf(o.Stdout, "applied %s (%s, %d destructive):\n", nWords(len(g.Plan.Up), "change"), nWords(len(g.Up), "statement"), len(g.Plan.Destructive()))
	for _, c := range changesJSON(g.Plan) {
		mark := ""
		if c.Destructive {
			mark = " [destructive]"
		}
		fmt.Fprintf(o.Stdout, "  %s%s\n", c.Summary, mark)
	}
	return ExitOK, nil
}

// runStatements runs stmts the way the migration runner runs a migration:
// in one transaction where DDL is transactional (through the dialect's own
// migration transaction when it has one: SQLite rebuilds tables with
// foreign keys off), else one by one.
func runStatements(ctx context.Context, d dialects.Dialect, p dialects.Pool, stmts []string) error {
	body := func(q dialects.Queryer) error {
		for i, s := range stmts {
			if _, err := q.Exec(ctx, s); err != nil {
				return fmt.Errorf("statement %d of %d: %w\n  SQL: %s", i+1, len(stmts), err, s)
			}
		}
		return nil
	}
	if !d.Features().Has(dialects.TransactionalDDL) {
		if err := body(p); err != nil {
			return fmt.Errorf("%w (the statements before it were applied: this database commits DDL as it goes)", err)
		}
		return nil
	}
	if mr, ok := d.(dialects.MigrationRunner); ok {
		return mr.RunMigration(ctx, p, body)
	}
	tx, err := p.Begin(ctx, dialects.TxOptions{})
	if err != nil {
		return err
	}
	if err := body(tx); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	return tx.Commit(ctx)
}

// nWords writes "1 change", "2 changes" ("1 migration is", "2 migrations are").
func nWords(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if w, ok := strings.CutSuffix(word, " is"); ok {
		return fmt.Sprintf("%d %ss are", n, w)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// recordedMigrations counts the rows of the history table, without
// creating it: 0 when it does not exist.
func recordedMigrations(ctx context.Context, d dialects.Dialect, p dialects.Pool, table string) int {
	if table == "" {
		table = migrate.DefaultTable
	}
	rows, err := p.Query(ctx, "SELECT COUNT(*) FROM "+d.QuoteIdent(table))
	if err != nil {
		return 0
	}
	defer rows.Close()
	var n int
	if !rows.Next() || rows.Scan(&n) != nil {
		return 0
	}
	return n
}
