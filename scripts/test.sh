#!/usr/bin/env bash
# One command: install what is missing, build, and run every test: unit,
# command-line and terminal suites, the suite pg (the command-line, unit and
# reliability tests that touch storage, again on a PostgreSQL 15 cluster each
# starts itself), then the unit and command-line suites again under
# AddressSanitizer and UndefinedBehaviorSanitizer (on SQLite only).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
"$here/scripts/setup.sh" || exit 1
status=0
meson test -C build --print-errorlogs --num-processes 2 || status=1

if [ "${BROKERAGE_SKIP_SANITIZERS:-0}" != 1 ]; then
	BROKERAGE_BUILD=build-asan "$here/scripts/setup.sh" -Db_sanitize=address,undefined -Db_lundef=false \
		--buildtype=debug || exit 1
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export LSAN_OPTIONS=suppressions="$here/tests/lsan.supp":print_suppressions=0
	meson test -C build-asan --print-errorlogs --num-processes 2 --suite unit --suite cli || status=1
fi
exit $status
