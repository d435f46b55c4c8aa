#!/usr/bin/env bash
# Answers by mail (issue 17, "In"), from the outside: mail-in of replies as
# real clients write them (tests/mail/), on standard input and from a
# Maildir; proposed answers and triage with the reason; inbox confirm as
# referral respond, reject and match; import responses all or nothing;
# hostile messages (too big, control characters) kept harmless; every
# refusal changes nothing.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0="--now 2026-11-19T10:00"
NOW="--now 2026-11-20T11:00"
MAIL=$ROOT/tests/mail
SECRET=$(printf '%064d' 7)

# The reply token of an offer, as core/mail_token.c makes it under $SECRET.
token() {
	python3 - "$SECRET" "$1" <<'EOF'
import hashlib, sys
key = bytes.fromhex(sys.argv[1]); oid = int(sys.argv[2])
h = hashlib.blake2b(b"offer:%d" % oid, digest_size=16, key=key).digest()
b32 = "abcdefghijklmnopqrstuvwxyz234567"; t = ""
for i in range(12):
    bit = i * 5; byte = bit // 8; shift = bit % 8
    t += b32[(((h[byte] << 8) | h[byte + 1]) >> (11 - shift)) & 31]
print("BRK-%d-%s" % (oid, t))
EOF
}

# message FILE OFFER > OUT: a corpus message with the offer's token in it
message() { sed "s/@TOKEN@/$(token "$2")/g" "$MAIL/$1"; }

# open_offer REFERRAL: the id of its open offer
open_offer() { sql "$DB" "SELECT id FROM offer WHERE referral_id = $1 AND status IN ('sent','info_requested')"; }

run --db "$DB" init --test-mode --as admin $T0
for who in "tess Tess team_leader" "olive Olive officer" "mailer Mail officer"; do
	set -- $who
	b --as admin $T0 staff add "$1" --name "$2" --role "$3"
done
# every sender of the corpus is one of each provider's addresses, but for strangers@
ADDR=referrals@acorn.example,orchard.family.care@gmail.com,hello@willowtree.example,bookings@primrose.example
ADDR=$ADDR,duty@kingfisher.example,team@hawthorn.example
for p in Alpha Beta Gamma; do b --as tess $T0 provider add "$p Care" --ages 0-25 --email "$ADDR"; done
b --as tess $T0 rank set --lot 1 --district North "Alpha Care" "Beta Care" "Gamma Care"
# the addresses the corpus's replies come from: each provider writes from any of them here
SENDERS=referrals@acorn.example,orchard.family.care@gmail.com,hello@willowtree.example,bookings@primrose.example,duty@kingfisher.example
for p in Alpha Beta Gamma; do b --as tess $T0 provider set "$p Care" --email "$SENDERS"; done
sql "$DB" "INSERT INTO meta(key, value) VALUES ('mail_token_secret', '$SECRET')"

newref() { # CASE: a sent referral, its id in $ID
	b --as olive $T0 referral new --case "$1" --lot 1 --district North --hours 10 --age 20
	ID=$OUT
	b --as olive $T0 referral send "$ID"
	[ "$RC" = 0 ] || fail "send $1" "exit 0" "exit $RC: $ERR"
}
M="--as mailer $NOW"

# ---- a proposed acceptance, confirmed ----
newref C-1
R1=$ID O1=$(open_offer "$R1")
message gmail_reply.eml "$O1" >"$WORK/m1"
b $M mail-in <"$WORK/m1"
rc_is "mail-in of a Gmail acceptance" 0
has "it is proposed, for an officer" "$OUT" "a proposed answer to offer $O1 (accept from"
b $M mail-in <"$WORK/m1"
rc_is "the same message again" 0
has "the same Message-ID is recorded once" "$OUT" "already received"
b --as olive $NOW --json inbox
json_is "one item" "$OUT" 'len(d)' 1
json_is "its kind" "$OUT" 'd[0]["kind"]' proposed
json_is "its offer" "$OUT" 'd[0]["offer"]' "$O1"
json_is "its provider" "$OUT" 'd[0]["provider"]' "Alpha Care"
json_is "its verb" "$OUT" 'd[0]["verb"]' accept
json_is "received when the council's server had it (top-most Received)" "$OUT" 'd[0]["received_at"]' \
	2026-11-20T10:15:00Z
