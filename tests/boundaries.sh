#!/usr/bin/env bash
# The include boundaries: only storage/ sees SQLite and libpq, only tui/ curses, only
# conf/ libconfig; core's rule files include none of them nor storage.
set -u
root=${BROKERAGE_SOURCE_ROOT:?}
cd "$root"
pass=0 fail=0
check() { # description, offending files (empty = fine)
	if [ -z "$2" ]; then pass=$((pass + 1)); echo "ok - $1"
	else fail=$((fail + 1)); echo "FAIL - $1: $2"; fi
}
inc() { grep -lE "#include[[:space:]]*[<\"]($1)" $2 2>/dev/null | tr '\n' ' '; }
# tests/ and bench/ are allowed anything: the raw baselines of the benchmarks
# talk to SQLite and ncurses directly, by design.
src_outside() { find . -path ./build -prune -o -path './build-*' -prune -o -path ./tests -prune -o -path ./bench -prune -o \
	\( -name '*.c' -o -name '*.h' \) -print | grep -v "^\./$1/"; }
check "sqlite3.h only in storage/" "$(inc 'sqlite3\.h' "$(src_outside storage)")"
check "curses only in tui/" "$(inc '(n?curses(w)?|ncursesw/curses|form|menu|panel)\.h' "$(src_outside tui)")"
check "libpq-fe.h only in storage/" "$(inc 'libpq-fe\.h' "$(src_outside storage)")"
check "libconfig.h only in conf/" "$(inc 'libconfig\.h' "$(src_outside conf)")"
check "core and storage never include cli/, tui/ or conf/" \
	"$(grep -lE '#include[[:space:]]*"(cli|tui|conf)/' core/*.[ch] storage/*.[ch] | tr '\n' ' ')"
check "tui/ never includes cli/ or conf/; of tui/, cli/ sees only tui/workstation.h" \
	"$(grep -lE '#include[[:space:]]*"(cli|conf)/' tui/*.[ch]; grep -lE '#include[[:space:]]*"tui/' cli/*.[ch] | xargs -r grep -lE '#include[[:space:]]*"tui/[^w]' | tr '\n' ' ')"
rules="core/calendar.c core/money.c core/match.c core/workflow.c core/policy.c core/text.c"
check "rule files include no storage, curses or libconfig" \
	"$(grep -lE '#include[[:space:]]*[<"](storage/|sqlite3|n?curses|libconfig|jansson)' $rules | tr '\n' ' ')"
check "no SQL built with a format string" \
	"$(grep -nE '(printf|mprintf)[^;]*"[^"]*(SELECT|INSERT|UPDATE|DELETE) [^"]*%[sd]' core/*.c storage/*.c tui/*.c cli/*.c | tr '\n' ' ')"
check "no unbounded string functions" \
	"$(grep -nE '\b(sprintf|strcpy|strcat|gets|system|popen)[[:space:]]*\(' core/*.c storage/*.c tui/*.c cli/*.c conf/*.c | tr '\n' ' ')"
check "no floating point money" \
	"$(grep -nE '\b(float|double)\b' core/money.c core/money.h | tr '\n' ' ')"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
