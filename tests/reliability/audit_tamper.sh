#!/bin/bash
# Row 9: the audit trail against someone with sqlite3 on the file. Direct
# UPDATE/DELETE of events and payloads are refused by the triggers; an edit
# made after dropping the triggers is named by `audit verify` (exit non-zero,
# the event's number in the message), and `check` fails too.
# On PostgreSQL (BROKERAGE_TEST_ENGINE=pg) the same, with psql as the
# cluster's superuser: the triggers refuse, and an edit made with them
# disabled is named; the anchor file, the rewrite of the SQLite file and
# restore are the SQLite file's own and skipped there.
. "$(dirname "$0")/lib.sh"
BASE=$(newdb "$T/base.db")
# the clock pinned, so the demo (and the open offer tampered with below) is the same whatever the day
"$B" --db "$BASE" --now 2026-11-20T09:00 demo --referrals 80 --seed 6 >/dev/null || { fail "demo"; finish; }
is_conninfo "$BASE" || sqlite3 "$BASE" "pragma wal_checkpoint(truncate)" >/dev/null
check "the untouched trail verifies" quiet "$B" --db "$BASE" --as "$ADMIN" audit verify
N=$(sql "$BASE" "select max(seq) from event")
note "$N events"
fresh() { rm -f "$T/t.db"*; TDB=$(dbcopy "$BASE" "$T/t.db"); }
HEX=$(sql_hex 'max(hash)')
# refused SQL: the statement fails, nothing changes
refused() {
	local what=$1 sql=$2
	fresh
	local before after
	before=$(sql "$TDB" "select count(*), sum(length(actor)), $HEX from event; select count(*), sum(length(after)) from event_payload")
	if sql "$TDB" "$sql" >/dev/null 2>"$T/err"; then
		fail "$what was allowed"
	else
		after=$(sql "$TDB" "select count(*), sum(length(actor)), $HEX from event; select count(*), sum(length(after)) from event_payload")
		check "$what refused by a trigger ($(head -c 80 "$T/err")), nothing changed" [ "$before" = "$after" ]
	fi
}
refused "UPDATE of an event" "update event set actor = 'mallory' where seq = 10"
refused "UPDATE of every event" "update event set at = at + 1"
refused "DELETE of an event" "delete from event where seq = 10"
refused "DELETE of the newest event" "delete from event where seq = (select max(seq) from event)"
refused "UPDATE of a payload" "update event_payload set after = '{}' where seq = 10"
refused "DELETE of a payload not under erasure" "delete from event_payload where seq = 10"
refused "DELETE of a payload with a NULL referral" "delete from event_payload where referral_id is null and seq = 1"
# tampered with the triggers dropped: verify names the event
named() {
	local what=$1 seq=$2 sql=$3
	fresh
	tamper "$TDB" "$sql" >/dev/null || { fail "$what: the edit itself failed"; return; }
	"$B" --db "$TDB" --as "$ADMIN" audit verify >"$T/out" 2>&1; local rc=$?
	if [ $rc -ne 0 ] && grep -qE "event $seq( |:|$)" "$T/out"; then
		ok "$what: audit verify exit $rc, names event $seq: $(head -c 140 "$T/out")"
	else
		fail "$what: audit verify exit $rc, wanted event $seq named: $(cat "$T/out")"
	fi
	"$B" --db "$TDB" --as "$ADMIN" check >/dev/null 2>&1
	check "$what: check fails too" [ $? -ne 0 ]
}
M=$((N / 2))
named "actor edited" "$M" "update event set actor = 'mallory' where seq = $M"
named "time edited" "$M" "update event set at = at - 86400 where seq = $M"
named "action edited" 7 "update event set action = 'referral.read' where seq = 7"
named "before/after payload edited" "$M" "update event_payload set after = replace(after, '\"', '''') where seq = $M"
named "payload deleted without an erasure" "$M" "delete from event_payload where seq = $M"
named "an event deleted from the middle" "$M" "delete from event_payload where seq = $M; delete from event where seq = $M"
named "the newest event deleted" "$N" "delete from event_payload where seq = $N; delete from event where seq = $N"
named "the two newest events deleted" "$((N - 1))" "delete from event_payload where seq >= $((N - 1)); delete from event where seq >= $((N - 1))"
named "an event inserted (a copy of another, renumbered)" "$((N + 1))" \
	"insert into event select $((N + 1)), at, actor, action, entity, entity_id, referral_id, payload_hash, hash, hash from event where seq = $N"