json_is "no reason for a proposed answer" "$OUT" 'd[0]["reason"]' null
json_is "the start date read" "$OUT" 'd[0]["start"]' 2026-12-01
N1=$(jq_ "$OUT" 'd[0]["id"]')
b --as olive $NOW referral show "$R1" --json
json_is "nothing applied by mail alone" "$OUT" 'd["offers"][0]["status"]' sent
b --as tess $NOW inbox confirm "$N1"
rc_is "a team leader confirms" 0
has "it says what respond did" "$OUT" "Alpha Care accepted"
b --as olive $NOW --json referral show "$R1"
json_is "the referral is sourced" "$OUT" 'd["status"]' sourced
json_is "the acceptance's start" "$OUT" 'd["offers"][0]["start_date"]' 2026-12-01
json_is "answered when the council's server received it, not when confirmed" "$OUT" \
	'd["offers"][0]["answered_at"]' 2026-11-20T10:15:00Z
json_is "recorded when confirmed" "$OUT" 'd["offers"][0]["recorded_at"]' 2026-11-20T11:00:00Z
json_is "by email" "$OUT" 'd["offers"][0]["via"]' email
before=$(snapshot)
b --as olive $NOW inbox confirm "$N1"
refused "confirmed once only" 1 "confirmed already"
unchanged "a refused confirmation changes nothing" "$before"
b --as olive $NOW --json inbox
json_is "the open inbox is empty" "$OUT" 'len(d)' 0
b --as olive $NOW --json inbox --all
json_is "--all shows decided items" "$OUT" 'd[0]["state"]' confirmed
b --as admin $NOW audit log --json
has "confirming is audited" "$OUT" "inbox.confirm"
has "receiving is audited" "$OUT" "inbox.receive"

# ---- a proposed decline moves the cascade on ----
newref C-2
R2=$ID O2=$(open_offer "$R2")
message outlook_toppost.eml "$O2" >"$WORK/in"
b $M --json mail-in <"$WORK/in"
json_is "an Outlook top-posted decline" "$OUT" 'd["messages"][0]["kind"]' proposed
N2=$(jq_ "$OUT" 'd["messages"][0]["id"]')
b --as olive $NOW --json inbox
json_is "read as decline, code capacity" "$OUT" '[x["code"] for x in d if x["id"] == '"$N2"'][0]' capacity
b --as olive $NOW inbox confirm "$N2"
rc_is "confirm the decline" 0
has "the next provider is approached" "$OUT" "Beta Care"
b --as olive $NOW --json referral show "$R2"
json_is "the decline's code is the policy's, from the mail" "$OUT" 'd["offers"][0]["decline_code"]' capacity
json_is "its words" "$OUT" 'd["offers"][0]["reason"]' "No carers free in that district until January"

# ---- triage, each with its reason ----
O2B=$(open_offer "$R2")
b $M mail-in <"$MAIL/no_token.eml"
has "no token: triage" "$OUT" "no reply token"
NT=$(sql "$DB" "SELECT id FROM inbox WHERE message_id = 'notoken-1@acorn.example'")
sed "s/@TOKEN@/BRK-$O2B-aaaaaaaaaaaa/" "$MAIL/mixed_natural.eml" >"$WORK/in"
b $M mail-in <"$WORK/in"
has "a wrong tag: triage" "$OUT" "tag is wrong"
message apple_mail.eml "$O2B" | sed 's/hello@willowtree.example/stranger@elsewhere.example/; s/Message-Id: <8F7E/Message-Id: <S-8F7E/' >"$WORK/in"
b $M mail-in <"$WORK/in"
has "a sender not on the provider: triage" "$OUT" "the sender stranger@elsewhere.example is not one of Beta Care's addresses"
message mixed_natural.eml "$O2B" | sed 's/mixed-1@/mixed-2@/' >"$WORK/in"
b $M mail-in <"$WORK/in"
has "a mixed plain answer: triage" "$OUT" "not ACCEPT, DECLINE or INFO"
message quote_only.eml "$O2B" >"$WORK/in"
b $M mail-in <"$WORK/in"
has "only the quote: triage" "$OUT" "no text of its own"
message no_text.eml "$O2B" >"$WORK/in"
b $M mail-in <"$WORK/in"
has "no text: unreadable" "$OUT" "unreadable"
message thunderbird.eml "$O1" >"$WORK/in"
b $M mail-in <"$WORK/in"
has "an answer to a closed offer: triage, how late" "$OUT" "no longer open (accepted)"
b --as olive $NOW --json inbox
json_is "triage items listed after proposed ones, with reasons" "$OUT" \
	'all(x["reason"] for x in d if x["kind"] == "triage")' true
