package lsp

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/dlayer/dlayer/schemas"
)

// The server reads key and value documentation from the JSON Schema that
// editors and the loader use (schemas/dlayer.schema.json), generically:
// description / markdownDescription of a property (or of the definition it
// refers to), and enum values with enumDescriptions /
// markdownEnumDescriptions. Better descriptions in the schema are better
// completions and hovers here, with no change to this package.

type jnode = map[string]any

var rootSchema = sync.OnceValues(func() (jnode, error) {
	var root jnode
	if err := json.Unmarshal(schemas.JSON, &root); err != nil {
		return nil, fmt.Errorf("read the JSON Schema: %w", err)
	}
	return root, nil
})

// schemaAt returns the schema nodes that may describe the value at path
// (keys from the document root; "[]" for a list item), each expanded
// through $ref, allOf, anyOf and oneOf.
func schemaAt(path []string) []jnode {
	root, err := rootSchema()
	if err != nil {
		return nil
	}
	cands := expand(root, root, 0)
	for _, seg := range path {
		var next []jnode
		for _, c := range cands {
			for _, n := range stepInto(c, seg) {
				next = append(next, expand(root, n, 0)...)
			}
		}
		cands = next
		if len(cands) == 0 {
			break
		}
	}
	return cands
}

// expand returns n, the definition its $ref names (with n's own keywords
// laid over it) and the branches of its combinators, recursively.
func expand(root, n jnode, depth int) []jnode {
	if n == nil || depth > 16 {
		return nil
	}
	if ref, ok := n["$ref"].(string); ok {
		if target := lookupRef(root, ref); target != nil {
			merged := jnode{}
			for k, v := range target {
				merged[k] = v
			}
			for k, v := range n {
				if k != "$ref" {
					merged[k] = v
				}
			}
			n = merged
		}
	}
	out := []jnode{n}
	for _, kw := range []string{"allOf", "anyOf", "oneOf"} {
		if list, ok := n[kw].([]any); ok {
			for _, b := range list {
				if bn, ok := b.(jnode); ok {
					out = append(out, expand(root, bn, depth+1)...)
				}
			}
		}
	}
	return out
}

func lookupRef(root jnode, ref string) jnode {
	p, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var cur any = root
	for _, seg := range strings.Split(p, "/") {
		m, ok := cur.(jnode)
		if !ok {
			return nil
		}
		cur = m[strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")]
	}
	m, _ := cur.(jnode)
	return m
}

func stepInto(n jnode, seg string) []jnode {
	if seg == "[]" {
		switch it := n["items"].(type) {
		case jnode:
			return []jnode{it}
		case []any:
			var out []jnode
			for _, e := range it {
				if en, ok := e.(jnode); ok {
					out = append(out, en)
				}
			}
			return out
		}
		return nil
	}
	if props, ok := n["properties"].(jnode); ok {
		if p, ok := props[seg].(jnode); ok {
			return []jnode{p}
		}
	}
	if pp, ok := n["patternProperties"].(jnode); ok {
		for pat, v := range pp {
			if re, err := regexp.Compile(pat); err == nil && re.MatchString(seg) {
				if vn, ok := v.(jnode); ok {
					return []jnode{vn}
				}
			}
		}
	}
	if ap, ok := n["additionalProperties"].(jnode); ok {
		return []jnode{ap}
	}
	return nil
}

// docOf returns the documentation of a schema node: markdownDescription,
// else description, of the node or what it refers to.
func docOf(cands []jnode) string {
	for _, kw := range []string{"markdownDescription", "description"} {
		for _, c := range cands {
			if s, ok := c[kw].(string); ok && s != "" {
				return s
			}
		}
	}
	return ""
}

// propDoc is one key a map may hold, with its documentation.
type propDoc struct {
	name string
	doc  string
}

// properties returns the keys the schema nodes define: the required ones
// first, each group sorted.
func properties(cands []jnode) []propDoc {
	root, _ := rootSchema()
	seen := map[string]string{}
	required := map[string]bool{}
	for _, c := range cands {
		for _, r := range stringList(c["required"]) {
			required[r] = true
		}
		props, ok := c["properties"].(jnode)
		if !ok {
			continue
		}
		for k, v := range props {
			vn, _ := v.(jnode)
			if d := docOf(expand(root, vn, 0)); d != "" || seen[k] == "" {
				seen[k] = d
			}
		}
	}
	out := make([]propDoc, 0, len(seen))
	for k, d := range seen {
		out = append(out, propDoc{k, d})
	}
	sort.Slice(out, func(i, j int) bool {
		if required[out[i].name] != required[out[j].name] {
			return required[out[i].name]
		}
		return out[i].name < out[j].name
	})
	return out
}

// enumValue is one value a scalar may take, with its documentation.
type enumValue struct {
	value string
	doc   string
}

// enumValues returns the values the schema nodes allow (enum, const), with
// per-value documentation, then booleans for boolean nodes, in schema order.
// withItems adds the values of list items, for a key that takes a value or
// a list of them (cascade).
func enumValues(cands []jnode, withItems bool) []enumValue {
	root, _ := rootSchema()
	var out []enumValue
	seen := map[string]bool{}
	addNode := func(c jnode) {
		docs := stringList(c["markdownEnumDescriptions"])
		if docs == nil {
			docs = stringList(c["enumDescriptions"])
		}
		if list, ok := c["enum"].([]any); ok {
			for i, v := range list {
				s := scalarText(v)
				if s == "" || seen[s] {
					continue
				}
				seen[s] = true
				d := ""
				if i < len(docs) {
					d = docs[i]
				}
				out = append(out, enumValue{s, d})
			}
		}
		if v, ok := c["const"]; ok {
			if s := scalarText(v); s != "" && !seen[s] {
				seen[s] = true
				out = append(out, enumValue{s, docOf([]jnode{c})})
			}
		}
	}
	all := cands
	if withItems {
		for _, c := range cands {
			for _, it := range stepInto(c, "[]") {
				all = append(all, expand(root, it, 0)...)
			}
		}
	}
	for _, c := range all {
		addNode(c)
	}
	for _, c := range cands {
		if hasType(c, "boolean") {
			for _, b := range []string{"true", "false"} {
				if !seen[b] {
					seen[b] = true
					out = append(out, enumValue{b, ""})
				}
			}
		}
	}
	return out
}

// valueDoc returns the documentation of one value of the schema nodes.
func valueDoc(cands []jnode, value string) string {
	for _, v := range enumValues(cands, true) {
		if v.value == value {
			return v.doc
		}
	}
	return ""
}

func hasType(c jnode, name string) bool {
	switch t := c["type"].(type) {
	case string:
		return t == name
	case []any:
		for _, e := range t {
			if e == name {
				return true
			}
		}
	}
	return false
}

func stringList(v any) []string {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]string, len(list))
	for i, e := range list {
		out[i], _ = e.(string)
	}
	return out
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool, float64:
		return fmt.Sprint(x)
	}
	return ""
}
