#!/usr/bin/env bash
# Issue 17: reports true to the moment asked when a provider hands a
# package back. Referral 1 (framework): Gamma declines on Mon 2 Nov, Alpha
# accepts Tue 3 Nov (day 2), hands it back Tue 10 Nov (day 9), Beta accepts
# Fri 13 Nov (day 12). Referral 2 (off-contract): spot with Zed approved
# Tue 3 Nov, handed back Tue 10 Nov, a new spot approved Thu 12 Nov. Every
# report is asked on Sat 14 Nov about Fri 6 Nov (day 5), Wed 11 Nov (day
# 10) and Sat 14 Nov (day 13), as text, CSV and JSON: a package handed back
# counts for the days it was in place and no longer.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0="--now 2026-11-02T09:00"
run --db "$DB" init --test-mode --as admin $T0
rc_is "init" 0
b --as admin $T0 staff add tess --name Tess --role team_leader
b --as admin $T0 staff add olive --name Olive --role officer
b --as admin $T0 staff add sam --name Sam --role supervisor
for who in Alpha Beta Gamma; do
	b --as tess $T0 provider add "$who Care" --ages 0-25
done
b --as tess $T0 provider add "Zed Agency" --ages 0-25 --off-framework
b --as tess $T0 rank set --lot 1 --district North "Gamma Care" "Alpha Care" "Beta Care"
b --as tess $T0 rank set --lot 1 --district South "Gamma Care"
rc_is "providers and rankings" 0

o() { # WHEN ARGS...: olive acts at WHEN
	local when=$1
	shift
	b --as olive --now "$when" "$@"
}
o 2026-11-02T10:00 referral new --case C-1 --lot 1 --district North --hours 10 --panel-date 2026-11-02
o 2026-11-02T10:00 referral send 1
o 2026-11-02T14:00 referral respond 1 --provider "Gamma Care" decline --code capacity
o 2026-11-03T11:00 referral respond 1 --provider "Alpha Care" accept
has "referral 1 sourced with Alpha on day 2" "$OUT" "sourced with Alpha Care"
o 2026-11-10T11:00 referral hand-back 1 --reason "carer left"
has "Alpha hands it back on day 9" "$OUT" "approached Beta Care"
o 2026-11-13T11:00 referral respond 1 --provider "Beta Care" accept
has "referral 1 sourced again with Beta on day 12" "$OUT" "sourced with Beta Care"

o 2026-11-02T10:00 referral new --case C-2 --lot 1 --district South --hours 5 --panel-date 2026-11-02
o 2026-11-02T10:00 referral send 2
o 2026-11-02T11:00 referral respond 2 --provider "Gamma Care" decline --code capacity
o 2026-11-03T10:00 spot request 2 --provider "Zed Agency" --rate 25.00 --hours 5 --weeks 52 --why "framework exhausted"
b --as sam --now 2026-11-03T12:00 spot approve 1 --note agreed
rc_is "referral 2 sourced off-contract on day 2" 0
o 2026-11-10T11:00 referral hand-back 2 --reason "agency closed"
rc_is "Zed hands referral 2 back on day 9" 0
o 2026-11-12T10:00 spot request 2 --provider "Zed Agency" --rate 30.00 --hours 5 --weeks 52 --why "again"
b --as sam --now 2026-11-12T12:00 spot approve 2 --note agreed
rc_is "referral 2 sourced off-contract again on day 11" 0

N="--as tess --now 2026-11-14T12:00"
R() { b $N report "$@"; } # a report asked on day 13

# csv_cell CSV FIRST KEY: the cell under the column labelled KEY in the row whose first cell is FIRST
csv_cell() {
	python3 -c '
import csv, io, sys
rows = list(csv.reader(io.StringIO(sys.argv[1])))
head = rows[0]
for r in rows[1:]:
    if r and r[0] == sys.argv[2]:
        print(r[head.index(sys.argv[3])]); break
else:
    print("<no row %s>" % sys.argv[2])
' "$1" "$2" "$3"
}
# jrow KEY VALUE COLUMN: a Python expression for that cell of the JSON rows
jrow() { echo "[r for r in d['rows'] if r['$1'] == $2][0]['$3']"; }

