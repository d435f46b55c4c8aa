#!/bin/bash
# Row 1: kill -9 at random moments during actions, sweeps, imports and demo
# generation. After every kill the database must pass `check --deep`, and
# what was being done is all there or not there at all.
# RELIABILITY_KILLS (default 200) is the total number of kills, shared out
# 40% actions, 20% sweeps, 20% imports, 20% demo generation.
. "$(dirname "$0")/lib.sh"
KILLS=${RELIABILITY_KILLS:-200}
N_ACT=$((KILLS * 40 / 100)) N_SWEEP=$((KILLS * 20 / 100)) N_IMP=$((KILLS * 20 / 100))
N_DEMO=$((KILLS - N_ACT - N_SWEEP - N_IMP))
RANDOM=${RELIABILITY_SEED:-$$}
q() { sql "$1" "$2" 2>/dev/null; }
bad=0 kills=0 interrupted=0
keep_bad() { # keep the evidence of a failure
	local f=/tmp/bk_kill9_fail.$$.$1
	if is_conninfo "$2"; then
		f=$(dbcopy "$2" "kill9_fail_$$_$1") && KEEP_TMP=1
		note "evidence kept: the database $f, in $PG_DIR ($(head -c 300 "$T/deep.out" | tr '\n' ' '))"
		return
	fi
	cp "$2" "$f" 2>/dev/null; [ -e "$2-wal" ] && cp "$2-wal" "$f-wal"
	note "evidence kept: $f ($(head -c 300 "$T/deep.out" | tr '\n' ' '))"
}
# run COMMAND in the background, kill -9 it after a random delay of up to
# MAXMS milliseconds; counts kills that landed while it still ran
kill_during() {
	local maxms=$1; shift
	"$@" >/dev/null 2>"$T/killed.err" &
	local pid=$! d=$((RANDOM % (maxms + 1)))
	[ "$d" -gt 0 ] && read -r -t "$(printf '0.%03d' "$d")" -u 9 _
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null && interrupted=$((interrupted + 1))
	fi
	wait "$pid" 2>/dev/null
	kills=$((kills + 1))
}
# a sleep without a fork: read from a pipe no one writes to
mkfifo "$T/never"; exec 9<>"$T/never"
dur_ms() { local a b; a=$(ms); "$@" >/dev/null 2>&1; b=$(ms); echo $(((b - a) * 9 / 10 + 1)); }

# ---- actions ----
A=$(newdb "$T/actions.db")
"$B" --db "$A" --now 2026-11-20T09:00 demo --referrals 150 --seed 7 >/dev/null || { fail "demo for the actions"; finish; }
D_NEW=$(dur_ms "$B" --db "$A" --as alice referral new --case KT-0 --lot 1 --district North --hours 5)
D_SEND=$(dur_ms "$B" --db "$A" --as alice referral send "$(q "$A" "select id from referral where case_ref='KT-0'")")
D_ACT=$((D_NEW > D_SEND ? D_NEW : D_SEND))
note "actions take about ${D_ACT} ms; killing within that"
a_bad=0
for ((i = 1; i <= N_ACT; i++)); do
	kind=$((i % 3))
	who=$([ $((i % 2)) -eq 0 ] && echo alice || echo bob)
	if [ $kind -eq 1 ]; then
		id=$(q "$A" "select id from referral where status='new' order by random() limit 1")
		[ -n "$id" ] || kind=0
	elif [ $kind -eq 2 ]; then
		row=$(q "$A" "select o.referral_id || '|' || p.name from offer o join provider p on p.id = o.provider_id where o.status = 'sent' order by random() limit 1")
		[ -n "$row" ] || kind=0
	fi
	case $kind in
	0) kill_during "$D_ACT" "$B" --db "$A" --as "$who" referral new --case "KN-$i" --lot $((1 + i % 3)) --district North --hours 5 --note "kill $i" ;;
	1) kill_during "$D_ACT" "$B" --db "$A" --as "$who" referral send "$id" ;;
	2) kill_during "$D_ACT" "$B" --db "$A" --as tina referral respond "${row%%|*}" --provider "${row#*|}" decline --reason "kill $i" ;;
	esac
	if ! deep "$A"; then a_bad=$((a_bad + 1)); keep_bad "act$i" "$A"; continue; fi
	if [ $kind -eq 0 ]; then
		n=$(q "$A" "select count(*) from referral where case_ref='KN-$i'")
		e=$(q "$A" "select count(*) from event e join referral r on r.id = e.entity_id and e.entity = 'referral' where r.case_ref = 'KN-$i' and e.action = 'referral.new'")
		if [ "$n" != "$e" ] || [ "$n" -gt 1 ]; then
			a_bad=$((a_bad + 1)); note "referral KN-$i: $n rows, $e referral.new events"
		fi
	elif [ $kind -eq 1 ]; then
		s=$(q "$A" "select status || ' ' || (select count(*) from offer where referral_id = $id) || ' ' || (select count(*) from event where referral_id = $id and action like 'offer.%') from referral where id = $id")
		case $s in "new 0 0" | searching\ [1-9]*\ [1-9]* | exhausted\ *) ;; *) a_bad=$((a_bad + 1)); note "send $id half done: $s" ;; esac
	fi
