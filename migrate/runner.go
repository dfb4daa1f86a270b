package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/dlayer/dlayer/dialects"
)

// DefaultTable is the name of the history table.
const DefaultTable = "dlayer_migrations"

// DefaultLockTimeout is how long Up and Down wait for another migrator.
const DefaultLockTimeout = time.Minute

// Errors returned by the Runner; match them with errors.Is.
var (
	// ErrDirty: a migration was interrupted on a database without
	// transactional DDL; it must be resolved by hand first.
	ErrDirty = errors.New("migration history is dirty")
	// ErrChecksum: an applied migration file was edited afterwards.
	ErrChecksum = errors.New("applied migration file was modified")
	// ErrMissing: the history names a migration whose file is gone.
	ErrMissing = errors.New("applied migration file is missing")
	// ErrDialect: a migration was written for another dialect.
	ErrDialect = errors.New("migration written for another dialect")
	// ErrFailed: a migration statement failed.
	ErrFailed = errors.New("migration failed")
	// ErrIrreversible is returned by Down for a migration without a Down
	// section.
	ErrIrreversible = errors.New("migration has no Down section")
	// ErrLockTable is returned, with dialects.ErrLockTimeout, when the lock
	// row of the table lock (LockTable: SQLite, poolers, clusters) is still
	// held after Config.LockTimeout; Runner.Unlock removes a crashed
	// migrator's row at once (it also expires after Config.LockLease).
	ErrLockTable = errors.New("the migration lock row is held")
)

// Config says where migrations come from and where they go.
type Config struct {
	Dialect dialects.Dialect
	Pool    dialects.Pool
	// Dir holds the migration files (an os.DirFS or an embedded fs.FS).
	Dir fs.FS
	// Table is the history table; DefaultTable when empty.
	Table string
	// LockTimeout bounds the wait for the migration lock; DefaultLockTimeout
	// when zero.
	LockTimeout time.Duration
	// Lock chooses how the migration lock is taken (see LockMode); when
	// empty, the pool's URL decides (?migrate_lock=, ?pooler=transaction),
	// else LockAdvisory where the dialect has named locks, else LockTable.
	Lock LockMode
	// LockLease is how long a table lock (LockTable) stays valid without a
	// heartbeat from its holder, so that a migrator that died does not
	// block the others forever; DefaultLockLease when zero. The holder
	// renews it every LockLease/3.
	LockLease time.Duration
	// DryRun makes Up and Down write the SQL they would run to Log instead
	// of running it.
	DryRun bool
	// Log, when set, receives a line per migration applied or reverted (and
	// the SQL in a dry run).
	Log io.Writer
	// Progress, when set, is called before each statement of a migration
	// runs and once after its last (Done set), from the goroutine running
	// Up or Down; it must return quickly. The CLI prints a progress line
	// from it on long migrations.
	Progress func(Progress)
}

// Progress is the state of a running migration, passed to Config.Progress.
type Progress struct {
	// File, Version and Name identify the migration; Direction is "up" or
	// "down".
	File, Version, Name, Direction string
	// Statement is the 1-based number of the statement about to run, of
	// Total; SQL is its text.
	Statement, Total int
	SQL              string
	// Started is when the migration began.
	Started time.Time
	// Done is set on the call after the migration's last statement (or its
	// failure).
	Done bool
}

// Runner applies and reverts migrations and reports their state. A Runner
// is safe for concurrent use by several goroutines, as are several Runners
// on the same database in different processes: the migration lock makes
// each migration run once.
type Runner struct {
	cfg  Config
	migs []*Migration
	// integrity is the directory's integrity problem (see CheckDir), which
	// Up and Down refuse to run with.
	integrity error
}

