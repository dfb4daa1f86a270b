package faulttest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/testdb"
)

// unavailable skips t with a loud message, or fails it when CI=true.
func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	testdb.Unavailable(t, "FAULT", fmt.Sprintf(format, args...))
}

// freePort returns a TCP port on 127.0.0.1 nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// privateDir returns a new directory under /tmp (the postgres user must be
// able to reach it, which rules out t.TempDir() under /root), removed at
// the end of the test.
func privateDir(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", prefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// waitUp polls url until a connection succeeds or the deadline passes.
func waitUp(t *testing.T, url string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, p, err := dialects.Open(ctx, url, dialects.PoolOptions{MaxOpenConns: 1})
		if err == nil {
			_, err = p.Exec(ctx, "SELECT 1")
			p.Close()
		}
		cancel()
		if err == nil {
			return
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server %s did not come up within %s: %v", dialects.Redact(url), within, last)
}

// server is a private database server the test may restart.
type server struct {
	url     string
	restart func(t *testing.T) // crash (SIGKILL or immediate stop) and start again
}

func pgBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

// startPostgres starts a private PostgreSQL in a new data directory, as
// scripts/dbs.sh does (as the postgres user when running as root).
func startPostgres(t *testing.T) *server {
	t.Helper()
	bin := pgBin()
	if bin == "" {
		unavailable(t, "no PostgreSQL server binaries (initdb, pg_ctl); scripts/dbs.sh installs them")
	}
	dir := privateDir(t, "dlayer-fault-pg-")
	data := filepath.Join(dir, "data")
	var runAs []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			unavailable(t, "running as root and there is no postgres user to run PostgreSQL as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Mkdir(data, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(data, uid, gid); err != nil {
			t.Fatal(err)
		}
		runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(timeout time.Duration, args ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		full := append(append([]string{}, runAs...), args...)
		out, err := exec.CommandContext(ctx, full[0], full[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run(60*time.Second, filepath.Join(bin, "initdb"), "-D", data, "-U", "dlayer", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
	port := freePort(t)
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c full_page_writes=off -c max_connections=50", port, dir)
	start := func() {
		run(60*time.Second, filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "-o", opts, "start")
	}
	start()
	t.Cleanup(func() {
		full := append(append([]string{}, runAs...), filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
		_ = exec.Command(full[0], full[1:]...).Run()
	})
	url := fmt.Sprintf("postgres://dlayer@127.0.0.1:%d/postgres?sslmode=disable", port)
	waitUp(t, url, 30*time.Second)
	return &server{url: url, restart: func(t *testing.T) {
		// "immediate" is a crash: no checkpoint, WAL replay at start.
		run(60*time.Second, filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
		start()
		waitUp(t, url, 30*time.Second)
	}}
}

// startMariaDB starts a private MariaDB in a new data directory and
// restarts it with SIGKILL.
func startMariaDB(t *testing.T) *server {
	t.Helper()
	mysqld, err := exec.LookPath("mariadbd")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/mariadbd"); serr != nil {
			unavailable(t, "no MariaDB server binary (mariadbd); scripts/dbs.sh installs it")
		}
		mysqld = "/usr/sbin/mariadbd"
	}
	install, err := exec.LookPath("mariadb-install-db")
	if err != nil {
		unavailable(t, "no mariadb-install-db; scripts/dbs.sh installs it")
	}
	dir := privateDir(t, "dlayer-fault-my-")
	data := filepath.Join(dir, "data")
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, install, "--no-defaults", "--user="+me.Username, "--datadir="+data,
		"--auth-root-authentication-method=normal", "--skip-test-db").CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	port := freePort(t)
	var cmd *exec.Cmd
	start := func() {
		cmd = exec.Command(mysqld, "--no-defaults", "--user="+me.Username, "--datadir="+data,
			"--socket="+filepath.Join(dir, "mysqld.sock"), "--pid-file="+filepath.Join(dir, "mysqld.pid"),
			"--port="+strconv.Itoa(port), "--bind-address=127.0.0.1", "--skip-name-resolve",
			"--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M", "--max-connections=60",
			"--skip-grant-tables", "--log-error="+filepath.Join(dir, "error.log"))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	start()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_, _ = cmd.Process.Wait()
	})
	url := fmt.Sprintf("mysql://root@127.0.0.1:%d/mysql", port)
	waitUp(t, url, 60*time.Second)
	return &server{url: url, restart: func(t *testing.T) {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_, _ = cmd.Process.Wait()
		start()
		waitUp(t, url, 60*time.Second)
	}}
}
