package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/loader"
	"github.com/dlayer/dlayer/migrate"
	"github.com/dlayer/dlayer/spec"
)

// Exit codes.
const (
	ExitOK    = 0 // success
	ExitFail  = 1 // a migration failed, or the schema and migrations disagree
	ExitUsage = 2 // bad usage, or an I/O or connection error
	ExitLossy = 3 // inspect: the YAML was written, but objects were skipped or approximated
)

// Options are the flags of the migrate commands.
type Options struct {
	// URL of the database; empty for the commands that can work without
	// one (diff and check against the migration directory).
	URL string
	// Dialect names the dialect when there is no URL ("postgres", "mysql",
	// "sqlite").
	Dialect string
	// Models is the YAML schema directory (default "models").
	Models string
	// Dir is the migration directory (default "migrations").
	Dir string
	// Table is the history table (default migrate.DefaultTable).
	Table string
	// Message names a new migration (diff).
	Message string
	// Format is "text" (default) or "json".
	Format string
	// DryRun prints SQL instead of running or writing it.
	DryRun bool
	// AllowDestructive lets diff write drops and narrowing changes.
	AllowDestructive bool
	// FromDB makes diff and check compare the YAML with the live database
	// instead of the state the migration directory produces.
	FromDB bool
	// LockTimeout bounds the wait for another migrator (default 1 minute).
	LockTimeout time.Duration
	// Lock chooses the migration lock: "advisory", "table", or "" (the
	// URL's ?migrate_lock= or ?pooler=transaction, else the dialect's
	// default; see migrate.LockMode).
	Lock string
	// Applied and RolledBack choose how resolve settles a migration;
	// Unlock makes resolve remove a crashed migrator's lock instead.
	Applied, RolledBack, Unlock bool
	// To is the target version of up and down ("0": down reverts all).
	To string
	// ExitCode makes status exit 1 when a migration is pending or the
	// database has drifted from the migrations or the migrations from the
	// YAML.
	ExitCode bool
	// Strict makes lint exit 1 on warnings too.
	Strict bool
	// IsTerminal reports whether w is a terminal (default: a character
	// device); up and down print progress lines to Stderr only then.
	IsTerminal func(w io.Writer) bool
	// ProgressAfter is how long a migration runs before progress lines
	// appear (default 1 second).
	ProgressAfter time.Duration
	// progress receives the runner's progress (set by up and down).
	progress func(migrate.Progress)
	// Stdout and Stderr receive the output (default os.Stdout, os.Stderr).
	Stdout, Stderr io.Writer
}

