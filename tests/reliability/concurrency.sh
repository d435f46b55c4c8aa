#!/bin/bash
# Row 2: writer processes on one database for RELIABILITY_SECONDS (default
# 60), on either engine (BROKERAGE_TEST_ENGINE=pg: a PostgreSQL cluster of
# its own, standing in for several hosts). CONCURRENCY_WRITERS (default 4;
# 8 for the PostgreSQL run of issue 19) staff of the demo, each recording,
# sending, answering (accept/decline), racing the others to decline an open
# offer with the version it read (--expect-version), and sweeping every
# few rounds; a sweep loop besides. Afterwards: no exit 4, no
# "locked"/"busy"/engine text reaching a user; every version conflict
# exit 3 saying what changed, and every exit 3 a version conflict; no lost
# update (every success in the database and in the audit trail); no
# duplicate open offer per (referral, rank) or (referral, provider), nor,
# the cascade being sequential, two open offers on one referral at once
# (sampled throughout the run, not only at the end); no answer recorded
# twice; check --deep and audit verify clean. Prints throughput and latency.
. "$(dirname "$0")/lib.sh"
SECS=${RELIABILITY_SECONDS:-60}
NW=${CONCURRENCY_WRITERS:-4}
STAFF=(alice bob chloe dan tina tom sam sara)
[ "$NW" -ge 1 ] && [ "$NW" -le ${#STAFF[@]} ] || { fail "CONCURRENCY_WRITERS must be 1 to ${#STAFF[@]}"; finish; }
DB=$(newdb "$T/conc.db")
"$B" --db "$DB" demo --referrals 200 --seed 11 >/dev/null || { fail "demo"; finish; }
q() { sql "$DB" "$1"; }
cascade=$("$B" --db "$DB" --as tina policy show 2>/dev/null | sed -n 's/^cascade = "\(.*\)";/\1/p')
END=$(($(date +%s) + SECS))
# run LOG COMMAND...: logs "rc ms" and keeps stderr; returns the exit code
timed() {
	local log=$1; shift
	local t0=$EPOCHREALTIME rc
	"$@" >"$log.out" 2>"$log.last"
	rc=$?
	local t1=$EPOCHREALTIME
	cat "$log.last" >>"$log.err"
	# each refusal's first line with its exit code, for the version checks
	[ $rc -eq 0 ] || echo "$rc $(head -1 "$log.last")" >>"$log.rcerr"
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
		# someone else's open offer: writers race for it with the version
		# they read; one wins, the others are told it changed (exit 3)
		row=$(q "select o.referral_id || '|' || r.version || '|' || p.name from offer o join provider p on p.id = o.provider_id join referral r on r.id = o.referral_id where o.status = 'sent' order by random() limit 1")
		if [ -n "$row" ]; then
			IFS='|' read -r rid ver prov <<<"$row"
			timed "$L" "$B" --db "$DB" --as "$who" referral respond "$rid" --provider "$prov" decline --reason "X-$who-$n" \
				--expect-version "$ver" && echo "decline $rid X-$who-$n" >>"$L.ok"
		fi
		# and the sweep, now and then, a few working days ahead
		if [ $((n % 3)) -eq 0 ]; then
			timed "$L" "$B" --db "$DB" --as "$who" --now "$(date -u -d "+$((3 + n % 5)) days" +%Y-%m-%dT%H:%M)" sweep \
				&& echo sweep >>"$L.ok"
		fi
	done
}
sweeper() {
	local L=$T/w.sweep day=0
	while [ "$(date +%s)" -lt "$END" ]; do
		day=$((day + 1))
		# a sweep a few working days ahead expires the oldest offers
		timed "$L" "$B" --db "$DB" --as tina --now "$(date -u -d "+$((3 + day % 5)) days" +%Y-%m-%dT%H:%M)" sweep && echo sweep >>"$L.ok"
		# a referral offered to two providers at once, seen while it happens
		[ "$cascade" = sequential ] && q "select count(*) from (select referral_id from offer where status in ('sent','info_requested') group by 1 having count(*) > 1) x" >>"$T/doubles"
		read -r -t 0.2 -u 9 _
	done
}
mkfifo "$T/never"; exec 9<>"$T/never"
note "$NW writers ($ENGINE), each also sweeping, and a sweep loop for $SECS s; cascade $cascade"
pids=()
for w in "${STAFF[@]:0:NW}"; do writer "$w" & pids+=($!); done
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
dup_rank=$(q "select count(*) from (select referral_id, rank from offer where status in ('sent','info_requested') group by 1, 2 having count(*) > 1) x")
dup_prov=$(q "select count(*) from (select referral_id, provider_id from offer where status in ('sent','info_requested') group by 1, 2 having count(*) > 1) x")
check "no duplicate open offer per referral and rank ($dup_rank)" [ "$dup_rank" = 0 ]
check "no duplicate open offer per referral and provider ($dup_prov)" [ "$dup_prov" = 0 ]
# every version conflict is exit 3 and says what changed; every exit 3 is one
cat "$T"/w.*.rcerr >"$T/all.rcerr" 2>/dev/null || : >"$T/all.rcerr"
conflicts=$(grep -c 'changed after you looked at it' "$T/all.rcerr")
conf_not3=$(grep 'changed after you looked at it' "$T/all.rcerr" | grep -vc '^3 ')
rc3_not=$(grep '^3 ' "$T/all.rcerr" | grep -vc 'changed after you looked at it')
check "every version conflict is exit 3 ($conflicts conflicts; $conf_not3 with another code)" [ "$conf_not3" = 0 ]
check "every exit 3 is a version conflict saying what changed ($rc3_not not)" [ "$rc3_not" = 0 ]
[ "$conflicts" -gt 0 ] || note "no version conflict happened in this run"
# never two open offers on one referral at once, the cascade being sequential
if [ "$cascade" = sequential ]; then
	q "select count(*) from (select referral_id from offer where status in ('sent','info_requested') group by 1 having count(*) > 1) x" >>"$T/doubles"
	samples=$(wc -l <"$T/doubles")
	worst=$(sort -n "$T/doubles" | tail -1)
	check "never one referral offered to two providers at once (sequential cascade; $samples samples during and after the run, worst $worst)" [ "$worst" = 0 ]
fi
# lost updates: every success is in the database, once, and in the audit
# trail (one query a kind, the successes given as a list)
cat "$T"/w.*.ok >"$T/all.ok" 2>/dev/null
qf() { # SQL from a file (the lists are long)
	if is_conninfo "$DB"; then "$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -f "$1"
	else sqlite3 -batch -noheader -cmd ".timeout 10000" "$DB" <"$1"; fi
}
missing() { # kind, columns, row awk, condition on v: how many successes of that kind are not found
	awk -v k="$1" '$1 == k' "$T/all.ok" >"$T/kind"
	[ -s "$T/kind" ] || { echo 0; return; }
	{
		echo "WITH v($2) AS (VALUES"
		awk "$3" "$T/kind" | sed '$!s/$/,/'
		echo ") SELECT count(*) FROM v WHERE NOT ($4);"
	} >"$T/kind.sql"
	qf "$T/kind.sql"
}
lost_new=$(missing new "id, c" '{printf "(%d, '"'"'%s'"'"')\n", $2, $3}' \
	"EXISTS (SELECT 1 FROM referral r WHERE r.id = v.id AND r.case_ref = v.c) AND EXISTS (SELECT 1 FROM event e WHERE e.action = 'referral.new' AND e.entity = 'referral' AND e.entity_id = v.id)")
lost_send=$(missing send "id" '{printf "(%d)\n", $2}' \
	"EXISTS (SELECT 1 FROM event e WHERE e.action = 'referral.send' AND e.entity = 'referral' AND e.entity_id = v.id)")
lost_decline=$(missing decline "id, why" '{printf "(%d, '"'"'%s'"'"')\n", $2, $3}' \
	"(SELECT count(*) FROM offer o WHERE o.referral_id = v.id AND o.status = 'declined' AND o.reason = v.why) = 1 AND EXISTS (SELECT 1 FROM offer o JOIN event e ON e.entity = 'offer' AND e.entity_id = o.id AND e.action = 'offer.decline' WHERE o.referral_id = v.id AND o.reason = v.why)")
lost_accept=$(missing accept "id, prov" '{n = $3; for (i = 4; i <= NF; i++) n = n " " $i; gsub(/'"'"'/, "'"''"'", n); printf "(%d, '"'"'%s'"'"')\n", $2, n}' \
	"EXISTS (SELECT 1 FROM offer o JOIN provider p ON p.id = o.provider_id JOIN event e ON e.entity = 'offer' AND e.entity_id = o.id AND e.action = 'offer.accept' WHERE o.referral_id = v.id AND p.name = v.prov AND o.status = 'accepted')")
lost=$((lost_new + lost_send + lost_decline + lost_accept))
check "no lost update: every one of $(wc -l <"$T/all.ok") successes is in the database and the audit trail (lost: $lost_new new, $lost_send send, $lost_decline decline, $lost_accept accept)" [ "$lost" = 0 ]
declined_twice=$(q "select count(*) from (select referral_id, provider_id from offer where status = 'declined' group by 1, 2 having count(*) > 1) x")
check "no provider's answer recorded twice on one referral ($declined_twice)" [ "$declined_twice" = 0 ]
nev=$(q "select count(*) from event e join referral r on r.id = e.entity_id and e.entity = 'referral' where e.action = 'referral.new' and r.case_ref like 'W-%'")
nnew=$(grep -c '^new' "$T/all.ok")
check "one referral.new event per referral recorded ($nev events, $nnew successes)" [ "$nev" = "$nnew" ]
"$B" --db "$DB" --as "$ADMIN" audit verify >"$T/verify.out" 2>&1
vrc=$?
check "audit verify after the run: $(head -1 "$T/verify.out")" [ "$vrc" -eq 0 ]
echo "FIGURES concurrency engine=$ENGINE writers=$NW seconds=$SECS conflicts=$conflicts commands=$total ok=$okn actions_per_s=$(awk -v n="$okn" -v s="$SECS" 'BEGIN {printf "%.1f", n / s}') p50_ms=$p50 p99_ms=$p99"
finish
