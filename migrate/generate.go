package migrate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// ErrDestructive is returned by Generate when the plan holds destructive
// changes and GenerateOptions.AllowDestructive is not set.
var ErrDestructive = errors.New("the migration would drop data")

// ErrNoChanges is returned by Generate when the schemas are equal.
var ErrNoChanges = errors.New("no schema changes")

// GenerateOptions tunes Generate.
type GenerateOptions struct {
	// Message names the migration (its file name and header).
	Message string
	// AllowDestructive permits dropping tables and columns and narrowing
	// types; such steps are marked in the file.
	AllowDestructive bool
	// Now is the creation time that versions the file; zero means now.
	Now time.Time
}

// Generated is a migration ready to be written.
type Generated struct {
	Plan *Plan
	Up   []string
	Down []string
	// Version and File are the new migration's version and file name.
	Version string
	File    string
	// Text is the file's content.
	Text []byte
}

// DiffOptions returns the diff options for the runner's dialect and
// history tables.
func (r *Runner) DiffOptions() DiffOptions {
	if r == nil {
		return DiffOptions{}
	}
	o := DiffOptions{Skip: []string{r.cfg.Table, r.cfg.Table + "_lock"}}
	if m, ok := r.cfg.Dialect.(dialects.Migrator); ok {
		o.SameType = m.SameType
	}
	o.NoPartialIndex = r.cfg.Dialect != nil && !r.cfg.Dialect.Features().Has(dialects.PartialIndex)
	return o
}

// State returns the schema the migration directory produces: the snapshot
// recorded by its newest migration that has one (an empty schema when
// there is none).
func (r *Runner) State() (*spec.Schema, error) {
	if r == nil {
		return nil, errNilRunner
	}
	for i := len(r.migs) - 1; i >= 0; i-- {
		s, err := r.migs[i].Schema()
		if err != nil {
			return nil, err
		}
		if s != nil {
			return s, nil
		}
	}
	return orEmpty(nil), nil
}

// Inspect reads the live database's schema, without the history tables.
func (r *Runner) Inspect(ctx context.Context) (*spec.Schema, error) {
	if r == nil {
		return nil, errNilRunner
	}
	if r.cfg.Pool == nil {
		return nil, errors.New("inspect: no database connection")
	}
	in, ok := r.cfg.Dialect.(dialects.Inspector)
	if !ok {
		return nil, fmt.Errorf("inspect: dialect %s cannot read a database's schema", r.cfg.Dialect.Name())
	}
	return in.Inspect(ctx, r.cfg.Pool, r.cfg.Table, r.cfg.Table+"_lock")
}

// Diff compares from with to using the runner's dialect to compare types.
func (r *Runner) Diff(from, to *spec.Schema) (*Plan, error) {
	if r == nil {
		return nil, errNilRunner
	}
	return Diff(from, to, r.DiffOptions())
}

// Generate writes the migration that turns from into to (from is usually
// State() or Inspect(ctx), to the loaded YAML). It returns ErrNoChanges
// when there is nothing to do and ErrDestructive (listing the steps) when
// the plan drops data and opts.AllowDestructive is false. The version is
// the UTC time, made later than every existing migration's.
func (r *Runner) Generate(from, to *spec.Schema, opts GenerateOptions) (*Generated, error) {
	if r == nil {
		return nil, errNilRunner
	}
	mg, ok := r.cfg.Dialect.(dialects.Migrator)
	if !ok {
		return nil, fmt.Errorf("generate: dialect %s cannot write migrations", r.cfg.Dialect.Name())
	}
	plan, err := r.Diff(from, to)
	if err != nil {
		return nil, err
	}
	if plan.Empty() {
		return nil, ErrNoChanges
	}
	if d := plan.Destructive(); len(d) > 0 && !opts.AllowDestructive {
		var steps []string
		for _, c := range d {
			steps = append(steps, Describe(c))
		}
		return nil, fmt.Errorf("%w: %s; set GenerateOptions.AllowDestructive to write it anyway", ErrDestructive, strings.Join(steps, "; "))
	}
	up, err := mg.MigrateSQL(plan.Up)
	if err != nil {
		return nil, fmt.Errorf("generate up: %w", err)
	}
	if dm, ok := r.cfg.Dialect.(dialects.DomainMaker); ok {
		doms, err := dm.CreateDomainsSQL(to, domainsUsed(plan.Up))
		if err != nil {
			return nil, fmt.Errorf("generate up: %w", err)
		}
		up = append(doms, up...)
	}
	down, err := mg.MigrateSQL(plan.Down)
	if err != nil {
		return nil, fmt.Errorf("generate down: %w", err)
	}
	t := opts.Now
	if t.IsZero() {
		t = time.Now()
	}
	version, parent := newVersion(r.migs, t)
	msg := opts.Message
	if strings.TrimSpace(msg) == "" {
		msg = "migration"
	}
	text, err := render(msg, r.cfg.Dialect.Name(), parent, plan, up, down, to)
	if err != nil {
		return nil, err
	}
	return &Generated{Plan: plan, Up: up, Down: down, Version: version, File: version + "_" + Slug(msg) + ".sql", Text: text}, nil
}

// newVersion returns the version of a migration created at t after migs
// (the UTC time, made later than the newest file's version) and its parent
// (the newest file's version, "none" for the first).
func newVersion(migs []*Migration, t time.Time) (version, parent string) {
	version, parent = t.UTC().Format("20060102150405"), "none"
	if n := len(migs); n > 0 {
		parent = migs[n-1].Version
		if compareVersions(version, parent) <= 0 {
			version = nextVersion(parent)
		}
	}
	return version, parent
}

// nextVersion returns v + 1 as a decimal string of at least v's length.
func nextVersion(v string) string {
	b := []byte(v)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}

// domainsUsed names the domains the columns created or changed by changes
// are declared with, in name order.
func domainsUsed(changes []dialects.Change) []string {
	seen := map[string]bool{}
	add := func(c *spec.Column) {
		if c != nil && c.Type.Domain != "" {
			seen[c.Type.Domain] = true
		}
	}
	for _, ch := range changes {
		switch ch.Kind {
		case dialects.CreateTable:
			if ch.Table != nil {
				for _, c := range ch.Table.Columns {
					add(c)
				}
			}
		case dialects.AddColumn, dialects.AlterColumn:
			add(ch.Column)
		}
	}
	return slices.Sorted(maps.Keys(seen))
}
