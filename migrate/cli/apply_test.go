package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/migrate/cli"
)

// TestApplyBadInput: Apply with empty, cancelled, unreachable, malformed
// or wrong arguments exits non-zero with a message on stderr, promptly,
// never panics, and never prints a password.
func TestApplyBadInput(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "x.db")
	gone := "sqlite:" + filepath.Join(dir, "gone", "x.db")
	tests := []struct {
		name string
		ctx  context.Context
		o    cli.Options
		args []string
		code int
	}{
		{name: "empty options", ctx: ctx, code: cli.ExitUsage},
		{name: "cancelled", ctx: cancelled, o: cli.Options{URL: db, Models: filepath.Join(dir, "none")}, code: cli.ExitUsage},
		{name: "unreachable database", ctx: ctx, o: cli.Options{URL: gone}, code: cli.ExitUsage},
		{name: "bad URL", ctx: ctx, o: cli.Options{URL: "postgres://u:p4ss@[::1/x"}, code: cli.ExitUsage},
		{name: "bad format", ctx: ctx, o: cli.Options{URL: db, Format: "xml"}, code: cli.ExitUsage},
		{name: "arguments", ctx: ctx, o: cli.Options{URL: db}, args: []string{"postgres://u:p4ss@h/x"}, code: cli.ExitUsage},
		{name: "no models directory", ctx: ctx, o: cli.Options{URL: db, Models: filepath.Join(dir, "none")}, code: cli.ExitFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			tt.o.Stdout, tt.o.Stderr = &out, &errb
			code := run(t, func() int { return cli.Apply(tt.ctx, tt.o, tt.args) })
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errb.String())
			}
			if errb.Len() == 0 {
				t.Error("nothing on stderr")
			}
			if strings.Contains(out.String()+errb.String(), "p4ss") {
				t.Errorf("password printed: %s%s", out.String(), errb.String())
			}
		})
	}
}
