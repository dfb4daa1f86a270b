package dialects_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/mysql"
	"github.com/dlayer/dlayer/dialects/postgres"
	"github.com/dlayer/dlayer/dialects/sqlite"
)

func TestIsConnectionError(t *testing.T) {
	pg, my, lite := postgres.Default(), mysql.Default(), sqlite.Default()
	tests := []struct {
		name string
		d    dialects.Dialect
		err  error
		want bool
	}{
		{"nil", pg, nil, false},
		{"refused", nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"reset, wrapped", lite, fmt.Errorf("run: %w", syscall.ECONNRESET), true},
		{"broken pipe", nil, syscall.EPIPE, true},
		{"EOF", nil, fmt.Errorf("read: %w", io.EOF), true},
		{"unexpected EOF", nil, io.ErrUnexpectedEOF, true},
		{"closed network connection", nil, net.ErrClosed, true},
		{"bad connection", nil, driver.ErrBadConn, true},
		{"a driver's connect timeout", nil, context.DeadlineExceeded, true},
		{"class 08", nil, &pgconn.PgError{Code: "08006"}, true},
		{"admin shutdown", nil, &pgconn.PgError{Code: "57P01"}, true},
		{"crash shutdown", nil, &pgconn.PgError{Code: "57P02"}, true},
		{"starting up", nil, &pgconn.PgError{Code: "57P03"}, true},
		{"too many connections", nil, &pgconn.PgError{Code: "53300"}, true},
		{"query cancelled", pg, &pgconn.PgError{Code: "57014"}, false},
		{"syntax", pg, &pgconn.PgError{Code: "42601"}, false},
		{"serialization (retry the transaction, not the server)", pg, dialects.Retryable(dialects.ErrSerialization, &pgconn.PgError{Code: "40001"}), false},
		{"constraint", pg, &dialects.ConstraintError{Kind: dialects.Unique, Err: &pgconn.PgError{Code: "23505"}}, false},
		{"pgx conn closed", pg, fmt.Errorf("q: %w", pgconn.ErrConnClosed), true},
		{"pgx conn closed, no dialect", nil, fmt.Errorf("q: %w", pgconn.ErrConnClosed), false},
		{"mysql invalid connection", my, gomysql.ErrInvalidConn, true},
		{"mysql server shutdown", my, &gomysql.MySQLError{Number: 1053}, true},
		{"mysql too many connections", my, &gomysql.MySQLError{Number: 1040}, true},
		{"mariadb connection killed", my, &gomysql.MySQLError{Number: 1927}, true},
		{"mysql duplicate entry", my, &gomysql.MySQLError{Number: 1062}, false},
		{"mysql syntax", my, &gomysql.MySQLError{Number: 1064}, false},
		{"plain error", pg, errors.New("boom"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := dialects.IsConnectionError(tc.d, tc.err); got != tc.want {
				t.Fatalf("IsConnectionError(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestReplicationLagSQL(t *testing.T) {
	var d dialects.Dialect = postgres.Default()
	if lr, ok := d.(dialects.LagReporter); !ok || lr.ReplicationLagSQL() == "" {
		t.Fatal("PostgreSQL reports no replication lag query")
	}
	for _, d := range []dialects.Dialect{mysql.Default(), sqlite.Default()} {
		if _, ok := d.(dialects.LagReporter); ok {
			t.Fatalf("%s claims to measure lag", d.Name())
		}
	}
}
