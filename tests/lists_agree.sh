#!/usr/bin/env bash
# The lists that must not drift: every command in cli/commands.def is in
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
done < <(sed -n 's/^CMD("\([^"]*\)".*/\1/p' "$root/cli/commands.def")
if [ -f "$root/tui/actions.def" ]; then
	section=$(awk '/THE WORKSTATION/{on=1} /^[A-Z][A-Z ]+$/ && !/THE WORKSTATION/{if(on) exit} on' <<<"$man")
	while IFS= read -r key; do
		if grep -qF -- "$key" <<<"$section"; then ok "workstation key '$key' documented"
		else bad "workstation key '$key' missing from brokerage(1) THE WORKSTATION"; fi
	done < <(sed -n 's/^ACTION([^,]*, *"\([^"]*\)".*/\1/p' "$root/tui/actions.def" | sort -u)
fi
# docs/keys.md: a row for each line of actions.def, with its key, alias and words, and no other
if [ -f "$root/tui/actions.def" ] && [ -f "$root/docs/keys.md" ]; then
	while IFS= read -r line; do
		case $line in
			ok\ *) ok "${line#ok }" ;;
			*) bad "$line" ;;
		esac
	done < <(python3 - "$root/tui/actions.def" "$root/docs/keys.md" <<'PY'
import re, sys
q = r'"((?:[^"\\]|\\.)*)"'
unq = lambda t: t.replace('\\"', '"').replace('\\\\', '\\')
acts = [tuple(unq(x) for x in m) for m in
        re.findall(r'^ACTION\(\w+, ' + q + ', ' + q + ', ' + q + ', ' + q, open(sys.argv[1]).read(), re.M)]
acts = [(k, a, h) for k, a, _hint, h in acts]
rows = [(k, a, h.strip()) for k, a, h in
        re.findall(r'^\| `([^`]*)` \| (?:`([^`]*)`)? *\| ([^|]*?) \|', open(sys.argv[2]).read(), re.M)]
for k, a, h in acts:
    if (k, a, h) in rows:
        print("ok docs/keys.md has '%s' as actions.def says" % k)
    else:
        print("docs/keys.md lacks the row of '%s' (alias '%s'): %s" % (k, a, h))
for k, a, h in rows:
    if (k, a, h) not in acts:
        print("docs/keys.md has a row actions.def does not: '%s' %s" % (k, h))
PY
)
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
