# The engine a test runs on (issue 19), shared by tests/lib.sh and
# tests/reliability/lib.sh. Source it; do not run it.
#
# BROKERAGE_TEST_ENGINE=pg runs the same scenarios on PostgreSQL: the first
# engine_start starts a PostgreSQL 15 cluster of the test's own
# (tests/pg/cluster.sh) in a fresh mktemp -d directory under /tmp, and
# engine_stop (call it from the EXIT trap) stops it and removes the
# directory. Unset or "sqlite", everything is the SQLite file it always was.
#
#   engine_start          start the cluster (pg only); exit 77 (SKIP) when the
#                         PostgreSQL binaries are missing
#   engine_stop           stop it and remove its directory (pg only)
#   newdb PATH            a fresh, empty database to give --db: PATH itself on
#                         SQLite; on PostgreSQL an empty database named after
#                         PATH's last part (made again, empty, when it exists),
#                         its conninfo printed
#   sql DB SQL            run SQL on DB (sqlite3, or psql as the cluster's
#                         superuser), rows printed with | between columns
#   sql_hex COLUMN        the SQL of COLUMN's bytes as upper-case hex, either engine
#   sqlite_only DESC      true on SQLite; on PostgreSQL prints
#                         "# skip: DESC (SQLite file only)" and is false
#   is_conninfo TEXT      does TEXT name a PostgreSQL database (not a file)?
#   dbcopy DB PATH        a copy of the database DB (no process may have it open)
#                         to give --db: cp to PATH on SQLite; on PostgreSQL a
#                         database made from DB as its template, named after PATH
#   tamper DB SQL         SQL run as someone who can get past the audit trail's
#                         triggers (dropped on SQLite; on PostgreSQL the
#                         superuser's session in replica mode, where neither
#                         triggers nor foreign keys fire, as a raw sqlite3
#                         connection enforces no foreign keys)
#   db_made DB            "yes" when DB holds a database (the SQLite file
#                         exists; the PostgreSQL database has tables), else "no"
ENGINE=${BROKERAGE_TEST_ENGINE:-sqlite}
case $ENGINE in
sqlite | pg) ;;
*)
	echo "BROKERAGE_TEST_ENGINE must be sqlite or pg, not '$ENGINE'" >&2
	exit 2
	;;
esac
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
export PG_BINDIR
PG_CLUSTER=${PG_CLUSTER:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/cluster.sh}
PG_DIR=''
PG_ADMIN=''
SKIPPED=0

engine_start() {
	[ "$ENGINE" = pg ] || return 0
	[ -z "$PG_DIR" ] || return 0
	local rc
	# a short path: the socket's path must fit in 107 bytes
	PG_DIR=$(mktemp -d /tmp/bk-pg.XXXXXX) || exit 4
	chmod 755 "$PG_DIR"
	local t0=$EPOCHREALTIME
	PG_ADMIN=$(PG_WATCH_PID=$$ "$PG_CLUSTER" start "$PG_DIR" 2>"$PG_DIR/start.err")
	rc=$?
	local t1=$EPOCHREALTIME
	if [ $rc -ne 0 ]; then
		cat "$PG_DIR/start.err" >&2
		rm -rf "$PG_DIR"
		PG_DIR=''
		if [ $rc -eq 77 ]; then
			echo "SKIP: no PostgreSQL 15 here (Debian package postgresql-15; scripts/setup.sh installs it)"
			exit 77
		fi
		echo "FAIL - the PostgreSQL test cluster did not start"
		exit 4
	fi
	export PG_DIR PG_ADMIN
	# a test stopped by meson's timeout (SIGTERM) or by hand still stops its
	# cluster: bash runs the EXIT trap on exit, not on a fatal signal
	trap 'exit 143' TERM
	trap 'exit 130' INT
	trap 'exit 129' HUP
	echo "# on PostgreSQL: a cluster of this test's own in $PG_DIR, started in $(((${t1/./} - ${t0/./}) / 1000)) ms"
}

engine_stop() {
	[ -n "$PG_DIR" ] || return 0
	"$PG_CLUSTER" stop "$PG_DIR" >/dev/null 2>&1
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$PG_DIR"
	PG_DIR=''
}

is_conninfo() {
	case $1 in
	postgresql://* | postgres://* | *=*) return 0 ;;
	*) return 1 ;;
	esac
}

newdb() {
	if [ "$ENGINE" != pg ]; then
		printf '%s\n' "$1"
		return 0
	fi
	local name=${1##*/}
	name=$(printf '%s' "$name" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_' '_')
	name=t_${name:0:50}
	"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d "$PG_ADMIN" \
		-c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || return 1
	"$PG_CLUSTER" createdb "$PG_DIR" "$name"
}

sql() {
	if is_conninfo "$1"; then
		"$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"
	else
		sqlite3 -batch -noheader -cmd ".timeout 10000" "$1" "$2"
	fi
}

sql_hex() {
	if [ "$ENGINE" = pg ]; then printf "upper(encode(%s, 'hex'))" "$1"; else printf 'hex(%s)' "$1"; fi
}

sqlite_only() {
	[ "$ENGINE" = pg ] || return 0
	echo "# skip: $1 (SQLite file only)"
	SKIPPED=$((SKIPPED + 1))
	return 1
}

db_made() {
	if is_conninfo "$1"; then
		local n
		n=$(sql "$1" "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')" 2>/dev/null)
		if [ "${n:-0}" -gt 0 ]; then echo yes; else echo no; fi
	elif [ -e "$1" ]; then
		echo yes
	else
		echo no
	fi
}

dbcopy() {
	if ! is_conninfo "$1"; then
		cp "$1" "$2" && printf '%s\n' "$2"
		return
	fi
	local from name
	from=$(sql "$1" "SELECT current_database()") || return 1
	name=${2##*/}
	name=$(printf '%s' "$name" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_' '_')
	name=t_${name:0:50}
	PGOPTIONS='-c client_min_messages=warning' "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d "$PG_ADMIN" \
		-c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name TEMPLATE $from" >/dev/null || return 1
	"$PG_CLUSTER" conninfo "$PG_DIR" "$name"
}

tamper() {
	if is_conninfo "$1"; then
		sql "$1" "SET session_replication_role = replica; $2"
	else
		sqlite3 -batch "$1" "DROP TRIGGER IF EXISTS event_no_update; DROP TRIGGER IF EXISTS event_no_delete;
			DROP TRIGGER IF EXISTS event_payload_no_update; DROP TRIGGER IF EXISTS event_payload_erase_only; $2"
	fi
}
