# Helpers for the command-line scenario tests (tests/cli_*.sh).
# Source it after 'set -u'. It needs BROKERAGE_BIN (the program) and
# BROKERAGE_SOURCE_ROOT (the source tree); meson's test() sets both.
#
#   run ARGS...            run the program: $OUT (stdout), $ERR (stderr), $RC
#   b ARGS...              run on the test database "$DB" (same variables)
#   rc_is DESC N           the last run's exit code is N
#   is DESC EXPECTED GOT   two strings are equal
#   has DESC TEXT NEEDLE   TEXT contains NEEDLE (fixed string)
#   lacks DESC TEXT NEEDLE TEXT does not contain NEEDLE
#   matches DESC TEXT ERE  TEXT matches the extended regular expression
#   jq_ JSON EXPR          evaluate a Python expression over d = the parsed JSON
#   json_is DESC JSON EXPR EXPECTED
#   snapshot DB            row counts of every table, the last event hash and
#                          a hash of the whole content (either engine)
#   finish                 print "N passed, N failed" and exit non-zero on failure
#   newdb PATH, sql DB SQL, sqlite_only DESC, is_conninfo: see tests/pg/env.sh
#
# BROKERAGE_TEST_ENGINE=pg (the suite pg) runs the same script on PostgreSQL:
# a cluster of its own is started here and stopped at exit, and $DB (and
# every `newdb`) is the conninfo of a fresh empty database in it. What is
# about the SQLite file itself is guarded by sqlite_only and skipped there.

BIN=${BROKERAGE_BIN:?set BROKERAGE_BIN to the brokerage program}
export ROOT=${BROKERAGE_SOURCE_ROOT:?set BROKERAGE_SOURCE_ROOT to the source tree}
export TZ=${TZ:-UTC} LC_ALL=${LC_ALL:-C.UTF-8}
# Nothing from the user's environment may choose a configuration or a database.
unset BROKERAGE_CONFIG XDG_CONFIG_HOME XDG_DATA_HOME
# python3 by the interpreter's own path, found once: a version manager's
# shim on PATH (pyenv's) runs shell scripts before every start, which cost
# seconds per call on a loaded host, and the scenarios call it hundreds of
# times (jq_). The function stands for the command in every script sourcing this.
PYTHON3=$(command python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
[ -x "$PYTHON3" ] || PYTHON3=$(command -v python3)
python3() { "$PYTHON3" "$@"; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/brokerage-cli.XXXXXX") || exit 4
. "$ROOT/tests/pg/env.sh"
trap 'engine_stop; rm -rf "$WORK"' EXIT
engine_start
export HOME=$WORK/home
mkdir -p "$HOME"
cd "$WORK" || exit 4

PASSED=0
FAILED=0
OUT='' ERR='' RC=0
DB=$(newdb "$WORK/t.db") || exit 4

# One line of output, never more: long values are cut and newlines shown as |.
_one() {
	local s=${1//$'\n'/|}
	[ ${#s} -gt 300 ] && s="${s:0:300}..."
	printf '%s' "$s"
}

pass() {
	PASSED=$((PASSED + 1))
	echo "ok - $1"
}

fail() { # DESC EXPECTED GOT
	FAILED=$((FAILED + 1))
	echo "FAIL - $1 (expected $(_one "$2"), got $(_one "$3"))"
}

run() {
	OUT=$("$BIN" "$@" 2>"$WORK/.stderr")
	RC=$?
	ERR=$(cat "$WORK/.stderr")
}

b() { run --db "$DB" "$@"; }

rc_is() {
	if [ "$RC" = "$2" ]; then pass "$1"; else fail "$1" "exit $2" "exit $RC; stderr: $ERR"; fi
}

is() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "'$2'" "'$3'"; fi
}

has() {
	if [[ $2 == *"$3"* ]]; then pass "$1"; else fail "$1" "text containing '$3'" "'$2'"; fi
}

lacks() {
	if [[ $2 != *"$3"* ]]; then pass "$1"; else fail "$1" "text without '$3'" "'$2'"; fi
}

matches() {
	if [[ $2 =~ $3 ]]; then pass "$1"; else fail "$1" "text matching /$3/" "'$2'"; fi
}

# The exit code and a fragment of the message in one check.
refused() { # DESC RC NEEDLE: the last run exited RC and its stderr holds NEEDLE
	if [ "$RC" = "$2" ] && [[ $ERR == *"$3"* ]]; then
		pass "$1"
	else
		fail "$1" "exit $2 and a message with '$3'" "exit $RC: $ERR"
	fi
}

jq_() {
	python3 -c '
import json, sys
try:
    d = json.loads(sys.argv[1])
    v = eval(sys.argv[2], {"d": d, "json": json})
except Exception as e:
    print("<error: %s: %s>" % (type(e).__name__, e))
    sys.exit(0)
print(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
' "$1" "$2"
}

json_is() {
	local got
	got=$(jq_ "$2" "$3")
	if [ "$got" = "$4" ]; then pass "$1"; else fail "$1" "$3 = $4" "$got"; fi
}

TABLES="staff provider capacity ranking referral offer spot_request event event_payload"

snapshot() {
	local db=${1:-$DB} q="SELECT 'counts'" t
	for t in $TABLES; do
		q="$q || ' $t=' || (SELECT count(*) FROM $t)"
	done
	if is_conninfo "$db"; then
		sql "$db" "$q; SELECT 'head=' || $(sql_hex hash) FROM event ORDER BY seq DESC LIMIT 1;" 2>&1
		# every row of every table, in no particular order; the sequences
		# are left out (a refused insert may have taken a number), and so is
		# the random key of pg_dump's \restrict lines
		printf 'content=%s\n' "$("$PG_BINDIR/pg_dump" -a -O -x -d "$db" 2>&1 |
			grep -Ev 'pg_catalog\.setval|^\\(un)?restrict ' | LC_ALL=C sort | sha256sum | cut -c1-16)"
	else
		sqlite3 -readonly "$db" "$q; SELECT 'head=' || hex(hash) FROM event ORDER BY seq DESC LIMIT 1;" 2>&1
		printf 'content=%s\n' "$(sqlite3 -readonly "$db" .dump 2>&1 | sha256sum | cut -c1-16)"
	fi
}

# unchanged DESC BEFORE: the database is as the snapshot BEFORE had it
unchanged() {
	local now
	now=$(snapshot)
	if [ "$now" = "$2" ]; then pass "$1"; else fail "$1" "$2" "$now"; fi
}

finish() {
	[ "$SKIPPED" -eq 0 ] || echo "# $SKIPPED checks of the SQLite file itself skipped on PostgreSQL"
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit
}

rc_nonzero() {
	if [ "$RC" != 0 ]; then pass "$1"; else fail "$1" "a non-zero exit" "exit 0: $OUT"; fi
}
