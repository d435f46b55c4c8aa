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
# a login with no staff record is refused and leaves nothing in the group's directory
before=$(ls -A "$work/data")
out=$(cd "$work" && runuser -u sys -- "$b" --db "$db" referral list 2>&1)
[ $? -ne 0 ] && [ "$(ls -A "$work/data")" = "$before" ] && ok "a login with no staff record is refused, nothing made in the directory" \
	|| bad "a login with no staff record: '$out'; directory now: $(ls -A "$work/data" | tr '\n' ' ')"
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
# the log is checkpointed when a member of staff closes: the change is in the file itself
n=$(sqlite3 "file:$db?immutable=1" "select count(*) from referral where case_ref = 'SH-1'" 2>&1)
[ "$n" = 1 ] && ok "the write-ahead log was checkpointed at close (the change is in the database file)" \
	|| bad "after close the change is not in the database file ($n)"
# the group is given up for good: real, effective and saved (seen in a running process)
mkfifo "$work/home/slow" && chown nobody "$work/home/slow"
(cd "$work/home" && runuser -u nobody -- "$b" --db "$db" import referrals "$work/home/slow" >/dev/null 2>&1) &
gid_line=
for _ in $(seq 50); do
	pid=$(pgrep -f "^$b --db" | head -1)
	[ -n "$pid" ] && gid_line=$(awk '/^Gid:/ {print $2, $3, $4}' "/proc/$pid/status" 2>/dev/null)
	[ -n "$gid_line" ] && break
	sleep 0.1
done
sleep 0.3
[ -n "$pid" ] && gid_line=$(awk '/^Gid:/ {print $2, $3, $4}' "/proc/$pid/status" 2>/dev/null)
echo "case_ref,lot,district,hours" >"$work/home/slow"
wait
ng=$(id -g nobody)
[ "$gid_line" = "$ng $ng $ng" ] && ok "the group is given up for good: real, effective and saved gid $gid_line" \
	|| bad "gids while running (real effective saved): '$gid_line', want $ng"
# an administrator who is not root backs up and restores in the shared deployment
"$b" --db "$db" staff add daemon --name Daemon --role admin >/dev/null
mkdir "$work/dhome" && chown daemon "$work/dhome"
(cd "$work/dhome" && runuser -u daemon -- "$b" --db "$db" backup "$work/dhome/b1.db" >/dev/null 2>&1) \
	&& ok "an administrator backs up to a file of their own" || bad "backup as the administrator"
(cd "$work" && runuser -u nobody -- "$b" --db "$db" referral new --case SH-2 --lot 1 --district North --hours 4 >/dev/null 2>&1)
out=$(cd "$work/dhome" && runuser -u daemon -- "$b" --db "$db" restore "$work/dhome/b1.db" 2>&1)
rc=$?
n=$("$b" --db "$db" referral list --all 2>/dev/null | grep -c SH-2)
kept=$(ls "$work/data" | grep -c before-restore)
[ $rc -eq 0 ] && [ "$n" = 0 ] && [ "$kept" = 1 ] && ok "restore works in the shared deployment (the previous contents kept in the group's directory)" \
	|| bad "restore as the administrator: rc $rc, SH-2 rows $n, kept $kept: $out"
m=$(stat -c '%a %G' "$work/data/"*before-restore* 2>/dev/null)
[ "$m" = "600 $group" ] || [ "$m" = "660 $group" ] && ok "the kept copy stays in the group ($m)" || bad "the kept copy is '$m'"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
