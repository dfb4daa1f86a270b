package dialects

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// ConnectionErrorer is implemented by dialects that recognise their
// driver's own signs of a lost or refused connection (pgx's connect
// errors, the MySQL driver's "invalid connection", server-shutdown error
// codes). IsConnectionError asks it after the checks common to every
// driver.
type ConnectionErrorer interface {
	IsConnectionError(err error) bool
}

// LagReporter is implemented by dialects that can ask a read replica how
// far it is behind its primary. ReplicationLagSQL is a query returning one
// row with one column: the lag in seconds (a float; 0 on a primary, and on
// a replica that has replayed everything it received).
type LagReporter interface {
	ReplicationLagSQL() string
}

// IsConnectionError reports whether err says that the server could not be
// reached or that the connection to it was lost: refused, reset, closed,
// timed out, or the server shutting down or refusing connections (SQLSTATE
// class 08, 57P01–57P03, 53300). Such a failure is the server's or the
// network's, not the statement's: a read that failed so may run again
// elsewhere. A statement error (syntax, constraint, permission) is not
// one; neither is the caller's own context ending (check ctx.Err() first:
// a cancelled context is reported as context.Canceled, not as a
// connection error). d may be nil (the common checks only).
func IsConnectionError(d Dialect, err error) bool {
	if err == nil {
		return false
	}
	if ce, ok := d.(ConnectionErrorer); ok && ce.IsConnectionError(err) {
		return true
	}
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.As(err, &oe), errors.As(err, &ne):
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.ETIMEDOUT):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, driver.ErrBadConn):
		return true
	}
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		return connectionState(st.SQLState())
	}
	return false
}

// connectionState reports whether a SQLSTATE says the connection failed:
// class 08 (connection exception), admin/crash shutdown and "cannot
// connect now" (57P01–57P03: a server stopping, or starting and not yet
// accepting connections), too many connections (53300).
func connectionState(code string) bool {
	return strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" || code == "57P03" || code == "53300"
}
