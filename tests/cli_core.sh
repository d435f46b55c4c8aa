#!/usr/bin/env bash
# The brokerage core from the outside (issue 4), through the command-line
# contract: providers and rankings, referrals cascading by decline and by
# expiry, exhaustion and spot purchases with separation of duties and the
# key-decision threshold, the parallel policy, the information pause, pause,
# resume and withdraw, stale versions, roles, the contract clock, and every
# refused command leaving the data exactly as it was.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0="--now 2026-11-02T09:00"
TESS="--as tess $T0"

# A fresh test-mode database with the standard staff, providers and rankings,
# made through the program once (make_standard); every scenario's setup_db
# is a copy of its own (dbcopy: the file and its anchor on SQLite, CREATE
# DATABASE ... TEMPLATE on PostgreSQL), so none sees another's changes and
# the 16 commands of the set-up run once rather than for each scenario.
STANDARD=''
setup_db() {
	if [ -z "$STANDARD" ]; then
		make_standard "$WORK/standard.db" || return
		STANDARD=$DB
	fi
	DB=$(dbcopy "$STANDARD" "$1") || { fail "a database for $1" "a copy of the standard one" "none"; return; }
	if ! is_conninfo "$DB" && [ -e "$STANDARD-anchor" ]; then
		cp -p "$STANDARD-anchor" "$DB-anchor" || fail "the anchor for $1" "a copy" "none"
	fi
}

make_standard() {
	DB=$(newdb "$1") || { fail "a database for $1" "a fresh database" "none"; return 1; }
	run --db "$DB" init --test-mode --as admin $T0
	[ "$RC" = 0 ] || { fail "init $DB" "exit 0" "exit $RC: $ERR"; return 1; }
	local who
	for who in "tess Tess team_leader" "olive Olive officer" "oscar Oscar officer" "sam Sam supervisor" \
		"sue Sue supervisor"; do
		set -- $who
		b --as admin $T0 staff add "$1" --name "$2" --role "$3"
	done
	for who in Alpha Beta Gamma Delta Echo; do
		b $TESS provider add "$who Care" --ages 0-25
	done
	b $TESS provider add "Spot Agency" --off-framework --rate 30.00
	b $TESS rank set --lot 1 --district North "Alpha Care" "Beta Care" "Gamma Care"
	b $TESS rank set --lot 1 --district South "Alpha Care" "Beta Care" "Gamma Care"
	b $TESS rank set --lot 1 --district East "Alpha Care"
	b $TESS rank set --lot 3 --district East "Delta Care" "Echo Care"
	[ "$RC" = 0 ] || { fail "setup of $DB" "exit 0" "exit $RC: $ERR"; return 1; }
}

# new_referral WHO NOW ARGS...: record a referral, set $ID
new_referral() {
	local who=$1 now=$2
	shift 2
	b --as "$who" --now "$now" referral new "$@"
	ID=$OUT
	[[ $RC == 0 && $ID =~ ^[0-9]+$ ]] || fail "referral new $*" "exit 0 and an id" "exit $RC: $OUT $ERR"
}

# show ID NOW: the referral as JSON in $J
show() {
	b --as olive --now "$2" --json referral show "$1"
	J=$OUT
}

# offers: "provider:status" of each offer of $J, in the order sent
offers() { jq_ "$J" '" ".join("%s:%s" % (o["provider"].split()[0], o["status"]) for o in d["offers"])'; }

# refusal DESC RC NEEDLE ARGS...: run on $DB; it must exit RC, say NEEDLE and change nothing
refusal() {
	local desc=$1 rc=$2 needle=$3 before
	shift 3
	before=$(snapshot)
	b "$@"
	refused "$desc" "$rc" "$needle"
	unchanged "... and the data is exactly as it was" "$before"
	REFUSALS=$((REFUSALS + 1))
}
REFUSALS=0

# ======================================================================
# Providers, rankings and roles
# ======================================================================
setup_db "$WORK/p.db"
b $TESS --json provider list
rc_is "provider list --json" 0
json_is "... has the six providers" "$OUT" 'sorted(p["name"] for p in d)' \
	'["Alpha Care", "Beta Care", "Delta Care", "Echo Care", "Gamma Care", "Spot Agency"]'
json_is "... Spot Agency is off-framework at 3000 pence" "$OUT" \
	'[[p["framework"], p["rate"], p["rate_display"]] for p in d if p["name"] == "Spot Agency"]' '[[false, 3000, "£30.00"]]'
b $TESS provider list
matches "provider list (text) shows Alpha Care on the framework" "$OUT" "Alpha Care +framework +green"

b $TESS provider add "Hotel Care" --cqc 1-101 --ages 5-17 --risk amber --pamms good --capacity North=40 South=12.5
rc_is "a team leader adds a provider with every option" 0
b $TESS --json provider show "Hotel Care"
rc_is "provider show --json" 0
json_is "... CQC, PAMMS, risk and ages" "$OUT" '[d["cqc"], d["pamms"], d["risk"], d["age_min"], d["age_max"], d["active"]]' \
	'["1-101", "good", "amber", 5, 17, true]'
json_is "... capacity in minutes per district" "$OUT" 'd["capacity_minutes"]' '{"North": 2400, "South": 750}'
b $TESS provider show "Hotel Care"
has "provider show (text) shows the capacity" "$OUT" "capacity North"
b $TESS provider show "Alpha Care"
has "provider show names where it is ranked" "$OUT" "ranked 1 in lot 1, North"
b $TESS --json provider show "Alpha Care"
json_is "provider show --json: its rankings" "$OUT" '[[r["lot"], r["district"], r["rank"]] for r in d["rankings"]]' \
	'[[1, "East", 1], [1, "North", 1], [1, "South", 1]]'
b $TESS provider set "Hotel Care" --embargo "safeguarding investigation" --risk red --inactive
rc_is "a team leader embargoes, rates red and deactivates a provider" 0
b $TESS --json provider show "Hotel Care"
json_is "... provider show has all three" "$OUT" '[d["embargo"], d["risk"], d["active"]]' \
	'["safeguarding investigation", "red", false]'
b $TESS provider list
has "... provider list shows the embargo" "$OUT" "EMBARGOED: safeguarding investigation"
b $TESS provider set "Hotel Care" --no-embargo --risk green --active
b $TESS --json provider show "Hotel Care"
json_is "--no-embargo, --risk green, --active undo it" "$OUT" '[d["embargo"], d["risk"], d["active"]]' '[null, "green", true]'

b $TESS rank show --lot 1 --district North
rc_is "rank show --lot --district" 0
matches "... lists the three in rank order" "$OUT" $'North +1 +Alpha Care\n[^\n]* North +2 +Beta Care\n[^\n]* North +3 +Gamma Care'
b $TESS --json rank show --lot 1 --district north
json_is "rank show --json (district in any case)" "$OUT" '[[r["rank"], r["provider"], r["district"]] for r in d]' \
	'[[1, "Alpha Care", "North"], [2, "Beta Care", "North"], [3, "Gamma Care", "North"]]'
b $TESS --json rank show --lot 3
json_is "rank show --lot 3 only lot 3" "$OUT" '[r["provider"] for r in d]' '["Delta Care", "Echo Care"]'
b $TESS --json rank show
json_is "rank show: every ranking" "$OUT" 'len(d)' 9
b $TESS rank set --lot 1 --district North "Gamma Care" "Alpha Care"
rc_is "rank set replaces the whole list" 0
b $TESS --json rank show --lot 1 --district North
json_is "... the new order" "$OUT" '[r["provider"] for r in d]' '["Gamma Care", "Alpha Care"]'
b $TESS rank set --lot 1 --district North "Alpha Care" "Beta Care" "Gamma Care"

O="--as olive --now 2026-11-03T09:00"
refusal "an officer cannot add a provider" 1 "team leader" $O provider add "Rogue Care"
refusal "an officer cannot change a provider" 1 "team leader" $O provider set "Alpha Care" --risk red
refusal "an officer cannot embargo a provider" 1 "team leader" $O provider set "Alpha Care" --embargo "no"
refusal "an officer cannot rank" 1 "team leader" $O rank set --lot 1 --district North "Gamma Care" "Beta Care" "Alpha Care"
refusal "a supervisor cannot rank" 1 "team leader" --as sam --now 2026-11-03T09:00 rank set --lot 1 --district North "Gamma Care"
refusal "a duplicate provider name is refused (names differing only in case)" 1 "already a provider" $TESS provider add "alpha care"
refusal "rank set naming an unknown provider is refused" 1 "Nobody Ltd" $TESS rank set --lot 1 --district North "Alpha Care" "Nobody Ltd"
refusal "rank set for an unknown district is refused" 1 "Atlantis" $TESS rank set --lot 1 --district Atlantis "Alpha Care"
refusal "rank set for an unknown lot is refused" 1 "lot 9" $TESS rank set --lot 9 --district North "Alpha Care"
refusal "a provider's unknown risk is refused" 1 "green, amber or red" $TESS provider set "Alpha Care" --risk purple
refusal "a provider's unknown PAMMS rating is refused" 1 "" $TESS provider set "Alpha Care" --pamms superb
refusal "capacity in an unknown district is refused" 1 "Atlantis" $TESS provider set "Alpha Care" --capacity Atlantis=10

