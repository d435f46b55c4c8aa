#!/bin/bash
# Row 12: backups taken while two writers run each pass check --deep;
# `brokerage restore FILE` checks the backup before it replaces anything
# (a damaged, tampered, foreign or newer file, or one breaking a workflow
# invariant, is refused and the live database is untouched), keeps the
# current contents beside it, and a good restore verifies.
# RELIABILITY_SECONDS (default 60) bounds the writers; a quarter of it is
# used here.
. "$(dirname "$0")/lib.sh"
SECS=$(((${RELIABILITY_SECONDS:-60} + 3) / 4))
[ "$SECS" -ge 4 ] || SECS=4
DB=$T/live.db
"$B" --db "$DB" --now 2026-03-02T09:00 demo --referrals 150 --seed 21 >/dev/null || { fail "demo"; finish; }
q() { sqlite3 -batch -noheader -cmd ".timeout 5000" "$1" "$2"; }
END=$(($(date +%s) + SECS))
writer() {
	local n=0 id
	while [ "$(date +%s)" -lt "$END" ]; do
		n=$((n + 1))
		id=$("$B" --db "$DB" --as "$1" referral new --case "BK-$1-$n" --lot 1 --district North --hours 4 2>/dev/null) &&
			"$B" --db "$DB" --as "$1" referral send "$id" >/dev/null 2>&1
	done
}
writer alice & w1=$!
writer bob & w2=$!
nb=0 bad=0
while [ "$(date +%s)" -lt "$END" ]; do
	nb=$((nb + 1))
	if "$B" --db "$DB" --as "$ADMIN" backup "$T/bk$nb.db" >/dev/null 2>"$T/err"; then
		deep "$T/bk$nb.db" || { bad=$((bad + 1)); note "backup $nb: $(head -c 200 "$T/deep.out")"; }
	else
		bad=$((bad + 1)); note "backup $nb failed: $(cat "$T/err")"
	fi
done
wait $w1 $w2
made=$(q "$DB" "select count(*) from referral where case_ref like 'BK-%'")
check "$nb backups taken while 2 writers made $made referrals: each passes check --deep ($bad bad)" [ "$bad.$((nb >= 2)).$((made > 0))" = 0.1.1 ]
check "the live database passes check --deep" deep "$DB"
check "a backup never overwrites a file" [ "$("$B" --db "$DB" --as "$ADMIN" backup "$T/bk1.db" >/dev/null 2>&1; echo $?)" != 0 ]
check "a backup is refused to an officer" [ "$("$B" --db "$DB" --as alice backup "$T/officer.db" >/dev/null 2>&1; echo $?).$([ -e "$T/officer.db" ] && echo made)" = 1. ]
GOOD=$T/bk1.db
# restore refuses bad files and leaves the live database alone
live_state() { echo "$(sha256sum <"$DB") $(q "$DB" "select count(*) from referral") $(q "$DB" "select max(seq) from event")"; }
sqlite3 "$DB" "pragma wal_checkpoint(truncate)" >/dev/null
refuse() { # NAME FILE
	local before; before=$(live_state)
	"$B" --db "$DB" --as "$ADMIN" restore "$2" >/dev/null 2>"$T/err"; local rc=$?
	check "restore of $1 refused (exit $rc): $(head -c 150 "$T/err")" [ $rc -ne 0 ]
	check "restore of $1: the live database untouched, nothing kept beside it" [ "$before.$(ls "$DB".before-restore-* 2>/dev/null | wc -l)" = "$(live_state).0" ]
}
cp "$GOOD" "$T/tampered.db"
sqlite3 "$T/tampered.db" "drop trigger event_no_update; update event set actor = 'mallory' where seq = 50"
refuse "a backup with an edited audit event" "$T/tampered.db"
cp "$GOOD" "$T/corrupt.db"
PS=$(sqlite3 "$GOOD" "pragma page_size")
p=$(sqlite3 "$GOOD" "select pageno from dbstat where name = 'offer' and pagetype = 'leaf' limit 1 offset 2")
dd if=/dev/zero of="$T/corrupt.db" bs="$PS" seek=$((p - 1)) count=1 conv=notrunc status=none
refuse "a damaged backup" "$T/corrupt.db"
echo "not a database" >"$T/text.db"
refuse "a text file" "$T/text.db"
sqlite3 "$T/foreign.db" "create table t(x)"
refuse "someone else's SQLite file" "$T/foreign.db"
cp "$GOOD" "$T/newer.db"; sqlite3 "$T/newer.db" "pragma user_version = 99"
refuse "a newer schema" "$T/newer.db"
refuse "a missing file" "$T/no-such.db"
# a file whose integrity and audit chain are fine but whose workflow is
# not: a referral marked sourced from the framework with no acceptance
# (only check --deep sees it; no trigger guards the referral table)
cp "$GOOD" "$T/invariant.db"
rid=$(q "$T/invariant.db" "select id from referral where status in ('exhausted', 'searching', 'paused', 'new') order by id limit 1")
sqlite3 "$T/invariant.db" "update referral set status = 'sourced', route = 'framework' where id = $rid"
cp "$T/invariant.db" "$T/invariant-probe.db"
"$B" --db "$T/invariant-probe.db" --as "$ADMIN" check >/dev/null 2>&1; rc1=$?
"$B" --db "$T/invariant-probe.db" --as "$ADMIN" check --deep >"$T/probe.out" 2>&1; rc2=$?
check "the edited copy passes check (exit $rc1) and fails only check --deep (exit $rc2)" [ "$rc1.$rc2" = 0.4 ]
refuse "a backup with a broken invariant (referral $rid sourced without an acceptance)" "$T/invariant.db"
check "the refusal names the invariant and the referral: $(sed 's/.*cannot be restored: //' "$T/err" | head -c 200)" has "$T/err" "without one confirmed acceptance: referral $rid\b"
before=$(live_state)
"$B" --db "$DB" --as tina restore "$GOOD" >/dev/null 2>&1; rc=$?
check "restore by a team leader refused (exit $rc), nothing changed" [ "$rc.$before" = "1.$(live_state)" ]
# a good restore
want=$(q "$GOOD" "select count(*) from referral")
"$B" --db "$DB" --as "$ADMIN" restore "$GOOD" >"$T/out" 2>&1; rc=$?
check "restore of a good backup (exit $rc): $(head -c 150 "$T/out")" [ $rc = 0 ]
check "the live database now has the backup's $want referrals" [ "$(q "$DB" "select count(*) from referral")" = "$want" ]
kept=$(ls "$DB".before-restore-* 2>/dev/null | head -1)
check "the previous contents are kept beside it ($(basename "${kept:-none}"), mode $(stat -c %a "${kept:-/nonexistent}" 2>/dev/null))" [ "$(stat -c %a "${kept:-/nonexistent}" 2>/dev/null)" = 600 ]
check "the kept copy has all the writers' referrals ($made)" [ "$(q "$kept" "select count(*) from referral where case_ref like 'BK-%'")" = "$made" ]
check "after the restore: check --deep passes" deep "$DB"
check "after the restore: audit verify passes" quiet "$B" --db "$DB" --as "$ADMIN" audit verify
check "the restore is in the audit trail" [ "$(q "$DB" "select count(*) from event where action = 'database.restore'")" = 1 ]
check "work goes on after the restore" quiet "$B" --db "$DB" --as alice referral new --case BK-after --lot 1 --district North --hours 3
# a second restore in the same second keeps its copy under a new name
NOW=2026-03-02T10:00
"$B" --db "$DB" --as "$ADMIN" --now $NOW backup "$T/same1.db" >/dev/null 2>&1
"$B" --db "$DB" --as "$ADMIN" --now $NOW restore "$T/same1.db" >/dev/null 2>&1; rc1=$?
"$B" --db "$DB" --as "$ADMIN" --now $NOW restore "$T/same1.db" >"$T/out" 2>&1; rc2=$?
check "two restores at the same moment both go through (exit $rc1, $rc2), the second keeps its copy apart: $(grep -o 'before-restore-[^ ]*' "$T/out")" \
	[ "$rc1.$rc2.$(ls "$DB".before-restore-2026-03-02T10-00-00Z* 2>/dev/null | wc -l)" = 0.0.2 ]
