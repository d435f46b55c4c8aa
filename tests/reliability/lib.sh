# Shared by the reliability scripts: the binary, a private scratch
# directory, ok/FAIL lines and the closing count. Source it; do not run it.
set -u
REL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=${BROKERAGE_SOURCE_ROOT:-$(cd "$REL_DIR/../.." && pwd)}
B=${BROKERAGE_BIN:-$SRC/build/brokerage}
export TZ=${TZ:-UTC} LC_ALL=${LC_ALL:-C.UTF-8}
unset BROKERAGE_CONFIG BROKERAGE_ALLOW_NETWORK_FS
# A configuration of our own so no file on the host changes the results.
export XDG_CONFIG_HOME=/nonexistent-brokerage-config
T=$(mktemp -d /tmp/bk_rel.XXXXXX)
chmod 755 "$T"
# BROKERAGE_TEST_ENGINE=pg: a PostgreSQL cluster of this script's own, and
# newdb, sql, dbcopy, tamper, sqlite_only (tests/pg/env.sh)
. "$SRC/tests/pg/env.sh"
PASS=0
FAILED=0
CLEANUPS=()
rel_cleanup() {
	local c
	for c in "${CLEANUPS[@]}"; do eval "$c" || true; done
	engine_stop
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$T"
}
trap rel_cleanup EXIT
ok() { echo "ok - $*"; PASS=$((PASS + 1)); }
fail() { echo "FAIL - $*"; FAILED=$((FAILED + 1)); }
note() { echo "# $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
finish() {
	[ "$SKIPPED" -eq 0 ] || note "$SKIPPED checks of the SQLite file itself skipped on PostgreSQL"
	echo "$PASS passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] && exit 0
	exit 1
}
need_root() { [ "$(id -u)" -eq 0 ]; }
# The administrator of a database made by `demo` or `init`: the login that
# made it (root only when the tests run as root).
ADMIN=$(id -un)
[ -x "$B" ] || { echo "FAIL - no program at $B (build it, or set BROKERAGE_BIN)"; echo "0 passed, 1 failed"; exit 1; }
engine_start
# The deep check as the administrator: 0 when clean.
deep() { "$B" --db "$1" --as "${2:-$ADMIN}" check --deep >"$T/deep.out" 2>&1; }
# A pure-shell "contains", case-insensitive.
has() { grep -qi -- "$2" "$1"; }
# milliseconds since the epoch
ms() { date +%s%3N; }
# quiet COMMAND...: run it with its output thrown away (for check)
quiet() { "$@" >/dev/null 2>&1; }
# The binary where another user can run it: a clone in a private (0700)
# home directory is out of their reach, so tests that switch users run a
# copy in a directory of their own under /tmp (0755), removed at the end.
# Sets BO.
other_user_bin() {
	local d
	d=$(mktemp -d /tmp/bk_bin.XXXXXX) || return 1
	chmod 755 "$d"
	CLEANUPS+=("rm -rf '$d'")
	cp "$B" "$d/brokerage" && chmod 755 "$d/brokerage"
	BO=$d/brokerage
}
