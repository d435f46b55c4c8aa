#!/usr/bin/env bash
# The council's rules are one policy, kept in the database (issue 14, part 1):
# nothing in a person's own file or environment changes an outcome; `policy
# show` and `policy load` (administrators, previewed, audited, open offers'
# deadlines moved only by decision); `init --policy`.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ME=$(id -un)
A="--as $ME"
content() { snapshot "${1:-$DB}" | sed -n 's/^content=//p'; } # the hash of every row
deadline_of() { # REFERRAL: the deadline of its first offer, UTC
	b --as olive --json referral show "$1"
	jq_ "$OUT" 'd["offers"][0]["deadline_at"]'
}

run --db "$DB" init --test-mode --now 2026-11-16T09:00
rc_is "init --test-mode" 0
b $A --now 2026-11-16T09:00 staff add olive --name "Olive Officer" --role officer
b $A --now 2026-11-16T09:00 staff add owen --name "Owen Officer" --role officer
b $A --now 2026-11-16T09:00 staff add tess --name "Tess Leader" --role team_leader
b $A --now 2026-11-16T09:00 staff add sam --name "Sam Supervisor" --role supervisor
b --as tess --now 2026-11-16T09:00 provider add "Alpha Care" --ages 0-25
b --as tess --now 2026-11-16T09:00 provider add "Redrisk Ltd" --ages 0-25 --risk red
b --as tess --now 2026-11-16T09:00 provider add "Spot Agency" --off-framework --ages 0-25 --rate 120.00
b --as tess --now 2026-11-16T09:00 rank set --lot 1 --district North "Alpha Care"
b --as tess --now 2026-11-16T09:00 rank set --lot 3 --district East "Redrisk Ltd"
rc_is "set up: staff, providers, rankings" 0

# ---- the policy is shown with who set it ----
b --as olive policy show
rc_is "policy show: anyone on the staff may read it" 0
has "... in the file's syntax" "$OUT" "response_days = 3;"
has "... with who set it" "$OUT" "set by $ME"
b --as olive --json policy show
json_is "policy show --json: value, who and when for every key" "$OUT" \
	'[d["policy"]["response_days"]["value"], d["policy"]["response_days"]["set_by"], d["policy"]["key_decision_threshold"]["value"], len(d["policy"])]' \
	"[3, \"$ME\", 50000000, 21]"
json_is "... the default decline codes, 'other' among them" "$OUT" \
	'[c["keyword"] for c in d["policy"]["decline_codes"]["value"]]' '["capacity", "area", "needs", "eligibility", "information", "other"]'

# ---- nothing personal changes an outcome ----
mkdir -p "$WORK/olive"
printf 'colour = false;\n# more days for me\nresponse_days = 5;\n' >"$WORK/olive/brokerage.conf"
before=$(content)
b --config "$WORK/olive/brokerage.conf" --as olive --now 2026-11-20T10:00 deadline --sent 2026-11-20T10:00
refused "a policy key in a personal file is refused (exit 2), naming FILE:LINE" 2 "brokerage.conf:3"
has "... saying the council's rules live in the database" "$ERR" "policy show"
BROKERAGE_CONFIG=$WORK/olive/brokerage.conf b --as olive --now 2026-11-20T10:00 referral new --case X-1 --lot 1 --district North --hours 5
refused "... through \$BROKERAGE_CONFIG too, and nothing is recorded" 2 "response_days"
mkdir -p "$HOME/.config/brokerage"
printf 'excluded_risks = [];\n' >"$HOME/.config/brokerage/brokerage.conf"
b --as olive --now 2026-11-20T10:00 referral list
refused "... and through ~/.config/brokerage/brokerage.conf" 2 "excluded_risks"
rm -f "$HOME/.config/brokerage/brokerage.conf"
printf 'key_decision_threshold = "1000000000.00";\n' >"$WORK/sam.conf"
b --config "$WORK/sam.conf" --as sam --now 2026-11-20T10:00 spot list
refused "... a supervisor's own key-decision threshold is refused" 2 "key_decision_threshold"
printf 'lots = ( { number = 9; name = "Mine"; cqc_required = false; framework_rate = "1.00"; } );\ndistricts = [ "Atlantis" ];\n' >"$WORK/lots.conf"
b --config "$WORK/lots.conf" --as olive --now 2026-11-20T10:00 referral list
refused "... an officer's file cannot add a lot or a district" 2 "lots"
unchanged_content=$(content)
is "none of the refused runs changed the database" "$before" "$unchanged_content"
is "... and no lot 9 or Atlantis was written" "0 0" \
	"$(sql "$DB" "select count(*) from lot where number = 9") $(sql "$DB" "select count(*) from district where name = 'Atlantis'")"
