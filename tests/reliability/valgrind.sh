#!/bin/bash
# Row 16: valgrind memcheck over a command-line scenario of about 25
# commands (demo, reads, every kind of change, reports, import, export,
# backup, audit, purge): 0 errors, 0 definite leaks. The workstation under
# tmux is covered by the tui tests; set VALGRIND_TUI=1 to add a short
# session here.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { note "skip: valgrind is not installed"; finish; }
DB=$T/vg.db
VG=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite -q)
n=0 bad=0
vg() { # COMMAND ARGS...: one command under memcheck
	n=$((n + 1))
	"${VG[@]}" --log-file="$T/vg.$n.log" "$B" --db "$DB" "$@" >"$T/vg.$n.out" 2>"$T/vg.$n.err"
	local rc=$?
	if [ $rc = 99 ] || [ -s "$T/vg.$n.log" ]; then
		bad=$((bad + 1)); fail "valgrind: '$*' (exit $rc): $(grep -m3 -E 'Invalid|uninit|definitely|jump' "$T/vg.$n.log" | tr '\n' ' ')"
		sed -n 1,40p "$T/vg.$n.log" | sed 's/^/#   /'
	else
		ok "valgrind clean: $(printf '%s ' "$@" | tr -c ' -~' '?' | head -c 90)(exit $rc)"
	fi
}
q() { sqlite3 -batch -noheader "$DB" "$1"; }
vg demo --referrals 30 --seed 5
vg --as alice referral list
vg --as alice --now 2026-01-05T09:00 referral new --case VG-1 --lot 1 --district North --hours 5 --note $'hostile \e[31m\xc0\xaf text'
id=$(q "select id from referral where case_ref = 'VG-1'")
vg --as alice --now 2026-01-05T09:00 referral send "$id"
prov=$(q "select p.name from offer o join provider p on p.id = o.provider_id where o.referral_id = $id and o.status = 'sent'")
vg --as alice --now 2026-01-05T10:00 referral respond "$id" --provider "$prov" info --question "which days?"
vg --as alice --now 2026-01-06T10:00 referral info-supplied "$id" --provider "$prov"
vg --as alice --now 2026-01-06T11:00 referral respond "$id" --provider "$prov" decline --reason "no staff"
vg --as alice referral show "$id"
vg --as tina --now 2026-02-02T10:00 sweep
vg --as tina referral assign "$id" bob
vg --as bob referral pause "$id" --reason "family asks"
vg --as bob referral resume "$id"
vg --as tina provider add "Valgrind Care" --risk amber --ages 0-18 --capacity North=40 --rate 21.00
vg --as tina provider set "Valgrind Care" --embargo "under review"
vg --as alice waiting
vg --as tina report spend --fy 2026
vg --as tina report response --csv -
cp "$SRC/tests/fixtures/referrals.csv" "$T/import.csv" 2>/dev/null && vg --as alice import referrals "$T/import.csv"
vg --as tina export referrals --csv -
ex=$(q "select id from referral where status = 'exhausted' and not exists (select 1 from spot_request s where s.referral_id = referral.id and s.status = 'pending') limit 1")
sp=$(q "select name from provider where framework = 0 and active = 1 and embargo is null and risk <> 'red' limit 1")
vg --as alice spot request "$ex" --provider "$sp" --rate 26.00 --hours 5 --weeks 8 --why "framework exhausted"
vg --as sam spot approve "$(q "select max(id) from spot_request")" --note "agreed"
vg --as tina audit log --limit 50
vg --as "$ADMIN" audit verify
vg --as "$ADMIN" check --deep
vg --as "$ADMIN" backup "$T/vg-backup.db"
vg --as "$ADMIN" subject-access VG-1 --out "$T/sar"
vg --as "$ADMIN" --now 2033-01-01T10:00 retention purge
vg --as alice referral new --case BAD --lot 99 --district Nowhere --hours -1
vg --as alice no-such-command
vg config show
vg deadline --sent 2026-11-20T16:30
if [ "${VALGRIND_TUI:-}" = 1 ] && command -v tmux >/dev/null; then
	S=bkvg$$
	tmux new-session -d -s "$S" -x 120 -y 40 "${VG[*]} --log-file=$T/vg.tui.log $B --db $DB --as alice; sleep 2"
	sleep 8; tmux send-keys -t "$S" j j Enter; sleep 3; tmux send-keys -t "$S" Escape q; sleep 5
	tmux kill-session -t "$S" 2>/dev/null
	check "valgrind clean: the workstation in tmux" [ ! -s "$T/vg.tui.log" ]
fi
note "valgrind: $n commands, $bad with errors or definite leaks"
finish
