#!/usr/bin/env bash
# The workstation seen from outside: the real program in tmux, with the
# terminal size, TERM, locale, NO_COLOR, the person (--as) and the clock
# (--now) pinned, on a test-mode database built with the command line.
# Checks what a person sees on the screen. Driven through tests/term.sh.
set -u
export TZ=Europe/London
. "$BROKERAGE_SOURCE_ROOT/tests/lib.sh"
. "$ROOT/tests/term.sh"
unset NO_COLOR

# ---- the fixture: the worked example of the contract clock ----
cli() { term_cli alice "$1" "${@:2}" >/dev/null; } # NOW ARGS...: as alice (a later --as wins)
term_init
T0=2026-11-16T09:00
cli $T0 --as "$ME" staff add alice --name "Alice Hughes" --role officer
cli $T0 --as "$ME" staff add tina --name "Tina Walsh" --role team_leader
for p in "Acme Care" "Beta Support" "Gamma Homecare" "Delta Living"; do
	cli $T0 --as tina provider add "$p" --cqc 1-100 --ages 0-18
done
cli $T0 --as tina provider set "Gamma Homecare" --embargo "late visits in October"
cli $T0 --as tina rank set --lot 1 --district North "Beta Support" "Acme Care" "Gamma Homecare" "Delta Living"
# 1: sent Fri 20 Nov 10:00 to Beta Support -> deadline Wed 25 Nov 17:00; a note with an escape and a bidi override,
# which every door refuses (issue 14), so it is written into the file behind the program's back
cli 2026-11-20T10:00 referral new --case CYP-1001 --lot 1 --district North --hours 10 --panel-date 2026-11-18 --age 12 --note "evening visits"
sqlite3 "$DB" "update referral set note = 'evening visits ' || char(27) || '[2J' || char(8238) || 'SECRET' where id = 1" || {
	echo "fixture failed: the hostile note"
	exit 1
}
cli 2026-11-20T10:00 referral send 1
# 2: sent Wed 18 Nov, Beta declined, Acme approached -> deadline Mon 23 Nov 17:00 (amber on Fri 20)
cli 2026-11-18T10:00 referral new --case CYP-1002 --lot 1 --district North --hours 12 --panel-date 2026-11-17 --age 9
cli 2026-11-18T10:00 referral send 2
cli 2026-11-18T11:00 referral respond 2 decline --provider "Beta Support" --reason "no staff in North"

# The workstation as alice: term_start NAME COLS ROWS [VAR=VALUE...] -- "${ALICE[@]}" --now NOW
ALICE=(--db "$DB" --as alice)
# My referrals opens on what needs alice now (tests/tui_lists.sh checks
# that); these checks are about every open referral: f, show, the last choice.
every_open() { # NAME
	term_wait "$1" "Mine: " || true
	term_keys "$1" f Enter j j j Enter
	term_wait "$1" "Mine: [0-9]+ open" || true
}

# ---- the queue, Fri 20 Nov 09:00 ----
term_start q 100 30 -- "${ALICE[@]}" --now 2026-11-20T09:00
every_open q
term_check "the frame shows the tabs" q "1 My referrals +2 Waiting list +3 Approvals +4 Providers +5 Reports +6 Audit"
term_check "the frame shows the user and role in words" q "Alice Hughes \(brokerage officer\)"
term_check "the frame shows the database" q "db .*t\.db"
term_check "queue: amber referral with its deadline and time left" q "\[A\] +CYP-1002 .*Acme Care +2/4 +Mon 23 Nov 17:00 +1wd 8h"
term_check "queue: green referral due Wed 25 Nov 17:00" q "\[G\] +CYP-1001 .*Beta Support +1/4 +Wed 25 Nov 17:00 +3wd 8h"
if term_screen q | grep -n "CYP-100" | head -1 | grep -q CYP-1002; then pass "queue: soonest deadline first"
else fail "queue: soonest deadline first" "CYP-1002 above CYP-1001" "another order"; term_show q; fi
term_check "status line shows the screen's main keys" q "Enter open .* s send .* \? help"

