package erd

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/dlayer/dlayer/spec"
)

// Colours and fonts of the DOT output.
const (
	fontName     = "Helvetica,Arial,sans-serif"
	modelHeader  = "#2b5c8a" // a model's table
	plainHeader  = "#5f6b7a" // a plain (association) table
	rowFill      = "#ffffff"
	rowFillAlt   = "#f3f6f9"
	borderColour = "#9aa8b8"
	edgeColour   = "#4a5568"
	m2mColour    = "#8a5a9e"
	keyColour    = "#b7791f"
	muted        = "#6b7785"
)

// DOT writes d as a Graphviz graph: one HTML-like table per entity (a
// coloured header with the model and table name, then a row per column:
// key marks, name, type, nullability), foreign keys as crow's-foot edges
// from the key column to the referenced column, many-to-many relationships
// as dashed edges.
func (d *Diagram) DOT(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "digraph erd {")
	fmt.Fprintf(bw, "  graph [rankdir=LR, splines=spline, nodesep=0.6, ranksep=1.1, pad=0.3, bgcolor=\"white\", fontname=%q];\n", fontName)
	fmt.Fprintf(bw, "  node [shape=plain, fontname=%q, fontsize=11];\n", fontName)
	fmt.Fprintf(bw, "  edge [fontname=%q, fontsize=9, color=%q, fontcolor=%q, penwidth=1.2, arrowsize=0.9];\n", fontName, edgeColour, edgeColour)
	for _, t := range d.Tables {
		fmt.Fprintf(bw, "  %s [label=<%s>];\n", dotID(t.Name), tableLabel(t))
	}
	for _, e := range d.Edges {
		// Drawn from the parent to the child, so the layout puts parents
		// on the left: the tail mark is the parent side, the head the child.
		tail := "teetee"
		if e.ParentOptional {
			tail = "teeodot"
		}
		head := "crowodot"
		if e.OneToOne {
			head = "teeodot"
		}
		from, to := port(e.Parent.Name, e.FK.RefColumns, "", "e"), port(e.Child.Name, e.FK.Columns, "_w", "w")
		extra := ""
		if e.Parent == e.Child {
			// A self-reference: a loop on the table's right-hand side.
			from, to = dotID(e.Parent.Name)+":e", dotID(e.Child.Name)+":e"
		}
		fmt.Fprintf(bw, "  %s -> %s [dir=both, arrowtail=%s, arrowhead=%s, label=%s%s];\n",
			from, to, tail, head, dotString(" "+e.Label+" "), extra)
	}
	for _, m := range d.ManyToMany {
		fmt.Fprintf(bw, "  %s -> %s [dir=both, arrowtail=crowodot, arrowhead=crowodot, style=dashed, color=%q, fontcolor=%q, constraint=false, label=%s];\n",
			dotID(m.A.Name), dotID(m.B.Name), m2mColour, m2mColour, dotString(" "+m.Label+"\nvia "+m.Secondary.Name+" "))
	}
	fmt.Fprintln(bw, "}")
	return bw.Flush()
}

// port is the node:port of a key's first column, on its west side for the
// child and east side for the parent (rankdir=LR).
func port(table string, cols []*spec.Column, suffix, side string) string {
	if len(cols) == 0 {
		return dotID(table)
	}
	return dotID(table) + ":" + dotID("c_"+cols[0].Name+suffix) + ":" + side
}

func tableLabel(t *spec.Table) string {
	var b strings.Builder
	header := modelHeader
	if t.Model == nil {
		header = plainHeader
	}
	fmt.Fprintf(&b, `<table border="1" cellborder="0" cellspacing="0" cellpadding="5" color="%s" bgcolor="%s">`, borderColour, rowFill)
	sub := ""
	if t.Model != nil && t.Model.Name != t.Name {
		sub = fmt.Sprintf(`<br/><font point-size="9" color="#dfe8f1">%s</font>`, html.EscapeString(t.Name))
	}
	if t.View != nil {
		sub += `<font point-size="9" color="#dfe8f1"> (view)</font>`
	}
	fmt.Fprintf(&b, `<tr><td colspan="3" bgcolor="%s" cellpadding="7"><font color="white" point-size="13"><b>%s</b></font>%s</td></tr>`,
		header, html.EscapeString(title(t)), sub)
	for i, c := range t.Columns {
		fill := rowFill
		if i%2 == 1 {
			fill = rowFillAlt
		}
		keys := strings.Join(Keys(c), " ")
		name := html.EscapeString(c.Name)
		if c.PrimaryKey {
			name = "<b>" + name + "</b>"
		}
		if keys != "" {
			keys = fmt.Sprintf(`<font color="%s" point-size="9"><b>%s</b></font>`, keyColour, keys)
		}
		typ := html.EscapeString(TypeName(c.Type))
		if c.Nullable {
			typ += "?"
		}
		typ = fmt.Sprintf(`<font color="%s">%s</font>`, muted, typ)
		fmt.Fprintf(&b, `<tr><td bgcolor="%s" align="left" port="%s">%s</td><td bgcolor="%s" align="left">%s</td><td bgcolor="%s" align="left" port="%s">%s</td></tr>`,
			fill, "c_"+c.Name+"_w", keys, fill, name, fill, "c_"+c.Name, typ)
	}
	b.WriteString("</table>")
	return b.String()
}

// dotID quotes an identifier for DOT.
func dotID(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// dotString quotes a label for DOT; "\n" becomes a centred line break.
func dotString(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	return `"` + strings.ReplaceAll(s, "\n", `\n`) + `"`
}
