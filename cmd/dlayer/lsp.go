package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/lsp"
	"github.com/dlayer/dlayer/loader"
)

func init() {
	register(&command{
		name:    "lsp",
		summary: "run the language server for schema files (LSP over stdio)",
		help: `lsp runs dlayer's language server: the Language Server Protocol over standard
input and output, for editors (see docs/editors.md). It reports what
dlayer validate reports, as you type, for every file of the schema
directory, and completes keys, enum values, model, type, table and column
names; hover shows resolved columns and relationships; go to definition,
find references, rename of models and type aliases, and quick fixes for
"did you mean" diagnostics.

A file's schema directory is the one named in the client's
initializationOptions {"schemaDirs": [...]} that holds it, else its own
directory (or a parent that holds schema files too).

Exit status: 0 after the client's shutdown and exit, 1 when the client
exits without shutdown or closes the stream, 2 on bad usage.`,
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			// Editors' LSP clients commonly pass --stdio; stdio is the only transport.
			fs.Bool("stdio", true, "speak LSP over standard input and output (the default and only transport)")
			return func(ctx context.Context, e *env, args []string) int {
				if len(args) > 0 {
					fmt.Fprintf(e.stderr, "dlayer lsp: takes no arguments\n")
					return exitUsage
				}
				limits, err := loader.LimitsFromEnv()
				if err != nil {
					fmt.Fprintf(e.stderr, "dlayer lsp: %v\n", err)
					return exitUsage
				}
				var ds []dialects.Dialect
				for _, name := range []string{"postgres", "mysql", "sqlite"} {
					if drv, err := dialects.Lookup(name + ":"); err == nil {
						ds = append(ds, drv.Dialect())
					}
				}
				err = lsp.Serve(ctx, e.stdin, e.stdout, lsp.Options{Loader: limits, Dialects: ds, Version: versionString(), Log: e.stderr})
				switch {
				case err == nil:
					return exitOK
				case errors.Is(err, lsp.ErrNoShutdown):
					return exitFail
				}
				fmt.Fprintf(e.stderr, "dlayer lsp: %v\n", err)
				return exitFail
			}
		},
	})
}
