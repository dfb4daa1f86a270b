package faulttest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"

	_ "github.com/dlayer/dlayer/dialects/mysql"
	_ "github.com/dlayer/dlayer/dialects/postgres"
	_ "github.com/dlayer/dlayer/dialects/sqlite"
)

const auditDDL = "CREATE TABLE audit (id BIGINT PRIMARY KEY, worker INTEGER NOT NULL)"

// committedIDs is the set of ids whose transaction a client saw commit.
type committedIDs struct {
	mu  sync.Mutex
	ids map[int64]bool
}

func (c *committedIDs) add(ids ...int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids = map[int64]bool{}
	}
	for _, id := range ids {
		c.ids[id] = true
	}
}

// audit checks that every committed id is in the audit table.
func (c *committedIDs) audit(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e, err := engine.Open(ctx, url, engine.WithMaxOpenConns(2))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	got, err := engine.All[int64](ctx, e, stmt.Text("SELECT id FROM audit"))
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	have := make(map[int64]bool, len(got))
	for _, id := range got {
		have[id] = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lost := 0
	for id := range c.ids {
		if !have[id] {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d committed rows lost", lost, len(c.ids))
	}
	t.Logf("audit: %d committed rows present (%d rows in the table)", len(c.ids), len(got))
}

// TestServerRestartUnderLoad crashes a private PostgreSQL (immediate stop)
// and MariaDB (SIGKILL) while four clients commit two-row transactions, and
// checks that the clients recover and that every row they saw committed is
// there afterwards. SQLite has no server: its writers are separate
// processes SIGKILLed while writing (TestSQLiteWritersKilled).
func TestServerRestartUnderLoad(t *testing.T) {
	for _, name := range []string{"postgres", "mysql"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var srv *server
			if name == "postgres" {
				srv = startPostgres(t)
			} else {
				srv = startMariaDB(t)
			}
			url := srv.url
			if name == "mysql" {
				exec1(t, url, "CREATE DATABASE fault")
				url = strings.TrimSuffix(url, "/mysql") + "/fault"
			}
			exec1(t, url, auditDDL)
			var ok committedIDs
			var next atomic.Int64
			var afterRestart atomic.Int64
			var restarted atomic.Bool
			stop := make(chan struct{})
			e, err := engine.Open(context.Background(), url, engine.WithMaxOpenConns(8))
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						id := next.Add(2)
						ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
						err := e.Tx(ctx, func(tx *engine.Tx) error {
							for _, v := range []int64{id, id + 1} {
								if _, err := tx.Exec(ctx, stmt.Text("INSERT INTO audit (id, worker) VALUES (:id, :w)").Bind("id", v).Bind("w", w)); err != nil {
									return err
								}
							}
							return nil
						})
						cancel()
						if err == nil {
							ok.add(id, id+1)
							if restarted.Load() {
								afterRestart.Add(1)
							}
							continue
						}
						time.Sleep(20 * time.Millisecond) // outcome unknown or refused: neither counted nor required
					}
				})
			}
			time.Sleep(700 * time.Millisecond)
			srv.restart(t)
			restarted.Store(true)
			// Keep the load on until the clients have committed again.
			deadline := time.Now().Add(20 * time.Second)
			for afterRestart.Load() < 20 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			close(stop)
			waitOrFail(t, &wg, 30*time.Second, "clients")
			closeOrFail(t, e)
			if afterRestart.Load() < 20 {
				t.Errorf("only %d transactions committed after the restart: the pool did not recover", afterRestart.Load())
			}
			ok.audit(t, url)
		})
	}
}

// TestSQLiteWritersKilled runs two writer processes on one SQLite file,
// SIGKILLs them while they write, three times, and audits the file after
// each round.
func TestSQLiteWritersKilled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fault.db")
	url := "sqlite:" + path
	exec1(t, url, auditDDL)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var ok committedIDs
	for round := range 3 {
		var cmds []*exec.Cmd
		var readers sync.WaitGroup
		for w := range 2 {
			cmd := exec.Command(exe)
			cmd.Env = append(os.Environ(), writerEnv+"="+url, "FAULTTEST_BASE="+strconv.Itoa((round*2+w+1)*10_000_000))
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			cmds = append(cmds, cmd)
			readers.Go(func() {
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					// Only complete lines count: the writer prints after
					// Commit returned nil.
					if a, b, ok2 := strings.Cut(sc.Text(), " "); ok2 {
						x, err1 := strconv.ParseInt(a, 10, 64)
						y, err2 := strconv.ParseInt(b, 10, 64)
						if err1 == nil && err2 == nil {
							ok.add(x, y)
						}
					}
				}
			})
		}
		time.Sleep(time.Duration(300+200*round) * time.Millisecond)
		for _, c := range cmds {
			_ = c.Process.Signal(syscall.SIGKILL)
		}
		for _, c := range cmds {
			_ = c.Wait()
		}
		waitOrFail(t, &readers, 10*time.Second, "writer output")
		ok.audit(t, url)
	}
	if len(ok.ids) == 0 {
		t.Fatal("the writers committed nothing")
	}
}

const writerEnv = "FAULTTEST_SQLITE_WRITER"

// sqliteWriter is the child process of TestSQLiteWritersKilled: it commits
// two-row transactions until it is killed, printing each committed pair.
func sqliteWriter(url string) int {
	base, _ := strconv.ParseInt(os.Getenv("FAULTTEST_BASE"), 10, 64)
	ctx := context.Background()
	e, err := engine.Open(ctx, url, engine.WithMaxOpenConns(1))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	for id := base; ; id += 2 {
		err := e.Tx(ctx, func(tx *engine.Tx) error {
			for _, v := range []int64{id, id + 1} {
				if _, err := tx.Exec(ctx, stmt.Text("INSERT INTO audit (id, worker) VALUES (:id, 0)").Bind("id", v)); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			fmt.Printf("%d %d\n", id, id+1)
		}
	}
}

func TestMain(m *testing.M) {
	if url := os.Getenv(writerEnv); url != "" {
		os.Exit(sqliteWriter(url))
	}
	code := m.Run()
	cleanupBinary()
	os.Exit(code)
}

// exec1 runs one statement on url.
func exec1(t *testing.T, url, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e, err := engine.Open(ctx, url, engine.WithMaxOpenConns(1))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Exec(ctx, stmt.Text(sql)); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// waitOrFail waits for wg, failing the test as a hang after d.
func waitOrFail(t *testing.T, wg *sync.WaitGroup, d time.Duration, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("hang: %s did not finish within %s", what, d)
	}
}

// closeOrFail closes e, failing the test as a hang after 15s.
func closeOrFail(t *testing.T, e *engine.Engine) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- e.Close() }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("hang: Engine.Close did not return within 15s")
	}
}
