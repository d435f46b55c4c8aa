#!/usr/bin/env bash
# Issue 17 in the workstation: the decline dialog offers the council's
# decline codes as a pick list, the referral shows how an answer came and
# its code, and H records a hand-back with who is approached next. At
# 100x30 and 80x24, in C.UTF-8 and C. Driven through tests/term.sh.
set -u
export TZ=Europe/London
. "$BROKERAGE_SOURCE_ROOT/tests/lib.sh"
. "$ROOT/tests/term.sh"

cli() { term_cli olive "$1" "${@:2}" >/dev/null; } # NOW ARGS...: as olive (a later --as wins)
term_init
T0=2026-11-16T09:00
cli $T0 --as "$ME" staff add olive --name "Olive Officer" --role officer
cli $T0 --as "$ME" staff add tess --name "Tess Leader" --role team_leader
for p in "Alpha Care" "Beta Care" "Gamma Care"; do
	cli $T0 --as tess provider add "$p" --ages 0-25
done
cli $T0 --as tess rank set --lot 1 --district North "Alpha Care" "Beta Care" "Gamma Care"
# C-1 with Alpha (due Wed 25 Nov 17:00); C-2 sourced with Alpha
cli 2026-11-20T10:00 referral new --case C-1 --lot 1 --district North --hours 10
cli 2026-11-20T10:00 referral send 1
cli 2026-11-20T10:00 referral new --case C-2 --lot 1 --district North --hours 5
cli 2026-11-20T10:00 referral send 2
cli 2026-11-20T11:00 referral respond 2 --provider "Alpha Care" accept

OLIVE=(--db "$DB" --as olive --now 2026-11-23T10:00)
every_open() { # NAME: every open referral, sourced too
	term_wait "$1" "Mine: " || true
	term_keys "$1" f Enter j j j Enter
	term_wait "$1" "Mine: [0-9]+ open" || true
}
find_case() { # NAME CASE: the cursor on that case
	term_keys "$1" /
	sleep 0.2
	term_type "$1" "$2"
	term_keys "$1" Enter
	sleep 0.2
}

# ---- a decline with its code, 100x30 ----
term_start d 100 30 -- "${OLIVE[@]}"
every_open d
term_wait d "C-1"
find_case d C-1
term_keys d r
term_check "r: the answers" d "declined \(with its code and the reason\)"
term_keys d d
term_keys d Enter
term_check "answer: asks when it reached the council (not when it is typed)" d "When did the answer reach the council\?"
term_type d "2026-11-23T11:00"
term_keys d Enter
term_wait d "How did the answer come"
term_keys d Enter
term_wait d "Why did the provider decline"
term_keys d Enter
term_wait d "The provider's words"
term_keys d Enter
term_check "answer: a time still to come is refused before the confirmation, in core's words" d "Refused: the answer cannot have reached the council at Mon 23 Nov 2026 11:00"
term_check_gone "answer: ...and nothing is asked to confirm" d "Record a decline"
term_keys d r
term_keys d d
term_keys d Enter
term_wait d "When did the answer reach the council"
term_type d "2026-11-23T09:30"
term_keys d Enter
term_check "answer: asks how it came" d "How did the answer come\?"
term_keys d e
term_keys d Enter
term_check "decline: the policy's codes as a pick list" d "Why did the provider decline\?"
term_check "decline: each code with its label" d "information: information missing"
term_check "decline: other alone when its label says no more" d "^ +x +other +x"
term_keys d a
term_keys d Enter
term_check "decline: a code's words are optional" d "The provider's words \(optional; empty if none\):"
term_keys d Enter
term_check "decline: the confirmation names the code's label" d "Record that Alpha Care declined referral 1 \(case C-1\): outside the area"
term_check "decline: ...when and how it came" d "Mon 23 Nov 2026 09:30 by email\?"
term_check "decline: ... and who is approached next" d "Next: Beta Care \(rank 2 of 3\) is approached now"
term_keys d y
term_check "decline: done, in words" d "Alpha Care declined; approached Beta Care"
code=$("$BIN" --db "$DB" --as olive --now 2026-11-23T10:01 --json referral show 1 2>/dev/null |
	jq_ "$(cat)" 'd["offers"][0]["decline_code"]')
is "decline: recorded with the code" "area" "$code"
got=$("$BIN" --db "$DB" --as olive --now 2026-11-23T10:01 --json referral show 1 2>/dev/null |
	jq_ "$(cat)" 'd["offers"][0]["via"] + " " + d["offers"][0]["answered_at"]')