json_is "seven in triage" "$OUT" 'sum(1 for x in d if x["kind"] == "triage")' 7

# ---- match by hand, reject ----
b --as olive $NOW inbox match "$NT" --offer "$O2B"
rc_is "match the tokenless reply to Beta's offer" 0
has "its text read again: proposed" "$OUT" "now answers offer $O2B: accept"
before=$(snapshot)
b --as olive $NOW inbox match "$NT" --offer "$O1"
refused "match to a closed offer is refused" 1 "no longer open"
unchanged "nothing changed" "$before"
b --as olive $NOW inbox reject "$NT"
rc_is "reject needs a reason" 2
b --as olive $NOW inbox reject "$NT" --reason "phoned: they meant another package"
rc_is "reject with a reason" 0
b --as olive $NOW inbox confirm "$NT"
refused "a rejected item is not confirmed" 1 "rejected already"
b --as olive $NOW inbox confirm 9999
refused "no such item" 1 "no inbox item 9999"
b --as olive $NOW inbox bogus
rc_is "an unknown word after inbox" 2

# ---- hostile: control characters never reach the terminal; too big ----
message control_chars.eml "$O2B" >"$WORK/in"
b $M mail-in <"$WORK/in"
NC=$(sql "$DB" "SELECT id FROM inbox WHERE message_id = 'ctl-1@acorn.example'")
b --as olive $NOW inbox show "$NC"
rc_is "inbox show" 0
lacks "no escape reaches the terminal" "$OUT" $'\e'
lacks "no bell" "$OUT" $'\a'
lacks "no bidi override" "$OUT" $'\u202e'
has "the message text is shown" "$OUT" "| INFO what is"
{ printf 'From: x@y.example\nSubject: big\n\n'; head -c 5000000 /dev/zero | tr '\0' 'a'; } >"$WORK/in"
b $M mail-in <"$WORK/in"
rc_is "a message over the limit is read and refused" 0
has "it says so" "$OUT" "too big to read"

# ---- a Maildir ----
MD=$WORK/Maildir
mkdir -p "$MD/new" "$MD/cur" "$MD/tmp"
newref C-3
O3=$(open_offer "$ID")
message apple_mail.eml "$O3" >"$MD/new/1.apple"
message html_only.eml "$O3" >"$MD/new/2.html"
b $M --json mail-in --maildir "$MD"
rc_is "mail-in --maildir" 0
json_is "two messages" "$OUT" 'len(d["messages"])' 2
json_is "both proposed" "$OUT" 'd["proposed"]' 2
is "new/ is empty" "$(ls "$MD/new" | wc -l)" 0
is "both moved to cur/" "$(ls "$MD/cur" | tr '\n' ' ')" "1.apple:2, 2.html:2, "
b $M mail-in --maildir "$MD"
has "a second run finds nothing" "$OUT" "0 proposed answers, 0 for triage"
b $M mail-in --maildir "$WORK/nowhere"
rc_is "not a Maildir" 2

# ---- import responses ----
newref C-4
O4=$(open_offer "$ID")
newref C-5
O5=$(open_offer "$ID")
printf 'offer,verb,time,code,start,words\n%s,decline,2026-11-20T09:30,area,,not our patch\n%s,info,,,,Is there a hoist?\n' \
	"$(token "$O4")" "$O5" >"$WORK/answers.csv"
