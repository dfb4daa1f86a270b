package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/internal/conv"
	"github.com/dlayer/dlayer/spec"
)

// Rows is the cursor of a query. It is not safe for concurrent use. Always
// Close it (Close is idempotent); iterating to the end also closes it.
type Rows struct {
	e      *Engine
	ctx    context.Context
	rows   dialects.Rows
	sql    string
	cols   []dialects.ResultColumn
	ob     observation
	n      int64
	err    error
	closed bool
	// names is the result's column set, filled on first use (set).
	names    columnSet
	namesSet bool
	// shared is the copy of names that Records share.
	shared *columnSet
	// tx is the transaction the rows were read in (nil on the pool).
	tx *Tx
	// single: the statement returns at most one row (Compiled.SingleRow).
	single bool
	// compiled is the statement, handed back to the dialect at the end.
	compiled *dialects.Compiled
}

var errNilRows = errors.New("dlayer: nil or zero Rows (use Engine.Query)")

// Next prepares the next row; it returns false at the end or on error
// (see Err), and then closes the rows.
func (r *Rows) Next() bool {
	if r == nil || r.rows == nil || r.closed {
		return false
	}
	if r.rows.Next() {
		r.n++
		return true
	}
	r.close(nil)
	return false
}

// Scan copies the current row's columns into dest (pointers such as
// *int64, *string, *time.Time, **string for NULL, sql.Scanner).
func (r *Rows) Scan(dest ...any) error {
	if r == nil || r.rows == nil {
		return errNilRows
	}
	if r.closed {
		return errors.New("scan: rows are closed")
	}
	if err := r.rows.Scan(dest...); err != nil {
		return r.fail(err)
	}
	return nil
}

func (r *Rows) fail(err error) error {
	err = r.e.translate(r.ctx, "scan result of "+strings.TrimPrefix(describe(r.sql), "run "), err)
	r.close(err)
	return err
}

// prefer returns the query's own error in place of err, a complaint about
// the result's columns: a driver may report a failed query (a deadline, a
// division by zero, a lock not granted) only on the first Next, and show no
// columns before it (pgx does), so the columns are not to be judged before
// the query is known to have run. It reads ahead one row and closes the
// rows.
func (r *Rows) prefer(err error) error {
	if !r.closed {
		r.Next()
		r.close(nil)
	}
	if r.err != nil {
		return r.err
	}
	return err
}

// Columns returns the result column names, in order. Some drivers (pgx)
// know them only once the query has run: for a query that failed they may
// be empty before the first Next (see Err).
func (r *Rows) Columns() []string {
	if r == nil || r.rows == nil {
		return nil
	}
	return r.columnSet().names
}

// ResultColumns returns what the compiler knows about the result columns
// (types, schema columns); empty for raw text.
func (r *Rows) ResultColumns() []dialects.ResultColumn {
	if r == nil {
		return nil
	}
	return r.cols
}

// Err returns the error that ended iteration, normalised (nil at a clean
// end).
func (r *Rows) Err() error {
	if r == nil || r.rows == nil {
		return errNilRows
	}
	return r.err
}

// Close releases the rows' connection. It returns the iteration error, if
// any.
func (r *Rows) Close() error {
	if r == nil || r.rows == nil {
		return errNilRows
	}
	r.close(nil)
	return r.err
}

func (r *Rows) close(err error) {
	if r.closed {
		return
	}
	r.closed = true
	r.e.openRows.Add(-1)
	if r.tx != nil {
		defer r.tx.rows.Add(-1)
	}
	if err == nil {
		if rerr := r.rows.Err(); rerr != nil {
			err = r.e.translate(r.ctx, describe(r.sql), rerr)
		}
	}
	var cerr error
	if rel, ok := r.rows.(dialects.ReleasableRows); ok {
		// The driver's buffers go back to its pool: keep the column
		// names (Columns may be asked after the end) and nothing else.
		r.columnSet()
		cerr = rel.Release()
		r.rows = releasedRows{}
	} else {
		cerr = r.rows.Close()
	}
	if err == nil && cerr != nil {
		err = r.e.translate(r.ctx, describe(r.sql), cerr)
	}
	if err == nil {
		// A context cancelled while rows were read can end iteration
		// early on some drivers without an error: report it.
		if cerr := r.ctx.Err(); cerr != nil {
			err = fmt.Errorf("%s: %w", describe(r.sql), cerr)
		}
	}
	r.err = err
	r.ob.done(err, r.n)
	r.e.release(r.ctx, r.compiled)
	r.compiled = nil
}

