#!/usr/bin/env bash
# The list screens on the one list view, seen from outside: My referrals as
# a worklist (what needs the officer by default, the sourced packages behind
# the filter, "since you last looked"), the cursor staying where the user
# looks after an action, filters that stick while the workstation is open,
# one breached count on the Waiting screen, `brokerage waiting` and the
# waiting report, and no cut (~) in an id, money or date column at 80x24
# and 200x60 under LANG=C and C.UTF-8 on every list screen.
set -u
. "${BROKERAGE_SOURCE_ROOT:?}/tests/lib.sh"
. "$ROOT/tests/term.sh"
export TZ=Europe/London

cli() { term_cli "$@"; } # AS NOW ARGS...: the command line, its output on stdout
q() { term_cli "$@" >/dev/null; }
term_init
T0=2026-11-02T09:00
q "$ME" $T0 staff add alice --name "Alice Hughes" --role officer
q "$ME" $T0 staff add bob --name "Bob Price" --role officer
q "$ME" $T0 staff add tina --name "Tina Walsh" --role team_leader
q "$ME" $T0 staff add sam --name "Sam Okafor" --role supervisor
for p in "Acme Care" "Beta Support" "Gamma Homecare" "Delta Living"; do
	q tina $T0 provider add "$p" --cqc 1-100 --ages 0-18
done
q tina $T0 provider add "Omega Care" --off-framework --cqc 1-900 --ages 0-25
# ranked nowhere: a long name and rating the register shows whole at 80 columns
q tina $T0 provider add "Compass Children's Support" --cqc 1-700 --ages 0-18 --pamms requires-improvement
q tina $T0 rank set --lot 1 --district North "Beta Support" "Acme Care" "Gamma Homecare" "Delta Living"
q tina $T0 rank set --lot 2 --district South "Delta Living"

# alice's work on Fri 20 Nov 09:00:
#   CYP-1001 sent Fri 20 Nov 08:00 to Beta: due Wed 25, with a provider (not in the worklist)
#   CYP-1002 sent Wed 18, Beta declined, Acme due Mon 23 17:00: due soon
#   CYP-1003 new: to send
#   CYP-1004 sent, Beta asked for information: the clock stopped, we owe information
#   CYP-1005 sent, Beta accepted: sourced (behind the filter)
#   CYP-2001 exhausted in lot 2 South, a spot purchase asked for (Approvals)
#   CYP-3000.. 30 more to send, so the list scrolls
q alice 2026-11-20T08:00 referral new --case CYP-1001 --lot 1 --district North --hours 10 --panel-date 2026-11-16 --age 12
q alice 2026-11-20T08:00 referral send 1
q alice 2026-11-18T10:00 referral new --case CYP-1002 --lot 1 --district North --hours 12 --panel-date 2026-11-17 --age 9
q alice 2026-11-18T10:00 referral send 2
q alice 2026-11-18T11:00 referral respond 2 --provider "Beta Support" decline --reason "no staff in North"
q alice 2026-11-19T10:00 referral new --case CYP-1003 --lot 1 --district North --hours 8 --panel-date 2026-11-19 --age 10
q alice 2026-11-19T10:00 referral new --case CYP-1004 --lot 1 --district North --hours 6 --panel-date 2026-11-19 --age 10
q alice 2026-11-19T10:00 referral send 4
q alice 2026-11-19T11:00 referral respond 4 --provider "Beta Support" info --question "which evenings?"
q alice 2026-11-19T10:00 referral new --case CYP-1005 --lot 1 --district North --hours 5 --panel-date 2026-11-19 --age 10
q alice 2026-11-19T10:00 referral send 5
q alice 2026-11-19T11:00 referral respond 5 --provider "Beta Support" accept --start 2026-11-30
q alice 2026-11-17T10:00 referral new --case CYP-2001 --lot 2 --district South --hours 10 --panel-date 2026-11-17 --age 8
q alice 2026-11-17T10:00 referral send 6
q alice 2026-11-17T11:00 referral respond 6 --provider "Delta Living" decline --reason "no carers in South"
q alice 2026-11-18T09:00 spot request 6 --provider "Omega Care" --rate 30 --hours 10 --weeks 52 --why "framework exhausted in South"
for i in $(seq 0 29); do
	q alice 2026-11-19T12:00 referral new --case "CYP-30$(printf %02d "$i")" --lot 1 --district North --hours 4 --panel-date 2026-11-19 --age 11
done
# CYP-2002 goes to Delta, the only one ranked in lot 2 South: once it expires the framework is exhausted
q alice 2026-11-20T08:00 referral new --case CYP-2002 --lot 2 --district South --hours 10 --panel-date 2026-11-19 --age 8
q alice 2026-11-20T08:00 referral send 37
# bob holds one that tina gives to alice later
bobs=$(cli bob 2026-11-19T12:00 referral new --case CYP-4001 --lot 1 --district North --hours 3 --panel-date 2026-11-19 --age 7)
NOW=2026-11-20T09:00
q tina $NOW sweep