# ---- money and hours ----
for pair in "19.50:1950" "£19.50:1950" "19.5:1950" "19:1900" "1,234.56:123456"; do
	b $TESS provider set "Spot Agency" --rate "${pair%%:*}"
	if [ "$RC" = 0 ]; then
		b $TESS --json provider show "Spot Agency"
		json_is "rate '${pair%%:*}' is ${pair#*:} pence" "$OUT" 'd["rate"]' "${pair#*:}"
	else
		fail "rate '${pair%%:*}' is accepted" "exit 0" "exit $RC: $ERR"
	fi
done
b $TESS --json provider show "Spot Agency"
json_is "money is shown as £1,234.56" "$OUT" 'd["rate_display"]' "£1,234.56"
refusal "rate 19.505 is refused (money)" 1 "19.505" $TESS provider set "Spot Agency" --rate 19.505
refusal "rate -1 is refused" 1 "-1" $TESS provider set "Spot Agency" --rate -1
refusal "rate 1e3 is refused" 1 "1e3" $TESS provider set "Spot Agency" --rate 1e3
refusal "rate 19,50 is refused" 1 "19,50" $TESS provider set "Spot Agency" --rate 19,50
refusal "an empty rate is refused" 1 "rate" $TESS provider set "Spot Agency" --rate ""
refusal "a rate over £10,000 an hour is refused" 1 "10,000" $TESS provider set "Spot Agency" --rate 10000.01
b $TESS provider set "Spot Agency" --rate 30.00

new_referral olive 2026-11-03T09:00 --case H-1 --lot 1 --district North --hours 7.25
show "$ID" 2026-11-03T09:00
json_is "hours 7.25 are kept exactly" "$J" 'd["hours"]' "7.25"
new_referral olive 2026-11-03T09:00 --case H-2 --lot 1 --district North --hours 10.5
show "$ID" 2026-11-03T09:00
json_is "hours 10.5 are kept exactly" "$J" 'd["hours"]' "10.5"
refusal "hours 200 are refused" 1 "168" $O referral new --case H-3 --lot 1 --district North --hours 200
refusal "hours 7.255 are refused" 1 "7.255" $O referral new --case H-3 --lot 1 --district North --hours 7.255
refusal "hours 0 are refused" 1 "hours" $O referral new --case H-3 --lot 1 --district North --hours 0
refusal "an unknown lot is refused, naming the lots" 1 "Lifeskills" $O referral new --case H-3 --lot 9 --district North --hours 5
refusal "an unknown district is refused, naming the districts" 1 "North" $O referral new --case H-3 --lot 1 --district Atlantis --hours 5
refusal "referral new without --case is a usage error" 2 "--case" $O referral new --lot 1 --district North --hours 5
refusal "an age of 300 is refused" 1 "age" $O referral new --case H-3 --lot 1 --district North --hours 5 --age 300

# ---- matching: every reason a ranked provider is passed over ----
b $TESS provider add "Kilo Care" --ages 0-25
b $TESS provider add "Lima Care" --cqc 1-201 --ages 18-65
b $TESS provider add "Mike Care" --cqc 1-202 --ages 0-25
b $TESS provider set "Mike Care" --embargo "default notice served"
b $TESS provider add "November Care" --cqc 1-203 --ages 0-25 --risk red
b $TESS provider add "Papa Care" --cqc 1-204 --ages 0-25 --capacity West=5
b $TESS provider add "Quebec Care" --cqc 1-205 --ages 0-25
b $TESS provider set "Quebec Care" --inactive
b $TESS provider add "Oscar Care" --cqc 1-206 --ages 0-25 --risk amber
b $TESS rank set --lot 4 --district West "Kilo Care" "Lima Care" "Mike Care" "November Care" "Papa Care" "Quebec Care" "Oscar Care"
rc_is "seven providers ranked for lot 4 West" 0
new_referral olive 2026-11-03T09:00 --case M-1 --lot 4 --district West --hours 10 --age 12
show "$ID" 2026-11-03T09:00
json_is "candidates in rank order" "$J" '[c["rank"] for c in d["candidates"]]' '[1, 2, 3, 4, 5, 6, 7]'
json_is "only the amber provider is eligible" "$J" '[c["provider"] for c in d["candidates"] if c["eligible"]]' '["Oscar Care"]'
reason() { jq_ "$J" "' / '.join(c['reasons'][0] if c['reasons'] else '' for c in d['candidates'] if c['provider'] == '$1')"; }
has "no CQC registration where the lot needs one" "$(reason "Kilo Care")" "CQC"
has "the age outside the provider's ages" "$(reason "Lima Care")" "18"
has "the embargo, with its reason" "$(reason "Mike Care")" "default notice served"
has "a red risk rating" "$(reason "November Care")" "red"
has "capacity below the referral's hours" "$(reason "Papa Care")" "capacity"
has "an inactive provider" "$(reason "Quebec Care")" "inactive"
has "amber is eligible with a warning" "$(reason "Oscar Care")" "amber"
json_is "... flagged as a warning" "$J" '[c["warning"] for c in d["candidates"] if c["provider"] == "Oscar Care"]' '[true]'
b --as olive --now 2026-11-03T09:00 referral send "$ID"
rc_is "send approaches the first eligible provider" 0
has "... Oscar Care" "$OUT" "Oscar Care"
show "$ID" 2026-11-03T09:00
is "... and only Oscar Care" "Oscar:sent" "$(offers)"

# ======================================================================
# A cascade through three providers, by decline and by expiry, to sourced
# ======================================================================
setup_db "$WORK/cascade.db"
b --as olive --now 2026-11-20T10:00 --json referral new --case CAS-1 --lot 1 --district North --hours 10 --age 12 --panel-date 2026-11-13
rc_is "referral new --json" 0
json_is "... gives {\"id\": N, ...}" "$OUT" 'isinstance(d["id"], int) and d["id"] >= 1' true
ID=$(jq_ "$OUT" 'd["id"]')
show "$ID" 2026-11-20T10:00
json_is "a new referral: status new, version 1, held by its recorder" "$J" '[d["status"], d["version"], d["holder"]]' \
	'["new", 1, "olive"]'
json_is "... case, lot and district" "$J" '[d["case_ref"], d["lot"], d["district"]]' '["CAS-1", 1, "North"]'
json_is "... every field of the contract" "$J" \
	'[k for k in ("id", "case_ref", "lot", "district", "status", "version", "holder", "offers", "candidates") if k not in d]' '[]'
json_is "... candidates with provider, rank, eligible, reasons" "$J" \
	'[sorted(set(("provider", "rank", "eligible", "reasons")) - set(c)) for c in d["candidates"]]' '[[], [], []]'
json_is "... no offers yet, three candidates" "$J" '[len(d["offers"]), [c["provider"] for c in d["candidates"]]]' \
	'[0, ["Alpha Care", "Beta Care", "Gamma Care"]]'
b --as olive --now 2026-11-20T10:00 referral send "$ID"
rc_is "send" 0
has "... approaches rank 1 with its deadline" "$OUT" "Alpha Care"
show "$ID" 2026-11-20T10:00
json_is "... status searching" "$J" 'd["status"]' searching
json_is "... the offer: rank 1, sent, sent_at, deadline Wed 25 Nov 17:00" "$J" \
	'[[o["provider"], o["rank"], o["status"], o["sent_at"], o["deadline_at"], o["answered_at"], o["reason"]] for o in d["offers"]]' \
	'[["Alpha Care", 1, "sent", "2026-11-20T10:00:00Z", "2026-11-25T17:00:00Z", null, null]]'

refusal "send twice is refused" 1 "" --as olive --now 2026-11-20T10:05 referral send "$ID"
refusal "respond on a provider not approached is refused" 1 "Beta Care" \
	--as olive --now 2026-11-20T10:05 referral respond "$ID" --provider "Beta Care" accept
refusal "respond naming an unknown provider is refused" 1 "Nobody Ltd" \
	--as olive --now 2026-11-20T10:05 referral respond "$ID" --provider "Nobody Ltd" accept
refusal "decline without a reason is a usage error" 2 "--reason" \
	--as olive --now 2026-11-20T10:05 referral respond "$ID" --provider "Alpha Care" decline
refusal "info without a question is a usage error" 2 "--question" \
	--as olive --now 2026-11-20T10:05 referral respond "$ID" --provider "Alpha Care" info
refusal "an answer that is not accept/decline/info is a usage error" 2 "accept" \
	--as olive --now 2026-11-20T10:05 referral respond "$ID" --provider "Alpha Care" maybe
