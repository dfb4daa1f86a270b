package loader

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// maxIdent is the longest identifier accepted, in bytes (PostgreSQL's limit).
const maxIdent = 63

// constraintName returns given when set, else a derived name
// "<prefix>_<table>_<col1>_<col2>…", truncated safely.
func constraintName(prefix, table string, cols []string, given string) string {
	if given != "" {
		return given
	}
	return truncateName(prefix + "_" + table + "_" + strings.Join(cols, "_"))
}

// truncateName shortens names longer than 63 bytes to 54 bytes, "_" and
// the first 8 hex digits of the full name's SHA-256, so distinct long
// names stay distinct and the result is stable.
func truncateName(name string) string {
	if len(name) <= maxIdent {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return name[:maxIdent-9] + "_" + hex.EncodeToString(sum[:4])
}
