package migrate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// SumFile is the name of the integrity file of a migration directory.
//
// It lists every migration file with its checksum, in version order, under
// a header line holding the checksum of the list itself:
//
//	# dlayer.sum: written by dlayer migrate diff/new/rehash/rebase; do not edit.
//	h1:3f6c…  (SHA-256 of the lines below, each ending in "\n")
//	20261203120000_create_users.sql h1:9a0b…
//	20261203130000_backfill_names.sql h1:77e1…
//
// CheckDir compares the directory with it.
const SumFile = "dlayer.sum"

const sumComment = "# dlayer.sum: written by dlayer migrate diff/new/rehash/rebase; do not edit (see docs/migrations.md)."

// SumText returns the content of the sum file for migs (as ReadDir returns
// them, in version order).
func SumText(migs []*Migration) []byte {
	var body bytes.Buffer
	for _, m := range migs {
		fmt.Fprintf(&body, "%s h1:%s\n", m.File, m.Checksum)
	}
	sum := sha256.Sum256(body.Bytes())
	var b bytes.Buffer
	b.WriteString(sumComment + "\n")
	b.WriteString("h1:" + hex.EncodeToString(sum[:]) + "\n")
	b.Write(body.Bytes())
	return b.Bytes()
}

// ErrIntegrity is wrapped by *IntegrityError.
var ErrIntegrity = errors.New("the migration directory does not match " + SumFile)

// Problem is one integrity problem of a migration directory.
type Problem struct {
	// Kind is "edited", "removed", "added", "renamed", "corrupt" or "branches".
	Kind string `json:"kind"`
	// Files names the files concerned.
	Files []string `json:"files"`
	// Detail says what is wrong.
	Detail string `json:"detail"`
	// Fix says what to run.
	Fix string `json:"fix"`
}

// IntegrityError lists the integrity problems of a migration directory; it
// wraps ErrIntegrity.
type IntegrityError struct {
	Problems []Problem
}

func (e *IntegrityError) Error() string {
	var b strings.Builder
	b.WriteString(ErrIntegrity.Error())
	b.WriteString(":")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s: %s\n    fix: %s", p.Kind, p.Detail, p.Fix)
	}
	return b.String()
}

// Unwrap returns ErrIntegrity.
func (e *IntegrityError) Unwrap() error { return ErrIntegrity }

// CheckDir checks the migrations read from fsys (migs, from ReadDir) against
// the directory's sum file and against each other. It reports an edited,
// removed, renamed (re-versioned) or added file, a sum file edited by hand
// or left with merge conflict markers, and two migrations created on top of
// the same parent (on two branches, then merged). Without a sum file only
// the parents are checked. It returns nil or an *IntegrityError.
func CheckDir(fsys fs.FS, migs []*Migration) error {
	if fsys == nil {
		return errors.New("migrate: CheckDir of a nil fs.FS")
	}
	var probs []Problem
	text, err := fs.ReadFile(fsys, SumFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("read %s: %w", SumFile, err)
	default:
		probs = append(probs, checkSum(text, migs)...)
	}
	probs = append(probs, checkParents(migs)...)
	if len(probs) == 0 {
		return nil
	}
	return &IntegrityError{Problems: probs}
}

const rehashFix = "if the change is deliberate and no shared database has applied it yet, run `dlayer migrate rehash`; " +
	"otherwise restore the file from version control and put further changes in a new migration"

