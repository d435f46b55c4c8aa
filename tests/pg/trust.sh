#!/usr/bin/env bash
# The trust model on PostgreSQL (issue 19; brokerage(7), "POSTGRESQL: WHO
# MAY REACH THE DATA"): a real cluster (tests/pg/cluster.sh) set up as the
# page says (docs/postgresql-roles.sql, the pg_hba.conf lines, the owner
# making the schema, docs/postgresql-grants.sql, /etc/brokerage/pgpass
# 0640 root:GROUP and /etc/brokerage/brokerage.conf naming it, the program
# setgid to GROUP). Then a member of staff, with psql and every credential
# they can reach (their own name, brokerage_app or brokerage_owner without
# the password, postgres, the password file itself, PGPASSFILE, the
# program pointed at the file with a connection string of their own),
# cannot write any table nor read case data; through the program, the same
# login works a referral, with libpq's environment variables ignored.
# Even the program's own login cannot change, delete or empty the audit
# trail, nor drop its triggers.
#
# /etc/brokerage is given in a private mount namespace (an overlay on /etc,
# as tests/reliability/migration.sh does): the host's /etc is never
# touched. Needs root (the group, a staff login made with useradd --system
# and removed at the end, runuser, unshare); skipped (77) otherwise, or when
# the PostgreSQL binaries are missing.
set -u
bin=${BROKERAGE_BIN:?}
src=${BROKERAGE_SOURCE_ROOT:?}
cluster=$src/tests/pg/cluster.sh
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
psql=$PG_BINDIR/psql
skip() {
	echo "skip: $*"
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root (a group, a login, runuser, a mount namespace)"
command -v runuser >/dev/null && command -v unshare >/dev/null || skip "needs runuser and unshare"
[ -x "$psql" ] && [ -x "$PG_BINDIR/initdb" ] || skip "no PostgreSQL 15 binaries in $PG_BINDIR"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }

