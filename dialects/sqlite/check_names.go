package sqlite

import "github.com/dlayer/dlayer/dialects"

// checkNames: SQLite keeps tables and indexes in one namespace per
// database (a unique constraint's name names no object of its own).
var checkNames = dialects.NameScope{Dialect: "SQLite", Tables: true, Indexes: true}.Check
