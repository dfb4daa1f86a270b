// Package migrate turns schema changes into versioned SQL migration files
// and applies them safely.
//
// Diff compares two schemas (the YAML models against a live database read
// by a dialect's Inspector, or against the state the migration directory
// produces) and returns a Plan: the ordered changes up and down. Renames
// are never guessed; they come from renamed_from keys. A dialect's Migrator
// turns the changes into SQL (SQLite rebuilds tables it cannot alter), and
// Render writes the migration file, whose format is described on Migration.
//
// A Runner applies (Up), reverts (Down) and reports (Status, History)
// migrations, recording each in a history table with the file's checksum.
// A migration runs in one transaction where DDL is transactional; elsewhere
// (MySQL, MariaDB) progress is recorded per statement, and an interrupted
// migration leaves the history dirty until Resolve. A database-wide lock
// makes concurrent migrators apply each migration once. Run is the one-call
// form for applications that embed their migrations.
package migrate