// New reads the migration directory and returns a Runner.
func New(cfg Config) (*Runner, error) {
	if cfg.Dialect == nil {
		return nil, errors.New("migrate: Config needs a Dialect")
	}
	if cfg.Table == "" {
		cfg.Table = DefaultTable
	}
	if cfg.LockTimeout <= 0 {
		cfg.LockTimeout = DefaultLockTimeout
	}
	if cfg.LockLease <= 0 {
		cfg.LockLease = DefaultLockLease
	}
	switch cfg.Lock {
	case LockAuto, LockAdvisory, LockTable:
	default:
		return nil, fmt.Errorf("migrate: unknown Config.Lock %q (want %q, %q or empty)", cfg.Lock, LockAdvisory, LockTable)
	}
	var migs []*Migration
	var integrity error
	if cfg.Dir != nil {
		var err error
		if migs, err = ReadDir(cfg.Dir); err != nil {
			return nil, err
		}
		integrity = CheckDir(cfg.Dir, migs)
	}
	return &Runner{cfg: cfg, migs: migs, integrity: integrity}, nil
}

// Run applies every pending migration of dir: the call an application makes
// at start-up with an embedded directory.
//
//	//go:embed migrations/*.sql
//	var migrations embed.FS
//	…
//	sub, _ := fs.Sub(migrations, "migrations")
//	_, err := migrate.Run(ctx, dialect, pool, sub)
func Run(ctx context.Context, d dialects.Dialect, p dialects.Pool, dir fs.FS) (*Result, error) {
	if dir == nil {
		return nil, errors.New("migrate: Run needs a migration directory (dir is nil)")
	}
	if p == nil {
		return nil, errors.New("migrate: Run needs a pool (p is nil)")
	}
	r, err := New(Config{Dialect: d, Pool: p, Dir: dir})
	if err != nil {
		return nil, err
	}
	return r.Up(ctx, 0)
}

// Migrations returns the migrations read from the directory, in order.
func (r *Runner) Migrations() []*Migration {
	if r == nil {
		return nil
	}
	return r.migs
}

// Integrity returns the integrity problems of the migration directory (an
// *IntegrityError wrapping ErrIntegrity: a file edited, removed or added
// since the sum file was written, or two migrations created on two
// branches), or nil. Up and Down refuse to run while there are any.
func (r *Runner) Integrity() error {
	if r == nil {
		return errNilRunner
	}
	return r.integrity
}

// errNilRunner is returned by the methods of a nil *Runner.
var errNilRunner = errors.New("migrate: nil *Runner (create one with migrate.New)")

// Record is one row of the history table.
type Record struct {
	Version  string `json:"version"`
	Name     string `json:"name"`
	Checksum string `json:"checksum"`
	// State is "applied" or "dirty".
	State string `json:"state"`
	// Direction is the direction of the last run ("up", or "down" for a
	// dirty revert).
	Direction string `json:"direction"`
	// Progress counts the statements that completed in the last run, of Total.
	Progress  int       `json:"progress"`
	Total     int       `json:"total"`
	Error     string    `json:"error,omitempty"`
	AppliedAt time.Time `json:"applied_at"`
	Duration  int64     `json:"duration_ms"`
}

// Step is one migration applied or reverted by Up or Down.
type Step struct {
	Version    string        `json:"version"`
	Name       string        `json:"name"`
	Direction  string        `json:"direction"`
	Statements []string      `json:"statements,omitempty"`
	Duration   time.Duration `json:"duration_ns"`
}

// Result lists what Up or Down did (or, in a dry run, would do).
type Result struct {
	Steps  []Step `json:"steps"`
	DryRun bool   `json:"dry_run,omitempty"`
}

func (r *Runner) q(name string) string { return r.cfg.Dialect.QuoteIdent(name) }

func (r *Runner) ph(n int) string { return r.cfg.Dialect.Placeholder(n) }

func (r *Runner) logf(format string, args ...any) {
	if r.cfg.Log != nil {
		fmt.Fprintf(r.cfg.Log, format, args...)
	}
}

