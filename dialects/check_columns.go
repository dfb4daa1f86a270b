package dialects

import (
	"fmt"
	"strings"

	"github.com/dlayer/dlayer/spec"
)

// The rules below are shared by the dialects' schema checks (each dialect
// lists those that apply to it in its schemaChecks). Their codes are
// documented in docs/yaml.md.

func diag(sev spec.Severity, rule string, at spec.Range, detail, format string, args ...any) spec.Diagnostic {
	return spec.Diagnostic{Severity: sev, Rule: rule, Subject: at, Detail: detail, Summary: fmt.Sprintf(format, args...)}
}

// eachColumn calls fn for every column of s.
func eachColumn(s *spec.Schema, fn func(t *spec.Table, c *spec.Column)) {
	for _, t := range s.Tables {
		for _, c := range t.Columns {
			fn(t, c)
		}
	}
}

// StoredComputedOnly refuses computed columns that are not stored
// (dialect-computed-virtual): PostgreSQL 15 computes generated columns only
// on write.
func StoredComputedOnly(dialect string) SchemaCheck {
	return func(s *spec.Schema) spec.Diagnostics {
		var ds spec.Diagnostics
		eachColumn(s, func(t *spec.Table, c *spec.Column) {
			if c.Computed != nil && !c.Computed.Stored {
				ds = append(ds, diag(spec.SeverityError, "dialect-computed-virtual", c.Computed.Range, "add stored: true",
					"%s has no virtual computed columns: %s.%s", dialect, t.Name, c.Name))
			}
		})
		return ds
	}
}

// ComputedNullable warns of computed columns declared NOT NULL
// (dialect-computed-not-null): MariaDB refuses NOT NULL on a generated
// column, so the DDL leaves it out.
func ComputedNullable(dialect string) SchemaCheck {
	return func(s *spec.Schema) spec.Diagnostics {
		var ds spec.Diagnostics
		eachColumn(s, func(t *spec.Table, c *spec.Column) {
			if c.Computed != nil && !c.Nullable {
				ds = append(ds, diag(spec.SeverityWarning, "dialect-computed-not-null", c.Computed.Range, "add nullable: true",
					"%s writes computed column %s.%s without NOT NULL (MariaDB refuses it)", dialect, t.Name, c.Name))
			}
		})
		return ds
	}
}

// NoUnsigned warns of unsigned columns (dialect-unsigned) on a dialect
// without unsigned types: the column is created signed, so values above the
// signed maximum do not fit. With only64, smaller integers are not
// reported (SQLite's integers are 64-bit whatever their declared size).
func NoUnsigned(dialect string, only64 bool) SchemaCheck {
	return func(s *spec.Schema) spec.Diagnostics {
		var ds spec.Diagnostics
		eachColumn(s, func(t *spec.Table, c *spec.Column) {
			if !c.Type.Unsigned {
				return
			}
			if only64 && c.Type.Kind != spec.TypeBigInt {
				return
			}
			ds = append(ds, diag(spec.SeverityWarning, "dialect-unsigned", c.Range, "",
				"%s has no unsigned %s: %s.%s is created signed (negative values are accepted, the largest unsigned ones do not fit)",
				dialect, c.Type.Kind, t.Name, c.Name))
		})
		return ds
	}
}

// NoServerOnUpdate warns of server_onupdate (dialect-server-onupdate) on a
// dialect without ON UPDATE for columns: the DDL leaves it out, so the
// database does not set the column on UPDATE (onupdate: now makes the ORM
// set it).
func NoServerOnUpdate(dialect string) SchemaCheck {
	return func(s *spec.Schema) spec.Diagnostics {
		var ds spec.Diagnostics
		eachColumn(s, func(t *spec.Table, c *spec.Column) {
			if c.ServerOnUpdate != nil {
				ds = append(ds, diag(spec.SeverityWarning, "dialect-server-onupdate", c.ServerOnUpdate.Range,
					"add onupdate: now for the ORM to set it, or a trigger",
					"%s has no ON UPDATE clause: %s.%s is not set by the database on UPDATE", dialect, t.Name, c.Name))
			}
		})
		return ds
	}
}

