#!/usr/bin/env bash
# Reports, import, export and the data-protection commands from the
# outside: --csv -, --json, a formula-looking cell exported safely, an
# import with bad rows, an import/export round trip, subject access and
# the retention purge.
set -u
bin=${BROKERAGE_BIN:?}
root=${BROKERAGE_SOURCE_ROOT:?}
fx=$root/tests/fixtures
export TZ=${TZ:-UTC} LC_ALL=${LC_ALL:-C.UTF-8}
work=$(mktemp -d)
. "$root/tests/pg/env.sh" # BROKERAGE_TEST_ENGINE=pg: each database below is one in a PostgreSQL cluster
trap 'engine_stop; rm -rf "$work"' EXIT
engine_start
cd "$work" || exit 1
T_DB=$(newdb "$work/t.db") U_DB=$(newdb "$work/u.db") DEMO_DB=$(newdb "$work/demo.db")
MOVED_DB=$(newdb "$work/moved.db") FRESH_DB=$(newdb "$work/fresh.db")
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

db=$T_DB
b() { "$bin" --db "$db" "$@"; }
b init --test-mode --as admin --now 2026-01-05T09:00 >/dev/null
b --as admin --now 2026-01-05T09:00 staff add tina --name Tina --role team_leader >/dev/null
b --as admin --now 2026-01-05T09:00 staff add alice --name Alice --role officer >/dev/null
b --as admin --now 2026-01-05T09:00 staff add sam --name Sam --role supervisor >/dev/null
T="--as tina --now 2026-01-05T09:30"
S="--as sam --now 2026-01-14T12:00"
A="--as alice --now 2026-01-14T12:00"

# ---- import ----
out=$(b $T import providers "$fx/providers.csv" 2>&1); rc=$?
check "import providers (BOM, CRLF, quoted comma)" '[ $rc -eq 0 ] && grep -q "4 added" <<<"$out"'
out=$(b $T import rankings "$fx/rankings.csv" 2>&1); rc=$?
check "import rankings" '[ $rc -eq 0 ]'
out=$(b $T import providers "$fx/providers.csv" 2>&1); rc=$?
check "re-importing the same file is refused" '[ $rc -eq 1 ] && grep -q "imported before" <<<"$out"'
out=$(b $A import referrals "$fx/referrals_bad.csv" 2>&1); rc=$?
check "a file with bad rows is refused with exit 1" '[ $rc -eq 1 ]'
n=$(grep -c 'referrals_bad.csv:[0-9]*: ' <<<"$out")
check "every bad row is listed ($n)" '[ "$n" -eq 9 ]'
check "bad rows name line and column" 'grep -q "referrals_bad.csv:5: district: .Atlantis." <<<"$out"'
check "nothing was imported" '[ "$(b $A export referrals | wc -l)" -eq 1 ]'
out=$(b $A --json import referrals "$fx/referrals_bad.csv" 2>/dev/null)
check "--json import lists the problems" 'jq -e ".ok == false and (.error.problems | length) == 9" <<<"$out" >/dev/null'
out=$(b $A import referrals "$fx/referrals.csv" 2>&1); rc=$?
check "an officer cannot import a package bought off-contract (exit $rc)" '[ $rc -eq 1 ] && grep -q "only a supervisor" <<<"$out"'
out=$(b $S import referrals "$fx/referrals.csv" 2>&1); rc=$?
check "import referrals with history (as a supervisor)" '[ $rc -eq 0 ] && grep -q "4 added" <<<"$out"'

# ---- reports ----
out=$(b $A report provision --on 2025-12-01 --csv -); rc=$?
check "report provision --csv - exits 0" '[ $rc -eq 0 ]'
check "provision CSV has both blocks" 'grep -q "^\"Framework Provider\"" <<<"$out" && grep -q "^\"Off Contract Provider\"" <<<"$out"'
check "provision CSV keeps zero rows and totals" 'grep -q "^\"Delta, Care\",0,0" <<<"$out" && grep -q "^\"Grand total\"" <<<"$out" && grep -q "^\"Support by districts\"" <<<"$out"'
check "a provider named like a formula is neutralised in CSV" "grep -q \"^\\\"'@Spot Agency\\\"\" <<<\"\$out\""
out=$(b $A --json report provision --on 2025-12-01)
check "provision --json is valid with a grand total of 2" \
	'jq -e "(.rows | map(select(.provider == \"Grand total\")) | .[0].total) == 2" <<<"$out" >/dev/null'
