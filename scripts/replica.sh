#!/usr/bin/env bash
# replica.sh — a private PostgreSQL primary and a real streaming replica of it
# (pg_basebackup -R, hot standby), for the replica-failure tests. Both listen
# on 127.0.0.1 only, with trust authentication for the user 'dlayer', and
# data directories under $DLAYER_REPLICA_DIR (default: a directory in /tmp
# named after this checkout), which `stop` deletes. The shared test servers
# of scripts/dbs.sh are not touched.
#
#   scripts/replica.sh start   # install if needed, start both, write .dbs/replica.env
#   scripts/replica.sh stop    # stop both, delete their data
#   scripts/replica.sh status
#
# After start, `source .dbs/replica.env` exports:
#   DLAYER_TEST_PG_PRIMARY_URL   the primary (database 'dlayer')
#   DLAYER_TEST_PG_STANDBY_URL   the hot standby streaming from it
#   DLAYER_TEST_PG_STANDBY_CTL   the pg_ctl binary (run it as DLAYER_TEST_PG_STANDBY_USER)
#   DLAYER_TEST_PG_STANDBY_DATA  the standby's data directory
#   DLAYER_TEST_PG_STANDBY_OPTS  the server options to restart the standby with (pg_ctl -o)
#   DLAYER_TEST_PG_STANDBY_USER  the system user the servers run as ('postgres' under root)
#   DLAYER_TEST_PG_STANDBY_LOG   the standby's server log (writable by that user)
# A test stops the standby with
#   [runuser -u $USER --] $CTL -D $DATA -m immediate -w stop
# and restarts it with
#   [runuser -u $USER --] $CTL -D $DATA -l $LOG -o "$OPTS" -w start
# Ports: DLAYER_REPLICA_PRIMARY_PORT (55442), DLAYER_REPLICA_STANDBY_PORT (55443).
# A second, independent pair (say, for tests that promote the standby) needs
# its own DLAYER_REPLICA_DIR, ports and DLAYER_REPLICA_ENV (the env file).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${DLAYER_REPLICA_DIR:-${TMPDIR:-/tmp}/dlayer-replica-$(id -u)-$(printf '%s' "$root" | cksum | cut -d' ' -f1)}
envfile=${DLAYER_REPLICA_ENV:-$root/.dbs/replica.env}
p_port=${DLAYER_REPLICA_PRIMARY_PORT:-55442}
s_port=${DLAYER_REPLICA_STANDBY_PORT:-55443}
primary=$dir/primary
standby=$dir/standby

log() { printf 'replica: %s\n' "$*" >&2; }

# server_opts PORT DATADIR: the options both servers run with. Durability is
# off (throw-away data); wal_level=replica and hot_standby=on make the
# standby readable; wal_keep_size keeps enough WAL for a standby that was
# stopped for a while to catch up without a slot.
server_opts() {
	printf '%s' "-c listen_addresses=127.0.0.1 -p $1 -k $2 -c fsync=off -c full_page_writes=on" \
		" -c synchronous_commit=off -c wal_level=replica -c hot_standby=on -c max_wal_senders=10" \
		" -c wal_keep_size=256MB -c max_connections=100 -c wal_receiver_status_interval=1s" \
		" -c hot_standby_feedback=on"
}

running() { # running DATADIR
	as_pg "$bin/pg_ctl" -D "$1" status >/dev/null 2>&1
}

start_primary() {
	mkdir -p "$primary" "$dir/logs"
	chown "$(pg_user)" "$dir/logs"
	chown "$(pg_user)" "$primary"
	chmod 700 "$primary"
	if [ ! -f "$primary/PG_VERSION" ]; then
		as_pg "$bin/initdb" -D "$primary" -U dlayer --auth=trust -E UTF8 --locale=C >"$dir/primary-initdb.log" 2>&1
		# Trust for the test user, and replication connections, on loopback only.
		cat >"$primary/pg_hba.conf" <<-EOF2
			local all all trust
			host all all 127.0.0.1/32 trust
			local replication all trust
			host replication all 127.0.0.1/32 trust
		EOF2
		chown "$(pg_user)" "$primary/pg_hba.conf"
	fi
	if running "$primary"; then
		log "primary already running"
	else
		as_pg "$bin/pg_ctl" -D "$primary" -l "$dir/logs/primary.log" -w -t 60 -o "$(server_opts "$p_port" "$primary")" start >/dev/null
	fi
	"$bin/psql" -h 127.0.0.1 -p "$p_port" -U dlayer -d postgres -qAtc "SELECT 1 FROM pg_database WHERE datname='dlayer'" | grep -q 1 ||
		"$bin/psql" -h 127.0.0.1 -p "$p_port" -U dlayer -d postgres -qc "CREATE DATABASE dlayer" >&2
}

