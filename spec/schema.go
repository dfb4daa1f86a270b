package spec

import "sort"

// Schema is a fully loaded and linked set of models and tables.
type Schema struct {
	// Models in name order.
	Models []*Model `json:"models"`
	// Tables holds every table, model-backed or plain, in name order.
	Tables []*Table `json:"tables"`
	// Types holds the type aliases in name order.
	Types []*TypeAlias `json:"types"`
	// Files lists the source files loaded, in order.
	Files []string `json:"files"`
	// Notes lists what an inspector skipped or approximated (empty for a
	// schema loaded from YAML).
	Notes []*InspectNote `json:"notes,omitempty"`

	modelIdx map[string]*Model
	tableIdx map[string]*Table
}

// Index (re)builds the lookup maps used by Model and Table. The loader calls
// it; code that builds a Schema by hand must too.
func (s *Schema) Index() {
	sort.Slice(s.Models, func(i, j int) bool { return s.Models[i].Name < s.Models[j].Name })
	sort.Slice(s.Tables, func(i, j int) bool { return s.Tables[i].Name < s.Tables[j].Name })
	sort.Slice(s.Types, func(i, j int) bool { return s.Types[i].Name < s.Types[j].Name })
	s.modelIdx = make(map[string]*Model, len(s.Models))
	for _, m := range s.Models {
		s.modelIdx[m.Name] = m
	}
	s.tableIdx = make(map[string]*Table, len(s.Tables))
	for _, t := range s.Tables {
		s.tableIdx[t.Name] = t
		t.index()
	}
}

// Model returns the model with the given name, or nil.
func (s *Schema) Model(name string) *Model {
	if s.modelIdx == nil {
		s.Index()
	}
	return s.modelIdx[name]
}

// Table returns the table with the given name, or nil.
func (s *Schema) Table(name string) *Table {
	if s.tableIdx == nil {
		s.Index()
	}
	return s.tableIdx[name]
}

// Model maps a named entity to a table and adds relationships.
type Model struct {
	Name  string `json:"name"`
	Table *Table `json:"table"`
	// Relationships in declaration order.
	Relationships []*Relationship `json:"relationships,omitempty"`
	// VersionColumn, when set, enables optimistic locking.
	VersionColumn *Column `json:"-"`
	// RenamedFrom is the previous table name, for migrations.
	RenamedFrom string `json:"renamed_from,omitempty"`
	Comment     string `json:"comment,omitempty"`
	// Traits lists the traits the model uses (`use:`), builtin or declared
	// under `traits:`, in expansion order; the loader has already added
	// their columns, indexes and relationships to the model.
	Traits []string `json:"traits,omitempty"`
	// SoftDelete, when set (the soft_delete trait), is the nullable
	// timestamp column the ORM sets instead of deleting the row; ORM
	// queries and relationship loads leave rows where it is set out.
	SoftDelete *Column `json:"-"`
	// Inherits is the parent model of a sub-model (single-table
	// inheritance: the sub-model shares the parent's table), or nil.
	Inherits *Model `json:"-"`
	// SubModels are the models that inherit from this one, in name order.
	SubModels []*Model `json:"-"`
	// PolymorphicOn is the discriminator column of the hierarchy, set on
	// every model of it (nil for a model outside any hierarchy).
	PolymorphicOn *Column `json:"-"`
	// PolymorphicIdentity is the discriminator value of this model's rows.
	PolymorphicIdentity string `json:"polymorphic_identity,omitempty"`
	// Expressions are the model's SQL-expression attributes (`expressions:`),
	// read with the object, never written.
	Expressions []*Expression `json:"expressions,omitempty"`
	Range       Range         `json:"range"`
}

