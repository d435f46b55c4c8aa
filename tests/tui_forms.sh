#!/usr/bin/env bash
# Forms, dialogs, the referral's page and plain words, seen from outside
# (issue 16): the traps removed (n, ? in a form, a stray Space on a yes/no,
# "Saved." with nothing changed, s where it does nothing), the spot request
# choosing from the providers that may be used and checking before it
# asks, pick lists that jump to a letter, the last message in full, the
# role in words and audit events in sentences. The real program in tmux,
# on the one harness (tests/term.sh), on a seeded demo database.
set -u
. "$BROKERAGE_SOURCE_ROOT/tests/lib.sh"
. "$ROOT/tests/term.sh"
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "sqlite3 is not installed: skipped"
	exit 77
fi

NOW=2026-11-20T09:00
run --db "$DB" --now "$NOW" demo --referrals 2000 --seed 3
rc_is "the demo database is made" 0
q() { sqlite3 "$DB" "$1"; }
held_by_alice="holder_id = (SELECT id FROM staff WHERE login = 'alice')"
exhausted=$(q "SELECT case_ref FROM referral WHERE $held_by_alice AND status = 'exhausted' AND NOT urgent ORDER BY id LIMIT 1")
searching=$(q "SELECT r.case_ref FROM referral r WHERE $held_by_alice AND r.status = 'searching'
	AND EXISTS (SELECT 1 FROM offer o WHERE o.referral_id = r.id AND o.status = 'sent') ORDER BY r.id LIMIT 1")
sourced=$(q "SELECT case_ref FROM referral WHERE $held_by_alice AND status = 'sourced' ORDER BY id LIMIT 1")
# more providers that may be used than a choice once held (33): every one is offered on the spot form
for i in $(seq 10 49); do
	run --db "$DB" --as tina --now "$NOW" provider add "Spot Agency $i" --off-framework --rate 30 --cqc "1-10000000$i" \
		--ages 0-99 --capacity North=100 --capacity South=100 --capacity East=100 --capacity West=100
done
rc_is "forty more off-framework providers" 0
# one not yet sent, of alice's own (the demo may hold none)
run --db "$DB" --as alice --now "$NOW" referral new --case CYP-909090 --lot 1 --district North --hours 10
rc_is "a new referral for alice" 0
fresh=CYP-909090
if [ -z "$exhausted" ] || [ -z "$searching" ] || [ -z "$sourced" ]; then
	fail "the demo gives alice an exhausted, a searching and a sourced referral" "three" "'$exhausted' '$searching' '$sourced'"
	finish
fi

as() { # NAME WHO COLS ROWS [VAR=VALUE...]
	local name=$1 who=$2 cols=$3 rows=$4
	shift 4
	term_start "$name" "$cols" "$rows" "$@" -- --db "$DB" --as "$who" --now "$NOW"
	term_wait "$name" '1 (My referrals|Mine)' || term_show "$name"
}

# Put the cursor on a case of My referrals (a search), optionally open it.
find_case() { # NAME CASE
	term_keys "$1" /
	term_wait "$1" 'Search'
	term_type "$1" "$2"
	term_keys "$1" Enter
	term_wait "$1" "Match for '$2'"
}

# ---- the role in words ----
as tl tina 100 30
term_check "the header names the role in words" tl 'Tina Walsh \(team leader\)'
if term_screen tl | grep -q 'team_leader'; then
	fail "no raw role name on screen" "no team_leader" "$(term_line tl team_leader)"
else
	pass "no raw role name on screen"
fi
term_stop tl
as off alice 80 24
term_check "an officer is named in words at 80 columns too" off '(Alice Hughes \(brokerage officer\)|\(brokerage officer\))'
# a field's hint is read whole at 80 columns: wrapped under its field, never cut
term_keys off c
term_wait off 'Case reference'
term_check "80 columns: the age hint whole" off 'years, optional; matched to the ages providers serve$'
term_keys off Tab Tab Tab Tab Tab Tab Tab Tab
term_check "80 columns: a long hint wrapped, its start..." off ' optional; no names or addresses: the case reference is$'
term_check "...and its end on the line under it" off '^ +enough$'
term_keys off Escape
# the help at 80 columns: a key's words wrap under WHAT IT DOES, never cut
term_keys off '?'
term_wait off 'Keys on the screen'
term_check "80 columns: a long help line wrapped, its start..." off '^ +/ +search: case reference or provider in lists, any text in$'
term_check "...and its end under WHAT IT DOES" off '^ {21}pages$'
term_keys off q
term_stop off

# ---- n is next match only ----
as n alice 100 30
term_keys n n
term_check "n before any search says there is nothing to search for" n 'Nothing to search for yet'
term_check_gone "n before any search opens no form" n 'New referral'
term_keys n /
term_wait n Search
term_type n 'CYP-'
term_keys n Enter
term_wait n "Match for 'CYP-'"
first=$(term_line n '^\[|^ +!?CYP-|^   ')
term_keys n n
term_check "n after a search goes to the next match" n "Match for 'CYP-'"
term_keys n Escape
term_keys n n
term_keys n n
sleep 0.3
if term_screen n | grep -q 'New referral'; then
	fail "n after a search never opens the new-referral form" "no form" "a form"
	term_show n
else
	pass "n after a search never opens the new-referral form"
fi
term_stop n

# ---- ? in a form, the yes/no, a form saved with no change ----
as f alice 100 30
term_keys f c
term_wait f 'New referral'
term_type f 'CYP-12?'
term_check "? typed in a text field is a character" f 'Case reference \* +CYP-12\?'
term_check_gone "? typed in a text field opens no help" f 'Help: the keys'
for _ in 1 2 3 4 5 6 7; do term_keys f Tab; done
term_wait f 'Urgent +. no'
term_keys f Space
term_check "a stray Space on a yes/no changes nothing and says what does" f 'Urgent is a yes/no: y or n'
term_check "the yes/no stays no" f 'Urgent +. no .'
term_keys f y
term_check "y makes it yes" f 'Urgent +. yes .'
term_keys f '?'
term_check "? on a yes/no field, where nothing is typed, is the help" f 'Help: the keys of Form'
term_keys f q
term_wait f 'New referral'
term_keys f Escape
term_wait f 'Discard the form'
term_keys f y
term_wait_gone f 'New referral'
find_case f "$exhausted"
term_keys f e
term_wait f 'Edit referral'
# a change typed and taken back again loses nothing: no "Discard the form?"
term_type f x
term_check "typing in the edit form marks it changed" f 'changed, not saved'
term_keys f BSpace
term_check_gone "erased again, the edit form is not changed" f 'changed, not saved'
for _ in 1 2 3 4 5 6 7; do term_keys f Tab; done
term_wait f 'Urgent +. no'
term_keys f y
term_check "a yes/no changed marks it changed" f 'changed, not saved'
term_keys f n
term_check_gone "the yes/no put back, the form is not changed" f 'changed, not saved'
term_keys f Escape
term_check_gone "Esc on a form changed and put back leaves without asking" f 'Edit referral'
term_check_not "and does not ask to discard it" f 'Discard the form'
term_keys f e
term_wait f 'Edit referral'
term_keys f F2
term_check "an edit saved with nothing changed says so" f 'Nothing changed'
if term_screen f | grep -q 'Saved'; then
	fail "an edit saved with nothing changed does not say Saved" "no Saved" "$(term_line f Saved)"
else
	pass "an edit saved with nothing changed does not say Saved"
fi
term_stop f

# ---- the spot request ----
as x alice 100 30
find_case x "$exhausted"
term_keys x x
term_check "the spot form opens on an exhausted referral" x 'Spot purchase for referral'
# Every choice the provider field offers, once round.
usable=$(q "SELECT name FROM provider WHERE NOT framework AND active AND (embargo IS NULL OR embargo = '')")
framework=$(q "SELECT name FROM provider WHERE framework")
count=$(term_line x 'that may be used' | grep -oE '[0-9]+ that may be used' | grep -oE '^[0-9]+')
seen_ok=0 seen_bad=0
for ((i = 0; i < ${count:-0}; i++)); do
	line=$(term_line x 'Provider \*')
	name=$(sed -E 's/.*Provider \* +. (.*), (.[0-9.,]+ an hour|no rate on record).*/\1/' <<<"$line")
	if grep -qxF "$name" <<<"$usable" && grep -qE 'an hour|no rate on record' <<<"$line"; then
		seen_ok=$((seen_ok + 1))
	else
		seen_bad=$((seen_bad + 1))
		echo "    not a usable provider with its rate: $line"
	fi
	if grep -qxF "$name" <<<"$framework"; then seen_bad=$((seen_bad + 1)); fi
	term_keys x Right
	sleep 0.15
done
if [ "${count:-0}" -gt 0 ] && [ "$seen_bad" = 0 ] && [ "$seen_ok" = "$count" ]; then
	pass "the spot form lists only usable off-framework providers, each with its rate ($count)"
else
	fail "the spot form lists only usable off-framework providers, each with its rate" "$count good" "$seen_ok good, $seen_bad bad"
fi
if [ "${count:-0}" -gt 40 ]; then
	pass "the spot form offers every provider that may be used, not the first 33 ($count)"
else
	fail "the spot form offers every provider that may be used" "more than 40" "${count:-none}"
fi
term_keys x Tab
term_type x '0'
term_keys x Tab Tab Tab
term_type x 'no framework provider can take it'
term_keys x F2
term_check "a bad rate is refused on the form" x 'Not requested: hourly rate'
if term_screen x | grep -qE 'yes, do it|Request a spot purchase'; then
	fail "the refusal comes before any confirmation" "no confirmation" "a confirmation"
	term_show x
else
	pass "the refusal comes before any confirmation"
fi
term_stop x

# ---- pick lists jump to a letter ----
as p alice 100 30
find_case p "$searching"
term_keys p r
term_wait p 'Whose answer is it|answered'
if term_screen p | grep -q 'Whose answer is it'; then term_keys p Enter; fi
term_wait p 'accepted \(with a start date\)'
term_keys p d
term_keys p Enter
term_wait p "When did the answer reach the council"
term_keys p Enter
term_wait p "How did the answer come"
term_keys p Enter
term_check "d in the answers list jumps to declined" p "Why did the provider decline"
term_keys p o
term_keys p Enter
term_check "o in the codes jumps to other, whose words are needed" p "reason for declining"
term_keys p Escape
term_stop p

# ---- the last message in full ----
as m alice 80 24
find_case m "$searching"
term_keys m x
term_check "a long message is cut on the bottom line and says how to see it" m 'M: all of it'
term_keys m M
term_check "M shows the last message whole" m '^ *urgent referral$'
term_stop m

# ---- s only where it does something ----
as s alice 100 30
find_case s "$sourced"
term_keys s Enter
term_wait s "case $sourced"
term_check_gone "s is not offered on a sourced referral" s ' s send '
term_keys s '?'
term_wait s 'Keys on the screen'
term_keys s End # the referral's own keys, after those of every screen
term_check "the help of a sourced referral still lists its other keys" s "record a provider's answer"
term_check_gone "nor is s in the help of a sourced referral" s 'send: approach the next'
term_keys s q q
find_case s "$searching"
term_check "s is offered on a list row whose referral the workflow lets be sent" s ' s send '
# its page asks core's preview of the send: with its offer open (one at a
# time, in rank order), a send would approach nobody, so s is not offered
term_keys s Enter
term_wait s "case $searching"
term_check_gone "s is not offered on a referral whose offers are all out" s ' s send '
term_check_gone "x is not offered on a referral still searching the framework" s ' x spot request '
term_keys s q
find_case s "$exhausted"
term_keys s Enter
term_wait s "case $exhausted"
term_check "x is offered on the page of an exhausted referral" s ' x spot request '
term_keys s q
find_case s "$fresh"
term_keys s Enter
term_wait s "case $fresh"
term_check "s is offered on the page of a referral not yet sent" s ' s send '
term_keys s q
term_stop s

# ---- a ranking's save only once it is changed ----
as r tina 100 30
term_keys r 4
term_wait r 'Providers'
term_keys r r
term_wait r 'Which lot|lot'
term_keys r Enter
sleep 0.3
term_keys r Enter
term_wait r 'Rankings|rank'
term_check_gone "a ranking as saved does not offer save" r ' s save '
term_keys r J
term_check "a changed ranking offers save" r ' s save '
term_keys r K
term_stop r

# ---- audit events in sentences ----
as a alice 200 60
find_case a "$searching"
term_keys a Enter
term_wait a 'Audit trail of this referral'
term_keys a G
term_check "the referral's history says what was done in a sentence" a 'sent the referral to [A-Z]'
term_check "a status change is said in words" a 'status changed from new to searching'
raw=$(term_screen a | grep -E 'provider_id|hours_minutes|info_requested|weekly_cost| -> ' || true)
is "no raw field names in the referral's history" "" "$raw"
term_keys a q
term_keys a 6
term_wait a 'Audit'
term_check "the audit view says changes in sentences" a '(status changed from|sent the referral|recorded)'
raw=$(term_screen a | grep -E 'provider_id|hours_minutes|info_requested|sourced_provider_id|weekly_cost' || true)
is "no raw field names on the audit view" "" "$raw"
term_stop a

finish
