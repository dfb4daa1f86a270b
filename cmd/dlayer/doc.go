// Command dlayer is dlayer's command-line tool.
//
// Usage:
//
//	dlayer <command> [flags] [args]
//	dlayer help <command>
//	dlayer --version
//
// Commands:
//
//	validate  check schema files and report every problem (exit 0 valid, 1 errors, 2 usage or I/O error)
//	schema    print the JSON Schema of schema files
//	version   print the version
//
// Every command accepts --help. Other commands are documented by
// `dlayer help`.
package main
