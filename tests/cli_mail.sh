#!/usr/bin/env bash
# Offers, chasers and notices out by mail (issue 17, "Out"), through a real
# mail path: the program pipes each message to msmtp (msmtp-mta), which
# delivers it over SMTP to a local server (python3-aiosmtpd,
# tests/mail/smtp_sink.py) writing a Maildir that this script reads. The
# server is started on a free port and stopped here. Also: a refused
# action queues nothing; a failed delivery is kept with why, tried again
# later and stopped after 5 failures; kill -9 between commit and delivery
# loses no message and sends none twice.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ME=$(id -un)
A="--as $ME"
PY=""
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import aiosmtpd' 2>/dev/null; then PY=$p; break; fi
done
MSMTP=$(command -v msmtp || true)
if [ -z "$PY" ] || [ -z "$MSMTP" ]; then
	echo "FAIL - the mail tests need msmtp and python3-aiosmtpd (scripts/setup.sh installs them)"
	exit 1
fi

# ---- the local mail path: SMTP server -> Maildir; msmtp -> the server ----
MD=$WORK/Maildir
"$PY" "$ROOT/tests/mail/smtp_sink.py" "$MD" "$WORK/port" 2>"$WORK/sink.log" &
SINK=$!
trap 'kill $SINK 2>/dev/null; wait $SINK 2>/dev/null; engine_stop; rm -rf "$WORK"' EXIT
for _ in $(seq 1 200); do [ -s "$WORK/port" ] && break; sleep 0.05; done
PORT=$(cat "$WORK/port" 2>/dev/null)
if [ -z "$PORT" ]; then echo "FAIL - the test SMTP server did not start: $(cat "$WORK/sink.log")"; exit 1; fi
cat >"$WORK/msmtprc" <<EOF
defaults
auth off
tls off
account sink
host 127.0.0.1
port $PORT
from brokerage@council.example.gov.uk
account default : sink
EOF
chmod 600 "$WORK/msmtprc"
host_conf() { # FILE COMMAND: a personal brokerage.conf naming the mail command
	printf 'mail_command = "%s";\n' "$2" >"$1"
}
host_conf "$WORK/good.conf" "$MSMTP -C $WORK/msmtprc -t"
host_conf "$WORK/missing.conf" "$WORK/no-such-mailer -t"
host_conf "$WORK/false.conf" "/bin/false"
export BROKERAGE_CONFIG=$WORK/good.conf
mails() { "$PY" "$ROOT/tests/mail/maildir.py" "$MD" count "${1:-}"; }
mail_json() { "$PY" "$ROOT/tests/mail/maildir.py" "$MD" json "${1:-}"; }
outbox() { sql "$DB" "$1"; }

cat >"$WORK/policy.conf" <<'EOF'
cascade = "sequential";
mail_enabled = true;
mail_from = "brokerage@council.example.gov.uk";
mail_reply_to = "answers@council.example.gov.uk";
EOF
run --db "$DB" init --test-mode --now 2026-11-16T09:00 --policy "$WORK/policy.conf"
rc_is "init --test-mode with a policy that sends mail" 0
b $A --now 2026-11-16T09:00 staff add olive --name "Olive Officer" --role officer
b $A --now 2026-11-16T09:00 staff add tess --name "Tess Leader" --role team_leader
T="--as tess --now 2026-11-16T09:00"
O="--as olive --now 2026-11-16T09:00"

# ---- contact addresses ----
b $T provider add "Gofal Môn" --ages 0-25 --email "Offers@Gofal.example.org, team@gofal.example.org"
rc_is "provider add --email with two addresses" 0
b $T provider add "Beta Care" --ages 0-25 --email "beta@beta-care.example.org"
b $T provider add "Phone Only" --ages 0-25
b $T --json provider show "Gofal Môn"
json_is "provider show --json: emails, an array, domain in lower case" "$OUT" 'd["emails"]' \
	'["Offers@gofal.example.org", "team@gofal.example.org"]'
