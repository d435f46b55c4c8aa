#!/bin/bash
# Row 19: erasure under the retention rules. After `retention purge` (and
# the checkpoint it makes) the case reference of an erased referral, and
# the free text that named it, appear nowhere in the database file, its
# WAL (kept open by another reader during the purge) or a backup made
# afterwards, while `audit verify` and `check --deep` pass.
. "$(dirname "$0")/lib.sh"
DB=$T/e.db
"$B" --db "$DB" --now 2026-11-20T09:00 demo --referrals 60 --seed 3 >/dev/null || { fail "demo"; finish; }
q() { sqlite3 -batch -noheader "$DB" "$1"; }
prov() { q "select p.name from offer o join provider p on p.id = o.provider_id where o.referral_id = $1 and o.status in ('sent','info_requested') order by rank limit 1"; }
A=ZQXENDED7731 W=ZQXWITHDRAWN4410 K=ZQXKEEP5520
# an ended package from 2019, its case reference also in free text
id=$("$B" --db "$DB" --as alice --now 2019-01-07T10:00 referral new --case $A --lot 1 --district North --hours 3 --note "case $A note" 2>/dev/null)
"$B" --db "$DB" --as alice --now 2019-01-07T10:00 referral send "$id" >/dev/null 2>&1
"$B" --db "$DB" --as alice --now 2019-01-07T11:00 referral respond "$id" --provider "$(prov "$id")" info --question "which $A?" >/dev/null 2>&1
"$B" --db "$DB" --as alice --now 2019-01-07T12:00 referral respond "$id" --provider "$(prov "$id")" decline --reason "cannot do $A" >/dev/null 2>&1
"$B" --db "$DB" --as alice --now 2019-01-08T10:00 referral respond "$id" --provider "$(prov "$id")" accept --start 2019-01-14 >/dev/null 2>&1
"$B" --db "$DB" --as alice --now 2019-07-01T10:00 referral end "$id" --date 2019-06-30 >/dev/null 2>&1
"$B" --db "$DB" --as alice referral show "$id" >/dev/null 2>&1
# a referral withdrawn in 2019
id2=$("$B" --db "$DB" --as bob --now 2019-02-04T10:00 referral new --case $W --lot 2 --district South --hours 4 --note "for $W" 2>/dev/null)
"$B" --db "$DB" --as bob --now 2019-03-04T10:00 referral withdraw "$id2" --reason "$W moved away" >/dev/null 2>&1
# one to keep
"$B" --db "$DB" --as bob referral new --case $K --lot 1 --district North --hours 4 --note "keep $K" >/dev/null 2>&1
check "the referrals were made (ended, withdrawn)" [ "$(q "select group_concat(status) from (select status from referral where case_ref in ('$A','$W') order by id)")" = "ended,withdrawn" ]
check "before the purge the file holds the case references" [ "$(cat "$DB" "$DB-wal" 2>/dev/null | grep -ac -e $A -e $W)" -gt 0 ]
# another reader keeps the database open, so the -wal stays on disk
mkfifo "$T/rd"; sqlite3 "$DB" <"$T/rd" >/dev/null 2>&1 & reader=$!
CLEANUPS+=("kill $reader 2>/dev/null")
exec 7>"$T/rd"; echo "SELECT count(*) FROM staff;" >&7; sleep 0.3
"$B" --db "$DB" --as "$ADMIN" retention purge >"$T/purge.out" 2>&1; rc=$?
check "retention purge as the administrator (exit $rc): $(tail -1 "$T/purge.out" | head -c 150)" [ $rc = 0 ]
check "both referrals marked erased" [ "$(q "select count(*) from referral where erased = 1")" = 2 ]
[ -e "$DB-wal" ] && note "the -wal is on disk during the test ($(stat -c %s "$DB-wal") bytes)"
for f in "$DB" "$DB-wal" "$DB-shm"; do
	[ -e "$f" ] || continue
	n=$(grep -ac -e $A -e $W "$f")
	check "$(basename "$f"): no trace of the erased case references ($n)" [ "$n" = 0 ]
	n=$(grep -ac -e "cannot do" -e "moved away" -e "which ZQX" "$f")
	check "$(basename "$f"): no trace of their free text ($n)" [ "$n" = 0 ]
