// Package urlopt reads and removes dlayer's own query parameters from a
// database URL before the URL is handed to a driver, which would otherwise
// send them to the server as session settings.
package urlopt

import (
	"fmt"
	"net/url"
	"strings"
)

// Cut removes every occurrence of the query parameter key from rawURL and
// returns the URL without it and the last value given. The rest of the URL
// is kept byte for byte (re-encoding it could change a password).
func Cut(rawURL, key string) (rest, value string, found bool) {
	q := strings.IndexByte(rawURL, '?')
	if q < 0 {
		return rawURL, "", false
	}
	query, frag := rawURL[q+1:], ""
	if h := strings.IndexByte(query, '#'); h >= 0 {
		query, frag = query[:h], query[h:]
	}
	var kept []string
	for _, p := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(p, "=")
		if uk, err := url.QueryUnescape(k); err == nil && uk == key {
			if uv, err := url.QueryUnescape(v); err == nil {
				value = uv
			} else {
				value = v
			}
			found = true
			continue
		}
		kept = append(kept, p)
	}
	if !found {
		return rawURL, "", false
	}
	rest = rawURL[:q]
	if len(kept) > 0 {
		rest += "?" + strings.Join(kept, "&")
	}
	return rest + frag, value, true
}

// Choice cuts key from rawURL and checks its value is one of allowed
// (the empty value means "not given").
func Choice(rawURL, key string, allowed ...string) (rest, value string, err error) {
	rest, value, found := Cut(rawURL, key)
	if !found {
		return rest, "", nil
	}
	for _, a := range allowed {
		if value == a {
			return rest, value, nil
		}
	}
	return "", "", fmt.Errorf("?%s=%q: want one of %s", key, value, strings.Join(allowed, ", "))
}

// MigrateLock is the URL parameter that chooses how migrations are locked.
const MigrateLock = "migrate_lock"

// MigrateLockModes are its values.
var MigrateLockModes = []string{"advisory", "table"}
