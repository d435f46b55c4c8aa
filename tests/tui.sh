#!/usr/bin/env bash
# The workstation seen from outside: the real program in tmux, with the
# terminal size, TERM, locale, NO_COLOR, the person (--as) and the clock
# (--now) pinned, on a test-mode database built with the command line.
# Checks what a person sees on the screen.
set -u
bin=${BROKERAGE_BIN:?}
: "${BROKERAGE_SOURCE_ROOT:?}"
if ! command -v tmux >/dev/null 2>&1; then
	echo "tmux is not installed: skipped"
	exit 77
fi
tmp=$(mktemp -d)
sock="brokerage-test-$$"
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
	rm -rf "$tmp"
}
trap cleanup EXIT
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" TZ=Europe/London
unset BROKERAGE_CONFIG NO_COLOR
db="$tmp/t.db"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }

# ---- the fixture: the worked example of the contract clock ----
cli() { # NOW ARGS...: the command line as alice (or --as given later wins)
	local now=$1
	shift
	"$bin" --db "$db" --as alice --now "$now" "$@" >/dev/null 2>"$tmp/cli.err" || {
		echo "fixture failed: $* : $(cat "$tmp/cli.err")"
		exit 1
	}
}
me=$(id -un)
"$bin" --db "$db" init --test-mode >/dev/null 2>&1 || { echo "init failed"; exit 1; }
T0=2026-11-16T09:00
cli $T0 --as "$me" staff add alice --name "Alice Hughes" --role officer
cli $T0 --as "$me" staff add tina --name "Tina Walsh" --role team_leader
for p in "Acme Care" "Beta Support" "Gamma Homecare" "Delta Living"; do
	cli $T0 --as tina provider add "$p" --cqc 1-100 --ages 0-18
done
cli $T0 --as tina provider set "Gamma Homecare" --embargo "late visits in October"
cli $T0 --as tina rank set --lot 1 --district North "Beta Support" "Acme Care" "Gamma Homecare" "Delta Living"
# 1: sent Fri 20 Nov 10:00 to Beta Support -> deadline Wed 25 Nov 17:00; a note with an escape and a bidi override,
# which every door refuses (issue 14), so it is written into the file behind the program's back
cli 2026-11-20T10:00 referral new --case CYP-1001 --lot 1 --district North --hours 10 --panel-date 2026-11-18 --age 12 --note "evening visits"
sqlite3 "$db" "update referral set note = 'evening visits ' || char(27) || '[2J' || char(8238) || 'SECRET' where id = 1" || {
	echo "fixture failed: the hostile note"
	exit 1
}
cli 2026-11-20T10:00 referral send 1
# 2: sent Wed 18 Nov, Beta declined, Acme approached -> deadline Mon 23 Nov 17:00 (amber on Fri 20)
cli 2026-11-18T10:00 referral new --case CYP-1002 --lot 1 --district North --hours 12 --panel-date 2026-11-17 --age 9
cli 2026-11-18T10:00 referral send 2
cli 2026-11-18T11:00 referral respond 2 decline --provider "Beta Support" --reason "no staff in North"

# ---- driving the terminal ----
start() { # NAME COLS ROWS NOW [ENV...]: the workstation as alice
	local name=$1 cols=$2 rows=$3 now=$4
	shift 4
	local env=(-e TERM=xterm-256color -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 -e NO_COLOR=1 -e TZ=Europe/London
		-e HOME="$tmp" -e XDG_CONFIG_HOME="$tmp/config")
	local e term=xterm-256color
	for e in "$@"; do
		env+=(-e "$e")
		case $e in TERM=*) term=${e#TERM=} ;; esac
	done
	# tmux gives the program its own default-terminal whatever -e says:
	# the TERM under test is set on the command itself.
	tmux -L "$sock" -f /dev/null new-session -d -s "$name" -x "$cols" -y "$rows" "${env[@]}" \
		"TERM='$term' exec '$bin' --db '$db' --as alice --now $now"
}
start_colour() { # NAME NOW: as start, with colours
	tmux -L "$sock" -f /dev/null new-session -d -s "$1" -x 100 -y 30 -e TERM=xterm-256color -e LANG=C.UTF-8 \
		-e LC_ALL=C.UTF-8 -e TZ=Europe/London -e HOME="$tmp" -e XDG_CONFIG_HOME="$tmp/config" \
		"TERM=xterm-256color exec '$bin' --db '$db' --as alice --now $2"
}
screen() { tmux -L "$sock" capture-pane -p -t "$1" 2>/dev/null; }
keys() { tmux -L "$sock" send-keys -t "$@"; }
# Wait (up to 4 s) until the screen shows the pattern (grep -E).
wait_for() {
	local i
	for i in $(seq 1 40); do
		screen "$1" | grep -qE -- "$2" && return 0
		sleep 0.1
	done
	return 1
}
wait_gone() {
	local i
	for i in $(seq 1 40); do
		screen "$1" | grep -qE -- "$2" || return 0
		sleep 0.1
	done
	return 1
}
show() { screen "$1" | sed 's/^/    | /'; }
check() { # DESCRIPTION SESSION PATTERN
	if wait_for "$2" "$3"; then ok "$1"; else bad "$1 (no /$3/)"; show "$2"; fi
}
check_gone() {
	if wait_gone "$2" "$3"; then ok "$1"; else bad "$1 (still /$3/)"; show "$2"; fi
}
stop() {
	keys "$1" q 2>/dev/null
	local i
	for i in $(seq 1 20); do
		tmux -L "$sock" has-session -t "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	tmux -L "$sock" kill-session -t "$1" 2>/dev/null
}

