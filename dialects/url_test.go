package dialects_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
)

func TestRedactForms(t *testing.T) {
	tests := []struct{ name, url, want string }{
		{"password", "postgres://u:secret@h:5432/db?x=1", "postgres://u:xxxxx@h:5432/db?x=1"},
		{"no password", "postgres://u@h/db", "postgres://u@h/db"},
		{"no user info", "postgres://h/db?sslmode=disable", "postgres://h/db?sslmode=disable"},
		{"at in password", "mysql://u:p@ss@h/db", "mysql://u:xxxxx@h/db"},
		{"colon in password", "postgres://u:a:b@h/db", "postgres://u:xxxxx@h/db"},
		{"slash in password", "postgres://u:se/cret@h/db", "postgres://u:xxxxx@h/db"},
		{"question mark in password", "postgres://u:se?cret@h/db", "postgres://u:xxxxx@h/db"},
		{"hash in password", "postgres://u:se#cret@h/db", "postgres://u:xxxxx@h/db"},
		{"at in user", "postgres://u@corp:secret@h/db", "postgres://u@corp:xxxxx@h/db"},
		{"non-numeric port", "postgres://u:secret@h:5x432/db", "postgres://u:xxxxx@h:xxxxx/db"},
		{"password read as a port", "postgres://u:secret/db", "postgres://u:xxxxx/db"},
		{"multi-host ports", "postgres://u@h1:5432,h2:oops/db", "postgres://u@h1:5432,h2:xxxxx/db"},
		{"multi-host failover", "postgres://u:secret@h1:5432,h2:5433/db?target_session_attrs=read-write&connect_timeout=2",
			"postgres://u:xxxxx@h1:5432,h2:5433/db?target_session_attrs=read-write&connect_timeout=2"},
		{"IPv6", "postgres://u:secret@[::1]:5432/db", "postgres://u:xxxxx@[::1]:5432/db"},
		{"broken IPv6", "postgres://u:secret@[::1/db", "postgres://u:xxxxx@[::1/db"},
		{"empty user", "postgres://:secret@h/db", "postgres://:xxxxx@h/db"},
		{"query password", "postgres://u@h/db?sslmode=disable&password=secret", "postgres://u@h/db?sslmode=disable&password=xxxxx"},
		{"query sslpassword", "postgres://h/db?sslpassword=secret&x=1", "postgres://h/db?sslpassword=xxxxx&x=1"},
		{"encoded query key", "postgres://h/db?pass%77ord=secret", "postgres://h/db?pass%77ord=xxxxx"},
		{"query token", "mysql://h/db?access_token=secret", "mysql://h/db?access_token=xxxxx"},
		{"sqlalchemy suffix", "postgresql+asyncpg://u:secret@h/db", "postgresql+asyncpg://u:xxxxx@h/db"},
		{"keyword/value", "host=h user=u password=secret dbname=d", "host=h user=u password=xxxxx dbname=d"},
		{"keyword/value quoted", "host=h password='se cr\\'et' dbname=d", "host=h password=xxxxx dbname=d"},
		{"keyword/value spaced", "host=h password = secret dbname=d", "host=h password = xxxxx dbname=d"},
		{"go-sql-driver DSN", "u:secret@tcp(h:3306)/db?parseTime=true", "u:xxxxx@tcp(h:3306)/db?parseTime=true"},
		{"go-sql-driver DSN at in password", "u:se@cret@tcp(h)/db", "u:xxxxx@tcp(h)/db"},
		{"sqlite path", "sqlite:app.db", "sqlite:app.db"},
		{"sqlite memory", "sqlite::memory:", "sqlite::memory:"},
		{"sqlite key pragma", "sqlite:app.db?_pragma=key('secret')", "sqlite:app.db?_pragma=xxxxx"},
		{"sqlite path with at", "sqlite:/data/me@corp/app.db", "sqlite:/data/me@corp/app.db"},
		{"sqlalchemy sqlite", "sqlite:////var/db/app.db", "sqlite:////var/db/app.db"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dialects.Redact(tt.url); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.url, got, tt.want)
			}
			if again := dialects.Redact(tt.want); again != tt.want {
				t.Errorf("Redact is not idempotent: %q -> %q", tt.want, again)
			}
		})
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		name, url string
		host      string // want, when ok
		wantErr   string
	}{
		{name: "plain", url: "postgres://u:pw@h:5432/db", host: "h:5432"},
		{name: "encoded specials", url: "postgres://u:p%40%2F%3F%23w@h/db", host: "h"},
		{name: "multi-host", url: "postgres://u@h1:5432,h2:5433/db", host: "h1:5432,h2:5433"},
		{name: "multi-host failover", url: "postgres://u:pw@127.0.0.1:5432,127.0.0.1:5433/db?target_session_attrs=read-write", host: "127.0.0.1:5432,127.0.0.1:5433"},
		{name: "IPv6", url: "postgres://u@[::1]:5432/db", host: "[::1]:5432"},
		{name: "no host", url: "mysql://u:pw@/db", host: ""},
		{name: "socket directory", url: "postgres://u:pw@%2Fvar%2Frun%2Fpostgresql/db", host: "/var/run/postgresql"},
		{name: "query with encoded at", url: "postgres://h/db?application_name=a%40b", host: "h"},
		{name: "no slashes", url: "postgres:h/db", wantErr: "want scheme://"},
		{name: "no scheme", url: "h/db", wantErr: "want scheme://"},
		{name: "bad port", url: "postgres://u:pw@h:54x/db", wantErr: "invalid port"},
		{name: "bad port in list", url: "postgres://u@h1:x,h2:5432/db", wantErr: "invalid port"},
		{name: "bad escape", url: "postgres://u:p%zz@h/db", wantErr: "percent-escape"},
		{name: "slash in password", url: "postgres://u:p/w@h/db", wantErr: "an '@' after the host"},
		{name: "at in password", url: "postgres://u:p@w@h/db", wantErr: "more than one '@'"},
		{name: "at in query", url: "postgres://h/db?application_name=a@b", wantErr: "an '@' after the host"},
		{name: "fragment", url: "postgres://h/db#x", wantErr: "'#'"},
		{name: "broken IPv6", url: "postgres://u@[::1/db", wantErr: "']'"},
		{name: "control character", url: "postgres://u@h/db\x7f", wantErr: "control character"},
		{name: "non-ASCII password", url: "postgres://u:пароль@h/db", wantErr: "user name or password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := dialects.ParseURL(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, dialects.ErrBadURL) {
					t.Fatalf("ParseURL(%q) error = %v, want %q", tt.url, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.Host != tt.host {
				t.Errorf("host %q, want %q", u.Host, tt.host)
			}
		})
	}
}