# ---- waiting: on day 5 neither waits, on day 10 both, on day 13 neither ----
for day in 2026-11-06:0: 2026-11-11:2:1,2 2026-11-14:0:; do
	on=${day%%:*} rest=${day#*:}
	n=${rest%%:*} ids=${rest#*:}
	R waiting --on "$on" --json
	json_is "waiting on $on: $n referrals (JSON)" "$OUT" "len(d['rows'])" "$n"
	json_is "waiting on $on: the referrals (JSON)" "$OUT" "','.join(str(r['id']) for r in d['rows'])" "$ids"
	R waiting --on "$on" --csv -
	is "waiting on $on: $n data lines (CSV)" "$n" "$(printf '%s\n' "$OUT" | awk 'NR > 1 && /^\r?$/ { exit } NR > 1 && /^[0-9]/ { n++ } END { print n + 0 }')"
done
R waiting --on 2026-11-11
has "the waiting list of day 10 says two wait (text)" "$OUT" "2 waiting at the end of"

# ---- provision: Alpha on day 5, nobody on day 10, Beta on day 13; Zed on 5 and 13 ----
R provision --on 2026-11-06 --json
json_is "provision day 5: Alpha holds referral 1 (JSON)" "$OUT" "$(jrow provider "'Alpha Care'" lot1_north)" 1
json_is "provision day 5: Zed holds referral 2 (JSON)" "$OUT" "$(jrow provider "'Zed Agency'" lot1_south)" 1
json_is "provision day 5: two in all (JSON)" "$OUT" "$(jrow provider "'Grand total'" total)" 2
R provision --on 2026-11-11 --json
json_is "provision day 10: nothing in place (JSON)" "$OUT" "$(jrow provider "'Grand total'" total)" 0
R provision --on 2026-11-14 --csv -
is "provision day 13: Beta holds referral 1 (CSV)" 1 "$(csv_cell "$OUT" "Beta Care" "Total CYP supporting")"
is "provision day 13: Alpha no longer (CSV)" 0 "$(csv_cell "$OUT" "Alpha Care" "Total CYP supporting")"
is "provision day 13: Zed again (CSV)" 1 "$(csv_cell "$OUT" "Zed Agency" "Total CYP supporting")"
R provision --on 2026-11-06 --csv -
is "provision day 5: Alpha (CSV)" 1 "$(csv_cell "$OUT" "Alpha Care" "Total CYP supporting")"

# ---- time to source: each package counted on the day it was sourced ----
R time-to-source --from 2026-11-01 --to 2026-11-06 --json
json_is "time to source to day 5: both first packages (JSON)" "$OUT" "$(jrow period "'All'" sourced)" 2
R time-to-source --from 2026-11-01 --to 2026-11-11 --csv -
is "time to source to day 10: still two (CSV)" 2 "$(csv_cell "$OUT" All "Packages sourced")"
R time-to-source --from 2026-11-01 --to 2026-11-14 --json
json_is "time to source to day 13: four packages (JSON)" "$OUT" "$(jrow period "'All'" sourced)" 4
# 1 day each the first time; again 3 days (10 to 13 Nov) and 2 days (10 to 12 Nov) from the hand-back
json_is "time to source to day 13: mean 1.75 days from the start or the hand-back (JSON)" "$OUT" \
	"$(jrow period "'All'" mean_days)" 18
R time-to-source --from 2026-11-01 --to 2026-11-14
has "time to source says how a package sourced again counts (text)" "$OUT" "counts from the day of the hand-back"

# ---- pick-up: the week of day 5 has both first packages, the week of day 13 both second ----
R pickup --week 2026-11-06 --json
json_is "pickup week of day 5: Alpha's package (JSON)" "$OUT" "$(jrow route "'Framework'" packages)" 1
json_is "pickup week of day 5: Zed's first package (JSON)" "$OUT" "$(jrow route "'Off contract'" packages)" 1
R pickup --week 2026-11-14 --csv -
is "pickup week of day 13: Beta's package (CSV)" 1 "$(csv_cell "$OUT" Framework Packages)"
is "pickup week of day 13: Zed's second package (CSV)" 1 "$(csv_cell "$OUT" "Off contract" Packages)"
is "pickup week of day 13: the second spot's cost (CSV)" 150.00 "$(csv_cell "$OUT" "Off contract" "Weekly cost")"

# ---- spend: every package for its days in place ----
R spend --fy 2026 --json
json_is "spend: Alpha's package for its 7 days (JSON)" "$OUT" "$(jrow provider "'Alpha Care'" cost_in_year)" 19500
json_is "spend: Beta's package too (JSON)" "$OUT" "$(jrow provider "'Beta Care'" packages)" 1
json_is "spend: both Zed packages (JSON)" "$OUT" "$(jrow provider "'Zed Agency'" packages)" 2
R spend --fy 2026 --csv -
# Zed: 125.00 for 3-9 Nov, then 150.00 a week 12 Nov to 31 Mar (140 days)
is "spend: Zed's cost in the year, both packages (CSV)" 3125.00 "$(csv_cell "$OUT" "Zed Agency" "Cost in the year")"

# ---- market gap: referral 1's hours unsourced only on day 10 (JSON in minutes) ----
for day in 2026-11-06:0 2026-11-11:10 2026-11-14:0; do
	to=${day%%:*} h=${day#*:}
	R market-gap --from 2026-11-01 --to "$to" --json
	json_is "market gap to $to: $h hours a week unsourced in North (JSON)" "$OUT" \
		"$(jrow district "'North'" unsourced_hours)" "$((h * 60))"
	R market-gap --from 2026-11-01 --to "$to" --csv -
	is "market gap to $to: $h hours a week unsourced in North (CSV)" "$h" \
		"$(csv_cell "$OUT" 1 "Hours a week unsourced")"
done

# ---- response: Alpha's hand-back counts from when it was recorded ----
R response --from 2026-11-01 --to 2026-11-06 --json
json_is "response to day 5: Alpha has handed nothing back yet (JSON)" "$OUT" "$(jrow provider "'Alpha Care'" handed_back)" 0
R response --from 2026-11-01 --to 2026-11-11 --csv -
is "response to day 10: Alpha handed one back (CSV)" 1 "$(csv_cell "$OUT" "Alpha Care" "Handed back")"

finish