func checkSum(text []byte, migs []*Migration) []Problem {
	text = bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n"))
	lines := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
	corrupt := func(why string) []Problem {
		return []Problem{{Kind: "corrupt", Files: []string{SumFile}, Detail: SumFile + " " + why,
			Fix: "check the migration files (after a merge: run `dlayer migrate status` to find migrations created on two branches " +
				"and `dlayer migrate rebase VERSION` to move one after the other), then run `dlayer migrate rehash`"}}
	}
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "h1:") {
		return corrupt("has no h1: header line")
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "<<<<<<<") || strings.HasPrefix(l, ">>>>>>>") || l == "=======" {
			return corrupt("has merge conflict markers: migrations were added on two branches")
		}
	}
	body := strings.Join(lines[2:], "\n")
	if body != "" {
		body += "\n"
	}
	sum := sha256.Sum256([]byte(body))
	if lines[1] != "h1:"+hex.EncodeToString(sum[:]) {
		return corrupt("was edited by hand (its h1: line does not match its contents)")
	}
	recorded := map[string]string{}
	var order []string
	for _, l := range lines[2:] {
		file, sum, ok := strings.Cut(l, " h1:")
		if !ok || file == "" {
			return corrupt(fmt.Sprintf("has a malformed line %q", l))
		}
		recorded[file] = sum
		order = append(order, file)
	}
	var probs []Problem
	present := map[string]*Migration{}
	var added []*Migration
	for _, m := range migs {
		present[m.File] = m
		sum, ok := recorded[m.File]
		switch {
		case !ok:
			added = append(added, m)
		case sum != m.Checksum:
			probs = append(probs, Problem{Kind: "edited", Files: []string{m.File},
				Detail: fmt.Sprintf("%s was edited after it was written (checksum %s in %s, %s now)", m.File, short(sum), SumFile, short(m.Checksum)),
				Fix:    rehashFix})
		}
	}
	for _, file := range order {
		if present[file] != nil {
			continue
		}
		renamed := -1
		for i, m := range added {
			if m.Checksum == recorded[file] {
				renamed = i
			}
		}
		if renamed >= 0 {
			m := added[renamed]
			added = slices.Delete(added, renamed, renamed+1)
			probs = append(probs, Problem{Kind: "renamed", Files: []string{file, m.File},
				Detail: fmt.Sprintf("%s was renamed to %s, which changes the order of the migrations", file, m.File),
				Fix:    "rename it back; to move a migration after others, run `dlayer migrate rebase VERSION`, which also re-parents it"})
			continue
		}
		probs = append(probs, Problem{Kind: "removed", Files: []string{file},
			Detail: fmt.Sprintf("%s is listed in %s but is not in the directory", file, SumFile),
			Fix:    "restore it from version control; " + rehashFix})
	}
	for _, m := range added {
		probs = append(probs, Problem{Kind: "added", Files: []string{m.File},
			Detail: fmt.Sprintf("%s is not listed in %s (written by hand, or merged from another branch)", m.File, SumFile),
			Fix: "create migrations with `dlayer migrate new NAME` or `dlayer migrate diff`; after a merge run `dlayer migrate rebase " +
				m.Version + "` to move it after the others; if it is deliberate and in the right place, run `dlayer migrate rehash`"})
	}
	return probs
}

// checkParents finds migrations whose recorded parent is not the migration
// before them.
func checkParents(migs []*Migration) []Problem {
	var probs []Problem
	for i, m := range migs {
		if m.Parent == "" {
			continue
		}
		want := "none"
		if i > 0 {
			want = migs[i-1].Version
		}
		if m.Parent == want {
			continue
		}
		var sibling *Migration
		for j, o := range migs {
			if j != i && o.Parent == m.Parent {
				sibling = o
				break
			}
		}
		if sibling != nil {
			on := "on top of " + m.Parent
			if m.Parent == "none" {
				on = "as the first migration"
			}
			probs = append(probs, Problem{Kind: "branches", Files: []string{sibling.File, m.File},
				Detail: fmt.Sprintf("%s and %s were both created %s (on two branches, then merged)", sibling.File, m.File, on),
				Fix: fmt.Sprintf("move the one no shared database has applied yet after the other: `dlayer migrate rebase %s` "+
					"(or `dlayer migrate rebase %s`); revert it first (`dlayer migrate down --to …`) on a development database that applied it",
					m.Version, sibling.Version)})
			continue
		}
		probs = append(probs, Problem{Kind: "branches", Files: []string{m.File},
			Detail: fmt.Sprintf("%s was created on top of %s, but the migration before it is %s", m.File, m.Parent, want),
			Fix:    fmt.Sprintf("run `dlayer migrate rebase %s` to move it after the newest migration", m.Version)})
	}
	return probs
}

