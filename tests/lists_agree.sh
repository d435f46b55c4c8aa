#!/usr/bin/env bash
# The lists that must not drift: every command in tui/commands.def is in
# --help and in brokerage(1); every workstation key in tui/actions.def is
# in brokerage(1)'s workstation section.
set -u
root=${BROKERAGE_SOURCE_ROOT:?}
bin=${BROKERAGE_BIN:?}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }
man=$(mandoc -Tutf8 "$root/man/brokerage.1" 2>/dev/null | col -b)
help=$("$bin" --help)
while IFS= read -r cmd; do
	if grep -qF "  $cmd " <<<"$help"; then ok "--help lists '$cmd'"; else bad "--help does not list '$cmd'"; fi
	if grep -qF "$cmd" <<<"$man"; then ok "brokerage(1) documents '$cmd'"; else bad "brokerage(1) lacks '$cmd'"; fi
done < <(sed -n 's/^CMD("\([^"]*\)".*/\1/p' "$root/tui/commands.def")
if [ -f "$root/tui/actions.def" ]; then
	section=$(awk '/THE WORKSTATION/{on=1} /^[A-Z][A-Z ]+$/ && !/THE WORKSTATION/{if(on) exit} on' <<<"$man")
	while IFS= read -r key; do
		if grep -qF -- "$key" <<<"$section"; then ok "workstation key '$key' documented"
		else bad "workstation key '$key' missing from brokerage(1) THE WORKSTATION"; fi
	done < <(sed -n 's/^ACTION([^,]*, *"\([^"]*\)".*/\1/p' "$root/tui/actions.def" | sort -u)
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