// NoFulltext refuses fulltext indexes (dialect-fulltext) on a dialect
// without them (PostgreSQL searches text with to_tsvector and a GIN index,
// SQLite with FTS5 virtual tables: neither is an index on the columns).
func NoFulltext(dialect string) SchemaCheck {
	return func(s *spec.Schema) spec.Diagnostics {
		var ds spec.Diagnostics
		for _, t := range s.Tables {
			for _, ix := range t.Indexes {
				if ix.Kind == spec.IndexFulltext {
					ds = append(ds, diag(spec.SeverityError, "dialect-fulltext", ix.Range, "remove kind: fulltext for a plain index, or create the search index by hand",
						"%s has no fulltext index: %s on %s", dialect, ix.Name, t.Name))
				}
			}
		}
		return ds
	}
}

// EnumLabelBytes refuses enum values longer than max bytes
// (dialect-enum-value): PostgreSQL's enum labels hold at most 63.
func EnumLabelBytes(dialect string, max int) SchemaCheck {
	return func(s *spec.Schema) spec.Diagnostics {
		var ds spec.Diagnostics
		eachColumn(s, func(t *spec.Table, c *spec.Column) {
			if c.Type.Kind != spec.TypeEnum {
				return
			}
			for _, v := range c.Type.Values {
				if len(v) > max {
					ds = append(ds, diag(spec.SeverityError, "dialect-enum-value", c.Range, "",
						"%s enum values hold at most %d bytes: %s.%s has one of %d", dialect, max, t.Name, c.Name, len(v)))
					return
				}
			}
		})
		return ds
	}
}

// FixedMaxLength refuses fixed strings longer than max characters
// (dialect-fixed-length): MySQL's CHAR holds at most 255.
func FixedMaxLength(dialect string, max int) SchemaCheck {
	return func(s *spec.Schema) spec.Diagnostics {
		var ds spec.Diagnostics
		eachColumn(s, func(t *spec.Table, c *spec.Column) {
			if c.Type.Fixed && c.Type.Length > max {
				ds = append(ds, diag(spec.SeverityError, "dialect-fixed-length", c.Range, "remove fixed: true for a VARCHAR",
					"%s fixed strings hold at most %d characters: %s.%s has length %d", dialect, max, t.Name, c.Name, c.Type.Length))
			}
		})
		return ds
	}
}

// NoPostgresCasts refuses computed expressions with PostgreSQL's ::type
// casts (dialect-computed-cast) on a dialect that does not parse them: an
// expression inspected from PostgreSQL (which adds such casts) would make
// the DDL fail. Text inside quotes is not looked at.
func NoPostgresCasts(dialect string) SchemaCheck {
	return func(s *spec.Schema) spec.Diagnostics {
		var ds spec.Diagnostics
		eachColumn(s, func(t *spec.Table, c *spec.Column) {
			if c.Computed != nil && strings.Contains(unquoted(c.Computed.SQL, "'\"`"), "::") {
				ds = append(ds, diag(spec.SeverityError, "dialect-computed-cast", c.Computed.Range, "write the cast as CAST(x AS type)",
					"%s does not parse PostgreSQL's :: casts: computed column %s.%s", dialect, t.Name, c.Name))
			}
		})
		return ds
	}
}

// unquoted returns sql without the text inside the quote characters given
// (each of quotes opens and closes its own kind of quoted text).
func unquoted(sql, quotes string) string {
	var b strings.Builder
	var q byte
	for i := 0; i < len(sql); i++ {
		ch := sql[i]
		switch {
		case q != 0 && ch == q:
			q = 0
		case q != 0:
		case strings.IndexByte(quotes, ch) >= 0:
			q = ch
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// NoBackquotes refuses computed expressions with MySQL's `quoted`
// identifiers (dialect-computed-backquote) on a dialect that does not
// parse them: an expression inspected from MySQL (which adds them) would
// make the DDL fail. Text inside '…' and "…" is not looked at.
func NoBackquotes(dialect string) SchemaCheck {
	return func(s *spec.Schema) spec.Diagnostics {
		var ds spec.Diagnostics
		eachColumn(s, func(t *spec.Table, c *spec.Column) {
			if c.Computed != nil && strings.ContainsRune(unquoted(c.Computed.SQL, "'\""), '`') {
				ds = append(ds, diag(spec.SeverityError, "dialect-computed-backquote", c.Computed.Range, "quote identifiers with \"…\" or not at all",
					"%s does not parse MySQL's `…` identifiers: computed column %s.%s", dialect, t.Name, c.Name))
			}
		})
		return ds
	}
}
