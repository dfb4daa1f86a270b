package dlayer_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/internal/secrettest"
	"github.com/dlayer/dlayer/internal/testdb"
	"github.com/dlayer/dlayer/internal/testdb/fresh"
	"github.com/dlayer/dlayer/stmt"
)

// TestOpenNeverShowsPassword opens every URL of the corpus with
// dlayer.Open and a text and a JSON slog logger (and the default logger
// captured): the password appears neither in the error, in any error it
// wraps, nor in any log record; where the server lets the wrong password
// in, neither in the records of the statements that follow.
func TestOpenNeverShowsPassword(t *testing.T) {
	cases := secrettest.Corpus()
	for _, name := range []string{testdb.Postgres, testdb.MySQL} {
		if os.Getenv(testdb.EnvVar(name)) == "" {
			continue
		}
		u, err := url.Parse(fresh.URL(t, name, "dl_leak"))
		if err != nil || u.User == nil {
			t.Fatalf("bad test URL for %s", name)
		}
		u.User = url.UserPassword(u.User.Username(), secrettest.Marker+"@/"+secrettest.Marker)
		cases = append(cases, secrettest.Case{Name: "wrong password for " + name, URL: u.String(), MayConnect: true})
	}
	var deflt bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&deflt, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(old)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			var text, js bytes.Buffer
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			for _, h := range []slog.Handler{slog.NewTextHandler(&text, opts), slog.NewJSONHandler(&js, opts)} {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				e, err := dlayer.Open(ctx, "examples/blog/models", tc.URL, engine.WithLogger(slog.New(h)))
				cancel()
				if err != nil {
					for e := err; e != nil; e = unwrapFirst(e) {
						secrettest.Check(t, fmt.Sprintf("error %T", e), fmt.Sprintf("%v | %+v", e, e))
					}
					continue
				}
				if !tc.MayConnect {
					e.Close()
					t.Fatalf("dlayer.Open succeeded")
				}
				ctx = context.Background()
				e.Ping(ctx)
				e.Exec(ctx, stmt.Text("SELECT * FROM no_such_table"))
				e.Close()
			}
			secrettest.Check(t, "text log", text.String())
			secrettest.Check(t, "JSON log", js.String())
		})
	}
	secrettest.Check(t, "default slog logger", deflt.String())
}

func unwrapFirst(err error) error {
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return u.Unwrap()
	case interface{ Unwrap() []error }:
		if es := u.Unwrap(); len(es) > 0 {
			return es[0]
		}
	}
	return nil
}
