#!/bin/bash
# Row 4: two users act on the same referral with --expect-version. The
# second is refused with exit 3 and a message saying what changed (the
# version, the action, who and when); nothing of the first is lost and
# nothing of the second is half-applied. Then 20 true races: two processes
# started together with the same expected version, exactly one wins.
. "$(dirname "$0")/lib.sh"
DB=$(newdb "$T/conflict.db")
NOW=2026-11-20T09:00 # every command at one pinned clock: the same whatever the day
"$B" --db "$DB" --now "$NOW" demo --referrals 40 --seed 5 >/dev/null || { fail "demo"; finish; }
q() { sql "$DB" "$1"; }
ver() { q "select version from referral where id = $1"; }
newref() { "$B" --db "$DB" --now "$NOW" --as alice referral new --case "$1" --lot 1 --district North --hours 5 2>/dev/null; }
# second MESSAGE-NAME WHO COMMAND...: run as the second user; must exit 3 and say what changed
second() {
	local what=$1; shift
	"$B" --db "$DB" --now "$NOW" "$@" >"$T/2.out" 2>"$T/2.err"
	local rc=$?
	if [ $rc -eq 3 ] && grep -q "version $v" "$T/2.err" && grep -qE "is now version $((v + 1))" "$T/2.err" &&
		grep -q "$what" "$T/2.err" && grep -qi "nothing was changed" "$T/2.err"; then
		ok "second user refused with exit 3 and told what changed: $(head -c 160 "$T/2.err")"
	else
		fail "second user: exit $rc, message: $(cat "$T/2.err")"
	fi
}

# 1. edit against edit
id=$(newref CF-1); v=$(ver "$id")
"$B" --db "$DB" --now "$NOW" --as alice referral edit "$id" --note "alice's note" --expect-version "$v" >/dev/null 2>&1 || fail "first edit"
second "referral.edit by alice" --as bob referral edit "$id" --hours 9 --note "bob's note" --expect-version "$v"
check "the first edit kept, the second not applied (note, hours, version $((v + 1)))" \
	[ "$(q "select note || '|' || hours_minutes || '|' || version from referral where id = $id")" = "alice's note|300|$((v + 1))" ]

# 2. send against withdraw
id=$(newref CF-2); v=$(ver "$id")
"$B" --db "$DB" --now "$NOW" --as tina referral withdraw "$id" --reason "family moved" --expect-version "$v" >/dev/null 2>&1 || fail "withdraw"
second "withdrawn" --as alice referral send "$id" --expect-version "$v"
check "the withdrawal kept; no offer made" [ "$(q "select status || '|' || (select count(*) from offer where referral_id = $id) from referral where id = $id")" = "withdrawn|0" ]

# 3. two answers from one provider: decline recorded, the accept refused
id=$(newref CF-3); "$B" --db "$DB" --now "$NOW" --as alice referral send "$id" >/dev/null 2>&1
prov=$(q "select p.name from offer o join provider p on p.id = o.provider_id where o.referral_id = $id and o.status = 'sent'")
v=$(ver "$id")
"$B" --db "$DB" --now "$NOW" --as alice referral respond "$id" --provider "$prov" decline --reason "no staff" --expect-version "$v" >/dev/null 2>&1 || fail "decline"
second "by alice" --as bob referral respond "$id" --provider "$prov" accept --expect-version "$v"
check "the decline kept, no acceptance" [ "$(q "select count(*) from offer where referral_id = $id and status = 'accepted'")|$(q "select reason from offer o join provider p on p.id = o.provider_id where o.referral_id = $id and p.name = '$prov'")" = "0|no staff" ]

# 4. pause against assign
id=$(newref CF-4); v=$(ver "$id")
"$B" --db "$DB" --now "$NOW" --as alice referral pause "$id" --reason "family asks to wait" --expect-version "$v" >/dev/null 2>&1 || fail "pause"
second "paused" --as tina referral assign "$id" bob --expect-version "$v"
check "the pause kept, the holder unchanged" [ "$(q "select r.status || '|' || s.login from referral r join staff s on s.id = r.holder_id where r.id = $id")" = "paused|alice" ]
check "events: exactly one change recorded after the referral was made" [ "$(q "select count(*) from event where referral_id = $id and action not in ('referral.new','referral.read')")" = 1 ]

# 5. true races: both started at once with the same version
wins=0 bad=0
for ((i = 1; i <= 20; i++)); do
	id=$(newref "RACE-$i"); v=$(ver "$id")
	"$B" --db "$DB" --now "$NOW" --as alice referral edit "$id" --note "A$i" --expect-version "$v" >/dev/null 2>"$T/a.err" & pa=$!
	"$B" --db "$DB" --now "$NOW" --as bob referral edit "$id" --note "B$i" --expect-version "$v" >/dev/null 2>"$T/b.err" & pb=$!
	wait $pa; ra=$?; wait $pb; rb=$?
	note_now=$(q "select note || '|' || version from referral where id = $id")
	if [ "$ra$rb" = 03 ] && [ "$note_now" = "A$i|$((v + 1))" ]; then wins=$((wins + 1))
	elif [ "$ra$rb" = 30 ] && [ "$note_now" = "B$i|$((v + 1))" ]; then wins=$((wins + 1))
	else bad=$((bad + 1)); note "race $i: exits $ra $rb, now $note_now; $(cat "$T/a.err" "$T/b.err" | head -2 | tr '\n' ' ')"; fi
done
check "20 races: exactly one winner each time, the loser exit 3, the winner's change kept ($bad bad)" [ "$bad" = 0 ]
check "invariants clean afterwards" deep "$DB"
finish
