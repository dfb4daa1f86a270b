package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/loader"
	"github.com/dlayer/dlayer/schemas"
	"github.com/dlayer/dlayer/spec"
)

func init() {
	register(&command{
		name:    "validate",
		args:    "[DIR|FILE...]",
		summary: "check schema files and report every problem",
		help: `validate loads the schema made of the given directories (their *.yaml and
*.yml files, recursively) and files, default ".", and reports every problem
with its file:line:col and rule code. Without arguments it loads the models
directory of the project file (dlayer.yaml), else ".".

With --dialect it also reports what that database cannot create as written
(a type of another database, say), so a schema can be checked for its
target before DDL or migrations are generated.

Exit status: 0 when valid (warnings allowed unless --strict), 1 when there
are errors, 2 on bad usage or when a file cannot be read.`,
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			format := fs.String("format", "text", "output `format`: text, json or github (workflow-command annotations)")
			strict := fs.Bool("strict", false, "treat warnings as errors")
			dialect := fs.String("dialect", "", "also check the schema against a target `dialect`: sqlite, postgres or mysql")
			return func(_ context.Context, e *env, args []string) int {
				return validate(e, args, *format, *strict, *dialect)
			}
		},
	})
	register(&command{
		name:    "schema",
		summary: "print the JSON Schema of schema files",
		args:    "[--write PATH]",
		help: `schema prints the JSON Schema (draft-07) that schema files follow, or
with --write writes it to PATH (a file, or a directory to write
dlayer.schema.json in). Editors use it for completion, documentation and
checking as you type through a modeline on the first line of each schema
file, with a path relative to that file, which needs no network:

    # yaml-language-server: $schema=../schemas/dlayer.schema.json

(dlayer inspect writes that modeline for you; see docs/yaml.md).`,
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			write := fs.String("write", "", "write the schema to `PATH` (a file, or a directory for PATH/dlayer.schema.json) instead of printing it")
			return func(_ context.Context, e *env, args []string) int {
				if len(args) > 0 {
					fmt.Fprintf(e.stderr, "dlayer schema: takes no arguments\n")
					return exitUsage
				}
				if *write != "" {
					path := *write
					if st, err := os.Stat(path); err == nil && st.IsDir() {
						path = filepath.Join(path, "dlayer.schema.json")
					}
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						fmt.Fprintf(e.stderr, "dlayer schema: %v\n", err)
						return exitUsage
					}
					if err := os.WriteFile(path, schemas.JSON, 0o644); err != nil {
						fmt.Fprintf(e.stderr, "dlayer schema: %v\n", err)
						return exitUsage
					}
					fmt.Fprintf(e.stdout, "wrote %s; name it on the first line of each schema file, relative to that file:\n"+
						"# yaml-language-server: $schema=<path to %s>\n", path, filepath.Base(path))
					return exitOK
				}
				if _, err := e.stdout.Write(schemas.JSON); err != nil {
					return exitUsage
				}
				return exitOK
			}
		},
	})
}

func validate(e *env, args []string, format string, strict bool, dialect string) int {
	switch format {
	case "text", "json", "github":
	default:
		fmt.Fprintf(e.stderr, "dlayer validate: unknown --format %q (want text, json or github)\n", format)
		return exitUsage
	}
	var target dialects.Dialect
	if dialect != "" {
		drv, err := dialects.Lookup(dialect + ":")
		if err != nil {
			fmt.Fprintf(e.stderr, "dlayer validate: unknown --dialect %q (want sqlite, postgres or mysql)\n", dialect)
			return exitUsage
		}
		target = drv.Dialect()
	}
	args = e.modelPaths(args)
	sources := loader.Sources{}
	limits, err := loader.LimitsFromEnv()
	if err != nil {
		fmt.Fprintf(e.stderr, "dlayer validate: %v\n", err)
		return exitUsage
	}
	sch, ds := loader.LoadPaths(args, append(limits, loader.CollectSources(sources))...)
	if target != nil && sch != nil && !ds.HasErrors() {
		ds = append(ds, dialects.CheckSchema(target, sch)...).Sort()
	}
	switch format {
	case "json":
		err = loader.FormatJSON(e.stdout, ds)
	case "github":
		err = loader.FormatGitHub(e.stdout, ds)
	default:
		err = loader.FormatText(e.stdout, ds, sources)
		if err == nil {
			err = summary(e, sch, ds)
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "dlayer validate: write output: %v\n", err)
		return exitUsage
	}
	errs, warns := count(ds)
	for _, d := range ds {
		if d.Rule == loader.RuleIOError {
			return exitUsage
		}
	}
	if errs > 0 || strict && warns > 0 {
		return exitFail
	}
	return exitOK
}

func count(ds spec.Diagnostics) (errs, warns int) {
	for _, d := range ds {
		if d.Severity == spec.SeverityError {
			errs++
		} else {
			warns++
		}
	}
	return errs, warns
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func summary(e *env, sch *spec.Schema, ds spec.Diagnostics) error {
	errs, warns := count(ds)
	status := "valid"
	if errs > 0 {
		status = "invalid"
	}
	_, err := fmt.Fprintf(e.stdout, "%s: %s, %s, %s, %s; %s, %s\n", status,
		plural(len(sch.Files), "file"), plural(len(sch.Models), "model"), plural(len(sch.Tables), "table"),
		plural(len(sch.Types), "type"), plural(errs, "error"), plural(warns, "warning"))
	return err
}

// loadSchema is for commands that need a valid schema (ddl, migrate, …):
// it loads the given directories and files (default: the project's models
// directory, else "."), prints any
// diagnostics to stderr as text, and returns the schema when it holds no
// error. Otherwise it returns nil and the exit code to use: exitUsage for
// unreadable paths, exitFail for an invalid schema.
func loadSchema(e *env, paths []string) (*spec.Schema, int) {
	paths = e.modelPaths(paths)
	sources := loader.Sources{}
	limits, err := loader.LimitsFromEnv()
	if err != nil {
		fmt.Fprintf(e.stderr, "dlayer: %v\n", err)
		return nil, exitUsage
	}
	sch, ds := loader.LoadPaths(paths, append(limits, loader.CollectSources(sources))...)
	if len(ds) > 0 {
		loader.FormatText(e.stderr, ds, sources)
	}
	for _, d := range ds {
		if d.Rule == loader.RuleIOError {
			return nil, exitUsage
		}
	}
	if ds.HasErrors() {
		return nil, exitFail
	}
	return sch, exitOK
}
