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
)

// Has reports whether every feature in want is present in f.
func (f Feature) Has(want Feature) bool { return f&want == want }
