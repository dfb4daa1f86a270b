package sqlite

import (
	"fmt"

	"github.com/dlayer/dlayer/internal/conv"
	"github.com/dlayer/dlayer/spec"
)

// RuleDecimalPrecision is the rule code of a decimal column that may hold
// more significant digits than SQLite keeps exactly.
const RuleDecimalPrecision = "dialect-decimal-precision"

// checkDecimals warns about decimal columns whose values SQLite may round:
// it stores a decimal as an INTEGER when it is whole (exact within int64)
// and otherwise as a REAL, exact to 15 significant digits.
func checkDecimals(s *spec.Schema) spec.Diagnostics {
	var ds spec.Diagnostics
	for _, t := range s.Tables {
		if t == nil {
			continue
		}
		for _, c := range t.Columns {
			if c == nil || c.Type.Kind != spec.TypeDecimal || c.Type.Precision > 0 && c.Type.Precision <= conv.FloatDigits {
				continue
			}
			what := fmt.Sprintf("decimal(%d,%d) holds up to %d significant digits", c.Type.Precision, c.Type.Scale, c.Type.Precision)
			if c.Type.Precision == 0 {
				what = "a decimal without a precision holds any number of digits"
			}
			ds = append(ds, spec.Diagnostic{
				Severity: spec.SeverityWarning,
				Rule:     RuleDecimalPrecision,
				Summary: fmt.Sprintf("column %s.%s: %s; SQLite keeps %d exactly (whole numbers: up to 19), and rounds longer values to %d",
					t.Name, c.Name, what, conv.FloatDigits, conv.FloatDigits),
				Detail:  fmt.Sprintf("give the column a precision of at most %d to be exact on SQLite", conv.FloatDigits),
				Subject: c.Range,
			})
		}
	}
	return ds
}