// ensureTable creates the history table if it does not exist.
func (r *Runner) ensureTable(ctx context.Context) error {
	ddl := "CREATE TABLE IF NOT EXISTS " + r.q(r.cfg.Table) + " (" +
		r.q("version") + " VARCHAR(64) NOT NULL PRIMARY KEY, " +
		r.q("name") + " VARCHAR(255) NOT NULL, " +
		r.q("checksum") + " VARCHAR(64) NOT NULL, " +
		r.q("state") + " VARCHAR(16) NOT NULL, " +
		r.q("direction") + " VARCHAR(8) NOT NULL, " +
		r.q("progress") + " INTEGER NOT NULL, " +
		r.q("total") + " INTEGER NOT NULL, " +
		r.q("error") + " TEXT NOT NULL, " +
		r.q("applied_at") + " VARCHAR(40) NOT NULL, " +
		r.q("duration_ms") + " BIGINT NOT NULL)"
	if _, err := r.cfg.Pool.Exec(ctx, ddl); err != nil {
		return fmt.Errorf("create history table %s: %w", r.cfg.Table, err)
	}
	return nil
}

// History returns the rows of the history table in version order (empty
// if the table does not exist yet).
func (r *Runner) History(ctx context.Context) ([]Record, error) {
	if r == nil {
		return nil, errNilRunner
	}
	if r.cfg.Pool == nil {
		return nil, errNoPool
	}
	recs, err := r.history(ctx, r.cfg.Pool)
	if err != nil {
		// The table may not exist yet: create it and read again.
		if err2 := r.ensureTable(ctx); err2 != nil {
			return nil, err
		}
		return r.history(ctx, r.cfg.Pool)
	}
	return recs, nil
}

func (r *Runner) history(ctx context.Context, q dialects.Queryer) ([]Record, error) {
	rows, err := q.Query(ctx, "SELECT "+r.q("version")+", "+r.q("name")+", "+r.q("checksum")+", "+
		r.q("state")+", "+r.q("direction")+", "+r.q("progress")+", "+r.q("total")+", "+r.q("error")+", "+
		r.q("applied_at")+", "+r.q("duration_ms")+" FROM "+r.q(r.cfg.Table))
	if err != nil {
		return nil, fmt.Errorf("read history table %s: %w", r.cfg.Table, err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var rec Record
		var progress, total, dur int64
		var at string
		if err := rows.Scan(&rec.Version, &rec.Name, &rec.Checksum, &rec.State, &rec.Direction,
			&progress, &total, &rec.Error, &at, &dur); err != nil {
			return nil, fmt.Errorf("read history table %s: %w", r.cfg.Table, err)
		}
		rec.Progress, rec.Total, rec.Duration = int(progress), int(total), dur
		rec.AppliedAt, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read history table %s: %w", r.cfg.Table, err)
	}
	sortRecords(out)
	return out, nil
}

func sortRecords(rs []Record) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && compareVersions(rs[j-1].Version, rs[j].Version) > 0; j-- {
			rs[j-1], rs[j] = rs[j], rs[j-1]
		}
	}
}

// Status is the state of one migration.
type Status struct {
	Version string `json:"version"`
	Name    string `json:"name"`
	File    string `json:"file,omitempty"`
	// State is "applied", "pending", "dirty", "modified" (applied, but the
	// file changed since) or "missing" (applied, but no file).
	State     string     `json:"state"`
	AppliedAt *time.Time `json:"applied_at,omitempty"`
	Detail    string     `json:"detail,omitempty"`
}

