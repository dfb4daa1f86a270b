// Package postgres is dlayer's PostgreSQL dialect (pgx/v5): SQL compilation
// through the shared compiler (dialects/sqlgen), type mapping, DDL with
// native enum types, error translation, inspection and the driver.
package postgres