// Relationship returns the relationship with the given name, or nil.
func (m *Model) Relationship(name string) *Relationship {
	for _, r := range m.Relationships {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// Table is a database table, backing a model or standing alone (an
// association table).
type Table struct {
	Name string `json:"name"`
	// Model is the model mapped to this table, or nil for a plain table.
	Model *Model `json:"-"`
	// Columns in declaration order (the DDL order).
	Columns []*Column `json:"columns"`
	// PrimaryKey columns in key order: the table's primary_key list when
	// given, declaration order otherwise.
	PrimaryKey []*Column `json:"-"`
	// PrimaryKeyRange locates the table-level primary_key list, if any.
	PrimaryKeyRange Range `json:"-"`
	// ForeignKeys, column-level ones first in column order, then table-level.
	ForeignKeys []*ForeignKey `json:"foreign_keys,omitempty"`
	Indexes     []*Index      `json:"indexes,omitempty"`
	Uniques     []*Unique     `json:"uniques,omitempty"`
	Checks      []*Check      `json:"checks,omitempty"`
	RenamedFrom string        `json:"renamed_from,omitempty"`
	Comment     string        `json:"comment,omitempty"`
	// View is set when the table is a view: read-only, created from SQL.
	View *View `json:"view,omitempty"`
	// Partition is set on a partitioned table (PostgreSQL).
	Partition *Partition `json:"partition,omitempty"`
	Range     Range      `json:"range"`

	colIdx map[string]*Column
}

func (t *Table) index() {
	t.colIdx = make(map[string]*Column, len(t.Columns))
	for i, c := range t.Columns {
		c.Table = t
		c.Ordinal = i
		t.colIdx[c.Name] = c
	}
}

// Column returns the column with the given name, or nil.
func (t *Table) Column(name string) *Column {
	if t.colIdx == nil {
		t.index()
	}
	return t.colIdx[name]
}

// Column is one column of a table.
type Column struct {
	Name string `json:"name"`
	// Table is the owning table.
	Table *Table `json:"-"`
	// Ordinal is the column's 0-based position in Table.Columns.
	Ordinal int  `json:"-"`
	Type    Type `json:"type"`
	// Alias is the type alias the column was declared with, if any.
	Alias         string `json:"alias,omitempty"`
	PrimaryKey    bool   `json:"primary_key,omitempty"`
	Autoincrement bool   `json:"autoincrement,omitempty"`
	Nullable      bool   `json:"nullable,omitempty"`
	Unique        bool   `json:"unique,omitempty"`
	Index         bool   `json:"index,omitempty"`
	// Default is a client-side default applied on insert when no value is set.
	Default *Default `json:"default,omitempty"`
	// InsertDefault is a client-side generated default (now, uuid, literal).
	InsertDefault *Default `json:"insert_default,omitempty"`
	// OnUpdate is a client-side value set on every UPDATE of the row.
	OnUpdate *Default `json:"onupdate,omitempty"`
	// ServerDefault is rendered into DDL as the column's DEFAULT.
	ServerDefault *Default `json:"server_default,omitempty"`
	// ServerOnUpdate is a value the database sets on every UPDATE of the row
	// (MySQL ON UPDATE CURRENT_TIMESTAMP); only DefaultNow.
	ServerOnUpdate *Default `json:"server_onupdate,omitempty"`
	// Computed makes the column generated by the database from an
	// expression (GENERATED ALWAYS AS); the ORM never writes it.
	Computed *Computed `json:"computed,omitempty"`
	// ForeignKey is the column-level reference, if any (also in Table.ForeignKeys).
	ForeignKey *ForeignKey `json:"-"`
	// SubModel is the sub-model that declares the column in single-table
	// inheritance (nil for a column of the table's own model).
	SubModel    *Model `json:"-"`
	RenamedFrom string `json:"renamed_from,omitempty"`
	Comment     string `json:"comment,omitempty"`
	Range       Range  `json:"range"`
}

// Computed is the expression of a generated column (SQLAlchemy's Computed).
type Computed struct {
	// SQL is the expression, written by the schema author.
	SQL string `json:"sql"`
	// Stored computes the value on write and stores it; otherwise it is
	// computed on read (VIRTUAL).
	Stored bool  `json:"stored,omitempty"`
	Range  Range `json:"range"`
}

// DefaultKind says what a Default produces.
type DefaultKind int

const (
	// DefaultLiteral is a constant value (Default.Value).
	DefaultLiteral DefaultKind = iota + 1
	// DefaultNow is the current timestamp.
	DefaultNow
	// DefaultUUID is a freshly generated random (v4) UUID.
	DefaultUUID
	// DefaultSQL is a raw SQL expression (server_default only, written as
	// {sql: "..."} in YAML): the one place a schema author writes SQL.
	DefaultSQL
)

// Default is a column default.
type Default struct {
	Kind DefaultKind `json:"kind"`
	// Value is the literal for DefaultLiteral: nil, bool, int64, float64 or
	// string (decimals, dates and times are kept as their string form).
	Value any `json:"value,omitempty"`
	// SQL is the expression for DefaultSQL.
	SQL   string `json:"sql,omitempty"`
	Range Range  `json:"range"`
}

// Action is a referential action of a foreign key.
type Action string

// The referential actions. The empty Action means the database default.
const (
	ActionNone       Action = ""
	ActionNoAction   Action = "no action"
	ActionRestrict   Action = "restrict"
	ActionCascade    Action = "cascade"
	ActionSetNull    Action = "set null"
	ActionSetDefault Action = "set default"
)

// ForeignKey is a (possibly composite) foreign-key constraint.
type ForeignKey struct {
	// Name is the constraint name (derived when not given).
	Name       string    `json:"name"`
	Table      *Table    `json:"-"`
	Columns    []*Column `json:"-"`
	RefTable   *Table    `json:"-"`
	RefColumns []*Column `json:"-"`
	OnDelete   Action    `json:"on_delete,omitempty"`
	OnUpdate   Action    `json:"on_update,omitempty"`
	Range      Range     `json:"range"`
}

// IndexKind is the kind of a secondary index.
type IndexKind string

// The index kinds. The empty kind is the database's ordinary (B-tree) index.
const (
	IndexPlain IndexKind = ""
	// IndexFulltext is a full-text index (MySQL FULLTEXT).
	IndexFulltext IndexKind = "fulltext"
)

// Index is a secondary index.
type Index struct {
	Name    string    `json:"name"`
	Columns []*Column `json:"-"`
	Unique  bool      `json:"unique,omitempty"`
	Kind    IndexKind `json:"kind,omitempty"`
	// WhereNull, when set, makes the index partial: it covers only the
	// rows where this column IS NULL (a soft-delete model's unique keys,
	// so a deleted row does not block a new one). Dialects without
	// partial indexes (MySQL, MariaDB) create the index over every row.
	WhereNull *Column `json:"-"`
	Range     Range   `json:"range"`
}

// Unique is a (composite) unique constraint.
type Unique struct {
	Name    string    `json:"name"`
	Columns []*Column `json:"-"`
	Range   Range     `json:"range"`
}

// Check is a check constraint. Expr is SQL written by the schema author.
type Check struct {
	Name  string `json:"name"`
	Expr  string `json:"expr"`
	Range Range  `json:"range"`
}

// AggFunc is the aggregate an expression attribute computes over a
// relationship.
type AggFunc int

// The aggregates of an expression attribute.
const (
	AggInvalid AggFunc = iota
	AggCount
	AggSum
	AggAvg
	AggMin
	AggMax
)

var aggNames = [...]string{"invalid", "count", "sum", "avg", "min", "max"}

func (a AggFunc) String() string {
	if a < 0 || int(a) >= len(aggNames) {
		return "invalid"
	}
	return aggNames[a]
}

// LookupAggFunc returns the aggregate with the given YAML name.
func LookupAggFunc(name string) (AggFunc, bool) {
	for i, n := range aggNames {
		if i > 0 && n == name {
			return AggFunc(i), true
		}
	}
	return AggInvalid, false
}

// Expression is a model attribute defined by a SQL expression (SQLAlchemy's
// column_property): an aggregate over a one-to-many or many-to-many
// relationship, compiled as a correlated scalar subquery in the model's
// SELECT. The ORM reads it with the object and never writes it.
type Expression struct {
	Name  string `json:"name"`
	Model *Model `json:"-"`
	// Func is the aggregate; Relationship the collection it runs over.
	Func         AggFunc       `json:"func"`
	Relationship *Relationship `json:"-"`
	// Column is the aggregated column of the relationship's target table
	// (nil for count).
	Column *Column `json:"-"`
	// Where filters the related rows: each condition is column = value, or
	// column IS NULL for a nil value.
	Where []ExprCond `json:"-"`
	// Type is the type of the result: bigint for count, the column's type
	// for sum, min and max (sum of an integer is bigint), double for avg.
	Type  Type  `json:"-"`
	Range Range `json:"range"`
}

// ExprCond is one condition of an expression attribute's where filter.
type ExprCond struct {
	Column *Column
	Value  any
}

// Expression returns the expression attribute with the given name, or nil.
func (m *Model) Expression(name string) *Expression {
	for _, e := range m.Expressions {
		if e.Name == name {
			return e
		}
	}
	return nil
}
