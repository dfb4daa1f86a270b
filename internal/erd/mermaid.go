package erd

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Mermaid writes d as a Mermaid erDiagram. Entities are named by table
// and labelled by model; attribute types use only the characters
// Mermaid's grammar takes (decimal(10,2) is written decimal(10-2)); a
// nullable column says "nullable" in its comment, a foreign key names its
// target there.
func (d *Diagram) Mermaid(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "erDiagram")
	for _, t := range d.Tables {
		label := t.Name
		if t.Model != nil && t.Model.Name != t.Name {
			label = t.Model.Name + " (" + t.Name + ")"
		}
		fmt.Fprintf(bw, "    %s[%s] {\n", t.Name, mermaidString(label))
		for _, c := range t.Columns {
			line := "        " + mermaidType(TypeName(c.Type)) + " " + c.Name
			if ks := Keys(c); len(ks) > 0 {
				line += " " + strings.Join(ks, ", ")
			}
			var notes []string
			if c.Nullable {
				notes = append(notes, "nullable")
			}
			if ref := fkTarget(c); ref != "" {
				notes = append(notes, "references "+ref)
			}
			if len(notes) > 0 {
				line += " " + mermaidString(strings.Join(notes, ", "))
			}
			fmt.Fprintln(bw, line)
		}
		fmt.Fprintln(bw, "    }")
	}
	for _, e := range d.Edges {
		left := "||"
		if e.ParentOptional {
			left = "|o"
		}
		right := "o{"
		if e.OneToOne {
			right = "o|"
		}
		fmt.Fprintf(bw, "    %s %s--%s %s : %s\n", e.Parent.Name, left, right, e.Child.Name, mermaidString(e.Label))
	}
	for _, m := range d.ManyToMany {
		fmt.Fprintf(bw, "    %s }o..o{ %s : %s\n", m.A.Name, m.B.Name, mermaidString(m.Label+" (via "+m.Secondary.Name+")"))
	}
	return bw.Flush()
}

// mermaidString quotes s for a label or comment: Mermaid strings cannot
// hold a double quote.
func mermaidString(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "'") + `"`
}

// mermaidType keeps what Mermaid's attribute-type token takes: letters,
// digits, _, -, (), [].
func mermaidType(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '(', r == ')', r == '[', r == ']', r == '-':
			b.WriteRune(r)
		case r == ',':
			b.WriteByte('-')
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z' || s[0] == '_') {
		return "t_" + b.String()
	}
	return b.String()
}
