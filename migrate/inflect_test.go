package migrate

import (
	"strings"
	"testing"
)

func TestInflectWords(t *testing.T) {
	tests := []struct{ singular, plural string }{
		{"status", "statuses"}, {"analysis", "analyses"}, {"address", "addresses"}, {"category", "categories"},
		{"person", "people"}, {"child", "children"}, {"box", "boxes"}, {"bus", "buses"}, {"data", "data"},
		{"series", "series"}, {"index", "indices"}, {"matrix", "matrices"}, {"quiz", "quizzes"},
		{"track", "tracks"}, {"album", "albums"}, {"invoice", "invoices"}, {"employee", "employees"},
		{"customer", "customers"}, {"playlist", "playlists"}, {"genre", "genres"}, {"class", "classes"},
		{"match", "matches"}, {"dish", "dishes"}, {"day", "days"}, {"key", "keys"}, {"city", "cities"},
		{"movie", "movies"}, {"cookie", "cookies"}, {"house", "houses"}, {"cause", "causes"},
		{"case", "cases"}, {"database", "databases"}, {"response", "responses"}, {"course", "courses"},
		{"leaf", "leaves"}, {"knife", "knives"}, {"archive", "archives"}, {"hero", "heroes"},
		{"photo", "photos"}, {"shoe", "shoes"}, {"cache", "caches"}, {"crisis", "crises"},
		{"alias", "aliases"}, {"campus", "campuses"}, {"virus", "viruses"}, {"bonus", "bonuses"},
		{"vertex", "vertices"}, {"axis", "axes"}, {"tax", "taxes"}, {"buzz", "buzzes"},
		{"man", "men"}, {"woman", "women"}, {"criterion", "criteria"}, {"species", "species"},
		{"news", "news"}, {"sheep", "sheep"}, {"price", "prices"}, {"device", "devices"},
		{"hypothesis", "hypotheses"}, {"diagnosis", "diagnoses"}, {"metric", "metrics"},
		{"rental", "rentals"}, {"film", "films"}, {"actor", "actors"}, {"payment", "payments"},
		{"inventory", "inventories"}, {"staff", "staff"}, {"language", "languages"}, {"country", "countries"},
	}
	for _, tt := range tests {
		t.Run(tt.singular, func(t *testing.T) {
			if got := pluralWord(tt.singular); got != tt.plural {
				t.Errorf("plural(%q) = %q, want %q", tt.singular, got, tt.plural)
			}
			if got := singularWord(tt.plural); got != tt.singular {
				t.Errorf("singular(%q) = %q, want %q", tt.plural, got, tt.singular)
			}
			if got := singularWord(tt.singular); got != tt.singular {
				t.Errorf("singular(%q) of a singular = %q", tt.singular, got)
			}
			if got := pluralWord(tt.plural); got != tt.plural {
				t.Errorf("plural(%q) of a plural = %q", tt.plural, got)
			}
		})
	}
}

func TestInflectNames(t *testing.T) {
	tests := []struct {
		in, words, model, plural string
	}{
		{"support_rep_id", "support rep id", "SupportRepId", "support_rep_ids"},
		{"SupportRepId", "Support Rep Id", "SupportRepId", "support_rep_ids"},
		{"supportRepID", "support Rep ID", "SupportRepID", "support_rep_ids"},
		{"invoice_lines", "invoice lines", "InvoiceLine", "invoice_lines"},
		{"InvoiceLine", "Invoice Line", "InvoiceLine", "invoice_lines"},
		{"MediaType", "Media Type", "MediaType", "media_types"},
		{"HTTPLogs", "HTTP Logs", "HTTPLog", "http_logs"},
		{"order_statuses", "order statuses", "OrderStatus", "order_statuses"},
		{"people", "people", "Person", "people"},
		{"film_category", "film category", "FilmCategory", "film_categories"},
		{"address2", "address2", "Address2", "address2s"},
		{"ReportsTo", "Reports To", "ReportsTo", "reports_tos"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := strings.Join(splitWords(tt.in), " "); got != tt.words {
				t.Errorf("splitWords = %q, want %q", got, tt.words)
			}
			if got := camel(tt.in); got != tt.model {
				t.Errorf("camel = %q, want %q", got, tt.model)
			}
			if got := snake(pluralName(tt.in)); got != tt.plural {
				t.Errorf("plural = %q, want %q", got, tt.plural)
			}
		})
	}
}

// FuzzInflect: names from any identifier never panic, and a singular is
// its own singular.
func FuzzInflect(f *testing.F) {
	for _, s := range []string{"statuses", "SupportRepId", "HTTPServer", "", "_", "ÄÖÜ_ies", "a__b", "ies", "2fa_codes"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = camel(s)
		_ = snake(pluralName(s))
		for _, w := range splitWords(s) {
			if w == "" {
				t.Fatalf("splitWords(%q) holds an empty word", s)
			}
			lw := strings.ToLower(w)
			if one := singularWord(lw); singularWord(one) != one {
				t.Fatalf("singular(%q) = %q, whose singular is %q", lw, one, singularWord(one))
			}
		}
	})
}