done
note "actions: $interrupted of $kills kills landed while the command ran"
check "actions: $N_ACT kills, every restart passes check --deep, each new referral all there or not ($a_bad bad)" [ $a_bad -eq 0 ]
check "actions: work goes on after the kills" quiet "$B" --db "$A" --as alice referral new --case KN-after --lot 1 --district North --hours 5

# ---- sweeps: a fresh copy with many open offers each time ----
S=$(newdb "$T/sweep-base.db")
"$B" --db "$S" --now 2026-01-05T08:00 demo --referrals 100 --seed 8 >/dev/null
for ((k = 1; k <= 120; k++)); do
	id=$("$B" --db "$S" --as alice --now 2026-01-05T09:00 referral new --case "KS-$k" --lot $((1 + k % 4)) --district "$(echo North South East West | cut -d' ' -f$((1 + k % 4)))" --hours 4 2>/dev/null)
	"$B" --db "$S" --as alice --now 2026-01-05T09:00 referral send "$id" >/dev/null 2>&1
done
is_conninfo "$S" || sqlite3 "$S" "pragma wal_checkpoint(truncate)" >/dev/null
open_before=$(q "$S" "select count(*) from offer where status = 'sent'")
SW=$(dbcopy "$S" "$T/sw.db")
D_SW=$(dur_ms "$B" --db "$SW" --as tina --now 2026-03-02T10:00 sweep)
note "a sweep over $open_before open offers takes about ${D_SW} ms"
s_bad=0
for ((i = 1; i <= N_SWEEP; i++)); do
	rm -f "$T/sw.db" "$T/sw.db-wal" "$T/sw.db-shm" "$T/sw.db-anchor"; SW=$(dbcopy "$S" "$T/sw.db") # a fresh copy: an older trail, so none of the last copy's anchors
	kill_during "$D_SW" "$B" --db "$SW" --as tina --now 2026-03-02T10:00 sweep
	if ! deep "$SW"; then s_bad=$((s_bad + 1)); keep_bad "sweep$i" "$SW"; fi
	# a sweep run again finishes the job
	"$B" --db "$SW" --as tina --now 2026-03-02T10:00 sweep >/dev/null 2>&1 || { s_bad=$((s_bad + 1)); note "the sweep after kill $i failed"; }
done
note "after sweeps: $interrupted of $kills kills landed while the command ran"
check "sweeps: $N_SWEEP kills over $open_before open offers, check --deep clean every time ($s_bad bad)" [ $s_bad -eq 0 ]

