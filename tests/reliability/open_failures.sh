#!/bin/bash
# Row 5: read-only file, unwritable directory, missing directory, a file
# that is not SQLite (and an SQLite file that is not ours), locked for a
# long time. Each gets its own clear message; nothing is changed; a
# read-only database can still be browsed. The unprivileged cases run as
# 'nobody' (root ignores file modes) and are skipped when not root.
. "$(dirname "$0")/lib.sh"
BASE=$T/base.db
"$B" --db "$BASE" demo --referrals 30 --seed 4 >/dev/null || { fail "demo"; finish; }
sqlite3 "$BASE" "pragma wal_checkpoint(truncate)" >/dev/null
RAW='SQLITE_|database is locked|\(5\)|\(8\)|code [0-9]|unable to open|disk I/O error|attempt to write'
declare -A MSG
# expect NAME WANT_RC REGEX COMMAND...: exit code and message
expect() {
	local name=$1 want=$2 re=$3; shift 3
	"$@" >"$T/out" 2>"$T/err"
	local rc=$?
	MSG[$name]=$(head -1 "$T/err")
	if [ "$rc" = "$want" ] && grep -qiE -- "$re" "$T/err" && ! grep -qE -- "$RAW" "$T/err"; then
		ok "$name: exit $rc, '$(head -1 "$T/err")'"
	else
		fail "$name: exit $rc (wanted $want), message '$(cat "$T/err")'"
	fi
}
AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$T/nobody-home")
if need_root && id nobody >/dev/null 2>&1; then
	other_user_bin || fail "copying the program where nobody can run it"
	# 1. a read-only file in a directory the user may write to
	mkdir -p "$T/ro1"; chmod 777 "$T/ro1"; cp "$BASE" "$T/ro1/r.db"; chmod 644 "$T/ro1/r.db"
	sum=$(sha256sum <"$T/ro1/r.db")
	"${AS_NOBODY[@]}" "$BO" --db "$T/ro1/r.db" --as alice referral list >"$T/list" 2>"$T/list.err"
	rc=$?
	check "read-only file: referral list works (exit $rc, $(wc -l <"$T/list") lines)" [ "$rc.$(($(wc -l <"$T/list") > 2))" = 0.1 ]
	check "read-only file: referral show works" quiet "${AS_NOBODY[@]}" "$BO" --db "$T/ro1/r.db" --as alice referral show 3
	expect "read-only file, a change" 1 "read-only" "${AS_NOBODY[@]}" "$BO" --db "$T/ro1/r.db" --as alice referral new --case RO-1 --lot 1 --district North --hours 3
	check "read-only file: unchanged (sha256)" [ "$sum" = "$(sha256sum <"$T/ro1/r.db")" ]
	# 2. a read-only file in a directory the user may not write to (no -shm can be made)
	mkdir -p "$T/ro2"; cp "$BASE" "$T/ro2/r.db"; chmod 644 "$T/ro2/r.db"; chmod 755 "$T/ro2"
	"${AS_NOBODY[@]}" "$BO" --db "$T/ro2/r.db" --as alice referral list >"$T/list" 2>"$T/list.err"
	rc=$?
	check "read-only file in a read-only directory: referral list works (exit $rc: $(head -c 200 "$T/list.err"))" [ $rc = 0 ]
	check "read-only file in a read-only directory: referral show works" quiet "${AS_NOBODY[@]}" "$BO" --db "$T/ro2/r.db" --as alice referral show 3
	# 3. an unwritable directory: no new database there
	mkdir -p "$T/ud"; chmod 555 "$T/ud"
	expect "unwritable directory" 1 "not writable" "${AS_NOBODY[@]}" "$BO" --db "$T/ud/new.db" init
	check "unwritable directory: nothing created" [ ! -e "$T/ud/new.db" ]
else
	note "skip: the read-only and unwritable-directory cases need root to become 'nobody'"
fi
# 4. a missing directory
expect "missing directory" 1 "does not exist" "$B" --db "$T/no/such/dir/x.db" --as alice referral list
expect "missing directory (init)" 1 "does not exist" "$B" --db "$T/no/such/dir/x.db" init --test-mode
check "missing directory: not created" [ ! -e "$T/no" ]
# 5. not an SQLite file
printf 'case_ref,lot\nA-1,1\n' >"$T/notdb.db"; sum=$(sha256sum <"$T/notdb.db")
expect "not an SQLite file" 1 "not an SQLite file" "$B" --db "$T/notdb.db" --as alice referral list
check "not an SQLite file: unchanged, no -wal made" [ "$sum.$(ls "$T"/notdb.db* | wc -l)" = "$(sha256sum <"$T/notdb.db").1" ]
# 6. an SQLite file of someone else's
sqlite3 "$T/other.db" "create table t(x); insert into t values (1)"; sum=$(sha256sum <"$T/other.db")
expect "an SQLite file that is not a brokerage database" 1 "not a brokerage database" "$B" --db "$T/other.db" --as alice referral new --case O-1 --lot 1 --district North --hours 3
check "someone else's SQLite file: unchanged (sha256; the message says nothing was changed)" [ "$sum" = "$(sha256sum <"$T/other.db")" ]
# 7. locked for a long time: another process holds BEGIN EXCLUSIVE
L=$T/locked.db; cp "$BASE" "$L"
mkfifo "$T/lockin"
sqlite3 "$L" <"$T/lockin" >/dev/null 2>&1 & holder=$!
CLEANUPS+=("kill $holder 2>/dev/null")
exec 8>"$T/lockin"
echo "BEGIN EXCLUSIVE; INSERT INTO meta VALUES ('held', 'by the test');" >&8
sleep 0.5
t0=$(ms)
expect "locked for a long time, a change" 4 "busy" timeout 60 "$B" --db "$L" --as alice referral new --case L-1 --lot 1 --district North --hours 3
el=$(($(ms) - t0))
check "locked: gave up after the busy timeout, did not hang (${el} ms)" [ $((el >= 1000 && el < 20000)) = 1 ]
t0=$(ms)
"$B" --db "$L" --as alice provider list >"$T/list" 2>"$T/list.err"; rc=$?
el=$(($(ms) - t0))
check "locked by a writer: browsing what is not case data still works in WAL mode (exit $rc in ${el} ms: $(head -c 160 "$T/list.err"))" [ $rc = 0 ] && [ -s "$T/list" ]
# a list of case data is a read, recorded before it is shown (issue 14):
# while the lock is held it is refused in words, and nothing is shown
"$B" --db "$L" --as alice referral list >"$T/list" 2>"$T/list.err"; rc=$?
check "locked by a writer: a list of case data waits, then is refused in words, nothing shown (exit $rc: $(head -c 100 "$T/list.err"))" [ $rc = 4 ] && has "$T/list.err" busy && [ ! -s "$T/list" ]
echo "ROLLBACK;" >&8; exec 8>&-; wait $holder 2>/dev/null
check "locked: nothing was changed (no L-1)" [ "$(sqlite3 "$L" "select count(*) from referral where case_ref = 'L-1'")" = 0 ]
check "locked: works once the lock is gone" quiet "$B" --db "$L" --as alice referral new --case L-2 --lot 1 --district North --hours 3
# each its own message
distinct=$(printf '%s\n' "${MSG[@]}" | sed 's|/[^ :]*||g' | sort -u | wc -l)
check "each failure has its own message (${#MSG[@]} cases, $distinct distinct)" [ "$distinct" -ge $((${#MSG[@]} - 1)) ]
finish
