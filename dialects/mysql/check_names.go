package mysql

import "github.com/dlayer/dlayer/dialects"

// checkNames: MySQL and MariaDB scope index names per table, but InnoDB
// keeps foreign-key names in one namespace per database.
var checkNames = dialects.NameScope{Dialect: "MySQL", ForeignKeys: true}.Check