for r in waiting response time-to-source pickup spend; do
	out=$(b $A --json report $r 2>&1); rc=$?
	check "report $r --json" '[ $rc -eq 0 ] && jq -e ".report == \"$r\"" <<<"$out" >/dev/null'
	out=$(b $A report $r --csv - 2>&1); rc=$?
	check "report $r --csv -" '[ $rc -eq 0 ] && [ "$(head -c1 <<<"$out")" = "\"" ]'
done
out=$(b $A --json report spend --fy 2025)
check "spend JSON carries money as pence and display" \
	'jq -e "(.rows | map(select(.provider == \"@Spot Agency\")) | .[0]) | .weekly_cost == 18000 and .weekly_cost_display == \"£180.00\"" <<<"$out" >/dev/null'
out=$(b $A report spend --fy 2025 --csv -)
check "a negative or plain amount stays a number in CSV" 'grep -q "^\"'"'"'@Spot Agency\",\"off-contract\",1,5,180.00," <<<"$out"'
b $A report waiting --csv w.csv >/dev/null 2>&1
check "report --csv FILE writes an owner-only file" '[ -f w.csv ] && [ "$(stat -c %a w.csv)" = 600 ]'
echo old > open.csv && chmod 644 open.csv
b $A report waiting --csv open.csv >/dev/null 2>&1
check "a file replaced is made owner-only too" '[ "$(stat -c %a open.csv)" = 600 ] && ! grep -q old open.csv'
out=$(b $A report provision --week 2026-01-01 2>&1); rc=$?
check "an option the report does not take is a usage error" '[ $rc -eq 2 ]'
out=$(b $A report nonsense 2>&1); rc=$?
check "an unknown report is a usage error" '[ $rc -eq 2 ] && grep -q "provision" <<<"$out"'
out=$(b $A report time-to-source --by colour 2>&1); rc=$?
check "a bad --by is a usage error" '[ $rc -eq 2 ]'

# ---- a report written out is a data export, as an export is ----
exports() { b --as admin --now 2026-01-14T12:00 --json audit log --action data.export; }
out=$(exports)
check "report --csv FILE is recorded as data.export with the report, its parameters and the file" \
	'jq -e --arg f "$(realpath w.csv)" "map(select(.after.report == \"waiting\" and .after.file == \$f and .after.parameters.on == \"2026-01-14\" and .actor == \"alice\" and .entity == \"export\")) | length == 1" <<<"$out" >/dev/null'
n0=$(jq length <<<"$out")
b $A report provision --on 2025-12-01 --csv - >/dev/null
out=$(exports)
check "report --csv - is recorded too, as export --csv - is, with no file" \
	'jq -e "length == $((n0 + 1)) and (.[-1].after | .report == \"provision\" and (has(\"file\") | not) and .rows > 0)" <<<"$out" >/dev/null'
b $A --json report spend --fy 2025 >/dev/null
b $A report spend --fy 2025 --json --csv spend.json.csv >/dev/null
out=$(exports)
check "report --json is recorded; --json with --csv FILE records the file" \
	'jq -e "length == $((n0 + 3)) and .[-2].after.report == \"spend\" and (.[-1].after.file | endswith(\"/spend.json.csv\"))" <<<"$out" >/dev/null'
b $A report pickup >/dev/null
b $A export providers --csv - >/dev/null
out=$(exports)
check "a report shown on the terminal and the providers list (no one named) are not recorded" \
	'[ "$(jq length <<<"$out")" -eq $((n0 + 3)) ]'
b $A export offers --csv offers_out.csv >/dev/null
b $A export offers --csv - >/dev/null
out=$(exports)
check "export records the file the same way, and no file for standard output" \
	'jq -e --arg f "$(realpath offers_out.csv)" ".[-2].after == {\"list\": \"offers\", \"rows\": .[-2].after.rows, \"file\": \$f} and (.[-1].after | .list == \"offers\" and (has(\"file\") | not))" <<<"$out" >/dev/null'
