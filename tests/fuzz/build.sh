#!/bin/bash
# Build the libFuzzer targets with Debian's clang against the project's own
# sources, under AddressSanitizer and UndefinedBehaviorSanitizer.
#   tests/fuzz/build.sh            -> build/fuzz/fuzz_NAME
#   FUZZ_OUT=DIR tests/fuzz/build.sh
# Needs: clang and libclang-rt-14-dev (apt-get install -y clang libclang-rt-14-dev),
# and the project's -dev packages (sqlite3, libconfig, jansson, libsodium, libcsv, gmime-3.0, libpq).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
OUT=${FUZZ_OUT:-$SRC/build/fuzz}
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null || { echo "build.sh: $CC not found: apt-get install -y clang libclang-rt-14-dev" >&2; exit 1; }
mkdir -p "$OUT/obj"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=c17 -g -O1 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I$SRC -I$OUT $SAN"
DEPS_C=$(pkg-config --cflags sqlite3 libconfig jansson libsodium gmime-3.0 libpq)
DEPS_L="$(pkg-config --libs sqlite3 libconfig jansson libsodium gmime-3.0) -lcsv -ldl -lm"
# version.h as meson makes it, for any file that wants it
version=$(sed -n "s/^ *version : '\([^']*\)'.*/\1/p" "$SRC/meson.build" | head -1)
printf '#define BK_VERSION "%s"\n' "${version:-0}" >"$OUT/version.h"
# every source of the folders below tui/, so that a new file is never left out
SOURCES=()
for f in "$SRC"/core/*.c "$SRC"/storage/*.c "$SRC"/conf/*.c; do
	SOURCES+=("${f#"$SRC"/}")
done
# the newest header: a changed struct must rebuild every object that uses it
newest_h=$(ls -t "$SRC"/core/*.h "$SRC"/storage/*.h "$SRC"/conf/*.h | head -1)
OBJS=()
for f in "${SOURCES[@]}"; do
	o="$OUT/obj/$(echo "$f" | tr / _).o"
	if [ ! -e "$o" ] || [ "$SRC/$f" -nt "$o" ] || [ "$0" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
		# shellcheck disable=SC2086
		$CC $CFLAGS -fsanitize=fuzzer-no-link $DEPS_C -c "$SRC/$f" -o "$o"
	fi
	OBJS+=("$o")
done
for t in fuzz_config fuzz_csv_import fuzz_money fuzz_time fuzz_sanitize fuzz_mail; do
	# shellcheck disable=SC2086
	$CC $CFLAGS -fsanitize=fuzzer $DEPS_C "$HERE/$t.c" "${OBJS[@]}" $DEPS_L -o "$OUT/$t"
	echo "built $OUT/$t"
done
