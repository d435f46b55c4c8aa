#!/bin/bash
# Row 21: the file itself cannot be turned against the rules (issue 14).
# check and audit verify change nothing in what they inspect; a backup is
# whole or absent; restore takes only a checked backup of this database;
# test mode is what the database was made with; files given by path are
# the user's own regular files.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
db=$T/live.db
"$B" --db "$db" init >/dev/null 2>&1 || { fail "init"; finish; }
"$B" --db "$db" provider add Acorn --framework >/dev/null 2>&1
"$B" --db "$db" referral new --case FI-1 --lot 1 --district North --hours 4 >/dev/null 2>&1
sums() { for f in "$@"; do sha256sum <"$f"; done; }
no_logs() { [ ! -e "$1-wal" ] && [ ! -e "$1-shm" ]; }

# ---- check and audit verify never write to what they inspect
: >"$T/empty.db"
"$B" --db "$T/empty.db" check >"$T/out" 2>&1; rc=$?
check "check on a 0-byte file: refused (exit $rc) in words: $(head -c 80 "$T/out")" [ $rc -ne 0 ] && has "$T/out" empty
check "check on a 0-byte file: still 0 bytes, no -wal/-shm" [ ! -s "$T/empty.db" ] && no_logs "$T/empty.db"
"$B" --db "$db" backup "$T/b1.db" >/dev/null 2>&1
before=$(sums "$T/b1.db")
for cmd in "check" "check --deep" "audit verify"; do
	# shellcheck disable=SC2086
	"$B" --db "$T/b1.db" $cmd >"$T/out" 2>&1; rc=$?
	check "'$cmd' on a backup passes (exit $rc)" [ $rc -eq 0 ]
	check "'$cmd' on a backup: byte-identical, no -wal/-shm" [ "$(sums "$T/b1.db")" = "$before" ] && no_logs "$T/b1.db"
done
check "the backup is still in rollback-journal mode" [ "$(sqlite3 "file:$T/b1.db?immutable=1" 'pragma journal_mode')" = delete ]
sqlite3 "$db" "pragma wal_checkpoint(truncate)" >/dev/null
rm -f "$db-wal" "$db-shm"
before=$(sums "$db")
"$B" --db "$db" check --deep >/dev/null 2>&1
check "check --deep on a database at rest: byte-identical, no -wal/-shm made" [ "$(sums "$db")" = "$before" ] && no_logs "$db"
sqlite3 "$T/plain.db" "create table t(a); insert into t values (1)"
before=$(sums "$T/plain.db")
"$B" --db "$T/plain.db" check >"$T/out" 2>&1; rc=$?
check "check on another program's SQLite file: refused (exit $rc), byte-identical" [ $rc -ne 0 ] && [ "$(sums "$T/plain.db")" = "$before" ] && no_logs "$T/plain.db"

# ---- a backup is whole or absent
(trap '' XFSZ; ulimit -f 40; "$B" --db "$db" backup "$T/cut.db" >"$T/out" 2>&1); rc=$?
check "a backup cut short by the file-size limit fails (exit $rc)" [ $rc -ne 0 ]
check "...and leaves no file at its path, nor a partial one beside it" [ ! -e "$T/cut.db" ] && [ -z "$(ls "$T" | grep partial)" ]
# killed part way: the backup's path holds a whole, checked copy or nothing
"$B" --db "$T/big.db" demo --referrals 3000 --seed 2 >/dev/null 2>&1
t0=$(ms); "$B" --db "$T/big.db" backup "$T/big-probe.db" >/dev/null 2>&1; dur=$(($(ms) - t0))
partial=0 whole=0
for i in 1 2 3 4 5 6; do
	dest=$T/killed-$i.db
	"$B" --db "$T/big.db" backup "$dest" >/dev/null 2>&1 &
	pid=$!
	sleep "0.$(printf '%03d' $(( (dur * i / 7) % 1000 )))"
	kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	if [ -e "$dest" ]; then
		if "$B" --db "$dest" check >/dev/null 2>&1; then whole=$((whole + 1)); else partial=$((partial + 1)); fi
	fi
done
rm -f "$T"/killed-*.partial-* "$T"/killed-*
check "backups killed part way (about ${dur} ms each): $partial partial files at the path, $whole whole ones" [ "$partial" = 0 ]
ln -s "$T/elsewhere.db" "$T/link-backup.db"
"$B" --db "$db" backup "$T/link-backup.db" >"$T/out" 2>&1; rc=$?
check "a backup onto a symbolic link is refused (exit $rc)" [ $rc -ne 0 ] && [ ! -e "$T/elsewhere.db" ]
mkfifo "$T/fifo.db"
timeout 10 "$B" --db "$db" backup "$T/fifo.db" >"$T/out" 2>&1; rc=$?
check "a backup onto a FIFO is refused at once (exit $rc)" [ $rc -ne 0 ] && [ $rc -ne 124 ]