// Status reports every migration, from the directory and the history, in
// version order.
func (r *Runner) Status(ctx context.Context) ([]Status, error) {
	if r == nil {
		return nil, errNilRunner
	}
	recs, err := r.History(ctx)
	if err != nil {
		return nil, err
	}
	byVersion := map[string]Record{}
	for _, rec := range recs {
		byVersion[rec.Version] = rec
	}
	var out []Status
	files := map[string]bool{}
	for _, m := range r.migs {
		files[m.Version] = true
		st := Status{Version: m.Version, Name: m.Name, File: m.File, State: "pending"}
		if rec, ok := byVersion[m.Version]; ok {
			at := rec.AppliedAt
			st.AppliedAt = &at
			switch {
			case rec.State == "dirty":
				st.State, st.Detail = "dirty", dirtyDetail(rec)
			case rec.Checksum != m.Checksum:
				st.State, st.Detail = "modified", "checksum "+short(rec.Checksum)+" applied, file has "+short(m.Checksum)
			default:
				st.State = "applied"
			}
		}
		out = append(out, st)
	}
	for _, rec := range recs {
		if !files[rec.Version] {
			at := rec.AppliedAt
			st := Status{Version: rec.Version, Name: rec.Name, State: "missing", AppliedAt: &at, Detail: "in the history but no file"}
			if rec.State == "dirty" {
				st.State, st.Detail = "dirty", dirtyDetail(rec)
			}
			out = append(out, st)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && compareVersions(out[j-1].Version, out[j].Version) > 0; j-- {
			out[j-1], out[j] = out[j], out[j-1]
		}
	}
	return out, nil
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

func dirtyDetail(rec Record) string {
	return fmt.Sprintf("%s stopped after %d of %d statements: %s", rec.Direction, rec.Progress, rec.Total, rec.Error)
}

// DirtyError is returned (wrapping ErrDirty) when the history holds an
// interrupted migration.
type DirtyError struct {
	Record Record
}

func (e *DirtyError) Error() string {
	rec := e.Record
	next := "Up"
	if rec.Direction == "down" {
		next = "Down"
	}
	if rec.Error == "" {
		// No statement failed: the migrator stopped (killed, or it lost
		// its connection) between statements.
		return fmt.Sprintf("%v: migration %s_%s was interrupted during %s after statement %d of %d (the migrator stopped); "+
			"statements 1-%d ran and were committed, and a DDL statement %d may have run too (this database cannot roll DDL back). "+
			"Repair the database by hand, then call Runner.Resolve(ctx, %q, ResolveApplied) if it now matches the state after the migration, "+
			"or Runner.Resolve(ctx, %q, ResolveRolledBack) if it matches the state before; then run Runner.%s again",
			ErrDirty, rec.Version, rec.Name, rec.Direction, rec.Progress, rec.Total, rec.Progress, rec.Progress+1,
			rec.Version, rec.Version, next)
	}
	return fmt.Sprintf("%v: migration %s_%s was interrupted during %s: statement %d of %d failed (%s); "+
		"statements 1-%d ran and were committed (this database cannot roll DDL back) and will not be run again. "+
		"Repair the database by hand, then call Runner.Resolve(ctx, %q, ResolveApplied) if it now matches the state after the migration, "+
		"or Runner.Resolve(ctx, %q, ResolveRolledBack) if it matches the state before; then run Runner.%s again",
		ErrDirty, rec.Version, rec.Name, rec.Direction, rec.Progress+1, rec.Total, rec.Error, rec.Progress,
		rec.Version, rec.Version, next)
}

// Unwrap returns ErrDirty.
func (e *DirtyError) Unwrap() error { return ErrDirty }

// verify checks the history against the directory: no dirty rows, no
// edited files, no migration for another dialect. missingOK allows rows
// without files.
func (r *Runner) verify(recs []Record, missingOK bool) error {
	files := map[string]*Migration{}
	for _, m := range r.migs {
		files[m.Version] = m
		if m.Dialect != "" && m.Dialect != r.cfg.Dialect.Name() {
			return fmt.Errorf("%w: %s is for %s, the database is %s", ErrDialect, m.File, m.Dialect, r.cfg.Dialect.Name())
		}
	}
	for _, rec := range recs {
		if rec.State == "dirty" {
			return &DirtyError{Record: rec}
		}
		m := files[rec.Version]
		switch {
		case m == nil && !missingOK:
			return fmt.Errorf("%w: %s_%s is applied but not in the migration directory", ErrMissing, rec.Version, rec.Name)
		case m != nil && m.Checksum != rec.Checksum:
			return fmt.Errorf("%w: %s was applied with checksum %s but the file now has %s; "+
				"restore the applied version of the file and put further changes in a new migration",
				ErrChecksum, m.File, short(rec.Checksum), short(m.Checksum))
		}
	}
	return nil
}

var errNoPool = errors.New("migrate: no database connection")

// locked runs fn holding the migration lock, with the history table in place.
func (r *Runner) locked(ctx context.Context, fn func() error) (err error) {
	if r.cfg.Pool == nil {
		return errNoPool
	}
	unlock, err := r.lock(ctx)
	if err != nil {
		return err
	}
	defer func() {
		// Release even if ctx was cancelled.
		if uerr := unlock(context.WithoutCancel(ctx)); uerr != nil && err == nil {
			err = fmt.Errorf("release migration lock: %w", uerr)
		}
	}()
	if err := r.ensureTable(ctx); err != nil {
		return err
	}
	return fn()
}

// Up applies pending migrations in version order: all of them when n <= 0,
// else at most n.
func (r *Runner) Up(ctx context.Context, n int) (*Result, error) {
	if r == nil {
		return nil, errNilRunner
	}
	return r.up(ctx, func(recs []Record) ([]*Migration, error) { return r.pending(recs, n), nil })
}

// UpTo applies the pending migrations whose version is at most version,
// which must be the version of a file in the directory.
func (r *Runner) UpTo(ctx context.Context, version string) (*Result, error) {
	if r == nil {
		return nil, errNilRunner
	}
	target, err := r.target(version, false)
	if err != nil {
		return nil, err
	}
	return r.up(ctx, func(recs []Record) ([]*Migration, error) {
		var out []*Migration
		for _, m := range r.pending(recs, 0) {
			if compareVersions(m.Version, target) <= 0 {
				out = append(out, m)
			}
		}
		return out, nil
	})
}

// target checks the version of a --to target: a file's version, or "0"
// (before the first migration) when zeroOK.
func (r *Runner) target(version string, zeroOK bool) (string, error) {
	if zeroOK && strings.Trim(version, "0") == "" && version != "" {
		return "0", nil
	}
	for _, m := range r.migs {
		if compareVersions(m.Version, version) == 0 && strings.Trim(version, "0123456789") == "" {
			return m.Version, nil
		}
	}
	return "", fmt.Errorf("migrate: no migration with version %q in the directory", version)
}

func (r *Runner) up(ctx context.Context, sel func([]Record) ([]*Migration, error)) (*Result, error) {
	if r.integrity != nil {
		return nil, r.integrity
	}
	res := &Result{DryRun: r.cfg.DryRun}
	if r.cfg.DryRun {
		recs, err := r.History(ctx)
		if err != nil {
			return nil, err
		}
		if err := r.verify(recs, true); err != nil {
			return nil, err
		}
		ms, err := sel(recs)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			res.Steps = append(res.Steps, Step{Version: m.Version, Name: m.Name, Direction: "up", Statements: m.Up})
			r.logf("-- %s_%s (up)\n%s", m.Version, m.Name, joinSQL(m.Up))
		}
		return res, nil
	}
	err := r.locked(ctx, func() error {
		recs, err := r.history(ctx, r.cfg.Pool)
		if err != nil {
			return err
		}
		if err := r.verify(recs, true); err != nil {
			return err
		}
		ms, err := sel(recs)
		if err != nil {
			return err
		}
		for _, m := range ms {
			start := time.Now()
			if err := r.apply(ctx, m, "up", m.Up); err != nil {
				return err
			}
			st := Step{Version: m.Version, Name: m.Name, Direction: "up", Statements: m.Up, Duration: time.Since(start)}
			res.Steps = append(res.Steps, st)
			r.logf("applied %s_%s (%d statements, %s)\n", m.Version, m.Name, len(m.Up), st.Duration.Round(time.Millisecond))
		}
		return nil
	})
	return res, err
}

func joinSQL(stmts []string) string {
	var b strings.Builder
	for _, s := range stmts {
		b.WriteString(s)
		b.WriteString(";\n")
	}
	return b.String()
}

func (r *Runner) pending(recs []Record, n int) []*Migration {
	applied := map[string]bool{}
	for _, rec := range recs {
		applied[rec.Version] = true
	}
	var out []*Migration
	for _, m := range r.migs {
		if !applied[m.Version] {
			out = append(out, m)
			if n > 0 && len(out) == n {
				break
			}
		}
	}
	return out
}

// Down reverts the last n applied migrations (1 when n <= 0), newest first.
func (r *Runner) Down(ctx context.Context, n int) (*Result, error) {
	if r == nil {
		return nil, errNilRunner
	}
	if n <= 0 {
		n = 1
	}
	return r.down(ctx, func(recs []Record, i, taken int) bool { return taken < n })
}

// DownTo reverts the applied migrations newer than version, newest first,
// so that version is the newest applied; version "0" reverts them all.
func (r *Runner) DownTo(ctx context.Context, version string) (*Result, error) {
	if r == nil {
		return nil, errNilRunner
	}
	target, err := r.target(version, true)
	if err != nil {
		return nil, err
	}
	return r.down(ctx, func(recs []Record, i, _ int) bool { return compareVersions(recs[i].Version, target) > 0 })
}

// down reverts applied migrations from the newest while more(recs, i,
// reverted so far) holds for the history row i.
func (r *Runner) down(ctx context.Context, more func(recs []Record, i, taken int) bool) (*Result, error) {
	if r.integrity != nil {
		return nil, r.integrity
	}
	res := &Result{DryRun: r.cfg.DryRun}
	plan := func(recs []Record) ([]*Migration, error) {
		files := map[string]*Migration{}
		for _, m := range r.migs {
			files[m.Version] = m
		}
		var out []*Migration
		for i := len(recs) - 1; i >= 0 && more(recs, i, len(out)); i-- {
			m := files[recs[i].Version]
			if m == nil {
				return nil, fmt.Errorf("%w: cannot revert %s_%s", ErrMissing, recs[i].Version, recs[i].Name)
			}
			if !m.HasDown {
				return nil, fmt.Errorf("%w: cannot revert %s: it has no \"-- +dlayer Down\" section; revert it by hand, "+
					"then call Runner.Resolve(ctx, %q, ResolveRolledBack)", ErrIrreversible, m.File, m.Version)
			}
			out = append(out, m)
		}
		return out, nil
	}
	if r.cfg.DryRun {
		recs, err := r.History(ctx)
		if err != nil {
			return nil, err
		}
		if err := r.verify(recs, true); err != nil {
			return nil, err
		}
		ms, err := plan(recs)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			res.Steps = append(res.Steps, Step{Version: m.Version, Name: m.Name, Direction: "down", Statements: m.Down})
			r.logf("-- %s_%s (down)\n%s", m.Version, m.Name, joinSQL(m.Down))
		}
		return res, nil
	}
	err := r.locked(ctx, func() error {
		recs, err := r.history(ctx, r.cfg.Pool)
		if err != nil {
			return err
		}
		if err := r.verify(recs, true); err != nil {
			return err
		}
		ms, err := plan(recs)
		if err != nil {
			return err
		}
		for _, m := range ms {
			start := time.Now()
			if err := r.apply(ctx, m, "down", m.Down); err != nil {
				return err
			}
			st := Step{Version: m.Version, Name: m.Name, Direction: "down", Statements: m.Down, Duration: time.Since(start)}
			res.Steps = append(res.Steps, st)
			r.logf("reverted %s_%s (%d statements, %s)\n", m.Version, m.Name, len(m.Down), st.Duration.Round(time.Millisecond))
		}
		return nil
	})
	return res, err
}

