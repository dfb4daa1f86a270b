package dlayer

import (
	"context"
	"fmt"
	"io/fs"

	_ "github.com/dlayer/dlayer/dialects/mysql"    // mysql:// and mariadb://
	_ "github.com/dlayer/dlayer/dialects/postgres" // postgres:// and postgresql://
	_ "github.com/dlayer/dlayer/dialects/sqlite"   // sqlite:
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/loader"
	"github.com/dlayer/dlayer/spec"
)

// Open loads a schema and connects to the database at url, returning a
// ready Engine. models is where the schema comes from:
//
//	string       a directory of *.yaml / *.yml files (loader.LoadDir)
//	fs.FS        a file system of them, such as an embed.FS (loader.Load)
//	*spec.Schema a schema already loaded
//
// Any error diagnostic of the schema fails Open with every diagnostic in
// the error (a spec.Diagnostics, for errors.As); warnings are ignored. url
// picks the database: sqlite:app.db, sqlite::memory:, postgres://…,
// postgresql://…, mysql://…, mariadb://…, and SQLAlchemy's forms
// (sqlite:///relative.db, sqlite:////absolute.db, postgresql+asyncpg://…);
// docs/urls.md lists them all. No error shows the URL's password. Options
// configure the pool, logging and tracing (see package engine).
func Open(ctx context.Context, models any, url string, opts ...engine.Option) (*engine.Engine, error) {
	s, err := LoadSchema(models)
	if err != nil {
		return nil, err
	}
	e, err := engine.Open(ctx, url, append(opts, engine.WithSchema(s))...)
	if err != nil {
		return nil, fmt.Errorf("dlayer: %w", err)
	}
	return e, nil
}

// LoadSchema loads a schema from a directory path, an fs.FS or (returned
// as is) a *spec.Schema, failing on any error diagnostic.
func LoadSchema(models any) (*spec.Schema, error) {
	var (
		s  *spec.Schema
		ds spec.Diagnostics
	)
	switch m := models.(type) {
	case *spec.Schema:
		if m == nil {
			return nil, fmt.Errorf("dlayer: load models: nil *spec.Schema")
		}
		return m, nil
	case string:
		s, ds = loader.LoadDir(m)
	case fs.FS:
		s, ds = loader.Load(m)
	case nil:
		return nil, fmt.Errorf("dlayer: load models: no models given (want a directory, an fs.FS or a *spec.Schema)")
	default:
		return nil, fmt.Errorf("dlayer: load models: unsupported %T (want a directory path, an fs.FS or a *spec.Schema)", models)
	}
	if err := ds.Errors().Sort().Err(); err != nil {
		return nil, fmt.Errorf("dlayer: load models: %w", err)
	}
	if s == nil {
		return nil, fmt.Errorf("dlayer: load models: no schema")
	}
	return s, nil
}
