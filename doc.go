// Package dlayer is a declarative, YAML-driven data layer for Go: models are
// described in YAML, loaded at run time (no generated code), and used through
// a SQLAlchemy-style engine and query builder on SQLite, PostgreSQL and
// MySQL/MariaDB.
//
// Open is the one call from a models directory (or fs.FS) and a database URL
// to a ready engine.Engine; it imports every dialect. Programs that want a
// smaller binary import package engine and only the dialect packages they
// use.
package dlayer
