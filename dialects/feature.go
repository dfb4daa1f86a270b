package dialects

// Feature is a set of capabilities a dialect may have.
type Feature uint64

// The feature bits.
const (
	// Returning: INSERT/UPDATE/DELETE … RETURNING.
	Returning Feature = 1 << iota
	// UpsertOnConflict: INSERT … ON CONFLICT (…) DO UPDATE / DO NOTHING.
	UpsertOnConflict
	// UpsertOnDuplicateKey: INSERT … ON DUPLICATE KEY UPDATE.
	UpsertOnDuplicateKey
	// Savepoints: SAVEPOINT / RELEASE / ROLLBACK TO.
	Savepoints
	// ILike: a native case-insensitive LIKE operator.
	ILike
	// WindowFunctions: OVER (…).
	WindowFunctions
	// TransactionalDDL: DDL can be rolled back.
	TransactionalDDL
	// NullsOrdering: ORDER BY … NULLS FIRST/LAST natively.
	NullsOrdering
	// LastInsertID: the driver reports the generated key of a single-row insert.
	LastInsertID
	// MultiRowInsert: INSERT … VALUES (…), (…).
	MultiRowInsert
	// CopyFrom: a bulk-load protocol (PostgreSQL COPY).
	CopyFrom
	// ForUpdate: SELECT … FOR UPDATE.
	ForUpdate
	// AlterAddConstraint: ALTER TABLE … ADD CONSTRAINT (SQLite lacks it).
	AlterAddConstraint
	// NativeEnum: a CREATE TYPE … AS ENUM or inline ENUM(...) column type.
	NativeEnum
	// DropTableCascade: DROP TABLE … CASCADE.
	DropTableCascade
	// IfNotExists: CREATE TABLE/INDEX IF NOT EXISTS.
	IfNotExists
	// InsertReturning: INSERT … RETURNING, where UPDATE and DELETE may lack
	// RETURNING (MariaDB ≥ 10.5). A dialect with Returning can do it too:
	// ask with Feature.InsertReturns.
	InsertReturning
	// ConsecutiveInsertKeys: the generated keys of one multi-row INSERT are
	// LastInsertID, LastInsertID+1, … in VALUES order (MySQL/MariaDB with
	// auto_increment_increment = 1 and innodb_autoinc_lock_mode 0 or 1).
	// Without it, and without INSERT … RETURNING, rows whose keys the
	// database generates are inserted one statement per row.
	ConsecutiveInsertKeys
	// PartialIndex: CREATE INDEX … WHERE col IS NULL (PostgreSQL, SQLite),
	// a soft-delete model's unique keys.
	PartialIndex
	// ArrayParams: one bound array parameter tests membership
	// (x = ANY($1), PostgreSQL), so stmt.InArray sends its values as one
	// parameter whatever their number.
	ArrayParams
)

// Has reports whether every feature in want is present in f.
func (f Feature) Has(want Feature) bool { return f&want == want }

// InsertReturns reports whether INSERT … RETURNING can be compiled: the
// dialect has Returning or InsertReturning.
func (f Feature) InsertReturns() bool { return f.Has(Returning) || f.Has(InsertReturning) }
