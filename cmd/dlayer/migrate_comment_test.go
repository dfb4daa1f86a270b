package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMigrateUpCommentOnly is issue 9 item 3 through the CLI: `dlayer
// migrate up` with a migration whose Up section holds only a comment used to
// crash on SQLite (a nil driver result read in internal/sqldb).
func TestMigrateUpCommentOnly(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"migrations/001_note.sql": "-- +dlayer Up\n/* note */;\n-- +dlayer Down\n/* note */;\n",
	})
	url := "sqlite:" + filepath.Join(dir, "app.db")
	code, out, errOut := runCLI(t, "migrate", "--url", url, "--dir", filepath.Join(dir, "migrations"), "up")
	if code != 0 {
		t.Fatalf("migrate up: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "migrate", "--url", url, "--dir", filepath.Join(dir, "migrations"), "status")
	if code != 0 {
		t.Fatalf("migrate status: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "applied") || !strings.Contains(out, "001_note") {
		t.Errorf("status does not show the migration applied:\n%s", out)
	}
}