refusal "a spot request while searching is refused" 1 "exhausted" \
	--as olive --now 2026-11-20T10:05 spot request "$ID" --provider "Spot Agency" --rate 25.00 --hours 10 --weeks 4 --why "quick"

b --as olive --now 2026-11-23T10:00 referral respond "$ID" --provider "Alpha Care" decline --reason "no carers in the area"
rc_is "rank 1 declines" 0
has "... and rank 2 is approached" "$OUT" "Beta Care"
show "$ID" 2026-11-23T10:00
is "... offers: Alpha declined, Beta sent" "Alpha:declined Beta:sent" "$(offers)"
json_is "... Beta's deadline is Thu 26 Nov 17:00" "$J" 'd["offers"][1]["deadline_at"]' "2026-11-26T17:00:00Z"
json_is "... Alpha's answer and reason are kept" "$J" '[d["offers"][0]["answered_at"], d["offers"][0]["reason"]]' \
	'["2026-11-23T10:00:00Z", "no carers in the area"]'
json_is "... Alpha is no longer eligible, because it declined" "$J" \
	'[c["eligible"], "declined" in " ".join(c["reasons"])] if (c := d["candidates"][0]) else None' '[false, true]'
refusal "a provider that declined cannot accept afterwards" 1 "" \
	--as olive --now 2026-11-23T11:00 referral respond "$ID" --provider "Alpha Care" accept

b --as olive --now 2026-11-26T16:59 --json sweep
rc_is "sweep before the deadline" 0
json_is "... expires nothing" "$OUT" '[d["expired"], d["approached"]]' '[0, 0]'
b --as olive --now 2026-11-26T17:01 --json sweep
rc_is "sweep after the deadline" 0
json_is "... expires Beta and approaches Gamma" "$OUT" '[d["expired"], d["approached"], d["exhausted"]]' '[1, 1, 0]'
# The sweep's changes are the system's, naming the login whose program ran it.
b --as tess --now 2026-11-26T17:01 --json audit log --referral "$ID" --since 2026-11-26T17:01
json_is "... its events are the system's: expire, send, sweep" "$OUT" \
	'[[e["actor"], e["action"]] for e in d if e["action"] != "referral.read"]' \
	'[["system", "offer.expire"], ["system", "offer.send"], ["system", "referral.sweep"]]'
json_is "... each names olive as the one who ran it" "$OUT" \
	'sorted(set(e["after"].get("run_by") for e in d if e["action"] != "referral.read"))' '["olive"]'
b --as tess --now 2026-11-26T17:01 --json audit log --referral "$ID" --actor olive --since 2026-11-26T17:01
json_is "... none of them is olive's decision" "$OUT" '[e["action"] for e in d]' '[]'
b --as tess --now 2026-11-26T17:01 audit log --referral "$ID" --since 2026-11-26T17:01
matches "... audit log says so in words" "$OUT" "system +offer\.expire +offer [0-9]+ +$ID +by the sweep, run by olive"
b --as olive --now 2026-11-26T17:02 --json sweep
json_is "a second sweep changes nothing" "$OUT" '[d["expired"], d["approached"], d["exhausted"], d["sourced"]]' '[0, 0, 0, 0]'
b --as olive --now 2026-11-26T17:02 sweep
has "sweep (text) says what it did" "$OUT" "sweep: 0 offers expired"
show "$ID" 2026-11-26T17:05
is "... offers: Alpha declined, Beta expired, Gamma sent" "Alpha:declined Beta:expired Gamma:sent" "$(offers)"
json_is "... Gamma's clock starts at the sweep (17:01, after the cut-off: received Fri 27, deadline Wed 2 Dec)" "$J" \
	'[d["offers"][2]["sent_at"], d["offers"][2]["deadline_at"]]' '["2026-11-26T17:01:00Z", "2026-12-02T17:00:00Z"]'
json_is "... Beta is not eligible: it let its offer expire" "$J" '[d["candidates"][1]["eligible"], "expire" in " ".join(d["candidates"][1]["reasons"])]' \
	'[false, true]'
refusal "a provider whose offer expired cannot accept" 1 "" \
	--as olive --now 2026-11-27T09:00 referral respond "$ID" --provider "Beta Care" accept

b --as olive --now 2026-11-30T10:00 referral respond "$ID" --provider "Gamma Care" accept --start 2026-12-07
rc_is "rank 3 accepts" 0
has "... and the referral is sourced" "$OUT" "sourced"
show "$ID" 2026-11-30T10:05
json_is "... status sourced" "$J" 'd["status"]' sourced
json_is "... every offer with provider, rank, status, sent_at, deadline_at, answered_at, reason" "$J" \
	'[sorted(set(("provider", "rank", "status", "sent_at", "deadline_at", "answered_at", "reason")) - set(o)) for o in d["offers"]]' '[[], [], []]'
is "... offers in the order sent: declined, expired, accepted" "Alpha:declined Beta:expired Gamma:accepted" "$(offers)"
json_is "... ranks 1, 2, 3" "$J" '[o["rank"] for o in d["offers"]]' '[1, 2, 3]'
json_is "... sourced with Gamma Care on the framework at £19.50 x 10" "$J" '[d["sourced_provider"], d["route"], d["weekly_cost"]]' \
	'["Gamma Care", "framework", 19500]'
json_is "... Gamma's acceptance time" "$J" 'd["offers"][2]["answered_at"]' "2026-11-30T10:00:00Z"
json_is "... waited 17 days from the panel date (11 working days)" "$J" '[d["waited_days"], d["waited_working_days"]]' '[17, 11]'
b --as olive --now 2026-11-30T10:05 referral show "$ID"
rc_is "referral show (text)" 0
has "... names the referral, version and status" "$OUT" "case CAS-1  sourced"
has "... lists the declined offer with its reason" "$OUT" "no carers in the area"
b --as olive --now 2026-11-30T10:05 --json referral list --status sourced
json_is "referral list --status sourced has it" "$OUT" "[r['id'] for r in d]" "[$ID]"

refusal "withdraw of a sourced referral is refused" 1 "" --as olive --now 2026-11-30T11:00 referral withdraw "$ID" --reason "no longer needed"
b --as olive --now 2026-12-31T12:00 referral end "$ID" --date 2026-12-31
rc_is "end a sourced package" 0
show "$ID" 2026-12-31T12:00
json_is "... status ended" "$J" 'd["status"]' ended
refusal "withdraw of an ended referral is refused" 1 "ended" --as olive --now 2027-01-04T09:00 referral withdraw "$ID" --reason "tidy up"
refusal "end of an ended referral is refused" 1 "" --as olive --now 2027-01-04T09:00 referral end "$ID"
refusal "pause of an ended referral is refused" 1 "" --as olive --now 2027-01-04T09:00 referral pause "$ID" --reason "x"

# ======================================================================
# A cascade to exhausted; a spot request; separation of duties
# ======================================================================
setup_db "$WORK/spot.db"
new_referral olive 2026-11-20T10:00 --case EX-1 --lot 3 --district East --hours 10
EX=$ID
b --as olive --now 2026-11-20T10:00 referral send "$EX"
b --as olive --now 2026-11-23T10:00 referral respond "$EX" --provider "Delta Care" decline --reason "full"
rc_is "rank 1 of 2 declines" 0
b --as olive --now 2026-11-26T17:30 --json sweep
json_is "rank 2 expires at the sweep and the referral is exhausted" "$OUT" '[d["expired"], d["exhausted"]]' '[1, 1]'
b --as tess --now 2026-11-26T17:30 --json audit log --referral "$EX" --action referral.sweep
json_is "... the exhaustion is the system's, run by olive" "$OUT" '[[e["actor"], e["after"]["status"], e["after"]["run_by"]] for e in d]' \
	'[["system", "exhausted", "olive"]]'
show "$EX" 2026-11-26T17:30
json_is "... status exhausted" "$J" 'd["status"]' exhausted
is "... offers: Delta declined, Echo expired" "Delta:declined Echo:expired" "$(offers)"
b --as tess --now 2026-11-26T17:30 --json referral list --status exhausted
json_is "referral list --status exhausted has it" "$OUT" "[r['id'] for r in d]" "[$EX]"
b --as tess --now 2026-11-26T17:30 --json waiting
rc_is "waiting --json" 0
json_is "... the exhausted referral is waiting" "$OUT" "[r['id'] for r in d['referrals']]" "[$EX]"
b --as tess --now 2026-11-26T17:30 waiting
has "waiting (text) counts it" "$OUT" "1 waiting"

refusal "a spot request from a framework provider is refused" 1 "" \
	--as olive --now 2026-11-27T09:00 spot request "$EX" --provider "Alpha Care" --rate 25.00 --hours 10 --weeks 12 --why "x"