func (r *Runner) stmtError(m *Migration, dir string, i, total int, stmt string, err error) error {
	return fmt.Errorf("%w: %s (%s) statement %d of %d: %w\n  SQL: %s", ErrFailed, m.File, dir, i+1, total, err, oneLine(stmt))
}

// apply runs one migration's statements in one direction and records it.
func (r *Runner) apply(ctx context.Context, m *Migration, dir string, stmts []string) error {
	// The migration changes the schema: connections drop the statements
	// they prepared (SQLite, MySQL), whatever the outcome.
	if inv, ok := r.cfg.Pool.(dialects.StatementInvalidator); ok {
		defer inv.InvalidateStatements()
	}
	if r.cfg.Dialect.Features().Has(dialects.TransactionalDDL) {
		return r.applyTx(ctx, m, dir, stmts)
	}
	return r.applySteps(ctx, m, dir, stmts)
}

const cols = "version, name, checksum, state, direction, progress, total, error, applied_at, duration_ms"

func (r *Runner) insertSQL() string {
	var q, p []string
	for i, c := range strings.Split(cols, ", ") {
		q = append(q, r.q(c))
		p = append(p, r.ph(i+1))
	}
	return "INSERT INTO " + r.q(r.cfg.Table) + " (" + strings.Join(q, ", ") + ") VALUES (" + strings.Join(p, ", ") + ")"
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

// applyTx runs a migration in one transaction, history row included.
func (r *Runner) applyTx(ctx context.Context, m *Migration, dir string, stmts []string) error {
	start := time.Now()
	defer r.progress(m, dir, start, len(stmts), len(stmts), "", true)
	body := func(q dialects.Queryer) error {
		for i, s := range stmts {
			r.progress(m, dir, start, i+1, len(stmts), s, false)
			if _, err := q.Exec(ctx, s); err != nil {
				return r.stmtError(m, dir, i, len(stmts), s, err)
			}
		}
		var err error
		if dir == "up" {
			_, err = q.Exec(ctx, r.insertSQL(), m.Version, m.Name, m.Checksum, "applied", "up", len(stmts), len(stmts), "",
				now(), time.Since(start).Milliseconds())
		} else {
			_, err = q.Exec(ctx, "DELETE FROM "+r.q(r.cfg.Table)+" WHERE "+r.q("version")+" = "+r.ph(1), m.Version)
		}
		if err != nil {
			return fmt.Errorf("migration %s: record in history: %w", m.File, err)
		}
		return nil
	}
	if mr, ok := r.cfg.Dialect.(dialects.MigrationRunner); ok {
		return mr.RunMigration(ctx, r.cfg.Pool, body)
	}
	tx, err := r.cfg.Pool.Begin(ctx, dialects.TxOptions{})
	if err != nil {
		return fmt.Errorf("migration %s: begin: %w", m.File, err)
	}
	if err := body(tx); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.File, err)
	}
	return nil
}

