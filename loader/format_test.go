package loader

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dlayer/dlayer/spec"
)

func sampleDiags(t *testing.T) (spec.Diagnostics, Sources) {
	t.Helper()
	src := Sources{}
	fsys := fstest.MapFS{"m.yaml": {Data: []byte("models:\n  User:\n    table: order\n    columns:\n      id: {type: intgr, primary_key: true}\n")}}
	_, ds := Load(fsys, CollectSources(src))
	if len(ds) != 2 {
		t.Fatalf("want 2 diagnostics, got %v", ds)
	}
	return ds, src
}

func TestFormatText(t *testing.T) {
	ds, src := sampleDiags(t)
	var b bytes.Buffer
	if err := FormatText(&b, ds, src); err != nil {
		t.Fatal(err)
	}
	want := `m.yaml:3:12: warning: table name "order" is an SQL reserved word [reserved-word]
 3 |     table: order
   |            ^^^^^
      = quoting makes it work, but every hand-written query must quote it too
m.yaml:5:18: error: unknown type "intgr" [unknown-type]
 5 |       id: {type: intgr, primary_key: true}
   |                  ^^^^^
      = did you mean "integer"?
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	// Without sources there is no snippet.
	b.Reset()
	FormatText(&b, ds, nil)
	if strings.Contains(b.String(), "|") {
		t.Errorf("snippet without sources:\n%s", b.String())
	}
}

func TestFormatTextHostileLine(t *testing.T) {
	var b bytes.Buffer
	line := "\tx: \x1b[31m" + strings.Repeat("y", 500)
	d := spec.Diagnostic{Severity: spec.SeverityError, Rule: "r", Summary: "s",
		Subject: spec.Range{File: "f", Start: spec.Pos{Line: 1, Column: 400}, End: spec.Pos{Line: 1, Column: 9000}}}
	if err := FormatText(&b, spec.Diagnostics{d}, Sources{"f": []byte(line)}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "\x1b") {
		t.Error("control characters reach the terminal")
	}
	for _, l := range strings.Split(out, "\n") {
		if len(l) > 260 {
			t.Errorf("line of %d bytes not windowed", len(l))
		}
	}
}

func TestFormatJSON(t *testing.T) {
	ds, _ := sampleDiags(t)
	var b bytes.Buffer
	if err := FormatJSON(&b, ds); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Diagnostics []map[string]any `json:"diagnostics"`
		Errors      int              `json:"errors"`
		Warnings    int              `json:"warnings"`
	}
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if out.Errors != 1 || out.Warnings != 1 || len(out.Diagnostics) != 2 {
		t.Fatalf("%+v", out)
	}
	d := out.Diagnostics[1]
	if d["rule"] != "unknown-type" || d["file"] != "m.yaml" || d["line"] != 5.0 || d["column"] != 18.0 ||
		d["end_column"] != 23.0 || d["path"] != "/models/User/columns/id/type" || d["detail"] != `did you mean "integer"?` {
		t.Errorf("%v", d)
	}
	b.Reset()
	FormatJSON(&b, nil)
	if !strings.Contains(b.String(), `"diagnostics": []`) {
		t.Errorf("empty list must encode as []: %s", b.String())
	}
}

func TestFormatGitHub(t *testing.T) {
	ds, _ := sampleDiags(t)
	ds = append(ds, spec.Diagnostic{Severity: spec.SeverityError, Rule: "io-error", Summary: "50% done,\nthen: failed",
		Subject: spec.Range{File: "dir,x:y"}})
	var b bytes.Buffer
	if err := FormatGitHub(&b, ds); err != nil {
		t.Fatal(err)
	}
	want := `::warning file=m.yaml,line=3,col=12,endColumn=17,title=reserved-word::table name "order" is an SQL reserved word (quoting makes it work, but every hand-written query must quote it too)
::error file=m.yaml,line=5,col=18,endColumn=23,title=unknown-type::unknown type "intgr" (did you mean "integer"?)
::error file=dir%2Cx%3Ay,title=io-error::50%25 done,%0Athen: failed
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