refusal "a spot request at 19.505 is refused (money)" 1 "19.505" \
	--as olive --now 2026-11-27T09:00 spot request "$EX" --provider "Spot Agency" --rate 19.505 --hours 10 --weeks 12 --why "x"
refusal "a spot request for 200 hours is refused" 1 "168" \
	--as olive --now 2026-11-27T09:00 spot request "$EX" --provider "Spot Agency" --rate 25.00 --hours 200 --weeks 12 --why "x"
refusal "a spot request without --why is a usage error" 2 "--why" \
	--as olive --now 2026-11-27T09:00 spot request "$EX" --provider "Spot Agency" --rate 25.00 --hours 10 --weeks 12

b --as olive --now 2026-11-27T09:00 spot request "$EX" --provider "Spot Agency" --rate 25.00 --hours 10 --weeks 12 --why "framework exhausted"
rc_is "an officer requests a spot purchase" 0
matches "... which prints the request id" "$OUT" '^[0-9]+$'
REQ1=$OUT
has "... and its weekly and annual cost" "$ERR" "£13,000.00"
show "$EX" 2026-11-27T09:00
json_is "... the referral is spot_requested" "$J" 'd["status"]' spot_requested
b --as sam --now 2026-11-27T09:05 --json spot list
rc_is "spot list --json" 0
json_is "... the request: pending, by olive, undecided, £250.00 a week, £13,000.00 a year" "$OUT" \
	"[[s['id'], s['referral'], s['provider'], s['status'], s['requested_by'], s['decided_by'], s['weekly_cost'], s['annual_cost']] for s in d]" \
	"[[$REQ1, $EX, \"Spot Agency\", \"pending\", \"olive\", null, 25000, 1300000]]"
json_is "... with the premium over the lot's framework rate (£18.00: £70.00 a week)" "$OUT" '[d[0]["premium_weekly"], d[0]["annual_cost_display"]]' '[7000, "£13,000.00"]'
refusal "a second request while one is pending is refused" 1 "" \
	--as oscar --now 2026-11-27T09:10 spot request "$EX" --provider "Spot Agency" --rate 24.00 --hours 10 --weeks 12 --why "again"
refusal "the requesting officer cannot approve it" 1 "" --as olive --now 2026-11-27T09:10 spot approve "$REQ1" --note "fine by me"
refusal "another officer cannot approve it" 1 "supervisor" --as oscar --now 2026-11-27T09:10 spot approve "$REQ1" --note "ok"
refusal "a team leader cannot approve it" 1 "supervisor" --as tess --now 2026-11-27T09:10 spot approve "$REQ1" --note "ok"
refusal "an officer cannot reject it" 1 "supervisor" --as oscar --now 2026-11-27T09:10 spot reject "$REQ1" --note "no"
refusal "approve without --note is a usage error" 2 "--note" --as sam --now 2026-11-27T09:10 spot approve "$REQ1"
refusal "approve of a request that does not exist is refused" 1 "" --as sam --now 2026-11-27T09:10 spot approve 999 --note "ok"

b --as sam --now 2026-11-27T10:00 spot reject "$REQ1" --note "try a cheaper agency"
rc_is "a supervisor rejects the request" 0
show "$EX" 2026-11-27T10:00
json_is "... the referral is exhausted again" "$J" 'd["status"]' exhausted
b --as sam --now 2026-11-27T10:00 --json spot list
json_is "... the request is rejected, decided by sam" "$OUT" "[[s['status'], s['decided_by']] for s in d if s['id'] == $REQ1]" '[["rejected", "sam"]]'
refusal "a decided request cannot be decided again" 1 "" --as sue --now 2026-11-27T10:05 spot approve "$REQ1" --note "ok"

# the supervisor requests one himself: he may not decide it, another supervisor may
b --as sam --now 2026-11-27T11:00 spot request "$EX" --provider "Spot Agency" --rate 19.99 --hours 7.25 --weeks 12 --why "cheaper agency found"
rc_is "a supervisor requests a spot purchase" 0
REQ2=$OUT
b --as sam --now 2026-11-27T11:00 --json spot list --pending
json_is "weekly cost = £19.99 x 7.25 rounded half up once (£144.93); annual x 52" "$OUT" \
	"[[s['id'], s['weekly_cost'], s['annual_cost'], s['status']] for s in d]" "[[$REQ2, 14493, 753636, \"pending\"]]"
refusal "the requesting supervisor cannot approve his own request" 1 "requested" \
	--as sam --now 2026-11-27T11:05 spot approve "$REQ2" --note "I approve"
refusal "nor reject it" 1 "requested" --as sam --now 2026-11-27T11:05 spot reject "$REQ2" --note "I reject"
b --as sue --now 2026-11-27T11:10 spot approve "$REQ2" --note "agreed: cheapest available"
rc_is "another supervisor approves it" 0
show "$EX" 2026-11-27T11:15
json_is "... the referral is sourced off-contract" "$J" '[d["status"], d["route"], d["sourced_provider"], d["weekly_cost"]]' \
	'["sourced", "spot", "Spot Agency", 14493]'
b --as sue --now 2026-11-27T11:15 --json spot list
json_is "spot list: rejected by sam, approved by sue" "$OUT" "[[s['id'], s['status'], s['requested_by'], s['decided_by']] for s in d]" \
	"[[$REQ1, \"rejected\", \"olive\", \"sam\"], [$REQ2, \"approved\", \"sam\", \"sue\"]]"
b --as sue --now 2026-11-27T11:15 --json spot list --pending
json_is "spot list --pending is now empty" "$OUT" 'd' '[]'
b --as sue --now 2026-11-27T11:15 spot list
matches "spot list (text) shows who decided" "$OUT" $'approved +Spot Agency( +[^ \n]+){4} +sam +sue(\n|$)'

# ---- a key-decision-sized request ----
new_referral olive 2026-11-30T09:00 --case KD-1 --lot 3 --district East --hours 40
KD=$ID
b --as olive --now 2026-11-30T09:00 referral send "$KD"
b --as olive --now 2026-11-30T09:30 referral respond "$KD" --provider "Delta Care" decline --reason "full"
b --as olive --now 2026-11-30T09:40 referral respond "$KD" --provider "Echo Care" decline --reason "no complex care staff"
show "$KD" 2026-11-30T09:45
json_is "two declines exhaust it" "$J" 'd["status"]' exhausted
b --as olive --now 2026-11-30T10:00 spot request "$KD" --provider "Spot Agency" --rate 60.00 --hours 168 --weeks 52 --why "round-the-clock care"
rc_is "a £524,160-a-year spot request" 0
KREQ=$OUT
b --as sam --now 2026-11-30T10:00 --json spot list --pending
json_is "... needs a key decision" "$OUT" '[[s["annual_cost"], s["needs_key_decision"]] for s in d]' '[[52416000, true]]'
refusal "approving it without a key-decision reference is refused" 1 "key-decision" \
	--as sam --now 2026-11-30T11:00 spot approve "$KREQ" --note "needed"
b --as sam --now 2026-11-30T11:05 spot approve "$KREQ" --note "needed" --key-decision KD-2026-017
rc_is "with --key-decision it is approved" 0
b --as sam --now 2026-11-30T11:05 --json spot list
json_is "... the reference is recorded" "$OUT" "[[s['status'], s['key_decision']] for s in d if s['id'] == $KREQ]" '[["approved", "KD-2026-017"]]'
show "$KD" 2026-11-30T11:05
json_is "... and the referral is sourced" "$J" 'd["status"]' sourced

# ---- an urgent referral escalated early ----
new_referral olive 2026-11-30T09:00 --case URG-1 --lot 1 --district North --hours 5 --urgent
URG=$ID
b --as olive --now 2026-11-30T09:00 referral send "$URG"
refusal "an officer cannot escalate" 1 "team leader" --as olive --now 2026-11-30T09:05 referral escalate "$URG" --reason "risk"
b --as tess --now 2026-11-30T09:10 referral escalate "$URG" --reason "placement breakdown risk"
rc_is "a team leader escalates an urgent referral" 0
b --as olive --now 2026-11-30T09:20 spot request "$URG" --provider "Spot Agency" --rate 30.00 --hours 5 --weeks 4 --why "cannot wait"
rc_is "... and the officer may request a spot purchase before the framework is exhausted" 0
new_referral olive 2026-11-30T09:00 --case NU-1 --lot 1 --district North --hours 5
refusal "a referral that is not urgent cannot be escalated" 1 "urgent" --as tess --now 2026-11-30T09:10 referral escalate "$ID" --reason "x"

