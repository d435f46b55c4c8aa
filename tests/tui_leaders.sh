#!/usr/bin/env bash
# The team leader's and supervisor's workstation seen from outside: the
# waiting list (figures equal to `brokerage waiting`, sort, filter,
# breached, reassignment), the trend of a known history, the rankings
# editor and the next approach, provider embargoes, spot approvals with
# separation of duties and the key decision, and the audit view flagging
# a tampered chain. The real program in tmux, 100x30 (and 80x24), with
# TERM, the locale, NO_COLOR, TZ, the person (--as) and the clock (--now)
# pinned, on a test-mode database built with the command line.
set -u
export TZ=Europe/London
. "$BROKERAGE_SOURCE_ROOT/tests/lib.sh"
. "$ROOT/tests/term.sh"
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "sqlite3 is not installed: skipped"
	exit 77
fi
unset NO_COLOR

# ---- the fixture ----
NOW=2026-11-20T09:00 # a Friday
cli() { term_cli "$@"; } # AS NOW ARGS...: the command line, its output on stdout
q() { term_cli "$@" >/dev/null; }
term_init
T0=2026-06-01T09:00
q "$ME" $T0 staff add alice --name "Alice Hughes" --role officer
q "$ME" $T0 staff add bob --name "Bob Price" --role officer
q "$ME" $T0 staff add tina --name "Tina Walsh" --role team_leader
q "$ME" $T0 staff add sam --name "Sam Okafor" --role supervisor
q "$ME" $T0 staff add sue --name "Sue Lee" --role supervisor
for p in "Acme Care" "Beta Support" "Gamma Homecare" "Delta Living"; do
	q tina $T0 provider add "$p" --cqc 1-100 --ages 0-18
done
q tina $T0 provider add "Omega Care" --off-framework --cqc 1-900 --ages 0-25
q tina $T0 rank set --lot 1 --district North "Beta Support" "Acme Care" "Gamma Homecare" "Delta Living"
q tina $T0 rank set --lot 2 --district South "Delta Living"

# A known history for the trend (weeks end on Fridays, the last on Fri 20 Nov):
# four waiting from 1 Jul until withdrawn on Thu 20 Aug (counted at the ends of
# 31 Jul, 7 Aug and 14 Aug), two waiting since 1 Sep (from the end of 4 Sep on).
for i in 1 2 3 4; do
	id=$(cli alice 2026-07-01T10:00 referral new --case "OLD-00$i" --lot 3 --district East --hours 5 --panel-date 2026-07-01)
	q alice 2026-08-20T10:00 referral withdraw "$id" --reason "family moved away"
done
for i in 1 2; do
	q alice 2026-09-01T10:00 referral new --case "SEP-00$i" --lot 3 --district West --hours 6 --panel-date 2026-09-01
done

# Waiting now (referrals 7, 8, 9): 7 sent Mon 16 Nov 10:00 (deadline Thu 19 Nov
# 17:00: expired by Fri 20, so breached); 8 sent Wed 18 Nov (with Beta Support);
# 9 not sent yet.
q alice 2026-11-16T10:00 referral new --case CYP-1001 --lot 1 --district North --hours 10 --panel-date 2026-11-16 --age 12
q alice 2026-11-16T10:00 referral send 7
q alice 2026-11-18T10:00 referral new --case CYP-1002 --lot 1 --district North --hours 12 --panel-date 2026-11-17 --age 9
q alice 2026-11-18T10:00 referral send 8
q alice 2026-11-19T10:00 referral new --case CYP-1003 --lot 1 --district North --hours 8 --panel-date 2026-11-19 --age 10
# Exhausted in lot 2 South (only Delta ranked, and it declines), then spot requests.
for c in 2001 2002 2003; do
	id=$(cli alice 2026-11-17T10:00 referral new --case "CYP-$c" --lot 2 --district South --hours 10 --panel-date 2026-11-17 --age 8)
	q alice 2026-11-17T10:00 referral send "$id"
	q alice 2026-11-17T11:00 referral respond "$id" decline --provider "Delta Living" --reason "no carers in South"
