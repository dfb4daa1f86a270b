package postgres

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dlayer/dlayer/dialects/internal/urlopt"
)

// ErrSessionState is returned, behind a transaction-pooling pooler
// (?pooler=transaction), for a statement that would leave session state on
// the server connection (SET, LISTEN, PREPARE, a temporary table, a
// session-level advisory lock, …): the pooler hands that connection to
// another client after the transaction, and the next transaction of this
// client may run on a connection without it.
var ErrSessionState = errors.New("session state does not survive a transaction-pooling pooler")

// urlOptions are dlayer's own query parameters of a postgres URL.
type urlOptions struct {
	// pooler is "transaction" or "session" (a session pooler behaves like a
	// server); "" when not given.
	pooler string
	// lock is the migration lock mode: "advisory", "table" or "".
	lock string
}

// cutOptions removes dlayer's parameters (pooler, migrate_lock) from url.
func cutOptions(url string) (string, urlOptions, error) {
	var o urlOptions
	url, p, err := urlopt.Choice(url, "pooler", "transaction", "session")
	if err != nil {
		return "", o, err
	}
	url, l, err := urlopt.Choice(url, urlopt.MigrateLock, urlopt.MigrateLockModes...)
	if err != nil {
		return "", o, err
	}
	return url, urlOptions{pooler: p, lock: l}, nil
}

// pooledParams are the startup parameters pgbouncer keeps per client (it
// sets them on whichever server connection runs the client's transaction);
// any other is dropped or refused by the pooler.
var pooledParams = map[string]bool{
	"application_name": true, "client_encoding": true, "datestyle": true,
	"timezone": true, "standard_conforming_strings": true,
}

// poolerConfig adapts cfg for a transaction-pooling pooler. The statement
// execution mode becomes cache_describe (no named prepared statements: the
// pooler gives each transaction whichever server connection is free, where
// pgx's cached statements do not exist; each statement is parsed, bound and
// run in one round trip) unless the URL chose exec or simple_protocol;
// cache_statement and describe_exec are refused (describe_exec describes on
// one round trip and binds on the next, which the pooler may send to
// another server connection). Startup parameters the pooler cannot keep
// (search_path, statement_timeout, …) are refused with a hint.
func poolerConfig(conn string, cfg *pgxpool.Config) error {
	mode := pgx.QueryExecModeCacheDescribe
	if _, v, ok := urlopt.Cut(conn, "default_query_exec_mode"); ok {
		switch v {
		case "cache_describe":
		case "exec":
			mode = pgx.QueryExecModeExec
		case "simple_protocol":
			mode = pgx.QueryExecModeSimpleProtocol
		default:
			return fmt.Errorf("pooler=transaction: default_query_exec_mode=%s does not work behind a transaction pooler "+
				"(use cache_describe, exec or simple_protocol, or leave it out)", v)
		}
	}
	cfg.ConnConfig.DefaultQueryExecMode = mode
	var bad []string
	for k := range cfg.ConnConfig.RuntimeParams {
		if !pooledParams[strings.ToLower(k)] {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("pooler=transaction: %w: the session setting %s cannot be kept behind a transaction pooler; "+
			"set it on the role or database (ALTER ROLE … SET %s = …) or per transaction (SET LOCAL)",
			ErrSessionState, strings.Join(bad, ", "), bad[0])
	}
	return nil
}

// checkPooled returns an error wrapping ErrSessionState when sql would
// leave session state on a pooled server connection. inTx says sql runs in
// a transaction, where SET LOCAL, transaction-scoped advisory locks and
// temporary tables dropped ON COMMIT are fine, and a session-level advisory
// lock is allowed (the caller may release it before the transaction ends,
// as the advisory migration lock does).
func checkPooled(sql string, inTx bool) error {
	for {
		next := statementEnd(sql)
		if err := checkStatement(sql[:next], inTx); err != nil {
			return err
		}
		if next >= len(sql) {
			return nil
		}
		sql = sql[next+1:]
	}
}

// statementEnd returns the index of the ';' that ends the first statement
// of sql, or len(sql): semicolons in quotes, quoted identifiers,
// dollar-quoted strings and comments do not count.
func statementEnd(sql string) int {
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; {
		case c == ';':
			return i
		case c == '\'' || c == '"':
			j := strings.IndexByte(sql[i+1:], c)
			if j < 0 {
				return len(sql)
			}
			i += j + 1 // a doubled quote reopens at the next character
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				return len(sql)
			}
			i += j
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				return len(sql)
			}
			i += j + 3
		case c == '$':
			// $tag$ … $tag$ (tag: letters, digits, '_'; not $1).
			j := i + 1
			for j < len(sql) && (sql[j] == '_' || sql[j]|0x20 >= 'a' && sql[j]|0x20 <= 'z' || j > i+1 && sql[j] >= '0' && sql[j] <= '9') {
				j++
			}
			if j < len(sql) && sql[j] == '$' {
				tag := sql[i : j+1]
				k := strings.Index(sql[j+1:], tag)
				if k < 0 {
					return len(sql)
				}
				i = j + k + len(tag)
			}
		}
	}
	return len(sql)
}