W=$(mktemp -d /tmp/bk-pgtrust.XXXXXX)
chmod 755 "$W"
group=bkpgt$$
staff=bkstaff$$
cleanup() {
	[ -z "${KEEP_TMP:-}" ] || { echo "# kept $W (KEEP_TMP): the cluster still runs; $cluster stop $W/pg"; return; }
	"$cluster" stop "$W/pg" >/dev/null 2>&1
	userdel "$staff" 2>/dev/null
	groupdel "$group" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE # the EXIT trap then removes the login and the group
groupadd --system "$group" || skip "could not make a group"
useradd --system --no-create-home --shell /usr/sbin/nologin "$staff" || skip "could not make a login"

# ---- the server, as brokerage(7) says ----
super=$("$cluster" start "$W/pg") || { echo "FAIL - the cluster did not start"; exit 1; }
sock=$W/pg
sq() { "$psql" -X -q -At -v ON_ERROR_STOP=1 -d "$super" "$@"; }
owner_pw=owner-$RANDOM$RANDOM$RANDOM
app_pw=app-$RANDOM$RANDOM$RANDOM
sq -v owner_password="'$owner_pw'" -v app_password="'$app_pw'" -f "$src/docs/postgresql-roles.sql" >/dev/null \
	&& ok "docs/postgresql-roles.sql makes the roles and the database" || bad "docs/postgresql-roles.sql failed"
# pg_hba.conf: the page's lines on the Unix socket (no TCP here); the
# superuser by peer for the cluster's login and root (the test's own
# set-up and checks), everyone else rejected.
cat >"$sock/data/pg_ident.conf" <<EOF
super brokerage-test postgres
super root postgres
EOF
cat >"$sock/data/pg_hba.conf" <<EOF
# TYPE  DATABASE  USER             ADDRESS  METHOD
local   all       postgres                  peer map=super
local   brokerage brokerage_app             scram-sha-256
local   brokerage brokerage_owner           scram-sha-256
local   all       all                       reject
EOF
"$cluster" reload "$sock" && sleep 0.5
super="host=$sock port=5432 user=postgres dbname=postgres"
[ "$(sq -c 'select 1')" = 1 ] && ok "pg_hba.conf in force; the superuser still reaches the server by peer" \
	|| bad "after the pg_hba.conf reload the superuser cannot connect"

# root's own password file for the owner (its ~/.pgpass, 0600)
mkdir -m 700 "$W/root"
printf '%s:5432:brokerage:brokerage_owner:%s\n' "$sock" "$owner_pw" >"$W/root/pgpass"
chmod 600 "$W/root/pgpass"
owner="host=$sock port=5432 dbname=brokerage user=brokerage_owner passfile=$W/root/pgpass"

# the program, setgid to the group
mkdir -m 755 "$W/bin"
cp "$bin" "$W/bin/brokerage"
chgrp "$group" "$W/bin/brokerage" && chmod 2755 "$W/bin/brokerage"
b=$W/bin/brokerage
(cd "$W" && "$b" --db "$owner" init --name "Trust test" >"$W/init.out" 2>&1) \
	&& ok "root makes the schema as brokerage_owner (init)" || bad "init as the owner: $(cat "$W/init.out")"
"$psql" -X -q -v ON_ERROR_STOP=1 -d "$owner" -f "$src/docs/postgresql-grants.sql" >"$W/grants.out" 2>&1 \
	&& ok "docs/postgresql-grants.sql run by the owner" || bad "grants: $(cat "$W/grants.out")"
(cd "$W" && "$b" --db "$owner" staff add "$staff" --name "A member of staff" --role team_leader >"$W/staff.out" 2>&1) \
	&& ok "root adds the member of staff (a team leader) as the owner" || bad "staff add: $(cat "$W/staff.out")"
tables=$(sq -d "host=$sock port=5432 user=postgres dbname=brokerage" -c \
	"select string_agg(tablename, ' ' order by tablename) from pg_tables where schemaname = 'public'")
[ -n "$tables" ] && ok "the schema's tables: $tables" || bad "no table in the database"
bq() { sq -d "host=$sock port=5432 user=postgres dbname=brokerage" -c "$1"; }

# the host's configuration and the program's password file, in /etc
mkdir -p "$W/up/brokerage" "$W/work"
cat >"$W/up/brokerage/brokerage.conf" <<EOF
database = "host=$sock port=5432 dbname=brokerage user=brokerage_app passfile=/etc/brokerage/pgpass";
EOF
chmod 644 "$W/up/brokerage/brokerage.conf"
printf '%s:5432:brokerage:brokerage_app:%s\n' "$sock" "$app_pw" >"$W/up/brokerage/pgpass"
chown root:"$group" "$W/up/brokerage/pgpass" && chmod 640 "$W/up/brokerage/pgpass"
chmod 755 "$W/up" "$W/up/brokerage"
with_etc() { # COMMAND...: run it with $W/up over /etc, in a mount namespace of its own
	unshare --mount --propagation private bash -c \
		'mount -t overlay overlay -o lowerdir=/etc,upperdir="$1",workdir="$2" /etc && shift 2 && exec "$@"' \
		_ "$W/up" "$W/work" "$@"
}
with_etc test -f /etc/brokerage/pgpass || skip "cannot lay an overlay on /etc here"
as_staff() { (cd "$W" && with_etc runuser -u "$staff" -- env -i PATH=/usr/bin:/bin HOME=/nonexistent LC_ALL=C.UTF-8 TZ=UTC "$@"); }

# the member of staff sets the team up through the program (a provider, a
# ranking, a case), as the host's configuration says
out=$(as_staff "$b" provider add "Acorn Care" 2>&1 && as_staff "$b" rank set --lot 1 --district North "Acorn Care" 2>&1 &&
	as_staff "$b" referral new --case TRUST-1 --lot 1 --district North --hours 4 2>&1) \
	&& ok "through the program the member of staff adds a provider, a ranking and a case (TRUST-1)" || bad "setting the team up: $out"
events0=$(bq "select count(*) from event")

# ---- what a member of staff can reach by hand ----
out=$(as_staff cat /etc/brokerage/pgpass 2>&1)
[ $? -ne 0 ] && ! grep -q "$app_pw" <<<"$out" && ok "the member of staff cannot read /etc/brokerage/pgpass ($out)" \
	|| bad "the password file was read by staff"
n=0 refused=0 leaked=0
for user in "$staff" brokerage_app brokerage_owner postgres; do
	for db in brokerage postgres template1; do
		for how in none pgpassfile passfile; do
			ci="host=$sock port=5432 dbname=$db user=$user"
			envs=()
			case $how in
			pgpassfile) envs=(PGPASSFILE=/etc/brokerage/pgpass) ;;
			passfile) ci="$ci passfile=/etc/brokerage/pgpass" ;;
			esac
			for sql in "select case_ref from referral" \
				"insert into staff(login, name, role, active) values ('mallory', 'M', 'admin', 1); update referral set note = 'changed by hand'; delete from event"; do
				n=$((n + 1))
				out=$(as_staff "${envs[@]}" "$psql" -X -w -At -d "$ci" -c "$sql" 2>&1)
				rc=$?
				[ $rc -ne 0 ] && refused=$((refused + 1))
				grep -q 'TRUST-1' <<<"$out" && leaked=$((leaked + 1))
				[ $rc -eq 0 ] && echo "# psql as $user on $db ($how) succeeded: $sql: $out"
			done
		done
	done
