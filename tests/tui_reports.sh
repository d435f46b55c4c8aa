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
bin=${BROKERAGE_BIN:?}
: "${BROKERAGE_SOURCE_ROOT:?}"
for tool in tmux python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$tool is not installed: skipped"
		exit 77
	fi
done
tmp=$(mktemp -d)
sock="brokerage-reports-$$"
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
	rm -rf "$tmp"
}
trap cleanup EXIT
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" TZ=Europe/London LC_ALL=C.UTF-8
unset BROKERAGE_CONFIG NO_COLOR
db="$tmp/t.db"
NOW=2026-11-20T09:00 # a Friday
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }

# ---- the fixture: a demo database, swept at the clock the screen uses so
# that its own sweep at start changes nothing ----
cli() { "$bin" --db "$db" --as alice --now "$NOW" "$@"; }
"$bin" --db "$db" --now "$NOW" demo --referrals 300 --seed 3 >/dev/null 2>"$tmp/demo.err" ||
	{ echo "demo failed: $(cat "$tmp/demo.err")"; exit 1; }
cli sweep >/dev/null 2>&1 || { echo "sweep failed"; exit 1; }
mkdir -p "$tmp/out"

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
start() { # NAME COLS ROWS [ENV...]
	local name=$1 cols=$2 rows=$3
	shift 3
	local env=(-e TERM=xterm-256color -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 -e NO_COLOR=1 -e TZ=Europe/London
		-e HOME="$tmp" -e XDG_CONFIG_HOME="$tmp/config")
	local e term=xterm-256color
	for e in "$@"; do
		env+=(-e "$e")
		case $e in TERM=*) term=${e#TERM=} ;; esac
	done
	# tmux gives the program its own default-terminal whatever -e says:
	# the TERM under test is set on the command itself.
	tmux -L "$sock" -f /dev/null new-session -d -s "$name" -x "$cols" -y "$rows" "${env[@]}" \
		"cd '$tmp/out' && TERM='$term' exec '$bin' --db '$db' --as alice --now $NOW"
}
screen() { tmux -L "$sock" capture-pane -p -t "$1" 2>/dev/null; }
keys() { tmux -L "$sock" send-keys -t "$@"; }
wait_for() { # SESSION PATTERN: up to 20 s (returns as soon as it shows)
	local i
	for i in $(seq 1 200); do
		screen "$1" | grep -qE -- "$2" && return 0
		sleep 0.1
	done
	return 1
}
show() { screen "$1" | sed 's/^/    | /'; }
check() { # DESCRIPTION SESSION PATTERN
	if wait_for "$2" "$3"; then ok "$1"; else bad "$1 (no /$3/)"; show "$2"; fi
}
check_not() { # DESCRIPTION SESSION PATTERN: not on the screen (now)
	sleep 0.2
	if screen "$2" | grep -qE -- "$3"; then bad "$1 (/$3/ shows)"; show "$2"; else ok "$1"; fi
}
search() { keys "$1" /; sleep 0.2; keys "$1" -l "$2"; keys "$1" Enter; sleep 0.2; }
stop() {
	keys "$1" q 2>/dev/null
	tmux -L "$sock" kill-session -t "$1" 2>/dev/null
}

# ---- the list ----
start r 100 30
wait_for r "My referrals" >/dev/null
keys r 5
check "tab 5: the list of reports" r "^ REPORT +WHAT IT SHOWS"
check "tab 5: every report listed" r "Spend +committed weekly"
check "tab 5: the one under the cursor in full, with its defaults" r "Parameters: on \(default 2026-11-20\)"
check "status line: Enter chooses" r "Enter choose"

# ---- waiting: the totals equal the command line's ----
keys r Enter
check "waiting: the form asks only its parameter, today by default" r "On \* +2026-11-20"
keys r F2
check "waiting: the table with its title" r "^ Waiting list on 2026-11-20"
check "waiting: the parameters in the frame" r "Report: Waiting list, on 2026-11-20"
check "waiting: the command line that gives the same" r "brokerage report waiting --on 2026-11-20"
check "waiting: columns aligned, numbers to the right" r "^ +Referral +Case +Lot +District"
search r "waiting now"
check "waiting: the note with the count, as the command line says" r "Note: $wait_note"
search r "Total"
check "waiting: totals by district equal report waiting --json" r "^ Total +$wait_total *$"
keys r End
check "waiting: the last part, the weekly count" r "^ $wait_last_week *$"
check "waiting: the part and rows shown" r "part [23] of 3, rows [0-9]+-[0-9]+ of [0-9]+"

# ---- provision on a date: scrolling right shows the later districts ----
keys r q
check "q goes back to the parameters, kept" r "On \* +2026-11-20"
keys r Escape
check "Esc goes back to the list" r "^ REPORT +WHAT IT SHOWS"
keys r Down Enter
check "provision: its form" r "Report: Provision"
keys r C-u
keys r -l 2026-10-01
keys r F2
check "provision: the table for the date given" r "provision by provider, by lot, by district @ 2026-10-01"
check "provision: groups over the columns" r "Lot 1 Lifeskills"
check "provision: more columns to the right" r "Right: later"
check_not "provision: lot 4 not shown before scrolling" r "Lot 4"
search r "Total"
check "provision: the framework total (lot 1) equals the command line's" r "^ Total +$prov_first_cells "
for _ in $(seq 1 20); do keys r Right; done
check "provision: scrolled right, the last lot's districts show" r "Lot 4 Complex care"
check "provision: scrolled right, its figures equal the command line's" r "^ Total( +[0-9]+)* +$prov_total_tail *$"
check "provision: the first column stays" r "^ Provider +"
check "provision: Right at the end says so" r "The last columns show already"
keys r Home
keys r PgDn
check "provision: headings kept in view while the rows scroll" r "^ Provider +(West|North)"