b $T --json provider show "Phone Only"
json_is "provider show --json: no address is an empty array" "$OUT" 'd["emails"]' '[]'
b $T provider show "Gofal Môn"
has "provider show names the addresses" "$OUT" "mail Offers@gofal.example.org,team@gofal.example.org"
before=$(snapshot)
b $T provider set "Beta Care" --email "not an address"
refused "a bad address is refused in words" 1 "is not a mail address"
b $T provider set "Beta Care" --email "x@localhost"
refused "an address needs a domain" 1 "domain name"
unchanged "... and changes nothing" "$before"
b $T rank set --lot 1 --district North "Gofal Môn" "Beta Care" "Phone Only"
b $T rank set --lot 3 --district South "Phone Only" "Beta Care"
rc_is "rankings" 0

# ---- the first approach: through msmtp to the server ----
b $O referral new --case "CASE-77" --lot 1 --district North --hours 12.5 --age 12 --start 2026-12-07 --urgent \
	--note "John Smith, 4 Acacia Avenue"
R1=$OUT
b $O referral send "$R1"
rc_is "referral send approaches rank 1" 0
is "one message reached the server" 1 "$(mails)"
M=$(mail_json)
OFFER1=$(outbox "SELECT offer_id FROM outbox WHERE kind = 'offer' ORDER BY id LIMIT 1")
matches "the subject carries the reply token [BRK-<offer>-<tag>]" "$(jq_ "$M" 'd["subject"]')" \
	"^\[BRK-$OFFER1-[a-z2-7]{12}\] Care package offer: lot 1, North - answer by Thu 19 Nov 2026 17:00$"
json_is "From is the policy's mail_from" "$M" 'd["from"]' "brokerage@council.example.gov.uk"
json_is "Reply-To is the policy's mail_reply_to" "$M" 'd["reply_to"]' "answers@council.example.gov.uk"
json_is "the envelope holds both of the provider's addresses" "$M" 'd["envelope_to"]' \
	"Offers@gofal.example.org,team@gofal.example.org"
has "To names the provider, decoded" "$(jq_ "$M" 'd["to"]')" "Gofal Môn <Offers@gofal.example.org>"
has "the provider's name is encoded in the raw header (RFC 2047, UTF-8)" "$(jq_ "$M" 'd["raw_headers"]')" \
	"=?UTF-8?b?"
lacks "... and no raw UTF-8 is in the headers" "$(jq_ "$M" 'd["raw_headers"]')" "Môn"
matches "a Message-ID" "$(jq_ "$M" 'd["message_id"]')" "^<brk-$OFFER1-offer-[0-9a-f]{16}@council.example.gov.uk>$"
matches "a Date" "$(jq_ "$M" 'd["date"]')" "^Mon, 16 Nov 2026 09:00:00"
json_is "the body is UTF-8 text, quoted-printable" "$M" '[d["content_type"], d["cte"]]' \
	'["text/plain; charset=utf-8", "quoted-printable"]'
BODY=$(jq_ "$M" 'd["body"]')
has "the body: the case reference" "$BODY" "Case reference:  CASE-77"
has "the body: lot and district" "$BODY" "Lot:             1 Lifeskills & Independence"
has "the body: hours a week" "$BODY" "Hours a week:    12.5"
has "the body: the wanted start" "$BODY" "Wanted start:    Mon 7 Dec 2026 (2026-12-07)"
has "the body: an age band, not the age" "$BODY" "Age band:        11 to 15"
has "the body: urgency" "$BODY" "Urgency:         urgent"
has "the body: the deadline in words and as a local time" "$BODY" \
	"Answer by:       17:00 on Thursday 19 November 2026"
has "the body: how to answer, with the token" "$BODY" "keeping [BRK-$OFFER1-"
has "the body greets the provider in UTF-8" "$BODY" "Dear Gofal Môn,"
lacks "never the note's name" "$BODY" "John Smith"
lacks "never the note's address" "$BODY" "Acacia"
lacks "never the exact age" "$BODY" "12 years"
b --as olive --json referral show "$R1"
json_is "referral show --json: a mail field, the offer sent" "$OUT" \
	'[[m["kind"], m["status"], m["provider"], m["attempts"], m["undelivered"]] for m in d["mail"]]' \
	'[["offer", "sent", "Gofal Môn", 1, false]]'
