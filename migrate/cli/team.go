package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/migrate"
	"github.com/dlayer/dlayer/migrate/lint"
)

// SubcommandHelp returns the help of one migrate subcommand ("" for an
// unknown one).
func SubcommandHelp(sub string) string {
	return subHelp[sub]
}

var subHelp = map[string]string{
	"diff": `Usage: dlayer migrate diff [-m MESSAGE] [--dry-run] [--allow-destructive] [--from-db]

diff writes a migration for the changes between the YAML models and the state
the migration directory produces (--from-db: the live database), and updates
the directory's dlayer.sum. It refuses destructive changes without
--allow-destructive and refuses to write while the directory fails its
integrity check (see "dlayer migrate status").`,
	"new": `Usage: dlayer migrate new NAME [--dialect D]

new writes an empty migration VERSION_NAME.sql (a header with the dialect and
the parent migration, and empty Up and Down sections) for SQL written by hand:
data migrations, or changes diff cannot express. The version is the UTC time,
later than every existing file's, as for diff; dlayer.sum is updated. Fill in
the file, then run "dlayer migrate rehash" (the sum records the empty file).`,
	"up": `Usage: dlayer migrate up [N|head] [--to VERSION] [--dry-run]

up applies the pending migrations in version order: all of them, the first N,
or (--to VERSION) those up to and including VERSION. It refuses while the
directory fails its integrity check (dlayer.sum). On a terminal, a migration
running longer than a second prints a progress line per statement to stderr
(never with --format json).`,
	"down": `Usage: dlayer migrate down [N] [--to VERSION] [--dry-run]

down reverts the newest applied migration, the newest N, or (--to VERSION)
every applied migration newer than VERSION, so that VERSION is the newest
applied one; --to 0 reverts them all.`,
	"status": `Usage: dlayer migrate status [--exit-code]

status lists every migration (applied, pending, dirty, modified, missing) and
the directory's integrity problems (dlayer.sum). It exits 1 when a migration
is dirty, modified or missing, or the directory fails its integrity check.
With --exit-code (for CI) it also exits 1 when a migration is pending, when
the database's schema differs from the migrations' (drift: a change made by
hand), or when the YAML models (--models) differ from the migrations.`,
	"history": `Usage: dlayer migrate history

history lists the rows of the history table.`,
	"check": `Usage: dlayer migrate check [--from-db]

check exits 1 when the YAML models and the migrations disagree (--from-db:
the YAML and the live database), or when the migration directory fails its
integrity check (dlayer.sum).`,
	"lint": `Usage: dlayer migrate lint [FILE...] [--dialect D] [--format text|json|github] [--strict]

lint analyses migrations before they run: the given files, else the pending
migrations of the database (--url), else every migration in --dir. It
reports destructive changes, changes that lock or rewrite big tables,
changes that break the release still running during a rolling deploy, and
changes that fail depending on the data, each with a rule code, the
file:line:col of the statement, why it is risky and a safer sequence. It
also checks the directory's integrity (dlayer.sum, rule DL001). The dialect
comes from --dialect, the URL or the file's header.

A statement preceded by a comment "-- dlayer-lint: ignore DL101" is not
reported for that rule. Exit status: 1 when an error is found (a warning
too with --strict), 0 otherwise. Rules: see docs/migrations.md.`,
	"rehash": `Usage: dlayer migrate rehash

rehash rewrites dlayer.sum from the files in the directory, after a
deliberate edit of a migration no shared database has applied yet (or after
filling in a file written by "migrate new"). It exits 1 if migrations created
on two branches remain (see rebase).`,
	"rebase": `Usage: dlayer migrate rebase VERSION

rebase moves the migration VERSION after the newest other migration: a new
version, its parent set to that migration and its schema snapshot merged
with the changes of the migrations it now follows; dlayer.sum is rewritten.
Use it after merging a branch whose migration has the same parent as one on
the main line ("dlayer migrate status" names both). Revert the migration
first on any development database that applied it.`,
	"resolve": `Usage: dlayer migrate resolve VERSION --applied|--rolled-back
       dlayer migrate resolve --unlock

resolve settles a migration left dirty by an interrupted run (MySQL/MariaDB)
after repairing the database by hand, or removes a crashed migrator's lock.`,
}

