#!/bin/bash
# Row 3: a database from every earlier schema version opens, migrates and
# verifies; a newer one is refused and left byte-identical.
# fixtures/schema-v1.db was made by the program at commit 30bc7cb and
# fixtures/schema-v2.db (the list indexes) at ea9bb1d, the last to write
# version 2, each by root (demo --referrals 40 --seed 1, one referral
# FIXTURE-1, checkpointed). Version 3 keeps the council's policy in the
# database: a database from before it records, at its first open, the
# system file's policy (or the built-in one), never a personal file's.
# fixtures/schema-v3.db was made the same way by the program at 1d161cf,
# the last to write version 3 (version 4 adds the providers' mail
# addresses and the outbox); the checks of what version 3 added from the
# trail (requests for information, the first policy) are for the older
# ones. When a version 5 comes, add fixtures/schema-v4.db likewise.
. "$(dirname "$0")/lib.sh"
FIX=$REL_DIR/fixtures
"$B" --db "$T/current.db" init --test-mode >/dev/null 2>&1
known=$(sqlite3 "$T/current.db" "pragma user_version")
rm -f "$T/current.db"*
check "the program writes a schema version above 1 ($known)" [ "${known:-0}" -gt 1 ]
# the fixtures were made by root, their administrator
FIX_ADMIN=root
for f in "$FIX"/schema-v*.db; do
	v=${f##*schema-v}; v=${v%.db}
	cp "$f" "$T/old.db"
	check "schema v$v fixture: user_version $(sqlite3 "$T/old.db" "pragma user_version")" [ "$(sqlite3 "$T/old.db" "pragma user_version")" = "$v" ]
	sum=$(sha256sum <"$T/old.db")
	"$B" --db "$T/old.db" --as $FIX_ADMIN check >"$T/err" 2>&1
	check "schema v$v: check changes nothing, says it needs upgrading: $(head -c 100 "$T/err")" [ "$(sha256sum <"$T/old.db")" = "$sum" ] && has "$T/err" upgrad
	check "schema v$v: the first command of a member of staff migrates it" quiet "$B" --db "$T/old.db" --as $FIX_ADMIN referral list
	check "schema v$v: check --deep passes" deep "$T/old.db" $FIX_ADMIN
	check "schema v$v: now at version $known" [ "$(sqlite3 "$T/old.db" "pragma user_version")" = "$known" ]
	check "schema v$v: the list indexes are there" [ "$(sqlite3 "$T/old.db" "select count(*) from sqlite_schema where name in ('referral_unsourced','offer_open_by_referral','offer_referral')")" = 3 ]
	check "schema v$v: audit verify passes" quiet "$B" --db "$T/old.db" --as $FIX_ADMIN audit verify
	check "schema v$v: its referrals are all there (41)" [ "$(sqlite3 "$T/old.db" "select count(*) from referral")" = 41 ]
	check "schema v$v: FIXTURE-1 shows" quiet "$B" --db "$T/old.db" --as alice referral show 41
	check "schema v$v: a change works afterwards" quiet "$B" --db "$T/old.db" --as alice referral send 41
	check "schema v$v: check --deep passes after the change" deep "$T/old.db" $FIX_ADMIN
	check "schema v$v: every offer's deadline history ends at its deadline" \
		[ "$(sqlite3 "$T/old.db" "select count(*) from offer o where o.deadline_at = (select d.deadline_at from offer_deadline d where d.offer_id = o.id order by d.set_at desc, d.id desc limit 1)")" = "$(sqlite3 "$T/old.db" "select count(*) from offer")" ]
	[ "$v" -lt 3 ] && check "schema v$v: every request for information is kept, with when it was supplied" \
		[ "$(sqlite3 "$T/old.db" "select count(distinct offer_id) || ' ' || count(supplied_at) from offer_info")" = "$(sqlite3 "$T/old.db" "select count(*) || ' ' || count(info_supplied_at) from offer where info_requested_at is not null")" ]
	check "schema v$v: a deadline moved by information supplied says so, and when" \
		[ "$(sqlite3 "$T/old.db" "select count(*) from offer o where o.info_supplied_at is not null and not exists (select 1 from offer_deadline d where d.offer_id = o.id and d.reason = 'information supplied' and d.set_at = o.info_supplied_at and d.deadline_at = o.deadline_at)")" = 0 ]
	check "schema v$v: every referral's lot, district and hours are kept, the last as they are" \
		[ "$(sqlite3 "$T/old.db" "select count(*) from referral r where exists (select 1 from referral_fact f where f.referral_id = r.id and f.lot = r.lot and f.district = r.district and f.hours_minutes = r.hours_minutes and f.valid_from = (select max(g.valid_from) from referral_fact g where g.referral_id = r.id))")" = "$(sqlite3 "$T/old.db" "select count(*) from referral")" ]
	[ "$v" -lt 3 ] && check "schema v$v: the built-in policy was recorded as its first, by the system" \
		[ "$(sqlite3 "$T/old.db" "select count(*) from event where action = 'policy.init' and actor = 'system'")" = 1 ]
	check "schema v$v: the providers have no mail address yet, and the outbox is empty" \
		[ "$(sqlite3 "$T/old.db" "select count(*) from provider where emails <> ''") $(sqlite3 "$T/old.db" "select count(*) from outbox")" = "0 0" ]
	rm -f "$T/old.db"*
done

# ---- a schema-2 database of a council whose rules were in the system file ----
# /etc/brokerage/brokerage.conf is replaced for this part alone, in a
# private mount namespace (an overlay on /etc): the host's /etc is never
# touched. Root is needed for that; without it the part says it is skipped.
cat >"$T/etc.conf" <<'CONF'
# the council's rules, as they were kept before schema 3
response_days = 5;
excluded_risks = [ ];
CONF
printf 'response_days = 2;\n' >"$T/personal.conf"
cp "$FIX/schema-v2.db" "$T/v2.db"
with_system_file() { # COMMAND...: run it with $T/etc.conf as /etc/brokerage/brokerage.conf
	mkdir -p "$T/up/brokerage" "$T/work"
	cp "$T/etc.conf" "$T/up/brokerage/brokerage.conf"
	unshare --mount --propagation private bash -c \
		'mount -t overlay overlay -o lowerdir=/etc,upperdir="$1",workdir="$2" /etc && shift 2 && exec "$@"' \
		_ "$T/up" "$T/work" "$@"
}
if need_root && with_system_file true 2>/dev/null; then
	sum=$(sha256sum <"$T/v2.db")
	with_system_file "$B" --db "$T/v2.db" --config "$T/personal.conf" --as alice --now 2026-11-20T10:00 referral list >/dev/null 2>"$T/err"
	check "schema v2 + system file: a personal file with a rule is refused before the database is opened ($(head -c 90 "$T/err"))" \
		[ "$sum" = "$(sha256sum <"$T/v2.db")" ]
	check "... and the file is still at version 2" [ "$(sqlite3 "$T/v2.db" "pragma user_version")" = 2 ]
	with_system_file "$B" --db "$T/v2.db" --as alice --now 2026-11-20T10:00 referral list >/dev/null 2>"$T/err"
	check "schema v2 + system file: the first command by a member of staff upgrades it ($(head -c 90 "$T/err"))" \
		[ "$(sqlite3 "$T/v2.db" "pragma user_version")" = "$known" ]
	with_system_file "$B" --db "$T/v2.db" --as alice --now 2026-11-20T10:00 deadline --sent 2026-11-20T10:00 >"$T/dl" 2>&1
	check "schema v2 + system file: upgraded, it keeps the council's 5 working days ($(tail -1 "$T/dl"))" grep -q "Fri 27 Nov 2026 17:00" "$T/dl"
	"$B" --db "$T/v2.db" --as alice --now 2026-11-20T10:00 deadline --sent 2026-11-20T10:00 >"$T/dl2" 2>&1
	check "... and so does every later program, with or without that file" grep -q "Fri 27 Nov 2026 17:00" "$T/dl2"
	"$B" --db "$T/v2.db" --as alice --json policy show >"$T/pol" 2>&1
	check "... its policy recorded: 5 days, no risk excluded, set by the system" \
		[ "$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["policy"]; print(p["response_days"]["value"], p["excluded_risks"]["value"], p["response_days"]["set_by"])' "$T/pol")" = "5 [] system" ]
	"$B" --db "$T/v2.db" --as $FIX_ADMIN --json audit log --action policy.init >"$T/ev" 2>&1
	check "... audited as the first policy, from the system file, naming who opened it" \
		[ "$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))[-1]; print(e["actor"], e["after"]["source"], e["after"]["opened_by"])' "$T/ev")" = "system /etc/brokerage/brokerage.conf $(id -un)" ]
	check "schema v2 + system file: check --deep passes" deep "$T/v2.db" $FIX_ADMIN
	check "schema v2 + system file: audit verify passes" quiet "$B" --db "$T/v2.db" --as $FIX_ADMIN audit verify
else
	note "skipped: the schema-2 upgrade with a system file needs root to lay a private /etc (unshare and an overlay)"
fi
# newer: the fixture marked schema 99, in WAL mode as our files are, and a
# copy in rollback-journal mode (as a copy made by other tools may be)
for mode in wal delete; do
	cp "$FIX/schema-v1.db" "$T/new.db"
	sqlite3 "$T/new.db" "pragma journal_mode = $mode; pragma user_version = 99" >/dev/null
	sum=$(sha256sum <"$T/new.db")
	for cmd in "referral list" "check" "referral new --case N-1 --lot 1 --district North --hours 3" "audit verify" "backup $T/b-$mode.db"; do
		# shellcheck disable=SC2086
		"$B" --db "$T/new.db" --as $FIX_ADMIN $cmd >/dev/null 2>"$T/err"; rc=$?
		check "schema 99 ($mode), '${cmd%% --*}': refused (exit $rc) with why: $(head -c 120 "$T/err")" [ "$((rc != 0)).$(grep -c 'newer' "$T/err")" = 1.1 ]
	done
	check "schema 99 ($mode): the message names both versions" grep -q "99.*$known" "$T/err"
	check "schema 99 ($mode): the file is byte-identical" [ "$sum" = "$(sha256sum <"$T/new.db")" ]
	check "schema 99 ($mode): no -wal or -shm left" [ "$(ls "$T"/new.db* | wc -l)" = 1 ]
	check "schema 99 ($mode): no backup written" [ ! -e "$T/b-$mode.db" ]
	rm -f "$T/new.db"*
done
# an empty file (version 0, no tables) becomes a database on init
: >"$T/empty.db"
check "an empty file: init --test-mode makes it a database" quiet "$B" --db "$T/empty.db" init --test-mode
check "an empty file: then check passes" quiet "$B" --db "$T/empty.db" --as "$ADMIN" check --deep
finish
