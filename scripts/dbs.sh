#!/usr/bin/env bash
# dbs.sh — install (when missing), start and stop the throw-away PostgreSQL and
# MariaDB servers the test suite runs against. Servers listen on 127.0.0.1
# only, with data directories under $DLAYER_DBS_DIR (default: a directory in
# /tmp named after this checkout, so the 'postgres' user can reach it even when
# the checkout is under /root), which `stop` deletes.
#
#   scripts/dbs.sh start   # install if needed, start both, write .dbs/env
#   scripts/dbs.sh stop    # stop both, delete their data
#   scripts/dbs.sh status
#
# After start, `source .dbs/env` (in the checkout) exports DLAYER_TEST_POSTGRES_URL and
# DLAYER_TEST_MYSQL_URL. Ports: DLAYER_PG_PORT (55432), DLAYER_MY_PORT (33306).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${DLAYER_DBS_DIR:-${TMPDIR:-/tmp}/dlayer-dbs-$(id -u)-$(printf '%s' "$root" | cksum | cut -d' ' -f1)}
envfile=$root/.dbs/env
pg_port=${DLAYER_PG_PORT:-55432}
my_port=${DLAYER_MY_PORT:-33306}

log() { printf 'dbs: %s\n' "$*" >&2; }

ensure_installed() {
	if ! pg_bindir >/dev/null; then
		log "installing PostgreSQL from Debian packages"
		apt_install postgresql postgresql-client
	fi
	if ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then
		log "installing MariaDB from Debian packages"
		apt_install mariadb-server-core mariadb-client-core
	fi
}

start_pg() {
	local bin data=$dir/pg
	bin=$(pg_bindir)
	mkdir -p "$data"
	[ "$(id -u)" -eq 0 ] && chown -R "$(pg_user)" "$data"
	chmod 700 "$data"
	if [ ! -f "$data/PG_VERSION" ]; then
		as_pg "$bin/initdb" -D "$data" -U dlayer --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/pg-initdb.log" 2>&1 ||
			as_pg "$bin/initdb" -D "$data" -U dlayer --auth=trust -E UTF8 --locale=C >"$dir/pg-initdb.log" 2>&1
	fi
	if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		log "PostgreSQL already running"
	else
		as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $pg_port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >&2
	fi
	# A database for the tests, plus a second one for read-replica routing tests.
	"$bin/psql" -h 127.0.0.1 -p "$pg_port" -U dlayer -d postgres -qAtc "SELECT 1 FROM pg_database WHERE datname='dlayer'" | grep -q 1 ||
		"$bin/psql" -h 127.0.0.1 -p "$pg_port" -U dlayer -d postgres -qc "CREATE DATABASE dlayer" >&2
	"$bin/psql" -h 127.0.0.1 -p "$pg_port" -U dlayer -d postgres -qAtc "SELECT 1 FROM pg_database WHERE datname='dlayer_replica'" | grep -q 1 ||
		"$bin/psql" -h 127.0.0.1 -p "$pg_port" -U dlayer -d postgres -qc "CREATE DATABASE dlayer_replica" >&2
}

stop_pg() {
	local bin data=$dir/pg
	bin=$(pg_bindir) || return 0
	[ -f "$data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >&2 || true
}

my_client() {
	if command -v mariadb >/dev/null; then mariadb "$@"; else mysql "$@"; fi
}

start_my() {
	local data=$dir/my mysqld=/usr/sbin/mariadbd
	[ -x "$mysqld" ] || mysqld=$(command -v mariadbd || command -v mysqld)
	mkdir -p "$data"
	if [ ! -d "$data/mysql" ]; then
		mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$data" \
			--auth-root-authentication-method=normal --skip-test-db >"$dir/my-install.log" 2>&1
	fi
	if [ -f "$data/mysqld.pid" ] && kill -0 "$(cat "$data/mysqld.pid")" 2>/dev/null; then
		log "MariaDB already running"
		return 0
	fi
	"$mysqld" --no-defaults --user="$(id -un)" --datadir="$data" --socket="$data/mysqld.sock" \
		--pid-file="$data/mysqld.pid" --port="$my_port" --bind-address=127.0.0.1 \
		--skip-name-resolve --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
		--innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=256M --max-connections=300 \
		--log-error="$dir/my.log" >/dev/null 2>&1 &
	local i
	for i in $(seq 1 120); do
		my_client --no-defaults -uroot --socket="$data/mysqld.sock" -e "SELECT 1" >/dev/null 2>&1 && break
		sleep 0.5
	done
	my_client --no-defaults -uroot --socket="$data/mysqld.sock" -e "SELECT 1" >/dev/null 2>&1 || {
		log "MariaDB did not start; log follows"
		tail -n 30 "$dir/my.log" >&2
		return 1
	}
	my_client --no-defaults -uroot --socket="$data/mysqld.sock" <<-'SQL'
		CREATE DATABASE IF NOT EXISTS dlayer CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
		CREATE DATABASE IF NOT EXISTS dlayer_replica CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
		CREATE USER IF NOT EXISTS 'dlayer'@'127.0.0.1' IDENTIFIED BY 'dlayer';
		CREATE USER IF NOT EXISTS 'dlayer'@'localhost' IDENTIFIED BY 'dlayer';
		GRANT ALL PRIVILEGES ON *.* TO 'dlayer'@'127.0.0.1' WITH GRANT OPTION;
		GRANT ALL PRIVILEGES ON *.* TO 'dlayer'@'localhost' WITH GRANT OPTION;
		FLUSH PRIVILEGES;
	SQL
}

stop_my() {
	local data=$dir/my pid
	[ -f "$data/mysqld.pid" ] || return 0
	pid=$(cat "$data/mysqld.pid")
	kill "$pid" 2>/dev/null || true
	local i
	for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
	kill -9 "$pid" 2>/dev/null || true
}

write_env() {
	mkdir -p "$(dirname "$envfile")"
	cat >"$envfile" <<-EOF2
		export DLAYER_TEST_POSTGRES_URL='postgres://dlayer@127.0.0.1:$pg_port/dlayer?sslmode=disable'
		export DLAYER_TEST_POSTGRES_REPLICA_URL='postgres://dlayer@127.0.0.1:$pg_port/dlayer_replica?sslmode=disable'
		export DLAYER_TEST_MYSQL_URL='mysql://dlayer:dlayer@127.0.0.1:$my_port/dlayer'
		export DLAYER_TEST_MYSQL_REPLICA_URL='mysql://dlayer:dlayer@127.0.0.1:$my_port/dlayer_replica'
	EOF2
}

case "${1:-}" in
start)
	ensure_installed
	mkdir -p "$dir"
	chmod 755 "$dir"
	start_pg
	start_my
	write_env
	log "PostgreSQL on 127.0.0.1:$pg_port, MariaDB on 127.0.0.1:$my_port; source $envfile"
	;;
stop)
	stop_pg
	stop_my
	rm -rf "$dir" "$envfile"
	log "stopped; data removed"
	;;
status)
	[ -f "$envfile" ] && cat "$envfile" || { log "not running"; exit 1; }
	;;
*)
	echo "usage: $0 start|stop|status" >&2
	exit 2
	;;
esac
