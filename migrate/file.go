package migrate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/spec"
)

// Migration is one parsed migration file.
//
// A migration file is named VERSION_NAME.sql, VERSION being digits (the
// generator uses the UTC time, 20261125120000) and NAME a slug of the
// message. Its text is SQL with directive comments:
//
//	-- dlayer migration: add users
//	-- +dlayer dialect: postgres
//	-- +dlayer destructive: drop column users.age
//	-- +dlayer Up
//	ALTER TABLE ...;
//	-- +dlayer Down
//	ALTER TABLE ...;
//	-- +dlayer Schema
//	-- {"tables": [ ... ]}
//
// Statements end with a semicolon (quotes, comments and PostgreSQL dollar
// quoting are respected). The Schema section, written by the generator, is
// the snapshot of the database schema after the migration.
type Migration struct {
	// Version orders migrations; it is the file name's numeric prefix.
	Version string `json:"version"`
	// Name is the rest of the file name without ".sql".
	Name string `json:"name"`
	// File is the path within the migration directory.
	File string `json:"file"`
	// Dialect is the dialect the SQL was written for ("" if any).
	Dialect string `json:"dialect,omitempty"`
	// Destructive lists the destructive steps marked in the header.
	Destructive []string `json:"destructive,omitempty"`
	// Parent is the version of the migration that was the newest when this
	// one was created ("none" for the first; "" when the file does not
	// say): two files with the same parent were created on two branches.
	Parent string   `json:"parent,omitempty"`
	Up     []string `json:"-"`
	Down   []string `json:"-"`
	// HasDown reports whether the file has a Down section (it may be
	// empty); Runner.Down refuses to revert a migration without one.
	HasDown bool `json:"has_down"`
	// Checksum is the hex SHA-256 of the file with line endings normalised.
	Checksum string `json:"checksum"`
	// snapshot is the raw Schema section, if any.
	snapshot []byte
}

// Schema returns the schema snapshot the migration records, or nil if the
// file has none (a hand-written migration).
func (m *Migration) Schema() (*spec.Schema, error) {
	if m == nil {
		return nil, errors.New("migrate: nil *Migration")
	}
	if len(m.snapshot) == 0 {
		return nil, nil
	}
	s, err := decodeSnapshot(m.snapshot)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.File, err)
	}
	return s, nil
}

var fileRE = regexp.MustCompile(`^([0-9]+)_([A-Za-z0-9_.-]*)\.sql$`)

// ErrBadMigration is wrapped by errors about unreadable migration files.
var ErrBadMigration = errors.New("bad migration file")

// Checksum returns the checksum of a migration file's text.
func Checksum(text []byte) string {
	text = bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n"))
	sum := sha256.Sum256(text)
	return hex.EncodeToString(sum[:])
}

// ReadDir reads the migrations of a directory (only its top level: files
// named VERSION_NAME.sql), sorted by version. Other files are ignored.
func ReadDir(fsys fs.FS) ([]*Migration, error) {
	if fsys == nil {
		return nil, errors.New("migrate: ReadDir of a nil fs.FS")
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("read migration directory: %w", err)
	}
	var out []*Migration
	seen := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		text, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		m, err := Parse(e.Name(), text)
		if err != nil {
			return nil, err
		}
		key := strings.TrimLeft(m.Version, "0")
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("%w: %s and %s have the same version %s", ErrBadMigration, prev, m.File, m.Version)
		}
		seen[key] = m.File
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *Migration) int { return compareVersions(a.Version, b.Version) })
	return out, nil
}