# ---- the detail: candidates with reasons ----
term_keys q / ; sleep 0.2; term_keys q CYP-1001 Enter
term_check "search by case reference finds the row" q "Match for 'CYP-1001'"
term_keys q n
term_check "n right after a search walks the matches (here the one match, again)" q "Match for 'CYP-1001' \(search wrapped\)"
term_keys q Enter
term_check "detail: facts" q "Referral 1 +case CYP-1001 +searching"
term_check "detail: embargoed provider with its reason" q "Gamma Homecare +no .*embargoed: late visits in October"
term_check "detail: offer timeline with the deadline" q "deadline Wed 25 Nov 2026 17:00"
term_check "note: escape and bidi override removed, text kept" q "Note: evening visits SECRET"
if term_screen q | grep -q '\[2J'; then fail "note: no escape text on screen" "no [2J" "[2J on the screen"
else pass "note: no escape text on screen"; fi
term_check "note: the screen was not cleared (frame intact)" q "^ 1 My referrals"
term_check "detail: the audit trail, in sentences" q "alice sent the referral out; status changed from new to searching"
term_keys q q
term_check "q goes back to the list" q "CASE +LOT +AREA"
term_keys q /; sleep 0.2; term_keys q CYP-1002 Enter; sleep 0.2; term_keys q Enter
term_check "detail: a declined provider says when" q "Beta Support +no +declined +declined on Wed 18 Nov 2026"
term_keys q '?'
term_check "help is made for the screen" q "Keys on the screen 'Referral'"
# the referral's own keys come after those of every screen (eight tabs): End shows them
term_keys q End
term_check "... with the referral's keys" q "record a provider's answer"
term_keys q q q
term_stop q

# ---- colours ----
term_start c 100 30 NO_COLOR= -- "${ALICE[@]}" --now 2026-11-20T09:00
every_open c
term_wait c "CYP-1001"
c2=$(term_screen_attr c | grep CYP-1002)
c1=$(term_screen_attr c | grep CYP-1001)
if grep -q $'\033\\[[0-9;]*33m' <<<"$c2" && grep -q $'\033\\[[0-9;]*32m' <<<"$c1"; then
	pass "colours: amber row yellow, green row green"
else
	fail "colours: amber row yellow, green row green" "yellow and green" "other colours"
	printf '    | %q\n' "$c2" "$c1"
fi
if grep -q '\[A\]' <<<"$c2"; then fail "colours: no [A] text marker when colours are on" "no [A]" "[A]"
else pass "colours: no [A] text marker when colours are on"; fi
term_stop c

