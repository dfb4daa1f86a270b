// Package cli implements the `dlayer migrate` and `dlayer inspect` commands
// as functions that take options and writers and return an exit code (0 ok,
// 1 failure or drift, 2 usage or connection error), so cmd/dlayer only
// parses flags. Import the dialect packages the URLs need.
package cli
