package loader

import (
	"fmt"

	"github.com/dlayer/dlayer/spec"
)

// Rule describes one diagnostic rule code the loader can report.
type Rule struct {
	// Code is the stable kebab-case code, e.g. "unknown-type".
	Code string
	// Severity is the severity diagnostics of this rule carry.
	Severity spec.Severity
	// Summary says what the rule checks.
	Summary string
}

// The rule codes. They are stable: tests, suppressions and CI key on them.
const (
	ruleIO                 = RuleIOError
	ruleNoFiles            = "no-files"
	ruleFileTooLarge       = "file-too-large"
	ruleInvalidUTF8        = "invalid-utf8"
	ruleYAMLSyntax         = "yaml-syntax"
	ruleDuplicateKey       = "duplicate-key"
	ruleTooDeep            = "too-deep"
	ruleAliasBudget        = "alias-budget"
	ruleUnknownKey         = "unknown-key"
	ruleMissingKey         = "missing-key"
	ruleWrongType          = "wrong-type"
	ruleInvalidValue       = "invalid-value"
	ruleInvalidIdentifier  = "invalid-identifier"
	ruleReservedWord       = "reserved-word"
	ruleUnknownType        = "unknown-type"
	ruleAliasCycle         = "alias-cycle"
	ruleDuplicateType      = "duplicate-type"
	ruleInvalidLength      = "invalid-length"
	ruleInvalidPrecision   = "invalid-precision"
	ruleInvalidTypeOption  = "invalid-type-option"
	ruleInvalidEnum        = "invalid-enum"
	ruleDuplicateModel     = "duplicate-model"
	ruleDuplicateTable     = "duplicate-table"
	ruleDuplicateColumn    = "duplicate-column"
	ruleDuplicateName      = "duplicate-name"
	ruleMissingPrimaryKey  = "missing-primary-key"
	ruleNullablePrimaryKey = "nullable-primary-key"
	ruleInvalidAutoinc     = "invalid-autoincrement"
	ruleDefaultMismatch    = "default-type-mismatch"
	ruleFKMissingTarget    = "fk-missing-target"
	ruleFKTypeMismatch     = "fk-type-mismatch"
	ruleFKTargetNotUnique  = "fk-target-not-unique"
	ruleFKColumnCount      = "fk-column-count"
	ruleSetNullNotNullable = "set-null-not-nullable"
	ruleIndexUnknownColumn = "index-unknown-column"
	ruleUnknownColumn      = "unknown-column"
	ruleVersionColumnType  = "version-column-type"
	ruleUnknownModel       = "unknown-model"
	ruleMissingForeignKey  = "missing-foreign-key"
	ruleAmbiguousFKs       = "ambiguous-foreign-keys"
	ruleSecondaryInvalid   = "secondary-invalid"
	ruleBackPopulates      = "back-populates-mismatch"
	ruleKindMismatch       = "kind-mismatch"
	ruleUselistInvalid     = "uselist-invalid"
	ruleLazyInvalid        = "lazy-invalid"
	ruleDeleteOrphan       = "delete-orphan-invalid"
	ruleUnsafeSQL          = "unsafe-sql"
	ruleUnreviewedSQL      = "unreviewed-sql-function"
	ruleTooManyProblems    = "too-many-problems"
	ruleInternal           = "internal-error"
	ruleInvalidPrimaryKey  = "invalid-primary-key"
	ruleInvalidComputed    = "invalid-computed"
	ruleInvalidIndex       = "invalid-index"
	ruleUnknownTrait       = "unknown-trait"
	ruleDuplicateTrait     = "duplicate-trait"
	ruleTraitCycle         = "trait-cycle"
	ruleTraitClash         = "trait-clash"
	ruleInvalidTrait       = "invalid-trait"
	ruleInvalidInheritance = "invalid-inheritance"
	ruleInvalidExpression  = "invalid-expression"
)

