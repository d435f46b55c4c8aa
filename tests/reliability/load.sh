#!/bin/bash
# Row 20: load. A 100,000-referral demo database (LOAD_REFERRALS), the
# eight demo staff working through the command line at once for
# LOAD_SECONDS (default 60) -- officers recording, sending, answering,
# pausing, asking for spot purchases and ending packages; team leaders
# watching the waiting list, reassigning, escalating, withdrawing, running
# reports and sweeps; supervisors deciding spot requests -- while one
# workstation (tina, a team leader) is open in tmux. Every command's exit
# status, time and standard error are kept.
# Passes when: no command fails unexpectedly (a refusal or a conflict is
# allowed only where another user's work can cause it: acting on a
# referral picked from a list; never exit 2 or 4, never "locked"/"busy"
# or SQLite's words), every one of the eight got work done, check --deep
# is clean afterwards, the workstation stayed alive and answered every
# key within LOAD_MAX_RESPONSE_MS (default 5000, the store's busy wait: a
# key slower than that waited on a writer's lock, which is what this test
# is about; how fast keys are is a benchmark figure, bench/run's
# slowest_key, not a pass mark here, since a loaded host slows every key)
# -- a key every
# LOAD_PROBE_EVERY seconds, timed until the screen shows the change --
# and after the load it shows, without a key pressed, what the command
# line wrote. Prints the figures.
. "$(dirname "$0")/lib.sh"
N=${LOAD_REFERRALS:-100000}
SECS=${LOAD_SECONDS:-60}
MAXMS=${LOAD_MAX_RESPONSE_MS:-5000}
EVERY=${LOAD_PROBE_EVERY:-2}
if ! command -v tmux >/dev/null 2>&1; then
	echo "# skip: tmux is not installed"
	exit 77
fi
DB=$T/load.db
t0=$(ms)
"$B" --db "$DB" demo --referrals "$N" --seed 20 >"$T/demo.out" 2>&1 || { fail "demo: $(tail -c 300 "$T/demo.out")"; finish; }
demo_ms=$(($(ms) - t0))
note "demo database of $N referrals made in $((demo_ms / 1000)) s ($(du -m "$DB" | cut -f1) MB)"
staff=$("$B" --db "$DB" --as "$ADMIN" staff list | awk 'NR > 1 && $3 == "active" {print $1 ":" $2}' | tr '\n' ' ')
want=$(printf '%s\n' alice:officer bob:officer chloe:officer dan:officer "$ADMIN:admin" sam:supervisor sara:supervisor \
	tina:team_leader tom:team_leader | sort | tr '\n' ' ')
check "the demo staff are the eight the loops play and the administrator: $staff" [ "$staff" = "$want" ]

# ---- the workstation: tina, a team leader, on the waiting list ----
SOCK=bk-load-$$
CLEANUPS+=("tmux -L $SOCK kill-server 2>/dev/null; rm -f ${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK")
mkdir -p "$T/home"
tmux -L "$SOCK" -f /dev/null new-session -d -s ws -x 100 -y 30 -e TERM=xterm-256color -e LANG=C.UTF-8 \
	-e LC_ALL=C.UTF-8 -e NO_COLOR=1 -e TZ=UTC -e HOME="$T/home" -e XDG_CONFIG_HOME="$T/home/config" \
	"'$B' --db '$DB' --as tina"
scr() { tmux -L "$SOCK" capture-pane -p -t ws 2>/dev/null; }
alive() { tmux -L "$SOCK" has-session -t ws 2>/dev/null; }
# wait_line LINE PATTERN MS: until line LINE of the screen matches (grep -E); 0 when it did
wait_line() {
	local end=$(($(ms) + $3))
	while [ "$(ms)" -le "$end" ]; do
		scr | sed -n "$1p" | grep -qE -- "$2" && return 0
		sleep 0.02
	done
	return 1
}
if wait_line 2 "Waiting list: [0-9]+ not yet sourced" 30000; then
	ok "the workstation opened on the waiting list"
else
	fail "the workstation did not open on the waiting list"; scr | sed 's/^/    | /'
