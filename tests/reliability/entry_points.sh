#!/bin/bash
# Row 22: every entry point applies the rules of the action it stands for
# (issue 14, section 2). Import records only what the actions could have
# recorded and asks the rights they ask; a duplicate is decided once, so
# whatever referral new accepts an export imports back; a NUL in a field is
# refused, never cut short; a request or an approval of a spot purchase
# checks the provider at that moment.
. "$(dirname "$0")/lib.sh"
DB=$T/entry.db
N="--now 2026-12-03T10:00"
bk() { "$B" --db "$DB" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
rc() { cat "$T/rc"; }
count() { sqlite3 -batch -noheader "$DB" "select count(*) from referral"; }
"$B" --db "$DB" init --test-mode --as admin $N >/dev/null || { fail "init"; finish; }
for w in "tina team_leader" "olive officer" "sam supervisor" "sue supervisor"; do
	set -- $w
	"$B" --db "$DB" --as admin $N staff add "$1" --name "$1" --role "$2" >/dev/null
done
"$B" --db "$DB" --as tina $N provider add "Redrisk Ltd" --risk red >/dev/null
"$B" --db "$DB" --as tina $N provider add "Good Care" --cqc 1-1 --ages 0-25 >/dev/null
"$B" --db "$DB" --as tina $N provider add "Uncertified Spot" --off-framework --rate 25.00 >/dev/null
"$B" --db "$DB" --as tina $N provider add "Certified Spot" --off-framework --cqc 1-9 --rate 25.00 >/dev/null
"$B" --db "$DB" --as tina $N rank set --lot 1 --district North "Redrisk Ltd" "Good Care" >/dev/null
"$B" --db "$DB" --as tina $N provider set "Redrisk Ltd" --embargo "safeguarding inquiry" --inactive >/dev/null

# 1. the issue's example: an officer sources from an embargoed, inactive,
# red-risk provider at GBP 99,999 a week with no cascade, supervisor or key decision
printf 'case_ref,lot,district,hours,panel_date,status,provider,route,sourced_on,weekly_cost\nIMP-1,1,North,10,2026-12-01,sourced,Redrisk Ltd,framework,2026-12-02,99999.00\n' >"$T/hostile.csv"
bk --as olive $N import referrals "$T/hostile.csv"
check "a framework package from an embargoed, inactive, red provider is refused (exit $(rc))" [ "$(rc)" = 1 ]
check "... naming the line and column, in words" has "$T/err" "hostile.csv:2: provider: Redrisk Ltd cannot take this referral"
check "... each reason said" grep -q "inactive; embargoed: safeguarding inquiry; red risk" "$T/err"
check "... and the cost that needs a key decision" has "$T/err" "hostile.csv:2: weekly_cost: .* reaches the key-decision threshold"
check "... nothing imported" [ "$(count)" = 0 ]

# 2. a framework package for a provider not ranked for that lot and district
printf 'case_ref,lot,district,hours,panel_date,status,provider,route,sourced_on\nIMP-2,1,South,10,2026-12-01,sourced,Good Care,framework,2026-12-02\n' >"$T/unranked.csv"
bk --as olive $N import referrals "$T/unranked.csv"
check "a framework package for a provider not ranked there is refused" has "$T/err" "not ranked for lot 1 in South"
# ... the same where it is ranked is accepted
printf 'case_ref,lot,district,hours,panel_date,status,provider,route,sourced_on\nIMP-2,1,North,10,2026-12-01,sourced,Good Care,framework,2026-12-02\n' >"$T/ranked.csv"
bk --as olive $N import referrals "$T/ranked.csv"
check "... and accepted where it is ranked and eligible (exit $(rc): $(head -c 200 "$T/err"))" [ "$(rc)" = 0 ]

# 3. off-contract history: a supervisor only, for a provider a spot request could name
printf 'case_ref,lot,district,hours,panel_date,status,provider,route,sourced_on,weekly_cost\nIMP-3,2,North,10,2026-11-01,sourced,Uncertified Spot,spot,2026-11-20,250.00\n' >"$T/spot.csv"
bk --as olive $N import referrals "$T/spot.csv"
check "an officer cannot import an off-contract package" has "$T/err" "only a supervisor can import"
bk --as sam $N import referrals "$T/spot.csv"
check "a supervisor cannot import domiciliary care from a provider without CQC registration" has "$T/err" "no CQC registration"
sed 's/Uncertified Spot/Certified Spot/' "$T/spot.csv" >"$T/spot_ok.csv"
bk --as sam $N import referrals "$T/spot_ok.csv"
check "... and can from a registered one (exit $(rc))" [ "$(rc)" = 0 ]
printf 'case_ref,lot,district,hours,panel_date,status,provider,route,sourced_on,weekly_cost\nIMP-4,1,North,10,2026-11-01,sourced,Certified Spot,spot,2026-11-20,0.00\n' >"$T/zero.csv"
bk --as sam $N import referrals "$T/zero.csv"
check "a package that cost nothing is refused in words" has "$T/err" "a cost of nothing"

# 4. a NUL inside a field is refused, not cut short
printf 'case_ref,lot,district,hours,note\nNUL-1,1,North,10,"before\000after"\n' >"$T/nul.csv"
n0=$(count)
bk --as olive $N import referrals "$T/nul.csv"
check "a NUL byte in a field is refused (exit $(rc))" [ "$(rc)" = 1 ]
check "... naming the column" has "$T/err" "nul.csv:2: note: holds a NUL byte"
check "... nothing imported" [ "$(count)" = "$n0" ]

# 5. duplicates decided once: what referral new accepts, an export imports back
bk --as olive $N referral new --case DUP-1 --lot 1 --district North --hours 10 --panel-date 2026-11-30
bk --as olive $N referral new --case DUP-1 --lot 1 --district North --hours 10 --panel-date 2026-11-30
check "the same case, lot and panel date twice: refused by referral new" has "$T/err" "already has referral"
bk --as olive $N referral new --case DUP-1 --lot 3 --district North --hours 10 --panel-date 2026-11-30
check "... the same case for another lot is another referral (exit $(rc))" [ "$(rc)" = 0 ]
# a package with a planned end (a date after today) is still sourced, and moves as it is
pid=$("$B" --db "$DB" --as olive $N referral new --case PLAN-1 --lot 1 --district North --hours 5 2>/dev/null)
"$B" --db "$DB" --as olive $N referral send "$pid" >/dev/null 2>&1
"$B" --db "$DB" --as olive $N referral respond "$pid" --provider "Good Care" accept >/dev/null 2>&1
bk --as olive $N referral end "$pid" --date 2027-01-31
check "a planned end keeps the package sourced" [ "$(sqlite3 -batch -noheader "$DB" "select status || ' ' || ended_on from referral where id = $pid")" = "sourced $(sqlite3 -batch -noheader "$DB" "select ended_on from referral where id = $pid")" ]
"$B" --db "$DB" --as tina $N export providers --csv "$T/p.csv" >/dev/null
"$B" --db "$DB" --as tina $N export rankings --csv "$T/k.csv" >/dev/null
"$B" --db "$DB" --as sam $N export referrals --csv "$T/r.csv" >/dev/null
DB=$T/moved.db
"$B" --db "$DB" init --test-mode --as admin $N >/dev/null
"$B" --db "$DB" --as admin $N staff add tina --name tina --role team_leader >/dev/null
"$B" --db "$DB" --as admin $N staff add sam --name sam --role supervisor >/dev/null
bk --as tina $N import providers "$T/p.csv"
bk --as tina $N import rankings "$T/k.csv"
bk --as sam $N import referrals "$T/r.csv"
check "everything the commands accepted imports back (exit $(rc): $(head -c 300 "$T/err"))" [ "$(rc)" = 0 ]
check "... all of it" [ "$(count)" = "$(sqlite3 -batch -noheader "$T/entry.db" "select count(*) from referral")" ]
check "... the planned end too, still sourced" [ "$(sqlite3 -batch -noheader "$DB" "select status || ' ' || ended_on from referral where case_ref = 'PLAN-1'")" = "$(sqlite3 -batch -noheader "$T/entry.db" "select status || ' ' || ended_on from referral where case_ref = 'PLAN-1'")" ]
deep "$DB" admin
check "... and check --deep is clean" [ $? = 0 ]
finish