json_is "... the offers as before" "$OUT" '[o["status"] for o in d["offers"]]' '["sent"]'
b --as tess --now 2026-11-16T09:05 subject-access CASE-77 --out "$WORK/sar"
rc_is "subject access for the case" 0
json_is "the answer holds the offer sent by mail, as it went" "$(cat "$WORK/sar/subject.json")" \
	'[[m["kind"], m["status"], m["to"], "Case reference:  CASE-77" in m["message"]] for m in d["referrals"][0]["mail_sent"]]' \
	'[["offer", "sent", "Offers@gofal.example.org,team@gofal.example.org", true]]'

# ---- a refused action queues nothing ----
before=$(snapshot)
nbefore=$(outbox "SELECT count(*) FROM outbox")
b $O referral send "$R1"
refused "sending again is refused" 1 "referral $R1"
b $O referral respond "$R1" --provider "Beta Care" decline --reason "no"
refused "an answer from a provider not approached is refused" 1 ""
unchanged "... nothing changed" "$before"
is "... and nothing was queued" "$nbefore" "$(outbox "SELECT count(*) FROM outbox")"
is "... or sent" 1 "$(mails)"

# ---- the cascade: a decline approaches the next by mail, then a phone offer ----
b $O referral respond "$R1" --provider "Gofal Môn" decline --reason "no staff"
rc_is "a decline approaches rank 2" 0
is "rank 2 had its offer by mail" 2 "$(mails)"
json_is "... to Beta Care" "$(mail_json)" 'd["envelope_to"]' "beta@beta-care.example.org"
b $O referral respond "$R1" --provider "Beta Care" decline --reason "no staff"
is "a provider with no address is approached by phone: nothing sent" 2 "$(mails)"
b --as olive --json referral show "$R1"
json_is "... the phone offer is recorded as before" "$OUT" '[o["provider"] for o in d["offers"]]' \
	'["Gofal Môn", "Beta Care", "Phone Only"]'

# ---- notices: told once, with no reason given ----
b $O referral new --case "CASE-78" --lot 1 --district North --hours 5 --age 20
R2=$OUT
b $O referral send "$R2"
b $O referral pause "$R2" --reason "the family asked to wait: mother in hospital"
rc_is "pause" 0
is "the provider is told its offer is withdrawn" 1 "$(mails "Offer withdrawn: the referral is on hold")"
N=$(mail_json "on hold")
lacks "... without the family's reason" "$(jq_ "$N" 'd["body"]')" "hospital"
b $O referral resume "$R2"
is "resume approaches again by mail" 2 "$(outbox "SELECT count(*) FROM outbox WHERE referral_id = $R2 AND kind = 'offer' AND status = 'sent'")"
b $O referral withdraw "$R2" --reason "moved away"
is "withdraw tells the provider" 1 "$(mails "no longer needed")"
OFFER2=$(outbox "SELECT offer_id FROM outbox WHERE kind = 'offer' AND referral_id = $R2 ORDER BY id LIMIT 1")
is "one notice an offer" 1 "$(outbox "SELECT count(*) FROM outbox WHERE kind = 'notice' AND offer_id = $OFFER2")"

# parallel: two approached at once; rank 2 accepts, then rank 1: rank 2 is not selected
cat >"$WORK/parallel.conf" <<'EOF'
mail_enabled = true;
mail_from = "brokerage@council.example.gov.uk";
mail_reply_to = "answers@council.example.gov.uk";
cascade = "parallel";
batch_size = 2;
EOF
b $A --now 2026-11-16T09:00 policy load "$WORK/parallel.conf" --apply
rc_is "policy load: parallel" 0
b $O referral new --case "CASE-79" --lot 1 --district North --hours 5 --age 20
R3=$OUT
b $O referral send "$R3"
b $O referral respond "$R3" --provider "Beta Care" accept
b $O referral respond "$R3" --provider "Gofal Môn" accept
rc_is "rank 1 accepts" 0
is "rank 2 is told it was not selected" 1 "$(mails "Not selected")"
json_is "... Beta Care" "$(mail_json "Not selected")" 'd["envelope_to"]' "beta@beta-care.example.org"
is "rank 1 is sent no notice" 0 "$(outbox "SELECT count(*) FROM outbox o JOIN provider p ON p.id = o.provider_id \
	WHERE o.kind = 'notice' AND o.referral_id = $R3 AND p.name = 'Gofal Môn'")"