fi
start_count=$(scr | sed -n 3p | awk '{print $1}')
# probe KEY LINE [PATTERN]: press KEY; the ms until line LINE matches
# PATTERN (without one: until it changes); 99999 when it never does (10 s)
probe() {
	local key=$1 ln=$2 pat=${3:-} before cur t0=$EPOCHREALTIME el=0
	before=$(scr | sed -n "${ln}p")
	tmux -L "$SOCK" send-keys -t ws "$key" 2>/dev/null || { echo 99999; return; }
	while :; do
		cur=$(scr | sed -n "${ln}p")
		el=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
		if [ -n "$pat" ]; then
			echo "$cur" | grep -qE -- "$pat" && break
		elif [ "$cur" != "$before" ]; then
			break
		fi
		[ "$el" -gt 10000 ] && { echo 99999; return; }
		sleep 0.02
	done
	echo "$el"
}
# the keys, in turn: four tabs, then down and up the waiting list
KEYS=(1 3 6 2 j k)
LINES=(2 2 2 2 28 28)
PATS=("Mine:" "Spot purchase requests" "Audit trail" "Waiting list:" "" "")

# ---- the staff ----
# act WHO KIND COMMAND...: one command as WHO; logs "rc ms kind" and its stderr
act() {
	local who=$1 kind=$2 rc t0=$EPOCHREALTIME
	shift 2
	"$B" --db "$DB" --as "$who" "$@" >"$T/s.$who.out" 2>"$T/s.$who.e1"
	rc=$?
	echo "$rc $(((${EPOCHREALTIME/./} - ${t0/./}) / 1000)) $kind" >>"$T/s.$who.lat"
	[ -s "$T/s.$who.e1" ] && sed "s/^/$rc $kind: /" "$T/s.$who.e1" >>"$T/s.$who.err"
	return $rc
}
DISTRICTS=(North South East West)
# the off-contract providers a spot purchase may go to: active, not
# embargoed, not red risk
mapfile -t OFFPROV < <("$B" --db "$DB" --as "$ADMIN" provider list |
	sed -nE 's/^(.*[^ ]) +off-framework +(green|amber) .* active *$/\1/p')
