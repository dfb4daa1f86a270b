package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Formats lists the output formats of Write.
var Formats = []string{"text", "json", "github"}

// Write prints findings in format "text" (file:line:col lines, each with
// its safe sequence), "json" (an object with the findings and the counts)
// or "github" (GitHub Actions workflow commands, which annotate the lines
// of a pull request).
func Write(w io.Writer, format string, findings []Finding, files int) error {
	errs, warns := 0, 0
	for _, f := range findings {
		if f.Severity == Error {
			errs++
		} else {
			warns++
		}
	}
	switch format {
	case "json":
		if findings == nil {
			findings = []Finding{}
		}
		b, err := json.MarshalIndent(map[string]any{"files": files, "errors": errs, "warnings": warns, "findings": findings}, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	case "github":
		for _, f := range findings {
			level := "error"
			if f.Severity != Error {
				level = "warning"
			}
			fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,title=%s %s::%s%%0ASafer: %s\n", level, ghProp(f.File), f.Line, f.Col,
				ghProp(f.Rule), ghProp(f.Name), ghData(f.Message), ghData(f.Fix))
		}
		return nil
	case "text", "":
		for _, f := range findings {
			fmt.Fprintf(w, "%s\n    safer: %s\n", f, f.Fix)
		}
		fmt.Fprintf(w, "%d %s linted: %d %s, %d %s\n", files, plural(files, "file"), errs, plural(errs, "error"), warns, plural(warns, "warning"))
		return nil
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

// ghData escapes the message of a workflow command.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProp escapes a property value of a workflow command.
func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
