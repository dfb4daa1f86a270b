package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/schemas"
	"github.com/santhosh-tekuri/jsonschema/v5"
	"go.yaml.in/yaml/v3"
)

// projectFileName is the name of the project file, looked for in the
// working directory and its parents.
const projectFileName = "dlayer.yaml"

// project is a loaded project file (dlayer.yaml). Its paths are already
// resolved against the file's directory and made relative to the working
// directory where they can be, so that messages name them the way the user
// would type them.
type project struct {
	// File is the path of the project file.
	File string
	// Models and Migrations are the directories (defaults: models and
	// migrations next to the file).
	Models, Migrations string
	// Dialect is the top-level dialect ("" when not given).
	Dialect string
	// Env is the default environment ("" when not given).
	Env string
	// Envs are the named environments.
	Envs map[string]*projectEnv
}

// projectEnv is one named environment.
type projectEnv struct {
	Name    string
	URL     string // as written, before ${VAR} expansion
	Dialect string
	urlPos  string // file:line:col of the url value
}

// envNames returns the environment names, sorted.
func (p *project) envNames() []string {
	if p == nil {
		return nil
	}
	names := make([]string, 0, len(p.Envs))
	for n := range p.Envs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// projectError is a project file that cannot be used: every problem, each
// located as file:line:col.
type projectError struct {
	file     string
	problems []string
}

func (e *projectError) Error() string {
	if len(e.problems) == 1 {
		return e.problems[0]
	}
	return fmt.Sprintf("%s has %d problems:\n  %s", e.file, len(e.problems), strings.Join(e.problems, "\n  "))
}

// findProject returns the project file to use: explicit (from --config or
// DLAYER_CONFIG) when given, which must exist; otherwise dlayer.yaml in
// the working directory or the nearest parent that has one. It returns
// nil, nil when there is none.
func findProject(explicit string) (*project, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return nil, fmt.Errorf("project file: %w", err)
		}
		return loadProject(explicit)
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, nil
	}
	for dir := wd; ; {
		p := filepath.Join(dir, projectFileName)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return loadProject(relToWD(p))
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, nil
		}
		dir = parent
	}
}

// relToWD returns path relative to the working directory when it lies
// under it (or one level up at most), else path unchanged.
func relToWD(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil || strings.HasPrefix(rel, ".."+string(filepath.Separator)+"..") {
		return abs
	}
	return rel
}

// loadProject reads, checks against the project-file JSON Schema and
// decodes the project file at path.
func loadProject(path string) (*project, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("project file: %w", err)
	}
	perr := &projectError{file: path}
	at := func(n *yaml.Node) string {
		if n == nil {
			return path
		}
		return fmt.Sprintf("%s:%d:%d", path, n.Line, n.Column)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line := 0
		if m := regexp.MustCompile(`line (\d+)`).FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if line > 0 {
			return nil, fmt.Errorf("%s:%d:1: error: %s [yaml-syntax]", path, line, msg)
		}
		return nil, fmt.Errorf("%s: error: %s [yaml-syntax]", path, msg)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	p := &project{File: path, Envs: map[string]*projectEnv{}}
	base := filepath.Dir(path)
	p.Models, p.Migrations = filepath.Join(base, "models"), filepath.Join(base, "migrations")
	if root.Kind == yaml.DocumentNode || root.Kind == 0 {
		return p, nil // an empty file: every default
	}
	if bad := firstAlias(root); bad != nil {
		return nil, fmt.Errorf("%s: error: anchors and aliases are not allowed in the project file [yaml-syntax]", at(bad))
	}
	if k, first := duplicateKey(root); k != nil {
		return nil, fmt.Errorf("%s: error: key %q is already defined at line %d [duplicate-key]", at(k), k.Value, first.Line)
	}
	val, _ := nodeJSON(root)
	s, err := schemas.CompiledProject()
	if err != nil {
		return nil, err
	}
	if err := s.Validate(val); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		for _, leaf := range schemaLeaves(ve) {
			n, key := resolvePointer(root, leaf.InstanceLocation)
			msg := leaf.Message
			rule := "invalid-value"
			switch kw := leaf.KeywordLocation[strings.LastIndexByte(leaf.KeywordLocation, '/')+1:]; {
			case kw == "additionalProperties":
				rule = "unknown-key"
				// Point at each unknown key.
				for _, name := range unknownKeys(msg) {
					if k := mapKey(n, name); k != nil {
						perr.problems = append(perr.problems, fmt.Sprintf("%s: error: unknown key %q [%s]", at(k), name, rule))
					}
				}
				continue
			case kw == "type":
				rule = "wrong-type"
			case strings.Contains(leaf.KeywordLocation, "/propertyNames"):
				rule, n = "invalid-name", key
				msg = fmt.Sprintf("invalid environment name %q: use letters, digits, _ and -, starting with a letter", key.Value)
			case kw == "enum":
				msg = fmt.Sprintf("%s (%s)", msg, strings.TrimPrefix(leaf.InstanceLocation, "/"))
			}
			perr.problems = append(perr.problems, fmt.Sprintf("%s: error: %s [%s]", at(n), msg, rule))
		}
		if len(perr.problems) > 0 {
			sort.SliceStable(perr.problems, func(i, j int) bool { return lessLocated(perr.problems[i], perr.problems[j]) })
			return nil, perr
		}
	}
	// The schema holds: every value has its type.
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "models":
			p.Models = filepath.Join(base, filepath.FromSlash(v.Value))
		case "migrations":
			p.Migrations = filepath.Join(base, filepath.FromSlash(v.Value))
		case "dialect":
			p.Dialect = v.Value
		case "env":
			p.Env = v.Value
		case "environments":
			for j := 0; j+1 < len(v.Content); j += 2 {
				name, ev := v.Content[j], v.Content[j+1]
				e := &projectEnv{Name: name.Value}
				for l := 0; l+1 < len(ev.Content); l += 2 {
					switch ev.Content[l].Value {
					case "url":
						e.URL, e.urlPos = ev.Content[l+1].Value, at(ev.Content[l+1])
					case "dialect":
						e.Dialect = ev.Content[l+1].Value
					}
				}
				p.Envs[e.Name] = e
			}
		}
	}
	if p.Env != "" && p.Envs[p.Env] == nil {
		var n *yaml.Node
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "env" {
				n = root.Content[i+1]
			}
		}
		return nil, fmt.Errorf("%s: error: env %q is not one of the environments (%s) [unknown-env]", at(n), p.Env, orNone(p.envNames()))
	}
	return p, nil
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none defined"
	}
	return strings.Join(names, ", ")
}

