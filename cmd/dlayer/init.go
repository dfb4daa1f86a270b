package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dlayer/dlayer/schemas"
)

// schemaDir is where `dlayer init` puts the JSON Schemas the editor
// modelines point at, relative to the project root.
const schemaDir = ".dlayer/schemas"

const starterProject = `# yaml-language-server: $schema=.dlayer/schemas/project.schema.json
# dlayer project file: every dlayer command run in this directory or below
# reads it. Flags given on the command line override it. See
# https://github.com/dlayer/dlayer/blob/main/docs/project.md
models: models

migrations: migrations

dialect: sqlite

# The environment used when neither --env nor DLAYER_ENV names one.
env: dev

environments:
  dev: {url: sqlite:dev.db}
  ci:
    # ${NAME} is read from the environment variable NAME.
    url: ${DATABASE_URL}
`

const starterUsers = `# yaml-language-server: $schema=../.dlayer/schemas/dlayer.schema.json
# A starter model: edit it, then run ` + "`dlayer validate`" + ` and ` + "`dlayer migrate diff -m \"...\"`" + `.
models:
  User:
    table: users
    columns:
      id:    {type: integer, primary_key: true}
      name:  {type: string, length: 100}
      email: {type: string, length: 200, unique: true}
    relationships:
      posts: {target: Post, back_populates: author}
`

const starterPosts = `# yaml-language-server: $schema=../.dlayer/schemas/dlayer.schema.json
models:
  Post:
    table: posts
    columns:
      id:        {type: integer, primary_key: true}
      title:     {type: string, length: 200}
      body:      {type: text, nullable: true}
      author_id: {type: integer, foreign_key: users.id}
    relationships:
      author: {target: User, back_populates: posts}
    indexes:
      - {columns: [author_id]}
`

const starterIgnore = `# dlayer: the local SQLite development database
*.db
*.db-journal
*.db-wal
*.db-shm
`

// starterFiles are the files `dlayer init` writes, by path relative to
// the project root.
func starterFiles() []struct{ path, text string } {
	return []struct{ path, text string }{
		{"dlayer.yaml", starterProject},
		{"models/users.yaml", starterUsers},
		{"models/posts.yaml", starterPosts},
		{"migrations/.gitkeep", ""},
		{".gitignore", starterIgnore},
		{schemaDir + "/dlayer.schema.json", string(schemas.JSON)},
		{schemaDir + "/project.schema.json", string(schemas.ProjectJSON)},
	}
}

func init() {
	register(&command{
		name:      "init",
		args:      "[DIR]",
		summary:   "start a project: dlayer.yaml, example models, a migrations directory",
		noProject: true,
		kinds:     map[string]valueKind{"": kindDir},
		help: `init writes a starter project into DIR (default "."):

  dlayer.yaml              the project file (models and migrations directories,
                           dialect, environments dev and ci)
  models/users.yaml        two example models, with the editor modeline
  models/posts.yaml
  migrations/              the migration directory
  .gitignore               ignores the SQLite development database (lines
                           added to an existing .gitignore)
  .dlayer/schemas/         the JSON Schemas the modelines point at

The result validates and migrates as it is, on SQLite:

  dlayer validate && dlayer migrate diff -m init && dlayer migrate up

init never overwrites a file: when one of them exists it writes nothing
and says which. With --schemas it (re)writes only the JSON Schemas, to
bring an editor up to date after upgrading dlayer.

Exit status: 0 written, 1 a file exists already, 2 bad usage or an I/O error.`,
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			schemasOnly := fs.Bool("schemas", false, "only (re)write the JSON Schemas under .dlayer/schemas")
			return func(_ context.Context, e *env, args []string) int {
				if len(args) > 1 {
					fmt.Fprintf(e.stderr, "usage: dlayer init [DIR]\n")
					return exitUsage
				}
				dir := "."
				if len(args) == 1 {
					dir = args[0]
				}
				return initProject(e, dir, *schemasOnly)
			}
		},
	})
}

func initProject(e *env, dir string, schemasOnly bool) int {
	files := starterFiles()
	if schemasOnly {
		files = files[len(files)-2:]
	} else {
		var exists []string
		for _, f := range files {
			p := filepath.Join(dir, filepath.FromSlash(f.path))
			if f.path == ".gitignore" {
				continue // appended to, not overwritten
			}
			if _, err := os.Lstat(p); err == nil {
				exists = append(exists, p)
			} else if !errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(e.stderr, "dlayer init: %v\n", err)
				return exitUsage
			}
		}
		if len(exists) > 0 {
			fmt.Fprintf(e.stderr, "dlayer init: not overwriting %s; nothing written (remove them or init another directory)\n", strings.Join(exists, ", "))
			return exitFail
		}
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			fmt.Fprintf(e.stderr, "dlayer init: %v\n", err)
			return exitUsage
		}
		if f.path == ".gitignore" {
			if err := appendLines(p, f.text); err != nil {
				fmt.Fprintf(e.stderr, "dlayer init: %v\n", err)
				return exitUsage
			}
			fmt.Fprintf(e.stdout, "updated %s\n", p)
			continue
		}
		flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		if !schemasOnly {
			flags = os.O_WRONLY | os.O_CREATE | os.O_EXCL // never overwrite, even in a race
		}
		out, err := os.OpenFile(p, flags, 0o644)
		if err == nil {
			_, err = out.WriteString(f.text)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "dlayer init: %v\n", err)
			return exitUsage
		}
		fmt.Fprintf(e.stdout, "wrote %s\n", p)
	}
	if !schemasOnly {
		fmt.Fprintf(e.stdout, "\nNext: cd %s && dlayer validate && dlayer migrate diff -m init && dlayer migrate up\n", dir)
	}
	return exitOK
}

// appendLines adds to the file at path the lines of text it lacks
// (creating it when missing).
func appendLines(path, text string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(old), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	var add strings.Builder
	if len(old) > 0 && !strings.HasSuffix(string(old), "\n") {
		add.WriteString("\n")
	}
	n := 0
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if !have[strings.TrimSpace(l)] {
			add.WriteString(l + "\n")
			n++
		}
	}
	if n == 0 {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(add.String())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
