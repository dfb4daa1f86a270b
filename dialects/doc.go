// Package dialects defines what dlayer asks of a database: the Dialect
// interface (SQL compilation, quoting, placeholders, type names, DDL, error
// translation, feature bits) and the Driver interfaces that run SQL. One
// sub-package per database implements them.
//
// Code above this boundary asks for features (d.Features().Has(Returning)),
// never for a dialect's name.
package dialects
