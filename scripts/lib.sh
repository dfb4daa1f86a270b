# lib.sh — helpers shared by the scripts that install and run the test
# servers (dbs.sh, replica.sh, pgbouncer.sh, …). Source it; it defines
# functions only.

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_install PACKAGE…: install Debian packages without letting their
# maintainer scripts start system-wide services (we run our own throw-away
# instances); `apt-get update` runs once per machine boot.
apt_install() {
	local guard=/usr/sbin/policy-rc.d added=0
	if [ ! -e "$guard" ]; then
		printf '#!/bin/sh\nexit 101\n' | as_root tee "$guard" >/dev/null
		as_root chmod +x "$guard"
		added=1
	fi
	if [ ! -f /tmp/.dlayer-apt-updated ]; then
		as_root apt-get update -qq >&2 && touch /tmp/.dlayer-apt-updated
	fi
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >&2
	[ "$added" -eq 1 ] && as_root rm -f "$guard"
	return 0
}

# pg_bindir prints the directory of the PostgreSQL server binaries
# (initdb, postgres, pg_basebackup), failing when they are not installed.
pg_bindir() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && [ -x "$d/postgres" ] && [ -x "$d/pg_basebackup" ] && { echo "$d"; return 0; }
	done
	return 1
}

# PostgreSQL and pgbouncer refuse to run as root: run them as the
# 'postgres' system user the PostgreSQL packages create (or the current
# user when not root).
pg_user() {
	if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
