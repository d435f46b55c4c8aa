#!/usr/bin/env bash
# The house format: every C file in FILES is as clang-format (with the
# tree's .clang-format) writes it. Names each file that is not, with the
# command that formats it. Needs clang-format (scripts/setup.sh installs it).
#
# FILES is the list checked, relative to the source tree (globs allowed):
# every C file of the program, its tests and its benchmarks.
# FORMAT_FILES=path/to/file.c bash tests/format.sh checks only the ones named.
set -u
root=${BROKERAGE_SOURCE_ROOT:?}
ALL='core/*.[ch] storage/*.[ch] conf/*.[ch] cli/*.[ch] tui/*.[ch] tests/*.[ch] bench/*.[ch]'
FILES=$ALL
[ -n "${FORMAT_FILES:-}" ] && FILES=$FORMAT_FILES
if ! command -v clang-format >/dev/null 2>&1; then
	echo "clang-format is not installed (scripts/setup.sh installs it): skipped"
	exit 77
fi
cd "$root" || exit 4
pass=0 fail=0
for f in $FILES; do
	[ -f "$f" ] || continue
	if clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		n=$(clang-format "$f" | diff "$f" - | grep -c '^<')
		echo "FAIL - $f is not in the house format ($n lines differ): clang-format -i $f"
	fi
done
echo "$pass files formatted, $fail not"
[ "$pass" -gt 0 ] && [ "$fail" -eq 0 ]