is "decline: recorded as it came, by email at 09:30 (not when typed)" "email 2026-11-23T09:30:00Z" "$got"
term_keys d Enter
term_check "detail: the answer with its code's label" d "answered Mon 23 Nov 2026 09:30 \(by email; outside the area\)|answered Mon 23 Nov 2026 09:30 \(outside the area\)"
term_keys d q
term_stop d

# ---- a hand-back, 80x24 in the C locale ----
term_start h 80 24 LANG=C LC_ALL=C -- "${OLIVE[@]}"
every_open h
term_wait h "C-2"
find_case h C-2
term_keys h H
term_check "H: asks why the provider hands the package back" h "Alpha Care hands the package back"
term_type h "carer left"
term_keys h Enter
term_check "H: the confirmation names the provider and the case" h "Record that Alpha Care handed back referral 2"
term_check "H: ... and who is approached next" h "Next: Beta Care \(rank 2 of 3\) is approached"
term_keys h y
term_check "H: done, in words" h "Alpha Care handed back referral 2 on Mon 23 Nov 2026"
st=$("$BIN" --db "$DB" --as olive --now 2026-11-23T10:01 --json referral show 2 2>/dev/null |
	jq_ "$(cat)" '[d["status"], d["offers"][0]["handed_back_on"]]')
is "H: the referral searches again, the day kept" '["searching", "2026-11-23"]' "$st"
term_keys h Enter
term_check "detail: Alpha no longer a candidate" h "Alpha Care +no +accepted +handed this package"
term_keys h PgDn
term_check "detail: the offer says it was handed back" h "handed the package back Mon 23 Nov 2026: carer"
term_keys h q
# H on a referral not sourced says so and changes nothing
find_case h C-1
term_keys h H
term_check "H on a referral not sourced: said, nothing asked" h "not sourced .*no package to hand back"
term_stop h

# ---- information supplied (i), 100x30: the deadline core moves it to ----
# C-3 with Alpha, which asked a question on Mon 23 Nov; i on Wed 25 Nov
cli 2026-11-23T10:30 referral new --case C-3 --lot 1 --district North --hours 7
cli 2026-11-23T10:30 referral send 3
cli 2026-11-23T12:00 referral respond 3 --provider "Alpha Care" info --question "Which days?"
cp "$DB" "$WORK/copy.db"
moved=$("$BIN" --db "$WORK/copy.db" --as olive --now 2026-11-25T10:00 referral info-supplied 3 \
	--provider "Alpha Care" 2>&1 | sed -n 's/.*its deadline is now \(.*[0-9]:[0-9][0-9]\).*/\1/p')
is "i: the command says where the deadline moves" 1 "$(printf '%s\n' "$moved" | grep -c 'Nov 2026 17:00')"
term_start i 100 30 -- --db "$DB" --as olive --now 2026-11-25T10:00
every_open i
term_wait i "C-3"
find_case i C-3
# the candidates: the offer's words end before the reasons begin, at 100 and 80 columns
for size in "100 30" "80 24"; do
	term_resize i $size
	term_keys i Enter
	term_wait i "information requested" || true
	head_at=$(term_line i "RANK +PROVIDER" | awk '{print index($0, "REASONS")}')
	offer_end=$(term_line i "information requested" | awk '{i = index($0, "information requested"); print i ? i + 21 : 0}')
	if [ "${head_at:-0}" -gt "${offer_end:-0}" ] && [ "${offer_end:-0}" -gt 0 ]; then
		pass "detail at ${size% *} columns: the candidates' OFFER column holds \"information requested\" whole"
	else
		fail "detail at ${size% *} columns: the candidates' OFFER column holds \"information requested\" whole" \
			"REASONS after column $offer_end" "REASONS at column $head_at"
		term_show i
	fi
	term_keys i q
done
term_resize i 100 30
term_keys i i
term_check "i: the confirmation names the provider" i "Record that Alpha Care now has the information it asked for\?"
term_check "i: ... and the deadline core moves it to" i "its deadline moves to $moved\."
term_keys i y
term_check "i: done, in core's words" i "information supplied to Alpha Care; its deadline is now $moved"
find_case i C-3
term_keys i i
term_check "i again: nobody is waiting, said" i "No provider is waiting for information on referral 3"
term_stop i

finish