done
[ "$refused" = "$n" ] && [ "$leaked" = 0 ] \
	&& ok "psql by the member of staff: all $n attempts to read case data or write refused (own name, brokerage_app, brokerage_owner, postgres; 3 databases; no password, PGPASSFILE, passfile), no case reference shown" \
	|| bad "psql by the member of staff: $refused of $n refused, case data shown $leaked times"
out=$(as_staff "$psql" -X -w -At -d "host=$sock port=5432 dbname=brokerage user=$staff" -c 'select 1' 2>&1)
grep -q 'rejects connection\|no pg_hba.conf entry' <<<"$out" && ok "the staff login's own name is rejected by pg_hba.conf ($out)" \
	|| bad "own name: $out"
out=$(as_staff "$psql" -X -w -At -d "host=$sock port=5432 dbname=brokerage user=brokerage_app" -c 'select 1' 2>&1)
grep -q 'no password supplied' <<<"$out" && ok "brokerage_app without its password is refused ($out)" || bad "brokerage_app: $out"

# ---- the program, with a connection string of the user's own ----
out=$(as_staff "$b" --db "host=$sock port=5432 dbname=brokerage user=brokerage_app passfile=/etc/brokerage/pgpass" referral list --all 2>&1)
rc=$?
[ $rc -ne 0 ] && ! grep -q 'TRUST-1' <<<"$out" && grep -q 'password' <<<"$out" \
	&& ok "the program given the user's own connection string naming the password file does not use it (exit $rc: $(head -c 160 <<<"$out"))" \
	|| bad "the program used the password file for the user's own connection string (exit $rc): $out"
out=$(as_staff "$b" --db "postgresql:///brokerage?host=$sock&user=brokerage_app&passfile=/etc/brokerage/pgpass" referral list --all 2>&1)
rc=$?
[ $rc -ne 0 ] && ! grep -q 'TRUST-1' <<<"$out" && grep -q 'password' <<<"$out" && ok "... nor as a URI (exit $rc)" || bad "URI with the password file (exit $rc): $out"

# ---- the program, through the host's configuration ----
out=$(as_staff "$b" referral list --all 2>&1)
grep -q 'TRUST-1' <<<"$out" && ok "through the program the member of staff lists the referrals" || bad "referral list as staff: $out"
# libpq's environment is ignored: a read-only session, another server, a
# password file of the user's would each have stopped this
out=$(as_staff PGOPTIONS="-c default_transaction_read_only=on" PGHOSTADDR=192.0.2.1 PGHOST=/nonexistent PGPORT=1 \
	PGDATABASE=postgres PGUSER=postgres PGPASSFILE=/dev/null PGSSLMODE=require \
	"$b" referral new --case TRUST-2 --lot 1 --district North --hours 6 2>&1)
