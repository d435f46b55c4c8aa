#!/bin/bash
# Row 14: the disk fills up (a small tmpfs, as root) or the file-size limit
# is reached (ulimit -f with SIGXFSZ ignored) during an action and an
# import: a clear error that says what happened, nothing half-written
# (check --deep clean, none of the rows), and work goes on once space is back.
. "$(dirname "$0")/lib.sh"
q() { sqlite3 -batch -noheader "$1" "$2"; }
mkcsv() {
	echo "case_ref,lot,district,hours,panel_date,age,urgent,note,status,provider,route,sourced_on,weekly_cost,ended_on"
	for ((r = 1; r <= 300; r++)); do echo "$1-$r,1,North,5,2025-11-03,12,no,\"row $r padding padding padding padding padding padding padding\",waiting,,,,,"; done
}
NOTE=$(head -c 1900 /dev/zero | tr '\0' x)
# clear MESSAGE-FILE: says the disk/space/limit is the matter and no raw code
clear_msg() { grep -qiE 'full|space|size limit|too large' "$1" && ! grep -qE 'SQLITE_|\(disk I/O error\)|\([0-9]+\)' "$1"; }
if need_root && mkdir -p "$T/full" && mount -t tmpfs -o size=3m tmpfs "$T/full" 2>/dev/null; then
	CLEANUPS+=("umount -l '$T/full'")
	DB=$T/full/f.db
	"$B" --db "$DB" demo --referrals 150 --seed 1 >/dev/null
	fill() { rm -f "$T/full/filler"; local a; a=$(df -k --output=avail "$T/full" | tail -1); dd if=/dev/zero of="$T/full/filler" bs=1k count=$((a - $1)) status=none 2>/dev/null; }
	# an import with 40 KB left
	fill 40; mkcsv DFI >"$T/imp.csv"
	"$B" --db "$DB" --as alice import referrals "$T/imp.csv" >/dev/null 2>"$T/err"; rc=$?
	check "disk full during an import: refused (exit $rc): $(head -c 150 "$T/err")" [ "$rc.$(grep -c 'nothing was changed' "$T/err")" = 4.1 ]
	check "disk full during an import: the message says the disk is full" clear_msg "$T/err"
	check "disk full during an import: none of its rows ($(q "$DB" "select count(*) from referral where case_ref like 'DFI-%'"))" [ "$(q "$DB" "select count(*) from referral where case_ref like 'DFI-%'")" = 0 ]
	# actions with nothing left
	fill 4
	fails=0 msgs=""
	for i in 1 2 3 4 5; do
		"$B" --db "$DB" --as alice referral new --case "DFA-$i" --lot 1 --district North --hours 3 --note "$NOTE" >/dev/null 2>"$T/err" || { fails=$((fails + 1)); msgs=$(head -1 "$T/err"); }
	done
	check "disk full during actions: refused ($fails of 5): $msgs" [ "$fails" -ge 1 ]
	echo "$msgs" >"$T/err"
	check "disk full during actions: the message says the disk is full" clear_msg "$T/err"
	rm -f "$T/full/filler"
	made=$(q "$DB" "select count(*) from referral where case_ref like 'DFA-%'")
	check "disk full during actions: only the ones that succeeded are there ($made = $((5 - fails)))" [ "$made" = $((5 - fails)) ]
	check "disk full: check --deep clean afterwards" deep "$DB"
	check "space back: the import goes through" quiet "$B" --db "$DB" --as alice import referrals "$T/imp.csv"
	check "space back: all 300 rows there" [ "$(q "$DB" "select count(*) from referral where case_ref like 'DFI-%'")" = 300 ]
	check "space back: an action goes through" quiet "$B" --db "$DB" --as alice referral new --case DFA-after --lot 1 --district North --hours 3 --note "$NOTE"
	check "space back: check --deep clean" deep "$DB"
else
	note "skip: a small tmpfs needs root and mount"
fi
# the file-size limit: RLIMIT_FSIZE, SIGXFSZ ignored so the write fails with EFBIG
DB=$T/limit.db
"$B" --db "$DB" demo --referrals 150 --seed 2 >/dev/null
sqlite3 "$DB" "pragma wal_checkpoint(truncate)" >/dev/null
mkcsv DFL >"$T/imp2.csv"
(trap '' XFSZ; ulimit -f 64; "$B" --db "$DB" --as alice import referrals "$T/imp2.csv") >/dev/null 2>"$T/err"; rc=$?
check "file-size limit during an import: refused (exit $rc): $(head -c 150 "$T/err")" [ "$rc" = 4 ]
check "file-size limit during an import: the message says so" clear_msg "$T/err"
check "file-size limit during an import: none of its rows" [ "$(q "$DB" "select count(*) from referral where case_ref like 'DFL-%'")" = 0 ]
(trap '' XFSZ; ulimit -f 4; "$B" --db "$DB" --as alice referral new --case DFL-A --lot 1 --district North --hours 3 --note "$NOTE") >/dev/null 2>"$T/err"; rc=$?
check "file-size limit during an action: refused (exit $rc): $(head -c 150 "$T/err")" [ "$rc" = 4 ]
check "file-size limit during an action: the message says so" clear_msg "$T/err"
check "file-size limit during an action: not there" [ "$(q "$DB" "select count(*) from referral where case_ref = 'DFL-A'")" = 0 ]
# the limit reached in the middle of saving: a reader keeps the -wal and
# -shm in place, so the action opens and then cannot grow the log
mkfifo "$T/rd"; sqlite3 "$DB" <"$T/rd" >/dev/null 2>&1 & reader=$!
CLEANUPS+=("kill $reader 2>/dev/null")
exec 7>"$T/rd"; echo "BEGIN; SELECT count(*) FROM referral;" >&7; sleep 0.3
"$B" --db "$DB" --as alice referral new --case DFL-W --lot 1 --district North --hours 3 >/dev/null 2>&1
wal=$(($(stat -c %s "$DB-wal") / 1024 + 1))
(trap '' XFSZ; ulimit -f "$wal"; "$B" --db "$DB" --as alice referral new --case DFL-B --lot 1 --district North --hours 3 --note "$NOTE") >/dev/null 2>"$T/err"; rc=$?
check "file-size limit while saving an action (log at ${wal} KB): refused (exit $rc): $(head -c 150 "$T/err")" [ "$rc" = 4 ]
check "file-size limit while saving an action: the message says so" clear_msg "$T/err"
echo "COMMIT;" >&7; exec 7>&-; wait $reader 2>/dev/null
check "file-size limit while saving an action: not there" [ "$(q "$DB" "select count(*) from referral where case_ref = 'DFL-B'")" = 0 ]
check "file-size limit: check --deep clean" deep "$DB"
check "limit lifted: the import goes through" quiet "$B" --db "$DB" --as alice import referrals "$T/imp2.csv"
check "limit lifted: the action goes through" quiet "$B" --db "$DB" --as alice referral new --case DFL-A --lot 1 --district North --hours 3
check "limit lifted: check --deep clean" deep "$DB"
finish
