package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/loader"
	"github.com/dlayer/dlayer/spec"
)

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
			dir := runCorpusFile(t, tt.dialect, filepath.Join("testdata", "roundtrip", tt.dialect, "music_store.sql"))
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
