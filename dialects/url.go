package dialects

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// mask stands in for a password in redacted text.
const mask = "xxxxx"

// minSecret is the shortest password text RedactError replaces wherever it
// occurs in a driver's message; shorter passwords are masked only where
// they sit in a URL or a key=value pair (replacing every "ab" in a message
// would garble it without hiding anything).
const minSecret = 4

// ErrBadURL is wrapped by the errors of ParseURL and of the drivers' Open
// for a database URL that cannot be read unambiguously.
var ErrBadURL = errors.New("dlayer: malformed database URL")

// validScheme reports whether s is an RFC 3986 scheme: a letter, then
// letters, digits, '+', '-' or '.'.
func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// SplitScheme returns the scheme of url split at its first '+', lower-cased:
// ("postgresql", "asyncpg") for "postgresql+asyncpg://…", ("sqlite", "")
// for "sqlite:app.db". The driver part is SQLAlchemy's name of the Python
// driver; dlayer's drivers ignore it or map its query parameters.
func SplitScheme(url string) (base, driver string) {
	base, driver, _ = strings.Cut(Scheme(url), "+")
	return base, driver
}

// WithScheme returns url with its scheme (and any +driver suffix) replaced
// by scheme.
func WithScheme(url, scheme string) string {
	i := strings.IndexByte(url, ':')
	if i < 0 {
		return url
	}
	return scheme + url[i:]
}

// ParseURL parses a network database URL, scheme://user:password@host:port/
// path?query, refusing any URL that parsers could read differently: a
// literal '@' after the host or more than one '@' (a password with an
// unescaped '@', '/', '?' or '#' puts part of it into the host, the path or
// the query, where a driver would print it), a '#', a non-numeric port, and
// what net/url refuses (bad %-escapes, control characters, a broken IPv6
// host). A host that starts with %2F is a Unix-socket directory, as libpq
// reads it; Host is then the decoded directory. The error wraps ErrBadURL
// and never quotes the URL or any part of it; callers add Redact(url) for
// context.
func ParseURL(raw string) (*url.URL, error) {
	i := strings.Index(raw, "://")
	if i < 0 || !validScheme(raw[:i]) {
		return nil, badURL("want scheme://host/database, with user:password@ before the host and :port after it where needed")
	}
	rest := raw[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	switch {
	case strings.IndexByte(rest[end:], '@') >= 0:
		return nil, badURL("an '@' after the host; percent-encode '@', '/', '?' and '#' in a user name or password (%40, %2F, %3F, %23)")
	case strings.Count(rest[:end], "@") > 1:
		return nil, badURL("more than one '@' before the host; percent-encode '@' in a user name or password as %40")
	case strings.IndexByte(raw, '#') >= 0:
		return nil, badURL("a '#' (a database URL has no fragment; percent-encode '#' as %23)")
	}
	// A Unix-socket directory as the host, percent-encoded as libpq reads
	// it (postgres://u:pw@%2Fvar%2Frun%2Fpostgresql/db), is not a host to
	// net/url: check the rest of the URL with a stand-in host.
	at := strings.LastIndexByte(rest[:end], '@') + 1
	host, socket := rest[at:end], ""
	if len(host) >= 3 && strings.EqualFold(host[:3], "%2F") {
		socket, host = host, "socket"
		raw = raw[:i+3] + rest[:at] + host + rest[end:]
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, badURL(describeParseError(err))
	}
	if socket != "" {
		dir, err := url.PathUnescape(socket)
		if err != nil {
			return nil, badURL("invalid percent-escape in the socket directory")
		}
		u.Host = dir
		return u, nil
	}
	for _, hp := range strings.Split(u.Host, ",") {
		if !numeric(port(hp)) {
			return nil, badURL("invalid port (a port is digits; percent-encode ':' and '/' in a password)")
		}
	}
	return u, nil
}

func badURL(reason string) error { return fmt.Errorf("%w: %s", ErrBadURL, reason) }

// describeParseError says what net/url refused without quoting the input
// (its messages quote the URL, or the part that failed, which may be a
// piece of the password).
func describeParseError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ee url.EscapeError
	var he url.InvalidHostError
	msg := err.Error()
	switch {
	case errors.As(err, &ee):
		return "invalid percent-escape (write a literal '%' as %25)"
	case errors.As(err, &he):
		return "invalid character in the host"
	case strings.Contains(msg, "invalid port"):
		return "invalid port (a port is digits; percent-encode ':' and '/' in a password)"
	case strings.Contains(msg, "missing ']'"):
		return "missing ']' after an IPv6 address"
	case strings.Contains(msg, "control character"):
		return "a control character"
	case strings.Contains(msg, "invalid userinfo"):
		return "invalid character in the user name or password (percent-encode it)"
	}
	return "cannot parse it"
}

