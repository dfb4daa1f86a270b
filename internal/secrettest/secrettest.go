// Package secrettest holds a corpus of database URLs and connection strings,
// well-formed and malformed, each carrying a password made of a marker
// string, and a check that some text never contains that marker. Tests of
// every layer that may print a URL (dialects.Open, dlayer.Open, the CLI, the
// logs) run the same corpus, so a password never reaches an error, a log
// record or the terminal whatever the URL looks like.
package secrettest

import (
	"net/url"
	"os"
	"strings"
	"testing"
)

// Marker is the secret. Every password in the corpus consists of copies of
// it joined by the characters under test, so any fragment of a password a
// parser may cut out still contains the marker. Check matches it in any
// letter case.
const Marker = "Zsekr3tZ"

// Case is one URL of the corpus.
type Case struct {
	Name string
	URL  string
	// MayConnect is set for the real servers, which may let the wrong
	// password in (trust authentication).
	MayConnect bool
}

const (
	m = Marker
	// unreachable is a local port nothing listens on: a connection is
	// refused at once, without DNS.
	unreachable = "127.0.0.1:1"
)

// Corpus returns the URLs: parse failures (bad port, bad escapes, '/', '?',
// '#' and '@' in the password, a broken IPv6 host, control and non-ASCII
// characters), connection strings that are not URLs (keyword/value,
// go-sql-driver DSNs), passwords in query parameters, well-formed URLs of
// unreachable servers (TCP, IPv6, Unix sockets), an empty user, a very long
// password and SQLAlchemy-style schemes.
func Corpus() []Case {
	long := strings.Repeat(m+"-", 800)
	pairs := [][2]string{
		{"postgres bad port", "postgres://alice:" + m + "@127.0.0.1:5x432/app"},
		{"mysql bad port", "mysql://alice:" + m + "@127.0.0.1:33o6/app"},
		{"postgres percent zz", "postgres://alice:" + m + "%zz" + m + "@127.0.0.1/app"},
		{"mysql percent zz", "mysql://alice:" + m + "%zz" + m + "@127.0.0.1/app"},
		{"postgres slash in password", "postgres://alice:" + m + "/" + m + "@127.0.0.1:1/app"},
		{"mysql slash in password", "mysql://alice:" + m + "/" + m + "@127.0.0.1:1/app"},
		{"postgres digits then slash", "postgres://alice:1234/" + m + "@127.0.0.1:1/app"},
		{"postgres at in password", "postgres://alice:" + m + "@" + m + "@" + unreachable + "/app"},
		{"mysql at in password", "mysql://alice:" + m + "@" + m + "@" + unreachable + "/app"},
		{"postgres at in user and password", "postgres://alice@corp:" + m + "@" + unreachable + "/app"},
		{"postgres question mark in password", "postgres://alice:" + m + "?" + m + "@" + unreachable + "/app"},
		{"postgres hash in password", "postgres://alice:" + m + "#" + m + "@" + unreachable + "/app"},
		{"postgres broken IPv6 host", "postgres://alice:" + m + "@[::1/app"},
		{"mysql broken IPv6 host", "mysql://alice:" + m + "@[::1:3306/app"},
		{"postgres IPv6 bad port", "postgres://alice:" + m + "@[::1]:x/app"},
		{"postgres control character", "postgres://alice:" + m + "@" + unreachable + "/app\n"},
		{"postgres unicode password", "postgres://alice:" + m + "пароль" + m + "@" + unreachable + "/app"},
		{"keyword/value DSN", "host=127.0.0.1 port=1 user=alice password=" + m + " dbname=app"},
		{"keyword/value DSN quoted", "host=127.0.0.1 password='" + m + " " + m + "' dbname=app"},
		{"keyword/value DSN spaced", "host=127.0.0.1 password = " + m + " dbname=app"},
		{"mysql driver DSN", "alice:" + m + "@tcp(" + unreachable + ")/app"},
		{"mysql driver DSN unix", "alice:" + m + "@unix(/nonexistent/mysql.sock)/app?parseTime=true"},
		{"missing colon after scheme", "postgres//alice:" + m + "@" + unreachable + "/app"},
		{"one slash after scheme", "postgres:/alice:" + m + "@" + unreachable + "/app"},
		{"unknown scheme", "oracle://alice:" + m + "@" + unreachable + "/app"},
		{"postgres password query parameter", "postgres://alice@" + unreachable + "/app?password=" + m},
		{"postgres sslpassword query parameter", "postgres://alice@" + unreachable + "/app?sslmode=disable&sslpassword=" + m},
		{"postgres encoded password key", "postgres://alice@" + unreachable + "/app?pass%77ord=" + m},
		{"mysql password query parameter", "mysql://alice@" + unreachable + "/app?password=" + m},
		{"mysql bad parameter", "mysql://alice:" + m + "@" + unreachable + "/app?timeout=forever"},
		{"mysql bad tls parameter", "mysql://alice:" + m + "@" + unreachable + "/app?tls=bogus"},
		{"postgres bad sslmode", "postgres://alice:" + m + "@" + unreachable + "/app?sslmode=bogus"},
		{"postgres percent-encoded password", "postgres://alice:" + m + "%40%2F%3A" + m + "@" + unreachable + "/app"},
		{"mysql percent-encoded password", "mysql://alice:" + m + "%40%2F" + m + "@" + unreachable + "/app"},
		{"postgres IPv6 unreachable", "postgres://alice:" + m + "@[::1]:1/app"},
		{"postgres unix socket host", "postgres://alice:" + m + "@%2Fnonexistent%2Fdir/app"},
		{"postgres unix socket query", "postgresql://alice:" + m + "@/app?host=/nonexistent/dir"},
		{"mysql unix socket query", "mysql+pymysql://alice:" + m + "@/app?unix_socket=/nonexistent/mysql.sock"},
		{"postgres empty user", "postgres://:" + m + "@" + unreachable + "/app"},
		{"mysql empty user", "mysql://:" + m + "@" + unreachable + "/app"},
		{"postgres very long password", "postgres://alice:" + long + "@" + unreachable + "/app"},
		{"postgres very long bad port", "postgres://alice:" + long + "@127.0.0.1:" + long + "/app"},
		{"sqlalchemy asyncpg bad port", "postgresql+asyncpg://alice:" + m + "@127.0.0.1:bad/app"},
		{"sqlalchemy psycopg2", "postgresql+psycopg2://alice:" + m + "@" + unreachable + "/app"},
		{"sqlalchemy aiomysql", "mysql+aiomysql://alice:" + m + "@" + unreachable + "/app"},
		{"sqlalchemy mariadb connector", "mariadb+mariadbconnector://alice:" + m + "@" + unreachable + "/app"},
		{"sqlalchemy pysqlcipher", "sqlite+pysqlcipher://:" + m + "@/secret.db"},
		{"sqlite with a user", "sqlite://alice:" + m + "@/app.db"},
		{"keyword DSN with postgres scheme word", "postgres: host=127.0.0.1 password=" + m},
	}
	out := make([]Case, len(pairs))
	for i, p := range pairs {
		out[i] = Case{Name: p[0], URL: p[1]}
	}
	return out
}