# ---- the queue, Fri 20 Nov 09:00 ----
start q 100 30 2026-11-20T09:00
check "the frame shows the tabs" q "1 My referrals +2 Waiting list +3 Approvals +4 Providers +5 Reports +6 Audit"
check "the frame shows the user and role in words" q "Alice Hughes \(brokerage officer\)"
check "the frame shows the database" q "db .*t\.db"
check "queue: amber referral with its deadline and time left" q "\[A\] +CYP-1002 .*Acme Care +2/4 +Mon 23 Nov 17:00 +1wd 8h"
check "queue: green referral due Wed 25 Nov 17:00" q "\[G\] +CYP-1001 .*Beta Support +1/4 +Wed 25 Nov 17:00 +3wd 8h"
if screen q | grep -n "CYP-100" | head -1 | grep -q CYP-1002; then ok "queue: soonest deadline first"
else bad "queue: soonest deadline first"; show q; fi
check "status line shows the screen's main keys" q "Enter open .* s send .* \? help"

# ---- the detail: candidates with reasons ----
keys q / ; sleep 0.2; keys q CYP-1001 Enter
check "search by case reference finds the row" q "Match for 'CYP-1001'"
keys q n
check "n right after a search walks the matches (here the one match, again)" q "Match for 'CYP-1001' \(search wrapped\)"
keys q Enter
check "detail: facts" q "Referral 1 +case CYP-1001 +searching"
check "detail: embargoed provider with its reason" q "Gamma Homecare +no .*embargoed: late visits in October"
check "detail: offer timeline with the deadline" q "deadline Wed 25 Nov 2026 17:00"
check "note: escape and bidi override removed, text kept" q "Note: evening visits SECRET"
if screen q | grep -q '\[2J'; then bad "note: no escape text on screen"; else ok "note: no escape text on screen"; fi
check "note: the screen was not cleared (frame intact)" q "^ 1 My referrals"
check "detail: the audit trail, in sentences" q "alice sent the referral out; status changed from new to searching"
keys q q
check "q goes back to the list" q "CASE +LOT +AREA"
keys q /; sleep 0.2; keys q CYP-1002 Enter; sleep 0.2; keys q Enter
check "detail: a declined provider says when" q "Beta Support +no +declined +declined on Wed 18 Nov 2026"
keys q '?'
check "help is made for the screen" q "record a provider's answer"
keys q q q
stop q

# ---- colours ----
start_colour c 2026-11-20T09:00
wait_for c "CYP-1001" >/dev/null
c2=$(tmux -L "$sock" capture-pane -e -p -t c | grep CYP-1002)
c1=$(tmux -L "$sock" capture-pane -e -p -t c | grep CYP-1001)
if grep -q $'\033\\[[0-9;]*33m' <<<"$c2" && grep -q $'\033\\[[0-9;]*32m' <<<"$c1"; then
	ok "colours: amber row yellow, green row green"
else
	bad "colours: amber row yellow, green row green"
	printf '    | %q\n' "$c2" "$c1"
fi
if grep -q '\[A\]' <<<"$c2"; then bad "colours: no [A] text marker when colours are on"
else ok "colours: no [A] text marker when colours are on"; fi
stop c

