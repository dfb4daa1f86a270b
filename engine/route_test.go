package engine_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/stmt"
)

// TestServerNameAndRoute: the server name (WithName, or the URL's host and
// port) and the route of a context (WithRoute) reach the log and the
// tracer, and nothing of the URL's credentials does.
func TestServerNameAndRoute(t *testing.T) {
	ctx := context.Background()
	var infos []engine.QueryInfo
	tr := engine.WithTracer(engine.TracerFunc(func(ctx context.Context, q engine.QueryInfo) (context.Context, func(error)) {
		infos = append(infos, q)
		return ctx, func(error) {}
	}))
	var logs bytes.Buffer
	lg := engine.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	e, err := engine.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "n.db"), engine.WithName("replica-2"), tr, lg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Name() != "replica-2" || e.Logger() == nil {
		t.Fatalf("Name %q, Logger %v", e.Name(), e.Logger())
	}
	if _, err := engine.Scalar[int64](engine.WithRoute(ctx, "fallback"), e, stmt.Text("SELECT 1")); err != nil {
		t.Fatal(err)
	}
	if _, err := engine.Scalar[int64](ctx, e, stmt.Text("SELECT 2")); err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 || infos[0].Server != "replica-2" || infos[0].Route != "fallback" || infos[1].Route != "" {
		t.Fatalf("QueryInfo: %+v", infos)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "server=replica-2 route=fallback") ||
		!strings.Contains(lines[1], "server=replica-2") || strings.Contains(lines[1], "route=") {
		t.Fatalf("log:\n%s", logs.String())
	}

	// Unnamed: SQLite has no server name (no attribute); a server URL
	// names the engine after its host and port, without the password.
	logs.Reset()
	plain, err := engine.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "p.db"), lg)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := engine.Scalar[int64](ctx, plain, stmt.Text("SELECT 1")); err != nil {
		t.Fatal(err)
	}
	if plain.Name() != "" || strings.Contains(logs.String(), "server=") {
		t.Fatalf("unnamed SQLite engine: name %q, log %s", plain.Name(), logs.String())
	}
	lazy, err := engine.Open(ctx, "postgres://app:s3cret@127.0.0.1:1/app", engine.WithLazyConnect())
	if err != nil {
		t.Fatal(err)
	}
	defer lazy.Close()
	if lazy.Name() != "127.0.0.1:1" {
		t.Fatalf("default name %q", lazy.Name())
	}
	var nilEngine *engine.Engine
	if nilEngine.Name() != "" || nilEngine.Logger() != nil {
		t.Fatal("nil engine has a name or logger")
	}
}

// TestLazyConnect: with WithLazyConnect, Open succeeds while the server is
// down and the first statement fails with a connection error; without it,
// Open fails. A statement error on a live server is not a connection
// error.
func TestLazyConnect(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ name, down string }{
		{testdb.Postgres, "postgres://dlayer@127.0.0.1:1/dlayer?sslmode=disable&connect_timeout=5"},
		{testdb.MySQL, "mysql://dlayer:dlayer@127.0.0.1:1/dlayer?timeout=5s"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if e, err := engine.Open(ctx, c.down); err == nil {
				e.Close()
				t.Fatal("Open of a server that is down succeeded without WithLazyConnect")
			} else if !dialects.IsConnectionError(nil, err) {
				t.Fatalf("Open: %v is not a connection error", err)
			}
			e, err := engine.Open(ctx, c.down, engine.WithLazyConnect())
			if err != nil {
				t.Fatalf("lazy Open: %v", err)
			}
			defer e.Close()
			_, err = engine.Scalar[int64](ctx, e, stmt.Text("SELECT 1"))
			if err == nil || !dialects.IsConnectionError(e.Dialect(), err) {
				t.Fatalf("first statement on a server that is down: %v", err)
			}
			if err := e.Ping(ctx); !dialects.IsConnectionError(e.Dialect(), err) {
				t.Fatalf("Ping: %v", err)
			}
			live, err := engine.Open(ctx, testdb.URL(t, c.name), engine.WithLazyConnect())
			if err != nil {
				t.Fatal(err)
			}
			defer live.Close()
			for _, bad := range []string{"SELEKT 1", "SELECT 1/0", "SELECT * FROM no_such_table_here"} {
				if c.name == testdb.MySQL && bad == "SELECT 1/0" {
					continue // NULL on MySQL, not an error
				}
				_, err := engine.Scalar[int64](ctx, live, stmt.Text(bad))
				if err == nil || dialects.IsConnectionError(live.Dialect(), err) {
					t.Errorf("%s: %v (want a statement error, not a connection error)", bad, err)
				}
			}
		})
	}
}

// TestTerminatedConnectionIsAConnectionError: a PostgreSQL backend killed
// under an idle pooled connection (pg_terminate_backend) makes the next
// statement on that connection fail with a connection error.
func TestTerminatedConnectionIsAConnectionError(t *testing.T) {
	ctx := context.Background()
	u := testdb.URL(t, testdb.Postgres)
	e, err := engine.Open(ctx, u, engine.WithMaxOpenConns(1))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	admin, err := engine.Open(ctx, u, engine.WithMaxOpenConns(1))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	// pgx pings a connection idle for over a second before using it (and
	// replaces a dead one): on a slow machine try again.
	for attempt := 1; ; attempt++ {
		pid, err := engine.Scalar[int64](ctx, e, stmt.Text("SELECT pg_backend_pid()"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := engine.Scalar[bool](ctx, admin, stmt.Text("SELECT pg_terminate_backend(CAST(:pid AS int))").Bind("pid", pid)); err != nil {
			t.Fatal(err)
		}
		_, err = engine.Scalar[int64](ctx, e, stmt.Text("SELECT 1"))
		if err != nil {
			if !dialects.IsConnectionError(e.Dialect(), err) {
				t.Fatalf("a statement on a terminated connection: %v (want a connection error)", err)
			}
			return
		}
		if attempt == 5 {
			t.Fatal("a statement on a terminated connection succeeded 5 times")
		}
	}
}
