#!/usr/bin/env bash
# The bash completion (issue 18), made at build time from cli/commands.def
# and cli/globals.def: loaded into bash, it registers itself (complete -p),
# offers the commands, sub-commands and options of the one list, the word
# choices of the usage lines, staff logins and provider names read through
# the program from the database named on the line, and quietly nothing
# when there is no database.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COMPLETION=${BROKERAGE_COMPLETION:-$(dirname "$BIN")/cli/brokerage}
DEF="$ROOT/cli/commands.def"
# the completion runs the program the line names: this one
PATH=$(dirname "$BIN"):$PATH

# shellcheck source=/dev/null
. "$COMPLETION" || {
	echo "FAIL - cannot load $COMPLETION"
	exit 1
}

# What the completion offers for the words typed, the last being completed:
# one offer a line, sorted.
offers() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_brokerage 2>"$WORK/.complete-err"
	((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}" | sort
}

is "complete -p: registered for brokerage" "complete -F _brokerage brokerage" "$(complete -p brokerage)"
is "no command yet: the first words starting re" "$(printf '%s\n' referral report restore retention)" \
	"$(offers brokerage re)"
is "a group: its sub-commands" "$(printf '%s\n' approve assign)" "$(offers brokerage referral a)"
is "global options before the command" "--json" "$(offers brokerage --js)"
is "after a global option and its value, the command" "staff" "$(offers brokerage --db x.db sta)"
is "a command's options and the global ones" "$(printf '%s\n' --expect-version)" \
	"$(offers brokerage referral send 1 --e)"
is "a choice in the usage line (--role)" "team_leader" "$(offers brokerage staff add jo --name Jo --role t)"
is "a choice in the usage line (report kinds)" "$(printf '%s\n' pickup provision)" "$(offers brokerage report p)"
is "an option's word choices (--by)" "$(printf '%s\n' district lot month)" "$(offers brokerage report waiting --by '')"
is "the answers of referral respond, after --provider and its value" "$(printf '%s\n' accept decline info)" \
	"$(offers brokerage referral respond 3 --provider Acorn '')"
is "a flag takes no value: the next word is an argument again" "$(printf '%s\n' pickup provision)" \
	"$(offers brokerage --json report p)"
touch "$WORK/rankings.csv" "$WORK/referrals.csv"
is "FILE: files" "$(printf '%s\n' "$WORK/rankings.csv" "$WORK/referrals.csv")" \
	"$(offers brokerage import rankings "$WORK/r")"
is "nothing is offered for a free value (--reason)" "" "$(offers brokerage referral pause 1 --reason '')"

# Every command and option of the one list is offered (nothing drifts).
missing=
while IFS=$'\t' read -r name options; do
	read -r -a words <<<"$name"
	got=$(offers brokerage "${words[@]:0:${#words[@]}-1}" "${words[-1]}")
	[[ $'\n'$got$'\n' == *$'\n'"${words[-1]}"$'\n'* ]] || missing+=" '$name'"
	for o in $options; do
		o=${o%[=+]}
		got=$(offers brokerage "${words[@]}" "--$o")
		[[ $'\n'$got$'\n' == *$'\n'"--$o"$'\n'* ]] || missing+=" '$name --$o'"
	done
done < <(sed -n 's/^CMD("\([^"]*\)", [a-z_]*, [A-Z_]*, "\([^"]*\)".*/\1\t\2/p' "$DEF")
n=$(grep -c '^CMD(' "$DEF")
is "every command of commands.def ($n) and each of its options is offered" "" "$missing"

# Staff logins and provider names, read through the program from the
# database named on the line.
"$BIN" --db "$DB" --now 2026-11-20T09:00 demo --referrals 20 --seed 3 >/dev/null 2>&1
is "LOGIN: the staff logins, through the program" "$(printf '%s\n' alice)" \
	"$(offers brokerage --db "$DB" referral assign 1 a)"
is "--as: the staff logins" "$(printf '%s\n' sam sara)" "$(offers brokerage --db "$DB" --as s)"
is "--provider: provider names, quoted for the shell" 'Acorn\ Community\ Care' \
	"$(offers brokerage --db "$DB" referral respond 1 --provider Ac)"
is "a provider name already begun with an escaped space" 'Acorn\ Community\ Care' \
	"$(offers brokerage --db "$DB" provider show 'Acorn\ Com')"
is "a provider name begun in double quotes: as it is (the shell closes them)" 'Acorn Community Care' \
	"$(offers brokerage --db "$DB" referral respond 1 --provider '"Acorn')"
is "PROVIDER...: provider names at every place" 'Acorn\ Community\ Care' \
	"$(offers brokerage --db "$DB" rank set --lot 1 --district North "Beacon Support Services" Ac)"
is "--db=FILE (the = a word of its own) is used too" "$(printf '%s\n' alice)" \
	"$(offers brokerage --db = "$DB" referral assign 1 al)"
events=$("$BIN" --db "$DB" audit log --json 2>/dev/null | grep -c '"seq"')
offers brokerage --db "$DB" staff deactivate '' >/dev/null
after=$("$BIN" --db "$DB" audit log --json 2>/dev/null | grep -c '"seq"')
# audit log records its own read: one more event, none from the completion
is "completing records nothing in the audit trail" "$((events + 1))" "$after"

# No database: nothing offered, nothing said, nothing made.
before=$(ls -A "$WORK")
is "no database: no logins" "" "$(offers brokerage --db "$WORK/none/x.db" staff deactivate '')"
is "no database: nothing said on the terminal" "" "$(cat "$WORK/.complete-err")"
is "no database at the default place: no provider names" "" "$(offers brokerage provider show '')"
is "no database: nothing made" "$before" "$(ls -A "$WORK")"
is "the program not found: nothing" "" "$(offers /nonexistent/brokerage provider show '')"
finish
