#!/bin/bash
# Row 18: hostile text (ESC, CSI, OSC, C1 as a raw 0x9b byte and as U+009B,
# bidi overrides and isolates, invalid and overlong UTF-8, BEL, BS, DEL) in
# every free-text field through the command line, and straight into the
# file for the fields the command line refuses (as if from an older
# version or an import). Output to a terminal (inside `script`, so stdout
# is a tty) carries no escape, no C1 and no bidi control; CSV export
# neutralises formula cells.
. "$(dirname "$0")/lib.sh"
DB=$T/h.db
"$B" --db "$DB" --now 2026-01-05T08:00 demo --referrals 20 --seed 1 >/dev/null || { fail "demo"; finish; }
q() { sqlite3 -batch -noheader "$DB" "$1"; }
H=$'<\e[31mRED\e[0m|\e]0;pwned\a|\e]52;c;ZXZpbA==\e\\|\x9b31m|\xc2\x9b32m|\u202Egnp.exe|\u2066iso\u2069|\u200f|\xc0\xaf|\xe0\x80\xaf|\xff\xfe|\x07\x08\x7f|\e[6n|\ePq#0;2;0;0;0#0~~@-\e\\|end>'
stored=0 refused=0
try() { # FIELD COMMAND...
	local f=$1; shift
	if "$B" --db "$DB" "$@" >/dev/null 2>"$T/err"; then stored=$((stored + 1)); note "$f: taken"
	else refused=$((refused + 1)); note "$f: refused ($(head -c 100 "$T/err" | tr -d '\033\233'))"; fi
}
now=--now=2026-01-05T09:00
id=$("$B" --db "$DB" --as alice $now referral new --case HOST-1 --lot 1 --district North --hours 3 --note "$H" 2>/dev/null)
[ -n "$id" ] && stored=$((stored + 1)) || { id=$("$B" --db "$DB" --as alice $now referral new --case HOST-1 --lot 1 --district North --hours 3 2>/dev/null); note "note: refused"; }
try "note (edit)" --as alice $now referral edit "$id" --note "$H"
"$B" --db "$DB" --as alice $now referral send "$id" >/dev/null 2>&1
prov() { q "select p.name from offer o join provider p on p.id = o.provider_id where o.referral_id = $id and o.status in ('sent','info_requested') order by rank limit 1"; }
try "question" --as alice $now referral respond "$id" --provider "$(prov)" info --question "$H"
try "decline reason" --as alice $now referral respond "$id" --provider "$(prov)" decline --reason "$H"
try "pause reason" --as alice $now referral pause "$id" --reason "$H"
"$B" --db "$DB" --as alice $now referral resume "$id" >/dev/null 2>&1
try "provider name" --as tina provider add "Hostile $H"
try "embargo" --as tina provider set "$(q "select name from provider where framework = 1 order by id limit 1")" --embargo "$H"
try "staff name" --as "$ADMIN" staff add mallory --name "$H" --role officer
id2=$(q "select id from referral where status = 'exhausted' and not exists (select 1 from spot_request s where s.referral_id = referral.id and s.status = 'pending') limit 1")
sp=$(q "select name from provider where framework = 0 and active = 1 and embargo is null and risk <> 'red' limit 1")
try "justification" --as alice spot request "$id2" --provider "$sp" --rate 25.00 --hours 5 --weeks 4 --why "$H"
req=$(q "select max(id) from spot_request")
try "spot decision note" --as sam spot reject "$req" --note "$H"
id3=$("$B" --db "$DB" --as alice referral new --case HOST-3 --lot 1 --district North --hours 3 2>/dev/null)
try "withdraw reason" --as alice referral withdraw "$id3" --reason "$H"
note "through the command line: $stored fields taken, $refused refused"
# the fields the command line refused, written straight into the file
HX=$(printf '%s' "$H" | od -An -tx1 | tr -d ' \n')
q "update provider set name = 'Raw ' || cast(x'$HX' as text) where id = (select max(id) from provider where framework = 0);
   update staff set name = cast(x'$HX' as text) where login = 'dan';
   update referral set note = cast(x'$HX' as text) where id = (select min(id) from referral)"