# ---- the mouse: a click on a row selects it, on a tab opens it; the wheel moves ----
# Typed as the terminal reports it: SGR (1006) for xterm (term_mouse), the
# older X10 bytes for screen.
press() { # SESSION FORMAT BUTTON COL ROW (0-based): a press and, for a button, its release
	local s=$1 f=$2 b=$3 x=$(($4 + 1)) y=$(($5 + 1))
	if [ "$f" = sgr ]; then
		term_mouse "$s" "$b" "$4" "$5"
	else
		term_keys "$s" -l "$(printf '\033[M%b%b%b' "\\0$(printf %o $((32 + b)))" "\\0$(printf %o $((32 + x)))" \
			"\\0$(printf %o $((32 + y)))")"
		[ "$b" -ge 64 ] || term_keys "$s" -l "$(printf '\033[M#%b%b' "\\0$(printf %o $((32 + x)))" "\\0$(printf %o $((32 + y)))")"
	fi
	sleep 0.3
}
for mt in "xterm-256color sgr" "screen x10"; do
	set -- $mt
	mterm=$1 mf=$2
	term_start m 100 30 TERM="$mterm" -- "${ALICE[@]}" --now 2026-11-20T09:00
	every_open m
	term_wait m "CYP-1001"
	# the queue's rows start on line 3 (tabs, context, column heads above): CYP-1002, then CYP-1001
	press m "$mf" 0 12 4
	term_keys m Enter
	term_check "mouse ($mterm): a click on the second row selects it" m "Referral 1 +case CYP-1001"
	term_keys m q
	term_wait m "CASE +LOT +AREA"
	press m "$mf" 64 12 10
	term_keys m Enter
	term_check "mouse ($mterm): the wheel moves the cursor up" m "Referral 2 +case CYP-1002"
	press m "$mf" 65 12 10
	term_check_gone "mouse ($mterm): the wheel scrolls a page of text down" m "Referral 2 +case CYP-1002"
	press m "$mf" 64 12 10
	term_check "mouse ($mterm): and up" m "Referral 2 +case CYP-1002"
	term_keys m q
	term_wait m "CASE +LOT +AREA"
	col=$(term_screen m | head -1 | awk '{print index($0, "6 Audit")}')
	press m "$mf" 0 "$col" 0
	term_check "mouse ($mterm): a click on a tab opens it" m "Audit trail, newest first"
	col=$(term_screen m | head -1 | awk '{print index($0, "4 Providers")}')
	press m "$mf" 0 "$col" 0
	term_check "mouse ($mterm): a click on the Providers tab opens it" m "^ PROVIDER +FW +CQC"
	second=$(term_screen m | sed -n 5p | cut -c2-25 | sed 's/ *$//')
	press m "$mf" 0 5 4
	term_check "mouse ($mterm): a click on a provider's row shows that provider ($second)" m "^ $second: "
	press m "$mf" 0 2 0
	term_check "mouse ($mterm): and back to the first tab" m "CASE +LOT +AREA"
	press m "$mf" 0 12 20
	term_keys m j Enter
	term_check "mouse ($mterm): a click below the rows changes nothing; keys still work" m "Referral 1 +case CYP-1001"
	term_keys m q
	term_stop m
done

# ---- a decline and the next provider, Mon 23 Nov 10:00 ----
term_start d 100 30 -- "${ALICE[@]}" --now 2026-11-23T10:00
every_open d
term_wait d CYP-1001
term_keys d /; sleep 0.2; term_keys d CYP-1001 Enter; sleep 0.2; term_keys d Enter
term_check "decline: detail open" d "Referral 1 +case CYP-1001"
term_keys d r
term_check "decline: the answer is asked for" d "Beta Support answered"
term_keys d Down Enter
term_check "answer: when it reached the council is asked" d "When did the answer reach the council\?"
term_keys d Enter
term_check "answer: how it came is asked, phone first" d "How did the answer come\?"
term_keys d Enter
term_check "decline: the policy's decline codes are offered" d "Why did the provider decline\?"
term_check "decline: ...each with its label" d "capacity: no capacity"
term_keys d Enter
term_check "decline: the words are asked for, optional for a code" d "The provider's words \(optional"
term_keys d "no capacity in North" Enter
term_check "decline: confirmation names the next provider and deadline" d "Next: Acme Care \(rank 2 of 4\) is approached now and must answer by Thu 26"
term_check "decline: ...on Thu 26 Nov 2026 at 17:00" d "Nov 2026 17:00\."
term_keys d y
term_check "decline: the result in words" d "approached Acme Care, who must answer by Thu 26 Nov 2026 17:00"
term_check "decline: the timeline shows the new offer" d "Acme Care \(rank 2\): sent"
term_check "decline: Beta shows declined" d "Beta Support +no +declined +declined on Mon 23 Nov 2026"
term_keys d q

# ---- the new-referral form ----
term_keys d c
term_check "form: opens" d "New referral, approved by the resource panel"
term_keys d CYP-2002 Tab Tab Tab 19.505 Tab
term_check "form: hours 19.505 refused next to the field" d "19\.505.*more than two decimal places"
term_keys d F2
term_check "form: save refused, message shown" d "Hours a week: .*19\.505"
term_check "form: the other fields are kept" d "Case reference \* +CYP-2002"
term_check "form: the lot is kept" d "Lot \* +. 1 Lifeskills"
term_keys d C-u 7.5 F2
term_check "form: saved once right, the new referral opens" d "Referral [0-9]+ +case CYP-2002 +new"

