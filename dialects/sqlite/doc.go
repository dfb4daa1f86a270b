// Package sqlite is dlayer's SQLite dialect (pure Go, modernc.org/sqlite):
// SQL compilation through the shared compiler (dialects/sqlgen), type
// mapping, DDL, error translation and the driver.
package sqlite
