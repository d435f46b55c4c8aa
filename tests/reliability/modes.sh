#!/bin/bash
# Row 7: file modes under umask 000 and 077. A single-user database and its
# -wal and -shm files are 0600; backups, exports, reports written to a file
# and subject-access answers are 0600 (directories 0700), whatever the umask.
. "$(dirname "$0")/lib.sh"
mode() { stat -c %a "$1" 2>/dev/null || echo missing; }
for um in 000 077 022; do
	D=$T/u$um; mkdir -p "$D"
	(
		umask $um
		"$B" --db "$D/b.db" demo --referrals 3000 --seed 2 >/dev/null 2>&1 &
		pid=$!
		# while the demo writes, the -wal and -shm files exist
		for ((i = 0; i < 200; i++)); do
			[ -e "$D/b.db-wal" ] && [ -e "$D/b.db-shm" ] && break
			sleep 0.02
		done
		echo "$(mode "$D/b.db-wal") $(mode "$D/b.db-shm")" >"$D/live-modes"
		wait $pid
		"$B" --db "$D/i.db" init --test-mode >/dev/null 2>&1
		"$B" --db "$D/b.db" --as "$ADMIN" backup "$D/backup.db" >/dev/null 2>&1
		"$B" --db "$D/b.db" --as tina export referrals --csv "$D/export.csv" >/dev/null 2>&1
		"$B" --db "$D/b.db" --as tina export providers --csv "$D/providers.csv" >/dev/null 2>&1
		"$B" --db "$D/b.db" --as tina report waiting --csv "$D/report.csv" >/dev/null 2>&1
		case=$(sqlite3 "$D/b.db" "select case_ref from referral limit 1")
		"$B" --db "$D/b.db" --as "$ADMIN" subject-access "$case" --out "$D/sar" >/dev/null 2>&1
	)
	read -r wal shm <"$D/live-modes"
	check "umask $um: database 0600 ($(mode "$D/b.db"))" [ "$(mode "$D/b.db")" = 600 ]
	check "umask $um: init'd database 0600 ($(mode "$D/i.db"))" [ "$(mode "$D/i.db")" = 600 ]
	check "umask $um: -wal 0600 while in use ($wal)" [ "$wal" = 600 ]
	check "umask $um: -shm 0600 while in use ($shm)" [ "$shm" = 600 ]
	check "umask $um: backup 0600 ($(mode "$D/backup.db"))" [ "$(mode "$D/backup.db")" = 600 ]
	check "umask $um: export referrals 0600 ($(mode "$D/export.csv"))" [ "$(mode "$D/export.csv")" = 600 ]
	check "umask $um: export providers 0600 ($(mode "$D/providers.csv"))" [ "$(mode "$D/providers.csv")" = 600 ]
	check "umask $um: report --csv FILE 0600 ($(mode "$D/report.csv"))" [ "$(mode "$D/report.csv")" = 600 ]
	sarfiles=$(find "$D/sar" -type f 2>/dev/null | wc -l)
	badsar=$(find "$D/sar" -type f ! -perm 600 2>/dev/null | wc -l)
	check "umask $um: subject-access directory 0700 ($(mode "$D/sar")), its $sarfiles files 0600 ($badsar not)" \
		[ "$(mode "$D/sar").$((sarfiles > 0)).$badsar" = 700.1.0 ]
done
finish
