package migrate_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/migrate"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestModelsYAMLGolden pins the YAML that inspect writes for the 17-table
// schema on SQLite (go test ./migrate -run Golden -update rewrites it).
func TestModelsYAMLGolden(t *testing.T) {
	ctx := context.Background()
	db := freshDB(t, testdb.SQLite)
	r, err := migrate.New(migrate.Config{Dialect: db.dialect, Pool: db.pool})
	if err != nil {
		t.Fatal(err)
	}
	g, err := r.Generate(nil, load(t, bigSchema), migrate.GenerateOptions{Message: "initial"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range g.Up {
		if _, err := db.pool.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	live, err := r.Inspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	text, err := migrate.ModelsYAML(live)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "inspect_sqlite.yaml", text)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the golden file (run with -update if intended):\n%s", name, got)
	}
}
