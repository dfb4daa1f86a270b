package faulttest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/migrate"
)

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// dlayerBinary builds the dlayer CLI once per test run.
func dlayerBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "dlayer-fault-bin-")
		if binErr != nil {
			return
		}
		gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(gobin); err != nil {
			gobin = "go"
		}
		binPath = filepath.Join(binDir, "dlayer")
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
		defer cancel()
		args := []string{"build", "-o", binPath}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.CommandContext(ctx, gobin, append(args, "github.com/dlayer/dlayer/cmd/dlayer")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/dlayer: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func cleanupBinary() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

const (
	migrations = 5
	rowsPerMig = 120
)

// writeMigrations writes migrations that each create a table and fill it
// one statement per row, so that a kill lands inside one.
func writeMigrations(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for m := 1; m <= migrations; m++ {
		var b strings.Builder
		b.WriteString("-- +dlayer Up\n")
		fmt.Fprintf(&b, "CREATE TABLE fault_%d (n INTEGER PRIMARY KEY);\n", m)
		for i := 1; i <= rowsPerMig; i++ {
			fmt.Fprintf(&b, "INSERT INTO fault_%d (n) VALUES (%d);\n", m, i)
		}
		fmt.Fprintf(&b, "-- +dlayer Down\nDROP TABLE fault_%d;\n", m)
		name := fmt.Sprintf("2026010100000%d_fault_%d.sql", m, m)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// dlayerCmd returns `dlayer migrate args… --url url --dir dir`.
func dlayerCmd(ctx context.Context, t *testing.T, url, dir string, args ...string) *exec.Cmd {
	args = append([]string{"migrate"}, args...)
	args = append(args, "--url", url, "--dir", dir, "--lock-timeout", "30s")
	cmd := exec.CommandContext(ctx, dlayerBinary(t), args...)
	cmd.Env = append(os.Environ(), "DLAYER_DATABASE_URL=")
	return cmd
}

// runDlayer runs a dlayer command to its end, failing on a hang.
func runDlayer(t *testing.T, url, dir string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := dlayerCmd(ctx, t, url, dir, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("hang: dlayer migrate %v did not finish within 60s\n%s", args, out.String())
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String()
}

// checkState opens the database and checks that the history tells the
// truth: an applied migration's table is full, a pending one's is absent,
// and a dirty one (databases without transactional DDL) ran exactly the
// statements its progress says. It returns the dirty record, if any.
func checkState(t *testing.T, url string) (applied int, dirty *migrate.Record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, p, err := dialects.Open(ctx, url, dialects.PoolOptions{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	r, err := migrate.New(migrate.Config{Dialect: d, Pool: p})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := r.History(ctx)
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	state := map[int]migrate.Record{}
	for _, rec := range recs {
		var m int
		fmt.Sscanf(rec.Name, "fault_%d", &m)
		state[m] = rec
	}
	for m := 1; m <= migrations; m++ {
		var n int64 = -1 // table absent
		rows, err := p.Query(ctx, fmt.Sprintf("SELECT COUNT(*) FROM fault_%d", m))
		if err == nil {
			if rows.Next() {
				_ = rows.Scan(&n)
			}
			rows.Close()
		}
		rec, ok := state[m]
		switch {
		case !ok && n != -1:
			t.Errorf("migration %d is not in the history but its table has %d rows", m, n)
		case ok && rec.State == "applied" && n != rowsPerMig:
			t.Errorf("migration %d is applied but its table has %d rows, want %d", m, n, rowsPerMig)
		case ok && rec.State == "applied":
			applied++
		case ok && rec.State == "dirty":
			// Statement 1 creates the table, each later one adds a row.
			want := int64(rec.Progress - 1)
			if rec.Progress == 0 {
				want = -1
			}
			if n != want && !(rec.Progress == 0 && n == 0) { // killed right after CREATE TABLE (DDL commits by itself)
				t.Errorf("migration %d is dirty after %d statements but its table has %d rows (-1: absent)", m, rec.Progress, n)
			}
			r := rec
			dirty = &r
		}
	}
	return applied, dirty
}

// repairDirty does what the error message tells a user to do: put the
// database back as it was before the migration, then resolve it as rolled
// back.
func repairDirty(t *testing.T, url, dir string, rec *migrate.Record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, p, err := dialects.Open(ctx, url, dialects.PoolOptions{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	var m int
	fmt.Sscanf(rec.Name, "fault_%d", &m)
	_, _ = p.Exec(ctx, fmt.Sprintf("DROP TABLE IF EXISTS fault_%d", m))
	p.Close()
	if code, out := runDlayer(t, url, dir, "resolve", rec.Version, "--rolled-back"); code != 0 {
		t.Fatalf("resolve --rolled-back: exit %d\n%s", code, out)
	}
}

func urlFor(t *testing.T, name string) string {
	if name == testdb.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "fault.db")
	}
	return fresh.URL(t, name, "dlayer_fault")
}

// TestMigrateUpKilled SIGKILLs `dlayer migrate up` (a separate process) at
// random points, checks after each kill that the history matches the
// tables, repairs what the error tells a user to repair (a crashed
// SQLite migrator's lock row; a dirty MariaDB migration), and finally runs
// `migrate up` to the end.
func TestMigrateUpKilled(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url := urlFor(t, name)
			dir := writeMigrations(t)
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
			kills := 0
			for round := range 4 {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				cmd := dlayerCmd(ctx, t, url, dir, "up")
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Start(); err != nil {
					cancel()
					t.Fatal(err)
				}
				time.Sleep(time.Duration(80+rng.IntN(400)+150*round) * time.Millisecond)
				_ = cmd.Process.Signal(syscall.SIGKILL)
				err := cmd.Wait()
				cancel()
				if ee, ok := err.(*exec.ExitError); ok && !ee.Exited() {
					kills++
				}
				applied, dirty := checkState(t, url)
				t.Logf("round %d: %d applied, dirty %v", round, applied, dirty != nil)
				if dirty != nil {
					repairDirty(t, url, dir, dirty)
				}
				if name == testdb.SQLite {
					// A SIGKILLed migrator cannot remove its lock row.
					if code, out := runDlayer(t, url, dir, "resolve", "--unlock"); code != 0 {
						t.Fatalf("resolve --unlock: exit %d\n%s", code, out)
					}
				}
				if applied == migrations {
					break
				}
			}
			if kills == 0 {
				t.Log("every migrate up finished before its kill")
			}
			if code, out := runDlayer(t, url, dir, "up"); code != 0 {
				t.Fatalf("final migrate up: exit %d\n%s", code, out)
			}
			if applied, dirty := checkState(t, url); applied != migrations || dirty != nil {
				t.Fatalf("after the final up: %d applied, dirty %v", applied, dirty)
			}
		})
	}
}

// TestConcurrentMigratorProcesses starts four `dlayer migrate up`
// processes at once on one database: all must succeed, and each migration
// must run exactly once (a second run would fail on CREATE TABLE or on the
// primary key).
func TestConcurrentMigratorProcesses(t *testing.T) {
	for _, name := range testdb.Names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url := urlFor(t, name)
			dir := writeMigrations(t)
			var wg sync.WaitGroup
			codes := make([]int, 4)
			outs := make([]string, 4)
			for i := range codes {
				wg.Go(func() { codes[i], outs[i] = runDlayer(t, url, dir, "up") })
			}
			waitOrFail(t, &wg, 90*time.Second, "concurrent migrators")
			for i, c := range codes {
				if c != 0 {
					t.Errorf("migrator %d: exit %d\n%s", i, c, outs[i])
				}
			}
			if applied, dirty := checkState(t, url); applied != migrations || dirty != nil {
				t.Fatalf("%d applied, dirty %v", applied, dirty)
			}
		})
	}
}