# ======================================================================
# The parallel policy: rank wins
# ======================================================================
printf 'cascade = "parallel";\nbatch_size = 3;\n' >"$WORK/parallel.conf"
setup_db "$WORK/parallel.db"
b --as admin $T0 policy load "$WORK/parallel.conf" --apply
rc_is "the administrator makes the council's cascade parallel" 0
P=""
b $P --as olive --now 2026-11-20T10:00 referral new --case PAR-1 --lot 1 --district South --hours 10
PA=$OUT
b $P --as olive --now 2026-11-20T10:00 referral send "$PA"
rc_is "parallel: send" 0
show "$PA" 2026-11-20T10:00
is "... approaches the top three at once" "Alpha:sent Beta:sent Gamma:sent" "$(offers)"
b $P --as olive --now 2026-11-20T11:00 referral respond "$PA" --provider "Gamma Care" accept
rc_is "rank 3 accepts first" 0
show "$PA" 2026-11-20T11:00
json_is "... the referral keeps searching" "$J" 'd["status"]' searching
json_is "... rank 3's acceptance waits, unconfirmed" "$J" '[[o["status"], o["confirmed"]] for o in d["offers"] if o["rank"] == 3]' '[["accepted", false]]'
b $P --as olive --now 2026-11-20T12:00 referral respond "$PA" --provider "Alpha Care" accept
rc_is "then rank 1 accepts" 0
show "$PA" 2026-11-20T12:00
json_is "... sourced with rank 1" "$J" '[d["status"], d["sourced_provider"]]' '["sourced", "Alpha Care"]'
is "... rank 2's and rank 3's offers are withdrawn" "Alpha:accepted Beta:withdrawn Gamma:withdrawn" "$(offers)"

b $P --as olive --now 2026-11-20T10:00 referral new --case PAR-2 --lot 1 --district South --hours 10
PB=$OUT
b $P --as olive --now 2026-11-20T10:00 referral send "$PB"
b $P --as olive --now 2026-11-20T11:00 referral respond "$PB" --provider "Gamma Care" accept
b $P --as olive --now 2026-11-20T11:30 referral respond "$PB" --provider "Beta Care" accept
show "$PB" 2026-11-20T11:30
json_is "parallel: rank 3 then rank 2 accept: still searching while rank 1 is open" "$J" 'd["status"]' searching
b $P --as olive --now 2026-11-20T12:00 referral respond "$PB" --provider "Alpha Care" decline --reason "no staff"
show "$PB" 2026-11-20T12:00
json_is "... rank 1 declines: sourced with rank 2" "$J" '[d["status"], d["sourced_provider"]]' '["sourced", "Beta Care"]'
is "... rank 3 is told it was not needed" "Alpha:declined Beta:accepted Gamma:withdrawn" "$(offers)"

b $P --as olive --now 2026-11-20T10:00 referral new --case PAR-3 --lot 1 --district South --hours 10
PC=$OUT
b $P --as olive --now 2026-11-20T10:00 referral send "$PC"
b $P --as olive --now 2026-11-20T11:00 referral respond "$PC" --provider "Gamma Care" accept
b $P --as olive --now 2026-11-25T17:30 sweep
show "$PC" 2026-11-25T17:30
json_is "parallel: ranks 1 and 2 expire: rank 3's acceptance is confirmed" "$J" '[d["status"], d["sourced_provider"]]' '["sourced", "Gamma Care"]'

# ======================================================================
# The information pause moves the deadline
# ======================================================================
setup_db "$WORK/info.db"
new_referral olive 2026-11-23T10:00 --case INF-1 --lot 1 --district East --hours 5
b --as olive --now 2026-11-23T10:00 referral send "$ID"
show "$ID" 2026-11-23T10:00
json_is "sent Mon 23 Nov 10:00: deadline Thu 26 Nov 17:00" "$J" 'd["offers"][0]["deadline_at"]' "2026-11-26T17:00:00Z"
refusal "info-supplied before any question is refused" 1 "" --as olive --now 2026-11-23T11:00 referral info-supplied "$ID" --provider "Alpha Care"
b --as olive --now 2026-11-24T11:00 referral respond "$ID" --provider "Alpha Care" info --question "Which days are needed?"
rc_is "the provider asks for information on Tue 24" 0
show "$ID" 2026-11-24T11:00
json_is "... the offer is info_requested" "$J" 'd["offers"][0]["status"]' info_requested
b --as olive --now 2026-11-26T09:00 referral info-supplied "$ID" --provider "Alpha Care"
rc_is "the information is supplied on Thu 26 09:00" 0
has "... and the new deadline is said" "$OUT" "Mon 30 Nov 2026 17:00"
show "$ID" 2026-11-26T09:00
json_is "... the deadline moves to Mon 30 Nov 17:00" "$J" '[d["offers"][0]["status"], d["offers"][0]["deadline_at"]]' \
	'["sent", "2026-11-30T17:00:00Z"]'
b --as olive --now 2026-11-27T18:00 --json sweep
json_is "a sweep after the old deadline expires nothing" "$OUT" 'd["expired"]' 0
b --as olive --now 2026-11-30T17:30 --json sweep
json_is "a sweep after the new deadline expires it" "$OUT" '[d["expired"], d["exhausted"]]' '[1, 1]'

# ======================================================================
# Pause, resume, withdraw, assign; stale versions
# ======================================================================
setup_db "$WORK/pause.db"
new_referral olive 2026-11-20T10:00 --case PAU-1 --lot 1 --district North --hours 5
PZ=$ID
b --as olive --now 2026-11-20T10:00 referral send "$PZ"
refusal "resume of a referral that is not paused is refused" 1 "not paused" --as olive --now 2026-11-20T10:30 referral resume "$PZ"
refusal "pause without a reason is a usage error" 2 "--reason" --as olive --now 2026-11-20T10:30 referral pause "$PZ"
b --as olive --now 2026-11-20T11:00 referral pause "$PZ" --reason "family asks to wait"
rc_is "pause" 0
show "$PZ" 2026-11-20T11:00
json_is "... status paused" "$J" 'd["status"]' paused
is "... the open offer is withdrawn" "Alpha:withdrawn" "$(offers)"
refusal "respond on a paused referral is refused" 1 "" \
	--as olive --now 2026-11-20T11:30 referral respond "$PZ" --provider "Alpha Care" accept
b --as olive --now 2026-11-25T18:00 --json sweep
json_is "a sweep leaves the paused referral alone" "$OUT" '[d["expired"], d["approached"], d["exhausted"]]' '[0, 0, 0]'
b --as olive --now 2026-11-30T09:00 referral resume "$PZ"
rc_is "resume" 0
show "$PZ" 2026-11-30T09:00
json_is "... searching again" "$J" 'd["status"]' searching
is "... the search starts again from the top" "Alpha:withdrawn Alpha:sent" "$(offers)"
json_is "... with a new clock" "$J" 'd["offers"][1]["deadline_at"]' "2026-12-03T17:00:00Z"

refusal "an officer cannot assign" 1 "team leader" --as olive --now 2026-11-30T09:10 referral assign "$PZ" oscar
refusal "assign to an unknown login is refused" 1 "" --as tess --now 2026-11-30T09:10 referral assign "$PZ" nobody
b --as tess --now 2026-11-30T09:10 referral assign "$PZ" oscar
rc_is "a team leader assigns the referral to another officer" 0
show "$PZ" 2026-11-30T09:10
json_is "... holder oscar" "$J" 'd["holder"]' oscar
V=$(jq_ "$J" 'd["version"]')

# stale version: tess pauses it after olive looked at version V
b --as tess --now 2026-11-30T09:20 referral pause "$PZ" --reason "hospital stay" --expect-version "$V"
rc_is "pause with the current --expect-version" 0
refusal "withdraw with a stale --expect-version is a conflict (exit 3)" 3 "changed" \
	--as olive --now 2026-11-30T09:30 referral withdraw "$PZ" --reason "moved away" --expect-version "$V"
has "... the message says what changed (the pause, by whom)" "$ERR" "pause"
has "... and who changed it" "$ERR" "tess"
refusal "resume with a stale --expect-version is a conflict" 3 "version" \
	--as olive --now 2026-11-30T09:30 referral resume "$PZ" --expect-version "$V"
show "$PZ" 2026-11-30T09:31
refusal "after olive reads it again, a stale version is still a conflict naming the pause" 3 "referral.pause by tess" \
	--as olive --now 2026-11-30T09:32 referral resume "$PZ" --expect-version "$V"
lacks "... not olive's read, which changed nothing" "$ERR" "referral.read"
b --as olive --now 2026-11-30T09:30 --json referral resume "$PZ" --expect-version "$V"
json_is "... --json: the error names the conflict and exit 3" "$OUT" '[d["ok"], d["error"]["status"], d["error"]["exit"]]' '[false, "conflict", 3]'
refusal "a bad --expect-version is a usage error" 2 "expect-version" \
	--as olive --now 2026-11-30T09:30 referral resume "$PZ" --expect-version soon