# a backup is one self-contained file: a rollback journal, nothing beside it
"$B" --db "$DB" --as "$ADMIN" backup "$T/fresh.db" >/dev/null 2>&1
check "a backup is one file: a rollback journal in its header, no -wal or -shm beside it" \
	[ "$(od -An -tu1 -j18 -N1 "$T/fresh.db" | tr -d ' ').$(ls "$T"/fresh.db-* 2>/dev/null | wc -l)" = 1.0 ]
# the live database damaged: check says so and points to restore; backup
# refuses it in words; restore rescues it, keeping the damaged bytes
sqlite3 "$DB" "pragma wal_checkpoint(truncate)" >/dev/null
p=$(q "$DB" "select pageno from dbstat where name = 'offer' and pagetype = 'leaf' limit 1 offset 1")
dd if=/dev/urandom of="$DB" bs="$PS" seek=$((p - 1)) count=1 conv=notrunc status=none
damaged=$(sha256sum <"$DB")
"$B" --db "$DB" --as "$ADMIN" check >"$T/out" 2>&1; rc=$?
check "check on the damaged database fails (exit $rc) and points to restore: $(tail -1 "$T/out" | head -c 160)" \
	[ "$rc.$(grep -c "brokerage restore FILE" "$T/out")" = 4.1 ]
"$B" --db "$DB" --as "$ADMIN" backup "$T/from-damaged.db" >/dev/null 2>"$T/err"; rc=$?
check "backup of the damaged database refused in words (exit $rc), no file left: $(head -c 90 "$T/err")" \
	[ "$rc.$(grep -c "database file is damaged" "$T/err").$(grep -ci "not an error" "$T/err").$(ls "$T"/from-damaged.db* 2>/dev/null | wc -l)" = 4.1.0.0 ]
rm -f "$DB".before-restore-*
"$B" --db "$DB" --as "$ADMIN" restore "$T/fresh.db" >"$T/out" 2>&1; rc=$?
check "restore over the damaged database goes through (exit $rc): $(head -c 150 "$T/out")" [ "$rc.$(grep -c "damaged" "$T/out")" = 0.1 ]
kept=$(ls "$DB".before-restore-* 2>/dev/null | grep -v -- '-wal$' | head -1)
check "the damaged contents are kept byte for byte, owner only ($(basename "${kept:-none}"))" \
	[ "$(sha256sum <"${kept:-/nonexistent}" 2>/dev/null).$(stat -c %a "${kept:-/nonexistent}" 2>/dev/null)" = "$damaged.600" ]
check "after rescuing the damaged database: check --deep passes" deep "$DB"
check "the rescue is in the audit trail, marked as keeping damaged contents" \
	[ "$(q "$DB" "select count(*) from event e join event_payload p on p.seq = e.seq where e.action = 'database.restore' and p.after like '%\"kept_damaged\":true%'")" = 1 ]
check "no -wal or -shm left beside the backup restored from" [ "$(ls "$T"/fresh.db-* 2>/dev/null | wc -l)" = 0 ]
finish