done
# 10: asked by alice; 11: asked by sam (a supervisor); 12: asked by alice, over the key-decision threshold
q alice 2026-11-18T09:00 spot request 10 --provider "Omega Care" --rate 30 --hours 10 --weeks 52 --why "framework exhausted in South"
q sam 2026-11-18T09:30 spot request 11 --provider "Omega Care" --rate 28 --hours 10 --weeks 52 --why "only Omega can start"
q alice 2026-11-18T10:00 spot request 12 --provider "Omega Care" --rate 1000 --hours 10 --weeks 52 --why "complex needs, one to one"
# The sweep the workstation runs at start, run first so the command line and
# the screen see the same database.
q tina $NOW sweep

# ---- the waiting list as a team leader: figures equal to `brokerage waiting` ----
wl=$(cli tina $NOW waiting)
summary=$(grep -E '^[0-9]+ waiting, [0-9]+ with a deadline breached' <<<"$wl")
total=${summary%% *}
term_start w 100 30 -- --db "$DB" --as tina --now "$NOW"
term_check "team leader: the home screen is the waiting list" w "Waiting list: $total not yet sourced"
term_check "waiting: the totals equal the command line's ($summary)" w "^ $summary"
# one "breached" on the three surfaces at the same moment
b_waiting=$("$BIN" --db "$DB" --as tina --now $NOW --json waiting 2>/dev/null | python3 -c 'import json, sys; print(json.load(sys.stdin)["breached"])')
b_report=$("$BIN" --db "$DB" --as tina --now $NOW --json report waiting 2>/dev/null |
	python3 -c 'import json, sys; print(sum(1 for r in json.load(sys.stdin)["rows"] if r["breached"] == "yes"))')
b_screen=$(term_screen w | sed -n 's/^ [0-9]* waiting, \([0-9]*\) with a deadline breached.*/\1/p' | head -1)
if [ -n "$b_screen" ] && [ "$b_waiting" = "$b_report" ] && [ "$b_report" = "$b_screen" ] && [ "$b_screen" -ge 1 ]; then
	pass "breached: waiting --json, report waiting --json and the screen agree ($b_screen)"
else
	fail "breached: waiting --json, report waiting --json and the screen agree" "the same count, at least 1" \
		"waiting --json $b_waiting, report waiting --json $b_report, the screen $b_screen"
fi
# the lot x district grid: number, counts and total of each lot, both ways
grid_cli=$(sed -n '/lot \\ district/,$p' <<<"$wl" | awk 'NR>1 {printf "%s", $1; for (i = NF-4; i <= NF; i++) printf " %s", $i; print ""}')
grid_scr=$(term_screen w | awk '/lot \\ district/{on=1; next} /CASE/{on=0} on && NF {printf "%s", $1; for (i = NF-4; i <= NF; i++) printf " %s", $i; print ""}')
if [ -n "$grid_cli" ] && [ "$grid_cli" = "$grid_scr" ]; then pass "waiting: the lot x district grid equals the command line's"
else fail "waiting: the lot x district grid equals the command line's" "the same grid" "another"; echo "    cli: $grid_cli"; echo "    scr: $grid_scr"; fi
breached_rows=$(grep -c BREACHED <<<"$wl")
term_check "waiting: the grid's lot names whole where the line has room" w "^  2 Community support / domiciliary care +[0-9]"
term_check "waiting: columns" w "CASE +LOT AREA +HOURS STATUS +HOLDER +WAITED NOW WITH, RANK +DEADLINE"
term_check "waiting: waited in calendar and working days, step with rank k of n" w "CYP-1002 +1 North +12 searching +alice +3d/3wd Beta Support +1/4 23 Nov 17:00"
term_check "waiting: a breached referral is marked red" w "\\[R\\] CYP-1001"
term_check "waiting: the status line has the team leader's keys" w "o sort  f filter  b breached  R reassign  T trend"
# at 80 columns the context line reads whole beside the user's name; the order is said on the line under it
term_start w80 80 24 -- --db "$DB" --as tina --now "$NOW"
term_check "waiting at 80x24: the context line whole beside the user's name" w80 \
	"^ Waiting list: $total not yet sourced +Tina Walsh \\(team leader\\)$"
