#!/bin/bash
# Row 11: separation of duties through every path outside the screen (the
# screen path is tested with tmux elsewhere): no one decides their own spot
# request, whatever their role, by command line, after a role change, by
# import or by a direct insert; and import cannot bring in an off-contract
# purchase that no supervisor approved.
. "$(dirname "$0")/lib.sh"
DB=$T/sod.db
# a team's two years: enough referrals for a few exhausted ones to try
"$B" --db "$DB" demo --referrals 2000 --seed 3 >/dev/null || { fail "demo"; finish; }
q() { sqlite3 -batch -noheader "$DB" "$1"; }
spot_prov=$(q "select name from provider where framework = 0 and active = 1 and embargo is null and risk <> 'red' and coalesce(cqc_id, '') <> '' and age_min <= 0 and age_max >= 25 order by name limit 1")
exhausted() { q "select id from referral where status = 'exhausted' and not exists (select 1 from spot_request s where s.referral_id = referral.id and s.status = 'pending') order by id limit 1 offset $1"; }
request() { "$B" --db "$DB" --as "$1" spot request "$2" --provider "$spot_prov" --rate 25.00 --hours 5 --weeks 10 --why "framework exhausted" 2>/dev/null | tail -1; }
decided() { q "select status || '|' || coalesce((select login from staff where id = decided_by), '-') from spot_request where id = $1"; }
# 1. sam requests, sam approves / rejects: refused
r1=$(exhausted 0); s1=$(request sam "$r1")
check "sam (supervisor) may request a spot purchase (request $s1)" [ -n "$s1" ]
"$B" --db "$DB" --as sam spot approve "$s1" --note "looks fine" >/dev/null 2>"$T/err"; rc=$?
check "sam approving sam's own request refused (exit $rc: $(head -c 120 "$T/err"))" [ "$rc.$(decided "$s1")" = "1.pending|-" ]
"$B" --db "$DB" --as sam spot reject "$s1" --note "no" >/dev/null 2>"$T/err"; rc=$?
check "sam rejecting sam's own request refused (exit $rc)" [ "$rc.$(decided "$s1")" = "1.pending|-" ]
check "sara (another supervisor) may approve it" quiet "$B" --db "$DB" --as sara spot approve "$s1" --note "approved"
check "decided by sara" [ "$(decided "$s1")" = "approved|sara" ]
# 2. alice requests, is made a supervisor, tries to approve her own
r2=$(exhausted 0); s2=$(request alice "$r2")
check "alice (officer) requests (request $s2)" [ -n "$s2" ]
"$B" --db "$DB" --as alice spot approve "$s2" --note "mine" >/dev/null 2>&1
check "alice as an officer cannot approve" [ "$(decided "$s2")" = "pending|-" ]
"$B" --db "$DB" --as "$ADMIN" staff set-role alice --role supervisor >/dev/null 2>&1
"$B" --db "$DB" --as alice spot approve "$s2" --note "mine, now as a supervisor" >/dev/null 2>"$T/err"; rc=$?
check "alice made a supervisor still cannot approve her own request (exit $rc: $(head -c 100 "$T/err"))" [ "$(decided "$s2")" = "pending|-" ]
"$B" --db "$DB" --as "$ADMIN" staff set-role alice --role admin >/dev/null 2>&1
"$B" --db "$DB" --as alice spot approve "$s2" --note "mine, now as an admin" >/dev/null 2>&1
check "alice made an administrator still cannot approve her own request" [ "$(decided "$s2")" = "pending|-" ]
"$B" --db "$DB" --as "$ADMIN" staff set-role alice --role officer >/dev/null 2>&1
# 3. a team leader and an officer cannot approve anyone's
"$B" --db "$DB" --as tina spot approve "$s2" --note "tl" >/dev/null 2>&1
"$B" --db "$DB" --as bob spot approve "$s2" --note "officer" >/dev/null 2>&1
check "a team leader and an officer cannot approve" [ "$(decided "$s2")" = "pending|-" ]
# 4. direct insert of a self-decided request: the schema refuses it
if sqlite3 "$DB" "insert into spot_request(referral_id, provider_id, rate, hours_minutes, weeks, weekly_cost, annual_cost, framework_rate, justification, status, requested_by, requested_at, decided_by, decided_at) select $r2, id, 2500, 300, 10, 12500, 650000, 1950, 'x', 'approved', 1, 0, 1, 0 from provider limit 1" 2>/dev/null; then
	fail "a self-decided spot request was inserted directly"
else
	ok "a self-decided spot request inserted with sqlite3 is refused by the schema"
fi
# 5. import: no spot requests come in with it, decided or not
nspot=$(q "select count(*) from spot_request")
cat >"$T/spot.csv" <<CSV
case_ref,lot,district,hours,panel_date,age,urgent,note,status,provider,route,sourced_on,weekly_cost,ended_on,spot_request,decided_by,requested_by
SOD-1,1,North,10,2026-01-05,12,no,,waiting,,,,,,approved,sam,sam
CSV
"$B" --db "$DB" --as sam import referrals "$T/spot.csv" >/dev/null 2>&1
check "import with spot-request columns makes no spot request ($nspot -> $(q "select count(*) from spot_request"))" [ "$nspot" = "$(q "select count(*) from spot_request")" ]
check "no spot request anywhere decided by its requester" [ "$(q "select count(*) from spot_request where decided_by = requested_by")" = 0 ]
# an officer importing a purchase off-contract "already sourced" last week,
# over the key-decision threshold: that is deciding a spot purchase alone
cat >"$T/spot2.csv" <<CSV
case_ref,lot,district,hours,panel_date,age,urgent,note,status,provider,route,sourced_on,weekly_cost,ended_on
SOD-2,1,North,40,$(date -u -d '-20 days' +%F),12,no,,sourced,$spot_prov,spot,$(date -u -d '-7 days' +%F),12000.00,
CSV
"$B" --db "$DB" --as alice import referrals "$T/spot2.csv" >/dev/null 2>"$T/err"; rc=$?
check "an officer cannot import a current off-contract purchase no supervisor approved (exit $rc, $(q "select count(*) from referral where case_ref = 'SOD-2'") made)" \
	[ "$(q "select count(*) from referral where case_ref = 'SOD-2' and route = 'spot'")" = 0 ]
check "invariants clean" deep "$DB"
finish