n1=$(jq length <<<"$out")
out=$(b $A report waiting --csv "$work/no/such/dir/w.csv" 2>&1); rc=$?
check "a report file that cannot be written is refused and records nothing" \
	'[ $rc -eq 1 ] && grep -q "cannot write" <<<"$out" && [ "$(exports | jq length)" -eq "$n1" ]'
echo "kept" > keep.csv
out=$(b $A report nonsense --csv keep.csv 2>&1); rc=$?
out2=$(b $A export nonsense --csv new.csv 2>&1); rc2=$?
check "a bad report or list leaves an existing file as it was, makes no new one, records nothing" \
	'[ $rc -eq 2 ] && [ $rc2 -eq 2 ] && [ "$(cat keep.csv)" = kept ] && [ ! -e new.csv ] && [ "$(exports | jq length)" -eq "$n1" ]'

# ---- export and the round trip ----
out=$(b $A export referrals --csv -)
check "export neutralises a formula-looking note" "grep -q \"'=HYPERLINK\" <<<\"\$out\""
b $A export providers --csv providers_out.csv >/dev/null
b $A export rankings --csv rankings_out.csv >/dev/null
b $A export referrals --csv referrals_out.csv >/dev/null
db=$U_DB
b init --test-mode --as admin --now 2026-01-05T09:00 >/dev/null
b --as admin --now 2026-01-05T09:00 staff add tina --name Tina --role team_leader >/dev/null
b --as admin --now 2026-01-05T09:00 staff add alice --name Alice --role officer >/dev/null
b --as admin --now 2026-01-05T09:00 staff add sam --name Sam --role supervisor >/dev/null
out=$(b $T import providers providers_out.csv 2>&1); rc=$?
check "exported providers import again" '[ $rc -eq 0 ] && grep -q "4 added" <<<"$out"'
out=$(b $T import rankings rankings_out.csv 2>&1); rc=$?
check "exported rankings import again" '[ $rc -eq 0 ] && grep -q "3 added" <<<"$out"'
out=$(b $S import referrals referrals_out.csv 2>&1); rc=$?
check "exported referrals import again" '[ $rc -eq 0 ] && grep -q "4 added" <<<"$out"'
b $A export referrals --csv - | cut -d, -f2- > a.csv
db=$T_DB
b $A export referrals --csv - | cut -d, -f2- > b.csv
check "the round trip gives the same referrals" 'cmp -s a.csv b.csv'
out=$(b $A --json export offers)
check "export offers --json" 'jq -e ".report == \"offers\"" <<<"$out" >/dev/null'

# ---- a whole demo database moved into a new one, withdrawn referrals too ----
N="--now 2026-06-01T12:00"
"$bin" --db "$DEMO_DB" $N demo --referrals 300 --seed 5 >/dev/null
"$bin" --db "$DEMO_DB" --as tina $N export providers --csv demo_providers.csv >/dev/null
"$bin" --db "$DEMO_DB" --as tina $N export rankings --csv demo_rankings.csv >/dev/null
"$bin" --db "$DEMO_DB" --as alice $N export referrals --csv demo_referrals.csv >/dev/null
db=$MOVED_DB
b init --test-mode --as admin $N >/dev/null
b --as admin $N staff add tina --name Tina --role team_leader >/dev/null
b --as admin $N staff add sam --name Sam --role supervisor >/dev/null
out=$(b --as tina $N import providers demo_providers.csv 2>&1); rc=$?
check "the demo's providers import into a new database" '[ $rc -eq 0 ]'
out=$(b --as tina $N import rankings demo_rankings.csv 2>&1); rc=$?
check "the demo's rankings import into a new database" '[ $rc -eq 0 ]'
out=$(b --as sam $N import referrals demo_referrals.csv 2>&1); rc=$?
check "the demo's referrals import into a new database, withdrawn ones too" '[ $rc -eq 0 ] && grep -q "300 added" <<<"$out"'
out=$(b --as admin $N check --deep 2>&1); rc=$?
check "check --deep is clean after the move" '[ $rc -eq 0 ]'
by_status() { "$bin" --db "$1" --as "$2" $N --json export referrals | jq -c '[.rows[].status] | group_by(.) | map({(.[0]): length}) | add'; }
from=$(by_status "$DEMO_DB" alice) to=$(by_status "$MOVED_DB" sam)
check "the counts by status are the same ($to)" '[ "$from" = "$to" ] && jq -e ".withdrawn > 0" <<<"$to" >/dev/null'
whole() { "$bin" --db "$1" --as "$2" $N --json export referrals | jq -c '.rows[] | del(.id, .workflow_status)' | sort; }
check "every referral arrives as it was, withdrawal date and reason included" \
	'[ "$(whole "$DEMO_DB" alice | md5sum)" = "$(whole "$MOVED_DB" sam | md5sum)" ]'