# ---- a change under the user's eyes: refused, not overwritten ----
term_keys d s
term_check "send: the confirmation says who is approached" d "Next: Beta Support \(rank 1 of 4\) is approached now"
"$BIN" --db "$DB" --as tina --now 2026-11-23T10:01 referral edit 3 --note "phoned the family" >/dev/null 2>&1
term_keys d y
term_check "conflict: refused with what changed" d "Not saved: referral 3 changed after you looked at it"
term_check "conflict: the screen shows the referral as it is now" d "Note: phoned the family"
term_check "conflict: nothing was sent" d "Referral 3 +case CYP-2002 +new"

term_keys d q c
term_check "form: c opens the new-referral form" d "New referral, approved by the resource panel"
term_keys d Escape
term_check "form: c, Esc at once on an untouched form: closed without asking" d "CASE +LOT +AREA"
term_keys d c x
term_check "form: typed, dirty" d "changed, not saved"
term_keys d Escape
term_check "form: Esc asks before discarding" d "Discard the form"
term_keys d y
term_check "form: discarded after yes" d "CASE +LOT +AREA"

# ---- resize ----
term_resize d 60 20
term_check "resize to 60x20: asks for 80x24" d "Make the terminal at least 80x24"
term_resize d 100 30
term_check "resize back to 100x30: the screen returns" d "CASE +LOT +AREA"
term_check "resize back: the rows return" d "CYP-1002"

# ---- a change by another process ----
"$BIN" --db "$DB" --as alice --now 2026-11-23T10:05 referral withdraw 2 --reason "family moved away" >/dev/null 2>&1
term_check_gone "another process withdrew CYP-1002: it leaves the queue" d "CYP-1002"
"$BIN" --db "$DB" --as alice --now 2026-11-23T10:06 referral respond 1 accept --provider "Acme Care" --start 2026-12-01 >/dev/null 2>&1
term_check "another process recorded an acceptance: the queue shows it" d "CYP-1001 .*sourced"

# ---- the command line inside ----
term_keys d :; sleep 0.2; term_keys d "referral show 1" Enter
term_check "':' runs a command and shows its output" d "candidates:"
term_check "':' shows the exit status" d "exit status 0"
term_keys d q
term_stop d

# ---- 80x24 in the C locale on a vt100 ----
term_start v 80 24 TERM=vt100 LANG=C LC_ALL=C -- "${ALICE[@]}" --now 2026-11-23T11:00
term_check "80x24, C locale, vt100: every column" v "RAG CASE +LOT HOURS WHY IT NEEDS YOU +PROVIDER +ANSWER DUE +TIME LEFT"
term_check "80x24: every tab fits, by its short name" v "^ 1 Mine 2 Waiting 3 Approvals 4 Providers 5 Reports 6 Audit 7 Inbox 8 Chase"
term_check "80x24: ...and who is working goes to the line below" v "Alice Hughes|alice"
term_stop v

# ---- every terminal the workstation promises, with and without colour ----
for term in xterm-256color tmux-256color screen linux vt100; do
	term_start "t-$term" 100 30 TERM=$term NO_COLOR= -- "${ALICE[@]}" --now 2026-11-23T11:00
	every_open "t-$term"
	term_check "TERM=$term: the frame, the queue and the keys line" "t-$term" "1 My referrals"
	term_check "TERM=$term: the queue shows its referrals" "t-$term" "CYP-1001"
	pid=$(term_pid "t-$term")
	seen=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | sed -n 's/^TERM=//p')
	is "TERM=$term: the program runs under that TERM" "$term" "$seen"
	term_keys "t-$term" 2
	term_check "TERM=$term: the tabs switch" "t-$term" "Waiting list"
	term_stop "t-$term"
	if term_alive "t-$term"; then fail "TERM=$term: q quits" "no session" "the session still there"
	else pass "TERM=$term: q quits"; fi
done

finish
