package migrate

import (
	"encoding/json"
	"fmt"

	"github.com/dlayer/dlayer/spec"
)

// The snapshot is the database-side part of a schema (tables, columns,
// keys, indexes, checks; no models or relationships) in a stable JSON form.
// Every generated migration file carries the snapshot of the schema it
// migrates to, so the state a migration directory produces is known without
// a database.

type snapSchema struct {
	Tables []snapTable `json:"tables"`
}

type snapTable struct {
	Name        string       `json:"name"`
	Columns     []snapColumn `json:"columns"`
	PrimaryKey  []string     `json:"primary_key,omitempty"`
	ForeignKeys []snapFK     `json:"foreign_keys,omitempty"`
	Indexes     []snapIndex  `json:"indexes,omitempty"`
	Uniques     []snapIndex  `json:"uniques,omitempty"`
	Checks      []snapCheck  `json:"checks,omitempty"`
	// View is the query of a view; Partition the partitioning of a table.
	View         string         `json:"view,omitempty"`
	Materialized bool           `json:"materialized,omitempty"`
	Partition    *snapPartition `json:"partition,omitempty"`
}

type snapPartition struct {
	By         string                `json:"by"`
	Partitions []spec.PartitionBound `json:"partitions,omitempty"`
}

// snapItems is the element type of an array column.
type snapItems struct {
	Type      string `json:"type"`
	Length    int    `json:"length,omitempty"`
	Precision int    `json:"precision,omitempty"`
	Scale     int    `json:"scale,omitempty"`
	Timezone  bool   `json:"timezone,omitempty"`
}

type snapColumn struct {
	Name          string        `json:"name"`
	Type          string        `json:"type"`
	Length        int           `json:"length,omitempty"`
	Precision     int           `json:"precision,omitempty"`
	Scale         int           `json:"scale,omitempty"`
	Timezone      bool          `json:"timezone,omitempty"`
	Values        []string      `json:"values,omitempty"`
	EnumName      string        `json:"enum_name,omitempty"`
	Nullable      bool          `json:"nullable,omitempty"`
	Autoincrement bool          `json:"autoincrement,omitempty"`
	Unique        bool          `json:"unique,omitempty"`
	Index         bool          `json:"index,omitempty"`
	Default       *snapDefault  `json:"server_default,omitempty"`
	ZeroPrecision bool          `json:"zero_precision,omitempty"`
	Unsigned      bool          `json:"unsigned,omitempty"`
	Fixed         bool          `json:"fixed,omitempty"`
	OnUpdateNow   bool          `json:"server_onupdate_now,omitempty"`
	Computed      *snapComputed `json:"computed,omitempty"`
	// Items (array), Native (pass-through) and Domain complete the type.
	Items  *snapItems        `json:"items,omitempty"`
	Native map[string]string `json:"native,omitempty"`
	Domain string            `json:"domain,omitempty"`
}

type snapComputed struct {
	SQL    string `json:"sql"`
	Stored bool   `json:"stored,omitempty"`
}

type snapDefault struct {
	Kind  string `json:"kind"`
	Value any    `json:"value,omitempty"`
	SQL   string `json:"sql,omitempty"`
}

type snapFK struct {
	Name       string   `json:"name,omitempty"`
	Columns    []string `json:"columns"`
	RefTable   string   `json:"ref_table"`
	RefColumns []string `json:"ref_columns"`
	OnDelete   string   `json:"on_delete,omitempty"`
	OnUpdate   string   `json:"on_update,omitempty"`
}

type snapIndex struct {
	Name    string   `json:"name,omitempty"`
	Columns []string `json:"columns"`
	Unique  bool     `json:"unique,omitempty"`
	Kind    string   `json:"kind,omitempty"`
	// WhereNull names the column of a partial index's WHERE col IS NULL.
	WhereNull string `json:"where_null,omitempty"`
}

type snapCheck struct {
	Name string `json:"name"`
	Expr string `json:"expr"`
}

var defaultKinds = map[spec.DefaultKind]string{spec.DefaultLiteral: "literal", spec.DefaultNow: "now",
	spec.DefaultUUID: "uuid", spec.DefaultSQL: "sql"}

