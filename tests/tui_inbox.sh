#!/usr/bin/env bash
# The Inbox screen (issue 17), seen from outside: answers that came in by
# mail, proposed first; the message shown sanitised (no escape of a hostile
# message reaches the terminal); y confirms with a confirmation saying what
# respond will do, then records it; x sets an item aside with a reason; at
# 80x24 and 200x60, LANG=C and C.UTF-8.
set -u
. "${BROKERAGE_SOURCE_ROOT:?}/tests/lib.sh"
. "$ROOT/tests/term.sh"

cli() { term_cli "$@" >"$WORK/cli.out"; } # AS NOW ARGS...
term_init
T0=2026-11-19T10:00
NOW=2026-11-20T11:00
cli "$ME" $T0 staff add alice --name "Alice Hughes" --role officer
cli "$ME" $T0 staff add tina --name "Tina Walsh" --role team_leader
for p in "Acme Care" "Beta Support"; do
	cli tina $T0 provider add "$p" --ages 0-18 --email orchard.family.care@gmail.com,referrals@acorn.example
done
cli tina $T0 rank set --lot 1 --district North "Acme Care" "Beta Support"
cli alice $T0 referral new --case CYP-1001 --lot 1 --district North --hours 10 --age 12
cli alice $T0 referral send 1
SECRET=$(printf '%064d' 7)
sqlite3 "$DB" "INSERT INTO meta(key, value) VALUES ('mail_token_secret', '$SECRET')"
O=$(sqlite3 "$DB" "SELECT id FROM offer WHERE status = 'sent'")
TOKEN=$(python3 - "$SECRET" "$O" <<'EOF'
import hashlib, sys
key = bytes.fromhex(sys.argv[1]); oid = int(sys.argv[2])
h = hashlib.blake2b(b"offer:%d" % oid, digest_size=16, key=key).digest()
b32 = "abcdefghijklmnopqrstuvwxyz234567"; t = ""
for i in range(12):
    bit = i * 5; byte = bit // 8; shift = bit % 8
    t += b32[(((h[byte] << 8) | h[byte + 1]) >> (11 - shift)) & 31]
print("BRK-%d-%s" % (oid, t))
EOF
)
# a hostile triage item (escapes, a bidi override; no token) and a proposed acceptance
sed "s/\[@TOKEN@\]//" "$ROOT/tests/mail/control_chars.eml" >"$WORK/m1"
cli alice $NOW mail-in <"$WORK/m1"
sed "s/@TOKEN@/$TOKEN/g" "$ROOT/tests/mail/gmail_reply.eml" >"$WORK/m2"
cli alice $NOW mail-in <"$WORK/m2"

start() { # NAME COLS ROWS [VAR=VALUE...]
	local name=$1 cols=$2 rows=$3
	shift 3
	term_start "$name" "$cols" "$rows" "$@" -- --db "$DB" --as alice --now "$NOW"
	term_wait "$name" "q quit" || true
	term_keys "$name" 7
	term_wait "$name" "Inbox: " || true
}

no_escape() { # DESC NAME: nothing of the hostile message acts on the terminal
	if term_screen "$2" | grep -q $'\e\|\u202e\|\a'; then
		fail "$1" "no escape, bell or bidi override" "$(term_screen "$2" | cat -v | head -5)"
	else
		pass "$1"
	fi
}

start s 100 30
term_check "tab 7 is the Inbox, with its counts" s "Inbox: 1 proposed answer to confirm, 1 in triage"
term_check "the proposed answer comes first" s "^ +2 proposed .*Acme Care +accept from"
term_check "triage after it, with the reason" s "^ +1 triage .*no reply token"
term_check "the item under the cursor below, with its message" s "Answer: accept from"
term_check "the keys on the status line" s "y confirm"
term_keys s Down
term_check "the triage item's message, its lines made safe" s "INFO what is"
no_escape "no escape reaches the screen in the pane" s
term_keys s Enter
term_check "Enter shows the whole message" s "The message of inbox item 1"
no_escape "nor on the message's page" s
term_keys s q
term_wait s "Inbox: " || true
term_keys s y
term_check "y on a triage item says what to do instead" s "is in triage"
term_keys s Up y
term_check "y asks first, saying what respond will do" s "Confirm inbox item 2"
term_check "the preview is respond's own words" s "Acme Care accepted"
term_keys s n
term_check "n leaves it" s "Nothing confirmed"
term_keys s y
term_wait s "Confirm inbox item 2" || true
term_keys s y
term_check "yes records it" s "confirmed inbox item 2"
term_check "the counts follow" s "Inbox: 0 proposed answers to confirm, 1 in triage"
term_keys s x
term_wait s "Why" || true
term_type s "not about any of our packages"
term_keys s Enter
term_check "x sets it aside" s "rejected inbox item 1"
term_check "the inbox is empty" s "No answer is waiting"
term_keys s h
term_check "h shows the decided ones" s "confirmed"
term_stop s
json=$("$BIN" --db "$DB" --as alice --now "$NOW" --json referral show 1)
json_is "the referral is sourced by the confirmed answer" "$json" 'd["status"]' sourced

for size in "80 24" "200 60"; do
	set -- $size
	for lang in C.UTF-8 C; do
		n=z$1$lang
		n=${n//./}
		start "$n" "$1" "$2" LANG=$lang LC_ALL=$lang
		term_keys "$n" h
		term_check "$1x$2 $lang: the decided items list" "$n" "confirmed|rejected"
		no_escape "$1x$2 $lang: no escape" "$n"
		term_stop "$n"
	done
done
finish
