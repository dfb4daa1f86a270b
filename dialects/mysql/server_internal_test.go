package mysql

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/internal/dialecttest"
	"github.com/dlayer/dlayer/stmt"
)

func TestServerFeatures(t *testing.T) {
	const maria = "10.11.6-MariaDB-0+deb12u1"
	tests := []struct {
		name        string
		info        serverInfo
		mode        string
		returning   bool
		consecutive bool
	}{
		{name: "MariaDB 10.11", info: serverInfo{version: maria, increment: 1, lockMode: 1}, mode: "auto", returning: true, consecutive: true},
		{name: "MariaDB 10.5.1", info: serverInfo{version: "10.5.1-MariaDB", increment: 1, lockMode: 1}, mode: "auto", returning: true, consecutive: true},
		{name: "MariaDB 10.4", info: serverInfo{version: "10.4.32-MariaDB-log", increment: 1, lockMode: 1}, mode: "auto", consecutive: true},
		{name: "MariaDB 11.4 with a 5.5.5 prefix", info: serverInfo{version: "5.5.5-11.4.2-MariaDB", increment: 1, lockMode: 0}, mode: "auto", returning: true, consecutive: true},
		{name: "MariaDB Galera", info: serverInfo{version: maria, increment: 3, lockMode: 2}, mode: "auto", returning: true},
		{name: "MariaDB last_insert_id", info: serverInfo{version: maria, increment: 1, lockMode: 1}, mode: "last_insert_id", consecutive: true},
		{name: "MariaDB last_insert_id increment 2", info: serverInfo{version: maria, increment: 2, lockMode: 1}, mode: "last_insert_id"},
		{name: "MariaDB per_row", info: serverInfo{version: maria, increment: 1, lockMode: 1}, mode: "per_row"},
		{name: "MySQL 8 default lock mode 2", info: serverInfo{version: "8.0.36", increment: 1, lockMode: 2}, mode: "auto"},
		{name: "MySQL 8 lock mode 1", info: serverInfo{version: "8.0.36", increment: 1, lockMode: 1}, mode: "auto", consecutive: true},
		{name: "MySQL 8 offset", info: serverInfo{version: "8.4.0", increment: 10, lockMode: 1}, mode: "auto"},
		{name: "TiDB", info: serverInfo{version: "8.0.11-TiDB-v7.5.1", increment: 1, lockMode: -1}, mode: "auto"},
		{name: "TiDB claiming lock mode 1", info: serverInfo{version: "8.0.11-TiDB-v7.5.1", increment: 1, lockMode: 1}, mode: "auto"},
		{name: "Vitess", info: serverInfo{version: "8.0.30-Vitess", increment: 1, lockMode: 1}, mode: "auto"},
		{name: "unknown lock mode", info: serverInfo{version: "8.0.36", increment: 1, lockMode: -1}, mode: "auto"},
		{name: "garbage version", info: serverInfo{version: "MariaDB", increment: 1, lockMode: 1}, mode: "auto", consecutive: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := serverFeatures(tc.info, tc.mode)
			if got := f.Has(dialects.InsertReturning); got != tc.returning {
				t.Errorf("InsertReturning = %v, want %v", got, tc.returning)
			}
			if got := f.Has(dialects.ConsecutiveInsertKeys); got != tc.consecutive {
				t.Errorf("ConsecutiveInsertKeys = %v, want %v", got, tc.consecutive)
			}
			if f.Has(dialects.Returning) {
				t.Error("UPDATE/DELETE … RETURNING claimed")
			}
			if d := dialectFor(f); d.Features() != f || dialectFor(f) != d {
				t.Errorf("dialectFor: features %v, want %v (and one shared value)", d.Features(), f)
			}
		})
	}
}

func TestInsertKeysOption(t *testing.T) {
	tests := []struct {
		name, url, want, err string
	}{
		{name: "absent", url: "mysql://u:p@h/db", want: "auto"},
		{name: "per_row", url: "mysql://u:p@h/db?insert_keys=per_row", want: "per_row"},
		{name: "last_insert_id", url: "mariadb://u:p@h/db?insert_keys=last_insert_id&timeout=5s", want: "last_insert_id"},
		{name: "unknown", url: "mysql://u:secret@h/db?insert_keys=fast", err: `?insert_keys="fast": want auto, last_insert_id or per_row`},
		{name: "empty", url: "mysql://u:secret@h/db?insert_keys=", err: `?insert_keys="": want`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := insertKeysMode(tc.url)
			cfg, cerr := Config(tc.url)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("insertKeysMode err = %v, want %q", err, tc.err)
				}
				if cerr == nil || !strings.Contains(cerr.Error(), tc.err) || strings.Contains(cerr.Error(), "secret") {
					t.Fatalf("Config err = %v, want %q without the password", cerr, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("insertKeysMode = %q, %v; want %q", got, err, tc.want)
			}
			if cerr != nil {
				t.Fatal(cerr)
			}
			if _, sent := cfg.Params[InsertKeysOption]; sent {
				t.Errorf("insert_keys is sent to the server as a session variable: %v", cfg.Params)
			}
		})
	}
}

func TestInsertReturningCompile(t *testing.T) {
	s := dialecttest.Schema()
	tags := stmt.TableOf(s, "Tag")
	cols := tags.Spec().Columns
	ins := stmt.Insert(tags).ColumnsOf(cols[1]).Rows([]any{"a"}, []any{"b"}).Returning(tags.Col(cols[0]))
	upd := stmt.Update(tags).Set(cols[1].Name, "c").Returning(tags.Col(cols[0]))

	maria := dialectFor(serverFeatures(serverInfo{version: "10.11.6-MariaDB", increment: 1, lockMode: 1}, InsertKeysAuto))
	c, err := maria.Compile(ins)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(c.SQL, " RETURNING `id`") || len(c.Args) != 2 {
		t.Errorf("MariaDB INSERT … RETURNING: %s %v", c.SQL, c.Args)
	}
	if _, err := maria.Compile(upd); !errors.Is(err, dialects.ErrUnsupported) {
		t.Errorf("MariaDB UPDATE … RETURNING: err = %v, want ErrUnsupported", err)
	}
	if _, err := Default().Compile(ins); !errors.Is(err, dialects.ErrUnsupported) {
		t.Errorf("default MySQL INSERT … RETURNING: err = %v, want ErrUnsupported", err)
	}
}

// TestLazyPoolDialect checks that a lazily opened pool (a replica that may
// be down) asks the server nothing and still obeys insert_keys=per_row.
func TestLazyPoolDialect(t *testing.T) {
	// Nothing listens on port 1: a lazy pool must open anyway.
	const base = "mysql://u:p@127.0.0.1:1/db"
	tests := []struct {
		name, url   string
		consecutive bool
	}{
		{name: "auto", url: base, consecutive: true},
		{name: "per_row", url: base + "?insert_keys=per_row"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, p, err := dialects.Open(context.Background(), tc.url, dialects.PoolOptions{Lazy: true})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			f := d.Features()
			if f.Has(dialects.ConsecutiveInsertKeys) != tc.consecutive || f.InsertReturns() {
				t.Errorf("features %b: ConsecutiveInsertKeys %v (want %v), InsertReturns %v (want false)",
					f, f.Has(dialects.ConsecutiveInsertKeys), tc.consecutive, f.InsertReturns())
			}
		})
	}
	if _, _, err := dialects.Open(context.Background(), base+"?insert_keys=bogus", dialects.PoolOptions{Lazy: true}); err == nil ||
		!strings.Contains(err.Error(), "insert_keys") {
		t.Errorf("bad insert_keys on a lazy pool: err = %v", err)
	}
}
