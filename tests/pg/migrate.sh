#!/usr/bin/env bash
# Moving a team (issue 19): migrate --to copies a 2,000-referral demo file
# into an empty PostgreSQL database and migrate --from back into a new
# file; audit verify and the reports are byte for byte the same on the
# original, on PostgreSQL and on the copy back. A target that is not empty
# (or a file that exists) is refused and left untouched; so is the copy of
# a source whose chain does not verify. backup and restore on PostgreSQL
# are refused with the way to do it instead.
set -u
. "$BROKERAGE_SOURCE_ROOT/tests/pg/lib.sh"
NOW=2026-11-20T09:00
ORIG=$WORK/orig.db BACK=$WORK/back.db

run --db "$ORIG" --now "$NOW" demo --referrals 2000 --seed 3
rc_is "the demo is made (2,000 referrals)" 0
PG=$(pgdb moved)

run --db "$ORIG" --now "$NOW" --as sam migrate --to "$PG"
refused "a supervisor may not move the database" 1 "only an administrator"
is "and the PostgreSQL database stays empty" 0 \
	"$(psql_ "$PG" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")"
run --db "$ORIG" migrate --to "$WORK/not-a-conninfo.db"
rc_is "--to must name a PostgreSQL database" 2
run --db "$ORIG" migrate
rc_is "migrate needs --to or --from" 2
run --db "$ORIG" migrate --to "$PG" --from "$PG"
rc_is "but not both" 2

# when alice last looked at her worklist goes with her staff record
sqlite3 "$ORIG" "UPDATE staff SET last_looked_at = 1795165200 WHERE login = 'alice'"
run --db "$ORIG" --now "$NOW" --json migrate --to "$PG"
rc_is "migrate --to copies the file into the empty PostgreSQL database" 0
is "alice's last look is copied with her staff record" 1795165200 \
	"$(psql_ "$PG" -c "SELECT last_looked_at FROM staff WHERE login = 'alice'")"
json_is "it names the target without a password" "$OUT" "'moved' in d['migrated_to'] and 'password' not in d['migrated_to']" true
events=$(sqlite3 "$ORIG" "SELECT count(*) FROM event")
json_is "it verified every event there" "$OUT" "d['events']" "$events"
json_is "ending at the source's newest event" "$OUT" "d['head_seq']" "$(sqlite3 "$ORIG" "SELECT max(seq) FROM event")"
json_is "with the source's hash" "$OUT" "d['head']" "$(sqlite3 "$ORIG" "SELECT lower(hex(hash)) FROM event ORDER BY seq DESC LIMIT 1")"
for t in referral offer event event_payload provider staff outbox inbox offer_deadline referral_fact; do
	is "table $t has as many rows on PostgreSQL" "$(sqlite3 "$ORIG" "SELECT count(*) FROM $t")" \
		"$(psql_ "$PG" -c "SELECT count(*) FROM $t")"
done
is "the audit rows are byte for byte the same" \
	"$(sqlite3 "$ORIG" "SELECT seq || ' ' || lower(hex(payload_hash)) || lower(hex(prev_hash)) || lower(hex(hash)) FROM event ORDER BY seq" | sha256sum)" \
	"$(psql_ "$PG" -c "SELECT seq || ' ' || encode(payload_hash, 'hex') || encode(prev_hash, 'hex') || encode(hash, 'hex') FROM event ORDER BY seq" | sha256sum)"
is "the payloads too" \
	"$(sqlite3 "$ORIG" "SELECT seq || ' ' || coalesce(before, '-') || ' ' || coalesce(after, '-') FROM event_payload ORDER BY seq" | sha256sum)" \
	"$(psql_ "$PG" -c "SELECT seq || ' ' || coalesce(before, '-') || ' ' || coalesce(after, '-') FROM event_payload ORDER BY seq" | sha256sum)"

run --db "$ORIG" --now "$NOW" --json migrate --from "$PG"
refused "--from into a file that exists is refused" 1 "exists already"

run --db "$PG" --now "$NOW" migrate --to "$PG"
refused "--to copies a file: --db must name one" 2 "--db must name the file"
run --db "$BACK" --now "$NOW" --json migrate --from "$PG"
rc_is "migrate --from copies PostgreSQL into a new file" 0
json_is "the copy back verified the same events" "$OUT" "d['events']" "$events"
is "and back again" 1795165200 "$(sqlite3 "$BACK" "SELECT last_looked_at FROM staff WHERE login = 'alice'")"

