package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Hand-written SQL shared by the pgx and database/sql contenders on
// PostgreSQL.
const (
	pgColumns   = `id, name, title, fax, web, age, "right", counter`
	pgInsertSQL = `INSERT INTO models (name, title, fax, web, age, "right", counter) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`
	pgUpdateSQL = `UPDATE models SET name = $1, title = $2, fax = $3, web = $4, age = $5, "right" = $6, counter = $7 WHERE id = $8`
	pgReadSQL   = `SELECT ` + pgColumns + ` FROM models WHERE id = $1`
	pgSliceSQL  = `SELECT ` + pgColumns + ` FROM models WHERE id > $1 ORDER BY id LIMIT $2`
	pgStreamSQL = `SELECT ` + pgColumns + ` FROM models LIMIT $1`
	pgUsersSQL  = `SELECT id, name, email FROM users ORDER BY id LIMIT $1`
	pgPostsSQL  = `SELECT id, user_id, title, body FROM posts WHERE user_id = ANY($1) ORDER BY id`
)

// multiInsertSQL returns the n-row INSERT … VALUES … RETURNING id statement
// for the models table, with placeholder numbering continuing from 1.
func multiInsertSQL(n int, placeholder func(int) string) string {
	var sb strings.Builder
	sb.WriteString(`INSERT INTO models (name, title, fax, web, age, "right", counter) VALUES `)
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for j := 0; j < 7; j++ {
			if j > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(placeholder(i*7 + j + 1))
		}
		sb.WriteByte(')')
	}
	sb.WriteString(" RETURNING id")
	return sb.String()
}

func dollar(n int) string { return "$" + strconv.Itoa(n) }

// appendModelArgs appends the seven non-key columns of each row.
func appendModelArgs(args []any, ms []Model) []any {
	for i := range ms {
		m := &ms[i]
		args = append(args, m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter)
	}
	return args
}

// pgxBench is the hand-written pgx contender: a pgxpool.Pool, the default
// statement cache, Scan into struct fields.
type pgxBench struct {
	pool      *pgxpool.Pool
	multiSQL  string // for multiRows rows
	flushSQL  string // for flushChunk rows
	flushSize int
}

const flushChunk = 1_000

func openPgx(ctx context.Context, dsn string) (any, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return &pgxBench{
		pool:     pool,
		multiSQL: multiInsertSQL(multiRows, dollar),
		flushSQL: multiInsertSQL(flushChunk, dollar),
	}, nil
}

func (p *pgxBench) Close() { p.pool.Close() }

func (p *pgxBench) Insert(ctx context.Context, m *Model) error {
	return p.pool.QueryRow(ctx, pgInsertSQL, m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter).Scan(&m.ID)
}

func (p *pgxBench) InsertMulti(ctx context.Context, ms []Model) error {
	q := p.multiSQL
	if len(ms) != multiRows {
		q = multiInsertSQL(len(ms), dollar)
	}
	rows, err := p.pool.Query(ctx, q, appendModelArgs(make([]any, 0, 7*len(ms)), ms)...)
	if err != nil {
		return err
	}
	return scanIDs(rows, ms)
}

