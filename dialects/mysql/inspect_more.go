package mysql

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/dlayer/dlayer/dialects/internal/rowutil"
	"github.com/dlayer/dlayer/spec"
)

// note records an object the inspector skipped or approximated.
func (in *inspector) note(kind, object string, action spec.NoteAction, format string, args ...any) {
	in.s.Notes = append(in.s.Notes, &spec.InspectNote{Kind: kind, Object: object, Action: action, Detail: fmt.Sprintf(format, args...)})
}

// nativeType keeps a column type dlayer has no equivalent for (YEAR, SET,
// GEOMETRY, …) as MySQL wrote it, byte for byte.
func nativeType(columnType string) spec.Type {
	return spec.Type{Kind: spec.TypeNative, Native: map[string]string{"mysql": columnType}}
}

// nativeDefault keeps a native column's default as the SQL the server
// reports (a literal of a type dlayer does not know is not a dlayer literal).
func nativeDefault(c *spec.Column, def string) {
	if c.Type.Kind != spec.TypeNative || c.ServerDefault == nil || c.ServerDefault.Kind != spec.DefaultLiteral {
		return
	}
	c.ServerDefault = &spec.Default{Kind: spec.DefaultSQL, SQL: def}
}

// others reads view definitions and notes triggers, routines and events,
// which dlayer does not model.
func (in *inspector) others(ctx context.Context) error {
	var db string
	if err := rowutil.Each(ctx, in.q, `SELECT DATABASE()`, 1, func(v []any) error { db = rowutil.Str(v[0]); return nil }); err != nil {
		return fmt.Errorf("database name: %w", err)
	}
	// The server qualifies every name of a view's query with the database;
	// the query is kept without it, so it recreates in another database.
	qualifier := "`" + strings.ReplaceAll(db, "`", "``") + "`."
	err := rowutil.Each(ctx, in.q, `SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE FROM information_schema.VIEWS
WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME`, 4, func(v []any) error {
		t := in.tables[rowutil.Str(v[0])]
		if t == nil || t.View == nil {
			return nil
		}
		t.View.SQL = strings.ReplaceAll(rowutil.Str(v[1]), qualifier, "")
		if co := rowutil.Str(v[2]); co != "" && co != "NONE" {
			in.note("view", t.Name, spec.NoteApproximated, "WITH %s CHECK OPTION is not kept", co)
		}
		if st := rowutil.Str(v[3]); st == "INVOKER" {
			in.note("view", t.Name, spec.NoteApproximated, "SQL SECURITY INVOKER is not kept (created as DEFINER)")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("views: %w", err)
	}
	for _, t := range in.tables {
		if t.View != nil {
			for _, c := range t.Columns {
				c.ServerDefault = nil // a view's column reports its base column's default
			}
			if t.View.SQL == "" {
				in.note("view", t.Name, spec.NoteSkipped, "its definition is not readable by this user")
			}
		}
	}
	err = rowutil.Each(ctx, in.q, `SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME FROM information_schema.TRIGGERS
WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1, 2`, 2, func(v []any) error {
		in.note("trigger", rowutil.Str(v[0])+"."+rowutil.Str(v[1]), spec.NoteSkipped, "triggers are not kept; recreate it in a migration")
		return nil
	})
	if err != nil {
		return fmt.Errorf("triggers: %w", err)
	}
	err = rowutil.Each(ctx, in.q, `SELECT ROUTINE_NAME, LOWER(ROUTINE_TYPE) FROM information_schema.ROUTINES
WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY 1, 2`, 2, func(v []any) error {
		in.note(rowutil.Str(v[1]), rowutil.Str(v[0]), spec.NoteSkipped, "%ss are not kept; recreate it in a migration", rowutil.Str(v[1]))
		return nil
	})
	if err != nil {
		return fmt.Errorf("routines: %w", err)
	}
	err = rowutil.Each(ctx, in.q, `SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() ORDER BY 1`, 1,
		func(v []any) error {
			in.note("event", rowutil.Str(v[0]), spec.NoteSkipped, "scheduled events are not kept")
			return nil
		})
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	sort.SliceStable(in.s.Notes, func(i, j int) bool {
		a, b := in.s.Notes[i], in.s.Notes[j]
		if a.Object != b.Object {
			return a.Object < b.Object
		}
		return a.Kind < b.Kind
	})
	return nil
}