check "off-contract providers to ask for spot purchases: $(printf '%s, ' "${OFFPROV[@]}")" [ "${#OFFPROV[@]}" -gt 0 ]
# pick: a random id from the first column of the last output (header skipped)
pick() { awk 'NR > 1 && $1 ~ /^[0-9]+$/ {print $1}' "$T/s.$1.out" | shuf -n 1; }
# version and open offers of the referral last shown
version() { sed -n '1s/^referral [0-9]* (version \([0-9]*\)).*/\1/p' "$T/s.$1.out"; }
open_offer() { # WHO: "status|provider" of one open offer
	awk -F'  +' '/^  rank [0-9]+ / && ($3 == "sent" || $3 == "info_requested") {sub(/^rank [0-9]+ /, "", $2); print $3 "|" $2}' \
		"$T/s.$1.out" | shuf -n 1
}
new_and_send() { # WHO N [--urgent]: prints the id
	local who=$1 n=$2 id
	shift 2
	act "$who" new referral new --case "L-$who-$n" --lot $((1 + RANDOM % 4)) --district "${DISTRICTS[RANDOM % 4]}" \
		--hours $((2 + RANDOM % 28)) --age $((5 + RANDOM % 13)) --note "load test, $who's $n" "$@" || return 1
	id=$(cat "$T/s.$who.out")
	act "$who" send referral send "$id" || return 1
	echo "$id"
}
officer() {
	local who=$1 n=0 r id v row prov
	RANDOM=$((${#who} * 7919 + $$ + $(printf %d "'$who")))
	while [ "$(date +%s)" -lt "$END" ]; do
		n=$((n + 1)); r=$((RANDOM % 100))
		if [ $r -lt 25 ]; then
			new_and_send "$who" "$n" >/dev/null
		elif [ $r -lt 60 ]; then # answer a provider on one of my referrals
			act "$who" list referral list --mine --status searching || continue
			id=$(pick "$who"); [ -n "$id" ] || continue
			act "$who" show referral show "$id" || continue
			v=$(version "$who"); row=$(open_offer "$who"); [ -n "$row" ] || continue
			prov=${row#*|}
			if [ "${row%%|*}" = info_requested ]; then
				act "$who" answer referral info-supplied "$id" --provider "$prov" --expect-version "$v"
			elif [ $((RANDOM % 4)) -eq 0 ]; then
				act "$who" answer referral respond "$id" --provider "$prov" accept --expect-version "$v"
			elif [ $((RANDOM % 4)) -eq 0 ]; then
				act "$who" answer referral respond "$id" --provider "$prov" info --question "Is there a care plan? ($who $n)" --expect-version "$v"
			else
				act "$who" answer referral respond "$id" --provider "$prov" decline --reason "no carers free ($who $n)" --expect-version "$v"
			fi
		elif [ $r -lt 68 ]; then # the framework is exhausted: ask for a spot purchase
			act "$who" list referral list --mine --status exhausted || continue
			id=$(pick "$who"); [ -n "$id" ] || continue
			act "$who" spot spot request "$id" --provider "${OFFPROV[RANDOM % ${#OFFPROV[@]}]}" --rate "$((22 + RANDOM % 15)).50" \
				--hours $((2 + RANDOM % 20)) --weeks $((4 + RANDOM % 48)) --why "framework exhausted ($who $n)"
		elif [ $r -lt 74 ]; then # the family asks to wait, then is ready
			act "$who" list referral list --mine --status searching || continue
			id=$(pick "$who"); [ -n "$id" ] || continue
			act "$who" show referral show "$id" || continue
			v=$(version "$who")
			act "$who" pause referral pause "$id" --reason "family asked to wait ($n)" --expect-version "$v" &&
				act "$who" resume referral resume "$id"
		elif [ $r -lt 78 ]; then # a package ends
			act "$who" list referral list --mine --status sourced || continue
			id=$(pick "$who"); [ -n "$id" ] || continue
			act "$who" end referral end "$id"
		elif [ $r -lt 88 ]; then
			act "$who" list referral list --mine
		elif [ $r -lt 94 ]; then
			act "$who" waiting waiting
		else
			act "$who" sweep sweep
		fi
	done
	echo "$n" >"$T/s.$who.done"
}
leader() {
	local who=$1 n=0 r id v
	local officers=(alice bob chloe dan)
	RANDOM=$((${#who} * 7919 + $$ + $(printf %d "'$who")))
	while [ "$(date +%s)" -lt "$END" ]; do
		n=$((n + 1)); r=$((RANDOM % 100))
		if [ $r -lt 20 ]; then
			act "$who" waiting waiting
		elif [ $r -lt 40 ]; then # spread the work
			act "$who" list referral list --status searching || continue
			id=$(pick "$who"); [ -n "$id" ] || continue
			act "$who" show referral show "$id" || continue
			v=$(version "$who")
			act "$who" assign referral assign "$id" "${officers[RANDOM % 4]}" --expect-version "$v"
		elif [ $r -lt 55 ]; then # an urgent case: recorded, sent, escalated for a spot purchase
			id=$(new_and_send "$who" "$n" --urgent) || continue
			act "$who" escalate referral escalate "$id" --reason "urgent: hospital discharge ($n)" &&
				act "$who" spot spot request "$id" --provider "${OFFPROV[RANDOM % ${#OFFPROV[@]}]}" --rate "$((25 + RANDOM % 10)).00" \
					--hours $((2 + RANDOM % 20)) --weeks 12 --why "urgent, escalated ($who $n)"
		elif [ $r -lt 60 ]; then # no longer needed
			act "$who" list referral list --status exhausted || continue
			id=$(pick "$who"); [ -n "$id" ] || continue
			act "$who" withdraw referral withdraw "$id" --reason "no longer needed ($who $n)"
		elif [ $r -lt 70 ]; then
			new_and_send "$who" "$n" >/dev/null
		elif [ $r -lt 80 ]; then
			case $((RANDOM % 3)) in
			0) act "$who" report report waiting ;;
			1) act "$who" report report response ;;
			*) act "$who" report report pickup ;;
			esac
		elif [ $r -lt 88 ]; then
			act "$who" read rank show --lot $((1 + RANDOM % 4))
		else
			act "$who" sweep sweep
		fi
	done
	echo "$n" >"$T/s.$who.done"
}
supervisor() {
	local who=$1 n=0 r row id
	RANDOM=$((${#who} * 7919 + $$ + $(printf %d "'$who")))
	while [ "$(date +%s)" -lt "$END" ]; do
		n=$((n + 1)); r=$((RANDOM % 100))
		if [ $r -lt 50 ]; then # decide a spot request
			act "$who" spotlist spot list --pending || continue
			row=$(awk '$1 ~ /^[0-9]+$/' "$T/s.$who.out" | shuf -n 1); id=${row%% *}
			[ -n "$id" ] || continue
			if [ $((RANDOM % 4)) -eq 0 ]; then
				act "$who" decide spot reject "$id" --note "use the framework again ($who $n)"
			elif [[ $row == *"KEY DECISION"* ]]; then
				act "$who" decide spot approve "$id" --note "approved ($who $n)" --key-decision "KD-$who-$n"
			else
				act "$who" decide spot approve "$id" --note "approved ($who $n)"
			fi
		elif [ $r -lt 65 ]; then
			act "$who" report report spend
		elif [ $r -lt 75 ]; then
			act "$who" read audit log --actor "${who}" --limit 50
		elif [ $r -lt 85 ]; then
			act "$who" list referral list --status spot_requested
		else
			act "$who" sweep sweep
		fi
	done
	echo "$n" >"$T/s.$who.done"
}
note "8 staff for $SECS s on $N referrals; a key to the workstation every $EVERY s"
END=$(($(date +%s) + SECS))
pids=()
for w in alice bob chloe dan; do officer $w & pids+=($!); done
for w in tina tom; do leader $w & pids+=($!); done
for w in sam sara; do supervisor $w & pids+=($!); done
# the person at the workstation
i=0
: >"$T/probe.lat"
while [ "$(date +%s)" -lt "$END" ]; do
	k=$((i % ${#KEYS[@]}))
	t=$(probe "${KEYS[k]}" "${LINES[k]}" "${PATS[k]}")
	echo "$t ${KEYS[k]}" >>"$T/probe.lat"
	[ "$t" -le "$MAXMS" ] || { note "key '${KEYS[k]}' took $t ms; the screen:"; scr | sed 's/^/    | /'; }
	alive || break
	i=$((i + 1))
	sleep "$EVERY"
done
for p in "${pids[@]}"; do wait "$p"; done

# ---- what the staff did ----
cat "$T"/s.*.lat >"$T/all.lat"
cat "$T"/s.*.err >"$T/all.err" 2>/dev/null
total=$(wc -l <"$T/all.lat")
okn=$(awk '$1 == 0' "$T/all.lat" | wc -l)
refused=$(awk '$1 == 1' "$T/all.lat" | wc -l)
conflicts=$(awk '$1 == 3' "$T/all.lat" | wc -l)
# a refusal or conflict is the other users' doing only for an action on a
# referral or request picked from a list; anything else is a failure
ALLOWED=" answer spot pause resume end assign escalate withdraw decide "
unexpected=$(awk -v a="$ALLOWED" '$1 != 0 && !($1 == 1 || $1 == 3) {print; next}
	($1 == 1 || $1 == 3) && index(a, " " $3 " ") == 0 {print}' "$T/all.lat" | wc -l)
pct() { awk '{print $2}' "$T/all.lat" | sort -n | awk -v p="$1" '{v[NR] = $1} END {i = int(NR * p + 0.999); if (i < 1) i = 1; print v[i] + 0}'; }
p50=$(pct 0.5); p99=$(pct 0.99); pmax=$(pct 1)
rate=$(awk -v n="$total" -v s="$SECS" 'BEGIN {printf "%.1f", n / s}')
# changes: the successful commands that write
changes=$(awk '$1 == 0 && $3 !~ /^(list|show|read|waiting|report|spotlist)$/' "$T/all.lat" | wc -l)
crate=$(awk -v n="$changes" -v s="$SECS" 'BEGIN {printf "%.1f", n / s}')
per=""
least=999999
for w in alice bob chloe dan tina tom sam sara; do
	c=$(cat "$T/s.$w.lat" 2>/dev/null | wc -l)
	o=$(awk '$1 == 0' "$T/s.$w.lat" 2>/dev/null | wc -l)
	per="$per $w $c ($o ok)"
	[ "$o" -lt "$least" ] && least=$o
done
note "commands per person:$per; in all $total, $rate a second; $changes changes, $crate a second; p50 $p50 ms, p99 $p99 ms, slowest $pmax ms"
note "exit statuses: $(awk '{print $1}' "$T/all.lat" | sort | uniq -c | awk '{printf "%s x%s  ", $2, $1}')"
note "by kind: $(awk '{n[$3]++; if ($1 == 0) o[$3]++} END {for (k in n) printf "%s %d/%d  ", k, o[k], n[k]}' "$T/all.lat")"
note "p99 ms by kind: $(awk '{print $3, $2}' "$T/all.lat" | sort -k1,1 -k2,2n | awk '{v[$1] = v[$1] " " $2; n[$1]++}
	END {for (k in n) {split(substr(v[k], 2), a, " "); i = int(n[k] * 0.99 + 0.999); printf "%s %d  ", k, a[i]}}')"
note "refusals and conflicts, most common: $(grep -E '^[13] ' "$T/all.err" 2>/dev/null | sed -E 's/[0-9]+/N/g; s/\([^)]*\)//g' | cut -c1-110 | sort | uniq -c | sort -rn | head -6 | tr -s ' ' | tr '\n' ';')"
finished=$(ls "$T"/s.*.done 2>/dev/null | wc -l)
check "all eight worked to the end ($finished finished; $total commands; the least done by one: $least)" [ "$finished.$((least >= 10))" = 8.1 ]
if [ "$unexpected" -eq 0 ]; then
	ok "no unexpected failure: $refused refusals and $conflicts conflicts, all of them on actions another user's work can refuse"
else
	fail "$unexpected unexpected failures: $(awk -v a="$ALLOWED" '$1 != 0 && (!($1 == 1 || $1 == 3) || index(a, " " $3 " ") == 0) {print "exit " $1 " " $3}' "$T/all.lat" | sort | uniq -c | sort -rn | head -5 | tr '\n' ';')"
	grep -vE '^0 ' "$T/all.err" | grep -vE "^[13] ($(echo $ALLOWED | tr ' ' '|')):" | sort | uniq -c | sort -rn | head -8 | sed 's/^/    /'
fi
if grep -qiE 'locked|busy|sqlite|database is' "$T/all.err" 2>/dev/null; then
	fail "a 'locked'/'busy'/SQLite message reached a user: $(grep -iE 'locked|busy|sqlite|database is' "$T/all.err" | sort | uniq -c | head -3 | tr '\n' ' ')"
else
	ok "no 'database is locked'/'busy' or SQLite message reached a user"
fi
made=$(sqlite3 -batch -noheader "$DB" "select count(*) from referral where case_ref like 'L-%'")
check "the staff's new referrals are in the database ($made; $(grep -c ' new$' "$T/all.lat") recorded)" \
	[ "$made" = "$(awk '$1 == 0 && $3 == "new"' "$T/all.lat" | wc -l)" ]
t0=$(ms)
deep "$DB"; rc=$?
deep_ms=$(($(ms) - t0))
check "check --deep is clean after the load ($deep_ms ms): $(tail -1 "$T/deep.out" | head -c 120)" [ "$rc" = 0 ]

# ---- the workstation ----
probes=$(wc -l <"$T/probe.lat")
slow=$(awk -v m="$MAXMS" '$1 > m' "$T/probe.lat" | wc -l)
maxr=$(sort -n "$T/probe.lat" | tail -1 | awk '{print $1 + 0}')
p50r=$(sort -n "$T/probe.lat" | awk '{v[NR] = $1} END {i = int(NR * 0.5 + 0.999); if (i < 1) i = 1; print v[i] + 0}')
check "the workstation is still running" alive
check "the workstation answered all $probes keys within $MAXMS ms (slowest $maxr ms; $slow slower)" \
	[ "$slow.$((probes >= SECS / (EVERY + 1)))" = 0.1 ]
# live refresh: on the waiting list, no key pressed, one more referral from
# the command line; the screen's count must follow the command line's
probe 2 2 "Waiting list:" >/dev/null
sleep 1
"$B" --db "$DB" --as alice referral new --case L-final --lot 1 --district North --hours 5 >/dev/null 2>&1
want=$("$B" --db "$DB" --as tina waiting | awk '/^[0-9]+ waiting, / {print $1}')
t0=$(ms)
if wait_line 3 "^ $want waiting" 5000; then
	ok "the waiting list on the screen follows the command line without a key: $start_count waiting before the load, $want now (in $(($(ms) - t0)) ms)"
else
	fail "the waiting list on the screen says '$(scr | sed -n 3p)', the command line $want waiting"
fi
# tina's own work reaches her worklist from the command line without a key: a
# referral she records and has not sent yet needs her (new to send)
"$B" --db "$DB" --as tina referral new --case L-tina-final --lot 1 --district North --hours 5 >/dev/null 2>&1
probe 1 2 "Mine:" >/dev/null
tmux -L "$SOCK" send-keys -t ws / 2>/dev/null
sleep 0.3
tmux -L "$SOCK" send-keys -t ws -l L-tina-final 2>/dev/null
tmux -L "$SOCK" send-keys -t ws Enter 2>/dev/null
if wait_line 2 "Mine: [1-9]" 3000 && wait_line 30 "Match for 'L-tina-final'" 3000 &&
	scr | grep -qE 'L-tina-final .*to send'; then
	ok "My referrals shows what tina's command line recorded: $(scr | sed -n 2p | sed 's/  .*//')"
else
	fail "My referrals does not show tina's new referral L-tina-final as to send"; scr | sed 's/^/    | /'
fi
echo "FIGURES load referrals=$N seconds=$SECS commands=$total ok=$okn refused=$refused conflicts=$conflicts commands_per_s=$rate changes=$changes changes_per_s=$crate p50_ms=$p50 p99_ms=$p99 max_ms=$pmax screen_keys=$probes screen_p50_ms=$p50r screen_max_ms=$maxr deep_ms=$deep_ms demo_ms=$demo_ms"
finish