// writeMigration writes a new migration file and rewrites the sum file.
func writeMigration(dir, file string, text []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usageError{err}
	}
	if err := os.WriteFile(filepath.Join(dir, file), text, 0o644); err != nil {
		return usageError{err}
	}
	_, err := writeSum(dir)
	return err
}

// writeSum rewrites dir's sum file and returns the migrations.
func writeSum(dir string) ([]*migrate.Migration, error) {
	migs, err := migrate.ReadDir(os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, usageError{err}
	}
	if err := os.WriteFile(filepath.Join(dir, migrate.SumFile), migrate.SumText(migs), 0o644); err != nil {
		return nil, usageError{err}
	}
	return migs, nil
}

// dialectName returns the dialect named by --dialect or by the URL's
// scheme, or "".
func dialectName(o Options) (string, error) {
	name := o.Dialect
	if name == "" && o.URL == "" {
		return "", nil
	}
	u := o.URL
	if name != "" {
		u = name + ":"
	}
	drv, err := dialects.Lookup(u)
	if err != nil || drv.Dialect == nil {
		if name == "" {
			return "", usageError{err}
		}
		return "", usagef("unknown --dialect %q (registered: %s)", name, strings.Join(dialects.Schemes(), ", "))
	}
	return drv.Dialect().Name(), nil
}

func newMigration(_ context.Context, o Options, args []string) (int, error) {
	msg := o.Message
	switch {
	case len(args) == 1 && msg == "":
		msg = args[0]
	case len(args) > 1 || len(args) == 1 && msg != "":
		return 0, usagef("new takes one NAME (quote a name with spaces)")
	}
	if strings.TrimSpace(msg) == "" {
		return 0, usagef("new needs a NAME: dlayer migrate new backfill_user_names")
	}
	d, err := dialectName(o)
	if err != nil {
		return 0, err
	}
	fsys := os.DirFS(o.Dir)
	migs, err := migrate.ReadDir(fsys)
	if err != nil {
		return ExitFail, err
	}
	if err := migrate.CheckDir(fsys, migs); err != nil {
		return ExitFail, err
	}
	version, file, text := migrate.Blank(migs, msg, d, time.Now())
	if o.DryRun {
		o.Stdout.Write(text)
		return ExitOK, nil
	}
	if err := writeMigration(o.Dir, file, text); err != nil {
		return 0, err
	}
	path := filepath.Join(o.Dir, file)
	if o.Format == "json" {
		writeJSON(o.Stdout, map[string]any{"file": path, "version": version})
	} else {
		fmt.Fprintf(o.Stdout, "created %s: write its Up and Down SQL, then run `dlayer migrate rehash`\n", path)
	}
	return ExitOK, nil
}

func rehash(o Options, args []string) (int, error) {
	if len(args) > 0 {
		return 0, usagef("rehash takes no arguments")
	}
	if st, err := os.Stat(o.Dir); err != nil || !st.IsDir() {
		return 0, usagef("no migration directory %s", o.Dir)
	}
	migs, err := writeSum(o.Dir)
	if err != nil {
		return ExitFail, err
	}
	path := filepath.Join(o.Dir, migrate.SumFile)
	if o.Format == "json" {
		writeJSON(o.Stdout, map[string]any{"file": path, "migrations": len(migs)})
	} else {
		fmt.Fprintf(o.Stdout, "wrote %s (%d migrations)\n", path, len(migs))
	}
	if err := migrate.CheckDir(os.DirFS(o.Dir), migs); err != nil {
		return ExitFail, err
	}
	return ExitOK, nil
}