// compareVersions orders numeric versions of any length.
func compareVersions(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// Parse parses one migration file; name is its file name.
func Parse(name string, text []byte) (*Migration, error) {
	base := path.Base(name)
	mm := fileRE.FindStringSubmatch(base)
	if mm == nil {
		return nil, fmt.Errorf("%w: %s: the name must be VERSION_NAME.sql with a numeric version", ErrBadMigration, name)
	}
	m := &Migration{Version: mm[1], Name: mm[2], File: name, Checksum: Checksum(text)}
	src := strings.ReplaceAll(string(text), "\r\n", "\n")
	var up, down, snap strings.Builder
	section := ""
	seenUp := false
	for _, line := range strings.SplitAfter(src, "\n") {
		trim := strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(trim, "-- +dlayer"); ok {
			rest = strings.TrimSpace(rest)
			key, val, _ := strings.Cut(rest, ":")
			switch strings.ToLower(strings.TrimSpace(key)) {
			case "up":
				if seenUp {
					return nil, fmt.Errorf("%w: %s: two Up sections", ErrBadMigration, name)
				}
				section, seenUp = "up", true
			case "down":
				section, m.HasDown = "down", true
			case "schema":
				section = "schema"
			case "dialect":
				m.Dialect = strings.TrimSpace(val)
			case "destructive":
				m.Destructive = append(m.Destructive, strings.TrimSpace(val))
			case "parent":
				m.Parent = strings.TrimSpace(val)
			default:
				return nil, fmt.Errorf("%w: %s: unknown directive %q", ErrBadMigration, name, trim)
			}
			continue
		}
		switch section {
		case "up":
			up.WriteString(line)
		case "down":
			down.WriteString(line)
		case "schema":
			if s, ok := strings.CutPrefix(trim, "--"); ok {
				snap.WriteString(strings.TrimSpace(s))
				snap.WriteByte('\n')
			}
		}
	}
	if !seenUp {
		return nil, fmt.Errorf("%w: %s: no \"-- +dlayer Up\" section", ErrBadMigration, name)
	}
	var err error
	if m.Up, err = SplitStatements(up.String()); err != nil {
		return nil, fmt.Errorf("%w: %s (up): %v", ErrBadMigration, name, err)
	}
	if m.Down, err = SplitStatements(down.String()); err != nil {
		return nil, fmt.Errorf("%w: %s (down): %v", ErrBadMigration, name, err)
	}
	if snap.Len() > 0 {
		m.snapshot = []byte(snap.String())
	}
	return m, nil
}

// SplitStatements splits SQL text into statements at semicolons outside
// quotes, comments and dollar-quoted strings. Comment-only and empty
// statements are dropped; the semicolons are not kept.
func SplitStatements(src string) ([]string, error) {
	var out []string
	var cur strings.Builder
	flush := func() {
		s := strings.TrimSpace(cur.String())
		cur.Reset()
		if s != "" && strings.TrimSpace(stripComments(s)) != "" {
			out = append(out, s)
		}
	}
	for i := 0; i < len(src); i++ {
		ch := src[i]
		switch {
		case ch == '\'' || ch == '"' || ch == '`':
			j := i + 1
			for ; j < len(src); j++ {
				if src[j] == ch {
					if j+1 < len(src) && src[j+1] == ch {
						j++
						continue
					}
					break
				}
				if src[j] == '\\' && ch != '"' && j+1 < len(src) {
					// MySQL backslash escapes; harmless elsewhere for generated SQL.
					j++
				}
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated %c quote", ch)
			}
			cur.WriteString(src[i : j+1])
			i = j
		case ch == '-' && i+1 < len(src) && src[i+1] == '-':
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				j = len(src) - i
			}
			cur.WriteString(src[i : i+j])
			i += j - 1
		case ch == '/' && i+1 < len(src) && src[i+1] == '*':
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				return nil, errors.New("unterminated /* comment")
			}
			cur.WriteString(src[i : i+2+j+2])
			i += 2 + j + 1
		case ch == '$':
			// PostgreSQL dollar quoting: $tag$ ... $tag$.
			j := i + 1
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			if j < len(src) && src[j] == '$' && (j == i+1 || src[i+1] < '0' || src[i+1] > '9') {
				tag := src[i : j+1]
				k := strings.Index(src[j+1:], tag)
				if k < 0 {
					return nil, fmt.Errorf("unterminated %s quote", tag)
				}
				end := j + 1 + k + len(tag)
				cur.WriteString(src[i:end])
				i = end - 1
				continue
			}
			cur.WriteByte(ch)
		case ch == ';':
			flush()
		default:
			cur.WriteByte(ch)
		}
	}
	flush()
	return out, nil
}