b $A --now 2026-11-16T09:00 policy load "$WORK/policy.conf" --apply

# ---- chasers: on the morning of the last working day, once ----
b $O referral new --case "CASE-80" --lot 1 --district North --hours 5 --age 20
R4=$OUT
b $O referral send "$R4"
b --as olive --now 2026-11-19T08:30 sweep
rc_is "sweep before the chase time" 0
is "no reminder before 09:00 on the last day" 0 "$(mails "Reminder")"
b --as olive --now 2026-11-19T09:30 sweep
has "the sweep says it queued a reminder and sent it" "$OUT" "1 reminder queued, 1 message sent"
is "a reminder on the morning of the last working day" 1 "$(mails "Reminder")"
has "... with the token and the deadline" "$(jq_ "$(mail_json Reminder)" 'd["subject"]')" \
	"Reminder: your answer is due by Thu 19 Nov 2026 17:00"
b --as olive --now 2026-11-19T11:00 sweep
is "... once" 1 "$(mails "Reminder")"

# ---- failed delivery: kept with why, tried again later, stopped after 5 ----
total=$(mails)
b $O referral new --case "CASE-82" --lot 3 --district South --hours 5 --age 20
R6=$OUT
BROKERAGE_CONFIG=$WORK/missing.conf b $O referral send "$R6"
rc_is "rank 1 of lot 2 South is approached by phone" 0
BROKERAGE_CONFIG=$WORK/missing.conf b $O referral respond "$R6" --provider "Phone Only" decline --reason "full"
rc_is "the decline is recorded though the next offer's mail cannot be delivered" 0
is "nothing reached the server" "$total" "$(mails)"
b --as olive referral show "$R6"
has "referral show: not delivered, and why" "$OUT" "not delivered: cannot run $WORK/no-such-mailer"
has "... with the attempt and the next try" "$OUT" "attempt 1 of 5; next try Mon 16 Nov 2026 09:05"
b --as olive --json referral show "$R6"
json_is "referral show --json: the state and the error" "$OUT" \
	'[d["mail"][0]["status"], d["mail"][0]["undelivered"], d["mail"][0]["error"].startswith("cannot run")]' \
	'["queued", true, true]'
b --as olive mail list
has "mail list shows it" "$OUT" "not delivered: cannot run"
has "... with its case" "$OUT" "CASE-82"
b --as olive --json mail list
json_is "mail list --json" "$OUT" '[(m["case_ref"], m["kind"], m["attempts"]) for m in d]' '[["CASE-82", "offer", 1]]'
b --as olive --now 2026-11-16T09:01 mail flush
has "flush before the wait is over sends nothing" "$OUT" "0 sent, 0 failed"
BROKERAGE_CONFIG=$WORK/false.conf b --as olive --now 2026-11-16T09:06 mail flush
has "a command that exits non-zero fails again" "$OUT" "0 sent, 1 failed"
b --as olive referral show "$R6"
has "... its exit status kept" "$OUT" "not delivered: false exited with status 1 (attempt 2 of 5"
for t in 09:20 09:40 10:30; do BROKERAGE_CONFIG=$WORK/false.conf b --as olive --now 2026-11-16T$t mail flush; done
has "after 5 failures it stops" "$OUT" "1 stopped"
b --as olive --now 2026-11-17T12:00 mail flush
has "a stopped message is not tried again by flush" "$OUT" "0 sent, 0 failed and will be tried again, 0 stopped"
b --as olive referral show "$R6"
has "... and asks the officer" "$OUT" "stopped after 5 attempts: phone the provider"
MID=$(outbox "SELECT id FROM outbox WHERE referral_id = $R6")
b --as olive --now 2026-11-17T12:00 mail retry "$MID"
rc_is "mail retry: queued again and delivered after the commit" 0
is "it reached the server" "$((total + 1))" "$(mails)"
b --as olive --json referral show "$R6"
json_is "... sent" "$OUT" '[d["mail"][0]["status"], d["mail"][0]["error"]]' '["sent", null]'
b --as olive mail retry "$MID"
refused "a sent message is not retried" 1 "not stopped"