// applySteps runs a migration statement by statement, recording progress
// after each, for databases whose DDL commits implicitly. The row is dirty
// until the last statement succeeds.
func (r *Runner) applySteps(ctx context.Context, m *Migration, dir string, stmts []string) error {
	start := time.Now()
	defer r.progress(m, dir, start, len(stmts), len(stmts), "", true)
	p := r.cfg.Pool
	tbl := r.q(r.cfg.Table)
	where := " WHERE " + r.q("version") + " = "
	var err error
	if dir == "up" {
		_, err = p.Exec(ctx, r.insertSQL(), m.Version, m.Name, m.Checksum, "dirty", "up", 0, len(stmts), "", now(), 0)
	} else {
		_, err = p.Exec(ctx, "UPDATE "+tbl+" SET "+r.q("state")+" = 'dirty', "+r.q("direction")+" = 'down', "+
			r.q("progress")+" = 0, "+r.q("total")+" = "+r.ph(1)+where+r.ph(2), len(stmts), m.Version)
	}
	if err != nil {
		return fmt.Errorf("migration %s: record start in history: %w", m.File, err)
	}
	for i, s := range stmts {
		r.progress(m, dir, start, i+1, len(stmts), s, false)
		// The statement and its progress commit together, so a migrator
		// killed between them leaves a true progress behind. (A DDL
		// statement commits implicitly first; the progress of a migrator
		// killed right after one lags by that statement.)
		if err := r.step(ctx, s, "UPDATE "+tbl+" SET "+r.q("progress")+" = "+r.ph(1)+where+r.ph(2), i+1, m.Version); err != nil {
			var perr progressError
			if errors.As(err, &perr) {
				return fmt.Errorf("migration %s: record progress in history after statement %d: %w", m.File, i+1, perr.err)
			}
			serr := r.stmtError(m, dir, i, len(stmts), s, err)
			msg := err.Error()
			if len(msg) > 2000 {
				msg = msg[:2000]
			}
			ctx := context.WithoutCancel(ctx)
			if _, uerr := p.Exec(ctx, "UPDATE "+tbl+" SET "+r.q("error")+" = "+r.ph(1)+where+r.ph(2), msg, m.Version); uerr != nil {
				return errors.Join(serr, fmt.Errorf("record failure in history: %w", uerr))
			}
			recs, _ := r.history(ctx, p)
			for _, rec := range recs {
				if rec.Version == m.Version {
					return errors.Join(serr, &DirtyError{Record: rec})
				}
			}
			return serr
		}
	}
	if dir == "up" {
		_, err = p.Exec(ctx, "UPDATE "+tbl+" SET "+r.q("state")+" = 'applied', "+r.q("applied_at")+" = "+r.ph(1)+", "+
			r.q("duration_ms")+" = "+r.ph(2)+where+r.ph(3), now(), time.Since(start).Milliseconds(), m.Version)
	} else {
		_, err = p.Exec(ctx, "DELETE FROM "+tbl+where+r.ph(1), m.Version)
	}
	if err != nil {
		return fmt.Errorf("migration %s: record completion in history: %w", m.File, err)
	}
	return nil
}

