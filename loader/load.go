package loader

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/dlayer/dlayer/spec"
)

// RuleIOError is the rule code of diagnostics about files or directories
// that could not be read (as opposed to problems in their content).
const RuleIOError = "io-error"

// input is one file to load: its diagnostic name and how to read it.
type input struct {
	name string
	open func() (io.ReadCloser, error)
}

// Load reads every *.yaml and *.yml file of fsys (recursively, in sorted
// order, skipping directories whose name starts with a dot and files named
// dlayer.yaml, the CLI's project file) as one schema,
// and returns the resolved schema with all diagnostics, sorted. File names
// in diagnostics are fsys paths. The schema is returned even when there are
// errors, as far as it could be built; callers must check
// Diagnostics.HasErrors before using it.
func Load(fsys fs.FS, opts ...Option) (*spec.Schema, spec.Diagnostics) {
	return loadFS(fsys, opts)
}

// LoadDir is Load over the directory dir of the operating system. File
// names in diagnostics are dir joined with each file's relative path.
func LoadDir(dir string, opts ...Option) (*spec.Schema, spec.Diagnostics) {
	return LoadPaths([]string{dir}, opts...)
}

// LoadPaths loads the named files and directories as one schema. A directory
// contributes its *.yaml and *.yml files recursively; a file is loaded
// whatever its extension. File names in diagnostics are the paths as given
// (joined with the relative path inside a directory). A path that cannot be
// read yields a diagnostic with rule RuleIOError.
func LoadPaths(paths []string, opts ...Option) (*spec.Schema, spec.Diagnostics) {
	cfg := newConfig(opts)
	ds := &diags{}
	var ins []input
	seen := map[string]bool{}
	add := func(name string) {
		name = filepath.ToSlash(filepath.Clean(name))
		if seen[name] {
			return
		}
		seen[name] = true
		osName := filepath.FromSlash(name)
		ins = append(ins, input{name: name, open: func() (io.ReadCloser, error) { return os.Open(osName) }})
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			ds.addAt(spec.Range{File: filepath.ToSlash(p)}, "", ruleIO, "%s", ioMessage(err))
			continue
		}
		if !st.IsDir() {
			add(p)
			continue
		}
		names, err := schemaFiles(os.DirFS(p))
		if err != nil {
			ds.addAt(spec.Range{File: filepath.ToSlash(p)}, "", ruleIO, "%s", ioMessage(err))
		}
		if len(names) == 0 && err == nil {
			ds.addAt(spec.Range{File: filepath.ToSlash(p)}, "", ruleNoFiles, "no *.yaml or *.yml files in directory %s", p)
		}
		for _, n := range names {
			add(filepath.Join(p, filepath.FromSlash(n)))
		}
	}
	if len(paths) == 0 {
		ds.addAt(spec.Range{}, "", ruleNoFiles, "no schema files given")
	}
	return load(ins, cfg, ds)
}

func loadFS(fsys fs.FS, opts []Option) (*spec.Schema, spec.Diagnostics) {
	cfg := newConfig(opts)
	ds := &diags{}
	if fsys == nil {
		ds.addAt(spec.Range{File: "."}, "", ruleIO, "no file system to load (fs.FS is nil)")
		return &spec.Schema{}, ds.sorted()
	}
	names, err := schemaFiles(fsys)
	if err != nil {
		ds.addAt(spec.Range{}, "", ruleIO, "%s", ioMessage(err))
	} else if len(names) == 0 {
		ds.addAt(spec.Range{}, "", ruleNoFiles, "no *.yaml or *.yml files found")
	}
	ins := make([]input, len(names))
	for i, n := range names {
		ins[i] = input{name: n, open: func() (io.ReadCloser, error) { return fsys.Open(n) }}
	}
	return load(ins, cfg, ds)
}

// schemaFiles lists the schema files of fsys in sorted order.
func schemaFiles(fsys fs.FS) ([]string, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		base := path.Base(p)
		if d.IsDir() {
			if p != "." && strings.HasPrefix(base, ".") {
				return fs.SkipDir
			}
			return nil
		}
		// dlayer.yaml is the project file of the CLI, not a schema file.
		if (strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml")) && base != "dlayer.yaml" {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	return names, err
}

func ioMessage(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("cannot read %s: %v", filepath.ToSlash(pe.Path), pe.Err)
	}
	return err.Error()
}

