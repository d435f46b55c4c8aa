#!/usr/bin/env bash
# The foundation from the outside (issue 3): --version and --help, init and
# test mode, staff and identity, global options before and after the
# command, usage errors, configuration, check, the audit trail and its
# tampering, backup, and the storage refusals (missing directory, not a
# database, a newer schema).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ME=$(id -un)
DEF="$ROOT/cli/commands.def"

# ---- --version and --help ----
run --version
rc_is "--version exits 0" 0
matches "--version prints the program and its version" "$OUT" '^brokerage [0-9]+\.[0-9]+'

run --help
rc_is "--help exits 0" 0
has "--help lists the exit codes" "$OUT" "0 done; 1 refused"
mapfile -t COMMANDS < <(sed -n 's/^CMD("\([^"]*\)".*/\1/p' "$DEF")
is "commands.def lists the commands (found ${#COMMANDS[@]})" yes "$([ ${#COMMANDS[@]} -ge 30 ] && echo yes || echo no)"
HELP=$OUT
for c in "${COMMANDS[@]}"; do
	if [[ $'\n'$HELP == *$'\n  '"$c "* ]]; then pass "--help lists '$c'"; else fail "--help lists '$c'" "a line '  $c ...'" "$HELP"; fi
done
for c in "${COMMANDS[@]}"; do
	# shellcheck disable=SC2086 # the command's words are separate arguments
	run --db "$WORK/help.db" $c --help
	if [ "$RC" = 0 ] && [[ $OUT == "usage: brokerage $c"* ]]; then
		pass "'$c --help' shows its usage"
	else
		fail "'$c --help' shows its usage" "exit 0 and 'usage: brokerage $c'" "exit $RC: $OUT $ERR"
	fi
done
is "no --help made a database" no "$([ -e "$WORK/help.db" ] && echo yes || echo no)"
run referral --help
rc_is "'referral --help' (a group) exits 0" 0

# ---- init in test mode; the running login is the first administrator ----
run --db "$DB" init --test-mode --now 2026-0105T09:00
rc_is "a bad --now on init is a usage error" 2
is "... and no database is made" no "$(db_made "$DB")"
run --db "$DB" init --test-mode --now 2026-01-05T09:00
rc_is "init --test-mode exits 0" 0
is "init --test-mode made the database" yes "$(db_made "$DB")"
has "init names the first administrator" "$OUT$ERR" "$ME"
b --json staff list
rc_is "staff list --json exits 0" 0
json_is "the running login is the only staff member, an active admin" "$OUT" \
	'[(s["login"], s["role"], s["active"]) for s in d]' "[[\"$ME\", \"admin\", true]]"
b staff list
matches "staff list shows the login with role admin" "$OUT" $'(^|\n)'"$ME"' +admin +active'

before=$(snapshot)
is_conninfo "$DB" || sum=$(sha256sum <"$DB")
b init --test-mode
rc_is "init on an existing database is refused with exit 1" 1
has "... saying it is a brokerage database already" "$ERR" "already"
unchanged "... and leaves its content as it was" "$before"
sqlite_only "init over a database leaves the file byte for byte" && is "... and the file byte for byte" "$sum" "$(sha256sum <"$DB")"
b init
rc_is "plain init on the existing database is refused too" 1

# ---- staff ----
A="--as $ME --now 2026-01-05T09:05"
b $A staff add olive --name "Olive Officer" --role officer
rc_is "admin adds an officer" 0
b $A staff add tess --name "Tess Lead" --role team_leader
rc_is "admin adds a team leader" 0
b $A staff add sam --name "Sam Super" --role supervisor
rc_is "admin adds a supervisor" 0
b $A staff add olive --name "Olive Again" --role officer
rc_is "adding the same login twice is refused" 1
b $A staff add pat --name "Pat" --role wizard
refused "an unknown role is refused, naming the roles" 1 "officer"
b $A staff add pat --role officer
matches "staff add without --name is refused (exit 1 or 2)" "$RC" '^[12]$'
b $A --json staff list
json_is "staff list --json has everyone with their roles" "$OUT" \
	'sorted((s["login"], s["role"]) for s in d)' \
	"$(python3 -c 'import json,sys; print(json.dumps(sorted([[sys.argv[1], "admin"], ["olive", "officer"], ["sam", "supervisor"], ["tess", "team_leader"]])))' "$ME")"
