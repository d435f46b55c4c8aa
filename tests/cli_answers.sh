#!/usr/bin/env bash
# Issue 17, around the mail: answers with their own time and channel
# (referral respond --at --via), decline codes (--code), the hand-back
# (referral hand-back) and the two reports it feeds (late-answers,
# market-gap) with the response report's hand-back rate, as text, CSV and
# JSON; every refusal changing nothing.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0="--now 2026-11-02T09:00"
TESS="--as tess $T0"

run --db "$DB" init --test-mode --as admin $T0
rc_is "init" 0
b --as admin $T0 staff add tess --name Tess --role team_leader
b --as admin $T0 staff add olive --name Olive --role officer
b --as admin $T0 staff add sam --name Sam --role supervisor
for who in Alpha Beta Gamma; do
	b $TESS provider add "$who Care" --ages 0-25
done
b $TESS rank set --lot 1 --district North "Alpha Care" "Beta Care" "Gamma Care"
rc_is "providers and ranking" 0

# refusal DESC RC NEEDLE ARGS...: it must exit RC, say NEEDLE and change nothing
refusal() {
	local desc=$1 rc=$2 needle=$3 before
	shift 3
	before=$(snapshot)
	b "$@"
	refused "$desc" "$rc" "$needle"
	unchanged "... and the data is exactly as it was" "$before"
}

# Fri 20 Nov 10:00: Alpha must answer by Wed 25 Nov 17:00
F="--as olive --now 2026-11-20T10:00"
b $F referral new --case C-1 --lot 1 --district North --hours 10 --panel-date 2026-11-18
ID=$OUT
b $F referral send "$ID"
rc_is "referral sent" 0

# ---- respond --at --via --code: the refusals ----
L="--as olive --now 2026-11-25T17:30"
refusal "an answer before the offer was sent is refused" 1 "before the offer was sent" \
	$L referral respond "$ID" --provider "Alpha Care" decline --code capacity --at 2026-11-20T09:00
refusal "an answer in the future is refused" 1 "in the future" \
	$L referral respond "$ID" --provider "Alpha Care" decline --code capacity --at 2026-11-25T18:00
refusal "an unknown channel is refused" 1 "an answer comes by phone, email, post, in-person, other" \
	$L referral respond "$ID" --provider "Alpha Care" decline --code capacity --via fax
refusal "an unknown decline code is refused naming the codes" 1 \
	"the codes are capacity (no capacity), area (outside the area), needs (cannot meet the needs)" \
	$L referral respond "$ID" --provider "Alpha Care" decline --code budget
refusal "the code other needs words" 1 "needs the provider's reason in words" \
	$L referral respond "$ID" --provider "Alpha Care" decline --code other
refusal "a decline needs a code or words (usage)" 2 "--code KEYWORD or --reason TEXT" \
	$L referral respond "$ID" --provider "Alpha Care" decline
refusal "an acceptance takes no code (usage)" 2 "an acceptance takes only --start" \
	$L referral respond "$ID" --provider "Alpha Care" accept --code area
refusal "--at must be a time (usage)" 2 "--at:" \
	$L referral respond "$ID" --provider "Alpha Care" decline --code area --at yesterday

# ---- a decline phoned in at 15:50, typed in at 17:30: on time ----
b $L referral respond "$ID" --provider "Alpha Care" decline --code capacity --at 2026-11-25T15:50 --via phone
rc_is "a phoned decline with its time and code" 0
has "... and the next provider is approached" "$OUT$ERR" "Alpha Care declined; approached Beta Care"
b --as olive --now 2026-11-25T17:31 --json referral show "$ID"
json_is "JSON: answered_at is when it reached the council" "$OUT" 'd["offers"][0]["answered_at"]' "2026-11-25T15:50:00Z"
json_is "JSON: recorded_at is when it was typed" "$OUT" 'd["offers"][0]["recorded_at"]' "2026-11-25T17:30:00Z"
json_is "JSON: via and decline_code" "$OUT" '[d["offers"][0]["via"], d["offers"][0]["decline_code"]]' '["phone", "capacity"]'
json_is "JSON: the fields before are unchanged" "$OUT" \
	'[d["offers"][0][k] for k in ("status", "deadline_at", "reason")]' '["declined", "2026-11-25T17:00:00Z", null]'
json_is "JSON: a fresh offer has them null" "$OUT" \
	'[d["offers"][1][k] for k in ("via", "decline_code", "recorded_at", "handed_back_on")]' '[null, null, null, null]'
b --as olive --now 2026-11-25T17:31 referral show "$ID"
has "referral show names the channel and code" "$OUT" "(phone, capacity)"

# Beta (sent Wed 25 17:30, received Thu 26, due Tue 1 Dec 17:00) answers Wed 2 Dec 11:00, typed at
# 12:00 (the sweep has not run): late by two working hours
b --as olive --now 2026-12-02T12:00 referral respond "$ID" --provider "Beta Care" decline \
	--reason "no carers in North" --at 2026-12-02T11:00 --via email