# ---- export: the file equals the command line's output ----
keys r e
check "export: asks the format" r "Export the report as"
keys r Enter
check "export: asks the file, a name offered" r "provision-2026-10-01\.csv"
keys r C-u
keys r -l "$tmp/out/prov.csv"
keys r Enter
check "export: says where it went" r "Exported [0-9]+ rows as CSV to .*/out/prov\.csv"
if cli report provision --on 2026-10-01 --csv - | cmp -s - "$tmp/out/prov.csv"; then
	ok "export: the CSV equals brokerage report provision --on 2026-10-01 --csv -"
else
	bad "export: the CSV equals brokerage report provision --on 2026-10-01 --csv -"
fi
# the export is in the audit trail, with the file it went to (as the command line's)
if "$bin" --db "$db" --as tina --now "$NOW" audit log --json 2>/dev/null | jq -e --arg f "$(realpath "$tmp/out/prov.csv")" \
	'map(select(.actor == "alice" and .action == "data.export" and .after.file == $f and .after.report == "provision")) | length == 1' >/dev/null; then
	ok "export: recorded in the audit trail as alice's data.export, naming the file"
else
	bad "export: no data.export event naming out/prov.csv"
fi
mode=$(stat -c %a "$tmp/out/prov.csv" 2>/dev/null)
if [ "$mode" = 600 ]; then ok "export: the file is readable by its owner only"; else bad "export: mode $mode, not 600"; fi
sum=$(cksum <"$tmp/out/prov.csv")
keys r e Enter
sleep 0.3
keys r C-u
keys r -l "$tmp/out/prov.csv"
keys r Enter
check "export: an existing file is not replaced without asking" r "Replace the file\?"
keys r n
check "export: declined, the file is left" r "Not exported: .*prov\.csv was left as it was"
if [ "$(cksum <"$tmp/out/prov.csv")" = "$sum" ]; then ok "export: declined, the file unchanged"; else bad "export: the file changed"; fi
keys r e Down Enter
sleep 0.3
keys r C-u
keys r -l "$tmp/out/prov.json"
keys r Enter
check "export: JSON too" r "Exported [0-9]+ rows as JSON to .*/out/prov\.json"
if cli report provision --on 2026-10-01 --json | cmp -s - "$tmp/out/prov.json"; then
	ok "export: the JSON equals brokerage report provision --on 2026-10-01 --json"
else
	bad "export: the JSON equals brokerage report provision --on 2026-10-01 --json"
fi

# ---- a bad date: refused next to its field, everything typed kept ----
keys r q Escape
wait_for r "^ REPORT +WHAT IT SHOWS" >/dev/null
keys r Home Down Down Down Enter
check "time to source: from, to and by, the last full month by default" r "From \* +2026-10-01"
check "time to source: to by default the month's end" r "To \* +2026-10-31"
keys r C-u
keys r -l 2026-10-05
keys r Tab C-u
keys r -l 2026-10-32
keys r Tab Right Right
keys r F2
check "bad date: the reason next to the field" r "! \"2026-10-32\" is not a date|✖ \"2026-10-32\" is not a date"
check "bad date: the reason is cal_parse_date's" r "$bad_to"
check "bad date: the other fields kept (from)" r "From \* +2026-10-05"
check "bad date: the other fields kept (by)" r "Grouped by .*lot"
check "bad date: what was typed kept" r "To \* +2026-10-32"
check_not "bad date: no table shown" r "Time to source, packages sourced"
# The cursor is on the field refused: To. A To before From is refused next to From.
keys r C-u
keys r -l 2026-09-30
keys r F2
check "from after to: refused next to From" r "From \* +2026-10-05 *$"
check "from after to: the reason" r "after the To date \(2026-09-30\)"
keys r C-u
keys r -l 2026-09-01
keys r F2
check "corrected: the table with every parameter" r "Time to source, packages sourced 2026-09-01 to 2026-09-30 by lot"
tts=$(cli report time-to-source --from 2026-09-01 --to 2026-09-30 --by lot --json | jq_py '
r=[x for x in d["rows"] if x["row_kind"]=="total"][0]
print(" +".join(str(r[c["key"]+"_display"] if c["type"] in ("tenths","money","hours","percent") else r[c["key"]]) for c in d["columns"][1:]))')
check "corrected: its figures equal the command line's" r "^ All +$tts *$"
stop r

# ---- 80x24 in the C locale ----
start c 80 24 LANG=C LC_ALL=C
wait_for c "My referrals" >/dev/null
keys c 5
check "80x24: the list fits" c "Spend +committed"
keys c End Enter
check "80x24: spend asks the financial year, this one by default" c "Financial year \* +2026"
keys c F2
check "80x24, C locale: money in GBP" c "GBP [0-9,]+\.[0-9]{2}"
check_not "80x24, C locale: no pound sign" c "£"
check "80x24: the keys on the status line" c "Right scroll +e export"
check "80x24: the rows and columns shown" c "rows 2-[0-9]+ of [0-9]+; columns 1, 2-[0-9]+ of 9, Right: later"
stop c

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
