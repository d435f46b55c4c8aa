#!/bin/bash
# Run each libFuzzer target for a bounded time (FUZZ_SECONDS, default 20)
# from its seed corpus; fails on any crash, leak, sanitizer report or
# timeout. New inputs go to a scratch corpus, never into tests/fuzz/corpus.
# Builds the targets first unless FUZZ_NO_BUILD=1.
#   tests/fuzz/run.sh [TARGET...]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
OUT=${FUZZ_OUT:-$SRC/build/fuzz}
SECS=${FUZZ_SECONDS:-20}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(fuzz_config fuzz_csv_import fuzz_money fuzz_time fuzz_sanitize fuzz_mail)
PASS=0 FAILED=0
if [ "${FUZZ_NO_BUILD:-}" != 1 ]; then
	if ! bash "$HERE/build.sh" >"$OUT.build.log" 2>&1; then
		echo "FAIL - building the fuzz targets: $(tail -5 "$OUT.build.log")"
		echo "0 passed, 1 failed"
		exit 1
	fi
fi
SCRATCH=$(mktemp -d /tmp/bk_fuzz.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
export FUZZ_TMPDIR=$SCRATCH
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$HERE/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$OUT/artifacts"
for t in "${TARGETS[@]}"; do
	if [ ! -x "$OUT/$t" ]; then echo "FAIL - $t: not built ($OUT/$t)"; FAILED=$((FAILED + 1)); continue; fi
	mkdir -p "$SCRATCH/$t"
	cp "$HERE/corpus/$t"/* "$SCRATCH/$t/" 2>/dev/null
	"$OUT/$t" "$SCRATCH/$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
		-artifact_prefix="$OUT/artifacts/$t-" -print_final_stats=1 >"$SCRATCH/$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$SCRATCH/$t.log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$SCRATCH/$t.log" | tail -1)
	if [ $rc -eq 0 ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: ' "$SCRATCH/$t.log"; then
		echo "ok - $t: ${runs:-?} runs in ${SECS}s, $cov, 0 crashes"
		PASS=$((PASS + 1))
	else
		echo "FAIL - $t (exit $rc): $(grep -m1 -E 'ERROR|runtime error|SUMMARY|deadly' "$SCRATCH/$t.log")"
		grep -m1 -A25 -E 'ERROR|runtime error' "$SCRATCH/$t.log" | sed 's/^/#   /'
		ls -t "$OUT/artifacts/$t-"* 2>/dev/null | head -1 | sed 's/^/#   reproduce: '"$t"' /'
		FAILED=$((FAILED + 1))
	fi
done
echo "$PASS passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