b --as olive --now 2026-11-30T09:40 --json referral withdraw "$PZ" --reason "moved away" --expect-version $((V + 1))
rc_is "withdraw with the version now current" 0
json_is "... --json gives id, version and status" "$OUT" '[d["id"], d["version"], d["status"]]' "[$PZ, $((V + 2)), \"withdrawn\"]"
show "$PZ" 2026-11-30T09:40
json_is "... status withdrawn" "$J" 'd["status"]' withdrawn
refusal "resume of a withdrawn referral is refused" 1 "" --as olive --now 2026-11-30T10:00 referral resume "$PZ"
refusal "send of a withdrawn referral is refused" 1 "" --as olive --now 2026-11-30T10:00 referral send "$PZ"
refusal "show of a referral that does not exist is refused" 1 "" --as olive --now 2026-11-30T10:00 referral show 999

new_referral olive 2026-11-30T10:00 --case PAU-2 --lot 1 --district North --hours 5
b --as olive --now 2026-11-30T10:00 referral withdraw "$ID" --reason "duplicate"
rc_is "a new referral can be withdrawn" 0

# ======================================================================
# Team-leader pre-approval, when configured
# ======================================================================
printf 'require_approval = true;\n' >"$WORK/approval.conf"
setup_db "$WORK/approval.db"
b --as admin $T0 policy load "$WORK/approval.conf" --apply
rc_is "the administrator makes pre-approval the council's rule" 0
AP=""
b $AP --as olive --now 2026-11-20T10:00 referral new --case APP-1 --lot 1 --district North --hours 5
ID=$OUT
refusal "with pre-approval configured, send before approval is refused" 1 "approv" \
	$AP --as olive --now 2026-11-20T10:05 referral send "$ID"
refusal "an officer cannot approve a referral" 1 "team leader" $AP --as olive --now 2026-11-20T10:05 referral approve "$ID"
b $AP --as tess --now 2026-11-20T10:10 referral approve "$ID"
rc_is "a team leader approves it" 0
show "$ID" 2026-11-20T10:10
json_is "... status ready" "$J" 'd["status"]' ready
b $AP --as olive --now 2026-11-20T10:15 referral send "$ID"
rc_is "... and then it can be sent" 0

# ---- issue 14: approval covers what was approved ----
b $AP --as olive --now 2026-11-20T11:00 referral new --case APP-2 --lot 1 --district North --hours 5 --age 12
ID=$OUT
b $AP --as tess --now 2026-11-20T11:05 referral approve "$ID"
b $AP --as olive --now 2026-11-20T11:10 referral edit "$ID" --note "family prefers mornings"
rc_is "an edit of the note keeps the approval" 0
show "$ID" 2026-11-20T11:10
json_is "... still ready" "$J" 'd["status"]' ready
b $AP --as olive --now 2026-11-20T11:15 referral edit "$ID" --hours 20
rc_is "the hours change after approval" 0
has "... and the officer is told it needs approval again" "$OUT$ERR" "needs a team leader's approval again"
show "$ID" 2026-11-20T11:15
json_is "... it is new again" "$J" 'd["status"]' new
refusal "... so it cannot be sent" 1 "approv" $AP --as olive --now 2026-11-20T11:20 referral send "$ID"
b --as admin --now 2026-11-20T11:20 --json audit log --referral "$ID"
json_is "... the return is in the audit trail" "$OUT" \
	'[e["after"].get("status") for e in d if e["action"] == "referral.edit"][-1]' new
b $AP --as tess --now 2026-11-20T11:25 referral approve "$ID"
b $AP --as olive --now 2026-11-20T11:30 referral pause "$ID" --reason "family away"
b $AP --as olive --now 2026-11-20T11:35 referral edit "$ID" --district South
b $AP --as olive --now 2026-11-20T11:40 referral resume "$ID"
show "$ID" 2026-11-20T11:40
json_is "a change while paused after approval resumes to new" "$J" 'd["status"]' new

# ======================================================================
# History stays history (issue 14)
# ======================================================================
setup_db "$WORK/history.db"
new_referral olive 2026-11-20T10:00 --case HIS-1 --lot 1 --district North --hours 5 --panel-date 2026-11-16
H1=$ID
b --as olive --now 2026-11-20T10:00 referral send "$H1"
refusal "the panel date cannot move after the first approach" 1 "after the referral's first provider was approached" \
	--as olive --now 2026-11-25T10:00 referral edit "$H1" --panel-date 2026-11-24
b --as olive --now 2026-11-20T10:30 referral edit "$H1" --panel-date 2026-11-13
rc_is "... but it can move earlier while searching" 0
b --as olive --now 2026-11-23T10:00 referral respond "$H1" --provider "Alpha Care" accept
show "$H1" 2026-11-23T10:00
json_is "sourced" "$J" 'd["status"]' sourced
refusal "the panel date cannot move once sourced" 1 "cannot move now" \
	--as olive --now 2026-11-25T10:00 referral edit "$H1" --panel-date 2026-11-12
b --as olive --now 2026-11-25T10:00 referral end "$H1" --date 2026-12-31
rc_is "an end date in the future is accepted" 0
has "... as a planned end" "$OUT$ERR" "will end on"
show "$H1" 2026-11-25T10:00
json_is "... the package stays active (sourced) until then" "$J" '[d["status"], d["ended_on"]]' '["sourced", "2026-12-31"]'
b --as olive --now 2026-11-25T10:00 --json referral list --status sourced
json_is "... and is on the list of sourced packages" "$OUT" "[r['id'] for r in d]" "[$H1]"
b --as tess --now 2026-12-30T10:00 --json sweep
json_is "a sweep before the day ends nothing" "$OUT" 'd["ended"]' 0
b --as tess --now 2026-12-31T10:00 --json sweep
json_is "the sweep on the day ends it" "$OUT" 'd["ended"]' 1
show "$H1" 2026-12-31T10:00
json_is "... ended on its planned date" "$J" '[d["status"], d["ended_on"]]' '["ended", "2026-12-31"]'

# ---- escalation: an urgent referral may go to a spot request before it is
# sent; a rejected request returns it to where it was ----
new_referral olive 2026-11-20T10:00 --case ESC-1 --lot 1 --district North --hours 5 --urgent
E1=$ID
b --as tess --now 2026-11-20T10:05 referral escalate "$E1" --reason "placement breaking down"
b --as olive --now 2026-11-20T10:10 spot request "$E1" --provider "Spot Agency" --rate 30.00 --hours 5 --weeks 4 --why "urgent"
rc_is "an escalated urgent referral goes to a spot request before it is sent" 0
S1=$OUT
b --as sam --now 2026-11-20T11:00 spot reject "$S1" --note "try the framework first"
rc_is "a supervisor rejects it" 0
show "$E1" 2026-11-20T11:00
json_is "... the referral never offered is back where it was (new), not exhausted" "$J" 'd["status"]' new
new_referral olive 2026-11-20T10:00 --case ESC-2 --lot 1 --district North --hours 5 --urgent
E2=$ID
b --as olive --now 2026-11-20T10:01 referral send "$E2"
b --as tess --now 2026-11-20T10:05 referral escalate "$E2" --reason "placement breaking down"
b --as olive --now 2026-11-20T10:10 spot request "$E2" --provider "Spot Agency" --rate 30.00 --hours 5 --weeks 4 --why "urgent"
S2=$OUT
b --as sam --now 2026-11-20T11:00 spot reject "$S2" --note "wait for Alpha"
show "$E2" 2026-11-20T11:00
json_is "a searching one is searching again" "$J" 'd["status"]' searching
is "... Alpha, whose offer the request withdrew, approached again" "Alpha:withdrawn Alpha:sent" "$(offers)"

# ======================================================================
# Issue 14: capacity, rates, staff holding referrals, amber, risk
# ======================================================================
setup_db "$WORK/small.db"
b $TESS provider add "Big Care" --capacity North=400 South=1250.5
rc_is "a capacity of 400 hours a week in a district is fine" 0
b $TESS --json provider show "Big Care"
json_is "... kept as given, in minutes" "$OUT" '[d["capacity_minutes"]["North"], d["capacity_minutes"]["South"]]' '[24000, 75030]'
refusal "a zero rate for a provider is refused in words" 1 "is not a rate" $TESS provider set "Spot Agency" --rate 0
lacks "... never SQLite's text" "$ERR" "constraint"
refusal "168.01 hours is more than a week, not 'not whole minutes'" 1 "exceeds 168 hours a week" \
	--as olive $T0 referral new --case SM-1 --lot 1 --district North --hours 168.01
new_referral olive 2026-11-02T09:00 --case SM-2 --lot 1 --district North --hours 5
SM2=$ID
refusal "deactivating an officer who holds open referrals is refused, saying how many" 1 "holds 1 open referral" \
	--as admin $T0 staff deactivate olive
