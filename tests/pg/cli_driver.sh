#!/usr/bin/env bash
# The program on PostgreSQL from the outside (issue 19): --db takes a
# conninfo; init makes the schema in an empty database only; staff,
# providers, rankings, a referral sent, declined, cascaded and accepted;
# a stale version is exit 3 and a refusal changes nothing; the conninfo is
# shown without its password; a database that is not brokerage's, one
# that is not there and a server that is not there are refused in words;
# a role without write grants works read-only. On a throw-away cluster of
# its own (tests/pg/cluster.sh), stopped at the end; SKIP (77) without
# PostgreSQL 15's binaries.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # tests/lib.sh and a cluster of its own in $WORK/pg

# The cluster trusts its socket: the password is there only to be hidden.
CONN=$(pgdb brokerage)
DB="$CONN password=never-shown"
T0="--now 2026-11-20T10:00"

# ---- made in an empty database, shown without the password ----
b init --test-mode --as admin $T0 --json
if [[ $ERR == *"cannot make the brokerage schema on PostgreSQL yet"* ]]; then
	echo "SKIP: built with the stand-in for storage/schema_pg.c (branch pg-schema)"
	exit 77
fi
rc_is "init on a conninfo" 0
json_is "... names the database without its password" "$OUT" \
	'"password" not in d["database"] and "dbname=brokerage" in d["database"]' true
lacks "... and says nothing of the password anywhere" "$OUT$ERR" "never-shown"
is "... the schema is made on the server" "t" "$(psql_ "$CONN" -c "SELECT to_regclass('referral') IS NOT NULL")"
b init --test-mode --as admin $T0
refused "a second init is refused" 1 "already a brokerage database"

# ---- the team at work ----
for who in "tess Tess team_leader" "olive Olive officer"; do
	set -- $who
	b --as admin $T0 staff add "$1" --name "$2" --role "$3"
	rc_is "staff add $1" 0
done
for p in "Alpha Care" "Beta Care" "Zoë Ñandú Care"; do
	b --as tess $T0 provider add "$p" --ages 0-25
	rc_is "provider add $p" 0
done
b --as tess $T0 rank set --lot 1 --district North "Alpha Care" "Beta Care" "Zoë Ñandú Care"
rc_is "rank set" 0
b --as tess $T0 --json provider list
json_is "provider list reads the unicode name back" "$OUT" 'sorted(p["name"] for p in d)' \
	'["Alpha Care", "Beta Care", "Zoë Ñandú Care"]'
before=$(psql_ "$CONN" -c "SELECT count(*) FROM provider")
b --as tess $T0 provider add "alpha care"
refused "a duplicate provider is refused" 1 "already a provider"
is "... and nothing was added" "$before" "$(psql_ "$CONN" -c "SELECT count(*) FROM provider")"

b --as olive $T0 --json referral new --case PG-1 --lot 1 --district North --hours 10 --age 12
rc_is "referral new" 0
ID=$(jq_ "$OUT" 'd["id"]')
b --as olive $T0 referral send "$ID"
rc_is "send" 0
has "... approaches rank 1" "$OUT" "Alpha Care"
b --as olive --now 2026-11-23T10:00 referral respond "$ID" --provider "Alpha Care" decline --reason "no carers"
rc_is "rank 1 declines" 0
has "... and rank 2 is approached" "$OUT" "Beta Care"
b --as olive --now 2026-11-23T10:00 --json referral show "$ID"
json_is "... offers: Alpha declined, Beta sent" "$OUT" '[[o["provider"], o["status"]] for o in d["offers"]]' \
	'[["Alpha Care", "declined"], ["Beta Care", "sent"]]'
V=$(jq_ "$OUT" 'd["version"]')
b --as olive --now 2026-11-24T10:00 referral respond "$ID" --provider "Beta Care" accept
rc_is "rank 2 accepts" 0
b --as olive --now 2026-11-24T10:00 --json referral show "$ID"
json_is "... the referral is sourced" "$OUT" 'd["status"]' sourced
events=$(psql_ "$CONN" -c "SELECT count(*) FROM event")
b --as tess --now 2026-11-24T11:00 referral withdraw "$ID" --reason "moved away" --expect-version "$V"
refused "a stale --expect-version is a conflict (exit 3)" 3 "changed"
# (reading a referral is itself an audit event; the refusal adds none)
is "... and adds no event" "$events" "$(psql_ "$CONN" -c "SELECT count(*) FROM event")"
b --as tess --now 2026-11-24T11:00 --json audit verify
rc_is "audit verify" 0
b --as tess --now 2026-11-24T11:00 check
rc_is "check" 0

# ---- refusals in words ----
OTHER=$("$CLUSTER" createdb "$PGDIR" other)
psql_ "$OTHER" -c "CREATE TABLE invoices (id BIGINT PRIMARY KEY)"
run --db "$OTHER" init --test-mode --as admin $T0
refused "init refuses a database with other tables" 1 "not a brokerage database"
is "... and leaves it as it was" "invoices" "$(psql_ "$OTHER" -c "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'")"
EMPTY=$("$CLUSTER" createdb "$PGDIR" empty)
run --db "$EMPTY" --as admin $T0 staff list
refused "an empty database is not a brokerage database" 1 "empty PostgreSQL database"
run --db "${CONN/dbname=brokerage/dbname=nosuch}" staff list
refused "a database that does not exist is said so" 4 "nosuch"
run --db "host=$WORK/nowhere dbname=brokerage password=never-shown" staff list
refused "a server that is not there is said so" 4 "cannot reach the database server"
lacks "... without the password" "$ERR" "never-shown"

# ---- a role without write grants: read-only, as a file one cannot write ----
psql_ "$CONN" -c "CREATE ROLE reader LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader"
READER="${CONN/user=postgres/user=reader}"
run --db "$READER" --as tess --now 2026-11-24T12:00 --json referral list
rc_is "a read-only role may look" 0
has "... and is told it is read-only" "$ERR" "read-only for you"
events=$(psql_ "$CONN" -c "SELECT count(*) FROM event")
run --db "$READER" --as tess --now 2026-11-24T12:00 provider add "Gamma Care" --ages 0-25
rc_nonzero "... but changes nothing"
is "... not a row" "$events" "$(psql_ "$CONN" -c "SELECT count(*) FROM event")"

finish
