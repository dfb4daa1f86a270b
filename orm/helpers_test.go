package orm_test

import (
	"github.com/dlayer/dlayer/stmt"
)

func stmtCount(e *env, table string) *stmt.SelectStmt {
	t := e.db.Table(table)
	return stmt.Select(stmt.CountAll()).From(t)
}

func stmtCountOn(db interface{ Table(string) *stmt.Table }, table string) *stmt.SelectStmt {
	return stmt.Select(stmt.CountAll()).From(db.Table(table))
}
