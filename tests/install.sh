#!/usr/bin/env bash
# What is installed and what it says it is (issue 18): --version names the
# version of meson's project() (the one place it is written; debian/changelog
# must agree), the schema version the program writes and the SQLite it runs
# with; 'meson install' with a DESTDIR puts the program, the three man pages,
# the bash completion, the systemd units (the sweep's, the mail's) and the
# example configuration where
# the options say.
set -u
bin=${BROKERAGE_BIN:?}
root=${BROKERAGE_SOURCE_ROOT:?}
build=$(dirname "$bin")
pass=0 fail=0
ok() {
	pass=$((pass + 1))
	echo "ok - $1"
}
bad() {
	fail=$((fail + 1))
	echo "FAIL - $1"
}
check() { # DESC EXPECTED GOT
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1 (expected '$2', got '$3')"; fi
}
work=$(mktemp -d "${TMPDIR:-/tmp}/brokerage-install.XXXXXX") || exit 4
trap 'rm -rf "$work"' EXIT

# ---- the version, from one place ----
version=$(grep -m1 "^  version : '" "$root/meson.build" | cut -d"'" -f2)
[ -n "$version" ] && ok "meson.build's project() names the version ($version)" || bad "no version in meson.build"
mapfile -t lines < <("$bin" --version)
check "--version: the program and meson's version first" "brokerage $version" "${lines[0]-}"
schema=$(sed -n 's/^#define STORE_SCHEMA_VERSION \([0-9]*\)$/\1/p' "$root/storage/store.h")
check "--version: the schema version the program writes (STORE_SCHEMA_VERSION)" "schema version $schema" "${lines[1]-}"
if command -v sqlite3 >/dev/null; then
	check "--version: the SQLite library in use (the one sqlite3 loads too)" \
		"SQLite $(sqlite3 :memory: 'select sqlite_version()')" "${lines[2]-}"
else
	[[ ${lines[2]-} =~ ^SQLite\ [0-9]+\.[0-9]+\.[0-9]+$ ]] && ok "--version: the SQLite in use (${lines[2]})" \
		|| bad "--version's third line: '${lines[2]-}'"
fi
[[ ${lines[3]-} =~ ^libpq\ [0-9]+\.[0-9]+$ ]] && ok "--version: the PostgreSQL client library in use (${lines[3]})" \
	|| bad "--version's fourth line: '${lines[3]-}'"
check "--version: four lines" 4 "${#lines[@]}"
# debian/changelog: its newest entry, upstream part (before a Debian revision)
deb=$(sed -n '1s/^brokerage (\([^)]*\)).*/\1/p' "$root/debian/changelog")
check "debian/changelog's newest version is meson's" "$version" "${deb%-*}"

# ---- meson install, with DESTDIR ----
opts=$(meson introspect "$build" --buildoptions 2>/dev/null | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print(o["prefix"], o["bindir"], o["datadir"], o["mandir"], o["systemdunitdir"] or "-", o["shared_group"] or "-")')
read -r prefix bindir datadir mandir unitdir group <<<"$opts"
if [ -z "$opts" ]; then
	bad "meson introspect $build gave no options"
elif [ "$group" != - ]; then
	echo "# not installing: this build is configured for a shared deployment (shared_group=$group), which needs root"
else
	[ "$unitdir" = - ] && unitdir=$prefix/lib/systemd/system
	abs() { case $1 in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac }
	out=$(DESTDIR="$work/root" meson install -C "$build" --no-rebuild --quiet 2>&1)
	[ $? -eq 0 ] && ok "meson install with DESTDIR" || bad "meson install: $out"
	d=$work/root
	for f in "$(abs "$bindir")/brokerage" "$(abs "$mandir")/man1/brokerage.1" "$(abs "$mandir")/man5/brokerage.conf.5" \
		"$(abs "$mandir")/man7/brokerage.7" "$(abs "$datadir")/bash-completion/completions/brokerage" \
		"$unitdir/brokerage-sweep.service" "$unitdir/brokerage-sweep.timer" \
		"$unitdir/brokerage-mail@.service" "$unitdir/brokerage-mail@.timer" \
		"$(abs "$datadir")/doc/brokerage/brokerage.conf.example"; do
		[ -f "$d$f" ] && ok "installed: $f" || bad "not installed: $f"
	done
	check "the sweep service runs the installed program" "ExecStart=$(abs "$bindir")/brokerage sweep" \
		"$(grep '^ExecStart=' "$d$unitdir/brokerage-sweep.service" 2>&1)"
	check "the installed completion is the built one" "" \
		"$(cmp "$build/cli/brokerage" "$d$(abs "$datadir")/bash-completion/completions/brokerage" 2>&1)"
	stray=$(cd "$d" && find . -type f | grep -v -e "^\.$prefix/" -e "^\.$unitdir/")
	check "nothing installed outside the prefix and the unit directory" "" "$stray"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
