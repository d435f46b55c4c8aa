#!/usr/bin/env bash
# The Reports screen (tab 5) seen from outside: the list of reports, the
# parameter form (defaults, a bad date refused next to its field with the
# rest kept), the table (figures equal to `brokerage report ... --json`,
# the first column frozen while later columns scroll into view, headings
# kept in view), and the export, whose file equals the command line's
# `--csv -` / `--json` output and is never replaced without asking.
# The real program in tmux, 100x30 (and 80x24 in the C locale), with TERM,
# the locale, NO_COLOR, TZ, the person (--as) and the clock (--now) pinned,
# on a demo test-mode database made by the command line.
set -u
export TZ=Europe/London
. "$BROKERAGE_SOURCE_ROOT/tests/lib.sh"
TERM_TIMEOUT=20 # a report on the demo database may take longer than a screen of the others
. "$ROOT/tests/term.sh"
if ! command -v python3 >/dev/null 2>&1; then
	echo "python3 is not installed: skipped"
	exit 77
fi
unset NO_COLOR
NOW=2026-11-20T09:00 # a Friday

# ---- the fixture: a demo database, swept at the clock the screen uses so
# that its own sweep at start changes nothing ----
cli() { "$BIN" --db "$DB" --as alice --now "$NOW" "$@"; }
"$BIN" --db "$DB" --now "$NOW" demo --referrals 300 --seed 3 >/dev/null 2>"$WORK/demo.err" ||
	{ echo "demo failed: $(cat "$WORK/demo.err")"; exit 1; }
cli sweep >/dev/null 2>&1 || { echo "sweep failed"; exit 1; }
mkdir -p "$WORK/out"