// Blank returns the version, file name and text of an empty migration named
// msg, created at t after migs, for hand-written SQL: a header (message,
// dialect when not empty, parent), and Up and Down sections holding only
// comments.
func Blank(migs []*Migration, msg, dialect string, t time.Time) (version, file string, text []byte) {
	version, parent := newVersion(migs, t)
	if strings.TrimSpace(msg) == "" {
		msg = "migration"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "-- dlayer migration: %s\n", oneLine(msg))
	if dialect != "" {
		fmt.Fprintf(&b, "-- +dlayer dialect: %s\n", dialect)
	}
	fmt.Fprintf(&b, "-- +dlayer parent: %s\n", parent)
	b.WriteString("\n-- +dlayer Up\n-- Write the SQL to apply here; end each statement with a semicolon.\n")
	b.WriteString("\n-- +dlayer Down\n-- Write the SQL that reverts it here (delete this section if it cannot be reverted).\n")
	return version, version + "_" + Slug(msg) + ".sql", b.Bytes()
}

// Rebased is a migration moved by Rebase.
type Rebased struct {
	// OldFile and File are the file names before and after.
	OldFile, File string
	// Version and Parent are the new version and parent.
	Version, Parent string
	// Text is the new content.
	Text []byte
}

// Rebase moves the migration with the given version after the newest other
// migration of fsys: a new version (the time t, later than every other
// file), its parent set to that newest migration, and its schema snapshot,
// if it has one, merged table by table with the changes the migrations it
// now follows made (a table both sides changed is an error: revert one
// migration and regenerate it with `migrate diff`). The caller writes Text
// to File, removes OldFile and rewrites the sum file.
func Rebase(fsys fs.FS, version string, t time.Time) (*Rebased, error) {
	if fsys == nil {
		return nil, errors.New("migrate: Rebase of a nil fs.FS")
	}
	migs, err := ReadDir(fsys)
	if err != nil {
		return nil, err
	}
	idx := slices.IndexFunc(migs, func(m *Migration) bool { return compareVersions(m.Version, version) == 0 })
	if idx < 0 {
		return nil, fmt.Errorf("rebase: no migration with version %q", version)
	}
	m := migs[idx]
	others := slices.Delete(slices.Clone(migs), idx, idx+1)
	newVer, parent := newVersion(others, t)
	raw, err := fs.ReadFile(fsys, m.File)
	if err != nil {
		return nil, fmt.Errorf("rebase: %w", err)
	}
	src := strings.ReplaceAll(string(raw), "\r\n", "\n")
	head, snapPart, hasSnap := strings.Cut(src, "\n-- +dlayer Schema\n")
	// Set the parent directive (replace it, or add it after the header).
	var lines []string
	set := false
	for _, l := range strings.SplitAfter(head, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "-- +dlayer parent:") {
			if !set {
				lines = append(lines, "-- +dlayer parent: "+parent+"\n")
				set = true
			}
			continue
		}
		lines = append(lines, l)
	}
	if !set {
		at := 0
		for at < len(lines) && strings.HasPrefix(lines[at], "-- ") && !strings.HasPrefix(strings.TrimSpace(lines[at]), "-- +dlayer Up") {
			at++
		}
		lines = slices.Insert(lines, at, "-- +dlayer parent: "+parent+"\n")
	}
	out := strings.Join(lines, "")
	if hasSnap {
		// base: the state m was written against; ours: the state it now
		// follows; theirs: m's own snapshot.
		baseAt := m.Parent
		if baseAt == "" {
			// A file without a parent line: the migration before it.
			baseAt = "none"
			if idx > 0 {
				baseAt = migs[idx-1].Version
			}
		}
		base := snapshotAt(migs, baseAt, m)
		ours := snapshotAt(others, "", nil)
		merged, err := mergeSnapshots(base, ours, m.snapshot)
		if err != nil {
			return nil, fmt.Errorf("rebase %s: %w", m.File, err)
		}
		out += "\n-- +dlayer Schema\n"
		for _, l := range strings.Split(string(merged), "\n") {
			out += "-- " + l + "\n"
		}
	} else if snapPart != "" {
		return nil, fmt.Errorf("rebase %s: unexpected text after the file", m.File)
	}
	file := newVer + "_" + m.Name + ".sql"
	if _, err := Parse(file, []byte(out)); err != nil {
		return nil, fmt.Errorf("rebase: %w", err)
	}
	return &Rebased{OldFile: m.File, File: file, Version: newVer, Parent: parent, Text: []byte(out)}, nil
}