// stripComments removes -- line comments and /* */ block comments, to tell
// whether a statement is only comments.
func stripComments(s string) string {
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			break
		}
		j := strings.Index(s[i+2:], "*/")
		if j < 0 {
			s = s[:i]
			break
		}
		s = s[:i] + " " + s[i+2+j+2:]
	}
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// Slug turns a message into a file-name part: lower case, runs of other
// characters as one underscore, at most 60 bytes.
func Slug(msg string) string {
	var b strings.Builder
	us := false
	for _, r := range strings.ToLower(msg) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			us = false
		} else if !us && b.Len() > 0 {
			b.WriteByte('_')
			us = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	s := strings.Trim(b.String(), "_")
	if s == "" {
		s = "migration"
	}
	return s
}

// FileName returns the file name of a migration created at t with message msg.
func FileName(t time.Time, msg string) string {
	return t.UTC().Format("20060102150405") + "_" + Slug(msg) + ".sql"
}

// Render writes the text of a migration file: the header (message, dialect,
// destructive steps), the up and down statements and the snapshot of the
// target schema (nil for none).
func Render(msg, dialect string, plan *Plan, up, down []string, target *spec.Schema) ([]byte, error) {
	return render(msg, dialect, "", plan, up, down, target)
}

func render(msg, dialect, parent string, plan *Plan, up, down []string, target *spec.Schema) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "-- dlayer migration: %s\n", oneLine(msg))
	if dialect != "" {
		fmt.Fprintf(&b, "-- +dlayer dialect: %s\n", dialect)
	}
	if parent != "" {
		fmt.Fprintf(&b, "-- +dlayer parent: %s\n", parent)
	}
	if plan != nil {
		for _, c := range plan.Destructive() {
			fmt.Fprintf(&b, "-- +dlayer destructive: %s\n", Describe(c))
		}
	}
	b.WriteString("\n-- +dlayer Up\n")
	if plan != nil {
		writeStatements(&b, plan.Up, up)
	} else {
		writeStatements(&b, nil, up)
	}
	b.WriteString("\n-- +dlayer Down\n")
	if plan != nil {
		writeStatements(&b, plan.Down, down)
	} else {
		writeStatements(&b, nil, down)
	}
	if target != nil {
		snap, err := encodeSnapshot(target)
		if err != nil {
			return nil, err
		}
		b.WriteString("\n-- +dlayer Schema\n")
		for _, line := range strings.Split(string(snap), "\n") {
			b.WriteString("-- ")
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.Bytes(), nil
}

func writeStatements(b *bytes.Buffer, changes []dialects.Change, stmts []string) {
	if len(changes) > 0 {
		b.WriteString("-- changes:\n")
		for _, c := range changes {
			mark := ""
			if c.Destructive {
				mark = " [destructive]"
			}
			fmt.Fprintf(b, "--   %s%s\n", Describe(c), mark)
		}
	}
	for _, s := range stmts {
		b.WriteString(s)
		b.WriteString(";\n")
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Describe is a one-line description of a change ("add column users.age").
func Describe(c dialects.Change) string {
	tbl := c.TableName()
	s := c.Kind.String() + " " + tbl
	if t := c.Table; t == nil && c.Old != nil && c.Old.View != nil || t != nil && t.View != nil {
		s = strings.Replace(c.Kind.String(), "table", "view", 1) + " " + tbl
	}
	switch {
	case c.Column != nil:
		s += "." + c.Column.Name
	case c.OldColumn != nil:
		s += "." + c.OldColumn.Name
	case c.Index != nil && c.Index.Name != "":
		s += " " + c.Index.Name
	case c.ForeignKey != nil && c.ForeignKey.Name != "":
		s += " " + c.ForeignKey.Name
	case c.Unique != nil && c.Unique.Name != "":
		s += " " + c.Unique.Name
	case c.Check != nil:
		s += " " + c.Check.Name
	}
	if c.Detail != "" && c.Kind != dialects.DropTable && c.Kind != dialects.DropColumn {
		s += " (" + oneLine(c.Detail) + ")"
	}
	return s
}
