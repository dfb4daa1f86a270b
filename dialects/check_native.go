package dialects

import (
	"fmt"

	"github.com/dlayer/dlayer/spec"
)

// The rules of CheckNative, CheckNoArrays and CheckNoPartitions.
const (
	RuleNativeType = "dialect-native-type"
	RuleArrayType  = "dialect-array-type"
	RulePartition  = "dialect-partition"
	RuleMatView    = "dialect-materialized-view"
)

// DomainMaker is implemented by dialects that create domains (PostgreSQL
// CREATE DOMAIN for type aliases with domain: true).
type DomainMaker interface {
	// CreateDomainsSQL returns the statements that create each named
	// domain alias of s unless a domain of that name exists; nil where the
	// dialect makes no domains.
	CreateDomainsSQL(s *spec.Schema, names []string) ([]string, error)
}

// CheckNative returns the rule refusing native columns (type: native) that
// name no type for the dialect name ("postgres", "mysql", "sqlite").
func CheckNative(name string) SchemaCheck {
	return func(s *spec.Schema) spec.Diagnostics {
		var ds spec.Diagnostics
		for _, t := range s.Tables {
			for _, c := range t.Columns {
				if c.Type.Kind == spec.TypeNative && c.Type.Native[name] == "" {
					ds = append(ds, spec.Diagnostic{Severity: spec.SeverityError, Rule: RuleNativeType, Subject: c.Range,
						Summary: fmt.Sprintf("column %s.%s has native type %s with no %s equivalent", t.Name, c.Name, nativeList(c.Type.Native), name),
						Detail:  fmt.Sprintf("add native: {%s: <type>} to the column, or give it a dlayer type", name)})
				}
			}
		}
		return ds
	}
}

func nativeList(m map[string]string) string {
	out := ""
	for _, d := range []string{"postgres", "mysql", "sqlite"} {
		if v, ok := m[d]; ok {
			if out != "" {
				out += ", "
			}
			out += d + ": " + v
		}
	}
	return "{" + out + "}"
}

// CheckNoArrays returns the rule refusing array columns on the dialect
// name, which has no array type.
func CheckNoArrays(name string) SchemaCheck {
	return func(s *spec.Schema) spec.Diagnostics {
		var ds spec.Diagnostics
		for _, t := range s.Tables {
			for _, c := range t.Columns {
				if c.Type.Kind == spec.TypeArray {
					ds = append(ds, spec.Diagnostic{Severity: spec.SeverityError, Rule: RuleArrayType, Subject: c.Range,
						Summary: fmt.Sprintf("column %s.%s is an array; %s has no array type", t.Name, c.Name, name),
						Detail:  "store it as json, or in a child table"})
				}
			}
		}
		return ds
	}
}

// CheckNoMaterializedViews returns the rule refusing materialized views on
// the dialect name, which has none.
func CheckNoMaterializedViews(name string) SchemaCheck {
	return func(s *spec.Schema) spec.Diagnostics {
		var ds spec.Diagnostics
		for _, t := range s.Tables {
			if t.View != nil && t.View.Materialized {
				ds = append(ds, spec.Diagnostic{Severity: spec.SeverityError, Rule: RuleMatView, Subject: t.View.Range,
					Summary: fmt.Sprintf("%s is a materialized view; %s has none", t.Name, name),
					Detail:  "remove materialized: true to create a plain view, or keep a table refreshed by the application"})
			}
		}
		return ds
	}
}

// CheckNoPartitions returns the rule refusing partitioned tables on the
// dialect name, whose partitioning dlayer does not write.
func CheckNoPartitions(name string) SchemaCheck {
	return func(s *spec.Schema) spec.Diagnostics {
		var ds spec.Diagnostics
		for _, t := range s.Tables {
			if t.Partition != nil {
				ds = append(ds, spec.Diagnostic{Severity: spec.SeverityError, Rule: RulePartition, Subject: t.Partition.Range,
					Summary: fmt.Sprintf("table %s is partitioned (%s); dlayer writes partitions for postgres only", t.Name, t.Partition.By),
					Detail:  "remove partition: to create it as one plain table"})
			}
		}
		return ds
	}
}
