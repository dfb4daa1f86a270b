#!/usr/bin/env bash
# pgbouncer.sh — install (when missing), start and stop a throw-away pgbouncer
# in transaction-pooling mode with a small server pool, in front of the test
# PostgreSQL server (DLAYER_TEST_POSTGRES_URL, read from the environment or
# from .dbs/env). It listens on 127.0.0.1 only; its config, log and pid file
# live in a directory under /tmp that `stop` deletes.
#
#   scripts/pgbouncer.sh start    # install if needed, start, write .dbs/pgbouncer.env
#   scripts/pgbouncer.sh stop     # stop, delete its directory and env file
#   scripts/pgbouncer.sh status
#
# After start, `source .dbs/pgbouncer.env` exports DLAYER_TEST_PGBOUNCER_URL.
# Every database name is routed to the PostgreSQL server (a `*` entry), so
# databases created by the tests (internal/testdb/fresh) are reachable too.
# Port: DLAYER_PGBOUNCER_PORT (56432); server connections per database and
# user: DLAYER_PGBOUNCER_POOL (4).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${DLAYER_PGBOUNCER_DIR:-${TMPDIR:-/tmp}/dlayer-pgbouncer-$(id -u)-$(printf '%s' "$root" | cksum | cut -d' ' -f1)}
envfile=$root/.dbs/pgbouncer.env
port=${DLAYER_PGBOUNCER_PORT:-56432}
pool=${DLAYER_PGBOUNCER_POOL:-4}

log() { printf 'pgbouncer: %s\n' "$*" >&2; }

bin() {
	command -v pgbouncer 2>/dev/null || { [ -x /usr/sbin/pgbouncer ] && echo /usr/sbin/pgbouncer; }
}

# server_url prints the test PostgreSQL URL.
server_url() {
	if [ -z "${DLAYER_TEST_POSTGRES_URL:-}" ]; then
		local f
		for f in "$root/.dbs/env" /work/main/.dbs/env; do
			# shellcheck disable=SC1090
			[ -f "$f" ] && { source "$f"; break; }
		done
	fi
	[ -n "${DLAYER_TEST_POSTGRES_URL:-}" ] || {
		log "DLAYER_TEST_POSTGRES_URL is not set and no .dbs/env was found: start scripts/dbs.sh first"
		return 1
	}
	printf '%s\n' "$DLAYER_TEST_POSTGRES_URL"
}

running() {
	[ -f "$dir/pgbouncer.pid" ] && kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null
}

start() {
	if [ -z "$(bin)" ]; then
		log "installing pgbouncer from Debian packages"
		apt_install pgbouncer
	fi
	local url rest hostport host pgport user db
	url=$(server_url)
	# postgres://user[:pass]@host:port/db?params
	rest=${url#*://}
	user=${rest%%@*}
	user=${user%%:*}
	rest=${rest#*@}
	hostport=${rest%%/*}
	host=${hostport%%:*}
	pgport=${hostport##*:}
	[ "$pgport" = "$hostport" ] && pgport=5432
	db=${rest#*/}
	db=${db%%\?*}
	mkdir -p "$dir"
	# The PostgreSQL server trusts local TCP connections, so pgbouncer needs
	# no password: auth_type=trust with a user list. search_path is not in
	# ignore_startup_parameters: a client that sends it gets an error
	# instead of silently running in another schema (the pooler cannot keep
	# it per client).
	printf '"%s" ""\n' "$user" >"$dir/userlist.txt"
	cat >"$dir/pgbouncer.ini" <<-EOF
		[databases]
		* = host=$host port=$pgport

		[pgbouncer]
		listen_addr = 127.0.0.1
		listen_port = $port
		unix_socket_dir =
		auth_type = trust
		auth_file = $dir/userlist.txt
		pool_mode = transaction
		default_pool_size = $pool
		min_pool_size = 0
		reserve_pool_size = 0
		max_client_conn = 500
		max_db_connections = 0
		server_reset_query =
		ignore_startup_parameters = extra_float_digits
		logfile = $dir/pgbouncer.log
		pidfile = $dir/pgbouncer.pid
		admin_users = $user
	EOF
	[ "$(id -u)" -eq 0 ] && chown -R "$(pg_user)" "$dir"
	if running; then
		log "already running on port $port"
	else
		as_pg "$(bin)" -d "$dir/pgbouncer.ini" >&2
		local i
		for i in $(seq 1 50); do
			running && break
			sleep 0.1
		done
		running || {
			log "did not start; log follows"
			tail -n 30 "$dir/pgbouncer.log" >&2 || true
			return 1
		}
	fi
	mkdir -p "$root/.dbs"
	printf "export DLAYER_TEST_PGBOUNCER_URL='postgres://%s@127.0.0.1:%s/%s?sslmode=disable'\n" \
		"$user" "$port" "$db" >"$envfile"
	log "running on 127.0.0.1:$port (pool_mode=transaction, default_pool_size=$pool) in front of $host:$pgport; wrote $envfile"
}

stop() {
	if running; then
		kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
		local i
		for i in $(seq 1 50); do
			running || break
			sleep 0.1
		done
	fi
	rm -rf "$dir"
	rm -f "$envfile"
}

status() {
	if running; then
		echo "pgbouncer: running on 127.0.0.1:$port (pid $(cat "$dir/pgbouncer.pid"))"
	else
		echo "pgbouncer: not running"
		return 1
	fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*)
	echo "usage: $0 start|stop|status" >&2
	exit 2
	;;
esac