rc_is "a late decline by email, words alone" 0
b --as olive --now 2026-12-02T12:01 --json referral show "$ID"
json_is "... words alone are coded other" "$OUT" 'd["offers"][1]["decline_code"]' "other"

# ---- report late-answers: text, CSV, JSON ----
R="--as olive --now 2026-12-02T12:30"
b $R report late-answers --from 2026-11-01 --to 2026-12-02
rc_is "report late-answers" 0
matches "... Alpha on time" "$OUT" "Alpha Care +1 +1 +0 +0"
matches "... Beta two working hours late" "$OUT" "Beta Care +1 +1 +1 +0 +2"
b $R --json report late-answers --from 2026-11-01 --to 2026-12-02
json_is "late-answers --json" "$OUT" \
	'[[r["provider"], r["offers"], r["answered_late"], r["expired"], r["median_late"]] for r in d["rows"]]' \
	'[["Alpha Care", 1, 0, 0, null], ["Beta Care", 1, 1, 0, 120], ["Gamma Care", 1, 0, 0, null], ["All providers", 3, 1, 0, 120]]'
b $R report late-answers --from 2026-11-01 --to 2026-12-02 --csv -
has "late-answers --csv: the header" "$OUT" '"Provider","Offers","Answered","Answered late","Expired","Median late (working hours)"'
has "late-answers --csv: Beta's row" "$OUT" '"Beta Care",1,1,1,0,2'
b $R --json report late-answers --from 2026-11-01 --to 2026-11-25
json_is "late-answers as it stood at the end of 25 Nov: Alpha answered, Beta (sent that evening) not yet" "$OUT" \
	'[[r["provider"], r["answered"]] for r in d["rows"]]' '[["Alpha Care", 1], ["Beta Care", 0], ["All providers", 1]]'

# ---- report market-gap ----
b $R report market-gap --from 2026-11-01 --to 2026-12-02
rc_is "report market-gap" 0
matches "... capacity in lot 1 North, 10 hours unsourced" "$OUT" "1 +North +capacity +1 +1 +10 +no capacity +Lifeskills & Independence"
b $R --json report market-gap --from 2026-11-01 --to 2026-12-02
json_is "market-gap --json" "$OUT" \
	'[[r["code"], r["declines"], r["referrals"], r["unsourced_hours"]] for r in d["rows"]]' \
	'[["capacity", 1, 1, 600], ["other", 1, 1, 600], [null, 2, 1, 600]]'
b $R report market-gap --from 2026-11-01 --to 2026-12-02 --csv -
has "market-gap --csv" "$OUT" '1,"North","capacity",1,1,10,"no capacity","Lifeskills & Independence"'

# ---- hand-back ----
b --as olive --now 2026-12-02T13:00 referral respond "$ID" --provider "Gamma Care" accept --at 2026-12-02T12:45 --via phone
rc_is "Gamma accepts: sourced" 0
H="--as olive --now 2026-12-03T10:00"
# Gamma accepted on Wed 2 Dec: a hand-back dated Tue 1 is before it was sourced
refusal "a hand-back needs its reason (usage)" 2 "give --reason" $H referral hand-back "$ID"
refusal "a hand-back before the package was sourced is refused" 1 "sourced only on" \
	$H referral hand-back "$ID" --reason "carer left" --date 2026-12-01
refusal "a hand-back in the future is refused" 1 "cannot be in the future" \
	$H referral hand-back "$ID" --reason "carer left" --date 2026-12-04
refusal "permissions as the other referral actions: an administrator does not work referrals" 1 \
	"only brokerage officers, team leaders and supervisors work referrals" \
	--as admin --now 2026-12-03T10:00 referral hand-back "$ID" --reason "carer left"
b $H referral hand-back "$ID" --reason "carer left" --date 2026-12-02
rc_is "Gamma hands the package back" 0
has "... no one is left: exhausted" "$OUT$ERR" "Gamma Care handed back referral $ID on Wed 2 Dec 2026; no eligible framework provider is left"
refusal "a referral no longer sourced cannot be handed back again" 1 "only a sourced package can be handed back" \
	$H referral hand-back "$ID" --reason "again"
b $H --json referral show "$ID"
json_is "JSON: the referral is exhausted, its offers kept" "$OUT" '[d["status"], len(d["offers"])]' '["exhausted", 3]'
json_is "JSON: Gamma's acceptance is kept with the day it handed back" "$OUT" \
	'[d["offers"][2]["status"], d["offers"][2]["handed_back_on"], d["offers"][2]["reason"]]' '["accepted", "2026-12-02", "carer left"]'
json_is "JSON: Gamma is no longer a candidate" "$OUT" \
	'[c["reasons"] for c in d["candidates"] if c["provider"] == "Gamma Care"]' '[["handed this package back on Wed 2 Dec 2026"]]'
b --as olive --now 2026-12-03T10:01 --json audit log --referral "$ID" --action referral.hand-back
json_is "the hand-back is audited" "$OUT" 'len(d)' "1"

