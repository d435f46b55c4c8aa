# The PostgreSQL tests' start (suite pg): tests/lib.sh, then a throw-away
# cluster of their own in $WORK/pg (tests/pg/cluster.sh), stopped at the
# end whatever happens. Exits 77 (SKIP) without PostgreSQL 15's binaries.
#   pgdb NAME   make an empty database; prints its conninfo
#   psql_ CONNINFO SQL...   psql, quiet, unaligned, stopping at an error
# shellcheck source=../lib.sh
. "$BROKERAGE_SOURCE_ROOT/tests/lib.sh"
CLUSTER="$ROOT/tests/pg/cluster.sh"
PGBIN=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
# Under root the cluster belongs to the test login, which must reach $WORK.
chmod o+x "$WORK"
PGDIR=$WORK/pg
trap '"$CLUSTER" stop "$PGDIR" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
PG_WATCH_PID=$$ "$CLUSTER" start "$PGDIR" >"$WORK/.pgstart" 2>&1
rc=$?
if [ "$rc" = 77 ]; then
	echo "SKIP: $(cat "$WORK/.pgstart")"
	exit 77
elif [ "$rc" != 0 ]; then
	cat "$WORK/.pgstart"
	echo "Bail out! the test cluster did not start"
	exit 1
fi
pgdb() { "$CLUSTER" createdb "$PGDIR" "$1"; }
psql_() {
	local conn=$1
	shift
	"$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$conn" "$@"
}