start_standby() {
	if [ ! -f "$standby/PG_VERSION" ]; then
		rm -rf "$standby"
		mkdir -p "$standby"
		chown "$(pg_user)" "$standby"
		chmod 700 "$standby"
		# -R writes standby.signal and primary_conninfo; -X stream copies
		# the WAL made during the backup.
		as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$p_port" -U dlayer -D "$standby" -R -X stream -c fast >"$dir/basebackup.log" 2>&1 || {
			log "pg_basebackup failed; log follows"
			cat "$dir/basebackup.log" >&2
			return 1
		}
	fi
	if running "$standby"; then
		log "standby already running"
	else
		as_pg "$bin/pg_ctl" -D "$standby" -l "$dir/logs/standby.log" -w -t 60 -o "$(server_opts "$s_port" "$standby")" start >/dev/null
	fi
	# Wait until it is a streaming hot standby.
	local i
	for i in $(seq 1 100); do
		[ "$("$bin/psql" -h 127.0.0.1 -p "$p_port" -U dlayer -d postgres -qAtc "SELECT count(*) FROM pg_stat_replication WHERE state='streaming'" 2>/dev/null)" = 1 ] &&
			[ "$("$bin/psql" -h 127.0.0.1 -p "$s_port" -U dlayer -d dlayer -qAtc "SELECT pg_is_in_recovery()" 2>/dev/null)" = t ] && return 0
		sleep 0.1
	done
	log "the standby is not streaming; its log follows"
	tail -n 30 "$dir/logs/standby.log" >&2
	return 1
}

stop_server() { # stop_server DATADIR
	[ -f "$1/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$1" -m fast -w stop >/dev/null 2>&1 || true
}

write_env() {
	mkdir -p "$(dirname "$envfile")"
	cat >"$envfile" <<-EOF2
		export DLAYER_TEST_PG_PRIMARY_URL='postgres://dlayer@127.0.0.1:$p_port/dlayer?sslmode=disable'
		export DLAYER_TEST_PG_STANDBY_URL='postgres://dlayer@127.0.0.1:$s_port/dlayer?sslmode=disable'
		export DLAYER_TEST_PG_STANDBY_CTL='$bin/pg_ctl'
		export DLAYER_TEST_PG_STANDBY_DATA='$standby'
		export DLAYER_TEST_PG_STANDBY_OPTS='$(server_opts "$s_port" "$standby")'
		export DLAYER_TEST_PG_STANDBY_USER='$(pg_user)'
		export DLAYER_TEST_PG_STANDBY_LOG='$dir/logs/standby.log'
	EOF2
}

case "${1:-}" in
start)
	if ! bin=$(pg_bindir); then
		log "installing PostgreSQL from Debian packages"
		apt_install postgresql postgresql-client
		bin=$(pg_bindir)
	fi
	mkdir -p "$dir"
	chmod 755 "$dir"
	start_primary
	start_standby
	write_env
	log "primary on 127.0.0.1:$p_port, streaming standby on 127.0.0.1:$s_port; source $envfile"
	;;
stop)
	if bin=$(pg_bindir); then
		stop_server "$standby"
		stop_server "$primary"
	fi
	rm -rf "$dir" "$envfile"
	log "stopped; data removed"
	;;
status)
	bin=$(pg_bindir) || { log "PostgreSQL is not installed"; exit 1; }
	ok=0
	running "$primary" && log "primary running on 127.0.0.1:$p_port" || { log "primary not running"; ok=1; }
	running "$standby" && log "standby running on 127.0.0.1:$s_port" || { log "standby not running"; ok=1; }
	[ -f "$envfile" ] && cat "$envfile" || { log "no $envfile"; ok=1; }
	exit $ok
	;;
*)
	echo "usage: $0 start|stop|status" >&2
	exit 2
	;;
esac