// lessLocated orders "file:line:col: …" messages by line, then column.
func lessLocated(a, b string) bool {
	la, ca := position(a)
	lb, cb := position(b)
	if la != lb {
		return la < lb
	}
	return ca < cb
}

var positionRE = regexp.MustCompile(`:(\d+):(\d+): `)

func position(s string) (line, col int) {
	if m := positionRE.FindStringSubmatch(s); m != nil {
		line, _ = strconv.Atoi(m[1])
		col, _ = strconv.Atoi(m[2])
	}
	return line, col
}

var quotedRE = regexp.MustCompile(`'([^']*)'`)

// unknownKeys returns the property names an additionalProperties message
// quotes ("additionalProperties 'a', 'b' not allowed").
func unknownKeys(msg string) []string {
	var out []string
	for _, m := range quotedRE.FindAllStringSubmatch(msg, -1) {
		out = append(out, m[1])
	}
	return out
}

// schemaLeaves returns the innermost causes of a validation error.
func schemaLeaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, schemaLeaves(c)...)
	}
	return out
}

// firstAlias returns the first alias or anchored node under n, or nil.
func firstAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return n
	}
	for _, c := range n.Content {
		if a := firstAlias(c); a != nil {
			return a
		}
	}
	return nil
}

// duplicateKey returns the first key of a mapping under n that repeats an
// earlier key of the same mapping, and that earlier key.
func duplicateKey(n *yaml.Node) (dup, first *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if f, ok := seen[k.Value]; ok {
				return k, f
			}
			seen[k.Value] = k
		}
	}
	for _, c := range n.Content {
		if d, f := duplicateKey(c); d != nil {
			return d, f
		}
	}
	return nil, nil
}

// nodeJSON converts a YAML node to the value JSON Schema validates.
func nodeJSON(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return nil, errors.New("aliases are not allowed in the project file")
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := nodeJSON(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := nodeJSON(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil, nil
		case "!!bool":
			return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", nil
		case "!!int", "!!float":
			f, err := strconv.ParseFloat(n.Value, 64)
			if err != nil {
				return n.Value, nil
			}
			return f, nil
		}
		return n.Value, nil
	}
	return nil, nil
}

// resolvePointer returns the node a JSON pointer names within root, and
// the key node naming it (nil at the root).
func resolvePointer(root *yaml.Node, ptr string) (n, key *yaml.Node) {
	n = root
	if ptr == "" || ptr == "/" {
		return n, nil
	}
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		switch n.Kind {
		case yaml.MappingNode:
			k := mapKey(n, part)
			if k == nil {
				return n, key
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i] == k {
					n, key = n.Content[i+1], k
					break
				}
			}
		case yaml.SequenceNode:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(n.Content) {
				return n, key
			}
			n = n.Content[i]
		default:
			return n, key
		}
	}
	return n, key
}

