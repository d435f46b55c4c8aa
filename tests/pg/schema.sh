#!/usr/bin/env bash
# The schema on PostgreSQL (issue 19): made by the program in an empty
# database, column by column the same as SQLite's (read through the
# program's storage from each engine's catalog), and refusing what SQLite's
# refuses: two open offers for one provider and referral, an audit event
# changed or deleted (and, on PostgreSQL, truncated), a provider named twice
# in other letter cases. A newer schema version is refused in SQLite's words.
set -u
. "$BROKERAGE_SOURCE_ROOT/tests/pg/lib.sh"
COLUMNS_BIN=${BROKERAGE_SCHEMA_COLUMNS:?set BROKERAGE_SCHEMA_COLUMNS to tests/pg/schema_columns}
NOW=2026-11-20T09:00

PG=$(pgdb schema_t)
run --db "$PG" init --test-mode --now "$NOW"
rc_is "init makes a database on PostgreSQL" 0
run --db "$DB" init --test-mode --now "$NOW"
rc_is "init makes the same on SQLite" 0

"$COLUMNS_BIN" "$DB" >"$WORK/lite.cols" 2>"$WORK/lite.err"
is "the SQLite schema's columns are read" "0 " "$? $(cat "$WORK/lite.err")"
"$COLUMNS_BIN" "$PG" >"$WORK/pg.cols" 2>"$WORK/pg.err"
is "the PostgreSQL schema's columns are read" "0 " "$? $(cat "$WORK/pg.err")"
n=$(wc -l <"$WORK/lite.cols")
is "SQLite has the tables and columns (found $n)" yes "$([ "$n" -ge 150 ] && echo yes || echo no)"
is "every table and column, its kind and NOT NULL, the same on both engines" "" \
	"$(diff "$WORK/lite.cols" "$WORK/pg.cols")"
is "the same tables" "$(sqlite3 "$DB" "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")" \
	"$(psql_ "$PG" -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")"
# every index SQLite has is on PostgreSQL, by name
missing=""
for ix in $(sqlite3 "$DB" "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"); do
	[ "$(psql_ "$PG" -c "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname = '$ix'")" = 1 ] ||
		missing="$missing $ix"
done
is "every index of SQLite's is on PostgreSQL" "" "$missing"
missing=""
for tg in $(sqlite3 "$DB" "SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name"); do
	[ "$(psql_ "$PG" -c "SELECT count(*) FROM pg_trigger WHERE tgname = '$tg'")" = 1 ] || missing="$missing $tg"
done
is "every trigger of SQLite's is on PostgreSQL" "" "$missing"
is "the schema version is kept in meta" "$(sqlite3 "$DB" "PRAGMA user_version")" \
	"$(psql_ "$PG" -c "SELECT value FROM meta WHERE key = 'schema_version'")"

run --db "$PG" check
rc_is "check passes on the new PostgreSQL database" 0
has "check says what it checked" "$OUT" "ok: integrity"
run --db "$PG" check --deep
rc_is "check --deep passes on PostgreSQL" 0

# Refusals, the same statements on both engines (as the database's owner:
# what the schema refuses, whoever writes).
setup="INSERT INTO lot(number, name, cqc_required, framework_rate) VALUES (98, 'Test', 0, 1000)
  ON CONFLICT DO NOTHING;
INSERT INTO district(name) VALUES ('Testshire');
INSERT INTO provider(id, name, framework) VALUES (900, 'Zeta Care', 1);
INSERT INTO referral(id, case_ref, lot, district, hours_minutes, status, created_at, created_by)
  VALUES (900, 'T900', 98, 'Testshire', 60, 'searching', 0, 1);
INSERT INTO offer(referral_id, provider_id, rank, status, sent_at, received_on, deadline_at)
  VALUES (900, 900, 1, 'sent', 0, 0, 0);"
sqlite3 "$DB" "$setup" 2>&1
psql_ "$PG" -c "BEGIN; $setup COMMIT;" >/dev/null
is "the rows the refusals need are there on both" "1 1" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM offer WHERE referral_id = 900") $(psql_ "$PG" -c "SELECT count(*) FROM offer WHERE referral_id = 900")"

refuses() { # DESC SQL SQLSTATE
	local lite pg
	lite=$(sqlite3 "$DB" "PRAGMA foreign_keys = ON; $2" 2>&1)
	pg=$("$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$PG" -c "$2" 2>&1)
	local prc=$?
	if [[ $lite == *"constraint failed"* || $lite == *"audit events cannot"* ]]; then
		pass "SQLite refuses $1"
	else
		fail "SQLite refuses $1" "an error" "$lite"
	fi
	if [ "$prc" != 0 ] && [[ $pg == *"$3"* ]]; then
		pass "PostgreSQL refuses $1 ($3)"
	else
		fail "PostgreSQL refuses $1" "SQLSTATE $3" "$pg"
	fi
}
events_before="$(sqlite3 "$DB" "SELECT count(*) FROM event") $(psql_ "$PG" -c "SELECT count(*) FROM event")"
refuses "a second open offer to one provider on one referral" \
	"INSERT INTO offer(referral_id, provider_id, rank, status, sent_at, received_on, deadline_at)
	 VALUES (900, 900, 2, 'info_requested', 0, 0, 0)" 23505