printf 'colour = false;\ndatabase = "%s";\n' "$DB" >"$WORK/mine.conf"
run --config "$WORK/mine.conf" --as olive --now 2026-11-20T10:00 deadline --sent 2026-11-20T10:00
rc_is "a personal file with only personal settings is read (its database used)" 0
has "... and the deadline is the council's" "$OUT" "Wed 25 Nov 2026 17:00"
run --config "$WORK/mine.conf" config show
matches "config show names the file that set the database" "$OUT" "database = \"$DB\"; # .*mine.conf"
has "... and says where the council's rules are" "$OUT" "brokerage policy show"

# red risk stays excluded for everyone
b --as olive --now 2026-11-20T10:00 referral new --case RED-1 --lot 3 --district East --hours 5
RED=$OUT
b --as olive --now 2026-11-20T10:00 referral send "$RED"
b --as olive --json referral show "$RED"
json_is "a red-risk provider is not approached (the referral is exhausted)" "$OUT" '[d["status"], len(d["offers"])]' '["exhausted", 0]'

# the key decision holds for a supervisor whatever their file said
b --as olive --now 2026-11-20T10:10 spot request "$RED" --provider "Spot Agency" --rate 120.00 --hours 100 --weeks 52 --why "no framework provider"
SPOT=$(sql "$DB" "select max(id) from spot_request")
b --as sam --now 2026-11-20T11:00 spot approve "$SPOT" --note "ok"
refused "a £624,000-a-year purchase needs a key-decision reference" 1 "key"

# ---- policy load: administrators, previewed, then applied by decision ----
b --as olive --now 2026-11-20T10:00 referral new --case OPEN-1 --lot 1 --district North --hours 5
OPEN=$OUT
b --as olive --now 2026-11-20T10:00 referral send "$OPEN"
is "an open offer sent Fri 20 Nov 10:00 is due Wed 25 Nov 17:00" "2026-11-25T17:00:00Z" "$(deadline_of "$OPEN")"

printf 'response_days = 5;\n' >"$WORK/five.conf"
before=$(content)
b --as tess --now 2026-11-20T12:00 policy load "$WORK/five.conf" --apply
refused "a team leader cannot load a policy" 1 "administrator"
b $A --now 2026-11-20T12:00 policy load "$WORK/five.conf"
rc_is "policy load FILE previews" 0
has "... what would change" "$OUT" "response_days: 3"
has "... every open offer whose deadline would move" "$OUT" "OPEN-1"
has "... to when" "$OUT" "Fri 27 Nov 2026 17:00"
has "... and says nothing changed" "$OUT" "Nothing was changed"
is "... and nothing did" "$before" "$(content)"
b $A --now 2026-11-20T12:00 --json policy load "$WORK/five.conf"
json_is "policy load --json: the change and the offer, not applied" "$OUT" \
	'[d["applied"], [c["key"] for c in d["changed"]], [m["case_ref"] for m in d["deadlines"]], d["deadlines"][0]["after"]]' \
	'[false, ["response_days"], ["OPEN-1"], "2026-11-27T17:00:00Z"]'
b $A --now 2026-11-20T12:00 policy load "$WORK/five.conf" --move-open-deadlines
refused "--move-open-deadlines without --apply is a usage error" 2 "--apply"

printf 'response_days = 50;\n' >"$WORK/bad.conf"
b $A --now 2026-11-20T12:00 policy load "$WORK/bad.conf" --apply
refused "a bad policy file is refused naming FILE:LINE" 1 "bad.conf:1"
printf 'database = "/srv/x.db";\n' >"$WORK/host.conf"
b $A --now 2026-11-20T12:00 policy load "$WORK/host.conf" --apply
refused "a host setting in a policy file is refused" 1 "not one of the council's rules"
is "... and neither changed anything" "$before" "$(content)"

b $A --now 2026-11-20T12:00 policy load "$WORK/five.conf" --apply
rc_is "policy load --apply" 0
has "... says the open offers keep their deadlines" "$OUT" "keep the deadlines they were sent with"
is "the open offer keeps the deadline it was sent with" "2026-11-25T17:00:00Z" "$(deadline_of "$OPEN")"
b --as owen --now 2026-11-20T12:00 deadline --sent 2026-11-20T10:00
has "every officer now reckons five working days" "$OUT" "Fri 27 Nov 2026 17:00"
b --as olive --now 2026-11-20T12:00 deadline --sent 2026-11-20T10:00
has "... the same for another officer" "$OUT" "Fri 27 Nov 2026 17:00"
b --as olive --now 2026-11-20T13:00 referral new --case OPEN-2 --lot 1 --district North --hours 5
OPEN2=$OUT
b --as olive --now 2026-11-20T13:00 referral send "$OPEN2"
is "a new offer gets the new rules" "2026-11-27T17:00:00Z" "$(deadline_of "$OPEN2")"
b --as olive --json policy show
json_is "policy show: response_days 5, set by the administrator" "$OUT" \
	'[d["policy"]["response_days"]["value"], d["policy"]["response_days"]["set_by"], d["policy"]["response_days"]["set_at"]]' \
	"[5, \"$ME\", \"2026-11-20T12:00:00Z\"]"
