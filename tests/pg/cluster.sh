#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for the tests (issue 19), from
# Debian's postgresql-15 binaries, touching nothing outside its directory.
#
#   tests/pg/cluster.sh start DIR          make DIR (if missing), initdb in
#                                          DIR/data, start it; print the
#                                          superuser's conninfo (postgres db)
#   tests/pg/cluster.sh createdb DIR NAME  make an empty database NAME;
#                                          print its conninfo
#   tests/pg/cluster.sh conninfo DIR [NAME]  print the conninfo (no change)
#   tests/pg/cluster.sh reload DIR         re-read postgresql.conf and
#                                          pg_hba.conf (after a test edits
#                                          DIR/data/pg_hba.conf)
#   tests/pg/cluster.sh stop DIR           stop it (fast mode); nothing
#                                          when it is not running
#
# With PG_WATCH_PID set, start also leaves a watcher that stops the
# cluster and removes DIR once that process has ended, however it ended
# (a test killed by meson's timeout runs no trap).
#
# The server listens only on a Unix socket in DIR (listen_addresses='',
# so no TCP port), with fsync off: a test cluster, never a real one. Its
# superuser is "postgres", trusted on the socket (pg_hba "local all all
# trust"); a test of the trust model rewrites DIR/data/pg_hba.conf and
# reloads. The collation is C (byte order), as SQLite's BINARY.
#
# PostgreSQL refuses to run as root, so when run as root the cluster
# belongs to the unprivileged login "nobody" (every Debian system has it,
# so nothing outside DIR changes; only where it is missing is the system
# login "brokerage-test" made, which is said on stderr), DIR is chowned to
# it and initdb and pg_ctl run through runuser. DIR and every directory above it must then
# be searchable by that login (a mktemp -d under /tmp is; a test keeping
# the cluster inside its own mktemp -d WORK does chmod o+x "$WORK" first).
#
# Exit 77 (the tests' SKIP) when the PostgreSQL binaries are missing
# (PG_BINDIR, default /usr/lib/postgresql/15/bin); 1 with a message on any
# other failure.
set -euo pipefail

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
TEST_LOGIN=nobody
id -u nobody >/dev/null 2>&1 || TEST_LOGIN=brokerage-test
PORT=5432

die() {
	echo "cluster.sh: $*" >&2
	exit 1
}
usage() {
	echo "usage: cluster.sh start DIR | createdb DIR NAME | conninfo DIR [NAME] | reload DIR | stop DIR" >&2
	exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2

for b in initdb pg_ctl psql; do
	if [ ! -x "$PG_BINDIR/$b" ]; then
		echo "cluster.sh: $PG_BINDIR/$b is missing (Debian package postgresql-15): skipped" >&2
		exit 77
	fi
done

# An absolute path without a trailing slash: it goes into the conninfo.
case "$dir" in
/*) ;;
*) dir="$PWD/$dir" ;;
esac
dir=${dir%/}
case "$dir" in
*[[:space:]\'\"\\]*) die "the directory must not contain spaces, quotes or backslashes: $dir" ;;
esac

conninfo() {
	echo "host=$dir port=$PORT user=postgres dbname=${1:-postgres}"
}

# Run a server program as the cluster's owner (the test login under root).
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd "$dir" && runuser -u "$TEST_LOGIN" -- "$@")
	else
		"$@"
	fi
}

running() {
	[ -f "$dir/data/postmaster.pid" ] && as_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

case "$cmd" in
start)
	# A Unix socket's path is at most 107 bytes.
	sock="$dir/.s.PGSQL.$PORT"
	[ ${#sock} -le 100 ] || die "the directory's path is too long for a Unix socket: $dir"
	[ ! -e "$dir/data" ] || die "$dir/data exists already: stop and remove it first"
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		if ! id -u "$TEST_LOGIN" >/dev/null 2>&1; then
			echo "cluster.sh: making the system login $TEST_LOGIN (PostgreSQL will not run as root)" >&2
			useradd --system --no-create-home --shell /usr/sbin/nologin "$TEST_LOGIN" ||
				id -u "$TEST_LOGIN" >/dev/null 2>&1 || die "could not make the login $TEST_LOGIN"
		fi
		chown "$TEST_LOGIN:" "$dir"
		runuser -u "$TEST_LOGIN" -- test -x "$dir" ||
			die "$TEST_LOGIN cannot reach $dir: every directory above it must be searchable by others"
	fi
	# Other logins reach the socket (the trust-model tests); the data
	# directory itself is 0700, as initdb insists.
	chmod 0755 "$dir"
	as_owner "$PG_BINDIR/initdb" -D "$dir/data" -U postgres --auth=trust --no-locale -E UTF8 \
		>"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		die "initdb failed"
	}
	cat >>"$dir/data/postgresql.conf" <<-EOF

		# tests/pg/cluster.sh: a throw-away test cluster
		listen_addresses = ''
		port = $PORT
		unix_socket_directories = '$dir'
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		shared_buffers = 32MB
		max_connections = 100
		logging_collector = off
	EOF
	as_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null || {
		cat "$dir/server.log" >&2 2>/dev/null || true
		die "the server did not start"
	}
	# A test killed outright (meson's timeout ends with SIGKILL, which no
	# trap sees) must not leave its server running: a watcher in its own
	# session stops it, and removes DIR, once PG_WATCH_PID has gone.
	if [ -n "${PG_WATCH_PID:-}" ]; then
		setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 2; done
			[ -d "$3/data" ] && "$2" stop "$3" && rm -rf "$3"' watch "$PG_WATCH_PID" "$0" "$dir" \
			</dev/null >/dev/null 2>&1 &
	fi
	conninfo
	;;
createdb)
	[ $# -eq 3 ] || usage
	name=$3
	[[ "$name" =~ ^[a-z_][a-z0-9_]*$ ]] || die "a database name is lower-case letters, digits and _: $name"
	running || die "no cluster is running in $dir"
	"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d "$(conninfo)" -c "CREATE DATABASE $name" >/dev/null ||
		die "could not make the database $name"
	conninfo "$name"
	;;
conninfo)
	conninfo "${3:-postgres}"
	;;
reload)
	running || die "no cluster is running in $dir"
	as_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" reload >/dev/null
	;;
stop)
	if running; then
		as_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || die "the server did not stop"
	fi
	;;
*)
	usage
	;;
esac
