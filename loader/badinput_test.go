package loader

import (
	"bytes"
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/dlayer/dlayer/spec"
)

// failingFS fails every Open, as a closed or vanished file system would.
type failingFS struct{}

func (failingFS) Open(string) (fs.File, error) { return nil, errors.New("file system closed") }

// TestBadInput calls every exported entry point of package loader with
// nil, empty and failing arguments: a load returns a schema and at least
// one located diagnostic, a formatter an error, and nothing panics.
func TestBadInput(t *testing.T) {
	loads := []struct {
		name string
		fn   func() (*spec.Schema, spec.Diagnostics)
	}{
		{"Load nil fs", func() (*spec.Schema, spec.Diagnostics) { return Load(nil) }},
		{"Load empty fs", func() (*spec.Schema, spec.Diagnostics) { return Load(fstest.MapFS{}) }},
		{"Load failing fs", func() (*spec.Schema, spec.Diagnostics) { return Load(failingFS{}) }},
		{"Load nil option", func() (*spec.Schema, spec.Diagnostics) { return Load(fstest.MapFS{}, nil, MaxNodes(-1)) }},
		{"Load zero-byte budget", func() (*spec.Schema, spec.Diagnostics) {
			return Load(fstest.MapFS{"a.yaml": {Data: []byte("models: {}\n")}}, MaxTotalSize(1))
		}},
		{"LoadDir empty name", func() (*spec.Schema, spec.Diagnostics) { return LoadDir("") }},
		{"LoadDir missing", func() (*spec.Schema, spec.Diagnostics) { return LoadDir("testdata/none") }},
		{"LoadPaths nil", func() (*spec.Schema, spec.Diagnostics) { return LoadPaths(nil) }},
		{"LoadPaths empty name", func() (*spec.Schema, spec.Diagnostics) { return LoadPaths([]string{""}) }},
	}
	for _, tt := range loads {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			s, ds := tt.fn()
			if s == nil {
				t.Error("nil schema")
			}
			if !ds.HasErrors() {
				t.Errorf("no error diagnostic: %v", ds)
			}
			for _, d := range ds {
				if d.Rule == ruleInternal {
					t.Errorf("internal error: %v", d)
				}
			}
		})
	}
	ds := spec.Diagnostics{{Severity: spec.SeverityError, Rule: ruleIO, Summary: "x", Subject: spec.Range{File: "a.yaml"}}}
	formats := []struct {
		name string
		fn   func() error
	}{
		{"FormatText nil writer", func() error { return FormatText(nil, ds, nil) }},
		{"FormatJSON nil writer", func() error { return FormatJSON(nil, ds) }},
		{"FormatGitHub nil writer", func() error { return FormatGitHub(nil, ds) }},
	}
	for _, tt := range formats {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			if err := tt.fn(); err == nil {
				t.Error("no error")
			}
		})
	}
	t.Run("formatters accept nil diagnostics and sources", func(t *testing.T) {
		var b bytes.Buffer
		if err := FormatText(&b, nil, nil); err != nil {
			t.Error(err)
		}
		if err := FormatJSON(&b, nil); err != nil {
			t.Error(err)
		}
		if err := FormatGitHub(&b, nil); err != nil {
			t.Error(err)
		}
		_ = Rules()
		// An empty file is an empty schema, not an error.
		if _, ds := Load(fstest.MapFS{"a.yaml": {Data: nil}}, MaxTotalSize(0), MaxFileSize(-5)); len(ds) != 0 {
			t.Errorf("empty file: %v", ds)
		}
		_, _ = Load(fstest.MapFS{"a.yaml": {Data: []byte("models: {}\n")}}, CollectSources(nil))
	})
}