head -1 demo_referrals.csv | sed 's/,"withdrawn_on","withdrawn_reason"//' > old_format.csv
grep '"withdrawn",' demo_referrals.csv | head -1 | tr -d '\r' | sed 's/,[^,]*,"[^"]*"$//' >> old_format.csv
db=$FRESH_DB
b init --test-mode --as admin $N >/dev/null
b --as admin $N staff add sam --name Sam --role supervisor >/dev/null
out=$(b --as sam $N import referrals old_format.csv 2>&1); rc=$?
check "a withdrawn referral without its date is refused, saying so" \
	'[ $rc -eq 1 ] && grep -q "old_format.csv:2: withdrawn_on: a withdrawn referral needs the date it was withdrawn" <<<"$out"'
db=$T_DB

# ---- data protection ----
out=$(b --as tina --now 2026-01-14T12:00 subject-access IMP-4 --out sar 2>&1); rc=$?
check "subject-access writes the answer" '[ $rc -eq 0 ] && [ -f sar/subject.json ] && [ -f sar/events.csv ]'
check "the answer is private" '[ "$(stat -c %a sar)" = 700 ] && [ "$(stat -c %a sar/subject.json)" = 600 ]'
check "the answer holds the case" 'jq -e ".referrals[0].case_ref == \"IMP-4\"" sar/subject.json >/dev/null'
out=$(b --as admin --now 2026-01-14T12:00 audit log --action subject.access)
check "subject access is audited" 'grep -q subject.access <<<"$out"'
out=$(b --as admin --now 2026-01-14T12:00 retention purge --dry-run 2>&1); rc=$?
check "purge --dry-run lists what would go" '[ $rc -eq 0 ] && grep -q IMP-4 <<<"$out" && grep -q "would be erased" <<<"$out"'
check "dry run changes nothing" 'b $A export referrals --csv - | grep -q IMP-4'
out=$(b --as tina --now 2026-01-14T12:00 retention purge 2>&1); rc=$?
check "only an administrator purges" '[ $rc -eq 1 ]'
out=$(b --as admin --now 2026-01-14T12:00 retention purge 2>&1); rc=$?
check "purge erases" '[ $rc -eq 0 ] && grep -q "erased 1 referral" <<<"$out"'
check "the erased case is gone from the export" '! b $A export referrals --csv - | grep -q IMP-4'
check "erased referrals are left out of the export altogether" '! b $A export referrals --csv - | grep -q "erased-"'
out=$(b --as admin --now 2026-01-14T12:00 audit verify 2>&1); rc=$?
check "audit verify passes after the purge" '[ $rc -eq 0 ]'
if is_conninfo "$T_DB"; then
	check "no trace of the case in a dump of the whole database" \
		'[ "$("$PG_BINDIR/pg_dump" -d "$T_DB" | grep -c -a IMP-4)" -eq 0 ]'
else
	check "no trace of the case in the database or its log" \
		'[ "$(cat t.db t.db-wal 2>/dev/null | grep -c -a IMP-4)" -eq 0 ]'
fi
out=$(b $A --json report provision --on 2019-03-01)
check "a past report still counts the erased package" \
	'jq -e "(.rows | map(select(.provider == \"Grand total\")) | .[0].total) == 1" <<<"$out" >/dev/null'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
