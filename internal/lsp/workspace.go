package lsp

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dlayer/dlayer/loader"
	"github.com/dlayer/dlayer/spec"
)

// workspace is one schema directory: the files on disk with the open
// buffers laid over them, loaded as one schema by package loader.
type workspace struct {
	root string // absolute directory
	// single is set for a file outside any schema directory: it is loaded
	// alone (its directory is not walked; it may be a home directory).
	single bool
	srv    *Server

	mu        sync.Mutex
	overlay   map[string]string // slash path relative to root → open buffer text
	dirty     bool
	timer     *time.Timer
	snap      *snapshot
	published map[string]bool // files whose last published diagnostics were not empty
}

// snapshot is the result of one load; it is never changed after it is
// made, so handlers read it without locks.
type snapshot struct {
	root  string
	sch   *spec.Schema
	diags spec.Diagnostics
	files map[string]*fileIndex // by slash path relative to root
	names []string              // files in load order
	// good is the most recent schema loaded while every file parsed as
	// YAML, for completing names while a buffer is half typed.
	good *spec.Schema
}

func (s *snapshot) abs(rel string) string { return filepath.Join(s.root, filepath.FromSlash(rel)) }

// rel returns the slash path of p relative to the workspace root, and
// whether p lies under it.
func (w *workspace) rel(p string) (string, bool) {
	r, err := filepath.Rel(w.root, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// schedule re-checks the workspace after the debounce delay.
func (w *workspace) schedule() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dirty = true
	if w.timer == nil {
		w.timer = time.AfterFunc(w.srv.debounce, w.flush)
	} else {
		w.timer.Reset(w.srv.debounce)
	}
}

// flush loads the workspace if anything changed and publishes diagnostics.
func (w *workspace) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.flushLocked()
}

func (w *workspace) flushLocked() {
	if !w.dirty && w.snap != nil {
		return
	}
	w.dirty = false
	if w.timer != nil {
		w.timer.Stop()
	}
	w.snap = w.load()
	w.publish(w.snap)
}

// current returns an up-to-date snapshot, loading pending edits first so
// that a request sees what the user typed.
func (w *workspace) current() *snapshot {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.flushLocked()
	return w.snap
}

func (w *workspace) load() *snapshot {
	files := make(map[string][]byte, len(w.overlay))
	for k, v := range w.overlay {
		files[k] = []byte(v)
	}
	sources := loader.Sources{}
	opts := append(append([]loader.Option(nil), w.srv.opts.Loader...), loader.CollectSources(sources))
	var base fs.FS = os.DirFS(w.root)
	if w.single {
		base = emptyFS{}
	}
	sch, ds := loader.Load(overlayFS{base: base, files: files}, opts...)
	if sch == nil {
		sch = &spec.Schema{}
	}
	sch.Index()
	snap := &snapshot{root: w.root, sch: sch, diags: ds, files: map[string]*fileIndex{}}
	syntaxOK := true
	for _, d := range ds {
		if d.Rule == "yaml-syntax" {
			syntaxOK = false
		}
	}
	snap.good = sch
	if !syntaxOK && w.snap != nil && w.snap.good != nil {
		snap.good = w.snap.good
	}
	for name, src := range sources {
		snap.names = append(snap.names, name)
		snap.files[name] = indexFile(name, string(src), sch)
	}
	sort.Strings(snap.names)
	return snap
}

// publish sends the diagnostics of every file of the snapshot, an empty
// list for files that became clean, and a list (maybe empty) for every
// open buffer.
func (w *workspace) publish(s *snapshot) {
	byFile := map[string][]diagnostic{}
	var unlocated []spec.Diagnostic
	for _, d := range s.diags {
		f := d.Subject.File
		if f == "" || f == "." {
			unlocated = append(unlocated, d)
			continue
		}
		fi := s.files[f]
		var t *text
		if fi != nil {
			t = fi.text
		} else {
			t = newText("")
		}
		byFile[f] = append(byFile[f], toLSPDiagnostic(d, t))
	}
	targets := map[string]bool{}
	for f := range byFile {
		targets[f] = true
	}
	for f := range w.published {
		targets[f] = true
	}
	for f := range w.overlay {
		targets[f] = true
	}
	if len(unlocated) > 0 {
		// A problem of the whole load (no files, a budget): show it on the
		// open buffers, or on the first file.
		var hosts []string
		for f := range w.overlay {
			hosts = append(hosts, f)
		}
		if len(hosts) == 0 && len(s.names) > 0 {
			hosts = s.names[:1]
		}
		for _, f := range hosts {
			for _, d := range unlocated {
				byFile[f] = append(byFile[f], toLSPDiagnostic(d, newText("")))
			}
			targets[f] = true
		}
	}
	names := make([]string, 0, len(targets))
	for f := range targets {
		names = append(names, f)
	}
	sort.Strings(names)
	w.published = map[string]bool{}
	for _, f := range names {
		list := byFile[f]
		if list == nil {
			list = []diagnostic{}
		} else {
			w.published[f] = true
		}
		w.srv.send("textDocument/publishDiagnostics", publishDiagnosticsParams{URI: w.srv.uriFor(s.abs(f)), Diagnostics: list})
	}
}

// toLSPDiagnostic converts a loader diagnostic: the rule is the code, the
// detail (the fix hint, "did you mean …") follows the message.
func toLSPDiagnostic(d spec.Diagnostic, t *text) diagnostic {
	sev := 1
	if d.Severity == spec.SeverityWarning {
		sev = 2
	}
	msg := d.Summary
	if d.Detail != "" {
		msg += "\n" + d.Detail
	}
	out := diagnostic{Range: t.specRange(d.Subject), Severity: sev, Code: d.Rule, Source: "dlayer", Message: msg}
	if s := suggestion(d.Detail); s != "" {
		out.Data = &diagData{Suggestion: s}
	}
	return out
}

// overlayFS is the schema directory on disk with open buffers laid over
// it: a buffer replaces the file of the same name, or adds one.
type overlayFS struct {
	base  fs.FS
	files map[string][]byte
}

func (o overlayFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if b, ok := o.files[name]; ok {
		return &memFile{Reader: bytes.NewReader(b), info: memInfo{name: path.Base(name), size: int64(len(b))}}, nil
	}
	return o.base.Open(name)
}

func (o overlayFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(o.base, name)
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Name()] = true
	}
	added := false
	for p, b := range o.files {
		if path.Dir(p) != name || seen[path.Base(p)] {
			continue
		}
		entries = append(entries, fs.FileInfoToDirEntry(memInfo{name: path.Base(p), size: int64(len(b))}))
		added = true
	}
	if added {
		err = nil
		sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	}
	return entries, err
}

// emptyFS is a file system with an empty root directory.
type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) {
	if name == "." {
		return &memFile{Reader: bytes.NewReader(nil), info: memInfo{name: ".", dir: true}}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (emptyFS) ReadDir(string) ([]fs.DirEntry, error) { return nil, nil }

type memFile struct {
	*bytes.Reader
	info memInfo
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Close() error               { return nil }

var _ io.Reader = (*memFile)(nil)

type memInfo struct {
	name string
	size int64
	dir  bool
}

func (i memInfo) Name() string { return i.name }
func (i memInfo) Size() int64  { return i.size }
func (i memInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return i.dir }
func (i memInfo) Sys() any           { return nil }
