package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/dlayer/dlayer/internal/erd"
)

func init() {
	register(&command{
		name:    "erd",
		args:    "[--format mermaid|dot|svg] [--models M,...] [-o FILE] [DIR|FILE...]",
		summary: "draw an entity-relationship diagram of a schema",
		help: `erd draws the tables of a schema (default DIR ".") with their columns, types,
keys (PK, FK, UK) and nullability, and the foreign keys between them with
their cardinality: one-to-many, one-to-one (a unique key), optional when the
key is nullable, self-references, and many-to-many relationships through
their association tables.

Formats: mermaid (default) is a Mermaid erDiagram, which GitHub, GitLab and
many Markdown tools render inside a mermaid code block; dot is a Graphviz
graph; svg is that graph rendered by Graphviz's dot, which must be on PATH
(Debian/Ubuntu: apt install graphviz; macOS: brew install graphviz).

--models limits the diagram to the named models (or tables), comma-separated
or repeated, with the association tables between them.

Exit status: 0 drawn; 1 the schema has errors; 2 bad usage, an unknown
model, a file that cannot be read or written, or Graphviz missing or
failing.`,
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			format := fs.String("format", "mermaid", "output `format`: mermaid, dot or svg")
			var models listFlag
			fs.Var(&models, "models", "draw only these `models` (comma-separated, or repeat the flag)")
			out := fs.String("o", "", "write to `FILE` instead of standard output")
			return func(ctx context.Context, e *env, args []string) int {
				return runERD(ctx, e, args, *format, models, *out)
			}
		},
	})
}

// listFlag is a comma-separated, repeatable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// errNoDot is returned when --format svg finds no Graphviz.
var errNoDot = errors.New("--format svg needs Graphviz's dot on PATH (Debian/Ubuntu: apt install graphviz; macOS: brew install graphviz); " +
	"or write --format dot and render it elsewhere, or use --format mermaid")

func runERD(ctx context.Context, e *env, args []string, format string, models []string, out string) int {
	switch format {
	case "mermaid", "dot", "svg":
	default:
		fmt.Fprintf(e.stderr, "dlayer erd: unknown --format %q (want mermaid, dot or svg)\n", format)
		return exitUsage
	}
	var dotPath string
	if format == "svg" {
		p, err := exec.LookPath("dot")
		if err != nil {
			fmt.Fprintf(e.stderr, "dlayer erd: %v\n", errNoDot)
			return exitUsage
		}
		dotPath = p
	}
	sch, code := loadSchema(e, args)
	if sch == nil {
		return code
	}
	d, err := erd.New(sch, models)
	if err != nil {
		fmt.Fprintf(e.stderr, "dlayer %v\n", err)
		return exitUsage
	}
	var buf bytes.Buffer
	switch format {
	case "mermaid":
		err = d.Mermaid(&buf)
	default:
		err = d.DOT(&buf)
	}
	if err == nil && format == "svg" {
		var svg, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, dotPath, "-Tsvg")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = &buf, &svg, &stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(e.stderr, "dlayer erd: graphviz dot failed: %v: %s\n", err, strings.TrimSpace(stderr.String()))
			return exitUsage
		}
		buf = svg
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "dlayer erd: %v\n", err)
		return exitUsage
	}
	if out != "" {
		if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
			fmt.Fprintf(e.stderr, "dlayer erd: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	if _, err := e.stdout.Write(buf.Bytes()); err != nil {
		return exitUsage
	}
	return exitOK
}
