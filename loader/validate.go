package loader

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dlayer/dlayer/schemas"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// checkSchema validates one document against the JSON Schema and reports
// each failing leaf at the YAML node it is about. additionalProperties
// failures are left to the decoder, which reports each unknown key at the
// key itself with a suggestion.
func checkSchema(doc *node, ds *diags) {
	s, err := schemas.Compiled()
	if err != nil {
		ds.report(doc, ruleInternal, "", "%v", err)
		return
	}
	err = validateSafely(s, doc.json())
	if err == nil {
		return
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		ds.report(doc, ruleInternal, "", "JSON Schema check: %v", err)
		return
	}
	for _, leaf := range leaves(ve, nil) {
		kw := leaf.KeywordLocation
		if i := strings.LastIndexByte(kw, '/'); i >= 0 {
			kw = kw[i+1:]
		}
		n := doc.resolve(leaf.InstanceLocation)
		rule := ruleInvalidValue
		msg := leaf.Message
		switch {
		case kw == "additionalProperties":
			continue
		case kw == "type":
			rule = ruleWrongType
		case strings.Contains(leaf.KeywordLocation, "/propertyNames"):
			n = n.keyNode()
			rule = ruleInvalidIdentifier
			msg = fmt.Sprintf("invalid name %q: %s", n.value, identifierRule)
		case isIdentifierRule(kw, leaf.Message) && !strings.HasSuffix(parentPointer(leaf.InstanceLocation), "/values"):
			rule = ruleInvalidIdentifier
			msg = fmt.Sprintf("invalid name %q: %s", n.value, identifierRule)
		case kw == "required":
			rule = ruleMissingKey
		}
		ds.report(n, rule, "", "%s", msg)
	}
}

const identifierRule = "use letters, digits and _, not starting with a digit, at most 63 bytes"

func validateSafely(s *jsonschema.Schema, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return s.Validate(v)
}

// leaves returns the innermost errors of a validation error tree.
func leaves(ve *jsonschema.ValidationError, out []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return append(out, ve)
	}
	for _, c := range ve.Causes {
		out = leaves(c, out)
	}
	return out
}

// identPattern is the identifier pattern of the JSON Schema. Definitions
// are inlined before compiling (see package schemas), so identifier checks
// are recognised by their pattern and length limit, not their location.
const identPattern = "^[A-Za-z_][A-Za-z0-9_]*$"

func isIdentifierRule(kw, msg string) bool {
	return kw == "pattern" && strings.Contains(msg, identPattern) || kw == "maxLength" && strings.Contains(msg, "<= 63")
}

func parentPointer(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}
