#!/usr/bin/env bash
# galera.sh — install (when missing), start and stop a throw-away 3-node
# MariaDB Galera cluster (Debian galera-4, multi-primary, synchronous) on
# 127.0.0.1, for the cluster tests in internal/galeratest. Data directories,
# configs and logs live in a directory under /tmp that `stop` deletes.
#
#   scripts/galera.sh start    # install if needed, start 3 nodes, write .dbs/galera.env
#   scripts/galera.sh stop     # stop the nodes, delete their data and the env file
#   scripts/galera.sh status
#
# After start, `source .dbs/galera.env` exports DLAYER_TEST_GALERA_URLS: three
# mysql:// URLs (one per node), separated by spaces.
#
# Ports (node i = 0, 1, 2): SQL DLAYER_GALERA_PORT+i (33406..33408), group
# communication 45670+i, IST 45680+i, SST 45690+i.
#
# State transfer: joiners get node 0's data by rsync SST (wsrep_sst_rsync,
# which Debian ships in mariadb-server, not in the mariadb-server-core
# scripts/dbs.sh installs: it is installed when missing; the package's own
# service is not started). wsrep_sst_method=skip does not work here: with
# MariaDB 10.11 and galera 26.4 the joiner stays "Joining: receiving State
# Transfer" for ever.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${DLAYER_GALERA_DIR:-${TMPDIR:-/tmp}/dlayer-galera-$(id -u)-$(printf '%s' "$root" | cksum | cut -d' ' -f1)}
envfile=$root/.dbs/galera.env
base_port=${DLAYER_GALERA_PORT:-33406}
nodes=3

log() { printf 'galera: %s\n' "$*" >&2; }

provider() {
	local p
	for p in /usr/lib/galera/libgalera_smm.so /usr/lib/libgalera_smm.so /usr/lib/galera-4/libgalera_smm.so; do
		[ -f "$p" ] && { echo "$p"; return 0; }
	done
	return 1
}

mysqld_bin() {
	if [ -x /usr/sbin/mariadbd ]; then echo /usr/sbin/mariadbd; else command -v mariadbd || command -v mysqld; fi
}

ensure_installed() {
	if ! mysqld_bin >/dev/null 2>&1; then
		log "installing MariaDB from Debian packages"
		apt_install mariadb-server-core mariadb-client-core
	fi
	if ! provider >/dev/null || ! command -v wsrep_sst_rsync >/dev/null || ! command -v rsync >/dev/null; then
		log "installing galera-4 and the SST scripts (mariadb-server) from Debian packages"
		apt_install galera-4 rsync mariadb-server
	fi
}

client() {
	if command -v mariadb >/dev/null; then mariadb --no-defaults "$@"; else mysql --no-defaults "$@"; fi
}

# sql i STATEMENT... runs SQL as root on node i through its socket.
sql() {
	local i=$1
	shift
	client -uroot --socket="$dir/n$i/mysqld.sock" -N -B "$@"
}

