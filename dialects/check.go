package dialects

import "github.com/dlayer/dlayer/spec"

// SchemaChecker is implemented by dialects that cannot create every valid
// schema exactly. CheckSchema reports, located at the YAML node concerned,
// each part of s the dialect refuses (errors: DDL for it would fail or lose
// data) or approximates (warnings: DDL works, but something is not kept as
// written). A schema inspected from a database of the same dialect must
// check clean.
type SchemaChecker interface {
	CheckSchema(s *spec.Schema) spec.Diagnostics
}

// CheckSchema returns what d reports of s, sorted; nil when d checks nothing.
func CheckSchema(d Dialect, s *spec.Schema) spec.Diagnostics {
	c, ok := d.(SchemaChecker)
	if !ok || s == nil {
		return nil
	}
	return c.CheckSchema(s).Sort()
}

// SchemaCheck is one dialect rule over a whole schema, for dialects that
// build their CheckSchema from a list of rules.
type SchemaCheck func(s *spec.Schema) spec.Diagnostics

// RunChecks runs each check on s and gathers what they report.
func RunChecks(s *spec.Schema, checks ...SchemaCheck) spec.Diagnostics {
	if s == nil {
		return nil
	}
	var ds spec.Diagnostics
	for _, c := range checks {
		if c != nil {
			ds = append(ds, c(s)...)
		}
	}
	return ds
}