// checkStatement checks one statement (see checkPooled).
func checkStatement(sql string, inTx bool) error {
	s := skipSpaceAndComments(sql)
	w0, rest := nextWord(s)
	reason := ""
	switch {
	case strings.EqualFold(w0, "SET"):
		w1, _ := nextWord(rest)
		if !strings.EqualFold(w1, "LOCAL") && !strings.EqualFold(w1, "TRANSACTION") &&
			!strings.EqualFold(w1, "CONSTRAINTS") && !strings.EqualFold(w1, "CONSTRAINT") {
			reason = "SET changes the server session (use SET LOCAL inside a transaction)"
		}
	case strings.EqualFold(w0, "RESET"), strings.EqualFold(w0, "DISCARD"):
		reason = strings.ToUpper(w0) + " changes the server session"
	case strings.EqualFold(w0, "LISTEN"), strings.EqualFold(w0, "UNLISTEN"):
		reason = "LISTEN needs a session of its own (open a direct connection to the server for notifications)"
	case strings.EqualFold(w0, "PREPARE"), strings.EqualFold(w0, "DEALLOCATE"):
		reason = "prepared statements live in the server session"
	case strings.EqualFold(w0, "DECLARE"):
		if containsFold(s, " WITH HOLD") {
			reason = "a cursor WITH HOLD outlives the transaction"
		}
	case strings.EqualFold(w0, "CREATE"):
		w1, rest := nextWord(rest)
		if strings.EqualFold(w1, "GLOBAL") || strings.EqualFold(w1, "LOCAL") {
			w1, _ = nextWord(rest)
		}
		if strings.EqualFold(w1, "TEMP") || strings.EqualFold(w1, "TEMPORARY") {
			if !inTx || !containsFold(s, "ON COMMIT DROP") {
				reason = "a temporary table lives in the server session (inside a transaction, use ON COMMIT DROP)"
			}
		}
	}
	// pg_advisory_lock, pg_try_advisory_lock and their _shared forms; not
	// the transaction-scoped pg_advisory_xact_lock.
	if reason == "" && !inTx && containsFold(s, "advisory_lock") {
		reason = "a session-level advisory lock stays on the server connection (use pg_advisory_xact_lock in a transaction)"
	}
	if reason == "" {
		return nil
	}
	return fmt.Errorf("pooler=transaction: %w: %s", ErrSessionState, reason)
}

// nextWord returns the leading word of s (letters, digits, '_') after
// white space, and what follows it.
func nextWord(s string) (word, rest string) {
	s = strings.TrimLeft(s, " \t\r\n\f")
	i := 0
	for i < len(s) {
		c := s[i] | 0x20
		if !(c >= 'a' && c <= 'z' || s[i] >= '0' && s[i] <= '9' || s[i] == '_') {
			break
		}
		i++
	}
	return s[:i], s[i:]
}

// containsFold reports whether sub (ASCII, starting with a letter or a
// space) is in s, ignoring ASCII case.
func containsFold(s, sub string) bool {
	first := sub[0] | 0x20
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i]|0x20 == first && strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// skipSpaceAndComments returns sql from its first token.
func skipSpaceAndComments(sql string) string {
	for {
		sql = strings.TrimLeft(sql, " \t\r\n\f(")
		switch {
		case strings.HasPrefix(sql, "--"):
			i := strings.IndexByte(sql, '\n')
			if i < 0 {
				return ""
			}
			sql = sql[i+1:]
		case strings.HasPrefix(sql, "/*"):
			i := strings.Index(sql, "*/")
			if i < 0 {
				return ""
			}
			sql = sql[i+2:]
		default:
			return sql
		}
	}
}