node_running() {
	local pidf=$dir/n$1.pid
	[ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null
}

cluster_address() {
	local i addr=""
	for i in $(seq 0 $((nodes - 1))); do addr+="${addr:+,}127.0.0.1:$((45670 + i))"; done
	echo "gcomm://$addr"
}

# run_user is the user the servers run as: as root, the 'mysql' user the
# Debian packages create (the rsync SST daemon run by a root server drops to
# 'nobody' and cannot write the joiner's data directory).
run_user() {
	if [ "$(id -u)" -eq 0 ]; then echo mysql; else id -un; fi
}

start_node() {
	local i=$1 data=$dir/n$1 extra=()
	mkdir -p "$data"
	# Node 0 gets a fresh data directory; the others start empty and
	# receive node 0's by SST.
	if [ "$i" -eq 0 ] && [ ! -d "$data/mysql" ]; then
		mariadb-install-db --no-defaults --user="$(run_user)" --datadir="$data" \
			--auth-root-authentication-method=normal --skip-test-db >"$dir/n$i-install.log" 2>&1
	fi
	[ "$(id -u)" -eq 0 ] && chown -R "$(run_user)" "$data"
	[ "$i" -eq 0 ] && extra+=(--wsrep-new-cluster)
	"$(mysqld_bin)" --no-defaults --user="$(run_user)" --datadir="$data" --socket="$data/mysqld.sock" \
		--pid-file="$data/mysqld.pid" --port=$((base_port + i)) --bind-address=127.0.0.1 \
		--skip-name-resolve --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
		--innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=64M --max-connections=200 \
		--log-error="$dir/n$i.log" \
		--binlog-format=ROW --default-storage-engine=InnoDB --innodb-autoinc-lock-mode=2 \
		--wsrep-on=ON --wsrep-provider="$(provider)" --wsrep-cluster-name=dlayer-test \
		--wsrep-cluster-address="$(cluster_address)" --wsrep-node-name="n$i" \
		--wsrep-node-address="127.0.0.1:$((45670 + i))" \
		--wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:$((45670 + i));ist.recv_addr=127.0.0.1:$((45680 + i));gcache.size=32M;pc.recovery=FALSE" \
		--wsrep-sst-method=rsync --wsrep-sst-receive-address="127.0.0.1:$((45690 + i))" \
		--wsrep-slave-threads=1 \
		"${extra[@]}" >/dev/null 2>&1 &
	# The server writes its pid file only after the state transfer: keep
	# the pid now, for node_running and stop.
	echo $! >"$dir/n$i.pid"
}

# wait_synced i waits until node i answers and reports Synced.
wait_synced() {
	local i=$1 n state
	for n in $(seq 1 240); do
		state=$(sql "$i" -e "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2) || true
		[ "$state" = Synced ] && return 0
		node_running "$i" || break
		sleep 0.5
	done
	log "node $i did not reach Synced (state: ${state:-no answer}); log follows"
	tail -n 40 "$dir/n$i.log" >&2 || true
	return 1
}

start() {
	ensure_installed
	mkdir -p "$dir"
	chmod 755 "$dir"
	local i all=1
	for i in $(seq 0 $((nodes - 1))); do node_running "$i" || all=0; done
	if [ "$all" -eq 1 ]; then
		log "cluster already running"
	else
		# A partial cluster is not worth repairing: start from scratch.
		stop_nodes
		rm -rf "${dir:?}"/n*
		for i in $(seq 0 $((nodes - 1))); do
			start_node "$i"
			wait_synced "$i"
		done
	fi
	local size
	for i in $(seq 1 60); do
		size=$(sql 0 -e "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2)
		[ "$size" = "$nodes" ] && break
		sleep 0.5
	done
	[ "$size" = "$nodes" ] || { log "wsrep_cluster_size=$size, want $nodes"; return 1; }
	for i in $(seq 0 $((nodes - 1))); do wait_synced "$i"; done
	# The test user and database, created on node 0: they replicate.
	sql 0 <<-'SQL'
		CREATE DATABASE IF NOT EXISTS dlayer CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
		CREATE USER IF NOT EXISTS 'dlayer'@'127.0.0.1' IDENTIFIED BY 'dlayer';
		CREATE USER IF NOT EXISTS 'dlayer'@'localhost' IDENTIFIED BY 'dlayer';
		GRANT ALL PRIVILEGES ON *.* TO 'dlayer'@'127.0.0.1' WITH GRANT OPTION;
		GRANT ALL PRIVILEGES ON *.* TO 'dlayer'@'localhost' WITH GRANT OPTION;
	SQL
	# Wait until the user is usable on every node.
	for i in $(seq 0 $((nodes - 1))); do
		local n
		for n in $(seq 1 40); do
			client -udlayer -pdlayer -h127.0.0.1 -P$((base_port + i)) -e "SELECT 1" dlayer >/dev/null 2>&1 && break
			sleep 0.25
		done
		client -udlayer -pdlayer -h127.0.0.1 -P$((base_port + i)) -e "SELECT 1" dlayer >/dev/null || {
			log "user dlayer cannot connect to node $i"
			return 1
		}
	done
	local urls=""
	for i in $(seq 0 $((nodes - 1))); do urls+="${urls:+ }mysql://dlayer:dlayer@127.0.0.1:$((base_port + i))/dlayer"; done
	mkdir -p "$(dirname "$envfile")"
	printf "export DLAYER_TEST_GALERA_URLS='%s'\n" "$urls" >"$envfile"
	log "3-node Galera cluster on 127.0.0.1:$base_port-$((base_port + nodes - 1)); source $envfile"
}

stop_nodes() {
	local i pid n
	# Stop in reverse order, so the bootstrap node leaves last.
	for i in $(seq $((nodes - 1)) -1 0); do
		[ -f "$dir/n$i.pid" ] || continue
		pid=$(cat "$dir/n$i.pid")
		kill "$pid" 2>/dev/null || continue
		for n in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
		kill -9 "$pid" 2>/dev/null || true
	done
}

case "${1:-}" in
start)
	start
	;;
stop)
	stop_nodes
	rm -rf "$dir" "$envfile"
	log "stopped; data removed"
	;;
status)
	[ -f "$envfile" ] && cat "$envfile" || { log "not running"; exit 1; }
	for i in $(seq 0 $((nodes - 1))); do
		node_running "$i" && printf 'node %d: %s\n' "$i" "$(sql "$i" -e "SHOW STATUS LIKE 'wsrep_local_state_comment'" | cut -f2)"
	done
	;;
*)
	echo "usage: $0 start|stop|status" >&2
	exit 2
	;;
esac
