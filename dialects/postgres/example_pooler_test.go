package postgres_test

import (
	"fmt"

	"github.com/dlayer/dlayer/dialects/postgres"
)

// ExampleConnString_pooler shows dlayer's own URL options for a
// transaction-pooling pooler: pooler=transaction (no named prepared
// statements, session state refused with postgres.ErrSessionState, the
// table migration lock) and migrate_lock. Neither reaches pgx or the server.
func ExampleConnString_pooler() {
	conn, err := postgres.ConnString("postgres://app@pgbouncer:6432/app?sslmode=disable&pooler=transaction&migrate_lock=table")
	fmt.Println(conn, err)
	_, err = postgres.ConnString("postgres://app@pgbouncer:6432/app?pooler=statement")
	fmt.Println(err)
	// Output:
	// postgresql://app@pgbouncer:6432/app?sslmode=disable <nil>
	// open postgres://app@pgbouncer:6432/app?pooler=statement: ?pooler="statement": want one of transaction, session
}
