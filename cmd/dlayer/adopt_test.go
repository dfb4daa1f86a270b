package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
)

// TestAdoptExistingDatabase follows docs/inspect.md on every database:
// inspect an existing database, review, write a baseline migration from the
// empty migration directory and mark it applied without running it, then
// make a first change through a migration; the rows already there survive.
func TestAdoptExistingDatabase(t *testing.T) {
	const existing = `CREATE TABLE artists (artist_id INTEGER PRIMARY KEY, name VARCHAR(120));
CREATE TABLE albums (album_id INTEGER PRIMARY KEY, title VARCHAR(160) NOT NULL, artist_id INTEGER NOT NULL REFERENCES artists (artist_id));
INSERT INTO artists (artist_id, name) VALUES (1, 'AC/DC');
INSERT INTO albums (album_id, title, artist_id) VALUES (1, 'For Those About To Rock', 1);
`
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			url := fresh.URL(t, name, "dl_adopt")
			execScript(t, url, existing)
			work := t.TempDir()
			models, migrations := filepath.Join(work, "models"), filepath.Join(work, "migrations")
			cli := func(want int, args ...string) string {
				t.Helper()
				code, out, errOut := runCLI(t, args...)
				if code != want {
					t.Fatalf("dlayer %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, errOut)
				}
				return out
			}
			// 1. inspect, 2. review
			cli(exitOK, "inspect", url, "-o", models)
			cli(exitOK, "validate", "--dialect", name, models)
			cli(exitOK, "migrate", "check", "--from-db", "--url", url, "--models", models, "--dir", migrations)
			// 3. baseline: a migration from the empty directory, marked applied
			out := cli(exitOK, "migrate", "diff", "-m", "baseline", "--dialect", name, "--models", models, "--dir", migrations, "--format", "json")
			var g struct {
				Version string `json:"version"`
			}
			if err := json.Unmarshal([]byte(out), &g); err != nil || g.Version == "" {
				t.Fatalf("diff output %q: %v", out, err)
			}
			cli(exitOK, "migrate", "resolve", g.Version, "--applied", "--url", url, "--dir", migrations)
			if st := cli(exitOK, "migrate", "status", "--url", url, "--dir", migrations); !strings.Contains(st, "applied") || !strings.Contains(st, "baseline") {
				t.Fatalf("status after the baseline:\n%s", st)
			}
			cli(exitOK, "migrate", "up", "--url", url, "--dir", migrations) // nothing to do: the baseline is not run
			// 4. first change
			path := filepath.Join(models, "models.yaml")
			y, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			edited := strings.Replace(string(y), "      title: {type: string, length: 160}\n",
				"      title: {type: string, length: 160}\n      released: {type: integer, nullable: true}\n", 1)
			if edited == string(y) {
				t.Fatalf("cannot find the albums title column in:\n%s", y)
			}
			if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			cli(exitFail, "migrate", "check", "--url", url, "--models", models, "--dir", migrations)
			cli(exitOK, "migrate", "diff", "-m", "album_released", "--url", url, "--models", models, "--dir", migrations)
			cli(exitOK, "migrate", "up", "--url", url, "--dir", migrations)
			cli(exitOK, "migrate", "check", "--from-db", "--url", url, "--models", models, "--dir", migrations)
			if n := countRows(t, url, "albums"); n != 1 {
				t.Fatalf("albums has %d rows after the first change, want the 1 it had", n)
			}
		})
	}
}