start() { # NAME AS COLS ROWS NOW [VAR=VALUE...]
	local name=$1 as=$2 cols=$3 rows=$4 now=$5
	shift 5
	term_start "$name" "$cols" "$rows" "$@" -- --db "$DB" --as "$as" --now "$now"
	term_wait "$name" "Enter open|q quit" || true
}

# ---- the worklist: what needs alice, by default ----
start m alice 100 30 $NOW
term_check "worklist: the answer due soon" m "CYP-1002 .*answer due soon"
term_check "worklist: to send" m "CYP-1003 .*to send"
term_check "worklist: the clock stopped, never late" m "CYP-1004 .*(clock )?stopped: (we )?owe info"
term_check_gone "worklist: a referral with a provider and time left is not in it" m "CYP-1001 "
term_check_gone "worklist: nor a sourced package" m "CYP-1005 "
term_check "worklist: the context line counts what needs you" m "Mine: [0-9]+ need you"
term_check_gone "worklist: a first run marks nothing" m "Since you last looked"
if term_line m "CYP-1004" | grep -qE "late|\[R\]"; then
	FAILED=$((FAILED + 1)); echo "FAIL - the clock-stopped referral is shown late or red"
else pass "the clock-stopped referral is not late, not red"; fi
# the sourced packages behind the filter, with their provider
term_keys m f
term_check "filter: what to filter by" m "show: what needs you now"
term_keys m Enter
term_check "filter: the choices of what is shown" m "the sourced packages"
term_keys m j j Enter
term_check "filter: the sourced package, with its provider" m "CYP-1005 .*sourced.*Beta Support"
term_check_gone "filter: only the sourced" m "CYP-1003 "
# filters stick: another tab and back
term_keys m 2
term_check "tab 2 opens" m "Waiting list: "
term_keys m 1
term_check "filter sticks on My referrals" m "Mine: 1 sourced"
term_keys m f Enter g Enter
term_check "filter: back to what needs you" m "CYP-1003 .*to send"
term_stop m

# ---- since you last looked: Beta lets CYP-1001 expire, bob's referral comes to alice ----
NOW2=2026-11-26T09:00
q tina $NOW2 sweep
q tina $NOW2 referral assign "$bobs" alice
q tina $NOW2 referral assign 3 bob
start s alice 100 30 $NOW2
term_check "since you last looked: the line says what changed" s \
	"Since you last looked \(Fri 20 Nov 09:00\): 3 with an offer expired, 1 exhausted, 1 reassigned to"
term_check "since you last looked: the line wraps, nothing cut" s "^ +you, 1 reassigned away from you"
term_check "since you last looked: a referral whose offer expired is shown, marked" s "^\*.*CYP-1001 "
term_keys s /
term_type s CYP-4001
term_keys s Enter
term_check "since you last looked: the one reassigned to alice is marked" s "^\*.*CYP-4001"
term_stop s
is "since you last looked: kept with alice's staff record in the database, not in a file on this host" \
	"$(sqlite3 "$DB" "SELECT last_looked_at FROM staff WHERE login = 'alice'")" "$(date -u -d "${NOW2}Z" +%s)"
start s2 alice 100 30 $NOW2 XDG_STATE_HOME="$WORK/another-host" HOME="$WORK/another-home"
term_check_gone "since you last looked: the next start, from another host, has nothing new" s2 "Since you last looked"
term_stop s2

# ---- the cursor stays where the user looks after an action ----
# the screen line of the list's cursor: the first line below the header in
# reverse video (the tabs above use it too)
cursor_line() { awk -v esc=$'\e' 'NR > 3 && $0 ~ (esc "\\[([0-9]+;)*7m") { print NR; exit }' <<<"$1"; }
start c alice 100 30 $NOW2
term_keys c f Enter j Enter
term_check "every open referral shown" c "open, not sourced"
term_keys c g
for i in $(seq 1 30); do term_keys c j; done
sleep 0.3
before=$(term_screen_attr c)
top_before=$(term_screen c | grep -m1 -oE 'CYP-[0-9]+')
line_before=$(cursor_line "$before")
case_before=$(sed -n "${line_before:-0}p" <<<"$before" | grep -oE 'CYP-[0-9]+' | head -1)
term_keys c s
term_check "send from the list: the confirmation" c "Next: .* is approached now"
term_keys c y
term_check "send: done" c "approached|sent"
sleep 0.5
after=$(term_screen_attr c)
top_after=$(term_screen c | grep -m1 -oE 'CYP-[0-9]+')
line_after=$(cursor_line "$after")
if [ -n "$line_before" ] && [ "$line_before" -gt 4 ]; then pass "the cursor is below the top row ($line_before)"
else FAILED=$((FAILED + 1)); echo "FAIL - the cursor line was found below the top row (line '$line_before')"; fi
is "after an action: the top row is the same" "$top_before" "$top_after"
is "after an action: the cursor on the same screen line" "$line_before" "$line_after"
term_keys c /
term_type c "${case_before:-none}"
term_keys c Enter
term_check "after an action: the referral acted on is marked, where it now is" c "^>.*${case_before:-none} .*with a provider"
term_keys c g
# a new sort starts at the top
term_keys c '>'
term_check "sort: the next order" c "breached first"
sleep 0.3
line_sorted=$(cursor_line "$(term_screen_attr c)")
is "a new sort starts at the top" "4" "$line_sorted"
term_stop c

