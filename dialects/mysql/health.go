package mysql

import (
	"errors"

	"github.com/go-sql-driver/mysql"

	"github.com/dlayer/dlayer/dialects"
)

var _ dialects.ConnectionErrorer = (*Dialect)(nil)

// MySQL/MariaDB error numbers that mean the connection is gone or refused.
const (
	errServerShutdown  = 1053 // ER_SERVER_SHUTDOWN
	errConCount        = 1040 // ER_CON_COUNT_ERROR: too many connections
	errConnectionKill  = 1927 // ER_CONNECTION_KILLED (MariaDB)
	errClientInterrupt = 4031 // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8.0.24+): idle connection closed by the server
)

// IsConnectionError reports the MySQL driver's own signs of a lost
// connection (mysql.ErrInvalidConn, which it returns for a connection the
// server closed) and the server's shutdown, "too many connections" and
// connection-killed errors. dialects.IsConnectionError adds the checks
// common to every driver (network errors, driver.ErrBadConn).
func (d *Dialect) IsConnectionError(err error) bool {
	if errors.Is(err, mysql.ErrInvalidConn) {
		return true
	}
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	switch me.Number {
	case errServerShutdown, errConCount, errConnectionKill, errClientInterrupt:
		return true
	}
	return false
}
