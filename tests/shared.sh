#!/usr/bin/env bash
# The shared deployment: the program setgid to a group that alone may enter
# the data directory (root:GROUP 2770). Staff act only through the program:
# sqlite3 on the file is refused to them; the database files are 0660 for
# the group; exports are written with the user's own ids, 0600. Needs root
# (to make the group and switch users); skipped (77) otherwise.
set -u
bin=${BROKERAGE_BIN:?}
[ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null || { echo "skip: needs root and runuser"; exit 77; }
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }
group=brokerage-test-$$
work=$(mktemp -d /tmp/brokerage-shared.XXXXXX)
trap 'rm -rf "$work"; groupdel "$group" 2>/dev/null' EXIT
groupadd "$group"
chmod 755 "$work"
mkdir "$work/bin" "$work/data"
cp "$bin" "$work/bin/brokerage"
chgrp "$group" "$work/bin/brokerage" && chmod 2755 "$work/bin/brokerage"
chgrp "$group" "$work/data" && chmod 2770 "$work/data"
b="$work/bin/brokerage"
db="$work/data/team.db"
"$b" --db "$db" init --test-mode >/dev/null && "$b" --db "$db" staff add nobody --name Nobody --role officer >/dev/null \
	&& ok "the administrator makes the shared database" || bad "init in the shared directory"
mode=$(stat -c '%a %G' "$db")
[ "$mode" = "660 $group" ] && ok "the database is 0660 for the group ($mode)" || bad "database mode is $mode"
out=$(cd "$work" && runuser -u nobody -- "$b" --db "$db" referral new --case SH-1 --lot 1 --district North --hours 4 2>&1)
[ $? -eq 0 ] && ok "a member of staff records a referral through the program" || bad "referral new as nobody: $out"
for f in "$db-wal" "$db-shm"; do
	m=$(stat -c '%a %G' "$f" 2>/dev/null)
	[ "$m" = "660 $group" ] && ok "$(basename "$f") is 0660 for the group" || bad "$(basename "$f") mode is '$m'"
done
runuser -u nobody -- sqlite3 "$db" "select count(*) from referral" >/dev/null 2>&1 \
	&& bad "sqlite3 on the file was allowed to staff" || ok "sqlite3 on the file is refused to staff"
runuser -u nobody -- cat "$db" >/dev/null 2>&1 && bad "staff can read the file directly" || ok "staff cannot read the file directly"
mkdir "$work/home" && chown nobody "$work/home"
(cd "$work/home" && runuser -u nobody -- "$b" --db "$db" export referrals --csv "$work/home/export.csv" >/dev/null 2>&1)
own=$(stat -c '%a %U %G' "$work/home/export.csv" 2>/dev/null)
[ "$own" = "600 nobody $(id -gn nobody)" ] && ok "an export is the user's own, 0600 ($own)" || bad "export is '$own'"
(cd "$work" && runuser -u nobody -- "$b" --db "$db" check >/dev/null 2>&1) && ok "check works for staff" || bad "check as staff"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
