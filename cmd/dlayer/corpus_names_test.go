package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/loader"
	"github.com/dlayer/dlayer/spec"
)

// applySQL runs a script of statements each ending in ";" at a line end;
// lines starting with "--" are comments.
func applySQL(t *testing.T, url, script string) {
	t.Helper()
	ctx := context.Background()
	_, pool, err := dialects.Open(ctx, url, dialects.PoolOptions{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var lines []string
	for _, l := range strings.Split(script, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			lines = append(lines, l)
		}
	}
	for _, st := range strings.Split(strings.Join(lines, "\n"), ";\n") {
		if st = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(st), ";")); st != "" {
			if _, err := pool.Exec(ctx, st); err != nil {
				t.Fatalf("apply %q: %v", st, err)
			}
		}
	}
}

// roundTrip takes testdata/roundtrip/<dialect>/<file> through the corpus
// steps: load into a fresh database → inspect → validate --dialect →
// migrate check --from-db → ddl applied to a fresh database → inspect
// again, byte-identical. It returns the inspected YAML's directory.
func roundTrip(t *testing.T, dialect, file string) string {
	t.Helper()
	script, err := os.ReadFile(filepath.Join("testdata", "roundtrip", dialect, file))
	if err != nil {
		t.Fatal(err)
	}
	src := fresh.URL(t, dialect, "dl_rt")
	applySQL(t, src, string(script))
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "inspect", src, "-o", dir); code != exitOK {
		t.Fatalf("inspect: exit %d: %s", code, errOut)
	}
	first, err := os.ReadFile(filepath.Join(dir, "models.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, "validate", "--dialect", dialect, dir); code != exitOK {
		t.Fatalf("validate --dialect %s: exit %d:\n%s\n%s", dialect, code, out, first)
	}
	if code, out, errOut := runCLI(t, "migrate", "check", "--from-db", "--url", src, "--models", dir); code != exitOK {
		t.Fatalf("migrate check --from-db: exit %d:\n%s%s\n%s", code, out, errOut, first)
	}
	code, ddl, errOut := runCLI(t, "ddl", "--dialect", dialect, dir)
	if code != exitOK {
		t.Fatalf("ddl: exit %d: %s", code, errOut)
	}
	dst := fresh.URL(t, dialect, "dl_rt2")
	applySQL(t, dst, ddl+"\n")
	dir2 := t.TempDir()
	if code, _, errOut := runCLI(t, "inspect", dst, "-o", dir2); code != exitOK {
		t.Fatalf("inspect of the DDL's database: exit %d: %s", code, errOut)
	}
	second, err := os.ReadFile(filepath.Join(dir2, "models.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != string(second) {
		t.Fatalf("re-inspected YAML differs:\n%s\nDDL:\n%s", lineDiff(string(first), string(second)), ddl)
	}
	return dir
}

// TestRoundTripDecimalsKeysIndexNames runs this helper's corpus files:
// decimals on every database, plain integer keys on SQLite, per-table
// index and constraint names.
func TestRoundTripDecimalsKeysIndexNames(t *testing.T) {
	for _, c := range []struct{ dialect, file string }{
		{"postgres", "decimals.sql"}, {"mysql", "decimals.sql"}, {"sqlite", "decimals.sql"},
		{"sqlite", "plain_key.sql"}, {"mysql", "index_clash.sql"}, {"sqlite", "constraint_name_clash.sql"},
	} {
		t.Run(c.dialect+"/"+c.file, func(t *testing.T) {
			t.Parallel()
			roundTrip(t, c.dialect, c.file)
		})
	}
}

// TestInspectMusicStoreNames inspects a music-store schema written three
// ways (CamelCase on SQLite, snake_case plurals on PostgreSQL, camelCase
// columns on MySQL) and checks the names inspect gives models and
// relationships: singular model names, plural collections, to-one names
// from the foreign-key column, self-references named for their role.
func TestInspectMusicStoreNames(t *testing.T) {
	type rel struct{ model, name, target string }
	common := []rel{
		{"Album", "artist", "Artist"}, {"Artist", "albums", "Album"},
		{"Album", "tracks", "Track"}, {"Track", "album", "Album"},
		{"Track", "genre", "Genre"}, {"Genre", "tracks", "Track"},
		{"Track", "media_type", "MediaType"}, {"MediaType", "tracks", "Track"},
		{"Customer", "support_rep", "Employee"},
		{"Invoice", "customer", "Customer"}, {"Customer", "invoices", "Invoice"},
		{"InvoiceLine", "invoice", "Invoice"}, {"Invoice", "invoice_lines", "InvoiceLine"},
		{"InvoiceLine", "track", "Track"}, {"Track", "invoice_lines", "InvoiceLine"},
		{"Playlist", "tracks", "Track"}, {"Track", "playlists", "Playlist"},
		{"Employee", "reports", "Employee"},
	}
	tests := []struct {
		dialect string
		extra   []rel
	}{
		// The column ReportsTo names the role: Employee.reports_to.
		{"sqlite", []rel{{"Employee", "reports_to", "Employee"}, {"Employee", "customers", "Customer"}}},
		// reports_to is a column itself: the role's alias; two keys from
		// customers to employees name their collections by role.
		{"postgres", []rel{{"Employee", "manager", "Employee"}, {"Customer", "account_manager", "Employee"},
			{"Employee", "support_rep_customers", "Customer"}, {"Employee", "account_manager_customers", "Customer"}}},
		{"mysql", []rel{{"Employee", "reports_to", "Employee"}, {"Employee", "customers", "Customer"}}},
	}
	for _, tt := range tests {
		t.Run(tt.dialect, func(t *testing.T) {
			t.Parallel()
			dir := roundTrip(t, tt.dialect, "music_store.sql")
			s, ds := loader.LoadDir(dir)
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			var models []string
			for _, m := range s.Models {
				models = append(models, m.Name)
			}
			if got, want := strings.Join(models, " "), "Album Artist Customer Employee Genre Invoice InvoiceLine MediaType Playlist Track"; got != want {
				t.Errorf("models %q, want %q", got, want)
			}
			for _, r := range append(common, tt.extra...) {
				m := s.Model(r.model)
				if m == nil {
					t.Errorf("no model %s", r.model)
					continue
				}
				got := m.Relationship(r.name)
				if got == nil || got.Target == nil || got.Target.Name != r.target {
					t.Errorf("%s.%s → %s missing; relationships: %v", r.model, r.name, r.target, relNames(m))
				}
			}
		})
	}
}

func relNames(m *spec.Model) []string {
	var out []string
	for _, r := range m.Relationships {
		out = append(out, r.Name)
	}
	return out
}

// lineDiff lists the lines of a and b that the other lacks.
func lineDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ia, ib := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !ib[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ia[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
