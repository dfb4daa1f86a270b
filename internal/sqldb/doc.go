// Package sqldb adapts a database/sql handle to dialects.Pool, for the
// drivers dlayer runs through database/sql (SQLite and MySQL/MariaDB).
// Scanned values are converted with package conv, so every driver fills the
// destinations dialects.Rows documents the same way.
package sqldb