// releasedRows stands in for driver rows given back (ReleasableRows): a
// closed, empty cursor.
type releasedRows struct{}

func (releasedRows) Next() bool        { return false }
func (releasedRows) Scan(...any) error { return errors.New("scan: rows are closed") }
func (releasedRows) Columns() []string { return nil }
func (releasedRows) Err() error        { return nil }
func (releasedRows) Close() error      { return nil }

// columnSet is the shared column list of a result. index is built before
// the first Record shares it, and read-only afterwards.
type columnSet struct {
	names []string
	cols  []dialects.ResultColumn
	index map[string]int
}

// typ returns the schema type of column i, or nil when unknown.
func (cs *columnSet) typ(i int) *spec.Type {
	if i < len(cs.cols) {
		return cs.cols[i].Type
	}
	return nil
}

func (cs *columnSet) buildIndex() {
	if cs.index != nil {
		return
	}
	cs.index = make(map[string]int, len(cs.names))
	for i, n := range cs.names {
		if _, dup := cs.index[n]; !dup {
			cs.index[n] = i
		}
	}
}

func (r *Rows) columnSet() *columnSet {
	if !r.namesSet {
		r.names = columnSet{names: r.rows.Columns(), cols: r.cols}
		r.namesSet = true
	}
	return &r.names
}

// Record reads the current row as a Record.
func (r *Rows) Record() (Record, error) {
	if r == nil || r.rows == nil {
		return Record{}, errNilRows
	}
	if r.shared == nil {
		// Records keep their column set: a copy on the heap, so that a
		// Rows itself may live on its reader's stack.
		cs := *r.columnSet()
		cs.buildIndex()
		r.shared = &cs
	}
	cs := r.shared
	vals := make([]any, len(cs.names))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := r.Scan(ptrs...); err != nil {
		return Record{}, err
	}
	for i, v := range vals {
		vals[i] = normalize(v, cs.typ(i))
	}
	return Record{cols: cs, vals: vals}, nil
}

// normalize gives record values one Go type per column type across
// drivers.
func normalize(v any, t *spec.Type) any {
	if v == nil || t == nil {
		return v
	}
	switch t.Kind {
	case spec.TypeBoolean:
		if b, err := conv.ToBool(v); err == nil {
			return b
		}
	case spec.TypeDecimal:
		// One text form on every database: the column's scale, or the
		// shortest form for an unconstrained decimal.
		if s, err := conv.Decimal(v, t); err == nil {
			return s
		}
		if b, ok := v.([]byte); ok {
			return string(b)
		}
	case spec.TypeString, spec.TypeText, spec.TypeEnum, spec.TypeTime:
		switch x := v.(type) {
		case []byte:
			return string(x)
		case float64, int64:
			if s, err := conv.ToString(x); err == nil {
				return s
			}
		}
	case spec.TypeUUID:
		switch x := v.(type) {
		case []byte:
			if u, err := conv.ToUUID(x); err == nil {
				return conv.FormatUUID(u)
			}
		case [16]byte:
			return conv.FormatUUID(x)
		}
	case spec.TypeJSON:
		switch x := v.(type) {
		case []byte:
			return json.RawMessage(x)
		case string:
			return json.RawMessage(x)
		}
	case spec.TypeDate, spec.TypeTimestamp:
		switch v.(type) {
		case string, []byte:
			if tm, err := conv.ToTime(v); err == nil {
				return tm
			}
		}
	}
	return v
}

// Record is one row of a dynamic result: the values in column order, with
// typed getters by column name or index. Values are normalised: integers
// int64, floats float64, text string, decimals string in one form on every
// database (conv.Decimal: "100.50" for a decimal(10,2)), booleans bool, times
// time.Time, JSON json.RawMessage, bytes []byte, NULL nil. A Record is
// immutable and safe to keep.
type Record struct {
	cols *columnSet
	vals []any
}

// Len returns the number of columns.
func (r Record) Len() int { return len(r.vals) }