# ---- the mouse: a click on a row selects it, on a tab opens it; the wheel moves ----
# Typed as the terminal reports it: SGR (1006) for xterm, the older X10 bytes for
# screen. TERM is set in the command itself: tmux puts its own default-terminal
# over new-session -e TERM=.
press() { # SESSION FORMAT BUTTON COL ROW (0-based): a press and, for a button, its release
	local s=$1 f=$2 b=$3 x=$(($4 + 1)) y=$(($5 + 1))
	if [ "$f" = sgr ]; then
		keys "$s" -l "$(printf '\033[<%d;%d;%dM' "$b" "$x" "$y")"
		[ "$b" -ge 64 ] || keys "$s" -l "$(printf '\033[<%d;%d;%dm' "$b" "$x" "$y")"
	else
		keys "$s" -l "$(printf '\033[M%b%b%b' "\\0$(printf %o $((32 + b)))" "\\0$(printf %o $((32 + x)))" \
			"\\0$(printf %o $((32 + y)))")"
		[ "$b" -ge 64 ] || keys "$s" -l "$(printf '\033[M#%b%b' "\\0$(printf %o $((32 + x)))" "\\0$(printf %o $((32 + y)))")"
	fi
	sleep 0.3
}
for mt in "xterm-256color sgr" "screen x10"; do
	set -- $mt
	mterm=$1 mf=$2
	tmux -L "$sock" -f /dev/null new-session -d -s m -x 100 -y 30 -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 -e NO_COLOR=1 \
		-e TZ=Europe/London -e HOME="$tmp" -e XDG_CONFIG_HOME="$tmp/config" \
		"env TERM=$mterm '$bin' --db '$db' --as alice --now 2026-11-20T09:00"
	wait_for m "CYP-1001" >/dev/null
	# the queue's rows start on line 3 (tabs, context, column heads above): CYP-1002, then CYP-1001
	press m "$mf" 0 12 4
	keys m Enter
	check "mouse ($mterm): a click on the second row selects it" m "Referral 1 +case CYP-1001"
	keys m q
	wait_for m "CASE +LOT +AREA" >/dev/null
	press m "$mf" 64 12 10
	keys m Enter
	check "mouse ($mterm): the wheel moves the cursor up" m "Referral 2 +case CYP-1002"
	press m "$mf" 65 12 10
	check_gone "mouse ($mterm): the wheel scrolls a page of text down" m "Referral 2 +case CYP-1002"
	press m "$mf" 64 12 10
	check "mouse ($mterm): and up" m "Referral 2 +case CYP-1002"
	keys m q
	wait_for m "CASE +LOT +AREA" >/dev/null
	col=$(screen m | head -1 | awk '{print index($0, "6 Audit")}')
	press m "$mf" 0 "$col" 0
	check "mouse ($mterm): a click on a tab opens it" m "Audit trail, newest first"
	col=$(screen m | head -1 | awk '{print index($0, "4 Providers")}')
	press m "$mf" 0 "$col" 0
	check "mouse ($mterm): a click on the Providers tab opens it" m "^ PROVIDER +FW +CQC"
	second=$(screen m | sed -n 5p | cut -c2-25 | sed 's/ *$//')
	press m "$mf" 0 5 4
	check "mouse ($mterm): a click on a provider's row shows that provider ($second)" m "^ $second: "
	press m "$mf" 0 2 0
	check "mouse ($mterm): and back to the first tab" m "CASE +LOT +AREA"
	press m "$mf" 0 12 20
	keys m j Enter
	check "mouse ($mterm): a click below the rows changes nothing; keys still work" m "Referral 1 +case CYP-1001"
	keys m q
	stop m
done

# ---- a decline and the next provider, Mon 23 Nov 10:00 ----
start d 100 30 2026-11-23T10:00
wait_for d CYP-1001 >/dev/null
keys d /; sleep 0.2; keys d CYP-1001 Enter; sleep 0.2; keys d Enter
check "decline: detail open" d "Referral 1 +case CYP-1001"
keys d r
check "decline: the answer is asked for" d "Beta Support answered"
keys d Down Enter
check "decline: the reason is asked for" d "reason for declining"
keys d "no capacity in North" Enter
check "decline: confirmation names the next provider and deadline" d "Next: Acme Care \(rank 2 of 4\) is approached now and must answer by Thu 26"
check "decline: ...on Thu 26 Nov 2026 at 17:00" d "Nov 2026 17:00\."
keys d y
check "decline: the result in words" d "approached Acme Care, who must answer by Thu 26 Nov 2026 17:00"
check "decline: the timeline shows the new offer" d "Acme Care \(rank 2\): sent"
check "decline: Beta shows declined" d "Beta Support +no +declined +declined on Mon 23 Nov 2026"
keys d q

