package bench

import (
	"context"
	"database/sql"
)

// The hand-prepared baseline: database/sql statements prepared once and
// reused, the fastest a database/sql program gets on SQLite (no parsing
// per call). It takes part in Insert and Read only, after the unprepared
// sql and dlayer columns:
//
//	BenchmarkSQLite/Read/lib=sql            prepares on every call
//	BenchmarkSQLite/Read/lib=dlayer
//	BenchmarkSQLite/Read/lib=sql-prepared   prepared once
func init() {
	sqliteContenders = append(sqliteContenders, contender{"sql-prepared", openSQLitePrepared})
}

// sqlPrepared holds the prepared Insert and Read statements of one
// *sql.DB; database/sql prepares each again on a connection that has not
// seen it and keeps it there.
type sqlPrepared struct {
	db           *sql.DB
	insert, read *sql.Stmt
}

func openSQLitePrepared(ctx context.Context, dsn string) (any, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	p := &sqlPrepared{db: db}
	if p.insert, err = db.PrepareContext(ctx, sqliteText.insert); err == nil {
		p.read, err = db.PrepareContext(ctx, sqliteText.read)
	}
	if err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *sqlPrepared) Close() {
	for _, st := range []*sql.Stmt{p.insert, p.read} {
		if st != nil {
			st.Close()
		}
	}
	p.db.Close()
}

func (p *sqlPrepared) Insert(ctx context.Context, m *Model) error {
	res, err := p.insert.ExecContext(ctx, m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter)
	if err != nil {
		return err
	}
	m.ID, err = res.LastInsertId()
	return err
}

func (p *sqlPrepared) Read(ctx context.Context, id int64, m *Model) error {
	return p.read.QueryRowContext(ctx, id).Scan(&m.ID, &m.Name, &m.Title, &m.Fax, &m.Web, &m.Age, &m.Right, &m.Counter)
}