// port returns the port of one host[:port] element ("" when none).
func port(hostport string) string {
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return ""
		}
		hostport = hostport[end+1:]
		p, _ := strings.CutPrefix(hostport, ":")
		return p
	}
	_, p, _ := strings.Cut(hostport, ":")
	return p
}

func numeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Redact returns url with every password in it replaced by "xxxxx", for
// messages: the password of the user info, the values of password-like
// query parameters or key=value pairs (password, sslpassword, passwd, pwd,
// anything with "pass", "secret" or "token" in its name) and any port that
// is not a number. It never fails and errs on the side of hiding more: when
// a URL is malformed (an unescaped '@', '/', '?' or '#' in a password), all
// from the first ':' after the scheme's "//" up to the last '@' is hidden.
// Strings that are not URLs (a keyword/value connection string, a
// go-sql-driver DSN such as user:password@tcp(host)/db) are redacted too.
func Redact(url string) string {
	return applySpans(url, redactSpans(url), false)
}

// span is a byte range [from, to) of text to hide.
type span struct{ from, to int }

// redactSpans returns the ranges of s that may hold a password. Every
// decision is made on s itself and the ranges are merged afterwards, so one
// rule cannot hide from another what it should mask.
func redactSpans(s string) []span {
	var spans []span
	if i := strings.Index(s, "://"); i >= 0 && validScheme(s[:i]) {
		spans = authoritySpans(s, i+3)
	} else {
		spans = opaqueSpans(s)
	}
	scanParams(s, strings.Contains(s, "://"), func(from, to int) { spans = append(spans, span{from, to}) })
	return spans
}

// authoritySpans finds the password and the non-numeric ports of a URL
// whose authority starts at start: the user info's password runs from the
// first ':' to the last '@' (net/url's reading when the URL is well
// formed, and the widest reading when a password holds '/', '?' or '#').
func authoritySpans(s string, start int) []span {
	var spans []span
	rest := s[start:]
	hostFrom := 0
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		if c := strings.IndexByte(rest[:at], ':'); c >= 0 {
			spans = append(spans, span{start + c + 1, start + at})
		}
		hostFrom = at + 1
	}
	end := strings.IndexAny(rest[hostFrom:], "/?#")
	if end < 0 {
		end = len(rest) - hostFrom
	}
	off := start + hostFrom
	for _, hp := range strings.Split(rest[hostFrom:hostFrom+end], ",") {
		if p := port(hp); !numeric(p) {
			spans = append(spans, span{off + len(hp) - len(p), off + len(hp)})
		}
		off += len(hp) + 1
	}
	return spans
}

// opaqueSpans finds the password of a string that is not a scheme:// URL:
// user:password@… (a go-sql-driver DSN), from the first ':' to the last
// '@'. After a registered scheme (sqlite:path) the scheme's own colon does
// not count.
func opaqueSpans(s string) []span {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return nil
	}
	from := 0
	if i := strings.IndexByte(s, ':'); i > 0 && registered(s[:i]) {
		from = i + 1
	}
	c := strings.IndexByte(s[from:at], ':')
	if c < 0 {
		return nil
	}
	return []span{{from + c + 1, at}}
}

// applySpans replaces the merged spans of s by the mask. With prose set, a
// span that is already the mask, perhaps followed by sentence punctuation
// (a redacted URL inside a message: "…?password=xxxxx: connection
// refused"), is left as it is.
func applySpans(s string, spans []span, prose bool) string {
	if len(spans) == 0 {
		return s
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].from < spans[j].from })
	var b strings.Builder
	last := 0
	for i := 0; i < len(spans); {
		sp := spans[i]
		for i++; i < len(spans) && spans[i].from <= sp.to; i++ {
			sp.to = max(sp.to, spans[i].to)
		}
		if sp.from >= sp.to || sp.from < last {
			continue
		}
		if prose && strings.TrimRight(s[sp.from:sp.to], ":.,;)]") == mask {
			continue
		}
		b.WriteString(s[last:sp.from])
		b.WriteString(mask)
		last = sp.to
	}
	b.WriteString(s[last:])
	return b.String()
}