b $A --json audit log --action policy.load
json_is "the change is in the audit trail, before and after" "$OUT" \
	'[(e["before"]["response_days"], e["after"]["response_days"]) for e in d]' '[[3, 5]]'
b $A --json audit log --action policy.deadlines-kept
json_is "... with the decision to keep the open offers' deadlines" "$OUT" '[e["after"]["open_offers"] for e in d]' '[1]'

printf 'response_days = 4;\n' >"$WORK/four.conf"
b $A --now 2026-11-20T14:00 policy load "$WORK/four.conf" --apply --move-open-deadlines
rc_is "policy load --apply --move-open-deadlines" 0
is "the open offer's deadline moves to the new rules (4 days: Thu 26 Nov)" "2026-11-26T17:00:00Z" "$(deadline_of "$OPEN")"
is "... and so does the one sent under the 5-day rule" "2026-11-26T17:00:00Z" "$(deadline_of "$OPEN2")"
b $A --json audit log --action offer.deadline-moved
json_is "each moved deadline is an audited change of its offer" "$OUT" 'len(d)' 2
b $A --now 2026-11-20T14:00 policy load "$WORK/four.conf" --apply
has "loading the same file again changes nothing" "$OUT" "changes nothing"
b $A check --deep
rc_is "check --deep passes after the policy changes" 0

# a workstation or command that was open keeps no old rules: every action
# reads the policy as it stands when it begins (tested in test_policy_record)

# ---- the deadline calculator and the calendar need no staff record ----
run --db "$DB" --json deadline --sent 2026-11-20T10:00
json_is "deadline --db with no identity reckons by the database's policy (4 days now)" "$OUT" 'd["deadline_at"]' "2026-11-26T17:00:00Z"
HOME=$WORK/nohome run --json deadline --sent 2026-11-20T10:00
json_is "... and with no database anywhere, by the built-in policy" "$OUT" 'd["deadline_at"]' "2026-11-25T17:00:00Z"
run --db "$WORK/missing.db" deadline --sent 2026-11-20T10:00
rc_nonzero "... but a database named that does not exist is an error"
is "... and is not made" no "$([ -e "$WORK/missing.db" ] && echo yes || echo no)"

# ---- the example files in docs/ are what they say ----
run --config "$ROOT/docs/brokerage.conf.example" config show
rc_is "docs/brokerage.conf.example is a good personal file" 0
EXAMPLE=$(newdb "$WORK/example.db")
run --db "$EXAMPLE" init --test-mode --now 2026-11-16T09:00
run --db "$EXAMPLE" --as "$ME" policy load "$ROOT/docs/policy.conf.example"
has "docs/policy.conf.example is the built-in policy: loading it changes nothing" "$OUT" "changes nothing"
run --db "$EXAMPLE" --as "$ME" policy show
printf '%s\n' "$OUT" >"$WORK/shown.conf"
run --db "$EXAMPLE" --as "$ME" policy load "$WORK/shown.conf"
has "what policy show prints loads back as the same policy" "$OUT" "changes nothing"

# ---- init --policy FILE ----
printf 'cascade = "parallel";\nbatch_size = 2;\nrequire_approval = true;\n' >"$WORK/council.conf"
NEW=$(newdb "$WORK/new.db")
run --db "$NEW" init --test-mode --policy "$WORK/council.conf" --now 2026-11-16T09:00
rc_is "init --policy FILE" 0
run --db "$NEW" --as "$ME" --json policy show
json_is "... makes that the policy, the rest built-in" "$OUT" \
	'[d["policy"]["cascade"]["value"], d["policy"]["batch_size"]["value"], d["policy"]["require_approval"]["value"], d["policy"]["response_days"]["value"]]' \
	'["parallel", 2, true, 3]'
run --db "$NEW" --as "$ME" --json audit log --action policy.init
json_is "... recorded as the first policy, from that file" "$OUT" '[e["after"]["source"].endswith("council.conf") for e in d]' '[true]'
NEVER=$(newdb "$WORK/never.db")
run --db "$NEVER" init --test-mode --policy "$WORK/bad.conf"
refused "init --policy with a bad file is refused" 2 "bad.conf:1"
is "... and makes no database" no "$(db_made "$NEVER")"

finish
