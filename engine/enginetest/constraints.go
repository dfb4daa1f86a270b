package enginetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/stmt"
)

func testConstraints(t *testing.T, cfg Config) {
	e, f := setup(t, cfg)
	ctx := context.Background()
	ann := addUser(t, e, f, "ann@example.com", "Ann", int64(41))
	mustExec(t, e, stmt.Insert(f.P).Columns("author_id", "title").Values(ann, "hello"))

	tests := []struct {
		name       string
		s          stmt.Statement
		kind       engine.ConstraintKind
		constraint string
		table      string
		columns    []string
	}{
		{name: "unique", kind: engine.Unique, constraint: "uq_" + f.sfx + "_email", table: f.users.Name, columns: []string{"email"},
			s: stmt.Insert(f.U).Columns("email", "active").Values("ann@example.com", false)},
		{name: "unique on update", kind: engine.Unique, constraint: "uq_" + f.sfx + "_email", table: f.users.Name, columns: []string{"email"},
			s: stmt.Update(f.U).Set("email", "ann@example.com").Where(f.U.C("id").Ne(ann))},
		{name: "foreign key", kind: engine.ForeignKey, constraint: "fk_" + f.sfx + "_author", table: f.posts.Name, columns: []string{"author_id"},
			s: stmt.Insert(f.P).Columns("author_id", "title").Values(int64(987654321), "orphan")},
		{name: "foreign key on delete", kind: engine.ForeignKey, constraint: "fk_" + f.sfx + "_author", table: f.posts.Name, columns: []string{"author_id"},
			s: stmt.Delete(f.U).Where(f.U.C("id").Eq(ann))},
		{name: "not null", kind: engine.NotNull, table: f.users.Name, columns: []string{"email"},
			s: stmt.Insert(f.U).Columns("email", "active").Values(nil, true)},
		{name: "check", kind: engine.Check, constraint: "ck_" + f.sfx + "_age", table: f.users.Name,
			s: stmt.Insert(f.U).Columns("email", "age", "active").Values("neg@example.com", int64(-1), true)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "unique on update" {
				addUser(t, e, f, "other"+f.sfx+"@example.com", nil, nil)
			}
			_, err := e.Exec(ctx, tt.s)
			var ce *engine.ConstraintError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v (%T), want *ConstraintError", err, err)
			}
			if ce.Kind != tt.kind {
				t.Errorf("Kind = %v, want %v (%v)", ce.Kind, tt.kind, err)
			}
			if !errors.Is(err, &engine.ConstraintError{Kind: tt.kind}) {
				t.Errorf("errors.Is(err, &ConstraintError{Kind: %v}) is false", tt.kind)
			}
			if ce.Err == nil {
				t.Error("the driver's error is not kept")
			}
			// Databases differ in what they report; what they do report
			// must be right.
			if ce.Constraint != "" && ce.Constraint != tt.constraint {
				t.Errorf("Constraint = %q, want %q", ce.Constraint, tt.constraint)
			}
			if ce.Table != "" && ce.Table != tt.table {
				t.Errorf("Table = %q, want %q", ce.Table, tt.table)
			}
			if len(ce.Columns) > 0 && !slices.Equal(ce.Columns, tt.columns) {
				t.Errorf("Columns = %q, want %q", ce.Columns, tt.columns)
			}
			if ce.Constraint == "" && ce.Table == "" && len(ce.Columns) == 0 && tt.kind != engine.ForeignKey {
				t.Errorf("nothing identifies the violated constraint: %v", err)
			}
			t.Logf("%v", err)
		})
	}
	// An engine that knows the schema completes what the database left
	// out of its message.
	se := engine.New(e.Dialect(), e.Pool(), f.schema)
	for _, tt := range tests {
		if tt.kind == engine.ForeignKey || tt.kind == engine.NotNull || tt.name == "unique on update" {
			continue // SQLite names no foreign key; MySQL no table for NOT NULL
		}
		t.Run(tt.name+" with schema", func(t *testing.T) {
			_, err := se.Exec(ctx, tt.s)
			var ce *engine.ConstraintError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v", err)
			}
			if ce.Kind != tt.kind || ce.Constraint != tt.constraint || ce.Table != tt.table ||
				(tt.kind == engine.Unique && !slices.Equal(ce.Columns, tt.columns)) {
				t.Errorf("got %+v, want constraint %q table %q columns %q", ce, tt.constraint, tt.table, tt.columns)
			}
		})
	}
	// The failed statements changed nothing.
	n, err := engine.Scalar[int64](ctx, e, stmt.Select(stmt.CountAll()).From(f.P))
	if err != nil || n != 1 {
		t.Errorf("posts = %d, %v; want 1", n, err)
	}
}