named "two events swapped" 20 "update event set seq = -1 where seq = 20; update event set seq = 20 where seq = 21; update event set seq = 21 where seq = -1; update event_payload set seq = -1 where seq = 20; update event_payload set seq = 20 where seq = 21; update event_payload set seq = 21 where seq = -1"
# a whole-trail rewrite (issue 14): one note changed, every hash after it
# recomputed, the recorded head too; the chain cannot see it, the anchors
# written outside the file can
if sqlite_only "the whole trail rewritten in the file; the anchor file beside it"; then
fresh
"$B" --db "$T/t.db" --as "$ADMIN" referral list --all >/dev/null 2>&1 # a command: the head goes to the anchor file
"$B" --db "$T/t.db" --as "$ADMIN" backup "$T/anchor-backup.db" >/dev/null 2>&1
"$B" --db "$T/t.db" --as "$ADMIN" backup "$T/anchor-backup.db" >/dev/null 2>&1
check "the anchor file beside the database holds the head ($(tail -1 "$T/t.db-anchor" 2>/dev/null | cut -c1-30))" [ -s "$T/t.db-anchor" ]
check "audit verify checks it and the backup given: both match" quiet "$B" --db "$T/t.db" --as "$ADMIN" audit verify --anchor "$T/anchor-backup.db"
sqlite3 "$T/t.db" "pragma wal_checkpoint(truncate)" >/dev/null
seq=$(sqlite3 "$T/t.db" "select min(seq) from event where action = 'referral.new'")
rid=$(sqlite3 "$T/t.db" "select referral_id from event where seq = $seq")
python3 "$REL_DIR/tools/rewrite_trail.py" "$T/t.db" "$seq" '"case_ref":"' '"case_ref":"X' \
	&& sqlite3 "$T/t.db" "update referral set case_ref = 'X' || case_ref where id = $rid" \
	&& ok "the trail rewritten from event $seq on (referral $rid's case reference changed, every hash recomputed)" \
	|| fail "rewriting the trail"
