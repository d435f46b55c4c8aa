#!/usr/bin/env bash
# The man pages are clean mdoc.
set -u
root=${BROKERAGE_SOURCE_ROOT:?}
pass=0 fail=0
for page in "$root"/man/*.[1-9]; do
	out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
	if [ -z "$out" ]; then pass=$((pass + 1)); echo "ok - $(basename "$page") lints clean"
	else fail=$((fail + 1)); echo "FAIL - $(basename "$page"):"; echo "$out"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