// progress reports a statement to Config.Progress.
func (r *Runner) progress(m *Migration, dir string, start time.Time, i, total int, stmt string, done bool) {
	if r.cfg.Progress == nil {
		return
	}
	r.cfg.Progress(Progress{File: m.File, Version: m.Version, Name: m.Name, Direction: dir,
		Statement: i, Total: total, SQL: stmt, Started: start, Done: done})
}

// progressError is a failure to record progress, as opposed to a failure
// of the migration's statement.
type progressError struct{ err error }

func (e progressError) Error() string { return e.err.Error() }

// step runs one statement of a migration and the progress update after it
// in one transaction.
func (r *Runner) step(ctx context.Context, stmt, progress string, args ...any) error {
	tx, err := r.cfg.Pool.Begin(ctx, dialects.TxOptions{})
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, stmt); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if _, err := tx.Exec(ctx, progress, args...); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return progressError{err}
	}
	if err := tx.Commit(ctx); err != nil {
		return progressError{err}
	}
	return nil
}

// Resolution is how Resolve settles a dirty migration.
type Resolution int

// The resolutions.
const (
	// ResolveApplied marks the migration as applied (the database now
	// matches the state after it).
	ResolveApplied Resolution = iota + 1
	// ResolveRolledBack removes it from the history (the database matches
	// the state before it).
	ResolveRolledBack
)