# The same answers from all three, each asked in the same order (a list
# read by a member of staff is itself an audit event, on each alike). The
# anchor file beside a file has no like on a server: audit verify is
# compared without its anchors.
same() { # DESC ARGS...: the output of ARGS is the same on the three
	local desc=$1 a b c
	shift
	run --db "$ORIG" --now "$NOW" --as tina "$@"
	a="$RC $(strip_anchors "$OUT")"
	run --db "$PG" --now "$NOW" --as tina "$@"
	b="$RC $(strip_anchors "$OUT")"
	run --db "$BACK" --now "$NOW" --as tina "$@"
	c="$RC $(strip_anchors "$OUT")"
	if [ "$a" = "$b" ] && [ "$b" = "$c" ] && [ ${#a} -gt 40 ]; then
		pass "$desc: the same on the file, on PostgreSQL and on the copy back (${#a} bytes)"
	else
		fail "$desc" "the same three times" "$(diff <(echo "$a") <(echo "$b") | head -5) / $(diff <(echo "$a") <(echo "$c") | head -5)"
	fi
}
strip_anchors() {
	case $1 in
	"{"*'"anchors"'*) python3 -c 'import json, sys; d = json.loads(sys.argv[1]); d.pop("anchors", None); print(json.dumps(d, indent=2))' "$1" ;;
	*) printf '%s' "$1" ;;
	esac
}
same "audit verify" --json audit verify
same "report waiting --json" --json report waiting
same "referral list --json" --json referral list
same "provider list --json" --json provider list
same "check --deep" check --deep

# A target that is not empty is refused and left as it was.
before=$(psql_ "$PG" -c "SELECT count(*), (SELECT seq || ' ' || encode(hash, 'hex') FROM event ORDER BY seq DESC LIMIT 1) FROM event")
run --db "$BACK" --now "$NOW" migrate --to "$PG"
refused "migrate --to a database that is not empty is refused" 1 "not an empty database"
is "and it is left untouched" "$before" "$(psql_ "$PG" -c "SELECT count(*), (SELECT seq || ' ' || encode(hash, 'hex') FROM event ORDER BY seq DESC LIMIT 1) FROM event")"
OTHER=$(pgdb other)
psql_ "$OTHER" -c "CREATE TABLE somebodys(x int)" >/dev/null
run --db "$BACK" --now "$NOW" migrate --to "$OTHER"
refused "even when what it holds is not ours" 1 "not an empty database"
is "and that table is still there, alone" "somebodys" "$(psql_ "$OTHER" -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")"

# citext put in beforehand by an administrator (whose role may) leaves
# a database empty for the copy.
EXT=$(pgdb with_citext)
psql_ "$EXT" -c "CREATE EXTENSION citext" >/dev/null
run --db "$BACK" --now "$NOW" migrate --to "$EXT"
rc_is "a database with only the citext extension in it counts as empty" 0

# A source whose chain does not verify is not copied; nothing is left.
BAD=$WORK/bad.db
cp "$BACK" "$BAD"
sqlite3 "$BAD" "PRAGMA writable_schema = OFF; DROP TRIGGER event_payload_no_update;
  UPDATE event_payload SET after = '{\"tampered\":1}' WHERE seq = 5;" 2>&1
EMPTY=$(pgdb empty)
run --db "$BAD" --now "$NOW" migrate --to "$EMPTY"
refused "a source whose audit trail does not verify is not copied" 1 "does not verify at event 5"
is "and the target is left empty" 0 \
	"$(psql_ "$EMPTY" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")"

# A failure half way rolls the whole copy back. To PostgreSQL: a note
# SQLite kept but PostgreSQL cannot hold (bytes that are not UTF-8), on the
# last referral, refused after the tables before it were copied.
HALF=$WORK/half.db
cp "$BACK" "$HALF"
sqlite3 "$HALF" "UPDATE referral SET note = CAST(x'ff41' AS TEXT) WHERE id = (SELECT max(id) FROM referral)"
EMPTY2=$(pgdb empty_two)
run --db "$HALF" --now "$NOW" migrate --to "$EMPTY2"
refused "a copy refused half way by PostgreSQL fails as a whole" 4 "copying the table referral"
is "and the target is left empty, schema and all" 0 \
	"$(psql_ "$EMPTY2" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")"
# Into a new file: the file-size limit reached half way; the file is removed.
( trap '' XFSZ; ulimit -f 3000; "$BIN" --db "$WORK/small.db" --now "$NOW" migrate --from "$PG" ) \
	>"$WORK/small.out" 2>"$WORK/small.err"
RC=$? ERR=$(cat "$WORK/small.err")
refused "a copy back that cannot be written whole fails" 4 "file-size limit"
is "and leaves no file behind" "" "$(ls "$WORK" | grep '^small.db')"

# backup and restore on PostgreSQL: refused, saying what to do instead
run --db "$PG" --now "$NOW" backup "$WORK/pg-backup.db"
refused "backup on PostgreSQL is refused with the server's tools named" 1 "pg_dump"
is "and no file is made" no "$([ -e "$WORK/pg-backup.db" ] && echo yes || echo no)"
run --db "$PG" --now "$NOW" restore "$BACK"
refused "restore on PostgreSQL is refused with the way to do it" 1 "migrate --to"
is "and the database is as it was" "$before" "$(psql_ "$PG" -c "SELECT count(*), (SELECT seq || ' ' || encode(hash, 'hex') FROM event ORDER BY seq DESC LIMIT 1) FROM event")"
finish