// encodeSnapshot returns the snapshot of s, one table per line.
func encodeSnapshot(s *spec.Schema) ([]byte, error) {
	var out snapSchema
	for _, t := range s.Tables {
		st := snapTable{Name: t.Name, PrimaryKey: colNames(t.PrimaryKey)}
		if p := t.Partition; p != nil {
			st.Partition = &snapPartition{By: p.By}
			for _, b := range p.Partitions {
				st.Partition.Partitions = append(st.Partition.Partitions, *b)
			}
		}
		if t.View != nil {
			st.View, st.Materialized = t.View.SQL, t.View.Materialized
		}
		for _, c := range t.Columns {
			sc := snapColumn{Name: c.Name, Type: c.Type.Kind.String(), Length: c.Type.Length,
				Precision: c.Type.Precision, Scale: c.Type.Scale, Timezone: c.Type.Timezone,
				Values: c.Type.Values, EnumName: c.Type.EnumName, Nullable: c.Nullable,
				Autoincrement: c.Autoincrement, Unique: c.Unique, Index: c.Index,
				Native: c.Type.Native, Domain: c.Type.Domain}
			if it := c.Type.Items; it != nil {
				sc.Items = &snapItems{Type: it.Kind.String(), Length: it.Length, Precision: it.Precision, Scale: it.Scale, Timezone: it.Timezone}
			}
			if d := c.ServerDefault; d != nil {
				sc.Default = &snapDefault{Kind: defaultKinds[d.Kind], Value: d.Value, SQL: d.SQL}
			}
			sc.ZeroPrecision, sc.Unsigned, sc.Fixed = c.Type.ZeroPrecision, c.Type.Unsigned, c.Type.Fixed
			sc.OnUpdateNow = c.ServerOnUpdate != nil && c.ServerOnUpdate.Kind == spec.DefaultNow
			if cp := c.Computed; cp != nil {
				sc.Computed = &snapComputed{SQL: cp.SQL, Stored: cp.Stored}
			}
			st.Columns = append(st.Columns, sc)
		}
		for _, fk := range t.ForeignKeys {
			f := snapFK{Name: fk.Name, Columns: colNames(fk.Columns), RefColumns: colNames(fk.RefColumns),
				OnDelete: string(fk.OnDelete), OnUpdate: string(fk.OnUpdate)}
			if fk.RefTable != nil {
				f.RefTable = fk.RefTable.Name
			}
			st.ForeignKeys = append(st.ForeignKeys, f)
		}
		for _, ix := range t.Indexes {
			si := snapIndex{Name: ix.Name, Columns: colNames(ix.Columns), Unique: ix.Unique, Kind: string(ix.Kind)}
			if ix.WhereNull != nil {
				si.WhereNull = ix.WhereNull.Name
			}
			st.Indexes = append(st.Indexes, si)
		}
		for _, u := range t.Uniques {
			st.Uniques = append(st.Uniques, snapIndex{Name: u.Name, Columns: colNames(u.Columns)})
		}
		for _, c := range t.Checks {
			st.Checks = append(st.Checks, snapCheck{Name: c.Name, Expr: c.Expr})
		}
		out.Tables = append(out.Tables, st)
	}
	var b []byte
	b = append(b, "{\"tables\": [\n"...)
	for i, t := range out.Tables {
		line, err := json.Marshal(t)
		if err != nil {
			return nil, fmt.Errorf("snapshot of table %s: %w", t.Name, err)
		}
		b = append(b, line...)
		if i < len(out.Tables)-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
	}
	b = append(b, "]}"...)
	return b, nil
}