sqlite3 "$T/t.db" "select count(*) from event" >/dev/null
cp "$T/t.db-anchor" "$T/anchor.keep"
mv "$T/t.db-anchor" "$T/anchor.away"
"$B" --db "$T/t.db" --as "$ADMIN" audit verify >"$T/out" 2>&1; rc=$?
check "without its anchors, the rewritten chain verifies (exit $rc): the chain alone cannot see a rewrite" [ $rc -eq 0 ]
mv "$T/anchor.away" "$T/t.db-anchor"
"$B" --db "$T/t.db" --as "$ADMIN" audit verify >"$T/out" 2>&1; rc=$?
check "audit verify: the anchor file does not match (exit $rc): $(grep -m1 ANCHOR "$T/out" | head -c 120)" [ $rc -ne 0 ] && has "$T/out" "ANCHOR DOES NOT MATCH"
"$B" --db "$T/t.db" --as "$ADMIN" check >"$T/out" 2>&1; rc=$?
check "check names the anchor file too (exit $rc)" [ $rc -ne 0 ] && has "$T/out" "anchor file"
rm -f "$T/t.db-anchor"
"$B" --db "$T/t.db" --as "$ADMIN" audit verify --anchor "$T/anchor-backup.db" >"$T/out" 2>&1; rc=$?
check "anchor file removed too: the backup given with --anchor still finds it (exit $rc)" [ $rc -ne 0 ] && has "$T/out" "ANCHOR DOES NOT MATCH: $T/anchor-backup.db"
"$B" --db "$T/t.db" --as "$ADMIN" audit verify --anchor "$T/anchor.keep" >"$T/out" 2>&1; rc=$?
check "...and so does a copy of the anchor file kept elsewhere (exit $rc)" [ $rc -ne 0 ] && has "$T/out" "ANCHOR DOES NOT MATCH"
fi
# records edited behind the program's back (issue 14): check --deep replays
# every record from its events and names the record and field
content() { # WHAT SQL EXPECTED-WORDS
	local what=$1 sql=$2 words=$3
	fresh
	sql "$TDB" "$sql" >/dev/null || { fail "$what: the edit failed"; return; }
	"$B" --db "$TDB" --as "$ADMIN" check --deep >"$T/out" 2>&1; rc=$?
	check "$what: check --deep exit $rc names it: $(grep -m1 -i "$words" "$T/out" | head -c 150)" [ $rc -ne 0 ] && has "$T/out" "$words"
}
fresh
check "the untouched demo passes check --deep (every record agrees with its trail)" deep "$TDB"
rid=$(sql "$BASE" "select min(id) from referral where note is not null and length(note) > 10")
content "five bytes of a note changed" "update referral set note = substr(note, 1, 5) || 'XXXXX' || substr(note, 11) where id = $rid" "referral $rid: note"
pid=$(sql "$BASE" "select min(id) from provider where risk = 'red'")
content "a red provider made green" "update provider set risk = 'green' where id = $pid" "provider $pid: risk"
sid=$(sql "$BASE" "select min(id) from staff where role = 'officer'")
content "an officer made an administrator" "update staff set role = 'admin' where id = $sid" "staff record $sid: role"
spid=$(sql "$BASE" "select min(id) from spot_request")
content "a spot request's rate changed" "update spot_request set rate = rate + 1 where id = $spid" "spot request $spid: rate"
oid=$(sql "$BASE" "select min(id) from offer where status = 'sent'")
content "an open offer's deadline moved" "update offer set deadline_at = deadline_at + 86400 where id = $oid" "offer $oid: deadline_at"
content "a provider's embargo lifted" "update provider set embargo = NULL where embargo is not null" "embargo"
klot=$(sql "$BASE" "select lot from ranking group by lot, district having count(*) >= 2 order by lot, district limit 1")
kdist=$(sql "$BASE" "select district from ranking where lot = $klot group by district having count(*) >= 2 order by district limit 1")
content "the first two of a ranking swapped" "update ranking set rank = 9999 where lot = $klot and district = '$kdist' and rank = 1; update ranking set rank = 1 where lot = $klot and district = '$kdist' and rank = 2; update ranking set rank = 2 where lot = $klot and district = '$kdist' and rank = 9999" "the rankings of lot $klot: lot $klot $kdist"
content "the council's policy edited (excluded risks emptied)" "update policy set value = '[]' where key = 'excluded_risks'" "the council's policy: excluded_risks"
content "the key-decision threshold raised by hand" "update policy set value = '100000000000' where key = 'key_decision_threshold'" "the council's policy: key_decision_threshold"
rid2=$(sql "$BASE" "select max(id) from referral where status = 'sourced'")
fresh
tamper "$TDB" "delete from event_payload where referral_id = $rid2" >/dev/null || fail "deleting the payloads failed"
"$B" --db "$TDB" --as "$ADMIN" check --deep >"$T/out" 2>&1; rc=$?
check "the payloads of a referral never purged deleted: check --deep exit $rc names it: $(grep -m1 -i "without an erasure" "$T/out" | head -c 150)" [ $rc -ne 0 ] && has "$T/out" "without an erasure"
if sqlite_only "restore of an edited backup file"; then
fresh
sqlite3 "$T/t.db" "update referral set note = 'changed by hand' where id = $rid"
s0=$(sql "$BASE" "select count(*) from event")
"$B" --db "$BASE" --as "$ADMIN" restore "$T/t.db" >"$T/out" 2>&1; rc=$?
check "restore refuses a backup whose note was edited (exit $rc): $(head -c 160 "$T/out")" [ $rc -ne 0 ] && has "$T/out" "referral $rid: note"
check "...and changes nothing" [ "$(sql "$BASE" "select count(*) from event")" = "$s0" ]
fi
# a provider imported (one data.import event, no record of its own) and then
# changed: known by the fields its changes set, no false alarm, and those checked
IMP=$(newdb "$T/imp.db")
"$B" --db "$IMP" init --test-mode >/dev/null 2>&1
"$B" --db "$IMP" --as "$ADMIN" staff add tl --name TL --role team_leader >/dev/null 2>&1
"$B" --db "$IMP" --as tl import providers "$SRC/tests/fixtures/providers.csv" >/dev/null 2>&1
pname=$(sql "$IMP" "select name from provider order by id limit 1")
"$B" --db "$IMP" --as tl provider set "$pname" --risk red >/dev/null 2>&1
check "an imported provider changed later: check --deep clean" deep "$IMP"
sql "$IMP" "update provider set risk = 'green' where name = '$pname'" >/dev/null
"$B" --db "$IMP" --as "$ADMIN" check --deep >"$T/out" 2>&1; rc=$?
check "...its risk edited by hand: named (exit $rc)" [ $rc -ne 0 ] && has "$T/out" "risk is \"green\""
finish
