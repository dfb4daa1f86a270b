package loader

import "strings"

// reservedWords holds words reserved (not merely keywords) in PostgreSQL,
// MySQL/MariaDB or SQLite that a table or column might plausibly be named.
// Such names work when quoted, which dlayer always does, but trip up every
// hand-written query, so they draw a warning.
var reservedWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		add all alter analyze and any array as asc asymmetric authorization between binary both by
		call cascade case cast change check collate column condition constraint continue convert
		create cross current_catalog current_date current_role current_time current_timestamp
		current_user cursor database databases default deferrable delete desc describe distinct
		div do drop each else elseif end except exists exit explain false fetch for force foreign
		freeze from full fulltext grant group having if ignore ilike in index initially inner
		insert interval into is isnull join key keys kill lateral leading leave left like limit
		lines load localtime localtimestamp lock loop match natural not notnull null of offset on
		only option optionally or order out outer over overlaps partition placing precision primary
		procedure range read references regexp release rename repeat replace require restrict
		return returning revoke right rlike row rows schema schemas select session_user set show
		similar some spatial sql ssl starting symmetric system_user table then to trailing trigger
		true undo union unique unlock unsigned update usage use user using values variadic
		verbose when where while window with write xor zerofill`) {
		m[w] = true
	}
	return m
}()

// isReserved reports whether name is a reserved word (case-insensitively).
func isReserved(name string) bool { return reservedWords[strings.ToLower(name)] }
