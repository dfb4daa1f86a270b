package dialects_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/mysql"
	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/internal/secrettest"
)

// parsers are the drivers' URL readers, which must not panic and whose
// errors must not show a password either.
var parsers = map[string]func(string) error{
	"mysql":    func(u string) error { _, err := mysql.Config(u); return err },
	"postgres": func(u string) error { _, err := postgres.ConnString(u); return err },
	"sqlite":   func(u string) error { _, _, err := sqlite.DSN(u); return err },
}

// schemeOf returns a driver's scheme with a SQLAlchemy suffix, to put in
// front of a fuzzed URL.
func schemeOf(driver string) string {
	return map[string]string{"mysql": "mysql+pymysql", "postgres": "postgresql+asyncpg", "sqlite": "sqlite+pysqlite"}[driver]
}

// sentinel marks the start, middle and end of every fuzzed password; no
// other part of a fuzzed URL holds it, so any sentinel in Redact's output
// is a piece of the password that survived.
const sentinel = "\x01"

// FuzzRedact builds URLs and connection strings around a fuzzed password,
// raw and percent-encoded, in the user info, a query parameter, a
// keyword/value string and a go-sql-driver DSN, and checks that Redact and
// RedactError keep no piece of it, that ParseURL, Redact and RedactError
// never panic on any input, and that ParseURL's errors never quote it.
func FuzzRedact(f *testing.F) {
	for _, c := range secrettest.Corpus() {
		f.Add(c.URL, "alice", "h:5432", "sslmode=disable")
	}
	f.Add("p@ss/w?rd#:x", "u", "[::1]:5432", "")
	f.Add("", "", "", "")
	f.Add("%zz", "a@b", "h:x", "password=y")
	f.Add("' \\", "host=", "h", "a='")
	f.Add("&00000", "", "0", "0") // a raw '&' in the password (found by CI's fuzzing)
	f.Fuzz(func(t *testing.T, pw, user, host, query string) {
		clean := func(s string) string {
			return strings.NewReplacer(sentinel, "", "%01", "").Replace(s)
		}
		user, host, query = "u"+clean(user), clean(host), clean(query)
		pw = clean(pw)
		half := len(pw) / 2
		secret := sentinel + pw[:half] + sentinel + pw[half:] + sentinel
		encoded := url.UserPassword(user, secret).String()
		quoted := "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(secret) + "'"
		unspaced := strings.Join(strings.Fields(secret), "")
		// In a raw query '&' separates parameters, so a raw password cannot
		// hold one: "password=a&b" is the password "a" and a parameter "b"
		// (as every driver reads it). The encoded form covers '&'.
		rawQuery := strings.ReplaceAll(secret, "&", "")
		// form: the URL, and the password as the URL spells it.
		forms := []struct{ name, url, pw string }{
			{"raw user info", "postgres://" + user + ":" + secret + "@" + host + "/db?" + query, secret},
			{"encoded user info", "mysql://" + encoded + "@" + host + "/db?" + query, encoded[strings.IndexByte(encoded, ':')+1:]},
			{"sqlalchemy", "postgresql+asyncpg://" + encoded + "@" + host + "/db", secret},
			{"query parameter", "postgres://" + host + "/db?" + query + "&password=" + url.QueryEscape(secret), url.QueryEscape(secret)},
			{"raw query", "postgres://" + host + "/db?password=" + rawQuery + "&" + query, rawQuery},
			{"keyword/value", "host=" + host + " user=" + user + " password=" + quoted + " " + query, quoted},
			{"keyword/value raw", "host=" + host + " password=" + unspaced + " dbname=d", unspaced},
			{"go-sql-driver DSN", user + ":" + secret + "@tcp(" + host + ")/db?" + query, secret},
		}
		for _, form := range forms {
			red := dialects.Redact(form.url)
			if strings.Contains(red, sentinel) || strings.Contains(red, "%01") {
				t.Fatalf("%s: Redact(%q) = %q keeps part of the password", form.name, form.url, red)
			}
			if _, err := dialects.ParseURL(form.url); err != nil && (strings.Contains(err.Error(), sentinel) || strings.Contains(err.Error(), "%01")) {
				t.Fatalf("%s: ParseURL error quotes the password: %v", form.name, err)
			}
			for driver, parse := range parsers {
				// The form as it is, and with the driver's scheme: in place of
				// the form's own, or in front of a string that is not a URL.
				other := schemeOf(driver) + ":" + form.url
				if sch := dialects.Scheme(form.url); sch != "" && strings.HasPrefix(form.url[len(sch):], "://") {
					other = schemeOf(driver) + form.url[len(sch):]
				}
				for _, u := range []string{form.url, other} {
					if err := parse(u); err != nil && (strings.Contains(err.Error(), sentinel) || strings.Contains(err.Error(), "%01")) {
						t.Fatalf("%s: %s(%q) error shows the password: %v", form.name, driver, u, err)
					}
				}
			}
			if len(pw) == 0 {
				continue // a 3-byte password is below what RedactError finds in free text
			}
			echo := errors.New("cannot parse " + form.url + ": lookup " + form.pw + "@" + host + " failed; password=" + form.pw)
			if msg := dialects.RedactError(echo, form.url).Error(); strings.Contains(msg, sentinel) || strings.Contains(msg, "%01") {
				t.Fatalf("%s: RedactError(%q) keeps part of the password: %q", form.name, form.url, msg)
			}
		}
		// Arbitrary input: no panic.
		for _, parse := range parsers {
			parse(pw)
		}
		dialects.Redact(pw)
		dialects.ParseURL(pw)
		dialects.SplitScheme(pw)
		dialects.RedactError(errors.New(pw), pw)
	})
}
