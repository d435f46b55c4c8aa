#!/usr/bin/env bash
# The Chase screen (issue 17), seen from outside: an offer whose answer is
# due today, a message that was not delivered (with why; stopped after 5
# failures, then R queues it again and it goes), and a provider's request
# for information waiting on the council; Enter opens the referral; at
# 100x30, 80x24 and 200x60, LANG=C and C.UTF-8.
set -u
. "${BROKERAGE_SOURCE_ROOT:?}/tests/lib.sh"
. "$ROOT/tests/term.sh"

cli() { term_cli "$@" >"$WORK/cli.out"; } # AS NOW ARGS...
# the mail command: first one that fails, then one that keeps what it is given
cat >"$WORK/fail.sh" <<'SH'
#!/bin/sh
echo "relay refused: 550 no such domain" >&2
exit 75
SH
cat >"$WORK/keep.sh" <<SH
#!/bin/sh
cat >"$WORK/sent.\$\$"
SH
chmod +x "$WORK/fail.sh" "$WORK/keep.sh"
printf 'mail_command = "%s";\n' "$WORK/fail.sh" >"$WORK/fail.conf"
printf 'mail_command = "%s";\n' "$WORK/keep.sh" >"$WORK/keep.conf"
export BROKERAGE_CONFIG=$WORK/fail.conf
cat >"$WORK/policy.conf" <<'POL'
mail_enabled = true;
mail_from = "brokerage@council.example.gov.uk";
POL
term_init --policy "$WORK/policy.conf"
T0=2026-11-16T09:00
NOW=2026-11-19T10:00
cli "$ME" $T0 staff add alice --name "Alice Hughes" --role officer
cli "$ME" $T0 staff add tina --name "Tina Walsh" --role team_leader
cli tina $T0 provider add "Acme Care" --ages 0-18
cli tina $T0 provider add "Beta Support" --ages 0-18 --email "offers@beta.example.org"
cli tina $T0 provider add "Côte Care" --ages 0-18
cli tina $T0 rank set --lot 1 --district North "Acme Care"
cli tina $T0 rank set --lot 1 --district South "Beta Support"
cli tina $T0 rank set --lot 3 --district East "Côte Care"
# due today: sent Monday, answer due Thursday 17:00 (by phone: Acme has no address)
cli alice $T0 referral new --case CYP-2001 --lot 1 --district North --hours 10 --age 12
cli alice $T0 referral send 1
# not delivered: Beta's offer by mail fails five times and stops
cli alice $T0 referral new --case CYP-2002 --lot 3 --district East --hours 6 --age 9
cli alice $T0 referral send 2
cli alice $T0 referral respond 2 --provider "Côte Care" info --question "Does the child use a wheelchair?"
cli alice 2026-11-18T09:00 referral new --case CYP-2003 --lot 1 --district South --hours 4 --age 10
cli alice 2026-11-18T09:00 referral send 3
for t in 09:06 09:20 09:40 10:30; do cli alice 2026-11-18T$t mail flush; done

start() { # NAME COLS ROWS [VAR=VALUE...]
	local name=$1 cols=$2 rows=$3
	shift 3
	term_start "$name" "$cols" "$rows" BROKERAGE_CONFIG="$WORK/keep.conf" "$@" -- \
		--db "$DB" --as alice --now "$NOW"
	term_wait "$name" "q quit" || true
	term_keys "$name" 8
	term_wait "$name" "Chase: " || true
}

start s 100 30
term_check "tab 8 is Chase, with its counts" s "Chase: 1 due today, 1 not delivered \(1 stopped\), 1 asking"
term_check "an answer due today, first" s "^ +due today +1 CYP-2001 +Acme Care .*answer due by Thu 19 Nov 2026 17:00"
term_check "the message not delivered" s "not delivered +3 CYP-2003 +Beta Support +offer: not delivered: fail.sh"
term_check "the request for information waiting on the council" s "information asked +2 CYP-2002 +C.te Care"
term_check "the keys on the status line" s "R retry"
term_keys s Down
term_check "the row under the cursor in full below, with why" s "relay refused: 550 no such domain"
term_check "... and that it stopped" s "stopped after 5 attempts"
term_keys s Enter
term_check "Enter on it opens the referral, whose page says what became of its mail" s "Mail to providers"
term_check "... the stopped offer in words, with why" s "offer to Beta Support: not delivered: .*fail.sh"
term_keys s q
term_wait s "Chase: " || true
term_keys s R
term_check "R queues it again and it goes" s "message [0-9]+ queued again"
term_check "... it leaves the list" s "Chase: 1 due today, 0 not delivered \(0 stopped\), 1 asking"
is "... and the mail command had it" 1 "$(ls "$WORK"/sent.* 2>/dev/null | wc -l)"
term_keys s Enter
term_check "Enter opens the referral of the row" s "Referral [12] .*case CYP-200[12]|CYP-200[12].*(candidates|Candidates|offers|Offers)"
term_show s
term_keys s q
term_wait s "Chase: " || true
term_stop s

for size in "80 24" "200 60"; do
	set -- $size
	start z "$1" "$2"
	term_check "at $1x$2 the list shows" z "CYP-2001"
	term_show z
	term_stop z
done
start c 100 30 LANG=C LC_ALL=C
term_check "LANG=C: the list shows" c "CYP-2002"
term_show c
term_stop c

finish
