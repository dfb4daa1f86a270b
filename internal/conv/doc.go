// Package conv converts the values database/sql drivers return (int64,
// float64, string, []byte, time.Time, nil) into the destinations dlayer's
// dialects.Rows promises to fill, for the drivers (SQLite, MySQL) whose
// storage does not match the Go type one to one: booleans stored as
// integers, times stored as text, decimals returned as bytes.
package conv