b $A staff list
matches "staff list shows olive as officer" "$OUT" "olive +officer +active +Olive Officer"
matches "staff list shows tess as team_leader" "$OUT" "tess +team_leader +active"

before=$(snapshot)
b --as olive --now 2026-01-05T09:10 staff add mallory --name Mallory --role admin
refused "an officer cannot add staff (exit 1)" 1 "administrator"
matches "... the refusal is a sentence naming who can" "$ERR" "only an administrator"
unchanged "... and nothing changed" "$before"
b --as tess --now 2026-01-05T09:10 staff set-role olive --role admin
refused "a team leader cannot change roles" 1 "administrator"
unchanged "... and nothing changed" "$before"

b $A staff add dora --name "Dora" --role officer
b $A staff set-role dora --role supervisor
rc_is "admin changes a role" 0
b $A --json staff list
json_is "... staff list shows the new role" "$OUT" '[s["role"] for s in d if s["login"] == "dora"]' '["supervisor"]'
b $A staff set-role dora --role wizard
rc_is "set-role to an unknown role is refused" 1
b $A staff deactivate dora
rc_is "admin deactivates a login" 0
b $A --json staff list
json_is "... staff list shows it inactive" "$OUT" '[s["active"] for s in d if s["login"] == "dora"]' '[false]'
b --as dora --now 2026-01-05T09:20 staff list
refused "a deactivated login is refused" 1 "deactivated"

# ---- identity: a login with no staff record ----
before=$(snapshot)
b --as nobody --now 2026-01-05T09:20 staff list
refused "a login with no staff record is refused (exit 1)" 1 "no staff record"
has "... the message says who can add it" "$ERR" "an administrator can add it"
has "... and names the login" "$ERR" "nobody"
unchanged "... and nothing changed" "$before"

# ---- --as and --now off test mode ----
PLAIN=$(newdb "$WORK/plain.db")
run --db "$PLAIN" init
rc_is "plain init exits 0" 0
run --db "$PLAIN" staff list
rc_is "the running login uses a plain database without --as" 0
before=$(snapshot "$PLAIN")
run --db "$PLAIN" --as "$ME" staff list
refused "--as on a plain database is refused with exit 2" 2 "test-mode"
run --db "$PLAIN" --now 2026-01-05T09:00 staff list
refused "--now on a plain database is refused with exit 2" 2 "test-mode"
run --db "$PLAIN" staff add zed --name Zed --role officer --as "$ME"
refused "--as after the command on a plain database is refused too" 2 "test-mode"
after=$(snapshot "$PLAIN")
is "... and the plain database is unchanged" "$before" "$after"
PLAIN2=$(newdb "$WORK/plain2.db")
run --db "$PLAIN2" init --as "$ME"
refused "init --as without --test-mode is refused with exit 2" 2 "test-mode"
is "... and makes no database" no "$(db_made "$PLAIN2")"

# ---- global options before or after the command ----
b --as olive --now 2026-02-02T10:00 referral new --case F-100 --lot 1 --district North --hours 5
rc_is "an officer records a referral" 0
is "... which prints its id" 1 "$OUT"
run --db "$DB" --json --as olive --now 2026-02-02T10:05 referral show 1
rc_is "global options before the command" 0
first=$OUT
json_is "... give the referral as JSON" "$first" '[d["id"], d["case_ref"]]' '[1, "F-100"]'
run referral show 1 --db "$DB" --json --as olive --now 2026-02-02T10:05
rc_is "global options after the command" 0
json_is "... give the same referral as JSON" "$OUT" '[d["id"], d["case_ref"]]' '[1, "F-100"]'
is "... the same output either way" "$first" "$OUT"
run --as olive referral --now 2026-02-02T10:05 show 1 --json --db "$DB"
rc_is "global options between the words of the command" 0