check "hostile bytes are in the database (ESC in $(q "select count(*) from referral where instr(note, char(27)) > 0") notes)" [ "$(q "select count(*) from referral where instr(note, char(27)) > 0")" -ge 1 ]
# every listing to a terminal
tty_run() { # NAME COMMAND...: run under script so stdout is a tty, keep the bytes
	local name=$1; shift
	local cmd; printf -v cmd '%q ' "$@"
	script -qec "$cmd" /dev/null >"$T/tty.$name" 2>&1 </dev/null
}
shown=0
for cmdline in "referral show $id" "referral show $id2" "referral list --all" "provider list" "provider show $(q "select name from provider where framework = 0 order by id desc limit 1")" \
	"spot list" "audit log" "audit log --referral $id" "staff list" "waiting" "rank show"; do
	name=$(echo "$cmdline" | tr -c 'a-z0-9' _ | head -c 40)
	label=$(printf '%s' "$cmdline" | tr -c ' -~' '?' | head -c 40)
	# shellcheck disable=SC2086
	eval "set -- $(printf '%q ' $cmdline)"
	if [ "${cmdline#provider show }" != "$cmdline" ]; then set -- provider show "${cmdline#provider show }"; fi
	tty_run "$name" "$B" --db "$DB" --as tina "$@"
	f=$T/tty.$name
	# script's own output may hold CR; anything else of these is the program's
	esc=$(tr -cd '\033' <"$f" | wc -c)
	c1=$(LC_ALL=C grep -caP '\xc2[\x80-\x9f]' "$f" || true)
	bidi=$(LC_ALL=C grep -caP '\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c' "$f" || true)
	bel=$(tr -cd '\007\010\177' <"$f" | wc -c)
	invalid=$(iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1 && echo 0 || echo 1)
	if [ "$esc$c1$bidi$bel$invalid" = 00000 ]; then
		ok "$label on a tty: no ESC, C1, bidi, BEL/BS/DEL or invalid UTF-8 ($(wc -c <"$f") bytes)"
	else
		fail "$label on a tty: ESC $esc, U+0080-9F lines $c1, bidi lines $bidi, BEL/BS/DEL $bel, invalid UTF-8 $invalid"
	fi
	grep -q 'RED' "$f" && shown=$((shown + 1))
done
check "the hostile text was shown (harmlessly) in $shown listings" [ "$shown" -ge 3 ]
# export to a terminal, and error messages that echo an argument (issue 14)
tty_clean() { # NAME LABEL: the file tty.NAME carries nothing raw
	local f=$T/tty.$1 esc c1 bidi bel invalid
	esc=$(tr -cd '\033' <"$f" | wc -c)
	c1=$(LC_ALL=C grep -caP '\xc2[\x80-\x9f]' "$f" || true)
	bidi=$(LC_ALL=C grep -caP '\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c' "$f" || true)
	bel=$(tr -cd '\007\010\177' <"$f" | wc -c)
	invalid=$(iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1 && echo 0 || echo 1)
	check "$2 on a tty: no ESC ($esc), C1 ($c1), bidi ($bidi), BEL/BS/DEL ($bel), invalid UTF-8 ($invalid)" [ "$esc$c1$bidi$bel$invalid" = 00000 ]
}
tty_run export_referrals "$B" --db "$DB" --as tina export referrals --csv -
check "export referrals to a tty shows the notes" grep -q 'RED' "$T/tty.export_referrals"
tty_clean export_referrals "export referrals --csv -"
tty_run export_providers "$B" --db "$DB" --as tina export providers
tty_clean export_providers "export providers"
tty_run err_show "$B" --db "$DB" --as tina referral show "$H"
tty_clean err_show "an error echoing 'referral show ARG'"
tty_run err_cmd "$B" --db "$DB" --as tina "$H"
tty_clean err_cmd "an error echoing an unknown command"
tty_run err_opt "$B" --db "$DB" --as tina referral list "--$H"
tty_clean err_opt "an error echoing an unknown option"
tty_run err_db "$B" --db "$T/x$H" referral list
tty_clean err_db "an error echoing the --db path"
# JSON: C1 controls and bidi marks escaped as \uXXXX wherever it goes
for cmdline in "referral show $id" "audit log" "referral list --all"; do
	# shellcheck disable=SC2086
	"$B" --db "$DB" --as tina --json $cmdline >"$T/j.out" 2>/dev/null
	c1=$(LC_ALL=C grep -caP '\xc2[\x80-\x9f]' "$T/j.out" || true)
	bidi=$(LC_ALL=C grep -caP '\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$T/j.out" || true)
	esc=$(grep -c '\\u009b\|\\u202e\|\\u2066' "$T/j.out" || true)
	check "--json $cmdline: C1 ($c1) and bidi ($bidi) escaped, \\u escapes present ($esc)" [ "$c1.$bidi" = 0.0 ] && [ "$esc" -ge 1 ]
done
# CSV: formula cells neutralised
for lead in '=' '+' '-' '@' $'\t' $'\r'; do
	c=$("$B" --db "$DB" --as alice referral new --case "CSV-$RANDOM" --lot 1 --district North --hours 3 --note "${lead}HYPERLINK(\"http://evil\",\"x\")" 2>/dev/null) || c=""
done
"$B" --db "$DB" --as tina export referrals --csv - >"$T/export.csv" 2>"$T/export.err"
check "export referrals --csv - works" [ -s "$T/export.csv" ]
n=$(grep -c 'HYPERLINK' "$T/export.csv")
bad=$(grep -E '(^|,)"?[=+@-]HYPERLINK' "$T/export.csv" | wc -l)
bad2=$(grep -E $'(^|,)"?[\t\r]HYPERLINK' "$T/export.csv" | wc -l)
check "CSV: $n formula notes exported, none starts a cell with = + - @ ($bad), TAB or CR ($bad2)" [ "$((n >= 4)).$bad.$bad2" = 1.0.0 ]
"$B" --db "$DB" --as tina report waiting --csv - >"$T/report.csv" 2>/dev/null
check "CSV report: no cell starts with a formula character" [ "$(grep -cE '(^|,)"?[=+@]' "$T/report.csv")" = 0 ]
finish