// Columns returns the column names in order.
func (r Record) Columns() []string {
	if r.cols == nil {
		return nil
	}
	return r.cols.names
}

// Values returns a copy of the values in column order.
func (r Record) Values() []any { return append([]any(nil), r.vals...) }

// Map returns the values keyed by column name.
func (r Record) Map() map[string]any {
	m := make(map[string]any, len(r.vals))
	for i, v := range r.vals {
		m[r.cols.names[i]] = v
	}
	return m
}

// Index returns the position of the named column, or -1.
func (r Record) Index(name string) int {
	if r.cols == nil {
		return -1
	}
	if i, ok := r.cols.index[name]; ok {
		return i
	}
	return -1
}

func (r Record) at(i int) (any, error) {
	if i < 0 || i >= len(r.vals) {
		return nil, fmt.Errorf("record: column index %d out of range (%d columns)", i, len(r.vals))
	}
	return r.vals[i], nil
}

func (r Record) named(name string) (any, int, error) {
	i := r.Index(name)
	if i < 0 {
		return nil, -1, fmt.Errorf("record: no column %q (columns: %v)", name, r.Columns())
	}
	return r.vals[i], i, nil
}

// Any returns the named column's value (nil for NULL).
func (r Record) Any(name string) (any, error) {
	v, _, err := r.named(name)
	return v, err
}

// AnyAt returns the i-th column's value.
func (r Record) AnyAt(i int) (any, error) { return r.at(i) }

// IsNull reports whether the named column is NULL (false if there is no
// such column).
func (r Record) IsNull(name string) bool {
	i := r.Index(name)
	return i >= 0 && r.vals[i] == nil
}

func get[T any](r Record, name string) (T, error) {
	var out T
	v, _, err := r.named(name)
	if err != nil {
		return out, err
	}
	if err := conv.Assign(&out, v); err != nil {
		return out, fmt.Errorf("record: column %q: %w", name, err)
	}
	return out, nil
}

func getAt[T any](r Record, i int) (T, error) {
	var out T
	v, err := r.at(i)
	if err != nil {
		return out, err
	}
	if err := conv.Assign(&out, v); err != nil {
		return out, fmt.Errorf("record: column %d (%s): %w", i, r.cols.names[i], err)
	}
	return out, nil
}

// Int64 returns the named column as an int64 (an error for NULL or a
// value that is not an integer).
func (r Record) Int64(name string) (int64, error) { return get[int64](r, name) }

// Int64At returns the i-th column as an int64.
func (r Record) Int64At(i int) (int64, error) { return getAt[int64](r, i) }

// String returns the named column as a string (numbers and decimals are
// formatted).
func (r Record) String(name string) (string, error) { return get[string](r, name) }

// StringAt returns the i-th column as a string.
func (r Record) StringAt(i int) (string, error) { return getAt[string](r, i) }

// Float64 returns the named column as a float64.
func (r Record) Float64(name string) (float64, error) { return get[float64](r, name) }

// Float64At returns the i-th column as a float64.
func (r Record) Float64At(i int) (float64, error) { return getAt[float64](r, i) }

// Bool returns the named column as a bool (0/1 integers are accepted).
func (r Record) Bool(name string) (bool, error) { return get[bool](r, name) }

// BoolAt returns the i-th column as a bool.
func (r Record) BoolAt(i int) (bool, error) { return getAt[bool](r, i) }

// Time returns the named column as a time.Time.
func (r Record) Time(name string) (time.Time, error) { return get[time.Time](r, name) }

// TimeAt returns the i-th column as a time.Time.
func (r Record) TimeAt(i int) (time.Time, error) { return getAt[time.Time](r, i) }

// Bytes returns the named column as bytes (a copy).
func (r Record) Bytes(name string) ([]byte, error) { return get[[]byte](r, name) }

// BytesAt returns the i-th column as bytes (a copy).
func (r Record) BytesAt(i int) ([]byte, error) { return getAt[[]byte](r, i) }

// Scan converts the named column into dest (a pointer), as Rows.Scan would.
func (r Record) Scan(name string, dest any) error {
	v, _, err := r.named(name)
	if err != nil {
		return err
	}
	if err := conv.Assign(dest, v); err != nil {
		return fmt.Errorf("record: column %q: %w", name, err)
	}
	return nil
}
