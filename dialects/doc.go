// Package dialects defines what dlayer asks of a database: the Dialect
// interface (SQL compilation, quoting, placeholders, type names, DDL, error
// translation, feature bits) and the Driver interfaces that run SQL. One
// sub-package per database implements them.
//
// Code above this boundary asks for features (d.Features().Has(Returning)),
// never for a dialect's name.
// Features may depend on the server a pool reached, not only on its
// dialect: a pool implementing ServerDialecter (MySQL's, which reads the
// server's version and auto-increment settings when it opens) gives Open a
// dialect value for that server, so ask the engine's dialect, never a
// package's default.
//
// The URL registry (Register, Lookup, Open) maps a database URL's scheme to
// its driver; a SQLAlchemy driver suffix ("postgresql+asyncpg") finds the
// driver of the part before the '+'. ParseURL reads network URLs strictly,
// refusing any a parser could read differently. Redact and RedactError keep
// passwords out of every message: drivers pass their open errors through
// RedactError, and Open does again. docs/urls.md lists every URL form.
package dialects