// decodeSnapshot rebuilds a schema (tables only) from a snapshot.
func decodeSnapshot(b []byte) (*spec.Schema, error) {
	var in snapSchema
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("decode schema snapshot: %w", err)
	}
	s := &spec.Schema{}
	byName := map[string]*spec.Table{}
	for _, st := range in.Tables {
		t := &spec.Table{Name: st.Name}
		if p := st.Partition; p != nil {
			t.Partition = &spec.Partition{By: p.By}
			for _, b := range p.Partitions {
				t.Partition.Partitions = append(t.Partition.Partitions, &spec.PartitionBound{Name: b.Name, Bound: b.Bound})
			}
		}
		if st.View != "" {
			t.View = &spec.View{SQL: st.View, Materialized: st.Materialized}
		}
		for _, sc := range st.Columns {
			k, ok := spec.LookupType(sc.Type)
			if !ok {
				return nil, fmt.Errorf("decode schema snapshot: table %s column %s: unknown type %q", st.Name, sc.Name, sc.Type)
			}
			c := &spec.Column{Name: sc.Name, Table: t, Type: spec.Type{Kind: k, Length: sc.Length, Precision: sc.Precision,
				Scale: sc.Scale, Timezone: sc.Timezone, Values: sc.Values, EnumName: sc.EnumName,
				ZeroPrecision: sc.ZeroPrecision, Unsigned: sc.Unsigned, Fixed: sc.Fixed, Native: sc.Native, Domain: sc.Domain},
				Nullable: sc.Nullable, Autoincrement: sc.Autoincrement, Unique: sc.Unique, Index: sc.Index}
			if sc.OnUpdateNow {
				c.ServerOnUpdate = &spec.Default{Kind: spec.DefaultNow}
			}
			if cp := sc.Computed; cp != nil {
				c.Computed = &spec.Computed{SQL: cp.SQL, Stored: cp.Stored}
			}
			if it := sc.Items; it != nil {
				ik, ok := spec.LookupType(it.Type)
				if !ok {
					return nil, fmt.Errorf("decode schema snapshot: table %s column %s: unknown items type %q", st.Name, sc.Name, it.Type)
				}
				c.Type.Items = &spec.Type{Kind: ik, Length: it.Length, Precision: it.Precision, Scale: it.Scale, Timezone: it.Timezone}
			}
			if d := sc.Default; d != nil {
				nd := &spec.Default{SQL: d.SQL, Value: d.Value}
				for k, n := range defaultKinds {
					if n == d.Kind {
						nd.Kind = k
					}
				}
				if f, ok := d.Value.(float64); ok && f == float64(int64(f)) {
					nd.Value = int64(f)
				}
				c.ServerDefault = nd
			}
			t.Columns = append(t.Columns, c)
		}
		s.Tables = append(s.Tables, t)
		byName[t.Name] = t
	}
	s.Index()
	cols := func(t *spec.Table, names []string) ([]*spec.Column, error) {
		out := make([]*spec.Column, len(names))
		for i, n := range names {
			out[i] = t.Column(n)
			if out[i] == nil {
				return nil, fmt.Errorf("decode schema snapshot: table %s has no column %s", t.Name, n)
			}
		}
		return out, nil
	}
	for _, st := range in.Tables {
		t := byName[st.Name]
		var err error
		if t.PrimaryKey, err = cols(t, st.PrimaryKey); err != nil {
			return nil, err
		}
		for _, c := range t.PrimaryKey {
			c.PrimaryKey = true
		}
		for _, f := range st.ForeignKeys {
			ref := byName[f.RefTable]
			if ref == nil {
				return nil, fmt.Errorf("decode schema snapshot: table %s references missing table %s", t.Name, f.RefTable)
			}
			fk := &spec.ForeignKey{Name: f.Name, Table: t, RefTable: ref, OnDelete: spec.Action(f.OnDelete), OnUpdate: spec.Action(f.OnUpdate)}
			if fk.Columns, err = cols(t, f.Columns); err != nil {
				return nil, err
			}
			if fk.RefColumns, err = cols(ref, f.RefColumns); err != nil {
				return nil, err
			}
			if len(fk.Columns) == 1 {
				fk.Columns[0].ForeignKey = fk
			}
			t.ForeignKeys = append(t.ForeignKeys, fk)
		}
		for _, ix := range st.Indexes {
			cs, err := cols(t, ix.Columns)
			if err != nil {
				return nil, err
			}
			six := &spec.Index{Name: ix.Name, Columns: cs, Unique: ix.Unique, Kind: spec.IndexKind(ix.Kind)}
			if ix.WhereNull != "" {
				if six.WhereNull = t.Column(ix.WhereNull); six.WhereNull == nil {
					return nil, fmt.Errorf("index %s: unknown column %q", ix.Name, ix.WhereNull)
				}
			}
			t.Indexes = append(t.Indexes, six)
		}
		for _, u := range st.Uniques {
			cs, err := cols(t, u.Columns)
			if err != nil {
				return nil, err
			}
			t.Uniques = append(t.Uniques, &spec.Unique{Name: u.Name, Columns: cs})
		}
		for _, c := range st.Checks {
			t.Checks = append(t.Checks, &spec.Check{Name: c.Name, Expr: c.Expr})
		}
	}
	return s, nil
}