# ---- usage errors ----
b $A frobnicate
refused "an unknown command is a usage error naming it" 2 "unknown command 'frobnicate'"
b $A staff frobnicate
rc_is "an unknown subcommand is a usage error" 2
b $A staff
refused "a group without a subcommand is a usage error, listing them" 2 "needs a sub-command: add, list"
b $A staff list --bogus
refused "an unknown option of a command is a usage error naming it" 2 "--bogus"
run --bogus staff list --db "$DB"
refused "an unknown option before the command is a usage error" 2 "unknown option --bogus"
b $A staff add pat --name
refused "a missing option value is a usage error" 2 "--name needs a value"
run staff list --db
refused "a missing global option value is a usage error" 2 "--db needs a value"
b $A staff list --json=yes
rc_is "a value given to a flag is a usage error" 2
b $A referral show one
refused "a referral id that is not a number is a usage error" 2 "usage: brokerage referral show"

# ---- configuration: personal and host settings only ----
run config show
rc_is "config show exits 0 with no configuration file" 0
has "... saying there is no file of yours" "$OUT" "your file:   (none)"
matches "... the database at its default" "$OUT" 'database = ""; # default'
matches "... colour at its default" "$OUT" "colour = true; # default"
has "... and that the council's rules are in the database" "$OUT" "brokerage policy show"
run --json config show
json_is "config show --json: every setting from the defaults" "$OUT" \
	'sorted(set(s["source"] for s in d["settings"]))' '["default"]'
json_is "config show --json: the database, colour and the mail command" "$OUT" '[s["key"] for s in d["settings"]]' '["database", "colour", "mail_command"]'

printf '# mine\ncolour = false;\n' >"$WORK/mono.conf"
run --config "$WORK/mono.conf" config show
rc_is "config show with --config FILE" 0
matches "... colour false, from that file" "$OUT" "colour = false; # .*mono.conf"
matches "... the database still default" "$OUT" 'database = ""; # default'
run --config "$WORK/mono.conf" --json config show
json_is "... --json: only colour from the file" "$OUT" \
	'[s["key"] for s in d["settings"] if s["source"] != "default"]' '["colour"]'
printf 'database = "%s/five.db";\n' "$WORK" >"$WORK/five.conf"
BROKERAGE_CONFIG=$WORK/five.conf run config show
matches "\$BROKERAGE_CONFIG is used" "$OUT" "database = \"$WORK/five.db\"; # .*five.conf"
printf 'database = "%s/four.db";\n' "$WORK" >"$WORK/four.conf"
BROKERAGE_CONFIG=$WORK/five.conf run --config "$WORK/four.conf" config show
matches "--config wins over \$BROKERAGE_CONFIG" "$OUT" "four.db"
mkdir -p "$WORK/xdg/brokerage"
cp "$WORK/four.conf" "$WORK/xdg/brokerage/brokerage.conf"
XDG_CONFIG_HOME=$WORK/xdg run config show
matches "\$XDG_CONFIG_HOME/brokerage/brokerage.conf is used" "$OUT" "four.db"
XDG_CONFIG_HOME=$WORK/xdg BROKERAGE_CONFIG=$WORK/five.conf run config show
matches "\$BROKERAGE_CONFIG wins over \$XDG_CONFIG_HOME" "$OUT" "five.db"

printf 'colour = false;\ncolur = true;\n' >"$WORK/typo.conf"
run --config "$WORK/typo.conf" config show
refused "an unknown key is refused with exit 2" 2 "typo.conf:2"
has "... naming the key, with a guess" "$ERR" "did you mean 'colour'"
is "... and nothing is printed on stdout" "" "$OUT"
NEVER=$(newdb "$WORK/never.db")
run --config "$WORK/typo.conf" --db "$NEVER" init --test-mode
rc_is "a refused configuration starts nothing (init exits 2)" 2
is "... and no database is made" no "$(db_made "$NEVER")"
before=$(snapshot)
run --config "$WORK/typo.conf" --db "$DB" --as olive --now 2026-02-02T11:00 referral new --case F-9 --lot 1 --district North --hours 5
rc_is "a refused configuration refuses a referral with exit 2" 2
unchanged "... and the database is unchanged" "$before"
BROKERAGE_CONFIG=$WORK/typo.conf run config show
refused "a bad \$BROKERAGE_CONFIG is refused too, naming FILE:LINE" 2 "typo.conf:2"