var rules = []Rule{
	{ruleIO, spec.SeverityError, "a file or directory could not be read"},
	{ruleNoFiles, spec.SeverityError, "no *.yaml or *.yml file was found"},
	{ruleFileTooLarge, spec.SeverityError, "a file, or all files together, exceed a size cap or the YAML node budget (see Limits)"},
	{ruleInvalidUTF8, spec.SeverityError, "a file is not valid UTF-8"},
	{ruleYAMLSyntax, spec.SeverityError, "a file is not well-formed YAML"},
	{ruleDuplicateKey, spec.SeverityError, "a map states the same key twice"},
	{ruleTooDeep, spec.SeverityError, "YAML nesting is deeper than the cap (64 by default)"},
	{ruleAliasBudget, spec.SeverityError, "YAML aliases expand beyond the node budget (a \"billion laughs\" document)"},
	{ruleUnknownKey, spec.SeverityError, "a map holds a key the format does not define"},
	{ruleMissingKey, spec.SeverityError, "a required key is missing"},
	{ruleWrongType, spec.SeverityError, "a value has the wrong YAML type"},
	{ruleInvalidValue, spec.SeverityError, "a value is outside its allowed set or range"},
	{ruleInvalidIdentifier, spec.SeverityError, "a name is not letters, digits and _ (not starting with a digit), at most 63 bytes"},
	{ruleReservedWord, spec.SeverityWarning, "a table or column name is an SQL reserved word in a supported database"},
	{ruleUnknownType, spec.SeverityError, "a column names a type that is neither builtin nor an alias"},
	{ruleAliasCycle, spec.SeverityError, "type aliases refer to each other in a cycle"},
	{ruleDuplicateType, spec.SeverityError, "a type alias is defined twice or shadows a builtin type"},
	{ruleInvalidLength, spec.SeverityError, "length is given for a type that takes none"},
	{ruleInvalidPrecision, spec.SeverityError, "precision or scale is given for a type that takes none, or scale exceeds precision"},
	{ruleInvalidTypeOption, spec.SeverityError, "timezone, values or enum_name is given for a type that takes none"},
	{ruleInvalidEnum, spec.SeverityError, "an enum has no values or repeats one"},
	{ruleDuplicateModel, spec.SeverityError, "a model name is defined twice (across all files)"},
	{ruleDuplicateTable, spec.SeverityError, "a table name is used twice, ignoring case (across all files)"},
	{ruleDuplicateColumn, spec.SeverityError, "a table has two columns whose names differ only in case"},
	{ruleDuplicateName, spec.SeverityError, "two indexes or constraints of one table share a name, an enum type shares a name with a table or another enum, or a relationship shares a column's name"},
	{ruleMissingPrimaryKey, spec.SeverityError, "a model's table has no primary key"},
	{ruleNullablePrimaryKey, spec.SeverityError, "a primary key column is declared nullable"},
	{ruleInvalidAutoinc, spec.SeverityError, "autoincrement is set on a column that is not an integer primary key"},
	{ruleDefaultMismatch, spec.SeverityError, "a default does not fit its column's type"},
	{ruleFKMissingTarget, spec.SeverityError, "a foreign key names a missing table or column"},
	{ruleFKTypeMismatch, spec.SeverityError, "a foreign key column's type is incompatible with its target's"},
	{ruleFKTargetNotUnique, spec.SeverityError, "a foreign key targets columns that are neither the primary key nor unique"},
	{ruleFKColumnCount, spec.SeverityError, "a composite foreign key lists different numbers of local and referenced columns"},
	{ruleSetNullNotNullable, spec.SeverityError, "on_delete/on_update: set null on a column that is not nullable"},
	{ruleIndexUnknownColumn, spec.SeverityError, "an index or unique constraint names a missing column"},
	{ruleUnknownColumn, spec.SeverityError, "version_column, order_by, foreign_keys, remote_side or a table foreign key names a missing column"},
	{ruleVersionColumnType, spec.SeverityError, "version_column is not an integer column"},
	{ruleUnknownModel, spec.SeverityError, "a relationship targets, or inherits names, a missing model"},
	{ruleMissingForeignKey, spec.SeverityError, "no foreign key links a relationship's two tables"},
	{ruleAmbiguousFKs, spec.SeverityError, "several foreign keys link a relationship's tables and foreign_keys does not choose"},
	{ruleSecondaryInvalid, spec.SeverityError, "a secondary table is missing or does not link both sides"},
	{ruleBackPopulates, spec.SeverityError, "back_populates is missing on the other side, does not point back, or the two sides disagree"},
	{ruleKindMismatch, spec.SeverityError, "a relationship's stated kind disagrees with the one inferred from foreign keys"},
	{ruleUselistInvalid, spec.SeverityError, "uselist: true on a many-to-one relationship"},
	{ruleLazyInvalid, spec.SeverityError, "lazy: write_only on a scalar (to-one) relationship"},
	{ruleDeleteOrphan, spec.SeverityError, "cascade delete-orphan on a many-to-one or many-to-many relationship"},
	{ruleUnsafeSQL, spec.SeverityError, "a raw SQL expression (server_default sql, a check) holds a statement separator, a comment, or unbalanced parentheses or quotes"},
	{ruleUnreviewedSQL, spec.SeverityWarning, "a server_default sql calls a function outside the reviewed list (schema files are trusted code)"},
	{ruleTooManyProblems, spec.SeverityError, "more than 1,000 problems were found; the rest are counted, not listed (a warning if they all are)"},
	{ruleInternal, spec.SeverityError, "the loader failed unexpectedly (a bug; please report it)"},
	{ruleInvalidPrimaryKey, spec.SeverityError, "a table-level primary_key list names a missing column, repeats one, or disagrees with column-level primary_key flags"},
	{ruleInvalidComputed, spec.SeverityError, "a computed column is empty, or also has a default, autoincrement or primary key"},
	{ruleInvalidIndex, spec.SeverityError, "an index has an unknown kind, or a fulltext index is unique or covers a column that is not string or text"},
	{ruleUnknownTrait, spec.SeverityError, "a use: list names a trait that is neither builtin (timestamps, soft_delete) nor declared under traits:"},
	{ruleDuplicateTrait, spec.SeverityError, "a trait is defined twice (across all files) or shadows a builtin trait"},
	{ruleTraitCycle, spec.SeverityError, "traits use each other in a cycle"},
	{ruleTraitClash, spec.SeverityError, "a trait adds a column or relationship the model (or another of its traits) already defines"},
	{ruleInvalidTrait, spec.SeverityError, "a use: entry or a builtin trait's options are malformed (unknown set_by, bad column name, options on a declared trait)"},
	{ruleInvalidInheritance, spec.SeverityError, "inherits/polymorphic_on/polymorphic_identity misused: a cycle, a missing or duplicated identity, a discriminator that is not a string column, a column an inherited table already has, a joined sub-model whose primary key does not reference its parent's"},
	{ruleInvalidExpression, spec.SeverityError, "an expression attribute is malformed: not one aggregate (count, sum, avg, min, max), an unknown or non-collection relationship, sum/avg of a non-numeric column, a bad where, or a name that clashes with a column or relationship"},
}