printf 'offer,verb,time,code,start,words\n%s,decline,,busy,,\n%s,accept,2030-01-01T00:00,,,\n%s,maybe,,,,\n' \
	"$O4" "$O5" "$O1" >"$WORK/bad.csv"
before=$(snapshot)
b --as olive $NOW import responses "$WORK/bad.csv"
rc_is "a bad file is refused whole" 1
has "a bad code, by line" "$ERR" "bad.csv:2: code:"
has "a time in the future" "$ERR" "bad.csv:3: time:"
has "a closed offer" "$ERR" "bad.csv:4: offer:"
unchanged "nothing imported" "$before"
b --as olive $NOW import responses "$WORK/answers.csv"
rc_is "a good file" 0
b --as olive $NOW --json inbox
json_is "each row a proposed answer" "$OUT" \
	'sorted(x["verb"] for x in d if x["kind"] == "proposed" and x["offer"] in ('"$O4, $O5"'))' '["decline", "info"]'
NI=$(jq_ "$OUT" '[x["id"] for x in d if x["offer"] == '"$O4"'][0]')
b --as olive $NOW inbox confirm "$NI"
rc_is "confirm an imported decline" 0
b --as olive $NOW --json referral show "$(sql "$DB" "SELECT referral_id FROM offer WHERE id = $O4")"
json_is "dated by the file's time column" "$OUT" 'd["offers"][0]["answered_at"]' 2026-11-20T09:30:00Z
json_is "with the file's code" "$OUT" 'd["offers"][0]["decline_code"]' area

# ---- a reply from an address that is not the provider's: triage ----
newref C-9
R9=$ID O9=$(open_offer "$R9")
message gmail_reply.eml "$O9" | sed 's/orchard.family.care@gmail.com/someone.else@gmail.com/; s/^Message-ID: .*/Message-ID: <stranger-1@gmail.com>/' >"$WORK/m9"
b $M mail-in <"$WORK/m9"
rc_is "mail-in of a reply from a stranger's address" 0
has "kept for triage: the sender is not the provider's" "$OUT" "someone.else@gmail.com is not one of Alpha Care's addresses"
b --as olive $NOW --json referral show "$R9"
json_is "nothing applied" "$OUT" 'd["offers"][0]["status"]' sent

# ---- a subject access request answers with the mail about the case too ----
b --as tess $NOW subject-access C-1 --out "$WORK/sar"
rc_is "subject access for C-1" 0
sar=$(cat "$WORK/sar/subject.json" 2>/dev/null)
json_is "the replies received about it, with their text" "$sar" \
	'",".join(sorted(m["from"] for m in d["referrals"][0]["mail_received"] if m["message"]))' \
	duty@kingfisher.example,orchard.family.care@gmail.com
json_is "...the acceptance as it was written" "$sar" \
	'[m["verb"] for m in d["referrals"][0]["mail_received"] if "accept 2026-12-01" in m["message"]][0]' accept
json_is "no mail was sent (mail is off here)" "$sar" 'len(d["referrals"][0]["mail_sent"])' 0

# ---- erasure: a withdrawn referral's answers lose their text with it ----
b --as olive $NOW referral withdraw "$R2" --reason "family arranged care"
rc_is "withdraw referral 2" 0
is "its answers keep their text until then" \
	"$(sql "$DB" "SELECT count(*) FROM inbox i JOIN offer o ON o.id = i.offer_id WHERE o.referral_id = $R2 AND i.body IS NOT NULL")" 6
b --as admin --now 2036-01-02T09:00 retention purge
rc_is "retention purge" 0
is "the answers about an erased referral keep no text" \
	"$(sql "$DB" "SELECT count(*) FROM inbox i JOIN offer o ON o.id = i.offer_id WHERE o.referral_id = $R2 AND (i.body IS NOT NULL OR i.subject IS NOT NULL OR i.words IS NOT NULL)")" 0
is "nor do their audit payloads" \
	"$(sql "$DB" "SELECT count(*) FROM event e JOIN event_payload p ON p.seq = e.seq WHERE e.entity = 'inbox' AND e.referral_id = $R2")" 0

b --as admin --now 2036-01-02T09:00 check --deep
rc_is "the database checks deep" 0
finish