// ServerCases returns URLs of the real test servers (DLAYER_TEST_*_URL)
// with the password replaced by the marker, so the server refuses the
// login: its error must not echo the password either. Servers whose
// variable is unset are left out.
func ServerCases() []Case {
	var out []Case
	for _, v := range []string{"DLAYER_TEST_POSTGRES_URL", "DLAYER_TEST_MYSQL_URL"} {
		raw := os.Getenv(v)
		u, err := url.Parse(raw)
		if raw == "" || err != nil || u.User == nil {
			continue
		}
		u.User = url.UserPassword(u.User.Username(), m+"@/"+m)
		out = append(out, Case{Name: "wrong password for " + v, URL: u.String(), MayConnect: true})
		q := u.Query()
		u.User = url.User(u.User.Username())
		q.Set("password", m)
		u.RawQuery = q.Encode()
		out = append(out, Case{Name: "wrong query password for " + v, URL: u.String(), MayConnect: true})
	}
	return out
}

// Contains reports whether text holds the marker, in any letter case.
func Contains(text string) bool {
	return strings.Contains(strings.ToLower(text), strings.ToLower(Marker))
}

// Check fails t when text holds the marker; where says what text is (an
// error, stderr of a command).
func Check(t testing.TB, where, text string) {
	t.Helper()
	if Contains(text) {
		t.Errorf("%s shows the password:\n%s", where, text)
	}
}
