package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dlayer/dlayer/internal/yamlfmt"
)

func init() {
	register(&command{
		name:    "fmt",
		args:    "[--check] [DIR|FILE...|-]",
		summary: "write schema files in the canonical layout",
		help: `fmt rewrites schema files in one canonical layout (see docs/yaml.md,
"Formatting"): the keys of models, columns, relationships, … in the order
the format documents them, small maps and lists in flow style when they fit
in 100 columns, the values of columns and relationships aligned. Every
comment and the yaml-language-server modeline are kept, and so is every
value; fmt is idempotent.

Directories contribute their *.yaml and *.yml files recursively (default:
the project's models directory from dlayer.yaml, else "."; directories whose
name starts with "." and the project file dlayer.yaml are skipped); files named
explicitly are formatted whatever their extension; "-" formats standard
input to standard output. Files are replaced atomically, and only when they
change.

With --check nothing is written: fmt lists the files that are not formatted,
one per line, and exits 1 if there is any (for CI, like gofmt -l).

Exit status: 0 formatted (or, with --check, nothing to format); 1 with
--check, some file is not formatted; 2 bad usage, or a file cannot be read,
parsed as YAML or written.`,
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			check := fs.Bool("check", false, "write nothing; list the files that are not formatted and exit 1 if any")
			return func(_ context.Context, e *env, args []string) int {
				return runFmt(e, args, *check)
			}
		},
	})
}

func runFmt(e *env, args []string, check bool) int {
	if len(args) == 1 && args[0] == "-" {
		src, err := io.ReadAll(io.LimitReader(e.stdin, 64<<20))
		if err != nil {
			fmt.Fprintf(e.stderr, "dlayer fmt: read standard input: %v\n", err)
			return exitUsage
		}
		out, err := yamlfmt.Format(src)
		if err != nil {
			fmt.Fprintf(e.stderr, "dlayer fmt: <stdin>: %v\n", err)
			return exitUsage
		}
		if check {
			if string(out) != string(src) {
				fmt.Fprintln(e.stdout, "<stdin>")
				return exitFail
			}
			return exitOK
		}
		if _, err := e.stdout.Write(out); err != nil {
			return exitUsage
		}
		return exitOK
	}
	files, err := fmtFiles(e.modelPaths(args))
	if err != nil {
		fmt.Fprintf(e.stderr, "dlayer fmt: %v\n", err)
		return exitUsage
	}
	code := exitOK
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(e.stderr, "dlayer fmt: %v\n", err)
			code = exitUsage
			continue
		}
		out, err := yamlfmt.Format(src)
		if err != nil {
			fmt.Fprintf(e.stderr, "dlayer fmt: %s: %v\n", f, strings.TrimPrefix(err.Error(), "yamlfmt: "))
			code = exitUsage
			continue
		}
		if string(out) == string(src) {
			continue
		}
		if check {
			fmt.Fprintln(e.stdout, f)
			if code == exitOK {
				code = exitFail
			}
			continue
		}
		if err := writeAtomic(f, out); err != nil {
			fmt.Fprintf(e.stderr, "dlayer fmt: %v\n", err)
			code = exitUsage
		}
	}
	return code
}

// fmtFiles lists the schema files of the given directories and files, in
// sorted order, each once.
func fmtFiles(args []string) ([]string, error) {
	seen := map[string]bool{}
	var files []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			add(a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != a && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			// dlayer.yaml is the project file, not a schema file (as in the loader).
			if ext := filepath.Ext(p); (ext == ".yaml" || ext == ".yml") && d.Type().IsRegular() && d.Name() != "dlayer.yaml" {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		for _, p := range found {
			add(p)
		}
	}
	return files, nil
}

// writeAtomic replaces path by data: a temporary file in the same
// directory, with path's permissions, renamed over it.
func writeAtomic(path string, data []byte) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".fmt*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(st.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(name, path)
}
