package loader

import (
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
// order, skipping directories whose name starts with a dot) as one schema,
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
		if strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml") {
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

// read reads one input under the size cap.
func read(in input, cfg *config, ds *diags) ([]byte, bool) {
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
	src, err := io.ReadAll(io.LimitReader(r, cfg.maxFileSize+1))
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

// load runs the pipeline over the inputs.
func load(ins []input, cfg *config, ds *diags) (sch *spec.Schema, out spec.Diagnostics) {
	st := newState(cfg, ds)
	defer func() {
		if r := recover(); r != nil {
			// A bug must not take the caller down with it: report it.
			ds.addAt(spec.Range{}, "", ruleInternal, "internal error: %v", r)
			if sch == nil {
				sch = &spec.Schema{}
			}
			out = ds.list.Sort()
		}
	}()
	// Read sequentially (an fs.FS need not be safe for concurrent use),
	// then parse and check the files in parallel: both are CPU-bound and
	// independent. Results are merged in file order.
	files := make([]*srcFile, len(ins))
	for i, in := range ins {
		st.schema.Files = append(st.schema.Files, in.name)
		src, ok := read(in, cfg, ds)
		if !ok {
			continue
		}
		if cfg.sources != nil {
			cfg.sources[in.name] = src
		}
		files[i] = newSrcFile(in.name, src)
	}
	fileDiags := make([]diags, len(files))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				if files[i] != nil {
					parseAndCheck(files[i], cfg, &fileDiags[i])
				}
			}
		})
	}
	wg.Wait()
	for i, f := range files {
		ds.list = append(ds.list, fileDiags[i].list...)
		if f != nil {
			st.files = append(st.files, f)
		}
	}
	st.run()
	return st.schema, ds.list.Sort()
}

// parseAndCheck parses one file and checks its documents against the JSON
// Schema. It runs on a worker goroutine, so it recovers its own panics.
func parseAndCheck(f *srcFile, cfg *config, ds *diags) {
	defer func() {
		if r := recover(); r != nil {
			f.docs = nil
			ds.addAt(spec.Range{File: f.name}, "", ruleInternal, "internal error: %v", r)
		}
	}()
	parseFile(f, cfg, ds)
	for _, doc := range f.docs {
		checkSchema(doc, ds)
	}
}
