package enginetest

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

// testRedactedErrors is issue 9 item 6: without WithLogArgs, no bound value
// reaches the log, including through the database's error messages.
func testRedactedErrors(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	const core = "S3cr3tV4lu3"
	secrets := []string{
		"TOKEN-" + core,
		"PW'" + core + "' for key 'x",   // quotes and a fake end marker inside
		`PW"` + core + `" (SQLSTATE 22`, // the same for PostgreSQL
		"PW\\" + core + "\n\x00",        // escapes
	}
	users := e.Dialect().QuoteIdent(f.users.Name)
	cases := []struct {
		name string
		run  func(q engine.Querier, secret string) error
	}{
		{"duplicate unique value", func(q engine.Querier, secret string) error {
			ins := stmt.Insert(f.U).Columns("email", "active").Values(secret, true)
			if _, err := q.Exec(ctx, ins); err != nil {
				return err
			}
			_, err := q.Exec(ctx, ins)
			if err == nil {
				return errors.New("no error")
			}
			var ce *engine.ConstraintError
			if !errors.As(err, &ce) || ce.Kind != engine.Unique {
				t.Errorf("duplicate: %v is not a unique violation", err)
			} else if strings.Contains(ce.Safe(), core) {
				t.Errorf("ConstraintError.Safe() = %q shows the value", ce.Safe())
			}
			return err
		}},
		{"text into an integer column", func(q engine.Querier, secret string) error {
			_, err := q.Exec(ctx, stmt.Text("INSERT INTO "+users+" (email, age, active) VALUES (:e, :a, :b)").
				Bind("e", "x-"+f.sfx+"@x").Bind("a", secret).Bind("b", true))
			return err
		}},
		{"text compared to an integer", func(q engine.Querier, secret string) error {
			_, err := engine.Records(ctx, q, stmt.Text("SELECT id FROM "+users+" WHERE id = :v").Bind("v", secret))
			return err
		}},
		{"text too long", func(q engine.Querier, secret string) error {
			_, err := q.Exec(ctx, stmt.Insert(f.U).Columns("email", "active").Values(strings.Repeat(secret, 30), true))
			return err
		}},
	}
	t.Run("a column value that cannot be scanned", func(t *testing.T) {
		buf := &syncBuffer{}
		l := slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		le := engine.New(e.Dialect(), e.Pool(), f.schema, engine.WithLogger(l))
		mustExec(t, e, stmt.Insert(f.U).Columns("email", "name", "active").Values("scan-"+f.sfx+"@x", "NAME-"+core, true))
		// Raw text: the result's types are unknown until scanned.
		_, err := engine.All[int64](ctx, le, stmt.Text("SELECT name FROM "+users+" WHERE email = :e").Bind("e", "scan-"+f.sfx+"@x"))
		if err == nil {
			t.Fatal("scanning text into int64: no error")
		}
		t.Logf("returned error: %v", err)
		if log := buf.String(); strings.Contains(log, core) || !strings.Contains(log, "level=WARN") {
			t.Errorf("the log shows the column value, or no failure:\n%s", log)
		}
	})
	for _, tc := range cases {
		for i, secret := range secrets {
			t.Run(tc.name, func(t *testing.T) {
				buf := &syncBuffer{}
				l := slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
				le := engine.New(e.Dialect(), e.Pool(), f.schema, engine.WithLogger(l))
				err := le.Tx(ctx, func(tx *engine.Tx) error { return tc.run(tx, secret) })
				t.Logf("secret %d: returned error: %v", i, err)
				log := buf.String()
				if strings.Contains(log, core) {
					t.Errorf("the log shows a bound value:\n%s", log)
				}
				if err != nil {
					if !strings.Contains(log, "level=WARN") {
						t.Errorf("the failure was not logged:\n%s", log)
					}
					if red := le.Redact(err); strings.Contains(red, core) {
						t.Errorf("Engine.Redact(err) = %q shows the value", red)
					}
				}
			})
		}
	}
	t.Run("identifiers are kept", func(t *testing.T) {
		buf := &syncBuffer{}
		l := slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
		le := engine.New(e.Dialect(), e.Pool(), f.schema, engine.WithLogger(l))
		ins := stmt.Insert(f.U).Columns("email", "active").Values("keep-"+core, true)
		err := le.Tx(ctx, func(tx *engine.Tx) error {
			if _, err := tx.Exec(ctx, ins); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, ins)
			return err
		})
		if !engine.IsUnique(err) {
			t.Fatalf("got %v, want a unique violation", err)
		}
		log := buf.String()
		if strings.Contains(log, core) || !strings.Contains(log, "uq_"+f.sfx+"_email") {
			t.Errorf("the log should name the constraint and not the value:\n%s", log)
		}
		if (strings.Contains(err.Error(), core)) && !strings.Contains(log, dialects.Redacted) {
			t.Errorf("the database quoted the value but the log shows no redaction:\n%s", log)
		}
	})
	t.Run("WithLogArgs logs the database's message as is", func(t *testing.T) {
		buf := &syncBuffer{}
		l := slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
		le := engine.New(e.Dialect(), e.Pool(), f.schema, engine.WithLogger(l), engine.WithLogArgs(true))
		ins := stmt.Insert(f.U).Columns("email", "active").Values("args-"+core, true)
		_ = le.Tx(ctx, func(tx *engine.Tx) error {
			if _, err := tx.Exec(ctx, ins); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, ins)
			return err
		})
		if !strings.Contains(buf.String(), core) {
			t.Errorf("WithLogArgs: the log lacks the argument:\n%s", buf.String())
		}
	})
}