// snapshotAt returns the raw snapshot of the newest migration of migs up to
// and including version upTo ("" or "none": see below), skipping skip. An
// empty upTo means the newest overall; "none" means before the first.
func snapshotAt(migs []*Migration, upTo string, skip *Migration) []byte {
	if upTo == "none" {
		return nil
	}
	for i := len(migs) - 1; i >= 0; i-- {
		m := migs[i]
		if m == skip || upTo != "" && compareVersions(m.Version, upTo) > 0 {
			continue
		}
		if len(m.snapshot) > 0 {
			return m.snapshot
		}
	}
	return nil
}

// snapTables splits a snapshot into its tables (one JSON object each) by
// name.
func snapTables(b []byte) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(b)) == 0 {
		return out, nil
	}
	var in struct {
		Tables []json.RawMessage `json:"tables"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("decode schema snapshot: %w", err)
	}
	for _, t := range in.Tables {
		var n struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(t, &n); err != nil {
			return nil, fmt.Errorf("decode schema snapshot: %w", err)
		}
		var c bytes.Buffer
		if err := json.Compact(&c, t); err != nil {
			return nil, fmt.Errorf("decode schema snapshot: %w", err)
		}
		out[n.Name] = c.Bytes()
	}
	return out, nil
}

// mergeSnapshots applies the table changes from base to theirs onto ours
// (a three-way merge by table).
func mergeSnapshots(base, ours, theirs []byte) ([]byte, error) {
	b, err := snapTables(base)
	if err != nil {
		return nil, err
	}
	o, err := snapTables(ours)
	if err != nil {
		return nil, err
	}
	t, err := snapTables(theirs)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, m := range []map[string]json.RawMessage{b, o, t} {
		for n := range m {
			names[n] = true
		}
	}
	var conflicts []string
	for n := range names {
		bv, tv, ov := b[n], t[n], o[n]
		if bytes.Equal(bv, tv) {
			continue // this migration did not change the table
		}
		if !bytes.Equal(bv, ov) && !bytes.Equal(ov, tv) {
			conflicts = append(conflicts, n)
			continue
		}
		if tv == nil {
			delete(o, n)
		} else {
			o[n] = tv
		}
	}
	if len(conflicts) > 0 {
		slices.Sort(conflicts)
		return nil, fmt.Errorf("both branches changed table %s; revert this migration (`dlayer migrate down`), delete it, and run `dlayer migrate diff` again on the merged YAML",
			strings.Join(conflicts, ", "))
	}
	keys := make([]string, 0, len(o))
	for n := range o {
		keys = append(keys, n)
	}
	slices.Sort(keys)
	var out bytes.Buffer
	out.WriteString("{\"tables\": [\n")
	for i, n := range keys {
		out.Write(o[n])
		if i < len(keys)-1 {
			out.WriteByte(',')
		}
		out.WriteByte('\n')
	}
	out.WriteString("]}")
	return out.Bytes(), nil
}
