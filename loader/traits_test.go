package loader

import (
	"strings"
	"testing"

	"github.com/dlayer/dlayer/spec"
)

const traitsYAML = `
traits:
  audited:
    use: [timestamps]
    columns:
      edited_by: {type: string, length: 50, nullable: true}
    indexes:
      - {columns: [edited_by]}
  owned:
    columns:
      owner_id: {type: integer, foreign_key: users.id}
    relationships:
      owner: {target: User}
models:
  User:
    table: users
    columns:
      id: {type: integer, primary_key: true}
      name: string
  Doc:
    table: docs
    use: [audited, {soft_delete: {column: removed_at}}, owned]
    columns:
      id: {type: integer, primary_key: true}
      slug: {type: string, length: 40, unique: true}
    unique:
      - [owner_id, slug]
  Note:
    table: notes
    use: [{timestamps: {created: made, updated: changed, set_by: both, timezone: true}}, {soft_delete: {partial_unique: false}}]
    columns:
      id: {type: integer, primary_key: true}
      code: {type: string, length: 10, unique: true}
`

func TestTraitsExpand(t *testing.T) {
	s, ds := loadString(t, traitsYAML)
	if ds.HasErrors() {
		t.Fatalf("diagnostics:\n%s", ds.Error())
	}
	doc := s.Model("Doc")
	if got := strings.Join(names(doc.Table.Columns), ","); got != "id,slug,created_at,updated_at,edited_by,removed_at,owner_id" {
		t.Errorf("docs columns = %s", got)
	}
	if got := strings.Join(doc.Traits, ","); got != "timestamps,audited,soft_delete,owned" {
		t.Errorf("traits = %s", got)
	}
	if doc.SoftDelete == nil || doc.SoftDelete.Name != "removed_at" || !doc.SoftDelete.Nullable {
		t.Errorf("soft delete column = %+v", doc.SoftDelete)
	}
	ca, ua := doc.Table.Column("created_at"), doc.Table.Column("updated_at")
	if ca.InsertDefault == nil || ca.InsertDefault.Kind != spec.DefaultNow || ca.OnUpdate != nil || ca.ServerDefault != nil {
		t.Errorf("created_at = %+v", ca)
	}
	if ua.OnUpdate == nil || ua.OnUpdate.Kind != spec.DefaultNow {
		t.Errorf("updated_at = %+v", ua)
	}
	if r := doc.Relationship("owner"); r == nil || r.Target == nil || r.Target.Name != "User" {
		t.Errorf("owner relationship = %+v", r)
	}
	// Unique keys became partial unique indexes; the plain index stayed.
	if len(doc.Table.Uniques) != 0 {
		t.Errorf("uniques left: %+v", doc.Table.Uniques)
	}
	var got []string
	for _, ix := range doc.Table.Indexes {
		w := ""
		if ix.WhereNull != nil {
			w = " where " + ix.WhereNull.Name
		}
		got = append(got, ix.Name+"("+strings.Join(names(ix.Columns), ",")+")"+map[bool]string{true: " unique"}[ix.Unique]+w)
	}
	want := "ix_docs_edited_by(edited_by),ux_docs_owner_id_slug(owner_id,slug) unique where removed_at,ux_docs_slug(slug) unique where removed_at"
	if strings.Join(sortedCopy(got), ",") != want {
		t.Errorf("indexes = %v\nwant %s", sortedCopy(got), want)
	}
	note := s.Model("Note")
	if note.SoftDelete == nil || note.SoftDelete.Name != "deleted_at" {
		t.Errorf("note soft delete = %+v", note.SoftDelete)
	}
	if len(note.Table.Uniques) != 1 {
		t.Errorf("partial_unique: false must keep the unique constraint: %+v", note.Table.Uniques)
	}
	made := note.Table.Column("made")
	if made == nil || made.ServerDefault == nil || made.InsertDefault == nil || !made.Type.Timezone {
		t.Errorf("made = %+v", made)
	}
	if ch := note.Table.Column("changed"); ch == nil || ch.ServerOnUpdate == nil || ch.OnUpdate == nil {
		t.Errorf("changed = %+v", ch)
	}
}

func sortedCopy(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestTraitDiagnostics(t *testing.T) {
	head := "models:\n  M:\n    table: m\n    columns:\n      id: {type: integer, primary_key: true}\n"
	tests := []struct {
		name, src, rule, msg string
		line                 int
	}{
		{name: "unknown trait", src: head + "    use: [timestamp]\n", rule: ruleUnknownTrait, msg: `unknown trait "timestamp"`, line: 6},
		{name: "did you mean", src: head + "    use: [audit]\ntraits:\n  audited: {columns: {x: integer}}\n", rule: ruleUnknownTrait, msg: `unknown trait "audit"`, line: 6},
		{name: "clash with model column", src: head + "      deleted_at: timestamp\n    use: [soft_delete]\n", rule: ruleTraitClash, msg: `trait soft_delete adds column "deleted_at" to model M, which the model already defines at m.yaml:6:7`, line: 7},
		{name: "clash between traits", src: head + "    use: [a, b]\ntraits:\n  a: {columns: {x: integer}}\n  b: {columns: {x: integer}}\n", rule: ruleTraitClash, msg: `which trait a already defines`, line: 6},
		{name: "cycle", src: head + "    use: [a]\ntraits:\n  a: {use: [b]}\n  b: {use: [a]}\n", rule: ruleTraitCycle, msg: "trait cycle: a -> b -> a", line: 9},
		{name: "shadows builtin", src: head + "traits:\n  timestamps: {columns: {x: integer}}\n", rule: ruleDuplicateTrait, msg: "shadows the builtin", line: 7},
		{name: "bad set_by", src: head + "    use: [{timestamps: {set_by: app}}]\n", rule: ruleInvalidValue, msg: "", line: 6},
		{name: "options on declared trait", src: head + "    use: [{a: {x: 1}}]\ntraits:\n  a: {columns: {x: integer}}\n", rule: ruleInvalidTrait, msg: `trait "a" takes no options`, line: 6},
		{name: "same names", src: head + "    use: [{timestamps: {created: at, updated: at}}]\n", rule: ruleInvalidTrait, msg: "same column", line: 6},
		{name: "unknown key in trait", src: head + "traits:\n  a: {colums: {x: integer}}\n", rule: ruleUnknownKey, msg: "", line: 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := loadString(t, tc.src)
			for _, d := range ds {
				if d.Rule == tc.rule && strings.Contains(d.Summary, tc.msg) {
					if d.Subject.Start.Line != tc.line || d.Subject.File != "m.yaml" {
						t.Errorf("%s at %s:%d, want line %d", d.Rule, d.Subject.File, d.Subject.Start.Line, tc.line)
					}
					if tc.name == "did you mean" && !strings.Contains(d.Detail, "audited") {
						t.Errorf("no suggestion: %q", d.Detail)
					}
					return
				}
			}
			t.Errorf("no %s diagnostic containing %q in:\n%s", tc.rule, tc.msg, ds.Error())
		})
	}
}
