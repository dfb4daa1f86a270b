package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dlayer/dlayer/dialects"
)

var (
	_ dialects.ConnectionErrorer = (*Dialect)(nil)
	_ dialects.LagReporter       = (*Dialect)(nil)
)

// IsConnectionError reports pgx's own signs of a connection that could not
// be made (*pgconn.ConnectError) or was closed under it
// (pgconn.ErrConnClosed). dialects.IsConnectionError adds the checks
// common to every driver (network errors, SQLSTATE class 08, 57P01–57P03).
func (d *Dialect) IsConnectionError(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || errors.Is(err, pgconn.ErrConnClosed)
}

// ReplicationLagSQL returns the query that measures a hot standby's lag,
// in seconds: the age of the last transaction it replayed, or 0 when it
// has replayed all the WAL it received (an idle primary writes no
// transactions, so the age alone would grow without any lag) and on a
// server that is not in recovery. A standby cut off from its primary
// reports 0 too: it cannot know what it has not received.
func (d *Dialect) ReplicationLagSQL() string {
	return "SELECT CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0::float8 " +
		"ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)::float8 END"
}
