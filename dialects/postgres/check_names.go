package postgres

import "github.com/dlayer/dlayer/dialects"

// checkNames: PostgreSQL keeps tables, indexes and the indexes behind
// unique constraints in one namespace per schema.
var checkNames = dialects.NameScope{Dialect: "PostgreSQL", Tables: true, Indexes: true, Uniques: true}.Check