func TestSplitScheme(t *testing.T) {
	tests := []struct{ url, base, driver string }{
		{"postgresql+asyncpg://h/db", "postgresql", "asyncpg"},
		{"MySQL+PyMySQL://h/db", "mysql", "pymysql"},
		{"sqlite:app.db", "sqlite", ""},
		{"host=h dbname=d", "", ""},
	}
	for _, tt := range tests {
		if b, d := dialects.SplitScheme(tt.url); b != tt.base || d != tt.driver {
			t.Errorf("SplitScheme(%q) = %q, %q, want %q, %q", tt.url, b, d, tt.base, tt.driver)
		}
	}
	if got := dialects.WithScheme("postgresql+asyncpg://h/db", "postgresql"); got != "postgresql://h/db" {
		t.Errorf("WithScheme = %q", got)
	}
}

func TestLookupDriverSuffix(t *testing.T) {
	dialects.Register(dialects.Driver{Schemes: []string{"dltest-suffix"}})
	for _, u := range []string{"dltest-suffix://h", "DLTEST-SUFFIX+pydriver://h"} {
		if _, err := dialects.Lookup(u); err != nil {
			t.Errorf("Lookup(%q): %v", u, err)
		}
	}
}

func TestNoSchemeHints(t *testing.T) {
	tests := []struct{ name, url, want string }{
		{"keyword/value", "host=h password=pw dbname=d", "keyword/value connection string"},
		{"go-sql-driver", "u:pw@tcp(h:3306)/db", "go-sql-driver/mysql DSN"},
		{"missing colon", "postgres//u@h/db", "did you mean postgres://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dialects.Lookup(tt.url)
			if !errors.Is(err, dialects.ErrNoDialect) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Lookup(%q) = %v, want %q", tt.url, err, tt.want)
			}
		})
	}
}

// TestRedactErrorKeepsSafeCauses: the redacted error still matches the
// causes a caller asks about (a deadline, a driver's typed error) but not
// an error whose text holds the password.
func TestRedactErrorKeepsSafeCauses(t *testing.T) {
	raw := "postgres://u:Hunter2Secret@h/db"
	leaky := &url.Error{Op: "parse", URL: raw, Err: errors.New("bad")}
	typed := &fakeDriverError{code: "28P01"}
	err := fmt.Errorf("open: %w", errors.Join(leaky, context.DeadlineExceeded, typed))
	red := dialects.RedactError(err, raw)
	if strings.Contains(red.Error(), "Hunter2Secret") {
		t.Fatalf("message shows the password: %v", red)
	}
	if !errors.Is(red, context.DeadlineExceeded) {
		t.Error("the deadline is lost")
	}
	var fe *fakeDriverError
	if !errors.As(red, &fe) || fe.code != "28P01" {
		t.Error("the driver error is lost")
	}
	var ue *url.Error
	if errors.As(red, &ue) {
		t.Errorf("the *url.Error holding the password is reachable: %v", ue)
	}
	clean := errors.New("connection refused")
	if dialects.RedactError(clean, raw) != clean {
		t.Error("a clean error was wrapped")
	}
	if dialects.RedactError(nil, raw) != nil {
		t.Error("nil became an error")
	}
	// A driver echoing a fragment of a malformed URL's password.
	frag := dialects.RedactError(errors.New(`lookup Secret2Part@h: no such host`), "postgres://u:Hunter2@Secret2Part@h/db")
	if strings.Contains(frag.Error(), "Secret2Part") {
		t.Errorf("fragment shown: %v", frag)
	}
}

type fakeDriverError struct{ code string }

func (e *fakeDriverError) Error() string { return "password authentication failed (" + e.code + ")" }