func mapKey(n *yaml.Node, name string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i]
		}
	}
	return nil
}

var varRE = regexp.MustCompile(`\$\{([^}]*)\}`)
var varNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// expandURL replaces every ${NAME} in the environment's URL by the
// environment variable NAME. An unset variable, or a malformed reference,
// is an error naming it and where the URL is written; the URL itself never
// appears in the error (it may hold a password).
func (e *projectEnv) expandURL(lookup func(string) (string, bool)) (string, error) {
	var err error
	out := varRE.ReplaceAllStringFunc(e.URL, func(ref string) string {
		name := ref[2 : len(ref)-1]
		if !varNameRE.MatchString(name) {
			if err == nil {
				err = fmt.Errorf("%s: environment %q: url: %q is not a variable reference (want ${NAME})", e.urlPos, e.Name, ref)
			}
			return ""
		}
		v, ok := lookup(name)
		if !ok || v == "" {
			if err == nil {
				err = fmt.Errorf("%s: environment %q: url: environment variable %s is not set", e.urlPos, e.Name, name)
			}
			return ""
		}
		return v
	})
	if err != nil {
		return "", err
	}
	return out, nil
}

// settings are what the project file, the environment and the defaults
// give a command, resolved once per run.
type settings struct {
	project *project
	// envName is the chosen environment ("" when none) and explicit says
	// whether --env or DLAYER_ENV chose it (rather than the file's env:).
	envName  string
	explicit bool
}

// resolveSettings finds the project file and chooses the environment:
// --env (flag), else DLAYER_ENV, else the file's env.
func resolveSettings(configFlag, envFlag string) (*settings, error) {
	cfg := configFlag
	if cfg == "" {
		cfg = os.Getenv("DLAYER_CONFIG")
	}
	p, err := findProject(cfg)
	if err != nil {
		return nil, err
	}
	s := &settings{project: p}
	name, from := envFlag, "--env"
	if name == "" {
		name, from = os.Getenv("DLAYER_ENV"), "DLAYER_ENV"
	}
	if name != "" {
		if p == nil {
			return nil, fmt.Errorf("%s %s: no project file (%s) found in this directory or a parent; run `dlayer init` or pass --config", from, name, projectFileName)
		}
		if p.Envs[name] == nil {
			return nil, fmt.Errorf("%s %s: %s has no such environment (it has: %s)", from, name, p.File, orNone(p.envNames()))
		}
		s.envName, s.explicit = name, true
	} else if p != nil {
		s.envName = p.Env
	}
	return s, nil
}

func (s *settings) env() *projectEnv {
	if s == nil || s.project == nil || s.envName == "" {
		return nil
	}
	return s.project.Envs[s.envName]
}

// url returns the database URL for a command that was given none: the
// URL of the environment chosen with --env or DLAYER_ENV, else
// DLAYER_DATABASE_URL, else the URL of the project file's default
// environment. "" means none (an environment may name no URL: one for
// working from the migration directory alone, say).
func (s *settings) url() (string, error) {
	e := s.env()
	if s.explicit && e != nil && e.URL != "" {
		return e.expandURL(os.LookupEnv)
	}
	if u := os.Getenv("DLAYER_DATABASE_URL"); u != "" {
		return u, nil
	}
	if e == nil || e.URL == "" {
		return "", nil
	}
	return e.expandURL(os.LookupEnv)
}

// dialect returns, for a command without a database URL, the dialect of
// the chosen environment: its dialect, else the scheme of its URL (when
// the URL's variables are set), else the project file's dialect, else "".
func (s *settings) dialect() string {
	if e := s.env(); e != nil && e.Dialect != "" {
		return e.Dialect
	} else if e != nil && e.URL != "" {
		if u, err := e.expandURL(os.LookupEnv); err == nil {
			if drv, err := dialects.Lookup(u); err == nil && drv.Dialect != nil {
				return drv.Dialect().Name()
			}
		}
	}
	if s != nil && s.project != nil {
		return s.project.Dialect
	}
	return ""
}

// modelsDir returns the project's models directory, relative to the
// working directory, or "" without a project file.
func (s *settings) modelsDir() string {
	if s == nil || s.project == nil {
		return ""
	}
	return relToWD(s.project.Models)
}

// migrationsDir returns the project's migrations directory, or "".
func (s *settings) migrationsDir() string {
	if s == nil || s.project == nil {
		return ""
	}
	return relToWD(s.project.Migrations)
}