# ---- restore takes only a checked backup of this database
state() { echo "$(sqlite3 "$db" 'select count(*) from event') $(sqlite3 "$db" 'select count(*) from referral') $(ls "$T" | grep -c before-restore)"; }
"$B" --db "$T/other.db" init >/dev/null 2>&1
"$B" --db "$T/testmode.db" init --test-mode >/dev/null 2>&1
cp "$T/b1.db" "$T/noadmin.db"
sqlite3 "$T/noadmin.db" "update staff set active = 0" 2>/dev/null
for case in "empty.db:empty" "plain.db:not a brokerage" "other.db:not a backup of this database" \
	"testmode.db:test-mode" "noadmin.db:administrator"; do
	f=${case%%:*} why=${case#*:}
	s0=$(state)
	"$B" --db "$db" restore "$T/$f" >"$T/out" 2>&1; rc=$?
	check "restore $f: refused (exit $rc): $(head -c 140 "$T/out")" [ $rc -ne 0 ] && { [ -z "$why" ] || has "$T/out" "$why"; }
	check "restore $f: nothing changed, nothing kept" [ "$(state)" = "$s0" ]
done
"$B" --db "$db" restore "$T/b1.db" >"$T/out" 2>&1; rc=$?
check "restore of this database's own backup works (exit $rc)" [ $rc -eq 0 ]

# ---- test mode is what the database was made with
real=$T/real.db
"$B" --db "$real" init >/dev/null 2>&1
sqlite3 "$real" "update meta set value = '1' where key = 'test_mode'"
s0=$(sqlite3 "$real" 'select count(*) from event')
"$B" --db "$real" --as "$ADMIN" staff add someone --name S --role admin >"$T/out" 2>&1; rc=$?
check "a real database with its test_mode flag set by hand: --as refused (exit $rc)" [ $rc -eq 2 ]
"$B" --db "$real" --now 2020-01-01T10:00 referral list >"$T/out" 2>&1; rc=$?
check "...and --now refused (exit $rc)" [ $rc -eq 2 ]
check "...nothing recorded" [ "$(sqlite3 "$real" 'select count(*) from event')" = "$s0" ]
"$B" --db "$real" check >"$T/out" 2>&1; rc=$?
check "...check names the flag changed outside the program (exit $rc)" [ $rc -ne 0 ] && has "$T/out" "test_mode flag"
sqlite3 "$real" "select name from sqlite_schema where type = 'trigger'" >"$T/triggers"
for t in $(cat "$T/triggers"); do sqlite3 "$real" "drop trigger $t"; done
sqlite3 "$real" "update event_payload set after = '{\"test_mode\":\"yes\"}' where seq = 1"
"$B" --db "$real" --as "$ADMIN" referral list >"$T/out" 2>&1; rc=$?
check "the init event rewritten to say test mode (flag set too): --as still refused (exit $rc)" [ $rc -eq 2 ]
"$B" --db "$real" check >"$T/out" 2>&1; rc=$?
check "...check names the edited event (exit $rc)" [ $rc -ne 0 ] && has "$T/out" "database.init"

# ---- files given by path
ln -s "$db" "$T/link.db"
"$B" --db "$T/link.db" referral list >"$T/out" 2>&1; rc=$?
check "a symlinked --db: refused in words (exit $rc): $(head -c 80 "$T/out")" [ $rc -ne 0 ] && has "$T/out" "symbolic link"
: >"$T/new.db"; chmod 644 "$T/new.db"
"$B" --db "$T/new.db" init --test-mode >/dev/null 2>&1
check "init over an existing empty file makes it owner-only ($(stat -c %a "$T/new.db"))" [ "$(stat -c %a "$T/new.db")" = 600 ]
# bounded memory on any input
"$B" --db "$T/new.db" --as "$ADMIN" staff add imp --name Imp --role team_leader >/dev/null 2>&1
if [ -x /usr/bin/time ]; then
	/usr/bin/time -o "$T/time" -f '%M' "$B" --db "$T/new.db" --as imp import referrals /dev/zero >"$T/out" 2>&1; rc=$?
	kb=$(tail -1 "$T/time")
	check "import /dev/zero: refused (exit $rc) naming file and line, in ${kb} KB: $(head -c 90 "$T/out")" \
		[ $rc -eq 1 ] && has "$T/out" "/dev/zero, line 1" && [ "$kb" -lt 65536 ]
fi
{ echo "case_ref,lot,district,hours"; echo "A-1,1,North,3"; head -c 200000 /dev/zero | tr '\0' x; echo; } >"$T/long.csv"
"$B" --db "$T/new.db" --as imp import referrals "$T/long.csv" >"$T/out" 2>&1; rc=$?
check "a 200 KB line: refused (exit $rc) naming the file and line 3" [ $rc -eq 1 ] && has "$T/out" "long.csv, line 3"
if need_root; then
	: >"$T/theirs.db"; chown nobody "$T/theirs.db"
	"$B" --db "$T/theirs.db" init --test-mode >"$T/out" 2>&1; rc=$?
	check "init over another user's empty file: refused (exit $rc), left empty" [ $rc -ne 0 ] && [ ! -s "$T/theirs.db" ]
else
	note "skip: init over another user's file (needs root)"
fi
finish
