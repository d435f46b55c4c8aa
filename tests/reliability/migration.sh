#!/bin/bash
# Row 3: a database from every earlier schema version opens, migrates and
# verifies; a newer one is refused and left byte-identical.
# fixtures/schema-v1.db was made by the program at commit 30bc7cb (demo
# --referrals 40 --seed 1, one referral FIXTURE-1, checkpointed); version 2
# (the list indexes) is what the program writes now. When a version 3
# comes, add fixtures/schema-v2.db made by the last program writing
# version 2 and it is tested the same way.
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
	rm -f "$T/old.db"*
done
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
