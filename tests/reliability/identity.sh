#!/bin/bash
# Row 10: the actor is the login of the real user id (getpwuid), never the
# environment: USER, LOGNAME, HOME changed do not change who acts; --as and
# --now on a database not made in test mode are refused with exit 2 and
# change nothing; a user id with no login is refused.
. "$(dirname "$0")/lib.sh"
me=$(id -un)
TM=$T/test.db REAL=$T/real.db
"$B" --db "$TM" init --test-mode >/dev/null
"$B" --db "$TM" --as "$me" staff add tina --name Tina --role team_leader >/dev/null
"$B" --db "$REAL" init >/dev/null
"$B" --db "$REAL" staff add tina --name Tina --role team_leader >/dev/null
last_actor() { sqlite3 "$1" "select actor from event order by seq desc limit 1"; }
# 1. the environment does not change the actor
USER=tina LOGNAME=tina HOME=/tmp SUDO_USER=tina "$B" --db "$REAL" staff add eve --name Eve --role officer >/dev/null 2>&1
check "USER/LOGNAME/HOME/SUDO_USER=tina: a change is still recorded as $me ($(last_actor "$REAL"))" [ "$(last_actor "$REAL")" = "$me" ]
USER=tina LOGNAME=tina HOME=/tmp "$B" --db "$TM" staff add eve --name Eve --role officer >/dev/null 2>&1
check "the same on a test-mode database without --as ($(last_actor "$TM"))" [ "$(last_actor "$TM")" = "$me" ]
USER=tina LOGNAME=tina "$B" --db "$TM" --json staff list >/dev/null 2>&1
check "USER=tina staff list works as $me (an administrator's command succeeded above)" [ $? = 0 ]
# 2. --as / --now on a real database: exit 2, nothing changed
before=$(sqlite3 "$REAL" "select count(*) from event")
for args in "--as tina staff list" "--as tina staff add mal --name Mal --role admin" "--now 2030-01-01T10:00 staff list" "--as $me staff list"; do
	# shellcheck disable=SC2086
	"$B" --db "$REAL" $args >/dev/null 2>"$T/err"; rc=$?
	check "real database, '$args': exit $rc (2) with why: $(head -c 100 "$T/err")" [ "$rc.$(grep -c 'test-mode' "$T/err")" = 2.1 ]
done
check "real database: nothing changed by the refused commands" [ "$before" = "$(sqlite3 "$REAL" "select count(*) from event")" ]
check "real database: no 'mal' staff" [ "$(sqlite3 "$REAL" "select count(*) from staff where login = 'mal'")" = 0 ]
# init of a real database with --as is refused too
"$B" --db "$T/real2.db" --as tina init >/dev/null 2>&1
check "init (not test mode) with --as refused" [ $? = 2 ]
if need_root && id nobody >/dev/null 2>&1; then
	other_user_bin || fail "copying the program where nobody can run it"
	# 3. an unprivileged login that is not staff cannot pretend to be
	mkdir -p "$T/shared"; chmod 777 "$T/shared"; cp "$REAL" "$T/shared/r.db"; chmod 666 "$T/shared/r.db"
	setpriv --reuid=nobody --regid=nogroup --clear-groups env USER="$me" LOGNAME="$me" HOME=/root \
		"$BO" --db "$T/shared/r.db" staff add mal --name Mal --role admin >/dev/null 2>"$T/err"; rc=$?
	check "nobody with USER=$me: refused as 'nobody' (exit $rc: $(head -c 120 "$T/err"))" [ "$rc.$(grep -c "'nobody'" "$T/err")" = 1.1 ]
	check "nobody with USER=$me: no staff added" [ "$(sqlite3 "$T/shared/r.db" "select count(*) from staff where login = 'mal'")" = 0 ]
	# 4. a user id with no login on the host
	setpriv --reuid=54321 --regid=54321 --clear-groups env USER="$me" "$BO" --db "$T/shared/r.db" staff list >/dev/null 2>"$T/err"; rc=$?
	check "a user id with no login is refused (exit $rc: $(head -c 100 "$T/err"))" [ "$rc.$(grep -c 'who you are' "$T/err")" = 4.1 ]
else
	note "skip: the unprivileged-user cases need root"
fi
finish