term_check "waiting at 80x24: the order under it" w80 "^ $summary +by time waited, longest first$"
term_check "waiting at 80x24: the grid's lot names whole" w80 "^  2 Community support / domiciliary care +[0-9]"
term_keys w80 '>'
term_check "waiting at 80x24: another order, said whole" w80 "^ $summary +by current step \\(provider\\)$"
term_check "waiting at 80x24: the context line still whole" w80 "^ Waiting list: $total not yet sourced +Tina Walsh"
# the key hints: each whole, help and quit always among them (T trend is left to ?)
term_check "waiting at 80x24: the key hints end whole" w80 "^ Enter open  o sort .*  / search  \\? help  q quit *$"
term_check_not "waiting at 80x24: no hint cut short" w80 "\\? hel$"
# a longer context line reads whole: who gives way to the name alone, or the login
term_keys w80 4
term_check "providers at 80x24: the context line whole beside the login" w80 \
	"^ Provider register: [0-9]+ providers \\(framework first\\); r shows a ranking +tina$"
term_keys w80 3
term_check "approvals at 80x24: the context line whole beside the name" w80 \
	"^ Spot purchase requests waiting for a decision: [0-9]+ \\(oldest first\\) +Tina Walsh$"
term_stop w80
# sort by case reference: o, then the first column
term_keys w o
term_check "sort: the columns to choose from" w "Sort the waiting list by"
term_keys w g Enter
term_check "sort: by case reference" w "by case reference"
first=$(term_screen w | grep -E '^ .{3} ?[A-Z]+-[0-9]+ ' | head -1 | awk '{print $NF=="" ? "" : $0}')
if grep -q "CYP-1001" <<<"$first"; then pass "sort: CYP-1001 comes first"; else fail "sort: CYP-1001 comes first" "CYP-1001" "$first"; term_show w; fi
term_keys w '>'
term_check "sort: > moves to the next column" w "by lot"
term_keys w '<'
term_check "sort: < moves back" w "by case reference"
# filter by lot 1: the count equals the grid's
lot1=$(awk '$1 == 1 {print $NF}' <<<"$grid_cli")
term_keys w f
term_check "filter: what to filter by" w "Filter the waiting list by"
term_keys w Enter
term_check "filter: the lots" w "1 Lifeskills & Independence"
term_keys w j Enter
term_check "filter: lot 1 shows as many as the command line counts ($lot1)" w "Waiting list: $lot1 of $total shown \\(filter, lot 1\\)"
term_check_not "filter: nothing from lot 2" w "CYP-2001"
# the grid counts what the filter keeps (counted once a change, not a key):
# lot 1 as the command line, every other lot 0; after a few keys the same
grid_want=$(awk -v n="$lot1" '{print $1, ($1 == 1 ? n : 0)}' <<<"$grid_cli")
grid_totals() { term_screen w | awk '/lot \\ district/{on=1; next} /CASE/{on=0} on && NF {print $1, $NF}'; }
is "filter: the grid counts lot 1 alone" "$(grid_totals)" "$grid_want"
term_keys w j j k
term_wait w "Waiting list: $lot1 of $total shown" >/dev/null
is "filter: the grid the same after moving" "$(grid_totals)" "$grid_want"
term_keys w f G Enter
term_check "filter: cleared" w "Waiting list: $total not yet sourced"
is "filter cleared: the grid of the whole list again" "$(grid_totals)" "$(awk '{print $1, $NF}' <<<"$grid_cli")"
term_keys w b
term_check "b: the breached ones, as many as the command line marks ($breached_rows)" w "Waiting list: $breached_rows of $total shown \\(filter, breached\\)"
term_check "b: CYP-1001 with the breach said in full" w "CYP-1001 BREACHED, held by alice"
term_keys w b
term_check "b again: everything" w "Waiting list: $total not yet sourced"