// read reads one input under the per-file size cap, and at most remaining+1
// bytes of it (the rest of the whole-load budget), so the caller can report
// where that budget ran out.
func read(in input, cfg *config, ds *diags, remaining int64) ([]byte, bool) {
	r, err := in.open()
	if err != nil {
		ds.addAt(spec.Range{File: in.name}, "", ruleIO, "%s", ioMessage(err))
		return nil, false
	}
	defer r.Close()
	if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil {
			if fi.IsDir() {
				ds.addAt(spec.Range{File: in.name}, "", ruleIO, "cannot read %s: is a directory", in.name)
				return nil, false
			}
			if fi.Size() > cfg.maxFileSize {
				ds.addAt(spec.Range{File: in.name}, "", ruleFileTooLarge,
					"file is %d bytes, larger than the %d-byte cap", fi.Size(), cfg.maxFileSize)
				return nil, false
			}
		}
	}
	limit := min(cfg.maxFileSize, max(remaining, 0))
	src, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		ds.addAt(spec.Range{File: in.name}, "", ruleIO, "%s", ioMessage(err))
		return nil, false
	}
	if int64(len(src)) > cfg.maxFileSize {
		ds.addAt(spec.Range{File: in.name}, "", ruleFileTooLarge, "file is larger than the %d-byte cap", cfg.maxFileSize)
		return nil, false
	}
	return src, true
}

// rangeAt returns the range of the byte at offset off of src.
func rangeAt(name string, src []byte, off int) spec.Range {
	off = min(max(off, 0), len(src))
	line := bytes.Count(src[:off], []byte{'\n'}) + 1
	ls := bytes.LastIndexByte(src[:off], '\n') + 1
	p := spec.Pos{Line: line, Column: utf8.RuneCount(src[ls:off]) + 1, Byte: off}
	return spec.Range{File: name, Start: p, End: p}
}

// load runs the pipeline over the inputs. The budgets of cfg hold for the
// whole load: bytes read, YAML nodes built and nodes added by aliases,
// summed over the files in order. The first file that takes the load over a
// budget gets a diagnostic at the place where it did, the files after it are
// not read, and the semantic checks are skipped (the schema is incomplete).
func load(ins []input, cfg *config, ds *diags) (sch *spec.Schema, out spec.Diagnostics) {
	st := newState(cfg, ds)
	defer func() {
		if r := recover(); r != nil {
			// A bug must not take the caller down with it: report it.
			ds.addAt(spec.Range{}, "", ruleInternal, "internal error: %v", r)
			if sch == nil {
				sch = &spec.Schema{}
			}
			out = ds.sorted()
		}
	}()
	// Read sequentially (an fs.FS need not be safe for concurrent use),
	// and estimate each file's YAML nodes from its text, so a hostile input
	// is refused before the YAML parser spends memory on it.
	files := make([]*srcFile, len(ins))
	var total int64
	estimated, gate := 0, cfg.maxNodes+cfg.maxNodes/2
	stopped := false
	for i, in := range ins {
		st.schema.Files = append(st.schema.Files, in.name)
		if stopped {
			continue
		}
		src, ok := read(in, cfg, ds, cfg.maxTotalSize-total)
		if !ok {
			continue
		}
		if cfg.sources != nil {
			cfg.sources[in.name] = src
		}
		if total+int64(len(src)) > cfg.maxTotalSize {
			ds.addAt(rangeAt(in.name, src, int(cfg.maxTotalSize-total)), "", ruleFileTooLarge,
				"the schema files total more than %d bytes, the budget for the whole load (loader.MaxTotalSize)", cfg.maxTotalSize)
			stopped = true
			continue
		}
		total += int64(len(src))
		n, at := estimateNodes(src, gate-estimated)
		if at >= 0 {
			ds.addAt(rangeAt(in.name, src, at), "", ruleFileTooLarge,
				"the schema files hold more than %d YAML nodes, the budget for the whole load (loader.MaxNodes, or DLAYER_MAX_NODES for the dlayer command; refused before parsing)", cfg.maxNodes)
			stopped = true
			continue
		}
		estimated += n
		files[i] = newSrcFile(in.name, src)
	}
	// Parse in parallel (the YAML parser is CPU-bound and the files are
	// independent), build the loader's trees in file order under the node
	// and alias budgets, then check the documents against the JSON Schema
	// in parallel. Diagnostics are merged in file order.
	fileDiags := make([]diags, len(files))
	parallel(len(files), func(i int) {
		if files[i] != nil {
			decodeFile(files[i], &fileDiags[i])
		}
	})
	var c counts
	for i, f := range files {
		if f == nil {
			continue
		}
		if stopped || !convFile(f, cfg, &c, &fileDiags[i]) {
			stopped = true
			f.ydocs, f.docs = nil, nil
		}
	}
	parallel(len(files), func(i int) {
		f := files[i]
		if f == nil {
			return
		}
		defer func() {
			if r := recover(); r != nil {
				f.docs = nil
				fileDiags[i].addAt(spec.Range{File: f.name}, "", ruleInternal, "internal error: %v", r)
			}
		}()
		for _, doc := range f.docs {
			checkSchema(doc, &fileDiags[i])
		}
	})
	for i, f := range files {
		ds.merge(&fileDiags[i])
		if f != nil {
			st.files = append(st.files, f)
		}
	}
	if !stopped {
		st.run()
	}
	return st.schema, ds.sorted()
}

// parallel calls fn(0) … fn(n-1) on up to GOMAXPROCS goroutines. fn runs on
// a worker goroutine, so it must recover its own panics.
func parallel(n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
}
