package spec

// View is the definition of a view: the SELECT the database runs. Its
// columns are the table's Columns; a view is read-only.
type View struct {
	// SQL is the view's query as the database reports it.
	SQL string `json:"sql"`
	// Materialized marks a PostgreSQL materialized view.
	Materialized bool  `json:"materialized,omitempty"`
	Range        Range `json:"range"`
}

// Partition describes how a partitioned table (PostgreSQL declarative
// partitioning) splits its rows. The partitions themselves are not tables
// of the schema.
type Partition struct {
	// By is the partition key as PostgreSQL writes it: "RANGE (paid_at)".
	By string `json:"by"`
	// Partitions lists the partitions, in name order.
	Partitions []*PartitionBound `json:"partitions,omitempty"`
	Range      Range             `json:"range"`
}

// PartitionBound is one partition of a partitioned table.
type PartitionBound struct {
	Name string `json:"name"`
	// Bound is the partition's bound as PostgreSQL writes it:
	// "FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')" or "DEFAULT".
	Bound string `json:"bound"`
}

// NoteAction says what an inspector did with an object it could not
// represent exactly.
type NoteAction string

// The note actions.
const (
	// NoteSkipped: the object is not in the written schema.
	NoteSkipped NoteAction = "skipped"
	// NoteApproximated: the object is in the schema, not exactly as the
	// database has it.
	NoteApproximated NoteAction = "approximated"
)

// InspectNote is one object a database inspector skipped or approximated.
type InspectNote struct {
	// Kind is the object's kind: "column", "index", "view", "materialized
	// view", "trigger", "function", "procedure", "partition", "table", …
	Kind string `json:"kind"`
	// Object locates it: "table", "table.column", "table.index".
	Object string     `json:"object"`
	Action NoteAction `json:"action"`
	// Detail says why, and what was written instead.
	Detail string `json:"detail"`
}
