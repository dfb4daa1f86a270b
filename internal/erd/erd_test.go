package erd

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/dlayer/dlayer/loader"
	"github.com/dlayer/dlayer/spec"
)

func load(t *testing.T, dir string) *spec.Schema {
	t.Helper()
	sch, ds := loader.LoadDir(dir)
	if ds.HasErrors() {
		t.Fatalf("%s: %v", dir, ds)
	}
	return sch
}

func edgeStrings(d *Diagram) []string {
	var out []string
	for _, e := range d.Edges {
		card := "1:N"
		if e.OneToOne {
			card = "1:1"
		}
		opt := ""
		if e.ParentOptional {
			opt = " optional"
		}
		out = append(out, fmt.Sprintf("%s->%s %s%s [%s]", e.Parent.Name, e.Child.Name, card, opt, e.Label))
	}
	for _, m := range d.ManyToMany {
		out = append(out, fmt.Sprintf("%s<->%s M:N via %s [%s]", m.A.Name, m.B.Name, m.Secondary.Name, m.Label))
	}
	sort.Strings(out)
	return out
}

func TestBlogEdges(t *testing.T) {
	d, err := New(load(t, "../../examples/blog/models"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"posts->post_tags 1:N [post_id]",
		"posts<->tags M:N via post_tags [tags / posts]",
		"tags->post_tags 1:N [tag_id]",
		"users->posts 1:N [posts / author]",
	}
	if got := edgeStrings(d); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(d.Tables) != 4 || d.Tables[3].Name != "post_tags" {
		t.Fatalf("tables: models first, then plain tables: %v", d.Tables)
	}
}

func TestShopCardinalities(t *testing.T) {
	sch := load(t, "../../cmd/dlayer/testdata/erd20")
	if len(sch.Tables) < 20 {
		t.Fatalf("the 20-table schema has %d tables", len(sch.Tables))
	}
	d, err := New(sch, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(edgeStrings(d), "\n")
	for _, want := range []string{
		"customers->customer_profiles 1:1 [profile / customer]", // unique foreign key
		"orders->shipments 1:1 [order_id]",
		"addresses->orders 1:N optional [address_id]",             // nullable foreign key
		"categories->categories 1:N optional [children / parent]", // self-reference
		"employees->employees 1:N optional [manager]",
		"carts->cart_items 1:N [items / cart]", // part of a composite key: many
		"categories<->products M:N via product_categories [products / categories]",
		"orders<->coupons M:N via order_coupons [coupons]", // one-sided
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

func TestModelsFilter(t *testing.T) {
	sch := load(t, "../../examples/blog/models")
	tests := []struct {
		name   string
		models []string
		tables string
		err    string
	}{
		{name: "one model", models: []string{"User"}, tables: "users"},
		{name: "many-to-many brings its association table", models: []string{"Post", "Tag"}, tables: "posts tags post_tags"},
		{name: "a table by name", models: []string{"post_tags"}, tables: "post_tags"},
		{name: "unknown", models: []string{"Usr"}, err: `no model or table "Usr" (models: Post, Tag, User)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := New(sch, tt.models)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, t := range d.Tables {
				names = append(names, t.Name)
			}
			if strings.Join(names, " ") != tt.tables {
				t.Fatalf("tables %v, want %s", names, tt.tables)
			}
			if tt.name == "one model" && len(d.Edges) != 0 {
				t.Fatalf("edges to tables not drawn: %v", edgeStrings(d))
			}
		})
	}
	if _, err := New(nil, nil); err == nil {
		t.Fatal("nil schema: no error")
	}
}

func TestTypeNamesAndKeys(t *testing.T) {
	sch := load(t, "../../cmd/dlayer/testdata/erd20")
	tests := []struct{ table, column, typ, keys string }{
		{"products", "price", "decimal(12,2)", ""},
		{"orders", "placed_at", "timestamptz", ""},
		{"orders", "number", "uuid", "UK"},
		{"customer_profiles", "customer_id", "bigint", "FK UK"},
		{"inventory", "product_id", "bigint", "PK FK"},
		{"addresses", "country", "string(2)", ""},
		{"reviews", "customer_id", "bigint", "FK UK"},
	}
	for _, tt := range tests {
		c := sch.Table(tt.table).Column(tt.column)
		if got := TypeName(c.Type); got != tt.typ {
			t.Errorf("%s.%s type %q, want %q", tt.table, tt.column, got, tt.typ)
		}
		if got := strings.Join(Keys(c), " "); got != tt.keys {
			t.Errorf("%s.%s keys %q, want %q", tt.table, tt.column, got, tt.keys)
		}
	}
	if got := mermaidType("decimal(12,2)"); got != "decimal(12-2)" {
		t.Errorf("mermaidType = %q", got)
	}
	if got := mermaidType("timestamp with time zone"); got != "timestamp_with_time_zone" {
		t.Errorf("mermaidType = %q", got)
	}
}

func TestOutputsAreDeterministic(t *testing.T) {
	sch := load(t, "../../cmd/dlayer/testdata/erd20")
	var first [2]string
	for i := 0; i < 3; i++ {
		d, _ := New(sch, nil)
		var m, g bytes.Buffer
		if err := d.Mermaid(&m); err != nil {
			t.Fatal(err)
		}
		if err := d.DOT(&g); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = [2]string{m.String(), g.String()}
		} else if m.String() != first[0] || g.String() != first[1] {
			t.Fatal("output differs between runs")
		}
	}
	for _, want := range []string{
		`customers ||--o| customer_profiles : "profile / customer"`,
		`addresses |o--o{ orders : "address_id"`,
		`categories |o--o{ categories : "children / parent"`,
		`products }o..o{ suppliers : "suppliers / products (via product_suppliers)"`,
		`decimal(12-2) price`,
		`timestamptz paid_at "nullable"`,
		`bigint customer_id FK, UK "references customers.id"`,
	} {
		if !strings.Contains(first[0], want) {
			t.Errorf("mermaid lacks %q", want)
		}
	}
	for _, want := range []string{
		`"customers":"c_id":e -> "customer_profiles":"c_customer_id_w":w [dir=both, arrowtail=teetee, arrowhead=teeodot`,
		`"addresses":"c_id":e -> "orders":"c_address_id_w":w [dir=both, arrowtail=teeodot, arrowhead=crowodot`,
		`"categories":e -> "categories":e`,
		`style=dashed`,
	} {
		if !strings.Contains(first[1], want) {
			t.Errorf("dot lacks %q", want)
		}
	}
}