func (o *Options) defaults() {
	if o.Models == "" {
		o.Models = "models"
	}
	if o.Dir == "" {
		o.Dir = "migrations"
	}
	if o.Format == "" {
		o.Format = "text"
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.IsTerminal == nil {
		o.IsTerminal = isTerminal
	}
	if o.ProgressAfter <= 0 {
		o.ProgressAfter = time.Second
	}
}

// usageError marks errors that exit with ExitUsage.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Subcommands lists the migrate subcommands.
var Subcommands = []string{"diff", "new", "up", "down", "status", "history", "check", "lint", "rehash", "rebase", "resolve"}

// Migrate runs `dlayer migrate SUB ARGS…` and returns the exit code.
//
//	diff [-m MSG]      write a migration from the YAML's changes
//	up [N|head]        apply pending migrations (all by default)
//	down [N]           revert the last N applied migrations (1 by default)
//	status             list migrations and their state
//	history            list the history table
//	check              exit 1 when the YAML and the migrations disagree
//	resolve VERSION    settle a dirty migration (--applied or --rolled-back)
//	resolve --unlock   remove a crashed migrator's lock row (the table lock: SQLite, migrate_lock=table, pooler=transaction)
func Migrate(ctx context.Context, o Options, sub string, args []string) int {
	o.defaults()
	if o.Format != "text" && o.Format != "json" && !(sub == "lint" && o.Format == "github") {
		fmt.Fprintf(o.Stderr, "dlayer migrate: unknown --format %q (want text or json; lint: also github)\n", o.Format)
		return ExitUsage
	}
	var err error
	code := ExitOK
	switch sub {
	case "diff":
		code, err = diff(ctx, o, args)
	case "up", "down":
		code, err = upDown(ctx, o, sub, args)
	case "status":
		code, err = status(ctx, o, args)
	case "history":
		code, err = history(ctx, o, args)
	case "check":
		code, err = check(ctx, o, args)
	case "resolve":
		code, err = resolve(ctx, o, args)
	case "new":
		code, err = newMigration(ctx, o, args)
	case "lint":
		code, err = lintCmd(ctx, o, args)
	case "rehash":
		code, err = rehash(o, args)
	case "rebase":
		code, err = rebase(o, args)
	case "":
		err = usagef("missing subcommand (one of %s)", strings.Join(Subcommands, ", "))
	default:
		err = usagef("unknown subcommand %q (one of %s)", sub, strings.Join(Subcommands, ", "))
	}
	if err != nil {
		var ue usageError
		usage := errors.As(err, &ue)
		h := hint(err)
		err = hideSecrets(err, append([]string{o.URL, sub}, args...)...)
		if h != "" {
			err = fmt.Errorf("%w; %s", err, h)
		}
		fmt.Fprintf(o.Stderr, "dlayer migrate %s: %v\n", dialects.Redact(sub), err)
		if o.Format == "json" {
			writeJSON(o.Stdout, map[string]any{"error": err.Error()})
		}
		if usage {
			return ExitUsage
		}
		if code == ExitOK {
			return ExitFail
		}
	}
	return code
}

// hideSecrets returns err without the passwords of the database URL and
// of any argument that holds one (a URL passed where a subcommand or a
// count was expected is echoed by the usage errors).
func hideSecrets(err error, texts ...string) error {
	for _, t := range texts {
		err = dialects.RedactError(err, t)
	}
	return err
}

// hint returns what to type next for the errors the migrate package
// reports in terms of its Go API (the library names no CLI flag).
func hint(err error) string {
	var dirty *migrate.DirtyError
	switch {
	case errors.Is(err, migrate.ErrDestructive):
		return "pass --allow-destructive to write it anyway"
	case errors.As(err, &dirty):
		v := dirty.Record.Version
		return fmt.Sprintf("after repairing by hand run `dlayer migrate resolve %s --applied` (the database matches the state after it) "+
			"or `dlayer migrate resolve %s --rolled-back` (it matches the state before)", v, v)
	case errors.Is(err, migrate.ErrLockTable):
		return "if no migrator is running, run `dlayer migrate resolve --unlock`"
	case errors.Is(err, migrate.ErrIrreversible):
		return "after reverting by hand run `dlayer migrate resolve VERSION --rolled-back`"
	}
	return ""
}

func writeJSON(w io.Writer, v any) {
	b, _ := json.MarshalIndent(v, "", "  ")
	w.Write(append(b, '\n'))
}

// setup opens the database (when a URL is given or needed) and the runner.
func setup(ctx context.Context, o Options, needDB bool) (*migrate.Runner, func(), error) {
	var d dialects.Dialect
	var p dialects.Pool
	closer := func() {}
	switch {
	case o.URL != "":
		var err error
		d, p, err = dialects.Open(ctx, o.URL, dialects.PoolOptions{MaxOpenConns: 4})
		if err != nil {
			return nil, nil, usageError{err}
		}
		if err := p.Ping(ctx); err != nil {
			p.Close()
			return nil, nil, usageError{fmt.Errorf("connect to %s: %w", dialects.Redact(o.URL), err)}
		}
		closer = func() { p.Close() }
	case needDB:
		return nil, nil, usagef("this command needs a database: pass --url (or set DLAYER_DATABASE_URL)")
	case o.Dialect != "":
		drv, err := dialects.Lookup(o.Dialect + ":")
		if err != nil || drv.Dialect == nil {
			return nil, nil, usagef("unknown --dialect %q (registered: %s)", o.Dialect, strings.Join(dialects.Schemes(), ", "))
		}
		d = drv.Dialect()
	default:
		return nil, nil, usagef("pass --url, or --dialect to work from the migration directory alone")
	}
	if st, err := os.Stat(o.Dir); err == nil && !st.IsDir() {
		closer()
		return nil, nil, usagef("%s is not a directory", o.Dir)
	}
	r, err := migrate.New(migrate.Config{Dialect: d, Pool: p, Dir: os.DirFS(o.Dir), Table: o.Table,
		LockTimeout: o.LockTimeout, Lock: migrate.LockMode(o.Lock), DryRun: o.DryRun, Log: logWriter(o),
		Progress: o.progress})
	if err != nil {
		closer()
		return nil, nil, usageError{err}
	}
	return r, closer, nil
}

func logWriter(o Options) io.Writer {
	if o.Format == "json" {
		return nil
	}
	return o.Stdout
}

// loadModels loads the YAML schema, printing its diagnostics on failure.
func loadModels(o Options) (*spec.Schema, error) {
	sources := loader.Sources{}
	limits, err := loader.LimitsFromEnv()
	if err != nil {
		return nil, err
	}
	s, ds := loader.LoadDir(o.Models, append(limits, loader.CollectSources(sources))...)
	if ds.HasErrors() {
		_ = loader.FormatText(o.Stderr, ds.Errors(), sources)
		return nil, fmt.Errorf("the schema in %s has errors", o.Models)
	}
	return s, nil
}

// source returns the schema to diff the YAML against.
func source(ctx context.Context, o Options, r *migrate.Runner) (*spec.Schema, string, error) {
	if o.FromDB {
		if o.URL == "" {
			return nil, "", usagef("--from-db needs --url")
		}
		s, err := r.Inspect(ctx)
		return s, "the database", err
	}
	s, err := r.State()
	return s, "the migrations in " + o.Dir, err
}

type changeJSON struct {
	Kind        string `json:"kind"`
	Table       string `json:"table"`
	Summary     string `json:"summary"`
	Detail      string `json:"detail,omitempty"`
	Destructive bool   `json:"destructive,omitempty"`
}

func changesJSON(p *migrate.Plan) []changeJSON {
	out := []changeJSON{}
	for _, c := range p.Up {
		out = append(out, changeJSON{Kind: c.Kind.String(), Table: c.TableName(), Summary: migrate.Describe(c),
			Detail: c.Detail, Destructive: c.Destructive})
	}
	return out
}

func diff(ctx context.Context, o Options, args []string) (int, error) {
	if len(args) > 0 {
		return 0, usagef("diff takes no arguments (the message goes in -m)")
	}
	r, closer, err := setup(ctx, o, false)
	if err != nil {
		return 0, err
	}
	defer closer()
	if err := r.Integrity(); err != nil {
		return ExitFail, err
	}
	want, err := loadModels(o)
	if err != nil {
		return ExitFail, err
	}
	from, what, err := source(ctx, o, r)
	if err != nil {
		return 0, err
	}
	g, err := r.Generate(from, want, migrate.GenerateOptions{Message: o.Message, AllowDestructive: o.AllowDestructive})
	if errors.Is(err, migrate.ErrNoChanges) {
		if o.Format == "json" {
			writeJSON(o.Stdout, map[string]any{"file": nil, "changes": []changeJSON{}})
		} else {
			fmt.Fprintf(o.Stdout, "no changes: the YAML matches %s\n", what)
		}
		return ExitOK, nil
	}
	if err != nil {
		return ExitFail, err
	}
	path := filepath.Join(o.Dir, g.File)
	if !o.DryRun {
		if err := writeMigration(o.Dir, g.File, g.Text); err != nil {
			return 0, err
		}
	}
	if o.Format == "json" {
		writeJSON(o.Stdout, map[string]any{"file": path, "version": g.Version, "dry_run": o.DryRun,
			"changes": changesJSON(g.Plan), "up": g.Up, "down": g.Down})
		return ExitOK, nil
	}
	if o.DryRun {
		fmt.Fprintf(o.Stdout, "-- %s (dry run, not written)\n", path)
		o.Stdout.Write(g.Text)
		return ExitOK, nil
	}
	fmt.Fprintf(o.Stdout, "created %s (%d changes, %d destructive)\n", path, len(g.Plan.Up), len(g.Plan.Destructive()))
	return ExitOK, nil
}

func upDown(ctx context.Context, o Options, dir string, args []string) (int, error) {
	n := 0
	switch {
	case o.To != "" && len(args) > 0:
		return 0, usagef("%s takes either --to VERSION or a count, not both", dir)
	case len(args) > 1:
		return 0, usagef("%s takes at most one argument", dir)
	case len(args) == 1 && args[0] == "head" && dir == "up":
	case len(args) == 1:
		v, err := strconv.Atoi(args[0])
		if err != nil || v < 1 {
			return 0, usagef("%q is not a positive count%s", args[0], map[bool]string{true: " or head"}[dir == "up"])
		}
		n = v
	}
	stop := startProgress(&o)
	defer stop()
	r, closer, err := setup(ctx, o, true)
	if err != nil {
		return 0, err
	}
	defer closer()
	var res *migrate.Result
	switch {
	case dir == "up" && o.To != "":
		res, err = r.UpTo(ctx, o.To)
	case dir == "up":
		res, err = r.Up(ctx, n)
	case o.To != "":
		res, err = r.DownTo(ctx, o.To)
	default:
		res, err = r.Down(ctx, n)
	}
	stop()
	if o.Format == "json" {
		out := map[string]any{"steps": []migrate.Step{}, "dry_run": o.DryRun}
		if res != nil && res.Steps != nil {
			out["steps"] = res.Steps
		}
		if err != nil {
			out["error"] = err.Error()
		}
		writeJSON(o.Stdout, out)
		if err != nil {
			fmt.Fprintf(o.Stderr, "dlayer migrate %s: %v\n", dir, err)
			return ExitFail, nil
		}
		return ExitOK, nil
	}
	if err != nil {
		return ExitFail, err
	}
	if len(res.Steps) == 0 {
		fmt.Fprintf(o.Stdout, "nothing to do\n")
	}
	return ExitOK, nil
}

func status(ctx context.Context, o Options, args []string) (int, error) {
	if len(args) > 0 {
		return 0, usagef("status takes no arguments")
	}
	r, closer, err := setup(ctx, o, true)
	if err != nil {
		return 0, err
	}
	defer closer()
	st, err := r.Status(ctx)
	if err != nil {
		return 0, usageError{err}
	}
	code := ExitOK
	pending := false
	for _, s := range st {
		if s.State == "dirty" || s.State == "modified" || s.State == "missing" {
			code = ExitFail
		}
		pending = pending || s.State == "pending"
	}
	var problems []string
	if err := r.Integrity(); err != nil {
		problems = append(problems, err.Error())
	}
	if o.ExitCode {
		if pending {
			problems = append(problems, "migrations are pending: run `dlayer migrate up`")
		}
		if code == ExitOK && !pending {
			ps, err := drift(ctx, o, r)
			if err != nil {
				return 0, err
			}
			problems = append(problems, ps...)
		}
	}
	if len(problems) > 0 {
		code = ExitFail
	}
	if o.Format == "json" {
		if st == nil {
			st = []migrate.Status{}
		}
		writeJSON(o.Stdout, st)
		for _, p := range problems {
			fmt.Fprintf(o.Stderr, "dlayer migrate status: %s\n", p)
		}
		return code, nil
	}
	defer func() {
		for _, p := range problems {
			fmt.Fprintf(o.Stdout, "%s\n", p)
		}
	}()
	if len(st) == 0 {
		fmt.Fprintf(o.Stdout, "no migrations in %s\n", o.Dir)
	}
	for _, s := range st {
		at := ""
		if s.AppliedAt != nil && !s.AppliedAt.IsZero() {
			at = " " + s.AppliedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(o.Stdout, "%-8s %s_%s%s", s.State, s.Version, s.Name, at)
		if s.Detail != "" {
			fmt.Fprintf(o.Stdout, "  (%s)", s.Detail)
		}
		fmt.Fprintln(o.Stdout)
	}
	return code, nil
}

// drift compares the database with the state the migrations produce, and
// the migrations with the YAML models (when the models directory exists).
func drift(ctx context.Context, o Options, r *migrate.Runner) ([]string, error) {
	var out []string
	state, err := r.State()
	if err != nil {
		return nil, err
	}
	db, err := r.Inspect(ctx)
	if err != nil {
		return nil, usageError{err}
	}
	describe := func(p *migrate.Plan) string {
		var parts []string
		for _, c := range changesJSON(p) {
			parts = append(parts, c.Summary)
		}
		return strings.Join(parts, "; ")
	}
	plan, err := r.Diff(state, db)
	if err != nil {
		return nil, err
	}
	if !plan.Empty() {
		out = append(out, "drift: the database differs from the migrations in "+o.Dir+" (changed by hand?): "+describe(plan)+
			"; put the change in a migration or revert it")
	}
	if st, err := os.Stat(o.Models); err == nil && st.IsDir() {
		want, err := loadModels(o)
		if err != nil {
			return append(out, err.Error()), nil
		}
		plan, err := r.Diff(state, want)
		if err != nil {
			return nil, err
		}
		if !plan.Empty() {
			out = append(out, "the YAML in "+o.Models+" differs from the migrations: "+describe(plan)+"; run `dlayer migrate diff -m \"…\"`")
		}
	}
	return out, nil
}

func history(ctx context.Context, o Options, args []string) (int, error) {
	if len(args) > 0 {
		return 0, usagef("history takes no arguments")
	}
	r, closer, err := setup(ctx, o, true)
	if err != nil {
		return 0, err
	}
	defer closer()
	recs, err := r.History(ctx)
	if err != nil {
		return 0, usageError{err}
	}
	if o.Format == "json" {
		if recs == nil {
			recs = []migrate.Record{}
		}
		writeJSON(o.Stdout, recs)
		return ExitOK, nil
	}
	for _, rec := range recs {
		fmt.Fprintf(o.Stdout, "%s_%s  %s  %s  %d ms  sha256:%s", rec.Version, rec.Name, rec.State,
			rec.AppliedAt.UTC().Format(time.RFC3339), rec.Duration, rec.Checksum[:min(12, len(rec.Checksum))])
		if rec.State == "dirty" {
			fmt.Fprintf(o.Stdout, "  (%s stopped after %d of %d statements: %s)", rec.Direction, rec.Progress, rec.Total, rec.Error)
		}
		fmt.Fprintln(o.Stdout)
	}
	return ExitOK, nil
}

func check(ctx context.Context, o Options, args []string) (int, error) {
	if len(args) > 0 {
		return 0, usagef("check takes no arguments")
	}
	r, closer, err := setup(ctx, o, false)
	if err != nil {
		return 0, err
	}
	defer closer()
	if err := r.Integrity(); err != nil {
		return ExitFail, err
	}
	want, err := loadModels(o)
	if err != nil {
		return ExitFail, err
	}
	from, what, err := source(ctx, o, r)
	if err != nil {
		return 0, err
	}
	plan, err := r.Diff(from, want)
	if err != nil {
		return ExitFail, err
	}
	if o.Format == "json" {
		writeJSON(o.Stdout, map[string]any{"ok": plan.Empty(), "against": what, "changes": changesJSON(plan)})
	} else if plan.Empty() {
		fmt.Fprintf(o.Stdout, "ok: the YAML in %s matches %s\n", o.Models, what)
	} else {
		fmt.Fprintf(o.Stdout, "the YAML in %s differs from %s; run `dlayer migrate diff -m \"…\"`:\n", o.Models, what)
		for _, c := range changesJSON(plan) {
			mark := ""
			if c.Destructive {
				mark = " [destructive]"
			}
			fmt.Fprintf(o.Stdout, "  %s%s\n", c.Summary, mark)
		}
	}
	if !plan.Empty() {
		return ExitFail, nil
	}
	return ExitOK, nil
}

func resolve(ctx context.Context, o Options, args []string) (int, error) {
	if o.Unlock {
		if len(args) > 0 || o.Applied || o.RolledBack {
			return 0, usagef("resolve --unlock takes no VERSION and no --applied/--rolled-back")
		}
		r, closer, err := setup(ctx, o, true)
		if err != nil {
			return 0, err
		}
		defer closer()
		if err := r.Unlock(ctx); err != nil {
			return ExitFail, err
		}
		fmt.Fprintf(o.Stdout, "migration lock removed\n")
		return ExitOK, nil
	}
	if len(args) != 1 {
		return 0, usagef("resolve takes one VERSION")
	}
	if o.Applied == o.RolledBack {
		return 0, usagef("resolve needs exactly one of --applied or --rolled-back")
	}
	r, closer, err := setup(ctx, o, true)
	if err != nil {
		return 0, err
	}
	defer closer()
	how, word := migrate.ResolveApplied, "applied"
	if o.RolledBack {
		how, word = migrate.ResolveRolledBack, "rolled back"
	}
	if err := r.Resolve(ctx, args[0], how); err != nil {
		return ExitFail, err
	}
	if o.Format == "json" {
		writeJSON(o.Stdout, map[string]any{"version": args[0], "resolved": word})
	} else {
		fmt.Fprintf(o.Stdout, "migration %s marked %s\n", args[0], word)
	}
	return ExitOK, nil
}

// InspectOptions are the flags of `dlayer inspect`.
type InspectOptions struct {
	URL string
	// Out is the directory to write models.yaml to; empty writes to Stdout.
	Out   string
	Table string
	// Format of the report: "text" (default) or "json".
	Format string
	// Schema is the path of a JSON Schema file (`dlayer schema --write`)
	// the YAML's modeline names by a path relative to the YAML, so editors
	// need no network. When empty and Out is set, a dlayer.schema.json in
	// Out or a directory above it (or in its .dlayer/schemas, where dlayer
	// init writes it), up to the first holding go.mod, .git or dlayer.yaml,
	// is named if there is one; otherwise the modeline names the published
	// URL.
	Schema         string
	Stdout, Stderr io.Writer
}

// Inspect runs `dlayer inspect URL [-o DIR]`: it reads the database's
// schema and writes it as dlayer YAML models, then reports every object it
// skipped or approximated. It returns ExitOK when nothing was, ExitLossy
// when the YAML was written with losses, ExitUsage on a connection error.
// One object dlayer cannot represent never stops the run.
func Inspect(ctx context.Context, o InspectOptions) int {
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Format == "" {
		o.Format = "text"
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(o.Stderr, "dlayer inspect: %v\n", hideSecrets(err, o.URL))
		return code
	}
	if o.Format != "text" && o.Format != "json" {
		return fail(ExitUsage, fmt.Errorf("unknown --format %q (want text or json)", o.Format))
	}
	if o.URL == "" {
		return fail(ExitUsage, errors.New("needs a database URL"))
	}
	d, p, err := dialects.Open(ctx, o.URL, dialects.PoolOptions{MaxOpenConns: 2})
	if err != nil {
		return fail(ExitUsage, err)
	}
	defer p.Close()
	r, err := migrate.New(migrate.Config{Dialect: d, Pool: p, Table: o.Table})
	if err != nil {
		return fail(ExitUsage, err)
	}
	s, err := r.Inspect(ctx)
	if err != nil {
		return fail(ExitUsage, err)
	}
	text, err := migrate.ModelsYAML(s)
	if err != nil {
		return fail(ExitFail, err)
	}
	if ref, err := schemaRef(o.Out, o.Schema); err != nil {
		return fail(ExitUsage, err)
	} else if ref != "" {
		text = withModeline(text, ref)
	}
	// The report goes where the YAML does not.
	report, path := o.Stderr, ""
	if o.Out == "" {
		o.Stdout.Write(text)
	} else {
		if err := os.MkdirAll(o.Out, 0o755); err != nil {
			return fail(ExitUsage, err)
		}
		path = filepath.Join(o.Out, "models.yaml")
		if err := os.WriteFile(path, text, 0o644); err != nil {
			return fail(ExitUsage, err)
		}
		report = o.Stdout
	}
	writeReport(report, o.Format, path, s)
	if len(s.Notes) > 0 {
		return ExitLossy
	}
	return ExitOK
}

// writeReport prints what inspect wrote and every note.
func writeReport(w io.Writer, format, path string, s *spec.Schema) {
	var skipped, approx int
	for _, n := range s.Notes {
		if n.Action == spec.NoteSkipped {
			skipped++
		} else {
			approx++
		}
	}
	tables, views := 0, 0
	for _, t := range s.Tables {
		if t.View != nil {
			views++
		} else {
			tables++
		}
	}
	if format == "json" {
		notes := s.Notes
		if notes == nil {
			notes = []*spec.InspectNote{}
		}
		out := map[string]any{"tables": tables, "views": views, "skipped": skipped, "approximated": approx, "notes": notes}
		if path != "" {
			out["file"] = path
		}
		writeJSON(w, out)
		return
	}
	if path != "" {
		fmt.Fprintf(w, "wrote %s (%d tables, %d views)\n", path, tables, views)
	}
	if len(s.Notes) == 0 {
		fmt.Fprintf(w, "inspect: nothing skipped or approximated\n")
		return
	}
	fmt.Fprintf(w, "inspect: %d skipped, %d approximated (review before relying on the YAML):\n", skipped, approx)
	for _, n := range s.Notes {
		fmt.Fprintf(w, "  %-12s %-17s %s: %s\n", n.Action, n.Kind, n.Object, n.Detail)
	}
}

// schemaRef is the modeline's $schema for YAML written to dir ("" for
// standard output: the working directory): schema relative to dir, or
// a dlayer.schema.json found in dir or above it (or in .dlayer/schemas/
// there, where dlayer init writes it); "" keeps the URL.
func schemaRef(dir, schema string) (string, error) {
	base := dir
	if base == "" {
		base = "."
	}
	absBase, err := filepath.Abs(base)
	if err != nil {
		return "", err
	}
	if schema == "" {
		if dir == "" {
			return "", nil
		}
	search:
		for d := absBase; ; d = filepath.Dir(d) {
			// Beside the YAML, or where dlayer init writes it.
			for _, c := range []string{"dlayer.schema.json", filepath.Join(".dlayer", "schemas", "dlayer.schema.json")} {
				if _, err := os.Stat(filepath.Join(d, c)); err == nil {
					schema = filepath.Join(d, c)
					break search
				}
			}
			if isProjectRoot(d) || filepath.Dir(d) == d {
				return "", nil
			}
		}
	} else if _, err := os.Stat(schema); err != nil {
		return "", fmt.Errorf("--schema: %w (write it with dlayer schema --write PATH)", err)
	}
	absSchema, err := filepath.Abs(schema)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(absBase, absSchema)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(rel), nil
}

func isProjectRoot(d string) bool {
	for _, f := range []string{"go.mod", ".git", "dlayer.yaml"} {
		if _, err := os.Stat(filepath.Join(d, f)); err == nil {
			return true
		}
	}
	return false
}

// withModeline replaces the yaml-language-server modeline ModelsYAML
// writes on the first line by one naming ref.
func withModeline(text []byte, ref string) []byte {
	const prefix = "# yaml-language-server: $schema="
	line := prefix + ref + "\n"
	if bytes.HasPrefix(text, []byte(prefix)) {
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			return append([]byte(line), text[i+1:]...)
		}
	}
	return append([]byte(line), text...)
}