# ---- imports: 300 referrals per file, all or nothing ----
I=$(newdb "$T/import.db")
"$B" --db "$I" --now 2026-11-20T09:00 demo --referrals 50 --seed 9 >/dev/null
mkcsv() {
	echo "case_ref,lot,district,hours,panel_date,age,urgent,note,status,provider,route,sourced_on,weekly_cost,ended_on"
	for ((r = 1; r <= 300; r++)); do echo "KI-$1-$r,1,North,5,2025-11-03,12,no,\"import $1, row $r\",waiting,,,,,"; done
}
mkcsv 0 >"$T/imp0.csv"
D_IMP=$(dur_ms "$B" --db "$I" --as alice import referrals "$T/imp0.csv")
note "an import of 300 referrals takes about ${D_IMP} ms"
i_bad=0
for ((i = 1; i <= N_IMP; i++)); do
	mkcsv "$i" >"$T/imp.csv"
	kill_during "$D_IMP" "$B" --db "$I" --as alice import referrals "$T/imp.csv"
	if ! deep "$I"; then i_bad=$((i_bad + 1)); keep_bad "imp$i" "$I"; continue; fi
	n=$(q "$I" "select count(*) from referral where case_ref like 'KI-$i-%'")
	e=$(q "$I" "select count(*) from event e join referral r on r.id = e.entity_id and e.entity = 'referral' where r.case_ref like 'KI-$i-%' and e.action = 'referral.import'")
	m=$(q "$I" "select count(*) from meta where key = 'import:' || '$(sha256sum "$T/imp.csv" | cut -c1-64)'")
	if ! { [ "$n" = 0 ] && [ "$e" = 0 ] && [ "$m" = 0 ]; } && ! { [ "$n" = 300 ] && [ "$e" = 300 ] && [ "$m" = 1 ]; }; then
		i_bad=$((i_bad + 1)); note "import $i half done: $n referrals, $e events, $m marks"
	fi
	# the same file again: imported now if the kill stopped it, refused if it had finished
	"$B" --db "$I" --as alice import referrals "$T/imp.csv" >/dev/null 2>&1
	n2=$(q "$I" "select count(*) from referral where case_ref like 'KI-$i-%'")
	[ "$n2" = 300 ] || { i_bad=$((i_bad + 1)); note "import $i again: $n2 referrals"; }
done
note "after imports: $interrupted of $kills kills landed while the command ran"
check "imports: $N_IMP kills, check --deep clean, each import all 300 rows or none ($i_bad bad)" [ $i_bad -eq 0 ]

# ---- demo generation: batches of 250 referrals commit whole ----
D_DEMO=$(dur_ms "$B" --db "$(newdb "$T/demo0.db")" --now 2026-11-20T09:00 demo --referrals 800 --seed 1)
note "a demo of 800 referrals takes about ${D_DEMO} ms"
d_bad=0
for ((i = 1; i <= N_DEMO; i++)); do
	rm -f "$T/demo.db" "$T/demo.db-wal" "$T/demo.db-shm" "$T/demo.db-anchor"
	Dd=$(newdb "$T/demo.db")
	kill_during "$D_DEMO" "$B" --db "$Dd" --now 2026-11-20T09:00 demo --referrals 800 --seed "$i"
	[ "$(db_made "$Dd")" = yes ] || continue # killed before the file (the schema) was made
	if is_conninfo "$Dd"; then ic=ok; else ic=$(q "$Dd" "pragma integrity_check"); fi
	staff=$(q "$Dd" "select count(*) from staff" || echo 0)
	n=$(q "$Dd" "select count(*) from referral" || echo 0)
	if [ "${ic:-ok}" != ok ]; then
		d_bad=$((d_bad + 1)); note "demo $i: integrity $ic"
	elif [ "${staff:-0}" -gt 0 ]; then
		if ! deep "$Dd"; then d_bad=$((d_bad + 1)); keep_bad "demo$i" "$Dd"; fi
		# each referral is all there or not at all: every one has the event that recorded it
		ev=$(q "$Dd" "select count(*) from event where action = 'referral.new'" || echo -1)
		[ "${n:-0}" = "${ev:-x}" ] || { d_bad=$((d_bad + 1)); note "demo $i: $n referrals but $ev recording events"; }
	else
		[ "${n:-0}" = 0 ] || { d_bad=$((d_bad + 1)); note "demo $i: $n referrals but no staff"; }
	fi
done
check "demo generation: $N_DEMO kills, check --deep clean, every referral with its recording event ($d_bad bad)" [ $d_bad -eq 0 ]
note "kills: $kills in all, $interrupted of them while the command still ran"
check "at least $KILLS kills made" [ "$kills" -ge "$KILLS" ]
check "most kills landed while the command ran ($interrupted of $kills)" [ $((interrupted * 2)) -ge "$kills" ]
finish