# Figures from the command line, to compare with the screen.
jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
wait_total=$(cli report waiting --json | jq_py '
p=[x for x in d["parts"] if x["title"].startswith("Waiting by lot")][0]
r=[x for x in p["rows"] if x["row_kind"]=="total"][0]
print(" +".join(str(r[c["key"]]) for c in p["columns"][1:]))')
wait_note=$(cli report waiting --json | jq_py 'print(d["notes"][0])')
wait_last_week=$(cli report waiting --json | jq_py '
p=[x for x in d["parts"] if x["title"].startswith("Waiting at the end")][0]
r=p["rows"][-1]; print(r["week_ending"] + " +" + str(r["waiting"]))')
prov_total_tail=$(cli report provision --on 2026-10-01 --json | jq_py '
r=[x for x in d["rows"] if x["row_kind"]=="total"][0]
print(" +".join(str(r[k]) for k in ["lot4_north","lot4_south","lot4_east","lot4_west","total"]))')
prov_first_cells=$(cli report provision --on 2026-10-01 --json | jq_py '
r=[x for x in d["rows"] if x["row_kind"]=="total"][0]
print(" +".join(str(r[k]) for k in ["lot1_north","lot1_south","lot1_east","lot1_west"]))')
bad_to=$(cli report time-to-source --to 2026-10-32 2>&1 >/dev/null | sed -n 's/^brokerage: --to: //p')
[ -n "$wait_total" ] && [ -n "$prov_total_tail" ] && [ -n "$bad_to" ] || { echo "fixture figures missing"; exit 1; }

# ---- driving the terminal ----
start() { # NAME COLS ROWS [VAR=VALUE...]: the workstation as alice, in the export folder
	local name=$1 cols=$2 rows=$3
	shift 3
	(cd "$WORK/out" && term_start "$name" "$cols" "$rows" "$@" -- --db "$DB" --as alice --now "$NOW")
}
search() { term_keys "$1" /; sleep 0.2; term_keys "$1" -l "$2"; term_keys "$1" Enter; sleep 0.2; }

# ---- the list ----
start r 100 30
term_wait r "My referrals"
term_keys r 5
term_check "tab 5: the list of reports" r "^ REPORT +WHAT IT SHOWS"
term_check "tab 5: every report listed" r "Spend +committed weekly"
term_check "tab 5: the one under the cursor in full, with its defaults" r "Parameters: on \(default 2026-11-20\)"
term_check "status line: Enter chooses" r "Enter choose"

# ---- waiting: the totals equal the command line's ----
term_keys r Enter
term_check "waiting: the form asks only its parameter, today by default" r "On \* +2026-11-20"
term_keys r F2
term_check "waiting: the table with its title" r "^ Waiting list on 2026-11-20"
term_check "waiting: the parameters in the frame" r "Report: Waiting list, on 2026-11-20"
term_check "waiting: the command line that gives the same" r "brokerage report waiting --on 2026-11-20"
term_check "waiting: columns aligned, numbers to the right" r "^ +Referral +Case +Lot +District"
search r "waiting now"
term_check "waiting: the note with the count, as the command line says" r "Note: $wait_note"
search r "Total"
term_check "waiting: totals by district equal report waiting --json" r "^ Total +$wait_total *$"
term_keys r End
term_check "waiting: the last part, the weekly count" r "^ $wait_last_week *$"
term_check "waiting: the part and rows shown" r "part [23] of 3, rows [0-9]+-[0-9]+ of [0-9]+"

# ---- a sort by a column of the part in view (o): least waited first, then reversed ----
term_keys r Home o
term_check "sort: the columns offered, the report's own order first" r "the report's own order"
term_keys r Down Down Down Down Down Down Down Enter
term_check "sort: the line under the title says so" r "sorted by Days waited$"
first_row() { term_screen "$1" | awk '/^ +Referral +Case/ {getline; print $1; exit}'; }
least=$(cli report waiting --json | jq_py '
rows=[r for r in d["rows"] if r["row_kind"]=="data"]
print(min(rows, key=lambda r: r["waited_days"])["id"])')
most=$(cli report waiting --json | jq_py '
rows=[r for r in d["rows"] if r["row_kind"]=="data"]
print(max(rows, key=lambda r: r["waited_days"])["id"])')
is "sort: the first row is the one that waited least (stable: the first of them)" "$least" "$(first_row r)"
term_keys r o Enter
term_check "sort: the same column again reverses" r "sorted by Days waited, reversed"
is "sort: reversed, the first row waited longest" "$most" "$(first_row r)"
term_keys r o Home Enter
term_check_gone "sort: the report's own order again" r "sorted by"

# ---- provision on a date: scrolling right shows the later districts ----
term_keys r q
term_check "q goes back to the parameters, kept" r "On \* +2026-11-20"
term_check "the parameters' foot says F2 shows the report, not that it saves" r "F2 or Ctrl-S shows the report"
term_keys r Escape
term_check "Esc goes back to the list" r "^ REPORT +WHAT IT SHOWS"
term_keys r Down Enter
term_check "provision: its form" r "Report: Provision"
term_keys r C-u
term_keys r -l 2026-10-01
term_keys r F2
term_check "provision: the table for the date given" r "provision by provider, by lot, by district @ 2026-10-01"
term_check "provision: groups over the columns" r "Lot 1 Lifeskills"
term_check "provision: more columns to the right" r "Right: later"
term_check_not "provision: lot 4 not shown before scrolling" r "Lot 4"
search r "Total"
term_check "provision: the framework total (lot 1) equals the command line's" r "^ Total +$prov_first_cells "
for _ in $(seq 1 20); do term_keys r Right; done
term_check "provision: scrolled right, the last lot's districts show" r "Lot 4 Complex care"
term_check "provision: scrolled right, its figures equal the command line's" r "^ Total( +[0-9]+)* +$prov_total_tail *$"
term_check "provision: the first column stays" r "^ Provider +"
term_check "provision: Right at the end says so" r "The last columns show already"
term_keys r Home
term_keys r PgDn
term_check "provision: headings kept in view while the rows scroll" r "^ Provider +(West|North)"

# ---- export: the file equals the command line's output ----
term_keys r e
term_check "export: asks the format" r "Export the report as"
term_keys r Enter
term_check "export: asks the file, a name offered" r "provision-2026-10-01\.csv"
term_keys r C-u
term_keys r -l "$WORK/out/prov.csv"
term_keys r Enter
term_check "export: says where it went" r "Exported [0-9]+ rows as CSV to .*/out/prov\.csv"
if cli report provision --on 2026-10-01 --csv - | cmp -s - "$WORK/out/prov.csv"; then
	pass "export: the CSV equals brokerage report provision --on 2026-10-01 --csv -"
else
	fail "export: the CSV equals brokerage report provision --on 2026-10-01 --csv -" "the same bytes" "a different file"
fi
# the export is in the audit trail, with the file it went to (as the command line's)
if "$BIN" --db "$DB" --as tina --now "$NOW" audit log --json 2>/dev/null | jq -e --arg f "$(realpath "$WORK/out/prov.csv")" \
	'map(select(.actor == "alice" and .action == "data.export" and .after.file == $f and .after.report == "provision")) | length == 1' >/dev/null; then
	pass "export: recorded in the audit trail as alice's data.export, naming the file"
else
	fail "export: recorded in the audit trail as alice's data.export, naming the file" "one data.export event naming out/prov.csv" "none"
fi
mode=$(stat -c %a "$WORK/out/prov.csv" 2>/dev/null)
if [ "$mode" = 600 ]; then pass "export: the file is readable by its owner only"; else fail "export: the file is readable by its owner only" 600 "$mode"; fi
sum=$(cksum <"$WORK/out/prov.csv")
term_keys r e Enter
sleep 0.3
term_keys r C-u
term_keys r -l "$WORK/out/prov.csv"
term_keys r Enter
term_check "export: an existing file is not replaced without asking" r "Replace the file\?"
term_keys r n
term_check "export: declined, the file is left" r "Not exported: .*prov\.csv was left as it was"
if [ "$(cksum <"$WORK/out/prov.csv")" = "$sum" ]; then pass "export: declined, the file unchanged"; else fail "export: declined, the file unchanged" "$sum" "$(cksum <"$WORK/out/prov.csv")"; fi
term_keys r e Down Enter
sleep 0.3
term_keys r C-u
term_keys r -l "$WORK/out/prov.json"
term_keys r Enter
term_check "export: JSON too" r "Exported [0-9]+ rows as JSON to .*/out/prov\.json"
if cli report provision --on 2026-10-01 --json | cmp -s - "$WORK/out/prov.json"; then
	pass "export: the JSON equals brokerage report provision --on 2026-10-01 --json"
else
	fail "export: the JSON equals brokerage report provision --on 2026-10-01 --json" "the same bytes" "a different file"
fi

# ---- a bad date: refused next to its field, everything typed kept ----
term_keys r q Escape
term_wait r "^ REPORT +WHAT IT SHOWS"
term_keys r Home Down Down Down Down Down Enter # waiting, provision, response, late-answers, market-gap, time-to-source
term_check "time to source: from, to and by, the last full month by default" r "From \* +2026-10-01"
term_check "time to source: to by default the month's end" r "To \* +2026-10-31"
term_keys r C-u
term_keys r -l 2026-10-05
term_keys r Tab C-u
term_keys r -l 2026-10-32
term_keys r Tab Right Right
term_keys r F2
term_check "bad date: the reason next to the field" r "! \"2026-10-32\" is not a date|✖ \"2026-10-32\" is not a date"
term_check "bad date: the reason is cal_parse_date's" r "$bad_to"
term_check "bad date: the other fields kept (from)" r "From \* +2026-10-05"
term_check "bad date: the other fields kept (by)" r "Grouped by .*lot"
term_check "bad date: what was typed kept" r "To \* +2026-10-32"
term_check_not "bad date: no table shown" r "Time to source, packages sourced"
# The cursor is on the field refused: To. A To before From is refused next to From.
term_keys r C-u
term_keys r -l 2026-09-30
term_keys r F2
term_check "from after to: refused next to From" r "From \* +2026-10-05 *$"
term_check "from after to: the reason" r "after the To date \(2026-09-30\)"
term_keys r C-u
term_keys r -l 2026-09-01
term_keys r F2
term_check "corrected: the table with every parameter" r "Time to source, packages sourced 2026-09-01 to 2026-09-30 by lot"
tts=$(cli report time-to-source --from 2026-09-01 --to 2026-09-30 --by lot --json | jq_py '
r=[x for x in d["rows"] if x["row_kind"]=="total"][0]
print(" +".join(str(r[c["key"]+"_display"] if c["type"] in ("tenths","money","hours","percent") else r[c["key"]]) for c in d["columns"][1:]))')
term_check "corrected: its figures equal the command line's" r "^ All +$tts *$"

# ---- :report at the prompt: the same table, not the printed text ----
term_keys r q Escape 1
term_wait r "My referrals"
term_keys r :
sleep 0.2
term_keys r -l "report waiting --on 2026-11-20"
term_keys r Enter
term_check ":report: the table on the Report table screen" r "^ +Referral +Case +Lot +District"
term_check ":report: its parameters" r "brokerage report waiting --on 2026-11-20"
term_check ":report: the parts shown" r "part 1 of 3, rows 1-"
term_keys r q
term_check ":report: q goes back where it was asked" r "My referrals"
term_keys r :
sleep 0.2
term_keys r -l "report waiting --csv -"
term_keys r Enter
term_check ":report --csv: the command runs as typed, its output shown" r "Command finished with exit status 0"
term_stop r

# ---- 80x24 in the C locale ----
start c 80 24 LANG=C LC_ALL=C
term_wait c "My referrals"
term_keys c 5
term_check "80x24: the list fits" c "Spend +committed"
term_keys c End Enter
term_check "80x24: spend asks the financial year, this one by default" c "Financial year \* +2026"
term_keys c F2
term_check "80x24, C locale: money in GBP" c "GBP [0-9,]+\.[0-9]{2}"
term_check_not "80x24, C locale: no pound sign" c "£"
term_check "80x24: the keys on the status line" c "Right scroll +o sort +e export"
term_check "80x24: the rows and columns shown" c "rows 2-[0-9]+ of [0-9]+; columns 1, 2-[0-9]+ of 9, Right: later"
term_check_not "80x24, C locale: no figure cut with ~" c "[0-9]~"
term_keys c q Escape Home Enter F2
term_check "80x24: the waiting report" c "^ +Referral +Case +Lot"
term_check_not "80x24, C locale: no id, case, hours or date cut with ~" c "[0-9]~"
term_stop c

finish