done
check "the kept referral is still there" [ "$(grep -ac $K "$DB" "$DB-wal" 2>/dev/null | awk -F: '{s += $2} END {print s}')" -gt 0 ]
echo ".quit" >&7; exec 7>&-; wait $reader 2>/dev/null
"$B" --db "$DB" --as "$ADMIN" backup "$T/after.db" >/dev/null 2>&1
check "a backup made afterwards has no trace ($(grep -ac -e $A -e $W "$T/after.db"))" [ "$(grep -ac -e $A -e $W "$T/after.db")" = 0 ]
check "audit verify passes after the erasure" quiet "$B" --db "$DB" --as "$ADMIN" audit verify
check "check --deep passes after the erasure" deep "$DB"
check "the erasure is itself in the audit trail (2 referral.erase events)" [ "$(q "select count(*) from event where action = 'referral.erase'")" = 2 ]
check "the backup's audit chain verifies too" quiet "$B" --db "$T/after.db" --as "$ADMIN" audit verify
"$B" --db "$DB" --as "$ADMIN" retention purge >"$T/purge2.out" 2>&1
check "a second purge erases nothing more" [ "$(q "select count(*) from referral where erased = 1")" = 2 ]
# the same through the council's policy: retention_months = 1
cat >"$T/short.conf" <<CONF
retention_months = 1;
CONF
DB2=$T/e2.db
E2=2026-11-20T10:00 # the second database on a pinned clock, its purge two months on
"$B" --db "$DB2" --now $E2 demo --referrals 10 --seed 4 >/dev/null
id=$("$B" --db "$DB2" --as alice --now $E2 referral new --case ZQXSHORT9 --lot 1 --district North --hours 3 2>/dev/null)
"$B" --db "$DB2" --as alice --now $E2 referral withdraw "$id" --reason "ZQXSHORT9 gone" >/dev/null 2>&1
"$B" --db "$DB2" --as "$ADMIN" --now $E2 policy load "$T/short.conf" --apply >/dev/null 2>&1
"$B" --db "$DB2" --as "$ADMIN" --now 2027-01-20T10:00 retention purge >"$T/p3" 2>&1
check "retention_months = 1 in the council's policy: a withdrawal two months old is erased ($(tail -1 "$T/p3" | head -c 100))" [ "$(cat "$DB2" "$DB2-wal" 2>/dev/null | grep -ac ZQXSHORT9)" = 0 ]
check "and its audit chain verifies" quiet "$B" --db "$DB2" --as "$ADMIN" audit verify
# issue 14: bulk reads of case data are recorded as reads, before they are shown
DB3=$T/e3.db
"$B" --db "$DB3" --now 2026-11-20T09:00 demo --referrals 10 --seed 5 >/dev/null
reads() { sqlite3 "$DB3" "select count(*) from event where action = 'data.read'"; }
for cmd in "audit log --json" "audit log" "referral list --all" "waiting" "spot list" "report waiting"; do
	n0=$(reads)
	# shellcheck disable=SC2086
	"$B" --db "$DB3" --as tina $cmd >/dev/null 2>&1
	n1=$(reads)
	check "'$cmd' is recorded as a read (data.read: $n0 -> $n1)" [ "$n1" -eq $((n0 + 1)) ]
done
check "the reads name the list ($(sqlite3 "$DB3" "select after from event_payload join event using (seq) where action = 'data.read' order by seq limit 1"))" \
	[ "$(sqlite3 "$DB3" "select count(*) from event_payload join event using (seq) where action = 'data.read' and after like '%audit log --json%'")" = 1 ]
# a subject access that found nothing: no referral, so no erasure reaches it; the reference is never stored
"$B" --db "$DB3" --as "$ADMIN" subject-access QZNOTHERE77 --out "$T/sar" >/dev/null 2>&1
check "a subject access that found nothing is recorded" [ "$(sqlite3 "$DB3" "select count(*) from event where action = 'subject.access' and entity = 'subject'")" = 1 ]
check "...and its case reference is in neither the database nor its log" [ "$(cat "$DB3" "$DB3-wal" 2>/dev/null | grep -ac QZNOTHERE77)" = 0 ]
"$B" --db "$DB3" --as "$ADMIN" backup "$T/e3-backup.db" >/dev/null 2>&1
check "...nor a backup made afterwards" [ "$(grep -ac QZNOTHERE77 "$T/e3-backup.db")" = 0 ]
check "...and the chain verifies" quiet "$B" --db "$DB3" --as "$ADMIN" audit verify
finish