# ---- the new-referral form ----
keys d c
check "form: opens" d "New referral, approved by the resource panel"
keys d CYP-2002 Tab Tab Tab 19.505 Tab
check "form: hours 19.505 refused next to the field" d "19\.505.*more than two decimal places"
keys d F2
check "form: save refused, message shown" d "Hours a week: .*19\.505"
check "form: the other fields are kept" d "Case reference \* +CYP-2002"
check "form: the lot is kept" d "Lot \* +. 1 Lifeskills"
keys d C-u 7.5 F2
check "form: saved once right, the new referral opens" d "Referral [0-9]+ +case CYP-2002 +new"

# ---- a change under the user's eyes: refused, not overwritten ----
keys d s
check "send: the confirmation says who is approached" d "Next: Beta Support \(rank 1 of 4\) is approached now"
"$bin" --db "$db" --as tina --now 2026-11-23T10:01 referral edit 3 --note "phoned the family" >/dev/null 2>&1
keys d y
check "conflict: refused with what changed" d "Not saved: referral 3 changed after you looked at it"
check "conflict: the screen shows the referral as it is now" d "Note: phoned the family"
check "conflict: nothing was sent" d "Referral 3 +case CYP-2002 +new"

keys d q c
check "form: c opens the new-referral form" d "New referral, approved by the resource panel"
keys d Escape
check "form: c, Esc at once on an untouched form: closed without asking" d "CASE +LOT +AREA"
keys d c x
check "form: typed, dirty" d "changed, not saved"
keys d Escape
check "form: Esc asks before discarding" d "Discard the form"
keys d y
check "form: discarded after yes" d "CASE +LOT +AREA"

# ---- resize ----
tmux -L "$sock" resize-window -t d -x 60 -y 20
check "resize to 60x20: asks for 80x24" d "Make the terminal at least 80x24"
tmux -L "$sock" resize-window -t d -x 100 -y 30
check "resize back to 100x30: the screen returns" d "CASE +LOT +AREA"
check "resize back: the rows return" d "CYP-1002"

# ---- a change by another process ----
"$bin" --db "$db" --as alice --now 2026-11-23T10:05 referral withdraw 2 --reason "family moved away" >/dev/null 2>&1
check_gone "another process withdrew CYP-1002: it leaves the queue" d "CYP-1002"
"$bin" --db "$db" --as alice --now 2026-11-23T10:06 referral respond 1 accept --provider "Acme Care" --start 2026-12-01 >/dev/null 2>&1
check "another process recorded an acceptance: the queue shows it" d "CYP-1001 .*sourced"

# ---- the command line inside ----
keys d :; sleep 0.2; keys d "referral show 1" Enter
check "':' runs a command and shows its output" d "candidates:"
check "':' shows the exit status" d "exit status 0"
keys d q
stop d

# ---- 80x24 in the C locale on a vt100 ----
start v 80 24 2026-11-23T11:00 TERM=vt100 LANG=C LC_ALL=C
check "80x24, C locale, vt100: every column" v "RAG CASE +LOT AREA +HOURS STATUS +PROVIDER, RANK +ANSWER DUE +TIME LEFT"
check "80x24: the tabs fit" v "6 Audit"
stop v

# ---- every terminal the workstation promises, with and without colour ----
for term in xterm-256color tmux-256color screen linux vt100; do
	start "t-$term" 100 30 2026-11-23T11:00 TERM=$term NO_COLOR=
	check "TERM=$term: the frame, the queue and the keys line" "t-$term" "1 My referrals"
	check "TERM=$term: the queue shows its referrals" "t-$term" "CYP-1001"
	pid=$(tmux -L "$sock" list-panes -t "t-$term" -F '#{pane_pid}' 2>/dev/null)
	seen=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | sed -n 's/^TERM=//p')
	if [ "$seen" = "$term" ]; then ok "TERM=$term: the program runs under that TERM"; else bad "TERM=$term: the program has TERM=$seen"; fi
	keys "t-$term" 2
	check "TERM=$term: the tabs switch" "t-$term" "Waiting list"
	stop "t-$term"
	if tmux -L "$sock" has-session -t "t-$term" 2>/dev/null; then bad "TERM=$term: q quits"; else ok "TERM=$term: q quits"; fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