// scanParams calls f with the byte range of the value of every
// password-like key=value pair in s, in order.
func scanParams(s string, inURL bool, f func(start, end int)) {
	i := 0
	for i < len(s) {
		j := strings.IndexByte(s[i:], '=')
		if j < 0 {
			return
		}
		j += i
		e := j
		if !inURL {
			for e > i && (s[e-1] == ' ' || s[e-1] == '\t') {
				e--
			}
		}
		k := e
		for k > i && !keyBoundary(s[k-1], inURL) {
			k--
		}
		v := j + 1
		if !inURL {
			for v < len(s) && (s[v] == ' ' || s[v] == '\t') {
				v++
			}
		}
		end := valueEnd(s, v, inURL)
		if secretKey(s[k:e], s[v:end]) {
			f(v, end)
			i = end
			continue
		}
		i = v
	}
}

func keyBoundary(c byte, inURL bool) bool {
	switch c {
	case '?', '&', ';':
		return true
	case ' ', '\t', '\r', '\n', '(', ',', '`', '"', '\'':
		return !inURL
	case '/', '@', '#':
		return inURL
	}
	return false
}

// valueEnd returns where the value starting at v ends: after its closing
// quote when quoted (backslash escapes), else at '&' in a URL and at white
// space elsewhere.
func valueEnd(s string, v int, inURL bool) int {
	if v < len(s) && (s[v] == '\'' || s[v] == '"') {
		q := s[v]
		for i := v + 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case q:
				return i + 1
			}
		}
		return len(s)
	}
	for i := v; i < len(s); i++ {
		c := s[i]
		if inURL && c == '&' || !inURL && (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			return i
		}
	}
	return len(s)
}

// secretKey reports whether a key=value pair carries a secret: its key
// (percent-decoded, any case, punctuation ignored) names a password, a
// secret or a token, or it is an SQLite key pragma.
func secretKey(key, value string) bool {
	k := strings.ToLower(lenientUnescape(key))
	k = strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			return r
		}
		return -1
	}, k)
	if k == "" {
		return false
	}
	for _, w := range []string{"pass", "pwd", "secret", "token"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	if k == "pragma" {
		v := strings.ToLower(lenientUnescape(value))
		for _, p := range []string{"key", "hexkey", "rekey", "hexrekey", "textkey"} {
			if strings.HasPrefix(v, p+"(") || strings.HasPrefix(v, p+"=") {
				return true
			}
		}
	}
	return k == "key" || k == "hexkey"
}