// Rules returns every rule the loader can report, in a fixed order.
func Rules() []Rule { return append([]Rule(nil), rules...) }

var ruleSeverity = func() map[string]spec.Severity {
	m := make(map[string]spec.Severity, len(rules))
	for _, r := range rules {
		m[r.Code] = r.Severity
	}
	return m
}()

// maxDiagnostics is the most diagnostics one load reports; the rest are
// counted and summed up in one too-many-problems diagnostic, so that a file
// with a million wrong values costs neither minutes nor gigabytes.
const maxDiagnostics = 1000

// diags collects diagnostics during one load.
type diags struct {
	list spec.Diagnostics
	// dropped counts the diagnostics left out over maxDiagnostics; first
	// is where the first of them was, worst their highest severity.
	dropped int
	first   spec.Range
	worst   spec.Severity
}

// full reports whether the list is full, counting the diagnostic of rule at
// r (computed only for the first one left out) as dropped if it is.
func (d *diags) full(rule string, r func() spec.Range) bool {
	if len(d.list) < maxDiagnostics {
		return false
	}
	if d.dropped == 0 {
		d.first, d.worst = r(), severityOf(rule)
	}
	d.dropped++
	d.worst = min(d.worst, severityOf(rule))
	return true
}

// merge appends o's diagnostics and dropped count to d.
func (d *diags) merge(o *diags) {
	for _, x := range o.list {
		if !d.full(x.Rule, func() spec.Range { return x.Subject }) {
			d.list = append(d.list, x)
		}
	}
	if o.dropped > 0 {
		if d.dropped == 0 {
			d.first, d.worst = o.first, o.worst
		}
		d.dropped += o.dropped
		d.worst = min(d.worst, o.worst)
	}
}

// sorted returns the diagnostics sorted, with one too-many-problems
// diagnostic at the end when some were left out.
func (d *diags) sorted() spec.Diagnostics {
	out := d.list.Sort()
	if d.dropped > 0 {
		out = append(out, spec.Diagnostic{
			Severity: d.worst,
			Rule:     ruleTooManyProblems,
			Summary: fmt.Sprintf("%d more problems are not listed (the loader reports at most %d); the first is here",
				d.dropped, maxDiagnostics),
			Subject: d.first,
		})
	}
	return out
}

func severityOf(rule string) spec.Severity {
	if s, ok := ruleSeverity[rule]; ok {
		return s
	}
	return spec.SeverityError
}

// addAt records a diagnostic at an explicit range.
func (d *diags) addAt(r spec.Range, path, rule, format string, args ...any) {
	if d.full(rule, func() spec.Range { return r }) {
		return
	}
	d.list = append(d.list, spec.Diagnostic{
		Severity: severityOf(rule),
		Rule:     rule,
		Summary:  fmt.Sprintf(format, args...),
		Path:     path,
		Subject:  r,
	})
}

// report records a diagnostic about node n, with an optional detail.
func (d *diags) report(n *node, rule, detail, format string, args ...any) {
	if d.full(rule, n.rng) {
		return
	}
	d.list = append(d.list, spec.Diagnostic{
		Severity: severityOf(rule),
		Rule:     rule,
		Summary:  fmt.Sprintf(format, args...),
		Detail:   detail,
		Path:     n.pointer(),
		Subject:  n.rng(),
	})
}