printf 'colour = false;\ndatabase = ;\n' >"$WORK/syntax.conf"
run --config "$WORK/syntax.conf" config show
refused "a syntax error is refused with exit 2, naming FILE:LINE" 2 "syntax.conf:2"
printf 'colour = "no";\n' >"$WORK/type.conf"
run --config "$WORK/type.conf" config show
refused "a wrong type is refused, naming FILE:LINE" 2 "type.conf:1"
printf 'database = "relative.db";\n' >"$WORK/rel.conf"
run --config "$WORK/rel.conf" config show
refused "a relative database path is refused" 2 "absolute"
printf 'colour = true;\nresponse_days = 5;\n' >"$WORK/policy.conf"
run --config "$WORK/policy.conf" config show
refused "one of the council's rules in a personal file is refused, naming FILE:LINE" 2 "policy.conf:2"
has "... and where the rules are" "$ERR" "brokerage policy show"
run --config "$WORK/missing.conf" config show
refused "a --config file that does not exist is refused" 2 "missing.conf"
run --config /dev/null config show
refused "a --config that is not a regular file is refused" 2 "not a regular file"

# ---- check and the audit trail ----
b $A check
rc_is "check on a clean database exits 0" 0
has "... and says so" "$OUT" "ok"
b $A audit verify
rc_is "audit verify on a clean database exits 0" 0
has "... and says the chain verifies" "$OUT" "verifies"
b $A --json audit verify
json_is "audit verify --json: ok, no bad event" "$OUT" '[d["ok"], d["first_bad"]]' '[true, null]'

b $A audit log
rc_is "audit log exits 0" 0
has "audit log lists the init" "$OUT" "database.init"
has "audit log lists the staff added" "$OUT" "staff.add"
has "audit log lists the referral" "$OUT" "referral.new"
b $A --json audit log
json_is "audit log --json: sequence numbers 1, 2, 3... in order" "$OUT" \
	'[e["seq"] for e in d] == list(range(1, len(d) + 1))' true
json_is "audit log --json: the first event is the init by the running login" "$OUT" \
	'[d[0]["action"], d[0]["actor"]]' "[\"database.init\", \"$ME\"]"
json_is "audit log --json: staff.add of olive records the after values" "$OUT" \
	'[e["after"]["role"] for e in d if e["action"] == "staff.add" and e["after"]["login"] == "olive"]' '["officer"]'
json_is "audit log --json: the role change records before and after" "$OUT" \
	'[[e["before"]["role"], e["after"]["role"]] for e in d if e["action"] == "staff.set-role"]' \
	'[["officer", "supervisor"]]'
b $A referral new --case F-200 --lot 2 --district South --hours 3 --as olive --now 2026-03-02T10:00
b $A --json audit log --referral 2
json_is "audit log --referral 2 lists only referral 2's events" "$OUT" \
	'len(d) > 0 and all(e["referral"] == 2 for e in d)' true
json_is "... including its creation" "$OUT" '"referral.new" in [e["action"] for e in d]' true
b $A audit log --referral 2
lacks "audit log --referral 2 (text) has no referral 1" "$OUT" "referral 1"
b $A --json audit log --since 2026-03-01
json_is "audit log --since 2026-03-01 lists only events from then" "$OUT" \
	'len(d) > 0 and all(e["at"] >= "2026-03-01" for e in d)' true
json_is "... and includes referral 2's creation" "$OUT" '"referral.new" in [e["action"] for e in d]' true
b $A --json audit log --since 2026-01-05T09:06
json_is "audit log --since a time excludes the earlier events" "$OUT" \
	'len(d) > 0 and all(e["at"] >= "2026-01-05T09:06" for e in d) and "database.init" not in [e["action"] for e in d]' true
b $A audit log --since yesterday-ish
rc_is "audit log --since with a bad date is a usage error" 2
b $A audit log --referral x
rc_is "audit log --referral with a bad id is a usage error" 2

