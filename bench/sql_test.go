package bench

import (
	"context"
	"database/sql"
	"fmt"
)

// sqlBench is the hand-written database/sql contender, shared by PostgreSQL
// (pgx's stdlib driver) and SQLite (modernc.org/sqlite): the same Go code
// with each database's SQL text.
type sqlBench struct {
	db       *sql.DB
	q        sqlText
	multiSQL string
}

// sqlText is one database's SQL for the sqlBench contender.
type sqlText struct {
	insert, update, read, slice, stream string
	placeholder                         func(int) string
	// lastInsertID reads the generated key with Result.LastInsertId
	// instead of RETURNING.
	lastInsertID bool
}

var pgText = sqlText{
	insert: pgInsertSQL, update: pgUpdateSQL, read: pgReadSQL, slice: pgSliceSQL, stream: pgStreamSQL,
	placeholder: dollar,
}

func newSQLBench(db *sql.DB, q sqlText) *sqlBench {
	return &sqlBench{db: db, q: q, multiSQL: multiInsertSQL(multiRows, q.placeholder)}
}

func (s *sqlBench) Close() { s.db.Close() }

func (s *sqlBench) Insert(ctx context.Context, m *Model) error {
	if s.q.lastInsertID {
		res, err := s.db.ExecContext(ctx, s.q.insert, m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter)
		if err != nil {
			return err
		}
		m.ID, err = res.LastInsertId()
		return err
	}
	return s.db.QueryRowContext(ctx, s.q.insert, m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter).Scan(&m.ID)
}

func (s *sqlBench) InsertMulti(ctx context.Context, ms []Model) error {
	q := s.multiSQL
	if len(ms) != multiRows {
		q = multiInsertSQL(len(ms), s.q.placeholder)
	}
	rows, err := s.db.QueryContext(ctx, q, appendModelArgs(make([]any, 0, 7*len(ms)), ms)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		if i == len(ms) {
			return fmt.Errorf("insert returned more than %d ids", len(ms))
		}
		if err := rows.Scan(&ms[i].ID); err != nil {
			return err
		}
		i++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if i != len(ms) {
		return fmt.Errorf("insert returned %d ids for %d rows", i, len(ms))
	}
	return nil
}

func (s *sqlBench) Update(ctx context.Context, m *Model) error {
	res, err := s.db.ExecContext(ctx, s.q.update, m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter, m.ID)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("update id %d: %d rows affected", m.ID, n)
	}
	return nil
}

func (s *sqlBench) Read(ctx context.Context, id int64, m *Model) error {
	return s.db.QueryRowContext(ctx, s.q.read, id).Scan(&m.ID, &m.Name, &m.Title, &m.Fax, &m.Web, &m.Age, &m.Right, &m.Counter)
}

func (s *sqlBench) ReadSlice(ctx context.Context, after int64, limit int) ([]Model, error) {
	rows, err := s.db.QueryContext(ctx, s.q.slice, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ms []Model
	for rows.Next() {
		var m Model
		if err := rows.Scan(&m.ID, &m.Name, &m.Title, &m.Fax, &m.Web, &m.Age, &m.Right, &m.Counter); err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

func (s *sqlBench) Stream(ctx context.Context, limit int, fn func(*Model)) error {
	rows, err := s.db.QueryContext(ctx, s.q.stream, limit)
	if err != nil {
		return err
	}
	defer rows.Close()
	var m Model
	for rows.Next() {
		if err := rows.Scan(&m.ID, &m.Name, &m.Title, &m.Fax, &m.Web, &m.Age, &m.Right, &m.Counter); err != nil {
			return err
		}
		fn(&m)
	}
	return rows.Err()
}