// lenientUnescape decodes the valid %XX escapes of s and keeps the rest.
func lenientUnescape(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && unhex(s[i+1]) >= 0 && unhex(s[i+2]) >= 0 {
			b.WriteByte(byte(unhex(s[i+1])<<4 | unhex(s[i+2])))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// secrets returns every text of raw that may be a password, under every
// reading a parser may give it (the user info up to each '@', a
// non-numeric port, password-like parameters), raw and decoded, with the
// fragments a parser could cut out of them, longest first. Texts shorter
// than minSecret are left out.
func secrets(raw string) []string {
	set := map[string]bool{}
	var add func(s string, split bool)
	add = func(s string, split bool) {
		if len(s) < minSecret || set[s] {
			return
		}
		set[s] = true
		for _, v := range []string{lenientUnescape(s), strings.ReplaceAll(lenientUnescape(s), "+", " "), unquote(s)} {
			add(v, split)
		}
		if split {
			for _, f := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("@/?#:&=;, '\"\\", r) }) {
				add(f, false)
			}
		}
	}
	body := raw
	if i := strings.Index(raw, "://"); i >= 0 && validScheme(raw[:i]) {
		body = raw[i+3:]
	} else if i := strings.IndexByte(raw, ':'); i > 0 && registered(raw[:i]) {
		body = raw[i+1:]
	}
	// The user info up to each '@', for the parsers that stop at the first.
	if c := strings.IndexByte(body, ':'); c >= 0 {
		for a := c + 1; a < len(body); a++ {
			if body[a] == '@' {
				add(body[c+1:a], true)
			}
		}
	}
	for _, sp := range redactSpans(raw) {
		add(raw[sp.from:sp.to], true)
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// unquote strips the quotes and backslash escapes of a quoted
// keyword/value value.
func unquote(s string) string {
	if len(s) < 2 || (s[0] != '\'' && s[0] != '"') {
		return s
	}
	q := s[0]
	s = strings.TrimSuffix(s[1:], string(q))
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

var embeddedURL = regexp.MustCompile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'`]*")

// redactor hides the secrets of one URL in text.
type redactor struct{ secrets []string }

func (r redactor) scrub(text string) string {
	var spans []span
	for _, s := range r.secrets {
		spans = append(spans, findFold(text, s)...)
	}
	for _, m := range embeddedURL.FindAllStringIndex(text, -1) {
		// Leave the punctuation that follows a URL in a sentence.
		u := strings.TrimRight(text[m[0]:m[1]], ":.,;)]")
		for _, sp := range redactSpans(u) {
			spans = append(spans, span{m[0] + sp.from, m[0] + sp.to})
		}
	}
	scanParams(text, false, func(from, to int) { spans = append(spans, span{from, to}) })
	return applySpans(text, spans, true)
}

func (r redactor) clean(text string) bool { return r.scrub(text) == text }

// cleanTree reports whether err and every error it wraps are free of
// secrets.
func (r redactor) cleanTree(err error, depth int) bool {
	if err == nil {
		return true
	}
	if depth > 32 || !r.clean(err.Error()) {
		return false
	}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if !r.cleanTree(e, depth+1) {
				return false
			}
		}
	case interface{ Unwrap() error }:
		return r.cleanTree(u.Unwrap(), depth+1)
	}
	return true
}

// safeParts returns the outermost errors of err's tree that are free of
// secrets with all they wrap.
func (r redactor) safeParts(err error, out []error, depth int) []error {
	if err == nil || depth > 32 {
		return out
	}
	if r.cleanTree(err, depth) {
		return append(out, err)
	}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = r.safeParts(e, out, depth+1)
		}
	case interface{ Unwrap() error }:
		out = r.safeParts(u.Unwrap(), out, depth+1)
	}
	return out
}

// RedactError returns err with every password of url hidden from its
// message (see Redact), and from any URL or password=… pair a driver
// echoed into it. The result wraps, for errors.Is and errors.As, only the
// errors of err's chain whose own text and wrapped errors are free of the
// password (a context deadline, a *pgconn.PgError, a net error, a
// *mysql.MySQLError); an error that quotes the password is never reachable
// by unwrapping. err is returned as is when nothing in it needs hiding.
func RedactError(err error, url string) error {
	if err == nil {
		return nil
	}
	r := redactor{secrets: secrets(url)}
	if r.cleanTree(err, 0) {
		return err
	}
	return &redactedError{msg: r.scrub(err.Error()), errs: r.safeParts(err, nil, 0)}
}

type redactedError struct {
	msg  string
	errs []error
}

func (e *redactedError) Error() string   { return e.msg }
func (e *redactedError) Unwrap() []error { return e.errs }

// findFold returns the spans of every occurrence of sub in s, matched
// ignoring ASCII letter case.
func findFold(s, sub string) []span {
	if sub == "" || len(sub) > len(s) {
		return nil
	}
	ls, lsub := asciiLower(s), asciiLower(sub)
	var out []span
	for from := 0; ; {
		i := strings.Index(ls[from:], lsub)
		if i < 0 {
			return out
		}
		out = append(out, span{from + i, from + i + len(sub)})
		from += i + 1
	}
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// registered reports whether scheme (perhaps with a +driver suffix) has a
// registered driver.
func registered(scheme string) bool {
	if !validScheme(scheme) {
		return false
	}
	base, _, _ := strings.Cut(strings.ToLower(scheme), "+")
	regMu.RLock()
	defer regMu.RUnlock()
	return registry[base] != nil
}