# ---- kill -9 between commit and delivery: no message lost, none sent twice ----
cat >"$WORK/hang.sh" <<EOF
#!/bin/sh
: >"$WORK/hanging"
exec sleep 300
EOF
chmod +x "$WORK/hang.sh"
host_conf "$WORK/hang.conf" "$WORK/hang.sh"
b $O referral new --case "CASE-83" --lot 1 --district North --hours 5 --age 20
R7=$OUT
total=$(mails)
BROKERAGE_CONFIG=$WORK/hang.conf "$BIN" --db "$DB" $O referral send "$R7" >/dev/null 2>&1 &
VICTIM=$!
for _ in $(seq 1 200); do [ -e "$WORK/hanging" ] && break; sleep 0.05; done
HANGER=$(pgrep -f "sleep 300" -P "$VICTIM" 2>/dev/null || true)
kill -9 "$VICTIM" 2>/dev/null
wait "$VICTIM" 2>/dev/null
[ -n "$HANGER" ] && kill -9 "$HANGER" 2>/dev/null
is "the mail command was reached after the commit" "yes" "$([ -e "$WORK/hanging" ] && echo yes)"
b --as olive --json referral show "$R7"
json_is "the offer was committed" "$OUT" '[o["status"] for o in d["offers"]]' '["sent"]'
json_is "... and its message waits in the outbox" "$OUT" '[m["status"] for m in d["mail"]]' '["queued"]'
is "nothing was delivered yet" "$total" "$(mails)"
b --as olive --now 2026-11-16T09:00 mail flush
has "flush takes over the dead program's claim" "$OUT" "1 sent"
is "the message arrived" "$((total + 1))" "$(mails)"
b --as olive --now 2026-11-16T09:00 mail flush
b --as olive --now 2026-11-20T09:00 sweep
b --as olive --now 2026-11-20T09:00 mail flush
ids=$("$PY" "$ROOT/tests/mail/maildir.py" "$MD" ids | sort | uniq -d)
is "no Message-ID arrived twice" "" "$ids"

# ---- the policy and the host keys ----
b --as olive --json policy show
json_is "policy show: the mail keys" "$OUT" \
	'[d["policy"][k]["value"] for k in ["mail_enabled", "mail_from", "mail_reply_to", "mail_chase_hours"]]' \
	'[true, "brokerage@council.example.gov.uk", "answers@council.example.gov.uk", 8]'
json_is "... and the template's fields" "$OUT" 'd["policy"]["mail_offer_fields"]["value"]' \
	'["case", "lot", "district", "hours", "start", "age_band", "urgency", "deadline"]'
printf 'mail_enabled = true;\n' >"$WORK/nofrom.conf"
run --db "$(newdb "$WORK/other.db")" init --test-mode --policy "$WORK/nofrom.conf"
refused "mail_enabled without mail_from is refused" 2 "mail_from is not set"
printf 'mail_offer_fields = [ "case", "name" ];\nmail_enabled = true;\nmail_from = "a@b.example.org";\n' \
	>"$WORK/name.conf"
b $A policy load "$WORK/name.conf"
refused "a template cannot name a name" 1 "names and notes are never sent"
printf 'mail_command = "sendmail -t | tee x";\n' >"$WORK/shell.conf"
BROKERAGE_CONFIG=$WORK/shell.conf run config show
refused "mail_command is not a shell line" 2 "not by a shell"
run config show
has "config show names the mail command" "$OUT" "mail_command"

# ---- check: the trail holds the addresses ----
b $A check --deep
rc_is "check --deep: records and trail agree" 0

# ---- erasure: the messages about a referral go with it ----
b $A --now 2033-01-03T12:00 retention purge
rc_is "retention purge of the referrals withdrawn six years ago" 0
is "the withdrawn referral's messages are erased with it (they name its case)" 0 \
	"$(outbox "SELECT count(*) FROM outbox WHERE referral_id = $R2")"
is "... others stay" 1 "$(outbox "SELECT CAST(count(*) > 0 AS INTEGER) FROM outbox WHERE referral_id = $R1")"

finish
