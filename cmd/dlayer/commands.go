package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/dlayer/dlayer/dialects"
)

// Exit codes shared by every command.
const (
	exitOK    = 0 // success
	exitFail  = 1 // the command ran and found problems (invalid schema, failed check)
	exitUsage = 2 // bad usage, or an I/O or connection error
	exitLossy = 3 // inspect: the YAML was written, but some objects were skipped or approximated
)

// env is what a command may touch: its standard streams, and the project
// settings (dlayer.yaml, --env) the framework resolved for it.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// settings is nil for the commands marked noProject.
	settings *settings
}

// command is one dlayer subcommand. To add one, create a file in this
// package whose init function calls register; nothing else needs editing:
//
//	func init() {
//		register(&command{
//			name:    "ddl",
//			args:    "[DIR|FILE...]",
//			summary: "print CREATE statements for a schema",
//			help:    "ddl prints …",
//			setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
//				dialect := fs.String("dialect", "postgres", "target `dialect`")
//				return func(ctx context.Context, e *env, args []string) int {
//					sch, code := loadSchema(e, args)
//					if sch == nil {
//						return code
//					}
//					…
//					return exitOK
//				}
//			},
//		})
//	}
//
// Flags may come before or after positional arguments; --help on any
// command prints its usage and flags; exit codes are exitOK, exitFail and
// exitUsage.
type command struct {
	// name is the word after "dlayer".
	name string
	// args describes the positional arguments, e.g. "[DIR|FILE...]".
	args string
	// summary is the one line shown by `dlayer help`.
	summary string
	// help is the longer text shown by `dlayer help <name>` and --help.
	help string
	// setup declares the command's flags on fs and returns the function
	// that runs it with the positional arguments, returning an exit code.
	setup func(fs *flag.FlagSet) func(ctx context.Context, e *env, args []string) int
	// kinds says what a flag's value is, keyed by flag name ("" for the
	// positional arguments). The framework fills a flag of kind kindURL,
	// kindDialect, kindModelsDir or kindMigrationsDir that was not given on
	// the command line from the project file and the environment, and
	// shell completion offers values by kind. Flags need no entry when
	// their kind can be told from their name and usage (see flagKind):
	// url, dialect, a models or migration directory, env, config, format.
	kinds map[string]valueKind
	// hidden keeps the command out of the usage list and completion.
	hidden bool
	// noProject: the command reads no project file and has no --config
	// and --env flags (help, version, init, completion).
	noProject bool
}

var commands = map[string]*command{}

// register adds a command; it panics on a duplicate name, which is a
// programming error caught by any test run.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("dlayer: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is used.
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "dlayer is a declarative, YAML-driven data layer for Go.\n\n")
	fmt.Fprintf(w, "Usage:\n  dlayer <command> [flags] [args]\n  dlayer help <command>\n  dlayer --version\n\nCommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if commands[n].hidden {
			continue
		}
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\nRun 'dlayer help <command>' or 'dlayer <command> --help' for details.\n")
}

// newFlagSet builds the flag set of c, with its usage text.
func newFlagSet(c *command, out io.Writer) (*flag.FlagSet, func(context.Context, *env, []string) int) {
	fs := flag.NewFlagSet("dlayer "+c.name, flag.ContinueOnError)
	fs.SetOutput(out)
	runner := c.setup(fs)
	if !c.noProject {
		if fs.Lookup("config") == nil {
			fs.String("config", "", "project `file` (default: dlayer.yaml here or in a parent directory, or $DLAYER_CONFIG)")
		}
		if fs.Lookup("env") == nil {
			fs.String("env", "", "project environment `name` from dlayer.yaml (default $DLAYER_ENV, else the file's env)")
		}
	}
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: dlayer %s [flags] %s\n\n%s\n", c.name, c.args, strings.TrimSpace(c.help))
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintf(out, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs, runner
}

// run dispatches the command line and returns the process exit code.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(e.stdout)
		return exitOK
	case "-version", "--version", "-v":
		fmt.Fprintf(e.stdout, "dlayer %s\n", versionString())
		return exitOK
	case completeCommand:
		complete(e.stdout, args[1:])
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "dlayer: unknown command %q\n\n", dialects.Redact(args[0]))
		usage(e.stderr)
		return exitUsage
	}
	fs, runner := newFlagSet(c, io.Discard)
	pos, err := parseInterleaved(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fs2, _ := newFlagSet(c, e.stdout)
		fs2.Usage()
		return exitOK
	}
	if err != nil {
		// flag quotes the offending value, which may be a URL.
		for _, a := range args {
			err = dialects.RedactError(err, a)
		}
		fmt.Fprintf(e.stderr, "dlayer %s: %v\n", c.name, err)
		fs2, _ := newFlagSet(c, e.stderr)
		fs2.Usage()
		return exitUsage
	}
	if !c.noProject {
		s, err := applySettings(c, fs)
		if err != nil {
			fmt.Fprintf(e.stderr, "dlayer %s: %v\n", c.name, err)
			return exitUsage
		}
		e2 := *e
		e2.settings = s
		e = &e2
	}
	return runner(ctx, e, pos)
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments ("dlayer validate models --strict"); everything after
// "--" is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func init() {
	register(&command{
		name:      "help",
		noProject: true,
		kinds:     map[string]valueKind{"": kindCommand},
		args:      "[COMMAND]",
		summary:   "show help for dlayer or one command",
		help:      "help lists the commands, or shows the usage and flags of one command.",
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			return func(_ context.Context, e *env, args []string) int {
				switch len(args) {
				case 0:
					usage(e.stdout)
					return exitOK
				case 1:
					c, ok := commands[args[0]]
					if !ok {
						fmt.Fprintf(e.stderr, "dlayer help: unknown command %q\n", dialects.Redact(args[0]))
						return exitUsage
					}
					fs, _ := newFlagSet(c, e.stdout)
					fs.Usage()
					return exitOK
				}
				fmt.Fprintf(e.stderr, "usage: dlayer help [COMMAND]\n")
				return exitUsage
			}
		},
	})
	register(&command{
		name:      "version",
		noProject: true,
		summary:   "print the version",
		help:      "version prints dlayer's version (also: dlayer --version).",
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			return func(_ context.Context, e *env, args []string) int {
				if len(args) > 0 {
					fmt.Fprintf(e.stderr, "usage: dlayer version\n")
					return exitUsage
				}
				fmt.Fprintf(e.stdout, "dlayer %s\n", versionString())
				return exitOK
			}
		},
	})
}