// Resolve settles the migration with the given version after a repair by
// hand: it never runs the migration's SQL. Marking applied requires the
// file (its checksum is recorded).
func (r *Runner) Resolve(ctx context.Context, version string, how Resolution) error {
	if r == nil {
		return errNilRunner
	}
	return r.locked(ctx, func() error {
		recs, err := r.history(ctx, r.cfg.Pool)
		if err != nil {
			return err
		}
		var rec *Record
		for i := range recs {
			if recs[i].Version == version {
				rec = &recs[i]
			}
		}
		var m *Migration
		for _, x := range r.migs {
			if x.Version == version {
				m = x
			}
		}
		tbl := r.q(r.cfg.Table)
		switch how {
		case ResolveApplied:
			if m == nil {
				return fmt.Errorf("resolve %s: no migration file with that version", version)
			}
			if rec == nil {
				_, err = r.cfg.Pool.Exec(ctx, r.insertSQL(), m.Version, m.Name, m.Checksum, "applied", "up",
					len(m.Up), len(m.Up), "", now(), 0)
			} else {
				_, err = r.cfg.Pool.Exec(ctx, "UPDATE "+tbl+" SET "+r.q("state")+" = 'applied', "+r.q("direction")+" = 'up', "+
					r.q("progress")+" = "+r.q("total")+", "+r.q("error")+" = '', "+r.q("checksum")+" = "+r.ph(1)+
					" WHERE "+r.q("version")+" = "+r.ph(2), m.Checksum, version)
			}
		case ResolveRolledBack:
			if rec == nil {
				return fmt.Errorf("resolve %s: the history has no migration with that version", version)
			}
			_, err = r.cfg.Pool.Exec(ctx, "DELETE FROM "+tbl+" WHERE "+r.q("version")+" = "+r.ph(1), version)
		default:
			return fmt.Errorf("resolve %s: unknown resolution %d", version, how)
		}
		if err != nil {
			return fmt.Errorf("resolve %s: %w", version, err)
		}
		return nil
	})
}