has "... and how to reassign them" "$ERR" "referral assign"
refusal "making them an administrator too" 1 "holds 1 open referral" --as admin $T0 staff set-role olive --role admin
b --as tess $T0 referral assign "$SM2" oscar
b --as admin $T0 staff deactivate olive
rc_is "... once reassigned, deactivated" 0
b --as tess $T0 provider set "Alpha Care" --risk amber
b --as oscar $T0 --json referral send "$SM2"
rc_is "sending to an amber provider" 0
json_is "... warns in the JSON" "$OUT" 'd.get("warning")' "Alpha Care is rated amber risk: approached with a warning"
has "... and in the message" "$(jq_ "$OUT" 'd["message"]')" "warning: Alpha Care is rated amber risk"
b --as tess $T0 provider set "Alpha Care" --risk red
rc_is "rating a provider red" 0
has "... says how many open offers it holds" "$OUT$ERR" "still holds 1 open offer"
b --as tess $T0 provider set "Gamma Care" --inactive
has "making a provider inactive says so too (none here)" "$OUT$ERR" "made Gamma Care inactive: it is offered no new work; it still holds 0 open offers"
refusal "an unknown sub-command is named with its group's sub-commands" 2 "unknown sub-command 'frob' of 'referral': its sub-commands are new, approve" \
	--as oscar $T0 referral frob 1
b --as oscar $T0 --json referral show "$SM2"
V=$(jq_ "$OUT" 'd["version"]')
refusal "a version the referral never had: says the version it is at and the one given" 3 \
	"referral $SM2 is at version $V and you gave 99" --as oscar $T0 referral pause "$SM2" --reason x --expect-version 99
b --as oscar --now 2026-11-03T09:00 referral respond "$SM2" --provider "Alpha Care" info --question "which school?"
rc_is "the provider asks for information" 0
b --as oscar --now 2026-11-20T09:00 --json referral list --status searching
json_is "on lists, long after its old deadline, its clock is stopped, not breached" "$OUT" \
	"[(r['clock_stopped'], r['next_deadline'], r['breached']) for r in d if r['id'] == $SM2]" '[[true, null, false]]'
b --as oscar --now 2026-11-20T09:00 referral list --status searching
has "... the text list says so" "$OUT" "clock stopped"
b --as tess --now 2026-11-20T09:00 report waiting --csv -
has "... so does the waiting list report" "$OUT" '"Alpha Care",1,,"stopped: we owe information","no"' 
# one description per field: blank is empty, names trimmed and compared without case,
# characters not bytes, controls refused the same way by every door
refusal "a reason of spaces is no reason" 1 "the reason is required (spaces alone do not count)" \
	--as oscar $T0 referral pause "$SM2" --reason "   "
refusal "a provider named again with spaces around it and other capitals is a duplicate" 1 "there is already a provider named 'Alpha Care'" \
	--as tess $T0 provider add "  alpha care  "
refusal "a staff name of spaces is no name" 1 "the name is required" --as admin $T0 staff add nobody --name "  " --role officer
b --as tess $T0 provider add "  Trimmed Care "
b --as tess $T0 --json provider show "Trimmed Care"
json_is "a provider's name is kept trimmed" "$OUT" 'd["name"]' "Trimmed Care"
E500=$(python3 -c 'print("\u00e9" * 500, end="")')
new_referral oscar 2026-11-02T09:00 --case SM-4 --lot 1 --district North --hours 5
SM4=$ID
b --as oscar $T0 referral pause "$SM4" --reason "$E500"
rc_is "500 characters of two bytes each are a 500-character reason (characters, not bytes)" 0
refusal "501 are not" 1 "501 characters" --as oscar $T0 referral withdraw "$SM4" --reason "${E500}e"
refusal "a control character in a note is refused by the command" 1 "the note holds a control character (U+001B)" \
	--as oscar $T0 referral new --case SM-5 --lot 1 --district North --hours 5 --note $'late \e[31mred'
printf 'case_ref,lot,district,hours,note\nSM-5,1,North,5,"late \033[31mred"\n' >"$WORK/ctl.csv"
b --as oscar $T0 import referrals "$WORK/ctl.csv"
has "... and by import, in the same words" "$ERR" "ctl.csv:2: note: the note holds a control character (U+001B)"
# the pick-up note: exact hours and grammar, from the numbers of the table
new_referral oscar 2026-11-23T09:00 --case SM-3 --lot 1 --district South --hours 7.5
b --as oscar --now 2026-11-23T09:05 referral send "$ID"
b --as oscar --now 2026-11-23T09:10 referral respond "$ID" --provider "Beta Care" accept
b --as tess --now 2026-11-25T09:00 report pickup --week 2026-11-23
has "the pick-up note counts 7.5 hours as 7.5, one package as one" "$OUT" "1 package (7.5 hours a week) picked up"

# ======================================================================
# Sweeps at the same moment never send two offers
# ======================================================================
setup_db "$WORK/sweep.db"
for n in 1 2 3; do
	new_referral olive 2026-11-20T10:00 --case SW-$n --lot 1 --district North --hours 5
	b --as olive --now 2026-11-20T10:00 referral send "$ID"
done
for n in 1 2 3 4 5 6; do
	"$BIN" --db "$DB" --as olive --now 2026-11-26T09:00 --json sweep >"$WORK/sweep$n.out" 2>&1 &
