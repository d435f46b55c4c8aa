#!/bin/bash
# Row 13: bytes flipped in the database file. `check` says so plainly
# (exit non-zero, the word damaged/problem and how to restore) and leaves
# the file byte-identical; other commands do not write to it either.
. "$(dirname "$0")/lib.sh"
BASE=$T/base.db
"$B" --db "$BASE" --now 2026-11-20T09:00 demo --referrals 400 --seed 12 >/dev/null || { fail "demo"; finish; }
sqlite3 "$BASE" "pragma wal_checkpoint(truncate)" >/dev/null
PS=$(sqlite3 "$BASE" "pragma page_size") NP=$(sqlite3 "$BASE" "pragma page_count")
note "$NP pages of $PS bytes"
# pages of the referral, offer and event tables and their indexes
mapfile -t PAGES < <(sqlite3 "$BASE" "select pageno from dbstat where name in ('referral','offer','event','event_payload','referral_status','offer_referral') and pageno > 1 order by pageno" 2>/dev/null)
if [ "${#PAGES[@]}" -lt 10 ]; then mapfile -t PAGES < <(seq 3 "$NP"); fi
RANDOM=${RELIABILITY_SEED:-$$}
xorbyte() { # FILE OFFSET: flip every bit of one byte
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
corrupt_case() { # NAME then a function that damages $T/c.db
	local name=$1; shift
	rm -f "$T/c.db"*; cp "$BASE" "$T/c.db"
	"$@"
	local sum; sum=$(sha256sum <"$T/c.db")
	"$B" --db "$T/c.db" --as "$ADMIN" check >"$T/out" 2>&1; local rc=$?
	if [ $rc -ne 0 ] && grep -qiE 'damaged|problem|corrupt|not an SQLite|malformed' "$T/out" && grep -qi 'restore' "$T/out" &&
		! grep -qE 'SQLITE_|\([0-9]+\)$' "$T/out"; then
		ok "$name: check exit $rc: $(tr '\n' ' ' <"$T/out" | head -c 180)"
	else
		fail "$name: check exit $rc: $(tr '\n' ' ' <"$T/out" | head -c 400)"
	fi
	check "$name: the file is byte-identical after check" [ "$sum" = "$(sha256sum <"$T/c.db")" ]
	"$B" --db "$T/c.db" --as "$ADMIN" check --deep >/dev/null 2>&1
	"$B" --db "$T/c.db" --as "$ADMIN" audit verify >/dev/null 2>&1
	"$B" --db "$T/c.db" --as alice referral new --case CORRUPT-1 --lot 1 --district North --hours 3 >/dev/null 2>&1; local wrc=$?
	# a change may only succeed if the damage is somewhere it never reads;
	# either way a failed write must leave the file as it was
	if [ $wrc -ne 0 ]; then
		check "$name: a refused change (exit $wrc) left the file byte-identical" [ "$sum" = "$(sha256sum <"$T/c.db")" ]
	else
		note "$name: a change succeeded on the damaged file (the damage is elsewhere)"
	fi
}
page_type() { local p=${PAGES[RANDOM % ${#PAGES[@]}]}; note "page $p: type byte"; xorbyte "$T/c.db" $(((p - 1) * PS)); }
cell_ptrs() { local p=${PAGES[RANDOM % ${#PAGES[@]}]}; note "page $p: cell pointers"; for o in 8 9 10 11 12 13; do xorbyte "$T/c.db" $(((p - 1) * PS + o)); done; }
zero_page() { local p=${PAGES[RANDOM % ${#PAGES[@]}]}; note "page $p zeroed"; dd if=/dev/zero of="$T/c.db" bs="$PS" seek=$((p - 1)) count=1 conv=notrunc status=none; }
many_pages() { for k in 1 2 3 4 5 6 7 8; do local p=${PAGES[RANDOM % ${#PAGES[@]}]}; xorbyte "$T/c.db" $(((p - 1) * PS + RANDOM % 64)); done; note "8 pages hit near their headers"; }
root_page() { note "the schema page's first cell pointer"; xorbyte "$T/c.db" 108; xorbyte "$T/c.db" 109; }
magic() { note "the file header"; xorbyte "$T/c.db" 3; }
for r in 1 2 3; do corrupt_case "page type flipped ($r)" page_type; done
for r in 1 2; do corrupt_case "cell pointers flipped ($r)" cell_ptrs; done
corrupt_case "a page zeroed" zero_page
corrupt_case "bytes flipped on 8 pages" many_pages
corrupt_case "the schema page damaged" root_page
corrupt_case "the SQLite header damaged" magic
finish
