package main

import (
	"flag"
	"os"
	"strings"
)

// valueKind is what a flag's value (or a positional argument) is: it
// decides which setting of the project file fills the flag when it is not
// given, and what shell completion offers for it.
type valueKind string

// The value kinds.
const (
	kindNone          valueKind = ""
	kindURL           valueKind = "url"            // a database URL: --env, DLAYER_DATABASE_URL, dlayer.yaml
	kindDialect       valueKind = "dialect"        // postgres, mysql or sqlite: dlayer.yaml
	kindModelsDir     valueKind = "models-dir"     // the YAML schema directory: dlayer.yaml models
	kindMigrationsDir valueKind = "migrations-dir" // the migration directory: dlayer.yaml migrations
	kindModel         valueKind = "model"          // model names (a comma-separated list allowed)
	kindFile          valueKind = "file"           // a file or directory path
	kindDir           valueKind = "dir"            // a directory path
	kindEnv           valueKind = "env"            // an environment name of dlayer.yaml
	kindCommand       valueKind = "command"        // a dlayer command name
)

// dialectNames are the values of a dialect flag.
var dialectNames = []string{"mysql", "postgres", "sqlite"}

// flagKind returns the kind of f on command c: the command's own entry in
// c.kinds, else what the flag's name and usage say, so that commands added
// without a kinds entry get project defaults and completion too:
//
//	url                                   kindURL
//	dialect                               kindDialect
//	env                                   kindEnv
//	config                                kindFile
//	models, models-dir with a directory   kindModelsDir
//	placeholder ("YAML schema `directory`")
//	migrations, migrations-dir, or dir    kindMigrationsDir
//	whose usage speaks of migrations,
//	with a directory placeholder
//	any other directory placeholder       kindDir (completion only: an output
//	                                      directory such as -o is never filled)
//	model, models (not a directory)       kindModel
//	a `file`, `path` placeholder          kindFile
func flagKind(c *command, f *flag.Flag) valueKind {
	if k, ok := c.kinds[f.Name]; ok {
		return k
	}
	if isBoolFlag(f) {
		return kindNone
	}
	placeholder, usage := flag.UnquoteUsage(f)
	placeholder, usage = strings.ToLower(placeholder), strings.ToLower(usage)
	dirLike := strings.Contains(placeholder, "dir")
	switch name := f.Name; {
	case name == "url":
		return kindURL
	case name == "dialect":
		return kindDialect
	case name == "env":
		return kindEnv
	case name == "config":
		return kindFile
	case dirLike && (name == "migrations" || name == "migrations-dir" || name == "dir" && strings.Contains(usage, "migration")):
		return kindMigrationsDir
	case dirLike && (name == "models" || name == "models-dir"):
		return kindModelsDir
	case dirLike:
		return kindDir
	case name == "model" || name == "models" || strings.Contains(placeholder, "model"):
		return kindModel
	case strings.Contains(placeholder, "file") || strings.Contains(placeholder, "path"):
		return kindFile
	}
	return kindNone
}

// argKind returns the kind of c's positional arguments: c.kinds[""], else
// what the args synopsis names (MODEL, DIR, FILE).
func argKind(c *command) valueKind {
	if k, ok := c.kinds[""]; ok {
		return k
	}
	switch a := c.args; {
	case strings.Contains(a, "MODEL"):
		return kindModel
	case strings.Contains(a, "FILE"):
		return kindFile
	case strings.Contains(a, "DIR"):
		return kindDir
	}
	return kindNone
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// applySettings resolves the project file and environment for a parsed
// command line and fills every flag of c the command line left unset whose
// kind has a project setting. Precedence: a flag given on the command line,
// then the environment chosen with --env or DLAYER_ENV, then
// DLAYER_DATABASE_URL (for URLs), then dlayer.yaml, then the flag's default.
// The dialect is filled only for a command that ends up without a database
// URL: with one, the URL says the dialect.
func applySettings(c *command, fs *flag.FlagSet) (*settings, error) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	lookup := func(name string) string {
		if f := fs.Lookup(name); f != nil {
			return f.Value.String()
		}
		return ""
	}
	s, err := resolveSettings(lookup("config"), lookup("env"))
	if err != nil {
		// A broken project file stops the commands that take a setting
		// from it, or were pointed at it; the others (schema, an editor's
		// language server while the file is being edited) run without it.
		needed := given["config"] || given["env"] || os.Getenv("DLAYER_ENV") != "" || os.Getenv("DLAYER_CONFIG") != ""
		fs.VisitAll(func(f *flag.Flag) {
			switch flagKind(c, f) {
			case kindURL, kindDialect, kindModelsDir, kindMigrationsDir:
				needed = needed || !given[f.Name]
			}
		})
		if needed {
			return nil, err
		}
		return &settings{}, nil
	}
	var ferr error
	// URLs first: a command that has a database URL takes its dialect
	// from it, not from the project file.
	hasURL := false
	for _, pass := range []int{1, 2} {
		fs.VisitAll(func(f *flag.Flag) {
			k := flagKind(c, f)
			if ferr != nil || (k == kindURL) != (pass == 1) {
				return
			}
			if given[f.Name] {
				hasURL = hasURL || k == kindURL && f.Value.String() != ""
				return
			}
			var v string
			switch k {
			case kindURL:
				v, ferr = s.url()
				hasURL = hasURL || v != ""
			case kindDialect:
				if !hasURL {
					v = s.dialect()
				}
			case kindModelsDir:
				v = s.modelsDir()
			case kindMigrationsDir:
				v = s.migrationsDir()
			}
			if v != "" && ferr == nil {
				ferr = fs.Set(f.Name, v)
			}
		})
	}
	if ferr != nil {
		return nil, ferr
	}
	return s, nil
}

// modelPaths returns the schema paths a command loads: the arguments,
// else the project's models directory, else ".".
func (e *env) modelPaths(args []string) []string {
	if len(args) > 0 {
		return args
	}
	if d := e.settings.modelsDir(); d != "" {
		return []string{d}
	}
	return []string{"."}
}