# ---- tampering ----
TAMPERED=$(dbcopy "$DB" "$WORK/tampered.db")
tamper "$TAMPERED" "UPDATE event SET actor='mallory' WHERE seq=2;"
run --db "$TAMPERED" $A audit verify
if [ "$RC" != 0 ] && [[ $OUT$ERR == *"event 2 "* ]]; then pass "audit verify on a tampered database exits non-zero naming event 2"
else fail "audit verify on a tampered database exits non-zero naming event 2" "non-zero and 'event 2'" "exit $RC: $OUT $ERR"; fi
run --db "$TAMPERED" $A --json audit verify
json_is "... --json: first_bad is 2" "$OUT" 'd["first_bad"]' 2
run --db "$TAMPERED" $A check
if [ "$RC" != 0 ] && [[ $OUT$ERR == *"event 2 "* ]]; then pass "check on a tampered database exits non-zero naming event 2"
else fail "check on a tampered database exits non-zero naming event 2" "non-zero and 'event 2'" "exit $RC: $OUT $ERR"; fi
DELETED=$(dbcopy "$DB" "$WORK/deleted.db")
tamper "$DELETED" "DELETE FROM event_payload WHERE seq=5; DELETE FROM event WHERE seq=5;" >/dev/null 2>&1
run --db "$DELETED" $A audit verify
is "(the test deleted event 5)" 0 "$(sql "$DELETED" 'SELECT count(*) FROM event WHERE seq=5')"
if [ "$RC" != 0 ] && [[ $OUT$ERR == *"event 5"* || $OUT$ERR == *"event 6"* ]]; then pass "audit verify finds a deleted event"
else fail "audit verify finds a deleted event" "non-zero naming event 5 or 6" "exit $RC: $OUT $ERR"; fi
run --db "$DB" $A audit verify
rc_is "the original database still verifies" 0

# ---- backup ----
if sqlite_only "backup to a file, and the refusals of files that are no brokerage database"; then
b $A backup "$WORK/backup.db"
rc_is "backup FILE exits 0" 0
is "... and makes the file" yes "$([ -s "$WORK/backup.db" ] && echo yes || echo no)"
run --db "$WORK/backup.db" $A check
rc_is "check accepts the backup" 0
run --db "$WORK/backup.db" $A --json audit log
json_is "the backup holds the referrals' events" "$OUT" '"referral.new" in [e["action"] for e in d]' true
sum=$(sha256sum <"$WORK/backup.db")
b $A backup "$WORK/backup.db"
refused "backup to an existing file is refused with exit 1" 1 "exists"
is "... and the existing file is unchanged" "$sum" "$(sha256sum <"$WORK/backup.db")"
b --as olive --now 2026-03-02T11:00 backup "$WORK/officer-backup.db"
rc_is "an officer cannot take a backup" 1

# ---- storage refusals ----
run --db "$WORK/no/such/dir/x.db" $A staff list
if [ "$RC" != 0 ] && [[ $ERR == *"directory"*"does not exist"* ]]; then pass "a database in a missing directory: its own message"
else fail "a database in a missing directory: its own message" "non-zero and 'directory ... does not exist'" "exit $RC: $ERR"; fi
run --db "$WORK/no/such/dir/x.db" init --test-mode
if [ "$RC" != 0 ] && [[ $ERR == *"directory"*"does not exist"* ]]; then pass "init in a missing directory: the same message"
else fail "init in a missing directory: the same message" "non-zero and 'directory ... does not exist'" "exit $RC: $ERR"; fi
is "... and no directory was made" no "$([ -e "$WORK/no" ] && echo yes || echo no)"

run --db "$WORK/absent.db" $A staff list
if [ "$RC" != 0 ] && [[ $ERR == *"no database"* ]]; then pass "a database file that does not exist: its own message"
else fail "a database file that does not exist: its own message" "non-zero and 'no database'" "exit $RC: $ERR"; fi
is "... and it is not created" no "$([ -e "$WORK/absent.db" ] && echo yes || echo no)"