func rebase(o Options, args []string) (int, error) {
	if len(args) != 1 {
		return 0, usagef("rebase takes one VERSION")
	}
	rb, err := migrate.Rebase(os.DirFS(o.Dir), args[0], time.Now())
	if err != nil {
		return ExitFail, err
	}
	if o.DryRun {
		fmt.Fprintf(o.Stdout, "-- %s (dry run, not written; replaces %s)\n", filepath.Join(o.Dir, rb.File), rb.OldFile)
		o.Stdout.Write(rb.Text)
		return ExitOK, nil
	}
	if err := os.WriteFile(filepath.Join(o.Dir, rb.File), rb.Text, 0o644); err != nil {
		return 0, usageError{err}
	}
	if rb.File != rb.OldFile {
		if err := os.Remove(filepath.Join(o.Dir, rb.OldFile)); err != nil {
			return 0, usageError{err}
		}
	}
	migs, err := writeSum(o.Dir)
	if err != nil {
		return ExitFail, err
	}
	if o.Format == "json" {
		writeJSON(o.Stdout, map[string]any{"old_file": rb.OldFile, "file": rb.File, "version": rb.Version, "parent": rb.Parent})
	} else {
		fmt.Fprintf(o.Stdout, "moved %s to %s (after %s); dlayer.sum rewritten\n", rb.OldFile, rb.File, rb.Parent)
	}
	if err := migrate.CheckDir(os.DirFS(o.Dir), migs); err != nil {
		return ExitFail, err
	}
	return ExitOK, nil
}

// integrityFindings turns the directory's integrity problems into lint
// findings (rule DL001).
func integrityFindings(dir string, err error) []lint.Finding {
	var ie *migrate.IntegrityError
	if !errors.As(err, &ie) {
		return nil
	}
	var out []lint.Finding
	for _, p := range ie.Problems {
		file := migrate.SumFile
		if len(p.Files) > 0 {
			file = p.Files[len(p.Files)-1]
		}
		out = append(out, lint.Finding{Rule: "DL001", Name: "directory-integrity", Severity: lint.Error,
			File: filepath.Join(dir, file), Line: 1, Col: 1, Message: p.Kind + ": " + p.Detail, Fix: p.Fix})
	}
	return out
}

func lintCmd(ctx context.Context, o Options, args []string) (int, error) {
	d, err := dialectName(o)
	if err != nil {
		return 0, err
	}
	type target struct {
		path string
		text []byte
	}
	var targets []target
	var findings []lint.Finding
	if st, err := os.Stat(o.Dir); err == nil && st.IsDir() {
		fsys := os.DirFS(o.Dir)
		migs, err := migrate.ReadDir(fsys)
		if err != nil {
			return ExitFail, err
		}
		findings = append(findings, integrityFindings(o.Dir, migrate.CheckDir(fsys, migs))...)
		if len(args) == 0 {
			lintable := migs
			if o.URL != "" {
				r, closer, err := setup(ctx, o, true)
				if err != nil {
					return 0, err
				}
				st, err := r.Status(ctx)
				closer()
				if err != nil {
					return 0, usageError{err}
				}
				pending := map[string]bool{}
				for _, s := range st {
					if s.State == "pending" {
						pending[s.Version] = true
					}
				}
				lintable = nil
				for _, m := range migs {
					if pending[m.Version] {
						lintable = append(lintable, m)
					}
				}
			}
			for _, m := range lintable {
				args = append(args, filepath.Join(o.Dir, m.File))
			}
		}
	} else if len(args) == 0 {
		return 0, usagef("no migration directory %s and no FILE given", o.Dir)
	}
	for _, a := range args {
		text, err := os.ReadFile(a)
		if err != nil {
			return 0, usageError{err}
		}
		targets = append(targets, target{a, text})
	}
	for _, t := range targets {
		fs, err := lint.File(t.path, t.text, lint.Options{Dialect: d})
		if err != nil {
			return ExitFail, err
		}
		findings = append(findings, fs...)
	}
	if err := lint.Write(o.Stdout, o.Format, findings, len(targets)); err != nil {
		return 0, usageError{err}
	}
	for _, f := range findings {
		if f.Severity == lint.Error || o.Strict {
			return ExitFail, nil
		}
	}
	return ExitOK, nil
}