// scanIDs reads RETURNING id rows into ms in order and closes rows.
func scanIDs(rows pgx.Rows, ms []Model) error {
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

func (p *pgxBench) Update(ctx context.Context, m *Model) error {
	tag, err := p.pool.Exec(ctx, pgUpdateSQL, m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter, m.ID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("update id %d: %d rows affected", m.ID, tag.RowsAffected())
	}
	return nil
}

func (p *pgxBench) Read(ctx context.Context, id int64, m *Model) error {
	return p.pool.QueryRow(ctx, pgReadSQL, id).Scan(&m.ID, &m.Name, &m.Title, &m.Fax, &m.Web, &m.Age, &m.Right, &m.Counter)
}

func (p *pgxBench) ReadSlice(ctx context.Context, after int64, limit int) ([]Model, error) {
	rows, err := p.pool.Query(ctx, pgSliceSQL, after, limit)
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

func (p *pgxBench) Stream(ctx context.Context, limit int, fn func(*Model)) error {
	rows, err := p.pool.Query(ctx, pgStreamSQL, limit)
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

// EagerLoad is the hand-written select-in: one query for the users, one for
// all their posts with user_id = ANY($1), stitched by a map.
func (p *pgxBench) EagerLoad(ctx context.Context, limit int) (loaded, error) {
	us, err := p.eagerLoad(ctx, limit)
	return summarize(us), err
}

func (p *pgxBench) eagerLoad(ctx context.Context, limit int) ([]User, error) {
	rows, err := p.pool.Query(ctx, pgUsersSQL, limit)
	if err != nil {
		return nil, err
	}
	var us []User
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.ID, &u.Name, &u.Email); err != nil {
			rows.Close()
			return nil, err
		}
		us = append(us, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := make([]int64, len(us))
	at := make(map[int64]int, len(us))
	for i := range us {
		ids[i] = us[i].ID
		at[us[i].ID] = i
	}
	rows, err = p.pool.Query(ctx, pgPostsSQL, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var po Post
		if err := rows.Scan(&po.ID, &po.UserID, &po.Title, &po.Body); err != nil {
			return nil, err
		}
		u := &us[at[po.UserID]]
		u.Posts = append(u.Posts, po)
	}
	return us, rows.Err()
}

// Flush inserts ms in one transaction as multi-row INSERT … RETURNING id
// statements of flushChunk rows, all queued in one pgx.Batch (one round
// trip), and sets every generated ID: what a unit of work must do.
func (p *pgxBench) Flush(ctx context.Context, ms []Model) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		var batch pgx.Batch
		var chunks [][]Model
		for start := 0; start < len(ms); start += flushChunk {
			chunk := ms[start:min(start+flushChunk, len(ms))]
			q := p.flushSQL
			if len(chunk) != flushChunk {
				q = multiInsertSQL(len(chunk), dollar)
			}
			batch.Queue(q, appendModelArgs(make([]any, 0, 7*len(chunk)), chunk)...)
			chunks = append(chunks, chunk)
		}
		br := tx.SendBatch(ctx, &batch)
		for _, chunk := range chunks {
			rows, err := br.Query()
			if err != nil {
				br.Close()
				return err
			}
			if err := scanIDs(rows, chunk); err != nil {
				br.Close()
				return err
			}
		}
		return br.Close()
	})
}

// pgxCopyBench is pgx's COPY path: the fastest way to load rows, but it
// returns no generated keys (IDs stay zero).
type pgxCopyBench struct{ pool *pgxpool.Pool }

func openPgxCopy(ctx context.Context, dsn string) (any, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return &pgxCopyBench{pool: pool}, nil
}

func (p *pgxCopyBench) Close() { p.pool.Close() }

var pgCopyColumns = []string{"name", "title", "fax", "web", "age", "right", "counter"}

func (p *pgxCopyBench) copy(ctx context.Context, db interface {
	CopyFrom(context.Context, pgx.Identifier, []string, pgx.CopyFromSource) (int64, error)
}, ms []Model) error {
	i := 0
	n, err := db.CopyFrom(ctx, pgx.Identifier{"models"}, pgCopyColumns, pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(ms) {
			return nil, nil
		}
		m := &ms[i]
		i++
		return []any{m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter}, nil
	}))
	if err == nil && n != int64(len(ms)) {
		err = fmt.Errorf("copy wrote %d of %d rows", n, len(ms))
	}
	return err
}

func (p *pgxCopyBench) InsertMulti(ctx context.Context, ms []Model) error {
	return p.copy(ctx, p.pool, ms)
}

func (p *pgxCopyBench) Flush(ctx context.Context, ms []Model) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error { return p.copy(ctx, tx, ms) })
}