done
wait
total=$(python3 -c '
import json, sys
t = [0, 0, 0]
for f in sys.argv[1:]:
    try:
        d = json.load(open(f))
    except Exception:
        continue
    if d.get("ok"):
        t[0] += d["expired"]; t[1] += d["approached"]; t[2] += 1
print(t)' "$WORK"/sweep?.out)
is "six sweeps at once all succeed: three offers expired and three sent in all" "[3, 3, 6]" "$total"
b --as olive --now 2026-11-26T09:05 --json referral list
json_is "... each referral has exactly one open offer, with Beta Care" "$OUT" \
	'[[o["rank"] for o in r["offers"] if o["status"] == "sent"] for r in d]' '[[2], [2], [2]]'
b --as admin --now 2026-11-26T09:05 check
rc_is "... and check is clean afterwards" 0

# ======================================================================
# Lists
# ======================================================================
setup_db "$WORK/list.db"
new_referral olive 2026-11-20T10:00 --case L-1 --lot 1 --district North --hours 5
L1=$ID
new_referral olive 2026-11-20T10:00 --case L-2 --lot 3 --district East --hours 5
L2=$ID
new_referral oscar 2026-11-20T10:00 --case L-3 --lot 1 --district South --hours 5
L3=$ID
b --as olive --now 2026-11-20T10:00 referral send "$L1"
b --as olive --now 2026-11-20T10:05 --json referral list
rc_is "referral list --json" 0
json_is "... an array of the three" "$OUT" '[r["id"] for r in d]' "[$L1, $L2, $L3]"
json_is "... each with the contract fields" "$OUT" \
	'all(all(k in r for k in ("id", "case_ref", "lot", "district", "status", "version", "holder", "offers")) for r in d)' true
json_is "... and its offers" "$OUT" "[len(r['offers']) for r in d]" '[1, 0, 0]'
b --as olive --now 2026-11-20T10:05 --json referral list --status searching
json_is "--status searching" "$OUT" '[r["id"] for r in d]' "[$L1]"
b --as olive --now 2026-11-20T10:05 --json referral list --status new
json_is "--status new" "$OUT" '[r["id"] for r in d]' "[$L2, $L3]"
b --as olive --now 2026-11-20T10:05 --json referral list --mine
json_is "--mine (olive)" "$OUT" '[r["id"] for r in d]' "[$L1, $L2]"
b --as oscar --now 2026-11-20T10:05 --json referral list --mine
json_is "--mine (oscar)" "$OUT" '[r["id"] for r in d]' "[$L3]"
b --as olive --now 2026-11-20T10:05 --json referral list --lot 3
json_is "--lot 3" "$OUT" '[r["id"] for r in d]' "[$L2]"
b --as olive --now 2026-11-20T10:05 --json referral list --district South
json_is "--district South" "$OUT" '[r["id"] for r in d]' "[$L3]"
b --as olive --now 2026-11-20T10:05 --json referral list --lot 1 --district North --status searching --mine
json_is "all filters together" "$OUT" '[r["id"] for r in d]' "[$L1]"
b --as olive --now 2026-11-20T10:05 referral list --status bogus
rc_is "an unknown --status is a usage error" 2
b --as olive --now 2026-11-20T10:05 referral list --district Atlantis
rc_is "an unknown --district is a usage error" 2
b --as olive --now 2026-11-20T10:05 referral list
has "referral list (text) shows the case and the step" "$OUT" "Alpha Care (1 of 3)"
b --as tess --now 2026-11-30T10:00 --json waiting
json_is "waiting --json: three unsourced referrals" "$OUT" 'd["total"]' 3
json_is "... counted by lot and district" "$OUT" '[d["by_lot_district"]["1"]["North"], d["by_lot_district"]["3"]["East"]]' '[1, 1]'
json_is "... one deadline breached (Alpha's of Wed 25 Nov)" "$OUT" 'd["breached"]' 1
json_is "... and it is overdue: open past its deadline, not yet swept" "$OUT" 'sum(1 for r in d["referrals"] if r["overdue"])' 1
b --as tess --now 2026-11-30T10:00 waiting
has "waiting (text)" "$OUT" "3 waiting, 1 with a deadline breached"

# ======================================================================
# The contract clock
# ======================================================================
dl() { # SENT DEADLINE_UTC RECEIVED
	b --as olive --json deadline --sent "$1"
	if [ "$RC" = 0 ]; then
		json_is "deadline --sent $1 -> $2 (received $3)" "$OUT" '[d["sent_at"] is not None, d["received_on"], d["deadline_at"]]' \
			"[true, \"$3\", \"$2\"]"
	else
		fail "deadline --sent $1" "exit 0" "exit $RC: $ERR"
	fi
}
dl 2026-11-20T10:00 2026-11-25T17:00:00Z 2026-11-20
dl 2026-11-20T16:30 2026-11-26T17:00:00Z 2026-11-23
dl 2026-11-21T11:00 2026-11-26T17:00:00Z 2026-11-23
dl 2026-12-23T09:00 2026-12-30T17:00:00Z 2026-12-23
dl 2026-11-23T10:00 2026-11-26T17:00:00Z 2026-11-23
dl 2026-11-20T16:00 2026-11-26T17:00:00Z 2026-11-23
dl 2026-07-01T10:00 2026-07-06T16:00:00Z 2026-07-01
dl 2026-03-27T10:00 2026-04-01T16:00:00Z 2026-03-27
dl 2026-10-23T10:00 2026-10-28T17:00:00Z 2026-10-23
b --as olive --json deadline --sent 2026-12-23T09:00
json_is "deadline --json gives sent_at in UTC" "$OUT" 'd["sent_at"]' "2026-12-23T09:00:00Z"
b --as olive --json deadline --sent 2026-07-01T10:00
json_is "a summer time is local (BST): sent_at 09:00Z" "$OUT" 'd["sent_at"]' "2026-07-01T09:00:00Z"
b --as olive deadline --sent 2026-11-20T10:00
has "deadline (text)" "$OUT" "deadline Wed 25 Nov 2026 17:00"
b --as olive deadline --sent 2026-12-23T09:00
has "deadline (text) Christmas" "$OUT" "deadline Wed 30 Dec 2026 17:00"
b --as olive --json deadline --sent 2026-10-25T01:30
json_is "an ambiguous local time (clocks go back) means the first: 00:30Z" "$OUT" 'd["sent_at"]' "2026-10-25T00:30:00Z"
b --as olive --json deadline --sent 2026-11-20T10:00+01:00
json_is "an offset makes the time absolute" "$OUT" 'd["sent_at"]' "2026-11-20T09:00:00Z"
b --as olive deadline --sent 2026-03-29T01:30
refused "a local time that does not exist (clocks go forward) is refused" 2 "does not exist"
b --as olive deadline --sent 2026-11-20T10:00Z
rc_is "an absolute time with Z is accepted" 0
b --as olive deadline --sent "2026-11-20 ten o'clock"
rc_is "a time that cannot be read is a usage error" 2
b --as olive deadline
rc_is "deadline without --sent is a usage error" 2

b --as olive calendar --year 2026
rc_is "calendar --year 2026" 0
has "... Christmas Day on Fri 25 Dec" "$OUT" "Fri 25 Dec 2026  Christmas Day"
has "... Boxing Day (substitute day) on Mon 28 Dec" "$OUT" "Mon 28 Dec 2026  Boxing Day (substitute day)"
has "... Good Friday 3 Apr" "$OUT" "Fri 3 Apr 2026  Good Friday"
has "... Easter Monday 6 Apr" "$OUT" "Mon 6 Apr 2026  Easter Monday"
b --as olive --json calendar --year 2026
json_is "calendar --json: eight bank holidays in 2026" "$OUT" 'len(d["holidays"])' 8
json_is "... Christmas and the substitute Boxing Day" "$OUT" '[h["date"] for h in d["holidays"] if "Christmas" in h["name"] or "Boxing" in h["name"]]' \
	'["2026-12-25", "2026-12-28"]'
b --as olive calendar --year 2027
has "calendar 2027: Christmas (substitute day) on Mon 27 Dec" "$OUT" "Mon 27 Dec 2027"
has "... Boxing Day (substitute day) on Tue 28 Dec" "$OUT" "Tue 28 Dec 2027"
b --as olive calendar
rc_is "calendar without --year is a usage error" 2

# ======================================================================
# check --deep: each workflow invariant, broken once behind the program's
# back (sqlite3 or psql on a copy of a demo), is found and named; the
# untouched demo passes.
DEMO=$(newdb "$WORK/inv.db")
run --db "$DEMO" --now 2026-03-02T10:00 demo --referrals 300 --seed 5
rc_is "a demo for the invariants" 0
ADMIN=$(id -un) # the demo's administrator: the login that made it
run --db "$DEMO" --as "$ADMIN" check --deep
rc_is "the demo passes check --deep" 0
broken() { # DESC NEEDLE SQL: a copy with SQL applied fails check --deep naming NEEDLE
	rm -f "$WORK/broken.db"*
	if is_conninfo "$DEMO"; then BROKEN=$(dbcopy "$DEMO" "$WORK/broken.db"); else
		BROKEN=$WORK/broken.db
		sqlite3 "$DEMO" ".backup '$BROKEN'"
	fi
	sql "$BROKEN" "$3" 2>>"$WORK/.sqlerr" >/dev/null
	run --db "$BROKEN" --as "$ADMIN" check --deep
	if [ "$RC" = 4 ] && [[ $OUT$ERR == *"$2"* ]]; then pass "check --deep finds $1"; else
		fail "check --deep finds $1" "exit 4 naming '$2'" "exit $RC: $OUT $ERR"; fi
}
broken "a searching referral with no open offer" "searching referral with no open offer" \
	"UPDATE offer SET status = 'declined' WHERE status IN ('sent','info_requested') AND referral_id = (SELECT min(id) FROM referral WHERE status = 'searching')"
broken "an open offer on a sourced referral" "open offer on a referral that is not searching" \
	"UPDATE offer SET status = 'sent' WHERE id = (SELECT min(o.id) FROM offer o JOIN referral r ON r.id = o.referral_id WHERE r.status = 'sourced' AND o.status = 'declined')"
broken "a framework placement without its acceptance" "without one confirmed acceptance" \
	"UPDATE offer SET confirmed = 0 WHERE id = (SELECT min(o.id) FROM offer o JOIN referral r ON r.id = o.referral_id WHERE r.route = 'framework' AND o.confirmed = 1)"
broken "a spot purchase without an approved request" "without an approved spot request" \
	"UPDATE spot_request SET status = 'rejected' WHERE id = (SELECT min(s.id) FROM spot_request s JOIN referral r ON r.id = s.referral_id WHERE r.route = 'spot' AND s.status = 'approved')"
broken "two open offers at one rank" "two open offers at one rank" \
	"INSERT INTO offer(referral_id, provider_id, rank, status, confirmed, sent_at, received_on, deadline_at, sent_by) SELECT o.referral_id, (SELECT min(id) FROM provider WHERE id NOT IN (SELECT provider_id FROM offer WHERE referral_id = o.referral_id)), o.rank, 'sent', 0, o.sent_at, o.received_on, o.deadline_at, o.sent_by FROM offer o WHERE o.status = 'sent' LIMIT 1"
# the schema itself refuses a spot request decided by its requester
sql "$BROKEN" "UPDATE spot_request SET decided_by = requested_by WHERE id = (SELECT min(id) FROM spot_request WHERE decided_by IS NOT NULL)" 2>"$WORK/.sod"
if [ "$ENGINE" = pg ]; then
	has "even psql as the superuser cannot make a requester decide their own spot request" "$(cat "$WORK/.sod")" "violates check constraint"
else
	has "even sqlite3 cannot make a requester decide their own spot request" "$(cat "$WORK/.sod")" "CHECK constraint failed"
fi
broken "an offer with no audit event" "offer with no audit event recording it" \
	"INSERT INTO offer(referral_id, provider_id, rank, status, confirmed, sent_at, received_on, deadline_at, sent_by) SELECT referral_id, provider_id, rank + 40, 'declined', 0, sent_at, received_on, deadline_at, sent_by FROM offer LIMIT 1"
broken "a change with no audit event for its version" "without an audit event for its version" \
	"UPDATE referral SET version = version + 1 WHERE id = (SELECT min(id) FROM referral)"
is "$([ "$ENGINE" = pg ] && echo psql || echo sqlite3) made every breakage (no SQL errors)" "" "$(cat "$WORK/.sqlerr" 2>/dev/null)"

# ======================================================================
echo "# $REFUSALS refused commands checked to leave the data exactly as it was"
is "at least ten different refusals were checked" yes "$([ "$REFUSALS" -ge 10 ] && echo yes || echo no)"
finish
