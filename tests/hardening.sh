#!/usr/bin/env bash
# The program is built hardened: PIE, full RELRO, no executable stack, the
# stack protector and FORTIFY_SOURCE, read from the ELF itself.
set -u
bin=${BROKERAGE_BIN:?}
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "FAIL - $1"; fi; }
hdr=$(readelf -h "$bin") dyn=$(readelf -d "$bin") seg=$(readelf -lW "$bin") syms=$(readelf -sW --dyn-syms "$bin")
check "position-independent executable" 'grep -q "Type:.*DYN" <<<"$hdr"'
check "full RELRO: a GNU_RELRO segment" 'grep -q GNU_RELRO <<<"$seg"'
check "full RELRO: bound now" 'grep -qE "BIND_NOW|FLAGS_1.*NOW" <<<"$dyn"'
check "non-executable stack" 'grep -E "GNU_STACK" <<<"$seg" | grep -qv RWE'
check "stack protector" 'grep -q __stack_chk_fail <<<"$syms"'
check "FORTIFY_SOURCE checked functions" 'grep -qE "__(snprintf|vsnprintf|memcpy|read|fprintf|printf)_chk" <<<"$syms"'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