# ---- reassignment: tag two, R, choose bob ----
term_keys w g t t
term_check "tag: two tagged" w "2 tagged"
term_keys w R
term_check "reassign: the officers to choose from" w "Reassign 2 referrals to"
term_check "reassign: staff listed with their roles" w "bob +Bob Price \\(brokerage officer\\)"
# each officer's whole open caseload (sourced packages too), and of it what still waits
alice_open=$(sqlite3 "$DB" "SELECT count(*) FROM referral WHERE holder_id = (SELECT id FROM staff WHERE login = 'alice')
	AND status NOT IN ('ended', 'withdrawn')")
term_check "reassign: alice's open caseload ($alice_open), not only the waiting" w "alice +Alice Hughes \\(brokerage officer\\): $alice_open open, [0-9]+ waiting "
term_keys w j Enter
term_check "reassign: the confirmation names the referrals and their holders" w "CYP-1001 \\(now alice\\), CYP-1002 \\(now alice\\)"
term_keys w y
term_check "reassign: done" w "2 referrals now held by bob"
term_check "reassign: the list shows the new holder" w "CYP-1001 +1 North +10 searching +bob"
holder=$("$BIN" --db "$DB" --as tina --now $NOW referral show 7 --json | sed -n 's/^  "holder": "\(.*\)",$/\1/p')
if [ "$holder" = bob ]; then pass "reassign: referral show --json says bob holds referral 7"; else fail "reassign: referral show --json says bob holds referral 7" bob "$holder"; fi
holder=$("$BIN" --db "$DB" --as tina --now $NOW referral show 8 --json | sed -n 's/^  "holder": "\(.*\)",$/\1/p')
if [ "$holder" = bob ]; then pass "reassign: and referral 8"; else fail "reassign: and referral 8" bob "$holder"; fi

# ---- the trend of the known history ----
term_keys w T
term_check "trend: opens" w "Referrals waiting at the end of each week"
term_check "trend: 16 weeks ago, 31 Jul: 4" w "16 weeks ago Fri 31 Jul 2026 +.* 4$"
term_check "trend: 13 weeks ago, 21 Aug (after the withdrawals): 0" w "13 weeks ago Fri 21 Aug 2026 +0$"
term_check "trend: 11 weeks ago, 4 Sep: 2" w "11 weeks ago Fri 4 Sep 2026 +.* 2$"
term_check "trend: now: $total" w "now +Fri 20 Nov 2026 +.* $total$"
term_check "trend: Unicode blocks in UTF-8" w "$(printf '\342\226\210')+"
term_keys w q
term_stop w

# ---- the ranking editor: Acme to rank 1, then a referral approaches it ----
term_start p 100 30 -- --db "$DB" --as tina --now "$NOW"
term_keys p 4
term_check "providers: the register with its columns" p "PROVIDER +FW +CQC +PAMMS +RISK +AGES +RATE ACT EMBARGO"
term_check "providers: a provider's capacity and where it is ranked" p "Ranked: lot 1 North #2"
term_keys p r
term_check "rankings: choose the lot" p "Ranking of which lot"
term_keys p Enter Enter
term_check "rankings: lot 1 in North, Beta first" p " 1 +Beta Support"
term_check "rankings: opened, the order is said to be the saved one" p "The order as saved: the next approach uses it"
term_check_not "rankings: no \"Saved.\" when nothing was saved" p "Saved\\."
term_keys p j K
term_check "rankings: K moves Acme up" p "Acme Care now rank 1 \\(not saved"
term_check "rankings: before and after shown while unsaved" p "now Acme Care \\| Beta Support \\| Gamma Homecare \\| Delta Living"
term_keys p q
term_check "rankings: leaving unsaved asks about the ranking, not a form" p "This ranking has changes that are not saved"
term_check_not "rankings: no word of a form or of typing" p "Discard the form|what was typed"
term_keys p n
term_keys p s
term_check "rankings: the save shows before and after" p "Before: Beta Support \\| Acme Care"
term_keys p y
term_check "rankings: saved in one change" p "ranked 4 providers for lot 1 in North"
term_check "rankings: Acme is rank 1" p " 1 +Acme Care"
term_keys p j K J
term_check "rankings: Beta moved up and back" p "Beta Support now rank 2"
term_check_not "rankings: the order as saved is not offered to save" p "Changed, not saved"
if "$BIN" --db "$DB" --as tina --now $NOW rank show | grep -qE '^ *1 +.+ +North +1 +Acme Care$'; then
	pass "rankings: rank show agrees"; else fail "rankings: rank show agrees" "Acme Care at rank 1" "another"; fi
sent=$("$BIN" --db "$DB" --as alice --now 2026-11-20T10:00 referral send 9 2>&1)
if grep -q "Acme Care" <<<"$sent"; then pass "rankings: a fresh referral approaches the new rank 1 (Acme Care)"
else fail "rankings: a fresh referral approaches the new rank 1 (Acme Care)" "Acme Care" "$sent"; fi
if "$BIN" --db "$DB" --as tina --now $NOW referral show 8 --json | grep -A3 '"provider": "Beta Support"' | grep -q '"status": "sent"'; then
	pass "rankings: the referral in flight keeps its offer to Beta Support"; else fail "rankings: the referral in flight keeps its offer" "its offer to Beta Support sent" "another"; fi
term_keys p q
# ---- embargo: which open offers the provider holds ----
term_check "back to the register" p "Provider register"
term_check_not "rankings: left without a question when nothing is unsaved" p "Discard"
term_keys p g j
term_check "providers: Beta Support under the cursor" p "Beta Support: framework"
term_keys p e
term_check "provider form: opens" p "Provider Beta Support"
term_keys p Tab Tab Tab Tab C-u 18-0 Tab
term_check "provider form: ages checked as the core checks them" p "give the ages served as FROM-TO"
term_keys p BTab C-u 0-18 Tab C-u 19.505 Tab
term_check "provider form: the rate checked as the referral form checks money" p "19\\.505.*more than two decimal places"
term_check "provider form: the ages, once right, lose their mark" p "Ages served +0-18 *$"
term_keys p BTab C-u 24.50 Tab "safeguarding review" F2
term_check "embargo: the confirmation names the open offers it holds" p "It holds 1 open offer: CYP-1002 \\(referral 8\\)"
term_keys p y
term_check "embargo: saved, with the offers that stand" p "embargoed Beta Support; it still holds 1 open offer"
term_check "embargo: the register shows the reason" p "Beta Support .*safeguarding review"
term_keys p e Tab Tab Tab Tab Tab Tab Tab Tab C-u North=200 F2
term_check "provider form: a district's capacity past one person's week is kept, as the command keeps it" p \
	"changed provider Beta Support"
if "$BIN" --db "$DB" --as tina --now $NOW provider show "Beta Support" --json | grep -A1 '"capacity_minutes"' | grep -q '"North": 12000'; then
	pass "provider form: 200 hours a week in North saved"; else fail "provider form: 200 hours a week in North saved" "North 12000 minutes" "$("$BIN" --db "$DB" --as tina --now $NOW provider show "Beta Support" --json | grep -A2 capacity_minutes | tr -d '\n')"; fi
term_stop p

# ---- the rankings editor: the provider added is the row marked ----
# (the reload marks the row it finds changed under the cursor: without
# saying otherwise that was the provider pushed down a rank)
term_start k 100 30 -- --db "$DB" --as tina --now "$NOW"
term_keys k 4 r
term_wait k "Ranking of which lot" || term_show k
term_keys k Down Enter Down Enter
term_check "rankings: lot 2 in South, Delta alone" k "Ranking of lot 2 in South: 1 provider"
term_keys k a
term_wait k "Add which framework provider" || term_show k
term_keys k G Enter
term_check "rankings: Gamma added at rank 2" k "Gamma Homecare added at rank 2"
term_keys k g a
term_wait k "Add which framework provider" || term_show k
term_keys k A Enter
term_check "rankings: Acme added at rank 2, below the cursor" k "Acme Care added at rank 2"
term_check "rankings: the row marked is the one added" k "^> +2 +Acme Care"
term_check_not "rankings: not the one it pushed down" k "^> +3 +Gamma Homecare"
term_stop k

# ---- approvals: a supervisor decides; their own request is refused ----
term_start a 100 30 -- --db "$DB" --as sam --now "$NOW"
term_check "supervisor: the home screen is Approvals, oldest first" a "waiting for a decision: 3 \\(oldest first\\)"
term_check "approvals: cost, annual cost and premium" a "1 CYP-2001 +alice +Omega Care +£30.00 +10 +£300.00 +£15,600.00 +£85.00"
term_check "approvals: why the framework was exhausted" a "1 Delta Living: declined .*no carers in South"
term_check "approvals: the justification" a "Justification: framework exhausted in South"
term_keys a a
term_check "approve: a note is asked for" a "Note for the record"
term_keys a Enter
term_check "approve: refused without a note" a "an answer is needed"
term_keys a "within budget, no framework capacity" Enter
term_check "approve: the confirmation" a "Approve buying from Omega Care for referral 10"
term_keys a y
term_check "approve: done" a "approved"
term_check "approve: two left, sam's own under the cursor" a "waiting for a decision: 2"
term_check "own request: the screen says why it cannot be decided" a "You cannot decide it: you requested this spot purchase, so another supervisor must decide it"
term_check_not "own request: the keys are not offered for it" a "a approves, d rejects"
term_keys a a
term_check "own request: a is refused with the reason" a "Refused: spot request 2: you requested this spot purchase"
# the key decision: asked for a reference; refused without
term_keys a j
term_check "key decision: the request over the threshold" a "approval needs a key-decision reference"
term_keys a a "one to one, agreed by the panel" Enter
term_check "key decision: the reference is asked for" a "Key-decision reference \\(without one it cannot be"
term_keys a Enter y
term_check "key decision: refused without a reference" a "Refused: spot request 3 costs £520,000.00 a year, which reaches .* M: all of it"
term_keys a M
term_check "key decision: the refusal in full (M)" a "which reaches the key-decision threshold"
term_keys a q
term_keys a a "one to one, agreed by the panel" Enter KD-2026-17 Enter
term_check "key decision: the confirmation shows the reference" a "key decision KD-2026-17"
term_keys a y
term_check "key decision: approved with the reference" a "approved"
term_keys a h
term_check "decided requests stay viewable" a "Spot purchase requests: 3, 1 waiting"
term_keys a g
term_check "decided: who decided and when" a "Approved by sam on Fri 20 Nov 2026 09:00: within budget"
term_stop a
if "$BIN" --db "$DB" --as sam --now $NOW spot list --json | grep -q '"KD-2026-17"'; then pass "key decision: spot list --json has the reference"
else fail "key decision: spot list --json has the reference" KD-2026-17 "no reference"; fi

# ---- role rules shown: an officer at 80x24 ----
term_start o 80 24 -- --db "$DB" --as alice --now "$NOW"
term_keys o 2
term_check "officer: the waiting list at 80x24" o "Waiting list: "
term_check_not "officer: no reassign key on the status line" o "R reassign"
term_keys o R
term_check "officer: R refused, naming who may" o "Not for a brokerage officer: only a team leader can reassign referrals"
term_keys o '?'
term_check "officer: help made for the screen" o "Keys on the screen 'Waiting list'"
term_check_not "officer: help lacks reassign" o "reassign the tagged"
term_keys o q 3
term_check "officer: approvals without the decision keys" o "h decided"
term_check_not "officer: no approve key" o "a approve"
term_keys o 4
term_check_not "officer: no edit key on providers" o "e edit"
term_keys o q
term_stop o

# ---- the trend in the C locale: ASCII bars ----
term_start c 80 24 LANG=C LC_ALL=C TERM=vt100 -- --db "$DB" --as tina --now "$NOW"
term_keys c T
term_check "trend, C locale: ASCII bars" c "16 weeks ago Fri 31 Jul 2026 +#+ 4$"
term_stop c

# ---- the audit view: the ranking change, then a tampered chain ----
term_start u 100 30 -- --db "$DB" --as tina --now "$NOW"
term_keys u 6
term_check "audit: newest first, the action in words" u "^ +[0-9]+ 20 Nov 26 09:00 sam +spot purchase approved"
term_check_not "audit: no action code on screen" u "referral\.spot-approved"
term_keys u f j j Enter C-u ranking.set Enter
term_check "audit: filtered by action" u "Audit trail, newest first \\(filter, ranking.set\\)"
term_check "audit: the ranking change in full, in words, before..." u \
	"^ Event [0-9]+, Fri 20 Nov 2026 [0-9:]+, by tina: changed the ranking of lot 1 North from"
term_check_not "audit: no entity code in the event in full" u " tina ranking [0-9]+:"
term_check "audit: ...and after" u "to Acme Care, Beta Support, Gamma Homecare, Delta Living"
term_keys u f G Enter
term_keys u v
term_check "audit: the chain verifies" u "Chain OK: [0-9]+ events verified"
term_stop u
sqlite3 "$DB" "DROP TRIGGER event_no_update; UPDATE event SET actor = 'mallory' WHERE seq = 5;" 2>/dev/null
term_start u 100 30 -- --db "$DB" --as tina --now "$NOW"
term_keys u 6 v
term_check "audit: v flags the tampered chain" u "TAMPERED: event 5"
term_check "audit: the tampered event is shown" u "^ +5 .*mallory"
term_stop u

# ---- a long waiting list: its first screen comes before the rest is read ----
# (more than four screens of rows: the rows of the first screen are read
# by id, the figures counted from the index; the rest follows at once)
db_small=$DB now_small=$NOW
DB=$WORK/big.db NOW=2026-03-02T10:00
# (a team clears its list as it goes: a demo of 6,000 referrals over two
# years leaves more than 120 waiting)
"$BIN" demo --db "$DB" --referrals 6000 --seed 4 --now $NOW >/dev/null 2>&1 || { echo "demo failed"; exit 1; }
wl=$(cli tina $NOW waiting)
summary=$(grep -E '^[0-9]+ waiting, [0-9]+ with a deadline breached' <<<"$wl")
total=${summary%% *}
if [ "${total:-0}" -gt 120 ]; then pass "long list: $total waiting, more than four screens of 30 lines"
else fail "long list: $total waiting, more than four screens of 30 lines" "more than 120" "${total:-0}"; fi
# the command line's rows in the screen's opening order: days waited, then
# working days, longest first, then id
# (the command line pads the working days: "39d/ 29wd")
want=$(awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[A-Z]+-[0-9]+$/ && match($0, /[0-9]+d\/ *[0-9]+wd/) {split(substr($0, RSTART, RLENGTH), p, /[dw\/ ]+/); print p[1], p[2], $1, $2}' <<<"$wl" |
	sort -k1,1nr -k2,2nr -k3,3n | head -12 | awk '{print $4}' | tr '\n' ' ')
term_start b 100 30 -- --db "$DB" --as tina --now "$NOW"
term_check "long list: the team leader's home screen, all of it counted" b "^ $summary"
got=$(term_screen b | grep -oE '^ .{3}[ !]?[A-Z]+-[0-9]+ ' | grep -oE '[A-Z]+-[0-9]+' | head -12 | tr '\n' ' ')
if [ -n "$want" ] && [ "$got" = "$want" ]; then pass "long list: the longest waiting first, as the command line orders them ($got)"
else fail "long list: the longest waiting first" "$want" "$got"; echo "    want: $want"; echo "    got:  $got"; term_show b; fi
term_keys b G
term_check "long list: End reaches the last of all $total rows" b "Waiting list: $total not yet sourced"
term_stop b
# the approvals pane at 80x24: a request longer than the pane says so on a line of its own
term_start a80 80 24 -- --db "$DB" --as tina --now "$NOW"
term_keys a80 3
term_check "approvals at 80x24: the more line whole, on a line of its own" a80 "^   \\(more: Enter opens the referral\\)$"
term_stop a80
DB=$db_small NOW=$now_small

# ---- the provider form adds what was filled in; the rest as the command adds it ----
term_start n 100 30 -- --db "$DB" --as tina --now "$NOW"
term_keys n 4 c
term_wait n "New provider" || term_show n
term_type n "Zeta Care"
term_keys n Tab n Tab Tab Tab Tab
term_type n "0-25"
term_keys n F2
term_check "provider form: a new provider added" n "added off-framework provider Zeta Care"
json_is "provider form: off-framework, ages 0-25, the rest as the command leaves them" \
	"$(cli tina $NOW provider show "Zeta Care" --json)" \
	'[d["framework"], d["age_min"], d["age_max"], d["risk"], d["active"], d["pamms"], d["rate"], d["embargo"]]' \
	'[false, 0, 25, "green", true, null, null, null]'
term_stop n

finish