rc=$?
id=$(tail -1 <<<"$out")
[ $rc -eq 0 ] && ok "libpq's environment (PGOPTIONS read-only, PGHOSTADDR, PGHOST, PGUSER, PGSSLMODE...) is ignored: referral new TRUST-2 ($id)" \
	|| bad "referral new with PG* variables set (exit $rc): $out"
ok_all=1
out=$(as_staff "$b" referral send "$id" 2>&1) || { ok_all=0; echo "# send: $out"; }
out=$(as_staff "$b" referral respond "$id" --provider "Acorn Care" accept 2>&1) || { ok_all=0; echo "# accept: $out"; }
st=$(bq "select status from referral where case_ref = 'TRUST-2'")
[ "$ok_all" = 1 ] && [ "$st" = sourced ] && ok "the member of staff works a referral through the program: new, send, accept (status $st)" \
	|| bad "working a referral through the program: status '$st'"
out=$(as_staff "$b" audit verify 2>&1) && grep -q 'verifies' <<<"$out" && ok "audit verify through the program: $(grep -m1 verifies <<<"$out")" \
	|| bad "audit verify: $out"
actors=$(bq "select string_agg(distinct actor, ' ') from event where seq > $events0")
[ "$actors" = "$staff" ] && ok "the new events name the host login ($actors), not the database role" || bad "actors of the new events: '$actors'"
# the group was given up for good while the program ran (as on one host)
mkfifo "$W/slow" && chown "$staff" "$W/slow"
(as_staff "$b" import referrals "$W/slow" >/dev/null 2>&1) &
gid_line=
for _ in $(seq 50); do
	pid=$(pgrep -f "^$b import" | head -1)
	[ -n "$pid" ] && gid_line=$(awk '/^Gid:/ {print $2, $3, $4}' "/proc/$pid/status" 2>/dev/null)
	[ -n "$gid_line" ] && sleep 0.3 && gid_line=$(awk '/^Gid:/ {print $2, $3, $4}' "/proc/$pid/status" 2>/dev/null) && break
	sleep 0.1
done
mem=$(runuser -u "$staff" -- head -c 1 "/proc/$pid/mem" 2>&1 >/dev/null | head -1)
echo "case_ref,lot,district,hours" >"$W/slow"
wait
sg=$(id -g "$staff")
[ "$gid_line" = "$sg $sg $sg" ] && ok "connected, the program holds no group (gids $gid_line)" || bad "gids while connected: '$gid_line'"
[ -n "$mem" ] && ok "the member of staff cannot read the connected program's memory ($mem)" || bad "the program's memory was readable by staff"

# ---- what even the program's login cannot do ----
app="host=$sock port=5432 dbname=brokerage user=brokerage_app password=$app_pw"
for sql in "update event set actor = 'x'" "delete from event" "truncate event" "update event_payload set after = '{}'" \
	"drop trigger if exists event_no_update on event" "alter table event disable trigger all" "create table x(a int)" \
	"alter table referral drop constraint if exists referral_pkey"; do
	out=$("$psql" -X -w -At -d "$app" -c "$sql" 2>&1)
	rc=$?
	[ $rc -ne 0 ] && grep -q 'permission denied\|must be owner' <<<"$out" && ok "brokerage_app: '$sql' refused ($out)" \
		|| bad "brokerage_app: '$sql' (exit $rc): $out"
done
for p in "event UPDATE" "event DELETE" "event TRUNCATE" "event_payload UPDATE" "referral TRUNCATE"; do
	set -- $p
	[ "$(bq "select has_table_privilege('brokerage_app', '$1', '$2')")" = f ] && ok "brokerage_app has no $2 on $1" || bad "brokerage_app has $2 on $1"
done
events1=$(bq "select count(*) from event")
[ "$(bq "select count(*) from referral where note = 'changed by hand'")" = 0 ] && [ "$events1" -gt "$events0" ] \
	&& [ "$(bq "select count(*) from staff where login = 'mallory'")" = 0 ] \
	&& ok "nothing written by hand: no note changed, no login added, the trail only grew ($events0 -> $events1 events)" \
	|| bad "something was written outside the program"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