refuses "an offer of a status that is not one" \
	"UPDATE offer SET status = 'maybe' WHERE referral_id = 900" 23514
refuses "an offer to a referral that does not exist" \
	"INSERT INTO offer(referral_id, provider_id, rank, status, sent_at, received_on, deadline_at)
	 VALUES (999999, 900, 1, 'declined', 0, 0, 0)" 23503
refuses "a provider named again in other letters" \
	"INSERT INTO provider(name, framework) VALUES ('ZETA CARE', 1)" 23505
refuses "a district named again in other letters" "INSERT INTO district(name) VALUES ('TESTSHIRE')" 23505
refuses "a spot request decided by its requester" \
	"INSERT INTO spot_request(referral_id, provider_id, rate, hours_minutes, weeks, weekly_cost, annual_cost,
	 framework_rate, justification, status, requested_by, requested_at, decided_by)
	 VALUES (900, 900, 1, 60, 1, 1, 1, 1, 'x', 'approved', 1, 0, 1)" 23514
refuses "an audit event changed" "UPDATE event SET actor = 'mallory' WHERE seq = 1" P0001
refuses "an audit event deleted" "DELETE FROM event WHERE seq = (SELECT max(seq) FROM event)" P0001
refuses "an audit payload changed" "UPDATE event_payload SET after = '{}' WHERE seq = 1" P0001
refuses "an audit payload deleted when its referral is not erased" "DELETE FROM event_payload WHERE seq = 1" P0001
pg=$("$PGBIN/psql" -X -q -v VERBOSITY=verbose -d "$PG" -c "TRUNCATE event, event_payload" 2>&1)
has "PostgreSQL refuses TRUNCATE of the audit trail (which SQLite has not)" "$pg" "P0001"
is "the trail is whole after the refusals" "$events_before" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM event") $(psql_ "$PG" -c "SELECT count(*) FROM event")"
run --db "$PG" audit verify
rc_is "the trail on PostgreSQL verifies after the refusals" 0

# check finds what the catalog says is wrong
psql_ "$PG" -c "ALTER TABLE event DISABLE TRIGGER event_no_delete" >/dev/null
run --db "$PG" check
rc_is "check fails when a trigger of the audit trail is disabled" 4
has "and names it" "$OUT" "event_no_delete"
psql_ "$PG" -c "ALTER TABLE event ENABLE TRIGGER event_no_delete" >/dev/null
psql_ "$PG" -c "SET session_replication_role = replica; INSERT INTO capacity(provider_id, district, minutes)
  VALUES (424242, 'Testshire', 60);" >/dev/null
run --db "$PG" check
rc_is "check fails on a row past its foreign key (written with the triggers off)" 4
has "and names the table and the value" "$OUT" "foreign key broken: table capacity provider_id 424242"
psql_ "$PG" -c "DELETE FROM capacity WHERE provider_id = 424242" >/dev/null
run --db "$PG" check
rc_is "check passes again once the row is gone" 0

# A database of a newer schema is refused in SQLite's words.
psql_ "$PG" -c "UPDATE meta SET value = '999' WHERE key = 'schema_version'" >/dev/null
run --db "$PG" --as alice referral list
refused "a newer schema version is refused" 1 "written by a newer brokerage (schema version 999"
psql_ "$PG" -c "UPDATE meta SET value = '$(sqlite3 "$DB" "PRAGMA user_version")' WHERE key = 'schema_version'" >/dev/null

# A database of schema 6 (before "since you last looked" was kept with each
# member of staff, and before referral_span) is upgraded to the newest by
# the next command, column and index and all.
psql_ "$PG" -c "ALTER TABLE staff DROP COLUMN last_looked_at" -c "DROP INDEX referral_span" \
	-c "UPDATE meta SET value = '6' WHERE key = 'schema_version'" >/dev/null
run --db "$PG" staff list
rc_is "a command on a schema 6 database works" 0
is "and upgrades it (to 7, or the newest the program writes, as the SQLite file's)" "$(sqlite3 "$DB" "PRAGMA user_version")" \
	"$(psql_ "$PG" -c "SELECT value FROM meta WHERE key = 'schema_version'")"
"$COLUMNS_BIN" "$PG" >"$WORK/pg7.cols" 2>&1
is "with every column as a new one has, staff.last_looked_at too" "" "$(diff "$WORK/lite.cols" "$WORK/pg7.cols")"
is "and the index of when referrals waited is made again (schema 8)" "1" \
	"$(psql_ "$PG" -c "SELECT count(*) FROM pg_indexes WHERE indexname = 'referral_span'")"

# An empty database is not a brokerage one (except to init and demo).
EMPTY=$(pgdb schema_empty)
run --db "$EMPTY" --as alice referral list
refused "an empty PostgreSQL database is not a brokerage database" 1 "empty PostgreSQL database"
is "and it is left empty" 0 "$(psql_ "$EMPTY" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
finish
