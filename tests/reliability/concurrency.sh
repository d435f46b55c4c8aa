#!/bin/bash
# Row 2: four writer processes (alice, bob, chloe, dan: new, send, respond,
# and declining each other's open offers) and a sweep loop on one database
# for RELIABILITY_SECONDS (default 60). No lost update (every success is in
# the database, no offer answered twice), no duplicate open offer, no
# "locked"/"busy" reaching a user, no exit 4, invariants clean at the end.
# Prints throughput and p99 latency.
. "$(dirname "$0")/lib.sh"
SECS=${RELIABILITY_SECONDS:-60}
DB=$(newdb "$T/conc.db")
"$B" --db "$DB" demo --referrals 200 --seed 11 >/dev/null || { fail "demo"; finish; }
q() { sql "$DB" "$1"; }
END=$(($(date +%s) + SECS))
# run LOG COMMAND...: logs "rc ms" and keeps stderr; returns the exit code
timed() {
	local log=$1; shift
	local t0=$EPOCHREALTIME rc
	"$@" >"$log.out" 2>>"$log.err"
	rc=$?
	local t1=$EPOCHREALTIME
	echo "$rc $(((${t1/./} - ${t0/./}) / 1000)) $2 $3" >>"$log.lat"
	return $rc
}
writer() {
	local who=$1 n=0 L=$T/w.$1 id row prov lot d
	local districts=(North South East West)
	RANDOM=$((RANDOM + ${#who} * 7919 + $$))
	while [ "$(date +%s)" -lt "$END" ]; do
		n=$((n + 1))
		lot=$((1 + RANDOM % 4)); d=${districts[RANDOM % 4]}
		if timed "$L" "$B" --db "$DB" --as "$who" referral new --case "W-$who-$n" --lot "$lot" --district "$d" --hours 6 --note "by $who $n"; then
			id=$(cat "$L.out")
			echo "new $id W-$who-$n" >>"$L.ok"
			if timed "$L" "$B" --db "$DB" --as "$who" referral send "$id"; then
				echo "send $id" >>"$L.ok"
				prov=$(q "select p.name from offer o join provider p on p.id = o.provider_id where o.referral_id = $id and o.status = 'sent' order by o.rank limit 1")
				if [ -n "$prov" ]; then
					if [ $((RANDOM % 3)) -eq 0 ]; then
						timed "$L" "$B" --db "$DB" --as "$who" referral respond "$id" --provider "$prov" accept \
							&& echo "accept $id $prov" >>"$L.ok"
					else
						timed "$L" "$B" --db "$DB" --as "$who" referral respond "$id" --provider "$prov" decline --reason "R-$who-$n" \
							&& echo "decline $id R-$who-$n" >>"$L.ok"
					fi
				fi
			fi
		fi
		# someone else's open offer: writers race for it; one wins
		row=$(q "select o.referral_id || '|' || p.name from offer o join provider p on p.id = o.provider_id where o.status = 'sent' order by random() limit 1")
		if [ -n "$row" ]; then
			timed "$L" "$B" --db "$DB" --as "$who" referral respond "${row%%|*}" --provider "${row#*|}" decline --reason "X-$who-$n" \
				&& echo "decline ${row%%|*} X-$who-$n" >>"$L.ok"
		fi
	done
}
sweeper() {
	local L=$T/w.sweep day=0
	while [ "$(date +%s)" -lt "$END" ]; do
		day=$((day + 1))
		# a sweep a few working days ahead expires the oldest offers
		timed "$L" "$B" --db "$DB" --as tina --now "$(date -u -d "+$((3 + day % 5)) days" +%Y-%m-%dT%H:%M)" sweep && echo sweep >>"$L.ok"
		read -r -t 0.2 -u 9 _
	done
}
mkfifo "$T/never"; exec 9<>"$T/never"
note "4 writers and a sweep loop for $SECS s"
pids=()
for w in alice bob chloe dan; do writer $w & pids+=($!); done
sweeper & pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done

cat "$T"/w.*.lat >"$T/all.lat"
total=$(wc -l <"$T/all.lat")
okn=$(awk '$1 == 0' "$T/all.lat" | wc -l)
rc4=$(awk '$1 >= 4' "$T/all.lat" | wc -l)
p99=$(awk '{print $2}' "$T/all.lat" | sort -n | awk '{v[NR] = $1} END {i = int(NR * 0.99); if (i < 1) i = 1; print v[i]}')
p50=$(awk '{print $2}' "$T/all.lat" | sort -n | awk '{v[NR] = $1} END {i = int(NR * 0.5); if (i < 1) i = 1; print v[i]}')
note "figures: $total commands, $okn succeeded, $(awk -v n="$okn" -v s="$SECS" 'BEGIN {printf "%.1f", n / s}') actions/s, p50 $p50 ms, p99 $p99 ms"
note "exit codes: $(awk '{print $1}' "$T/all.lat" | sort | uniq -c | tr '\n' ' ')"
note "refusals seen: $(cat "$T"/w.*.err 2>/dev/null | grep "^brokerage:" | sed 's/[0-9][0-9]*/N/g' | sort | uniq -c | sort -rn | head -3 | tr '\n' ' ')"
check "commands were run ($total)" [ "$total" -gt 20 ]
check "no command exited 4 (storage failure): $rc4" [ "$rc4" -eq 0 ]
# on PostgreSQL, a serialization failure, a deadlock or the server's own words are as bad
RAW='locked|busy|SQLITE|database is|serializ|deadlock|SQLSTATE|ERROR: '
if cat "$T"/w.*.err 2>/dev/null | grep -qiE "$RAW"; then
	fail "a 'locked'/'busy' message reached a user: $(cat "$T"/w.*.err | grep -iE "$RAW" | sort | uniq -c | head -3 | tr '\n' ' ')"
else
	ok "no 'database is locked'/'busy' message reached a user"
fi
check "the invariants are clean at the end (check --deep)" deep "$DB"
dup_rank=$(q "select count(*) from (select referral_id, rank from offer where status in ('sent','info_requested') group by 1, 2 having count(*) > 1) AS dup")
dup_prov=$(q "select count(*) from (select referral_id, provider_id from offer where status in ('sent','info_requested') group by 1, 2 having count(*) > 1) AS dup")
check "no duplicate open offer per referral and rank ($dup_rank)" [ "$dup_rank" = 0 ]
check "no duplicate open offer per referral and provider ($dup_prov)" [ "$dup_prov" = 0 ]
# lost updates: every success must be in the database, once
cat "$T"/w.*.ok >"$T/all.ok" 2>/dev/null
lost=0
while read -r kind id rest; do
	case $kind in
	new) [ "$(q "select count(*) from referral where id = $id and case_ref = '$rest'")" = 1 ] || { lost=$((lost + 1)); note "lost: referral $id $rest"; } ;;
	decline) [ "$(q "select count(*) from offer where referral_id = $id and status = 'declined' and reason = '$rest'")" = 1 ] || { lost=$((lost + 1)); note "lost: decline $id $rest"; } ;;
	accept) [ "$(q "select count(*) from offer o join provider p on p.id = o.provider_id where o.referral_id = $id and p.name = '$rest' and o.status = 'accepted'")" = 1 ] || { lost=$((lost + 1)); note "lost: accept $id $rest"; } ;;
	esac
done <"$T/all.ok"
check "no lost update: every one of $(wc -l <"$T/all.ok") successes is in the database ($lost lost)" [ "$lost" = 0 ]
declined_twice=$(q "select count(*) from (select referral_id, provider_id from offer where status = 'declined' group by 1, 2 having count(*) > 1) AS dup")
check "no provider's answer recorded twice on one referral ($declined_twice)" [ "$declined_twice" = 0 ]
nev=$(q "select count(*) from event e join referral r on r.id = e.entity_id and e.entity = 'referral' where e.action = 'referral.new' and r.case_ref like 'W-%'")
nnew=$(grep -c '^new' "$T/all.ok")
check "one referral.new event per referral recorded ($nev events, $nnew successes)" [ "$nev" = "$nnew" ]
echo "FIGURES concurrency seconds=$SECS commands=$total ok=$okn actions_per_s=$(awk -v n="$okn" -v s="$SECS" 'BEGIN {printf "%.1f", n / s}') p50_ms=$p50 p99_ms=$p99"
finish