# ---- one breached count: the Waiting screen, brokerage waiting, the report ----
start w tina 100 30 $NOW2
term_check "waiting: the home screen of a team leader" w "Waiting list: "
b_waiting=$("$BIN" --db "$DB" --as tina --now $NOW2 --json waiting | python3 -c 'import json, sys; print(json.load(sys.stdin)["breached"])')
b_report=$("$BIN" --db "$DB" --as tina --now $NOW2 --json report waiting |
	python3 -c 'import json, sys; print(sum(1 for r in json.load(sys.stdin)["rows"] if r["breached"] == "yes"))')
b_screen=$(term_screen w | sed -n 's/^ [0-9]* waiting, \([0-9]*\) with a deadline breached.*/\1/p' | head -1)
is "breached: brokerage waiting and the report agree" "$b_waiting" "$b_report"
is "breached: the screen and brokerage waiting agree" "$b_waiting" "$b_screen"
if [ "${b_screen:-0}" -ge 1 ]; then pass "breached: at least one ($b_screen)"; else FAILED=$((FAILED + 1)); echo "FAIL - no breached referral in the fixture"; fi
term_check "waiting: the clock-stopped referral says so, not late" w "CYP-1004 .*stopped"
# a filter on Waiting sticks over another tab
term_keys w b
term_check "waiting: b shows the breached" w "\(filter, breached\)"
term_check "the grid follows the filter" w "lot \\\\ district \(filter\)"
term_keys w 1
term_check "tab 1" w "Mine|Everyone's"
term_keys w 2
term_check "waiting: the filter is still set" w "\(filter, breached\)"
term_keys w o
term_check "waiting: the orders offered" w "urgent first"
term_keys w Escape
term_stop w

# ---- no ~ in an id, money or date column, nor in a fixed column's header ----
no_cuts() { # DESC NAME
	local scr
	scr=$(term_screen "$2")
	# a cut case reference, time, date, money, waited days, an id at the
	# start of a row, or a fixed column's label
	if grep -qE '(CYP|SEP)-[0-9]*~|[0-9]:[0-9]?~|[0-9]/[0-9]*~|[0-9]d/[0-9]*~|\.[0-9]?~|(GBP ?|£)[0-9.,]*~|^.{0,6}[0-9]+~|(CASE|LOT|HOURS|WAITED|DEADLINE|ANSWER DUE|TIME LEFT|EVENT|WHEN|REF|ID|RATE|WEEKLY|ANNUAL|WITH,)~' <<<"$scr"; then
		FAILED=$((FAILED + 1))
		echo "FAIL - $1: a fixed column is cut"
		term_show "$2"
	else
		pass "$1: nothing fixed is cut"
	fi
}
for size in "80 24" "200 60"; do
	for lang in C C.UTF-8; do
		set -- $size
		tag="${1}x$2 LANG=$lang"
		start n tina "$1" "$2" $NOW2 LANG=$lang LC_ALL=$lang
		term_keys n 1 a
		term_check "$tag: everyone's referrals" n "Everyone's"
		no_cuts "$tag, My referrals" n
		term_keys n 2
		term_check "$tag: waiting" n "Waiting list: "
		no_cuts "$tag, Waiting list" n
		term_keys n 3 h
		term_check "$tag: approvals" n "Spot purchase requests: "
		term_check "$tag: the money column whole" n "(GBP ?|£)15,600\.00"
		no_cuts "$tag, Approvals" n
		term_keys n 4
		term_check "$tag: providers, the name and PAMMS whole" n "Compass Children's Support +yes .*(req\. improvement|requires improvement)"
		no_cuts "$tag, Providers" n
		term_keys n 6
		term_check "$tag: audit" n "Audit trail"
		no_cuts "$tag, Audit" n
		term_stop n
	done
done

# ---- the audit filter takes a case reference ----
start u tina 100 30 $NOW2
term_keys u 6 f Enter
term_type u CYP-1004
term_keys u Enter
term_check "audit: filtered by the case reference" u "\(filter, case CYP-1004\)"
term_check "audit: its events" u "referral.respond|offer"
term_stop u

finish