printf 'these are my notes, not a database\n' >"$WORK/notes.txt"
sum=$(sha256sum <"$WORK/notes.txt")
run --db "$WORK/notes.txt" $A staff list
if [ "$RC" != 0 ] && [[ $ERR == *"not"*"SQLite"* ]]; then pass "a file that is not SQLite: its own message"
else fail "a file that is not SQLite: its own message" "non-zero and 'not ... SQLite'" "exit $RC: $ERR"; fi
run --db "$WORK/notes.txt" init --test-mode
rc_is "init over a file that is not SQLite is refused" 1
is "... and the file is unchanged" "$sum" "$(sha256sum <"$WORK/notes.txt")"

sqlite3 "$WORK/other.db" "CREATE TABLE recipes(name TEXT);"
sum=$(sha256sum <"$WORK/other.db")
run --db "$WORK/other.db" $A staff list
if [ "$RC" != 0 ] && [[ $ERR == *"not a brokerage database"* ]]; then pass "an SQLite file that is not a brokerage database: its own message"
else fail "an SQLite file that is not a brokerage database: its own message" "non-zero and 'not a brokerage database'" "exit $RC: $ERR"; fi
is "... and it is unchanged" "$sum" "$(sha256sum <"$WORK/other.db")"

cp "$DB" "$WORK/newer.db"
ours=$(sqlite3 "$WORK/newer.db" 'PRAGMA user_version')
sqlite3 "$WORK/newer.db" 'PRAGMA user_version=99'
sum=$(sha256sum <"$WORK/newer.db")
run --db "$WORK/newer.db" $A staff list
if [ "$RC" != 0 ] && [[ $ERR == *99* ]] && [[ $ERR == *"$ours"* ]] && [[ $ERR == *newer* ]]; then
	pass "a newer schema is refused naming both versions (99 and $ours)"
else
	fail "a newer schema is refused naming both versions (99 and $ours)" "non-zero, 'newer', '99' and '$ours'" "exit $RC: $ERR"
fi
is "... and the file is unchanged" "$sum" "$(sha256sum <"$WORK/newer.db")"
run --db "$WORK/newer.db" $A staff add zed --name Zed --role officer
rc_nonzero "... a change is refused too"
is "... and the file is still unchanged" "$sum" "$(sha256sum <"$WORK/newer.db")"
run --db "$WORK/newer.db" init --test-mode
matches "... init over it is refused" "$RC" '^[1-4]$'
is "... and the file is still unchanged" "$sum" "$(sha256sum <"$WORK/newer.db")"
else
	# the PostgreSQL twins: a database of another program, and one of a newer schema
	OTHER=$(newdb "$WORK/other.db")
	sql "$OTHER" "CREATE TABLE recipes(name TEXT)"
	before=$(sql "$OTHER" "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
	run --db "$OTHER" $A staff list
	if [ "$RC" != 0 ] && [[ $ERR == *"not a brokerage database"* ]]; then pass "a PostgreSQL database that is not a brokerage database: its own message"
	else fail "a PostgreSQL database that is not a brokerage database: its own message" "non-zero and 'not a brokerage database'" "exit $RC: $ERR"; fi
	is "... and it is unchanged" "$before" "$(sql "$OTHER" "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")"
	NEWER=$(dbcopy "$DB" "$WORK/newer.db")
	ours=$(sql "$NEWER" "SELECT value FROM meta WHERE key = 'schema_version'")
	sql "$NEWER" "UPDATE meta SET value = '99' WHERE key = 'schema_version'"
	before=$(snapshot "$NEWER")
	run --db "$NEWER" $A staff list
	if [ "$RC" != 0 ] && [[ $ERR == *99* ]] && [[ $ERR == *"$ours"* ]] && [[ $ERR == *newer* ]]; then
		pass "a newer schema is refused naming both versions (99 and $ours)"
	else
		fail "a newer schema is refused naming both versions (99 and $ours)" "non-zero, 'newer', '99' and '$ours'" "exit $RC: $ERR"
	fi
	run --db "$NEWER" $A staff add zed --name Zed --role officer
	rc_nonzero "... a change is refused too"
	is "... and the database is unchanged" "$before" "$(snapshot "$NEWER")"
fi

finish