# a second referral: Alpha takes it and hands it back; Beta is approached from the top
b --as olive --now 2026-12-03T10:00 referral new --case C-2 --lot 1 --district North --hours 5
ID2=$OUT
b --as olive --now 2026-12-03T10:00 referral send "$ID2"
b --as olive --now 2026-12-03T11:00 referral respond "$ID2" --provider "Alpha Care" accept
b --as olive --now 2026-12-04T11:00 referral hand-back "$ID2" --reason "lost the carer"
rc_is "Alpha hands back the second package" 0
has "... Beta is approached" "$OUT$ERR" "approached Beta Care"

# the response report's hand-back rate: text, CSV, JSON
R="--as olive --now 2026-12-04T12:00"
b $R --json report response --from 2026-11-01 --to 2026-12-04
json_is "response --json: handed_back and hand_back_rate" "$OUT" \
	'[[r["provider"], r["accepted"], r["handed_back"], r["hand_back_rate"]] for r in d["rows"]]' \
	'[["Alpha Care", 1, 1, 10000], ["Beta Care", 0, 0, null], ["Gamma Care", 1, 1, 10000], ["All providers", 2, 2, 10000]]'
b $R report response --from 2026-11-01 --to 2026-12-04
has "response (text) has the new columns" "$OUT" "Handed back  Hand-back rate (%)"
b $R report response --from 2026-11-01 --to 2026-12-04 --csv -
has "response --csv has the new columns last" "$OUT" '"Still open","Handed back","Hand-back rate (%)"'

# ---- the sweep expired an offer whose answer came in time ----
b --as olive --now 2026-12-07T10:00 referral new --case C-3 --lot 1 --district North --hours 4
ID3=$OUT
b --as olive --now 2026-12-07T10:00 referral send "$ID3"
b --as tess --now 2026-12-10T17:01 sweep
rc_is "the sweep expires Alpha's offer on C-3 at its deadline" 0
refusal "typed in after the sweep without its time: refused, saying --at" 1 "recorded with the time it came, --at" \
	--as olive --now 2026-12-10T17:20 referral respond "$ID3" --provider "Alpha Care" accept
b --as olive --now 2026-12-10T17:20 referral respond "$ID3" --provider "Alpha Care" accept --at 2026-12-10T16:45 --via phone
rc_is "an acceptance phoned at 16:45 and typed after the sweep is recorded" 0
b --as olive --now 2026-12-10T17:21 --json referral show "$ID3"
json_is "... C-3 is sourced with Alpha, Beta's offer withdrawn" "$OUT" \
	'[d["status"], [[o["provider"], o["status"], o["answered_at"]] for o in d["offers"]]]' \
	'["sourced", [["Alpha Care", "accepted", "2026-12-10T16:45:00Z"], ["Beta Care", "withdrawn", null]]]'

# ---- a package placed before the program (imported as sourced) handed back ----
cat >"$WORK/placed.csv" <<'CSV'
case_ref,lot,district,hours,panel_date,age,urgent,note,status,provider,route,sourced_on,weekly_cost,ended_on
IMP-9,1,North,6,2026-10-01,14,no,,sourced,Beta Care,framework,2026-10-12,,
CSV
b --as olive --now 2026-12-10T17:30 import referrals "$WORK/placed.csv"
rc_is "an officer imports a package placed with Beta before the program" 0
b --as olive --now 2026-12-10T17:31 --json referral list --status sourced
IMP=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin) if r["case_ref"] == "IMP-9"][0])')
b --as olive --now 2026-12-10T17:32 referral hand-back "$IMP" --reason "carer retired"
rc_is "the imported package is handed back (it has no offer to mark)" 0
has "... Beta hands it back and the search starts from the top without it" "$OUT$ERR" \
	"Beta Care handed back referral $IMP on Thu 10 Dec 2026"
b --as olive --now 2026-12-10T17:33 --json referral show "$IMP"
json_is "... Alpha is approached, Beta is not a candidate again" "$OUT" \
	'[d["status"], [[o["provider"], o["status"]] for o in d["offers"]], [c["reasons"] for c in d["candidates"] if c["provider"] == "Beta Care"]]' \
	'["searching", [["Beta Care", "accepted"], ["Alpha Care", "sent"]], [["handed this package back on Thu 10 Dec 2026"]]]'
json_is "... the placement is kept as Beta's accepted offer, handed back" "$OUT" \
	'[d["offers"][0]["handed_back_on"], d["offers"][0]["reason"], d["offers"][0]["answered_at"]]' \
	'["2026-12-10", "carer retired", "2026-10-12T11:00:00Z"]'
b --as olive --now 2026-12-10T17:34 --json audit log --referral "$IMP" --action referral.hand-back
json_is "... the hand-back is audited" "$OUT" 'len(d)' "1"
b --as olive --now 2026-12-10T17:35 --json report provision --on 2026-11-16
json_is "... provision on a day it was in place still counts it with Beta" "$OUT" \
	'[r["total"] for r in d["rows"] if r["provider"] == "Beta Care"]' '[1]'

b --as admin --now 2026-12-10T18:00 check --deep
rc_is "check --deep: every record agrees with its trail" 0

finish
